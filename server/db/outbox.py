"""The notification outbox: writing planned messages, cancelling them, claiming due rows with a lease,
recording what happened, what the dispatcher re-checks just before sending, and the ledgers coordinators read.
Delivery reports from the provider are applied in `delivery_reports`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.codec import as_uuid
from server.db.engine import AnyEngine, is_sqlite, write_transaction
from server.db.tables import HelpSession, Notification, Offer, Person

IN_PLAY = ("scheduled", "sending")
FINAL = ("delivered", "failed", "cancelled", "expired")


@dataclass(frozen=True, slots=True)
class Draft:
    """A message to put in the outbox."""

    key: str
    kind: str
    channel: str
    body: str
    due_at: datetime
    not_after: datetime | None
    person_id: uuid.UUID | None
    phone: str = ""
    language: str = "fi"
    session_id: uuid.UUID | None = None
    session_version: int | None = None
    offer_id: uuid.UUID | None = None
    anytime: bool = False  # may go out in quiet hours
    sms_body: str = ""  # a push's SMS wording, for when no subscription takes it
    choices: str = ""  # a "which time?" question's choices (JSON)
    signup_id: uuid.UUID | None = None  # the group session sign-up it is about


@dataclass(frozen=True, slots=True)
class Claimed:
    id: uuid.UUID
    key: str
    kind: str
    channel: str
    person_id: uuid.UUID | None
    phone: str
    language: str
    body: str
    due_at: datetime
    not_after: datetime | None
    session_id: uuid.UUID | None
    session_version: int | None
    offer_id: uuid.UUID | None
    attempts: int
    anytime: bool = False
    sms_body: str = ""
    in_doubt: bool = False
    claimed_at: datetime | None = None
    signup_id: uuid.UUID | None = None  # a group session sign-up it is about


_INSERT_COLUMNS = (
    "id, key, kind, channel, person, phone, session, session_version, offer, language, body, due_at, not_after, "
    "next_attempt_at, state, attempts, claimed_by, provider_status, last_error, created_at, updated_at, anytime, "
    "sms_body, in_doubt, choices, event_signup"
)
_INSERT_ROW = "(" + ", ".join("{}" for _ in _INSERT_COLUMNS.split(", ")) + ")"
_INSERT_CHUNK = 400  # rows per statement: 26 values each, well under SQLite's limit on bound values


async def insert(drafts: list[Draft], now: datetime) -> int:
    """Add messages; one whose key is already there (the same change planned twice) is left alone.

    One INSERT written out here rather than built by the query builder from a table object per row: every
    booking plans about six messages, and building them took a tenth of a booking's CPU time."""
    added = 0
    for start in range(0, len(drafts), _INSERT_CHUNK):
        chunk = drafts[start : start + _INSERT_CHUNK]
        values: list[object] = []
        for d in chunk:
            values += [
                uuid.uuid4(),
                d.key,
                d.kind,
                d.channel,
                d.person_id,
                d.phone,
                d.session_id,
                d.session_version,
                d.offer_id,
                d.language,
                d.body,
                d.due_at,
                d.not_after,
                d.due_at,
                "scheduled",
                0,
                "",
                "",
                "",
                now,
                now,
                d.anytime,
                d.sms_body,
                False,
                d.choices,
                d.signup_id,
            ]
        sql = (
            f"INSERT INTO notification ({_INSERT_COLUMNS}) VALUES {', '.join(_INSERT_ROW for _ in chunk)} "  # noqa: S608 - our own columns; values are bound parameters
            "ON CONFLICT (key) DO NOTHING RETURNING id"
        )
        added += len(await Notification.raw(sql, *values))
    return added


async def record_sent_now(draft: Draft, *, now: datetime, lease_until: datetime, worker: str) -> uuid.UUID:
    """A message the request sends itself while the person waits (a sign-in code): written as already claimed,
    so the dispatcher leaves it alone unless the process dies before recording how it went."""
    row_id = uuid.uuid4()
    await Notification.insert(
        Notification(
            id=row_id,
            key=draft.key,
            kind=draft.kind,
            channel=draft.channel,
            person=draft.person_id,
            phone=draft.phone,
            language=draft.language,
            body=draft.body,
            due_at=draft.due_at,
            not_after=draft.not_after,
            next_attempt_at=lease_until,
            state="sending",
            attempts=1,
            claimed_by=worker,
            created_at=now,
            updated_at=now,
        )
    )
    return row_id


