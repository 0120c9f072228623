"""Delivery reports on outbox rows: Twilio's status callbacks for messages and calls, applied in the order the
statuses happen, and the reports that arrive before the row has recorded its sid (kept until it has)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db.tables import Notification, ProviderReport

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
class EarlyReport:
    status: str
    error_code: str


async def keep_early_report(provider_id: str, status: str, error_code: str, now: datetime) -> None:
    """A delivery report for a sid no row holds yet; a later report for the same sid replaces it only if it is
    further along (also when two arrive at once: the replacement is conditional on what it replaces)."""
    rank = PROVIDER_ORDER.get(status, -1)
    await ProviderReport.insert(
        ProviderReport(
            id=uuid.uuid4(), provider_id=provider_id, status=status, error_code=error_code[:16], received_at=now
        )
    ).on_conflict(target=ProviderReport.provider_id, action="DO NOTHING")
    for _ in range(3):
        rows = await ProviderReport.select(ProviderReport.status).where(ProviderReport.provider_id == provider_id)
        if not rows or PROVIDER_ORDER.get(rows[0]["status"], -1) >= rank:
            return
        replaced = (
            await ProviderReport.update(
                {
                    ProviderReport.status: status,
                    ProviderReport.error_code: error_code[:16],
                    ProviderReport.received_at: now,
                }
            )
            .where((ProviderReport.provider_id == provider_id) & (ProviderReport.status == rows[0]["status"]))
            .returning(ProviderReport.id)
        )
        if replaced:
            return


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
        Notification.id,
        Notification.kind,
        Notification.person,
        Notification.session,
        Notification.session_version,
        Notification.event_signup,
        Notification.body,
        Notification.language,
    ).where(Notification.provider_id == provider_id)
    return rows[0] if rows else None
