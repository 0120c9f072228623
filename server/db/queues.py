"""Queries for the coordinators' queues: requests waiting for someone, requests routed to a partner, and
sessions at risk. Scoping is in the query: `within` = the caller's organisations (None: the whole network)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from server.db import scope
from server.db.codec import as_list
from server.db.tables import HelpRequest, HelpSession, Membership, Notification, Offer, Person
from server.domain.records import QueuedRequest

WAITING = ("open", "offering")


async def waiting_requests(*, states: Collection[str], within: Collection[uuid.UUID] | None) -> list[QueuedRequest]:
    query = (
        HelpRequest.select(
            HelpRequest.id,
            HelpRequest.state,
            HelpRequest.topic,
            HelpRequest.language,
            HelpRequest.modality,
            HelpRequest.channel,
            HelpRequest.help_point,
            HelpRequest.routed_to,
            HelpRequest.resident.first_name.as_alias("resident_first_name"),
            HelpRequest.created_at,
            HelpRequest.needs,
        )
        .where(HelpRequest.state.is_in(list(states)))
        .order_by(HelpRequest.created_at)
        .limit(500)
    )
    rows = await scope.requests_within(query, within)
    pending: dict[uuid.UUID, int] = {}
    if rows:
        for r in await Offer.select(Offer.request).where(
            Offer.request.is_in([r["id"] for r in rows]) & (Offer.state == "pending")
        ):
            pending[r["request"]] = pending.get(r["request"], 0) + 1
    return [
        QueuedRequest(
            id=r["id"],
            state=r["state"],
            topic=r["topic"],
            language=r["language"],
            modality=r["modality"],
            channel=r["channel"],
            help_point_id=r["help_point"],
            routed_to=r["routed_to"],
            resident_first_name=r["resident_first_name"],
            created_at=r["created_at"],
            pending_offers=pending.get(r["id"], 0),
            needs=tuple(as_list(r["needs"])),
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class RiskySession:
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    state: str
    topic: str
    help_point_id: uuid.UUID | None
    volunteer_id: uuid.UUID | None
    volunteer_first_name: str | None
    volunteer_active: bool
    volunteer_still_volunteers: bool
    confirmed_at: datetime | None = None


async def sessions_between(
    *, states: Collection[str], since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> list[RiskySession]:
    """Sessions starting in [since, until) with one of `states`: at the caller's help points, or with a volunteer
    of the caller's organisations."""
    query = (
        HelpSession.select(
            HelpSession.id,
            HelpSession.starts_at,
            HelpSession.ends_at,
            HelpSession.state,
            HelpSession.request.topic.as_alias("topic"),
            HelpSession.help_point,
            HelpSession.volunteer,
            HelpSession.volunteer.first_name.as_alias("volunteer_first_name"),
            HelpSession.volunteer.active.as_alias("volunteer_active"),
            HelpSession.confirmed_at,
        )
        .where(HelpSession.state.is_in(list(states)))
        .where((HelpSession.starts_at >= since) & (HelpSession.starts_at < until))
        .order_by(HelpSession.starts_at)
        .limit(500)
    )
    if within is not None:
        query = query.where(scope.session_in(within))
    rows = await query
    volunteer_ids = list({r["volunteer"] for r in rows if r["volunteer"] is not None})
    still: set[uuid.UUID] = set()
    if volunteer_ids:
        for m in await Membership.select(Membership.person).where(
            Membership.person.is_in(volunteer_ids) & (Membership.role == "volunteer") & (Membership.active == True)  # noqa: E712 - Piccolo operator
        ):
            still.add(m["person"])
    return [
        RiskySession(
            id=r["id"],
            starts_at=r["starts_at"],
            ends_at=r["ends_at"],
            state=r["state"],
            topic=r["topic"],
            help_point_id=r["help_point"],
            volunteer_id=r["volunteer"],
            volunteer_first_name=r["volunteer_first_name"],
            volunteer_active=bool(r["volunteer_active"]),
            volunteer_still_volunteers=r["volunteer"] in still,
            confirmed_at=r["confirmed_at"],
        )
        for r in rows
    ]


async def volunteer_ids_of(within: Collection[uuid.UUID]) -> set[uuid.UUID]:
    rows = await Membership.select(Membership.person).where(
        Membership.organisation.is_in(list(within) or [uuid.UUID(int=0)])
        & (Membership.role == "volunteer")
        & (Membership.active == True)  # noqa: E712 - Piccolo operator
    )
    return {r["person"] for r in rows}


async def first_names(person_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not person_ids:
        return {}
    rows = await Person.select(Person.id, Person.first_name).where(Person.id.is_in(list(person_ids)))
    return {r["id"]: r["first_name"] for r in rows}


async def sessions_with_failed_messages(session_ids: Collection[uuid.UUID], since: datetime) -> set[uuid.UUID]:
    """Of `session_ids`, those with an SMS or push that failed (or came back undelivered) since `since`."""
    if not session_ids:
        return set()
    rows = await Notification.select(Notification.session).where(
        Notification.session.is_in(list(session_ids))
        & (Notification.state == "failed")
        & (Notification.updated_at >= since)
    )
    return {r["session"] for r in rows}


async def sessions_reminded(session_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Of `session_ids`, those whose resident has been sent a reminder they could answer."""
    if not session_ids:
        return set()
    rows = await Notification.select(Notification.session).where(
        Notification.session.is_in(list(session_ids))
        & Notification.kind.is_in(["reminder_24h", "reminder_2h"])
        & (Notification.channel == "sms")
        & Notification.state.is_in(["sent", "delivered"])
    )
    return {r["session"] for r in rows}
