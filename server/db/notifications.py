"""Queries for the notification outbox: writing planned messages, cancelling them, claiming due rows with a
lease, recording what happened, and the ledgers coordinators read."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.engine import AnyEngine, is_sqlite, write_transaction
from server.db.tables import (
    HelpSession,
    MessageTemplate,
    Notification,
    Offer,
    Person,
    ProviderReport,
    PushSubscription,
)

IN_PLAY = ("scheduled", "sending")
FINAL = ("delivered", "failed", "cancelled", "expired")

# Twilio's message statuses in the order they happen; a callback never moves a row backwards.
PROVIDER_ORDER = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "undelivered": 4,
    "failed": 4,
    "canceled": 4,
    "read": 5,
}


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


async def insert(drafts: list[Draft], now: datetime) -> int:
    """Add messages; one whose key is already there (the same change planned twice) is left alone."""
    if not drafts:
        return 0
    rows = [
        Notification(
            id=uuid.uuid4(),
            key=d.key,
            kind=d.kind,
            channel=d.channel,
            person=d.person_id,
            phone=d.phone,
            session=d.session_id,
            session_version=d.session_version,
            offer=d.offer_id,
            language=d.language,
            body=d.body,
            due_at=d.due_at,
            not_after=d.not_after,
            next_attempt_at=d.due_at,
            state="scheduled",
            created_at=now,
            updated_at=now,
            anytime=d.anytime,
            sms_body=d.sms_body,
            choices=d.choices,
        )
        for d in drafts
    ]
    done = (
        await Notification.insert(*rows)
        .on_conflict(target=Notification.key, action="DO NOTHING")
        .returning(Notification.id)
    )
    return len(done)


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
    *, now: datetime, reason: str, session_id: uuid.UUID | None = None, offer_ids: list[uuid.UUID] | None = None
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
    else:
        return 0
    return len(await query.returning(Notification.id))


async def bring_sms_forward(*, offer_id: uuid.UUID, now: datetime) -> int:
    """An offer's SMS that waits for its time (the escalation ten minutes on) goes now instead: a volunteer whose
    push could not be delivered gets one SMS for the offer, not two."""
    rows = (
        await Notification.update({Notification.next_attempt_at: now, Notification.updated_at: now})
        .where((Notification.offer == offer_id) & (Notification.channel == "sms") & (Notification.state == "scheduled"))
        .returning(Notification.id)
    )
    return len(rows)


async def provider_ids_taken(provider_ids: list[str], *, but: uuid.UUID) -> set[str]:
    """Which of these provider ids other rows already hold."""
    if not provider_ids:
        return set()
    rows = await Notification.select(Notification.provider_id).where(
        Notification.provider_id.is_in(provider_ids) & (Notification.id != but)
    )
    return {r["provider_id"] for r in rows}


@dataclass(frozen=True, slots=True)
class EarlyReport:
    status: str
    error_code: str


async def keep_early_report(provider_id: str, status: str, error_code: str, now: datetime) -> None:
    """A delivery report for a sid no row holds yet; a later report for the same sid replaces it only if it is
    further along."""
    rank = PROVIDER_ORDER.get(status, -1)
    rows = await ProviderReport.select(ProviderReport.status).where(ProviderReport.provider_id == provider_id)
    if rows and PROVIDER_ORDER.get(rows[0]["status"], -1) >= rank:
        return
    if rows:
        await ProviderReport.update(
            {ProviderReport.status: status, ProviderReport.error_code: error_code, ProviderReport.received_at: now}
        ).where(ProviderReport.provider_id == provider_id)
        return
    await ProviderReport.insert(
        ProviderReport(
            id=uuid.uuid4(), provider_id=provider_id, status=status, error_code=error_code[:16], received_at=now
        )
    ).on_conflict(target=ProviderReport.provider_id, action="DO NOTHING")


async def take_early_report(provider_id: str) -> EarlyReport | None:
    rows = (
        await ProviderReport.delete()
        .where(ProviderReport.provider_id == provider_id)
        .returning(ProviderReport.status, ProviderReport.error_code)
    )
    return EarlyReport(rows[0]["status"], rows[0]["error_code"]) if rows else None


async def holds_provider_id(provider_id: str) -> bool:
    return bool(await Notification.count().where(Notification.provider_id == provider_id))


async def purge_early_reports(before: datetime) -> int:
    """Reports for sids never recorded (a message we did not send, or one whose row was removed)."""
    rows = await ProviderReport.delete().where(ProviderReport.received_at < before).returning(ProviderReport.id)
    return len(rows)


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
    rows = await Notification.select().where(Notification.id.is_in([_uuid(i) for i in ids]))
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


@dataclass(frozen=True, slots=True)
class Subscription:
    id: uuid.UUID
    person_id: uuid.UUID
    endpoint: str
    p256dh: str
    auth: str


async def subscriptions_of(person_ids: set[uuid.UUID]) -> dict[uuid.UUID, list[Subscription]]:
    found: dict[uuid.UUID, list[Subscription]] = {}
    if not person_ids:
        return found
    for r in await PushSubscription.select().where(PushSubscription.person.is_in(list(person_ids))):
        found.setdefault(r["person"], []).append(
            Subscription(r["id"], r["person"], r["endpoint"], r["p256dh"], r["auth"])
        )
    return found


async def save_subscription(*, person_id: uuid.UUID, endpoint: str, p256dh: str, auth: str, now: datetime) -> None:
    """One row per endpoint: a browser that subscribes again (new keys, or another person on a shared device)
    replaces what was there."""
    await PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
    await PushSubscription.insert(
        PushSubscription(id=uuid.uuid4(), person=person_id, endpoint=endpoint, p256dh=p256dh, auth=auth, created_at=now)
    )


async def delete_subscription(*, endpoint: str, person_id: uuid.UUID | None = None) -> int:
    query = PushSubscription.delete().where(PushSubscription.endpoint == endpoint)
    if person_id is not None:
        query = query.where(PushSubscription.person == person_id)
    return len(await query.returning(PushSubscription.id))


async def subscription_count(person_id: uuid.UUID) -> int:
    return int(await PushSubscription.count().where(PushSubscription.person == person_id))


async def push_worked(subscription_id: uuid.UUID, now: datetime) -> None:
    await PushSubscription.update({PushSubscription.last_success_at: now}).where(PushSubscription.id == subscription_id)


@dataclass(frozen=True, slots=True)
class Reported:
    key: str
    kind: str
    state: str
    person_id: uuid.UUID | None
    session_id: uuid.UUID | None
    session_version: int | None


async def apply_status(provider_id: str, status: str, error_code: str, now: datetime) -> Reported | None:
    """A delivery report from Twilio. Applied only if it is newer than what the row knows (reports arrive out of
    order and more than once); a final report is never replaced by an earlier one. Returns the row as changed,
    or None when the report changed nothing."""
    rank = PROVIDER_ORDER.get(status)
    if rank is None:
        return None
    rows = await Notification.select(
        Notification.id,
        Notification.key,
        Notification.kind,
        Notification.provider_status,
        Notification.state,
        Notification.person,
        Notification.session,
        Notification.session_version,
    ).where(Notification.provider_id == provider_id)
    if not rows:
        return None
    row = rows[0]
    if PROVIDER_ORDER.get(row["provider_status"], -1) >= rank:
        return None
    changes: dict[Any, Any] = {Notification.provider_status: status, Notification.updated_at: now}
    state = row["state"]
    if status == "delivered":
        state = "delivered"
    elif status in ("undelivered", "failed"):
        state = "failed"
        changes[Notification.last_error] = f"{status} ({error_code})" if error_code else status
    changes[Notification.state] = state
    updated = (
        await Notification.update(changes)
        .where((Notification.id == row["id"]) & (Notification.provider_status == row["provider_status"]))
        .returning(Notification.id)
    )
    if not updated:
        return None
    return Reported(row["key"], row["kind"], state, row["person"], row["session"], row["session_version"])


async def apply_call_status(provider_id: str, status: str, now: datetime) -> bool:
    """The end of a reminder call: answered (`completed`) counts as delivered; busy, no-answer, failed or
    canceled as failed. The first final word stays."""
    state = "delivered" if status == "completed" else "failed"
    changes: dict[Any, Any] = {
        Notification.state: state,
        Notification.provider_status: status[:16],
        Notification.updated_at: now,
    }
    if state == "failed":
        changes[Notification.last_error] = f"call {status.replace('-', ' ')}"
    rows = (
        await Notification.update(changes)
        .where(
            (Notification.provider_id == provider_id)
            & (Notification.channel == "voice")
            & Notification.state.is_in(["sending", "sent"])
        )
        .returning(Notification.id)
    )
    return bool(rows)


async def by_provider_id(provider_id: str) -> dict[str, Any] | None:
    rows = await Notification.select(
        Notification.id, Notification.kind, Notification.person, Notification.session, Notification.session_version
    ).where(Notification.provider_id == provider_id)
    return rows[0] if rows else None


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


async def templates() -> dict[tuple[str, str], tuple[str, bool]]:
    """The coordinators' own wordings: (name, language) → (text, link_free)."""
    return {
        (r["kind"], r["language"]): (r["body"], bool(r["link_free"]))
        for r in await MessageTemplate.select(
            MessageTemplate.kind, MessageTemplate.language, MessageTemplate.body, MessageTemplate.link_free
        )
    }


