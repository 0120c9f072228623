"""Retention: what has outlived its period (README "Personal data"), and the record of each run.

Each finder returns at most `limit` ids, oldest first, so one run is bounded; the next day's run takes the rest.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from server.db.codec import as_dict, as_uuid
from server.db.engine import is_unique_violation
from server.db.tables import (
    DevSmsMessage,
    HelpRequest,
    HelpSession,
    InboundMessage,
    Membership,
    Notification,
    Person,
    RetentionRun,
    TextConversation,
    VoiceCall,
)

FINISHED_SESSION = ["done", "no_show", "cancelled"]
FINISHED_REQUEST = ["closed", "cancelled", "matched"]
BATCH = 500


async def _latest(table: Any, column: Any, where: Any) -> datetime | None:
    rows = await table.select(column).where(where).order_by(column, ascending=False).limit(1)
    return rows[0][column._meta.name] if rows else None


async def _active_since(person_id: uuid.UUID, phone: str, cutoff: datetime) -> bool:
    """Any request, session, call or text of the person on or after `cutoff` (sign-ins are on the person)."""
    checks = (
        (HelpRequest, HelpRequest.created_at, HelpRequest.resident == person_id),
        (HelpSession, HelpSession.ends_at, HelpSession.resident == person_id),
        (VoiceCall, VoiceCall.created_at, (VoiceCall.person == person_id) | (VoiceCall.phone == phone)),
        (
            InboundMessage,
            InboundMessage.received_at,
            (InboundMessage.person == person_id) | (InboundMessage.phone == phone),
        ),
    )
    for table, column, where in checks:
        latest = await _latest(table, column, where)
        if latest is not None and latest >= cutoff:
            return True
    return False


async def inactive_residents(cutoff: datetime, now: datetime, limit: int = BATCH) -> list[uuid.UUID]:
    """Residents (and nobody with a staff or volunteer role still held) with no activity since `cutoff` and
    nothing upcoming."""
    candidates = (
        await Person.select(Person.id, Person.phone)
        .where(
            Person.erased_at.is_null()
            & (Person.created_at < cutoff)
            & (Person.signed_in_at.is_null() | (Person.signed_in_at < cutoff))
        )
        .order_by(Person.created_at)
        .limit(limit * 4)
    )
    if not candidates:
        return []
    ids = [as_uuid(c["id"]) for c in candidates]
    staff = {
        as_uuid(r["person"])
        for r in await Membership.select(Membership.person).where(
            Membership.person.is_in(ids) & (Membership.role != "resident") & (Membership.active == True)  # noqa: E712
        )
    }
    found: list[uuid.UUID] = []
    for c in candidates:
        person_id = as_uuid(c["id"])
        if person_id in staff or await _active_since(person_id, c["phone"], cutoff):
            continue
        if await _upcoming(person_id, now):
            continue
        found.append(person_id)
        if len(found) >= limit:
            break
    return found


async def _upcoming(person_id: uuid.UUID, now: datetime) -> bool:
    live = await HelpSession.count().where(
        (HelpSession.resident == person_id)
        & HelpSession.state.is_in(["scheduled", "checked_in"])
        & (HelpSession.ends_at > now)
    )
    waiting = await HelpRequest.count().where(
        (HelpRequest.resident == person_id) & HelpRequest.state.is_in(["open", "offering", "routed"])
    )
    return bool(live or waiting)


async def former_staff(cutoff: datetime, limit: int = BATCH) -> list[uuid.UUID]:
    """People deactivated (every role ended) before `cutoff`, not yet erased."""
    rows = (
        await Person.select(Person.id)
        .where(
            Person.erased_at.is_null()
            & (Person.active == False)  # noqa: E712
            & Person.deactivated_at.is_not_null()
            & (Person.deactivated_at < cutoff)
        )
        .order_by(Person.deactivated_at)
        .limit(limit)
    )
    return [as_uuid(r["id"]) for r in rows]


async def blank_old_notes(cutoff: datetime) -> int:
    """Notes of sessions that ended before `cutoff`."""
    rows = (
        await HelpSession.update({HelpSession.note: ""})
        .where(HelpSession.state.is_in(FINISHED_SESSION) & (HelpSession.ends_at < cutoff) & (HelpSession.note != ""))
        .returning(HelpSession.id)
    )
    return len(rows)


async def blank_old_addresses(cutoff: datetime, limit: int = BATCH) -> int:
    """Home-visit addresses of requests that are over (no session ending after `cutoff`, none still live)."""
    rows = (
        await HelpRequest.select(HelpRequest.id)
        .where(
            (HelpRequest.home_address != "")
            & HelpRequest.state.is_in(FINISHED_REQUEST)
            & (HelpRequest.created_at < cutoff)
        )
        .order_by(HelpRequest.created_at)
        .limit(limit)
    )
    ids = [as_uuid(r["id"]) for r in rows]
    if not ids:
        return 0
    recent = {
        as_uuid(r["request"])
        for r in await HelpSession.select(HelpSession.request).where(
            HelpSession.request.is_in(ids)
            & ((HelpSession.ends_at >= cutoff) | HelpSession.state.is_in(["scheduled", "checked_in"]))
        )
    }
    old = [i for i in ids if i not in recent]
    if not old:
        return 0
    await HelpRequest.update(
        {HelpRequest.home_address: "", HelpRequest.home_latitude: None, HelpRequest.home_longitude: None}
    ).where(HelpRequest.id.is_in(old))
    return len(old)


async def blank_old_texts(cutoff: datetime, now: datetime) -> int:
    """Message texts and numbers (the row stays as the record that something was sent), texts people sent us
    once handled, the dev phone's messages, the choices callers made in the voice menu, and bookings by text."""
    final = ["sent", "delivered", "failed", "cancelled", "expired"]
    sent = await (
        Notification.update(
            {
                Notification.body: "",
                Notification.sms_body: "",
                Notification.choices: "",
                Notification.phone: "",
                Notification.updated_at: now,
            }
        )
        .where(
            (Notification.created_at < cutoff)
            & ((Notification.body != "") | (Notification.phone != "") | (Notification.sms_body != ""))
            & Notification.state.is_in(final)
        )
        .returning(Notification.id)
    )
    replies = await (
        InboundMessage.update({InboundMessage.body: ""})
        .where(
            (InboundMessage.received_at < cutoff) & (InboundMessage.state == "handled") & (InboundMessage.body != "")
        )
        .returning(InboundMessage.id)
    )
    calls = await (
        # `step` no longer matters once a call is over; "purged" marks the call as done here.
        VoiceCall.update({VoiceCall.tried: "[]", VoiceCall.data: "{}", VoiceCall.step: "purged"})
        .where((VoiceCall.created_at < cutoff) & VoiceCall.ended_at.is_not_null() & (VoiceCall.step != "purged"))
        .returning(VoiceCall.id)
    )
    dev = await DevSmsMessage.delete().where(DevSmsMessage.created_at < cutoff).returning(DevSmsMessage.id)
    # Bookings by text long over (they hold the number and the topic); what they booked is in the request.
    texts = await TextConversation.delete().where(TextConversation.updated_at < cutoff).returning(TextConversation.id)
    return len(sent) + len(replies) + len(calls) + len(dev) + len(texts)


# ---- runs ------------------------------------------------------------------------------------------------------


async def claim_day(day: str, now: datetime) -> uuid.UUID | None:
    """Start the day's run, or None if another worker has it (the unique day decides)."""
    run_id = uuid.uuid4()
    try:
        await RetentionRun.insert(RetentionRun(id=run_id, day=day, started_at=now))
    except Exception as exc:
        if is_unique_violation(exc):
            return None
        raise
    return run_id


async def finish(run_id: uuid.UUID, now: datetime, removed: dict[str, int]) -> None:
    await RetentionRun.update({RetentionRun.finished_at: now, RetentionRun.removed: json.dumps(removed)}).where(
        RetentionRun.id == run_id
    )


async def last_run() -> tuple[datetime, datetime | None, dict[str, Any]] | None:
    rows = await RetentionRun.select().order_by(RetentionRun.started_at, ascending=False).limit(1)
    if not rows:
        return None
    return rows[0]["started_at"], rows[0]["finished_at"], as_dict(rows[0]["removed"])
