"""Queries for volunteer applications."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db.paging import fetch_page
from server.db.tables import VolunteerApplication
from server.domain.paging import Page, PageRequest
from server.domain.records import ApplicationRow

_COLUMNS = (
    VolunteerApplication.id,
    VolunteerApplication.person,
    VolunteerApplication.organisation,
    VolunteerApplication.organisation.name.as_alias("organisation_name"),
    VolunteerApplication.person.first_name.as_alias("first_name"),
    VolunteerApplication.person.last_name.as_alias("last_name"),
    VolunteerApplication.person.phone.as_alias("phone"),
    VolunteerApplication.person.language.as_alias("language"),
    VolunteerApplication.message,
    VolunteerApplication.state,
    VolunteerApplication.created_at,
    VolunteerApplication.decided_at,
)


def _row(r: dict[str, Any]) -> ApplicationRow:
    return ApplicationRow(
        id=r["id"],
        person_id=r["person"],
        organisation_id=r["organisation"],
        organisation_name=r["organisation_name"],
        first_name=r["first_name"],
        last_name=r["last_name"],
        phone=r["phone"],
        language=r["language"],
        message=r["message"],
        state=r["state"],
        created_at=r["created_at"],
        decided_at=r["decided_at"],
    )


async def insert(*, person_id: uuid.UUID, organisation_id: uuid.UUID, message: str, now: datetime) -> uuid.UUID:
    row_id = uuid.uuid4()
    await VolunteerApplication.insert(
        VolunteerApplication(
            id=row_id, person=person_id, organisation=organisation_id, message=message, state="pending", created_at=now
        )
    )
    return row_id


async def pending_exists(person_id: uuid.UUID, organisation_id: uuid.UUID) -> bool:
    count = await VolunteerApplication.count().where(
        (VolunteerApplication.person == person_id)
        & (VolunteerApplication.organisation == organisation_id)
        & (VolunteerApplication.state == "pending")
    )
    return int(count) > 0


_KEY = (VolunteerApplication.created_at, VolunteerApplication.id)


async def of_person(person_id: uuid.UUID, page: PageRequest) -> Page[ApplicationRow]:
    """A page of the person's own applications, newest first."""
    query = VolunteerApplication.select(*_COLUMNS).where(VolunteerApplication.person == person_id)
    return (await fetch_page(query, page, *_KEY, ascending=False)).map(_row)


async def of_organisations(within: Collection[uuid.UUID] | None, state: str, page: PageRequest) -> Page[ApplicationRow]:
    """A page of the applications in `state` to the organisations `within` (None: all), oldest first."""
    query = VolunteerApplication.select(*_COLUMNS).where(VolunteerApplication.state == state)
    if within is not None:
        query = query.where(VolunteerApplication.organisation.is_in(list(within) or [uuid.UUID(int=0)]))
    return (await fetch_page(query, page, *_KEY)).map(_row)


async def get(application_id: uuid.UUID) -> ApplicationRow | None:
    rows = await VolunteerApplication.select(*_COLUMNS).where(VolunteerApplication.id == application_id)
    return _row(rows[0]) if rows else None


async def decide(application_id: uuid.UUID, *, state: str, by: uuid.UUID | None, now: datetime) -> bool:
    """Move a pending application to `state`; False if it was no longer pending."""
    rows = (
        await VolunteerApplication.update(
            {
                VolunteerApplication.state: state,
                VolunteerApplication.decided_at: now,
                VolunteerApplication.decided_by: by,
            }
        )
        .where((VolunteerApplication.id == application_id) & (VolunteerApplication.state == "pending"))
        .returning(VolunteerApplication.id)
    )
    return bool(rows)