async def cancel_pending(
    *,
    now: datetime,
    reason: str,
    session_id: uuid.UUID | None = None,
    offer_ids: list[uuid.UUID] | None = None,
    key_prefixes: list[str] | None = None,
    signup_ids: list[uuid.UUID] | None = None,
) -> int:
    """Cancel what has not been picked up yet. A row being sent at this moment is left to the dispatcher, which
    re-checks the session just before sending."""
    query = Notification.update(
        {Notification.state: "cancelled", Notification.last_error: reason, Notification.updated_at: now}
    ).where(Notification.state == "scheduled")
    if session_id is not None:
        query = query.where(Notification.session == session_id)
    elif offer_ids:
        query = query.where(Notification.offer.is_in(offer_ids))
    elif signup_ids:
        query = query.where(Notification.event_signup.is_in(signup_ids))
    elif key_prefixes:
        # The keys' own prefixes (made of ids and words, never % or _), so LIKE needs no escaping.
        assert not any("%" in p or "_" in p for p in key_prefixes)
        matches = [Notification.key.like(prefix + "%") for prefix in key_prefixes]
        either: Any = matches[0]
        for more in matches[1:]:
            either = either | more
        query = query.where(either)
    else:
        return 0
    return len(await query.returning(Notification.id))


async def bring_sms_forward(*, offer_id: uuid.UUID, now: datetime) -> bool:
    """An offer's SMS that waits for its time (the escalation ten minutes on) goes now instead, so a volunteer whose
    push could not be delivered gets one SMS for the offer, not two. True when the offer has an SMS already (now
    brought forward, being sent, or sent)."""
    await Notification.update({Notification.next_attempt_at: now, Notification.updated_at: now}).where(
        (Notification.offer == offer_id) & (Notification.channel == "sms") & (Notification.state == "scheduled")
    )
    return bool(
        await Notification.count().where(
            (Notification.offer == offer_id) & (Notification.channel == "sms") & (Notification.state != "cancelled")
        )
    )


async def provider_ids_taken(provider_ids: list[str], *, but: uuid.UUID) -> set[str]:
    """Which of these provider ids other rows already hold."""
    if not provider_ids:
        return set()
    rows = await Notification.select(Notification.provider_id).where(
        Notification.provider_id.is_in(provider_ids) & (Notification.id != but)
    )
    return {r["provider_id"] for r in rows}


# A row still `sending` when claimed is one whose worker died mid-send: in doubt until Twilio is asked.
_CLAIM_POSTGRES = (
    "UPDATE notification n SET state = 'sending', claimed_by = {}, next_attempt_at = {}, "
    "attempts = n.attempts + 1, updated_at = {}, in_doubt = (n.in_doubt OR n.state = 'sending') "
    "FROM (SELECT id FROM notification WHERE state IN ('scheduled', 'sending') AND next_attempt_at <= {} "
    "ORDER BY next_attempt_at LIMIT {} FOR UPDATE SKIP LOCKED) due WHERE n.id = due.id RETURNING n.id"
)


_CLAIM_SQLITE = (
    "UPDATE notification SET state = 'sending', claimed_by = {}, next_attempt_at = {}, "
    "attempts = attempts + 1, updated_at = {}, in_doubt = (in_doubt OR state = 'sending') "
    "WHERE id IN (SELECT id FROM notification WHERE state IN ('scheduled', 'sending') AND next_attempt_at <= {} "
    "ORDER BY next_attempt_at LIMIT {}) RETURNING id"
)


async def claim(engine: AnyEngine, *, worker: str, now: datetime, lease_until: datetime, limit: int) -> list[Claimed]:
    """Take up to `limit` due rows for `worker` until `lease_until`: scheduled rows whose time has come and rows
    whose previous claim ran out (a worker that died). PostgreSQL skips rows another worker is claiming (FOR
    UPDATE SKIP LOCKED); SQLite's single writer (BEGIN IMMEDIATE) makes the conditional update atomic.
    When nothing is due this is one query on the partial index `notification_due`."""
    sql = _CLAIM_SQLITE if is_sqlite(engine) else _CLAIM_POSTGRES
    async with write_transaction(engine):
        ids = [r["id"] for r in await Notification.raw(sql, worker, lease_until, now, now, limit)]
    if not ids:
        return []
    rows = await Notification.select().where(Notification.id.is_in([as_uuid(i) for i in ids]))
    return [
        Claimed(
            id=r["id"],
            key=r["key"],
            kind=r["kind"],
            channel=r["channel"],
            person_id=r["person"],
            phone=r["phone"],
            language=r["language"],
            body=r["body"],
            due_at=r["due_at"],
            not_after=r["not_after"],
            session_id=r["session"],
            session_version=r["session_version"],
            offer_id=r["offer"],
            attempts=r["attempts"],
            anytime=bool(r["anytime"]),
            sms_body=r["sms_body"],
            in_doubt=bool(r["in_doubt"]),
            claimed_at=r["updated_at"],
            signup_id=as_uuid(r["event_signup"]) if r["event_signup"] else None,
        )
        for r in rows
    ]