async def save_template(
    *, name: str, language: str, body: str, link_free: bool, now: datetime, by: uuid.UUID | None
) -> None:
    await MessageTemplate.delete().where((MessageTemplate.kind == name) & (MessageTemplate.language == language))
    await MessageTemplate.insert(
        MessageTemplate(
            id=uuid.uuid4(), kind=name, language=language, body=body, link_free=link_free, updated_at=now, updated_by=by
        )
    )


async def reset_template(*, name: str, language: str) -> None:
    await MessageTemplate.delete().where((MessageTemplate.kind == name) & (MessageTemplate.language == language))


async def purge_bodies(before: datetime, now: datetime) -> int:
    """Message texts are personal data: blank them once the retention period is over (the row stays as a record
    that something was sent)."""
    rows = (
        await Notification.update({Notification.body: "", Notification.phone: "", Notification.updated_at: now})
        .where(
            (Notification.created_at < before) & (Notification.body != "") & Notification.state.is_in([*FINAL, "sent"])
        )
        .returning(Notification.id)
    )
    return len(rows)


def _uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


@dataclass(frozen=True, slots=True)
class PersonInfo:
    id: uuid.UUID
    first_name: str
    phone: str
    language: str
    code_word: str


@dataclass(frozen=True, slots=True)
class SessionContext:
    """What the messages about one session say: when, where, who."""

    id: uuid.UUID
    version: int
    state: str
    starts_at: datetime
    modality: str
    resident: PersonInfo
    volunteer: PersonInfo | None
    help_point_name: str
    help_point_address: str
    help_point_municipality: str
    topic_names: dict[str, str]


