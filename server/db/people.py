"""Queries for people and their role memberships."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db.paging import fetch_page
from server.db.tables import HelpRequest, Membership, Person
from server.domain.paging import Page, PageRequest
from server.domain.people import PersonView
from server.domain.roles import Grant, Role


async def _grants(person_ids: list[uuid.UUID], *, active_only: bool = True) -> dict[uuid.UUID, frozenset[Grant]]:
    if not person_ids:
        return {}
    query = Membership.select(Membership.person, Membership.role, Membership.organisation).where(
        Membership.person.is_in(person_ids)
    )
    if active_only:
        query = query.where(Membership.active == True)  # noqa: E712 - Piccolo operator
    grouped: dict[uuid.UUID, set[Grant]] = defaultdict(set)
    for r in await query:
        grouped[r["person"]].add(Grant(Role(r["role"]), r["organisation"]))
    return {k: frozenset(v) for k, v in grouped.items()}


def _view(row: dict[str, Any], grants: frozenset[Grant]) -> PersonView:
    return PersonView(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        phone=row["phone"],
        language=row["language"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        grants=grants,
    )


async def get_person(person_id: uuid.UUID) -> PersonView | None:
    rows = await Person.select().where(Person.id == person_id)
    if not rows:
        return None
    grants = await _grants([person_id])
    return _view(rows[0], grants.get(person_id, frozenset()))


async def get_person_by_phone(phone: str) -> PersonView | None:
    rows = await Person.select().where(Person.phone == phone)
    if not rows:
        return None
    grants = await _grants([rows[0]["id"]])
    return _view(rows[0], grants.get(rows[0]["id"], frozenset()))


async def list_members(
    page: PageRequest, *, within: Collection[uuid.UUID] | None, role: Role | None, include_inactive: bool
) -> Page[PersonView]:
    """A page of the people holding an organisation-scoped role in one of `within` (None: any organisation), by
    first name, then last name."""
    if within is not None and not within:
        return Page(())
    members = Membership.select(Membership.person).where(Membership.organisation.is_not_null())
    if within is not None:
        members = members.where(Membership.organisation.is_in(list(within)))
    if role is not None:
        members = members.where(Membership.role == role.value)
    if not include_inactive:
        members = members.where(Membership.active == True)  # noqa: E712
    people = Person.select().where(Person.id.is_in(members))
    if not include_inactive:
        people = people.where(Person.active == True)  # noqa: E712
    found = await fetch_page(people, page, Person.first_name, Person.last_name, Person.id)
    grants = await _grants([r["id"] for r in found.items])
    return found.map(lambda r: _view(r, grants.get(r["id"], frozenset())))


async def is_member_of(person_id: uuid.UUID, organisation_ids: Collection[uuid.UUID]) -> bool:
    """An active member: someone removed from an organisation is no longer its coordinators' business."""
    if not organisation_ids:
        return False
    count = await Membership.count().where(
        (Membership.person == person_id)
        & Membership.organisation.is_in(list(organisation_ids))
        & (Membership.active == True)  # noqa: E712 - Piccolo operator
    )
    return int(count) > 0


async def insert_person(
    *, phone: str, first_name: str, last_name: str, language: str, now: datetime, password_hash: str | None = None
) -> uuid.UUID:
    person_id = uuid.uuid4()
    await Person.insert(
        Person(
            id=person_id,
            phone=phone,
            first_name=first_name,
            last_name=last_name,
            language=language,
            password_hash=password_hash,
            created_at=now,
        )
    )
    return person_id


async def update_person(person_id: uuid.UUID, changes: dict[str, Any]) -> None:
    if changes:
        await Person.update({getattr(Person, k): v for k, v in changes.items()}).where(Person.id == person_id)


async def grant(*, person_id: uuid.UUID, role: Role, organisation_id: uuid.UUID | None, now: datetime) -> bool:
    """Give a role (reactivating it if it was taken away). Returns False if the person already had it."""
    existing = Membership.select(Membership.id, Membership.active).where(
        (Membership.person == person_id) & (Membership.role == role.value)
    )
    existing = existing.where(
        Membership.organisation.is_null() if organisation_id is None else Membership.organisation == organisation_id
    )
    rows = await existing
    if rows:
        if rows[0]["active"]:
            return False
        await Membership.update({Membership.active: True}).where(Membership.id == rows[0]["id"])
        return True
    await Membership.insert(Membership(person=person_id, role=role.value, organisation=organisation_id, created_at=now))
    return True


async def revoke_memberships(*, person_id: uuid.UUID, organisation_ids: Collection[uuid.UUID] | None) -> int:
    query = Membership.update({Membership.active: False}).where(
        (Membership.person == person_id) & (Membership.active == True)  # noqa: E712
    )
    if organisation_ids is not None:
        query = query.where(Membership.organisation.is_in(list(organisation_ids)))
    else:
        query = query.where(Membership.organisation.is_not_null() | (Membership.role == Role.NETWORK_COORDINATOR.value))
    rows = await query.returning(Membership.id)
    return len(rows)


async def set_active(person_id: uuid.UUID, *, active: bool, now: datetime) -> None:
    await Person.update({Person.active: active, Person.deactivated_at: None if active else now}).where(
        Person.id == person_id
    )


async def forget_unused_person(person_id: uuid.UUID) -> bool:
    """Remove a person created a moment ago for something that then did not happen (a refused booking for a
    caller). Only if nothing refers to them yet; False if something does."""
    if await HelpRequest.count().where(HelpRequest.resident == person_id):
        return False
    await Membership.delete().where(Membership.person == person_id)
    await Person.delete().where(Person.id == person_id)
    return True
