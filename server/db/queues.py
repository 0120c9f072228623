"""Queries for the coordinators' queues: requests waiting for someone, requests routed to a partner, and
sessions at risk. Scoping is in the query: `within` = the caller's organisations (None: the whole network)."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from server.db import paging, scope
from server.db import referrals as referrals_q
from server.db.codec import as_list
from server.db.paging import fetch_page
from server.db.tables import HelpRequest, HelpSession, Membership, Notification, Offer, Person
from server.domain.paging import Page, PageRequest
from server.domain.records import QueuedRequest

WAITING = ("open", "offering")


async def waiting_requests(
    page: PageRequest, *, states: Collection[str], within: Collection[uuid.UUID] | None, routed_here: bool = False
) -> Page[QueuedRequest]:
    """A page of the requests in `states` the coordinator oversees, longest waiting first. `routed_here`: only
    those routed to the coordinator's organisations (not those merely at their help points)."""
    query = HelpRequest.select(
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
    ).where(HelpRequest.state.is_in(list(states)))
    query = scope.requests_within(query, within)
    if routed_here and within is not None:
        query = query.where(HelpRequest.routed_to.is_in(list(within) or [uuid.UUID(int=0)]))
    found = await fetch_page(query, page, HelpRequest.created_at, HelpRequest.id)
    pending: dict[uuid.UUID, int] = {}
    if found.items:
        for r in await Offer.select(Offer.request).where(
            Offer.request.is_in([r["id"] for r in found.items]) & (Offer.state == "pending")
        ):
            pending[r["request"]] = pending.get(r["request"], 0) + 1
    notes = await referrals_q.latest_notes([r["id"] for r in found.items])
    return found.map(
        lambda r: QueuedRequest(
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
            referral_note=notes.get(r["id"]),
        )
    )


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


def _still_volunteers() -> Any:
    return Membership.select(Membership.person).where(
        (Membership.role == "volunteer") & (Membership.active == True)  # noqa: E712 - Piccolo operator
    )


def _sessions_with(*, kinds: Collection[str] | None, states: Collection[str], since: datetime | None) -> Any:
    query = Notification.select(Notification.session).where(
        Notification.session.is_not_null() & Notification.state.is_in(list(states))
    )
    if kinds is not None:
        query = query.where(Notification.kind.is_in(list(kinds)) & (Notification.channel == "sms"))
    if since is not None:
        query = query.where(Notification.updated_at >= since)
    return query


def _has_message(*, kinds: Collection[str] | None, states: Collection[str], since: datetime | None) -> WhereRaw:
    """The session has a message in one of `states` (of `kinds`, by SMS; updated since `since`): a correlated
    EXISTS, answered from the messages' index by session. (As `id IN (SELECT session …)` PostgreSQL planned it as
    a subplan that read every reminder ever sent once per coming session: 8 s at 300,000 residents.)"""
    sql = 'EXISTS (SELECT 1 FROM notification n WHERE n.session = "help_session"."id" AND n.state IN ({})'
    params: list[Any] = list(states)
    sql = sql.format(", ".join("{}" for _ in states))
    if kinds is not None:
        sql += " AND n.kind IN ({}) AND n.channel = 'sms'".format(", ".join("{}" for _ in kinds))
        params += list(kinds)
    if since is not None:
        sql += " AND n.updated_at >= {}"
        params.append(since)
    return WhereRaw(sql + ")", *params)


_REMINDERS = ("reminder_24h", "reminder_2h")
_ANSWERABLE = ("sent", "delivered")


@dataclass(frozen=True, slots=True)
class RiskWindow:
    """Which sessions may be at risk. Coming ones (`past` False): scheduled, and starting in [since,
    people_until) with no volunteer or one who is inactive or left (every coming one of a volunteer who is gone),
    or starting in [since, until) with a message that failed since `failed_since` or a reminder the resident has
    not confirmed for those starting before `unconfirmed_before`. Past ones: started in [since, until), ended by
    `ended_by`, and still scheduled or checked in (not recorded)."""

    past: bool
    since: datetime
    until: datetime
    failed_since: datetime
    unconfirmed_before: datetime
    ended_by: datetime
    people_until: datetime | None = None  # None: `until`

    @property
    def last_start(self) -> datetime:
        return max(self.until, self.people_until or self.until)


async def sessions_at_risk(
    window: RiskWindow,
    *,
    within: Collection[uuid.UUID] | None,
    after: tuple[datetime, uuid.UUID] | None,
    including: uuid.UUID | None,
    limit: int,
) -> list[RiskySession]:
    """Up to `limit` of the sessions in `window` that may be at risk, by start time then id: those after `after`
    (and the session `including`), at the caller's help points or with a volunteer of the caller's organisations
    (`within`; None: the network). What the risk is, the service decides (it reads the same facts)."""
    query = HelpSession.select(
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
    ).where(
        (HelpSession.starts_at >= window.since)
        & (HelpSession.starts_at < max(window.until, window.people_until or window.until))
    )
    if window.past:
        query = query.where(
            HelpSession.state.is_in(["scheduled", "checked_in"]) & (HelpSession.ends_at <= window.ended_by)
        )
    else:
        query = query.where(
            (HelpSession.state == "scheduled")
            & (
                HelpSession.volunteer.is_null()
                | (HelpSession.volunteer.active == False)  # noqa: E712 - Piccolo operator
                | HelpSession.volunteer.not_in(_still_volunteers())
                | (
                    (HelpSession.starts_at < window.until)
                    & (
                        _has_message(kinds=None, states=["failed"], since=window.failed_since)
                        | (
                            (HelpSession.starts_at < window.unconfirmed_before)
                            & HelpSession.confirmed_at.is_null()
                            & _has_message(kinds=_REMINDERS, states=_ANSWERABLE, since=None)
                        )
                    )
                )
            )
        )
    if within is not None:
        query = query.where(scope.session_in(within))
    key = (HelpSession.starts_at, HelpSession.id)
    if after is not None:
        later = paging.after(key, after)
        query = query.where(later | (HelpSession.id == including) if including is not None else later)
    rows = await query.order_by(*key).limit(limit)
    volunteer_ids = list({r["volunteer"] for r in rows if r["volunteer"] is not None})
    still: set[uuid.UUID] = set()
    if volunteer_ids:
        for m in await _still_volunteers().where(Membership.person.is_in(volunteer_ids)):
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
    query = _sessions_with(kinds=None, states=["failed"], since=since)
    return {r["session"] for r in await query.where(Notification.session.is_in(list(session_ids)))}


async def sessions_reminded(session_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Of `session_ids`, those whose resident has been sent a reminder they could answer."""
    if not session_ids:
        return set()
    query = _sessions_with(kinds=_REMINDERS, states=_ANSWERABLE, since=None)
    return {r["session"] for r in await query.where(Notification.session.is_in(list(session_ids)))}