async def people(ids: set[uuid.UUID]) -> dict[uuid.UUID, PersonInfo]:
    if not ids:
        return {}
    rows = await Person.select(Person.id, Person.first_name, Person.phone, Person.language, Person.code_word).where(
        Person.id.is_in(list(ids))
    )
    return {r["id"]: PersonInfo(r["id"], r["first_name"], r["phone"], r["language"], r["code_word"]) for r in rows}


async def session_context(session_id: uuid.UUID) -> SessionContext | None:
    rows = await HelpSession.select(
        HelpSession.id,
        HelpSession.version,
        HelpSession.state,
        HelpSession.starts_at,
        HelpSession.modality,
        HelpSession.resident,
        HelpSession.volunteer,
        HelpSession.help_point.name.as_alias("hp_name"),
        HelpSession.help_point.street_address.as_alias("hp_address"),
        HelpSession.help_point.municipality.as_alias("hp_municipality"),
        HelpSession.request._.topic._.names.as_alias("topic_names"),
    ).where(HelpSession.id == session_id)
    if not rows:
        return None
    r = rows[0]
    found = await people({r["resident"]} | ({r["volunteer"]} if r["volunteer"] else set()))
    return SessionContext(
        id=r["id"],
        version=r["version"],
        state=r["state"],
        starts_at=r["starts_at"],
        modality=r["modality"],
        resident=found[r["resident"]],
        volunteer=found.get(r["volunteer"]) if r["volunteer"] else None,
        help_point_name=r["hp_name"] or "",
        help_point_address=r["hp_address"] or "",
        help_point_municipality=r["hp_municipality"] or "",
        topic_names=_names(r["topic_names"]),
    )


