"""Queries for SMS replies: which message a reply answers, the sessions it can act on, and the coordinators'
inbox of replies nobody could understand."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.codec import as_uuid
from server.db.paging import fetch_page
from server.db.tables import HelpSession, InboundMessage, Notification, Person
from server.domain.paging import Page, PageRequest
from server.domain.records import InboxItem

# The messages whose answer a reply is: the SMS that invite "reply PERU / KYLLÄ", a rating or a choice.
PROMPTS = (
    "confirmation",
    "reminder_24h",
    "reminder_2h",
    "moved",
    "feedback_request",
    "which_session",
    # Group sessions: a place or the waitlist (PERU leaves), a freed place offered (1 keeps it, 2 gives it up).
    "event_confirmed",
    "event_waitlisted",
    "event_offer",
    "event_moved",
)


@dataclass(frozen=True, slots=True)
class Sender:
    id: uuid.UUID
    language: str
    opted_out: bool
    code_word: str = ""


async def sender(phone: str) -> Sender | None:
    rows = await Person.select(Person.id, Person.language, Person.sms_opt_out, Person.code_word).where(
        (Person.phone == phone) & (Person.active == True)  # noqa: E712 - Piccolo operator
    )
    if not rows:
        return None
    return Sender(rows[0]["id"], rows[0]["language"], bool(rows[0]["sms_opt_out"]), rows[0]["code_word"] or "")


async def seen(provider_id: str) -> bool:
    return int(await InboundMessage.count().where(InboundMessage.provider_id == provider_id)) > 0


@dataclass(frozen=True, slots=True)
class Prompt:
    kind: str
    session_id: uuid.UUID | None
    sent_at: datetime
    # A "which time?" question: what the resident wanted to do, and the sessions its numbers stand for.
    action: str = ""
    choices: tuple[uuid.UUID, ...] = ()
    signup_id: uuid.UUID | None = None  # a group session sign-up the message was about


async def prompts(person_id: uuid.UUID, since: datetime, *, limit: int = 10) -> list[Prompt]:
    """The latest SMS to the person that asked for an answer, sent since `since`, newest first."""
    rows = (
        await Notification.select(
            Notification.kind,
            Notification.session,
            Notification.sent_at,
            Notification.choices,
            Notification.event_signup,
        )
        .where(
            (Notification.person == person_id)
            & (Notification.channel == "sms")
            & Notification.kind.is_in(list(PROMPTS))
            & Notification.state.is_in(["sent", "delivered"])
            & (Notification.sent_at >= since)
        )
        .order_by(Notification.sent_at, ascending=False)
        .limit(limit)
    )
    return [_prompt(r) for r in rows]


def _prompt(r: dict[str, Any]) -> Prompt:
    action, choices = "", tuple[uuid.UUID, ...]()
    if r["choices"]:
        data = json.loads(r["choices"])
        action, choices = str(data["action"]), tuple(uuid.UUID(s) for s in data["sessions"])
    signup = r["event_signup"]
    return Prompt(r["kind"], r["session"], r["sent_at"], action, choices, as_uuid(signup) if signup else None)


def choices_json(action: str, sessions: Sequence[uuid.UUID]) -> str:
    return json.dumps({"action": action, "sessions": [str(s) for s in sessions]})


@dataclass(frozen=True, slots=True)
class ReplySession:
    id: uuid.UUID
    state: str
    version: int
    starts_at: datetime
    ends_at: datetime
    feedback: int | None
    modality: str
    help_point_name: str


_COLUMNS = (
    HelpSession.id,
    HelpSession.state,
    HelpSession.version,
    HelpSession.starts_at,
    HelpSession.ends_at,
    HelpSession.feedback,
    HelpSession.modality,
    HelpSession.help_point.name.as_alias("help_point_name"),
)


def _row(r: dict[str, Any]) -> ReplySession:
    return ReplySession(
        r["id"],
        r["state"],
        r["version"],
        r["starts_at"],
        r["ends_at"],
        r["feedback"],
        r["modality"],
        r["help_point_name"] or "",
    )


async def resident_session(resident_id: uuid.UUID, session_id: uuid.UUID) -> ReplySession | None:
    rows = await HelpSession.select(*_COLUMNS).where(
        (HelpSession.id == session_id) & (HelpSession.resident == resident_id)
    )
    return _row(rows[0]) if rows else None


async def resident_sessions(resident_id: uuid.UUID, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, ReplySession]:
    if not ids:
        return {}
    rows = await HelpSession.select(*_COLUMNS).where(
        HelpSession.id.is_in(list(ids)) & (HelpSession.resident == resident_id)
    )
    return {r["id"]: _row(r) for r in rows}


async def next_session(resident_id: uuid.UUID, since: datetime) -> ReplySession | None:
    """The resident's first session still on that ends after `since` (the voice menu's "your next time")."""
    rows = (
        await HelpSession.select(*_COLUMNS)
        .where(
            (HelpSession.resident == resident_id)
            & HelpSession.state.is_in(["scheduled", "checked_in"])
            & (HelpSession.ends_at > since)
        )
        .order_by(HelpSession.starts_at)
        .limit(1)
    )
    return _row(rows[0]) if rows else None


async def upcoming_sessions(resident_id: uuid.UUID, since: datetime, *, limit: int) -> list[ReplySession]:
    """The resident's sessions still on that have not started by `since`, soonest first."""
    rows = (
        await HelpSession.select(*_COLUMNS)
        .where(
            (HelpSession.resident == resident_id) & (HelpSession.state == "scheduled") & (HelpSession.starts_at > since)
        )
        .order_by(HelpSession.starts_at)
        .limit(limit)
    )
    return [_row(r) for r in rows]


