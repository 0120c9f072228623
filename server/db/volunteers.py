"""Queries for volunteer profiles, their topics and help points, and their availability."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from server.db.codec import as_list
from server.db.tables import (
    AvailabilityOverride,
    AvailabilityRule,
    HelpPoint,
    VolunteerHelpPoint,
    VolunteerProfile,
    VolunteerTopic,
)
from server.domain.availability import DateOverride, WeeklyRule
from server.domain.matching import Need, Place
from server.domain.volunteers import VolunteerProfile as Profile


async def get_profile(person_id: uuid.UUID) -> Profile | None:
    rows = await VolunteerProfile.select().where(VolunteerProfile.person == person_id)
    if not rows:
        return None
    r = rows[0]
    skills = {
        t["topic"]: t["skill"]
        for t in await VolunteerTopic.select(VolunteerTopic.topic, VolunteerTopic.skill).where(
            VolunteerTopic.person == person_id
        )
    }
    points = {
        p["help_point"]
        for p in await VolunteerHelpPoint.select(VolunteerHelpPoint.help_point).where(
            VolunteerHelpPoint.person == person_id
        )
    }
    home = (
        Place(r["home_latitude"], r["home_longitude"])
        if r["home_latitude"] is not None and r["home_longitude"] is not None
        else None
    )
    return Profile(
        person_id=person_id,
        languages=as_list(r["languages"]),
        remote=bool(r["remote"]),
        home_visits=bool(r["home_visits"]),
        home=home,
        travel_radius_km=float(r["travel_radius_km"]),
        weekly_cap=int(r["weekly_cap"]),
        needs_experience=frozenset(Need(n) for n in as_list(r["needs_experience"])),
        skills=skills,
        help_point_ids=frozenset(points),
    )


async def save_profile(profile: Profile, now: datetime) -> None:
    """Replace the whole profile (the caller holds a write transaction)."""
    values: dict[Any, Any] = {
        VolunteerProfile.languages: list(profile.languages),
        VolunteerProfile.remote: profile.remote,
        VolunteerProfile.home_visits: profile.home_visits,
        VolunteerProfile.home_latitude: profile.home.latitude if profile.home else None,
        VolunteerProfile.home_longitude: profile.home.longitude if profile.home else None,
        VolunteerProfile.travel_radius_km: profile.travel_radius_km,
        VolunteerProfile.weekly_cap: profile.weekly_cap,
        VolunteerProfile.needs_experience: sorted(n.value for n in profile.needs_experience),
        VolunteerProfile.updated_at: now,
    }
    exists = await VolunteerProfile.exists().where(VolunteerProfile.person == profile.person_id)
    if exists:
        await VolunteerProfile.update(values).where(VolunteerProfile.person == profile.person_id)
    else:
        await VolunteerProfile.insert(
            VolunteerProfile(person=profile.person_id, **{c._meta.name: v for c, v in values.items()})
        )
    await VolunteerTopic.delete().where(VolunteerTopic.person == profile.person_id)
    if profile.skills:
        await VolunteerTopic.insert(
            *[VolunteerTopic(person=profile.person_id, topic=c, skill=s) for c, s in sorted(profile.skills.items())]
        )
    await VolunteerHelpPoint.delete().where(VolunteerHelpPoint.person == profile.person_id)
    if profile.help_point_ids:
        await VolunteerHelpPoint.insert(
            *[
                VolunteerHelpPoint(person=profile.person_id, help_point=h)
                for h in sorted(profile.help_point_ids, key=str)
            ]
        )


async def open_help_point_ids() -> set[uuid.UUID]:
    rows = await HelpPoint.select(HelpPoint.id).where(
        (HelpPoint.active == True) & (HelpPoint.organisation.active == True)  # noqa: E712 - Piccolo operator
    )
    return {r["id"] for r in rows}


async def get_availability(person_id: uuid.UUID) -> tuple[list[WeeklyRule], list[DateOverride]]:
    rules = [
        WeeklyRule(r["weekday"], r["start"], r["end"], bool(r["remote"]))
        for r in await AvailabilityRule.select().where(AvailabilityRule.person == person_id)
    ]
    overrides = [
        DateOverride(r["day"], bool(r["away"]), r["start"], r["end"], bool(r["remote"]))
        for r in await AvailabilityOverride.select()
        .where(AvailabilityOverride.person == person_id)
        .order_by(AvailabilityOverride.day)
    ]
    return sorted(rules, key=lambda r: (r.remote, r.weekday, r.start)), overrides


async def replace_availability(
    person_id: uuid.UUID, rules: list[WeeklyRule], overrides: list[DateOverride], *, keep_before: date
) -> None:
    """Replace the weekly rules and the overrides from `keep_before` on (past days are history)."""
    await AvailabilityRule.delete().where(AvailabilityRule.person == person_id)
    if rules:
        await AvailabilityRule.insert(
            *[
                AvailabilityRule(person=person_id, weekday=r.weekday, start=r.start, end=r.end, remote=r.remote)
                for r in rules
            ]
        )
    await AvailabilityOverride.delete().where(
        (AvailabilityOverride.person == person_id) & (AvailabilityOverride.day >= keep_before)
    )
    if overrides:
        await AvailabilityOverride.insert(
            *[
                AvailabilityOverride(
                    person=person_id, day=o.day, away=o.away, start=o.start, end=o.end, remote=o.remote
                )
                for o in overrides
            ]
        )
