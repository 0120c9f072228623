"""Queries for offers of flexible requests."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.db.codec import as_list
from server.db.paging import fetch_page
from server.db.tables import Offer
from server.domain.paging import Page, PageRequest
from server.domain.records import OfferRow

_COLUMNS = (
    Offer.id,
    Offer.request,
    Offer.volunteer,
    Offer.round,
    Offer.state,
    Offer.created_at,
    Offer.expires_at,
    Offer.request.topic.as_alias("topic"),
    Offer.request.language.as_alias("language"),
    Offer.request.modality.as_alias("modality"),
    Offer.request.help_point.as_alias("help_point"),
    Offer.request.state.as_alias("request_state"),
    Offer.request.resident.as_alias("resident"),
    Offer.request._.resident._.first_name.as_alias("resident_first_name"),
    Offer.request._.resident._.phone.as_alias("resident_phone"),
    Offer.request.home_address.as_alias("home_address"),
    Offer.request.needs.as_alias("needs"),
)


def _offer(r: dict[str, Any]) -> OfferRow:
    return OfferRow(
        id=r["id"],
        request_id=r["request"],
        volunteer_id=r["volunteer"],
        round=r["round"],
        state=r["state"],
        created_at=r["created_at"],
        expires_at=r["expires_at"],
        topic=r["topic"],
        language=r["language"],
        modality=r["modality"],
        help_point_id=r["help_point"],
        request_state=r["request_state"],
        resident_id=r["resident"],
        resident_first_name=r["resident_first_name"],
        resident_phone=r["resident_phone"],
        home_address=r["home_address"],
        needs=as_list(r["needs"]),
    )


async def offer(offer_id: uuid.UUID) -> OfferRow | None:
    rows = await Offer.select(*_COLUMNS).where(Offer.id == offer_id)
    return _offer(rows[0]) if rows else None


async def offers_of_volunteer(volunteer_id: uuid.UUID, *, pending_after: datetime) -> list[OfferRow]:
    rows = (
        await Offer.select(*_COLUMNS)
        .where((Offer.volunteer == volunteer_id) & (Offer.state == "pending") & (Offer.expires_at > pending_after))
        .order_by(Offer.created_at)
    )
    return [_offer(r) for r in rows]


async def offers_of_request(request_id: uuid.UUID) -> list[OfferRow]:
    rows = await Offer.select(*_COLUMNS).where(Offer.request == request_id).order_by(Offer.created_at)
    return [_offer(r) for r in rows]


def _accepted(volunteer_id: uuid.UUID) -> Any:
    """Requests this volunteer took and that still wait for a time (no session yet) or are under way."""
    return (
        Offer.select(*_COLUMNS, Offer.answered_at)
        .where((Offer.volunteer == volunteer_id) & (Offer.state == "accepted") & Offer.answered_at.is_not_null())
        .where(Offer.request.state == "matched")
    )


async def accepted_offers(volunteer_id: uuid.UUID, page: PageRequest) -> Page[OfferRow]:
    """A page of the requests the volunteer took, in the order they took them."""
    found = await fetch_page(_accepted(volunteer_id), page, Offer.answered_at, Offer.id)
    return found.map(_offer)


async def accepted_offer_of(volunteer_id: uuid.UUID, request_id: uuid.UUID) -> OfferRow | None:
    """The volunteer's accepted offer of this request, if they took it and it waits for a time or is under way."""
    rows = await _accepted(volunteer_id).where(Offer.request == request_id).limit(1)
    return _offer(rows[0]) if rows else None


async def offered_volunteers(request_id: uuid.UUID) -> tuple[set[uuid.UUID], int]:
    """Everyone this request was ever offered to, and the last round number."""
    rows = await Offer.select(Offer.volunteer, Offer.round).where(Offer.request == request_id)
    return {r["volunteer"] for r in rows}, max((r["round"] for r in rows), default=0)


async def insert_offers(
    request_id: uuid.UUID, volunteers: list[uuid.UUID], *, round_: int, now: datetime, expires_at: datetime
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """New pending offers; returns (offer id, volunteer id) of each."""
    offers = [(uuid.uuid4(), v) for v in volunteers]
    await Offer.insert(
        *[
            Offer(
                id=offer_id,
                request=request_id,
                volunteer=v,
                round=round_,
                state="pending",
                created_at=now,
                expires_at=expires_at,
            )
            for offer_id, v in offers
        ]
    )
    return offers


async def answer(offer_id: uuid.UUID, state: str, now: datetime) -> bool:
    """Move a pending offer to `state`; False if it was no longer pending (someone else was quicker)."""
    rows = (
        await Offer.update({Offer.state: state, Offer.answered_at: now})
        .where((Offer.id == offer_id) & (Offer.state == "pending"))
        .returning(Offer.id)
    )
    return bool(rows)


async def withdraw_others(request_id: uuid.UUID, accepted: uuid.UUID | None, now: datetime) -> list[uuid.UUID]:
    """Withdraw the request's pending offers (but `accepted`): someone has it, or it was cancelled."""
    query = Offer.update({Offer.state: "withdrawn", Offer.answered_at: now}).where(
        (Offer.request == request_id) & (Offer.state == "pending")
    )
    if accepted is not None:
        query = query.where(Offer.id != accepted)
    return [r["id"] for r in await query.returning(Offer.id)]


async def pending_count(request_id: uuid.UUID) -> int:
    return int(await Offer.count().where((Offer.request == request_id) & (Offer.state == "pending")))


async def expire_due(now: datetime) -> dict[uuid.UUID, list[uuid.UUID]]:
    """Expire every pending offer past its time; return them grouped by request."""
    rows = (
        await Offer.update({Offer.state: "expired", Offer.answered_at: now})
        .where((Offer.state == "pending") & (Offer.expires_at <= now))
        .returning(Offer.id, Offer.request)
    )
    grouped: dict[uuid.UUID, list[uuid.UUID]] = {}
    for r in rows:
        grouped.setdefault(r["request"], []).append(r["id"])
    return grouped