async def confirm(session_id: uuid.UUID, now: datetime) -> None:
    await HelpSession.update({HelpSession.confirmed_at: now}).where(HelpSession.id == session_id)


async def rate(session_id: uuid.UUID, rating: int) -> bool:
    """The first rating counts."""
    rows = (
        await HelpSession.update({HelpSession.feedback: rating})
        .where((HelpSession.id == session_id) & HelpSession.feedback.is_null())
        .returning(HelpSession.id)
    )
    return bool(rows)


async def set_opt_out(person_id: uuid.UUID, opted_out: bool) -> None:
    await Person.update({Person.sms_opt_out: opted_out}).where(Person.id == person_id)


async def acted_on_since(person_id: uuid.UUID, since: datetime) -> uuid.UUID | None:
    """The session the person's latest text since `since` confirmed or cancelled (or tried to), if any."""
    rows = (
        await InboundMessage.select(InboundMessage.session)
        .where(
            (InboundMessage.person == person_id)
            & (InboundMessage.received_at >= since)
            & InboundMessage.action.is_in(["confirm", "cancel"])
            & InboundMessage.session.is_not_null()
        )
        .order_by(InboundMessage.received_at, ascending=False)
        .limit(1)
    )
    return rows[0]["session"] if rows else None


async def confirmed(session_id: uuid.UUID) -> bool:
    rows = await HelpSession.select(HelpSession.confirmed_at).where(HelpSession.id == session_id)
    return bool(rows and rows[0]["confirmed_at"] is not None)


async def replies_since(phone: str, since: datetime) -> int:
    return int(
        await Notification.count().where(
            (Notification.phone == phone)
            & Notification.kind.is_in(["reply", "which_session"])
            & (Notification.created_at >= since)
        )
    )


async def insert_inbound(
    *,
    provider_id: str | None,
    phone: str,
    person_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
    body: str,
    action: str,
    state: str,
    now: datetime,
    suggested_topic: str = "",
) -> uuid.UUID:
    row_id = uuid.uuid4()
    await InboundMessage.insert(
        InboundMessage(
            id=row_id,
            provider_id=provider_id,
            phone=phone,
            person=person_id,
            session=session_id,
            body=body,
            action=action,
            state=state,
            received_at=now,
            handled_at=now if state == "handled" else None,
            suggested_topic=suggested_topic,
        )
    )
    return row_id


_INBOX_COLUMNS = (
    InboundMessage.id,
    InboundMessage.phone,
    InboundMessage.person,
    InboundMessage.person.first_name.as_alias("first_name"),
    InboundMessage.body,
    InboundMessage.received_at,
    InboundMessage.session,
    InboundMessage.session.starts_at.as_alias("session_starts_at"),
    InboundMessage.session.state.as_alias("session_state"),
    InboundMessage.state,
    InboundMessage.outcome,
    InboundMessage.suggested_topic,
)


def _scoped(query: Any, within: Collection[uuid.UUID] | None) -> Any:
    """A partner coordinator sees replies about sessions at their help points or with their volunteers; replies
    that are about no session (or from unknown numbers) are the network coordinator's."""
    if within is None:
        return query
    return query.where(InboundMessage.session.is_in(scope.sessions_of(within)))


def _item(r: dict[str, Any]) -> InboxItem:
    return InboxItem(
        id=r["id"],
        phone=r["phone"],
        person_id=r["person"],
        first_name=r["first_name"] or "",
        body=r["body"],
        received_at=r["received_at"],
        session_id=r["session"],
        session_starts_at=r["session_starts_at"],
        session_state=r["session_state"],
        state=r["state"],
        outcome=r["outcome"],
        suggested_topic=r["suggested_topic"],
    )


async def inbox(page: PageRequest, *, within: Collection[uuid.UUID] | None, state: str = "open") -> Page[InboxItem]:
    """A page of the inbox: open messages oldest first, handled ones newest first."""
    query = _scoped(InboundMessage.select(*_INBOX_COLUMNS).where(InboundMessage.state == state), within)
    key = (InboundMessage.received_at, InboundMessage.id)
    found = await fetch_page(query, page, *key, ascending=state == "open")
    return found.map(_item)


async def inbox_item(item_id: uuid.UUID, within: Collection[uuid.UUID] | None) -> InboxItem | None:
    rows = await _scoped(InboundMessage.select(*_INBOX_COLUMNS).where(InboundMessage.id == item_id), within)
    return _item(rows[0]) if rows else None


async def handle(item_id: uuid.UUID, *, by: uuid.UUID, outcome: str, now: datetime) -> bool:
    rows = (
        await InboundMessage.update(
            {
                InboundMessage.state: "handled",
                InboundMessage.outcome: outcome,
                InboundMessage.handled_at: now,
                InboundMessage.handled_by: by,
            }
        )
        .where((InboundMessage.id == item_id) & (InboundMessage.state == "open"))
        .returning(InboundMessage.id)
    )
    return bool(rows)
