"""Slot search and matching follow every kind of change to who may be matched and their hours, straight away,
though matching keeps its answer between requests (server/db/candidates.py, migration 0016)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from server.db import candidates as candidates_db
from server.db import people as people_q
from server.db import volunteers as volunteers_q
from server.db.tables import Membership, Organisation
from server.domain.availability import WeeklyRule
from server.domain.clocktime import week_of
from server.domain.matching import Modality
from tests.conftest import Env
from tests.integration.world import MONDAY_NINE, booked_session, build_world, volunteer_offers


async def test_slots_follow_changes_to_volunteers_at_once(env: Env) -> None:
    world = await build_world(env)
    vol = world.ids["vol_a"]
    await volunteer_offers(vol, world.help_point_a)

    async def monday() -> int:
        query = {
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "from": "2026-11-30",
            "to": "2026-11-30",
        }
        answer = await env.client().get("/api/v1/slots", params=query)
        assert answer.status_code == 200, answer.text
        return len(answer.json())

    assert await monday() == 6
    assert await monday() == 6, "asked again: the kept answer"
    await volunteers_q.replace_availability(vol, [WeeklyRule(0, time(9), time(11))], [], keep_before=date(2026, 11, 1))
    assert await monday() == 2, "fewer hours"
    await people_q.set_active(vol, active=False, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert await monday() == 0, "deactivated"
    await people_q.set_active(vol, active=True, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert await monday() == 2, "back"
    await Membership.update({Membership.active: False}).where(Membership.person == vol)
    assert await monday() == 0, "no longer a member"
    await Membership.update({Membership.active: True}).where(Membership.person == vol)
    await Organisation.update({Organisation.active: False}).where(
        Organisation.id.is_in(Membership.select(Membership.organisation).where(Membership.person == vol))
    )
    assert await monday() == 0, "organisation closed"


async def test_a_booking_weeks_ahead_reads_that_week_and_the_last_four_not_the_weeks_between(env: Env) -> None:
    """The calendar of a candidate for a date ten weeks ahead: the sessions of that week block their time and count
    towards its limit, the sessions of the last four weeks count for fairness, and the weeks in between (which grow
    with every booking) are not read at all."""
    world = await build_world(env)
    vol = world.ids["vol_a"]
    await volunteer_offers(vol, world.help_point_a)
    now = env.clock.now()
    target = MONDAY_NINE + timedelta(weeks=10)

    recent = now - timedelta(weeks=2)
    between = [MONDAY_NINE + timedelta(weeks=n, hours=2) for n in range(1, 9)]
    in_week = target + timedelta(days=2, hours=1)  # the Wednesday of that week
    for starts in (recent, *between, in_week):
        state = "completed" if starts < now else "scheduled"
        await booked_session(
            world.ids["resident_2"], vol, world.help_point_a, "online_banking", now, starts=starts, state=state
        )

    found = await candidates_db.candidates(
        topic="online_banking",
        modality=Modality.HELP_POINT,
        help_point_id=world.help_point_a,
        first=target.date(),
        last=target.date(),
        now=now,
    )
    (candidate,) = [c for c in found if c.id == vol]
    assert candidate.recent_sessions == 1, "the session two weeks ago counts for fairness"
    assert candidate.time.booked_per_week.get(week_of(in_week)) == 1, "that week's session counts to its limit"
    assert [b.start for b in candidate.time.busy if b.start > now] == [in_week], "its time is kept, nothing between"
    assert not any(week_of(s) in candidate.time.booked_per_week for s in between)
