"""People: the caller's own profile, members of organisations, and coordinators' reads of resident data."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from argon2 import PasswordHasher

from server.adapters.clock import Clock
from server.db import network as network_q
from server.db import people as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.domain.paging import Page, PageRequest
from server.domain.people import LANGUAGES, PersonView
from server.domain.phone import parse_mobile
from server.domain.roles import Principal, Role
from server.services.audit import AuditService
from server.services.auth import AuthService, hash_password

INVITABLE = {Role.VOLUNTEER, Role.PARTNER_COORDINATOR}


def _is_resident_data(person: PersonView) -> bool:
    return any(g.role is Role.RESIDENT for g in person.grants)


def _scoped(caller: Principal, person: PersonView) -> PersonView:
    """What a coordinator may see of a person's roles: all of them for the network coordinator, only those in
    their own organisations for a partner coordinator (never another organisation's ids)."""
    if caller.is_network_coordinator:
        return person
    visible = frozenset(g for g in person.grants if g.organisation_id in caller.coordinated_organisations)
    return replace(person, grants=visible)


class PeopleService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService, auth: AuthService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._auth = auth

    # ---- own profile -------------------------------------------------------------------------------------

    async def me(self, caller: Principal) -> PersonView:
        person = await q.get_person(caller.person_id)
        assert person is not None
        return person

    async def update_me(self, caller: Principal, changes: dict[str, Any]) -> PersonView:
        if "language" in changes and changes["language"] not in LANGUAGES:
            raise InvalidInput("Language must be fi, sv or en.", code="language_invalid")
        await q.update_person(caller.person_id, changes)
        return await self.me(caller)

    # ---- members of organisations ------------------------------------------------------------------------

    async def members(
        self,
        caller: Principal,
        page: PageRequest,
        *,
        organisation_id: uuid.UUID | None,
        role: Role | None,
        include_inactive: bool,
    ) -> Page[PersonView]:
        if organisation_id is not None:
            if not caller.coordinates(organisation_id):
                raise NotFound("No such organisation.", code="organisation_not_found")
            within: frozenset[uuid.UUID] | None = frozenset({organisation_id})
        else:
            within = caller.oversees
        found = await q.list_members(page, within=within, role=role, include_inactive=include_inactive)
        return found.map(lambda person: _scoped(caller, person))

    async def person(self, caller: Principal, person_id: uuid.UUID) -> PersonView:
        """A person the caller may see: anyone for the network coordinator, members of their own
        organisations for a partner coordinator. Reading a resident's data is audited."""
        visible = caller.is_network_coordinator or await q.is_member_of(person_id, caller.coordinated_organisations)
        person = await q.get_person(person_id) if visible else None
        if person is None:
            raise NotFound("No such person.", code="person_not_found")
        if _is_resident_data(person):
            await self._audit.record(caller, "resident.read", "person", str(person_id), subject_id=person_id)
        return _scoped(caller, person)

    async def find_resident(self, caller: Principal, *, phone: str, purpose: str) -> PersonView:
        """A coordinator answering the helpline looks a caller up by number. Always audited, with purpose."""
        number = parse_mobile(phone)
        person = await q.get_person_by_phone(number)
        # Logged under the caller's organisation too, so its own coordinators can review their lookups.
        home = min(caller.coordinated_organisations, key=str) if caller.coordinated_organisations else None
        await self._audit.record(
            caller,
            "resident.lookup",
            "person",
            str(person.id) if person else "",
            organisation_id=home,
            subject_id=person.id if person else None,
            detail={"purpose": purpose, "found": person is not None},
        )
        if person is None or not _is_resident_data(person):
            raise NotFound("No resident with this number.", code="resident_not_found")
        return PersonView(
            id=person.id,
            first_name=person.first_name,
            last_name=person.last_name,
            phone=person.phone,
            language=person.language,
            active=person.active,
            created_at=person.created_at,
            grants=frozenset(g for g in person.grants if g.role is Role.RESIDENT),
        )

    async def invite(
        self,
        caller: Principal,
        organisation_id: uuid.UUID,
        *,
        role: Role,
        phone: str,
        first_name: str,
        last_name: str,
        language: str,
    ) -> PersonView:
        if not caller.coordinates(organisation_id) or await network_q.get_organisation(organisation_id) is None:
            raise NotFound("No such organisation.", code="organisation_not_found")
        if role not in INVITABLE:
            raise InvalidInput("Only volunteers and partner coordinators can be added here.", code="role_invalid")
        if role is Role.PARTNER_COORDINATOR and not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator adds coordinators.", code="network_only")
        if language not in LANGUAGES:
            raise InvalidInput("Language must be fi, sv or en.", code="language_invalid")
        number = parse_mobile(phone)
        now = self._clock.now()
        async with write_transaction(self._engine):
            existing = await q.get_person_by_phone(number)
            if existing is not None and not caller.is_network_coordinator:
                # Adding a number that is already someone's would let a partner learn who they are (and make a
                # resident a volunteer without asking); the network coordinator adds existing people.
                raise Conflict(
                    "This number already belongs to someone in the network. Ask the network coordinator to add "
                    "them to your organisation.",
                    code="person_exists",
                )
            if existing is not None and not existing.active:
                raise Conflict(
                    "This person has been deactivated; the network coordinator can reactivate them.",
                    code="person_inactive",
                )
            person_id = (
                existing.id
                if existing
                else await q.insert_person(
                    phone=number, first_name=first_name, last_name=last_name, language=language, now=now
                )
            )
            if not await q.grant(person_id=person_id, role=role, organisation_id=organisation_id, now=now):
                raise Conflict("This person already has that role in this organisation.", code="already_member")
            await self._audit.record(
                caller,
                "membership.grant",
                "person",
                str(person_id),
                organisation_id=organisation_id,
                subject_id=person_id,
                detail={"role": role.value},
            )
        person = await q.get_person(person_id)
        assert person is not None
        return _scoped(caller, person)

    async def deactivate(self, caller: Principal, person_id: uuid.UUID) -> PersonView:
        """The network coordinator deactivates a person entirely and ends every session of theirs now. A partner
        coordinator removes them from their own organisations: roles are read on every request, so that takes
        effect at once; their sessions end too unless they still hold a role elsewhere."""
        if person_id == caller.person_id:
            raise Conflict("You cannot deactivate yourself.", code="self_deactivation")
        target = await self.person(caller, person_id)
        now = self._clock.now()
        async with write_transaction(self._engine):
            if caller.is_network_coordinator:
                await q.set_active(person_id, active=False, now=now)
                removed = await q.revoke_memberships(person_id=person_id, organisation_ids=None)
            else:
                removed = await q.revoke_memberships(
                    person_id=person_id, organisation_ids=caller.coordinated_organisations
                )
            remaining = await q.get_person(person_id)
            keeps_a_role = remaining is not None and any(g.role is not Role.RESIDENT for g in remaining.grants)
            ended = (
                0
                if keeps_a_role and not caller.is_network_coordinator
                else await self._auth.end_all_sessions(person_id)
            )
            orgs = {g.organisation_id for g in target.grants if g.organisation_id is not None}
            for organisation_id in orgs if caller.is_network_coordinator else orgs & caller.coordinated_organisations:
                await self._audit.record(
                    caller,
                    "person.deactivate",
                    "person",
                    str(person_id),
                    organisation_id=organisation_id,
                    subject_id=person_id,
                    detail={"memberships_removed": removed, "sessions_ended": ended},
                )
            if not orgs:
                await self._audit.record(
                    caller,
                    "person.deactivate",
                    "person",
                    str(person_id),
                    subject_id=person_id,
                    detail={"sessions_ended": ended},
                )
        person = await q.get_person(person_id)
        assert person is not None
        return _scoped(caller, person)

    async def reactivate(self, caller: Principal, person_id: uuid.UUID) -> PersonView:
        if not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator reactivates people.", code="network_only")
        await self.person(caller, person_id)
        await q.set_active(person_id, active=True, now=self._clock.now())
        await self._audit.record(caller, "person.reactivate", "person", str(person_id), subject_id=person_id)
        person = await q.get_person(person_id)
        assert person is not None
        return person


async def provision_staff(
    audit: AuditService,
    *,
    engine: AnyEngine,
    clock: Clock,
    phone: str,
    first_name: str,
    last_name: str,
    language: str,
    role: Role,
    organisation_id: uuid.UUID | None,
    password: str | None,
    hasher: PasswordHasher | None = None,
) -> uuid.UUID:
    """Create (or extend) a staff member from the command line or the demo loader: no caller to scope to."""
    if role is Role.PARTNER_COORDINATOR and organisation_id is None:
        raise InvalidInput("A partner coordinator needs an organisation.", code="organisation_required")
    if role is Role.NETWORK_COORDINATOR:
        organisation_id = None
    number = parse_mobile(phone)
    password_hash = hash_password(password, hasher) if password else None
    now = clock.now()
    async with write_transaction(engine):
        existing = await q.get_person_by_phone(number)
        if existing is None:
            person_id = await q.insert_person(
                phone=number,
                first_name=first_name,
                last_name=last_name,
                language=language,
                now=now,
                password_hash=password_hash,
            )
        else:
            person_id = existing.id
            if password_hash:
                await q.update_person(person_id, {"password_hash": password_hash})
        await q.grant(person_id=person_id, role=role, organisation_id=organisation_id, now=now)
        await audit.record(
            None,
            "membership.grant",
            "person",
            str(person_id),
            organisation_id=organisation_id,
            subject_id=person_id,
            detail={"role": role.value, "via": "command line"},
        )
    return person_id
