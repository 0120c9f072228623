"""A volunteer's own profile and availability; coordinators read them and change them on a volunteer's behalf
(many volunteers are retired and will not fill in forms): scoped to the coordinator's organisations, audited
with the volunteer as the subject."""

from __future__ import annotations

import uuid

from server.adapters.clock import Clock
from server.db import network as network_q
from server.db import people as people_q
from server.db import topics as topics_q
from server.db import volunteers as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.availability import DateOverride, WeeklyRule, validate_override, validate_rules
from server.domain.clocktime import local_date
from server.domain.errors import InvalidInput, NotFound
from server.domain.roles import Principal, Role
from server.domain.volunteers import VolunteerProfile, validate_profile
from server.services.audit import AuditService

MAX_OVERRIDES = 200


class VolunteerService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def _visible(self, caller: Principal, person_id: uuid.UUID) -> None:
        """Coordinators see volunteers of their own organisations (the network coordinator all)."""
        person = await people_q.get_person(person_id)
        is_volunteer = person is not None and any(g.role is Role.VOLUNTEER for g in person.grants)
        allowed = caller.is_network_coordinator or await people_q.is_member_of(
            person_id, caller.coordinated_organisations
        )
        if not (is_volunteer and allowed):
            raise NotFound("No such volunteer.", code="volunteer_not_found")

    async def profile(self, caller: Principal, person_id: uuid.UUID | None = None) -> VolunteerProfile:
        """The caller's own profile, or (for coordinators) a volunteer's. A new volunteer gets defaults."""
        target = person_id or caller.person_id
        if person_id is not None:
            await self._visible(caller, person_id)
        found = await q.get_profile(target)
        if found is not None:
            return found
        person = await people_q.get_person(target)
        language = person.language if person else "fi"
        return VolunteerProfile(
            person_id=target,
            languages=(language,),
            remote=False,
            home_visits=False,
            home=None,
            travel_radius_km=0.0,
            weekly_cap=3,
            needs_experience=frozenset(),
            skills={},
            help_point_ids=frozenset(),
        )

    async def save_profile(self, caller: Principal, profile: VolunteerProfile) -> VolunteerProfile:
        """The caller's own profile."""
        if profile.person_id != caller.person_id:
            raise NotFound("No such volunteer.", code="volunteer_not_found")
        return await self._save_profile(caller, profile)

    async def save_profile_for(self, caller: Principal, profile: VolunteerProfile) -> VolunteerProfile:
        """A coordinator changes a volunteer's profile on their word. A partner coordinator adds only their own
        organisations' help points (the ones the volunteer already has elsewhere are kept)."""
        await self._visible(caller, profile.person_id)
        if not caller.is_network_coordinator:
            before = await self.profile(caller, profile.person_id)
            for point_id in sorted(profile.help_point_ids - before.help_point_ids):
                point = await network_q.get_help_point(point_id)
                if point is not None and not caller.coordinates(point.organisation_id):
                    raise InvalidInput("Add only your own organisation's help points.", code="help_point_not_yours")
        return await self._save_profile(caller, profile)

    async def _save_profile(self, caller: Principal, profile: VolunteerProfile) -> VolunteerProfile:
        validate_profile(
            profile, known_topics=await topics_q.active_codes(), known_help_points=await q.open_help_point_ids()
        )
        async with write_transaction(self._engine):
            await q.save_profile(profile, self._clock.now())
            await self._audit.record(
                caller, "volunteer.profile", "person", str(profile.person_id), subject_id=profile.person_id
            )
        saved = await q.get_profile(profile.person_id)
        assert saved is not None
        return saved

    async def availability(
        self, caller: Principal, person_id: uuid.UUID | None = None
    ) -> tuple[list[WeeklyRule], list[DateOverride]]:
        if person_id is not None:
            await self._visible(caller, person_id)
        rules, overrides = await q.get_availability(person_id or caller.person_id)
        today = local_date(self._clock.now())
        return rules, [o for o in overrides if o.day >= today]

    async def save_availability(
        self, caller: Principal, rules: list[WeeklyRule], overrides: list[DateOverride]
    ) -> tuple[list[WeeklyRule], list[DateOverride]]:
        """The caller's own availability."""
        return await self._save_availability(caller, caller.person_id, rules, overrides)

    async def save_availability_for(
        self, caller: Principal, person_id: uuid.UUID, rules: list[WeeklyRule], overrides: list[DateOverride]
    ) -> tuple[list[WeeklyRule], list[DateOverride]]:
        """A coordinator replaces a volunteer's availability on their word."""
        await self._visible(caller, person_id)
        return await self._save_availability(caller, person_id, rules, overrides)

    async def _save_availability(
        self, caller: Principal, person_id: uuid.UUID, rules: list[WeeklyRule], overrides: list[DateOverride]
    ) -> tuple[list[WeeklyRule], list[DateOverride]]:
        ordered = validate_rules(rules)
        today = local_date(self._clock.now())
        if len(overrides) > MAX_OVERRIDES:
            raise InvalidInput(f"At most {MAX_OVERRIDES} dates at a time.", code="too_many_overrides")
        for override in overrides:
            validate_override(override)
            if override.day < today:
                raise InvalidInput(f"{override.day:%d.%m.%Y} is already past.", code="override_past")
        async with write_transaction(self._engine):
            await q.replace_availability(person_id, ordered, overrides, keep_before=today)
            await self._audit.record(
                caller,
                "volunteer.availability",
                "person",
                str(person_id),
                subject_id=person_id,
                detail={"rules": len(ordered), "dates": len(overrides)},
            )
        return await self.availability(caller, None if person_id == caller.person_id else person_id)