def _names(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        import json

        value = json.loads(value) if value else {}
    return {str(k): str(v) for k, v in (value or {}).items()}


@dataclass(frozen=True, slots=True)
class RequestContext:
    id: uuid.UUID
    modality: str
    help_point_name: str
    help_point_address: str
    help_point_municipality: str
    topic_names: dict[str, str]


async def request_context(request_id: uuid.UUID) -> RequestContext | None:
    from server.db.tables import HelpRequest

    rows = await HelpRequest.select(
        HelpRequest.id,
        HelpRequest.modality,
        HelpRequest.help_point.name.as_alias("hp_name"),
        HelpRequest.help_point.street_address.as_alias("hp_address"),
        HelpRequest.help_point.municipality.as_alias("hp_municipality"),
        HelpRequest.topic._.names.as_alias("topic_names"),
    ).where(HelpRequest.id == request_id)
    if not rows:
        return None
    r = rows[0]
    return RequestContext(
        id=r["id"],
        modality=r["modality"],
        help_point_name=r["hp_name"] or "",
        help_point_address=r["hp_address"] or "",
        help_point_municipality=r["hp_municipality"] or "",
        topic_names=_names(r["topic_names"]),
    )


async def session_people(
    session_id: uuid.UUID, within: Collection[uuid.UUID] | None
) -> tuple[uuid.UUID, uuid.UUID | None] | None:
    """(resident, volunteer) of a session the caller oversees: any for the network coordinator (`within` None),
    else one at their organisations' help points or with one of their volunteers."""
    from server.db import scope

    query = HelpSession.select(HelpSession.resident, HelpSession.volunteer).where(HelpSession.id == session_id)
    if within is not None:
        query = query.where(scope.session_in(within))
    rows = await query
    return (rows[0]["resident"], rows[0]["volunteer"]) if rows else None


async def keep_newest_subscriptions(person_id: uuid.UUID, keep: int) -> None:
    rows = (
        await PushSubscription.select(PushSubscription.id)
        .where(PushSubscription.person == person_id)
        .order_by(PushSubscription.created_at, ascending=False)
    )
    old = [r["id"] for r in rows[keep:]]
    if old:
        await PushSubscription.delete().where(PushSubscription.id.is_in(old))


async def message_settings(person_id: uuid.UUID) -> tuple[str, bool]:
    rows = await Person.select(Person.code_word, Person.sms_opt_out).where(Person.id == person_id)
    return (rows[0]["code_word"], not rows[0]["sms_opt_out"]) if rows else ("", True)


async def update_message_settings(person_id: uuid.UUID, *, code_word: str | None, sms: bool | None) -> None:
    changes: dict[Any, Any] = {}
    if code_word is not None:
        changes[Person.code_word] = code_word
    if sms is not None:
        changes[Person.sms_opt_out] = not sms
    if changes:
        await Person.update(changes).where(Person.id == person_id)