async def finish(row_id: uuid.UUID, *, worker: str, now: datetime, **changes: Any) -> bool:
    """Record the outcome of a claimed row, only while the claim is still ours (a lease that ran out may have
    been taken over by another worker, whose word then counts)."""
    values: dict[Any, Any] = {getattr(Notification, name): value for name, value in changes.items()}
    values[Notification.updated_at] = now
    rows = (
        await Notification.update(values)
        .where((Notification.id == row_id) & (Notification.state == "sending") & (Notification.claimed_by == worker))
        .returning(Notification.id)
    )
    return bool(rows)


@dataclass(frozen=True, slots=True)
class SessionCheck:
    state: str
    version: int
    starts_at: datetime
    volunteer_id: uuid.UUID | None


async def sessions_now(ids: set[uuid.UUID]) -> dict[uuid.UUID, SessionCheck]:
    if not ids:
        return {}
    rows = await HelpSession.select(
        HelpSession.id, HelpSession.state, HelpSession.version, HelpSession.starts_at, HelpSession.volunteer
    ).where(HelpSession.id.is_in(list(ids)))
    return {r["id"]: SessionCheck(r["state"], r["version"], r["starts_at"], r["volunteer"]) for r in rows}


async def offer_states(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await Offer.select(Offer.id, Offer.state).where(Offer.id.is_in(list(ids)))
    return {r["id"]: r["state"] for r in rows}


@dataclass(frozen=True, slots=True)
class Recipient:
    phone: str
    opted_out: bool
    active: bool


async def recipients(ids: set[uuid.UUID]) -> dict[uuid.UUID, Recipient]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.phone, Person.sms_opt_out, Person.active).where(
        Person.id.is_in(list(ids))
    )
    return {r["id"]: Recipient(r["phone"], bool(r["sms_opt_out"]), bool(r["active"])) for r in rows}


LEDGER_COLUMNS = (
    Notification.id,
    Notification.kind,
    Notification.channel,
    Notification.person,
    Notification.phone,
    Notification.language,
    Notification.body,
    Notification.due_at,
    Notification.not_after,
    Notification.state,
    Notification.attempts,
    Notification.provider_status,
    Notification.last_error,
    Notification.created_at,
    Notification.sent_at,
    Notification.updated_at,
    Notification.session,
)


async def ledger(session_id: uuid.UUID) -> list[dict[str, Any]]:
    return list(
        await Notification.select(*LEDGER_COLUMNS)
        .where(Notification.session == session_id)
        .order_by(Notification.due_at)
        .order_by(Notification.created_at)
    )


async def failed_since(since: datetime) -> list[dict[str, Any]]:
    """Session messages that failed (or came back undelivered) since `since`."""
    return list(
        await Notification.select(*LEDGER_COLUMNS)
        .where(
            (Notification.state == "failed") & (Notification.updated_at >= since) & Notification.session.is_not_null()
        )
        .order_by(Notification.updated_at, ascending=False)
    )


async def ever_sent_to(person_id: uuid.UUID | None, phone: str) -> bool:
    """Whether any SMS or call was ever written for this person or number (the first one names the privacy
    notice)."""
    if person_id is None:
        rows = await Notification.raw(_EVER_SENT_TO_NUMBER, phone)
    else:
        rows = await Notification.raw(_EVER_SENT_TO, phone, person_id)
    return bool(rows[0]["sent"])


# Asked for every message planned (is this the first, which names the privacy notice?): written out, and EXISTS,
# which stops at the first row.
_EVER_SENT_TO = (
    "SELECT EXISTS (SELECT 1 FROM notification WHERE (phone = {} OR person = {}) AND channel IN ('sms', 'voice')) "
    "AS sent"
)
_EVER_SENT_TO_NUMBER = (
    "SELECT EXISTS (SELECT 1 FROM notification WHERE phone = {} AND channel IN ('sms', 'voice')) AS sent"
)
