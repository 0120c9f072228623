"""Queries for organisations and help points. Scoping is applied by the caller's organisation set:
`None` means every organisation (network coordinators and public reads of active help points)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from server.db.codec import as_json, as_uuid
from server.db.paging import fetch_page
from server.db.tables import HelpPoint, OpeningHours, Organisation
from server.domain import network
from server.domain.paging import Page, PageRequest


def organisation_of(row: dict[str, Any]) -> network.Organisation:
    return network.Organisation(
        id=row["id"],
        name=row["name"],
        kind=network.OrganisationKind(row["kind"]),
        municipality=row["municipality"],
        phone=row["phone"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        description=row.get("description") or "",
        translations=as_json(row.get("translations"), {}),
    )


async def list_organisations(page: PageRequest, *, within: Collection[uuid.UUID] | None) -> Page[network.Organisation]:
    """A page of the organisations `within` (None: all), by name."""
    query = Organisation.select()
    if within is not None:
        if not within:
            return Page(())
        query = query.where(Organisation.id.is_in(list(within)))
    return (await fetch_page(query, page, Organisation.name, Organisation.id)).map(organisation_of)


async def get_organisation(organisation_id: uuid.UUID) -> network.Organisation | None:
    rows = await Organisation.select().where(Organisation.id == organisation_id)
    return organisation_of(rows[0]) if rows else None


async def insert_organisation(
    *,
    name: str,
    kind: network.OrganisationKind,
    municipality: str,
    phone: str | None,
    now: datetime,
    description: str = "",
    translations: Mapping[str, Mapping[str, str]] | None = None,
) -> uuid.UUID:
    organisation_id = uuid.uuid4()
    await Organisation.insert(
        Organisation(
            id=organisation_id,
            name=name,
            kind=kind.value,
            municipality=municipality,
            phone=phone,
            created_at=now,
            description=description,
            translations=json.dumps(translations or {}, ensure_ascii=False),
        )
    )
    return organisation_id


async def update_organisation(organisation_id: uuid.UUID, changes: dict[str, Any]) -> None:
    if "translations" in changes:
        changes = {**changes, "translations": json.dumps(changes["translations"], ensure_ascii=False)}
    if changes:
        await Organisation.update({getattr(Organisation, k): v for k, v in changes.items()}).where(
            Organisation.id == organisation_id
        )


async def hours_for(help_point_ids: list[uuid.UUID]) -> dict[uuid.UUID, tuple[network.OpeningPeriod, ...]]:
    if not help_point_ids:
        return {}
    rows = await OpeningHours.select().where(OpeningHours.help_point.is_in(help_point_ids))
    grouped: dict[uuid.UUID, list[network.OpeningPeriod]] = defaultdict(list)
    for r in rows:
        grouped[r["help_point"]].append(network.OpeningPeriod(r["weekday"], r["opens"], r["closes"]))
    return {k: tuple(sorted(v, key=lambda p: (p.weekday, p.opens))) for k, v in grouped.items()}


async def list_help_points(
    page: PageRequest, *, within: Collection[uuid.UUID] | None, active_only: bool, municipality: str | None = None
) -> Page[network.HelpPoint]:
    """A page of the help points of the organisations `within` (None: all), by municipality, then name."""
    query = HelpPoint.select()
    if within is not None:
        if not within:
            return Page(())
        query = query.where(HelpPoint.organisation.is_in(list(within)))
    if active_only:
        query = query.where((HelpPoint.active == True) & (HelpPoint.organisation.active == True))  # noqa: E712
    if municipality:
        # The spellings that fold to the one asked for, found in Python: SQLite's LOWER and LIKE fold only ASCII
        # letters, and names here have å, ä and ö. There are only so many municipalities.
        wanted = municipality.strip().casefold()
        spellings = await HelpPoint.select(HelpPoint.municipality).distinct()
        matching = [r["municipality"] for r in spellings if r["municipality"].casefold() == wanted]
        if not matching:
            return Page(())
        query = query.where(HelpPoint.municipality.is_in(matching))
    found = await fetch_page(query, page, HelpPoint.municipality, HelpPoint.name, HelpPoint.id)
    hours = await hours_for([r["id"] for r in found.items])
    return found.map(lambda r: help_point_of(r, hours.get(r["id"], ())))


async def open_help_points() -> list[network.HelpPoint]:
    """Every help point open for bookings (active, of an active organisation): one row each, the network's size."""
    rows = await HelpPoint.select().where(
        (HelpPoint.active == True) & (HelpPoint.organisation.active == True)  # noqa: E712
    )
    hours = await hours_for([r["id"] for r in rows])
    return [help_point_of(r, hours.get(r["id"], ())) for r in rows]


def help_point_of(row: dict[str, Any], hours: tuple[network.OpeningPeriod, ...]) -> network.HelpPoint:
    return network.HelpPoint(
        id=row["id"],
        organisation_id=row["organisation"],
        name=row["name"],
        street_address=row["street_address"],
        postal_code=row["postal_code"],
        municipality=row["municipality"],
        latitude=row["latitude"],
        longitude=row["longitude"],
        accessibility_notes=row["accessibility_notes"],
        active=bool(row["active"]),
        opening_hours=hours,
        translations=as_json(row.get("translations"), {}),
    )


# A help point and its opening hours in one statement, written out: every booking and move at a help point reads it.
_HELP_POINT = (
    "SELECT hp.id, hp.organisation, hp.name, hp.street_address, hp.postal_code, hp.municipality, hp.latitude, "
    "hp.longitude, hp.accessibility_notes, hp.active, hp.translations, oh.weekday, oh.opens, oh.closes "
    "FROM help_point hp LEFT JOIN opening_hours oh ON oh.help_point = hp.id WHERE hp.id = {}"
)


async def get_help_point(help_point_id: uuid.UUID) -> network.HelpPoint | None:
    rows = await HelpPoint.raw(_HELP_POINT, help_point_id)
    if not rows:
        return None
    first = rows[0]
    hours = sorted(
        (network.OpeningPeriod(r["weekday"], r["opens"], r["closes"]) for r in rows if r["weekday"] is not None),
        key=lambda p: (p.weekday, p.opens),
    )
    row = {**first, "id": as_uuid(first["id"]), "organisation": as_uuid(first["organisation"])}
    return help_point_of(row, tuple(hours))


async def insert_help_point(*, organisation_id: uuid.UUID, values: dict[str, Any], now: datetime) -> uuid.UUID:
    help_point_id = uuid.uuid4()
    if "translations" in values:
        values = {**values, "translations": json.dumps(values["translations"], ensure_ascii=False)}
    await HelpPoint.insert(HelpPoint(id=help_point_id, organisation=organisation_id, created_at=now, **values))
    return help_point_id


async def update_help_point(help_point_id: uuid.UUID, changes: dict[str, Any]) -> None:
    if "translations" in changes:
        changes = {**changes, "translations": json.dumps(changes["translations"], ensure_ascii=False)}
    if changes:
        await HelpPoint.update({getattr(HelpPoint, k): v for k, v in changes.items()}).where(
            HelpPoint.id == help_point_id
        )


async def replace_opening_hours(help_point_id: uuid.UUID, periods: list[network.OpeningPeriod]) -> None:
    await OpeningHours.delete().where(OpeningHours.help_point == help_point_id)
    if periods:
        await OpeningHours.insert(
            *[
                OpeningHours(help_point=help_point_id, weekday=p.weekday, opens=p.opens, closes=p.closes)
                for p in periods
            ]
        )
