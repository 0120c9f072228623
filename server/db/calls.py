"""Queries for voice calls (the helpline menu and reminder calls) and the coordinators' callback queue."""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from server.db import scope
from server.db.codec import as_json
from server.db.paging import fetch_page
from server.db.tables import CallbackRequest, HelpSession, Person, VoiceCall
from server.domain.paging import Page, PageRequest
from server.domain.records import Callback


@dataclass(slots=True)
class CallRow:
    id: uuid.UUID
    call_sid: str
    direction: str
    phone: str
    person_id: uuid.UUID | None
    notification_id: uuid.UUID | None
    language: str
    step: str
    failures: int
    data: dict[str, str]
    tried: list[str]
    outcome: str
    ended: bool


def _call(r: dict[str, Any]) -> CallRow:
    return CallRow(
        id=r["id"],
        call_sid=r["call_sid"],
        direction=r["direction"],
        phone=r["phone"],
        person_id=r["person"],
        notification_id=r["notification"],
        language=r["language"],
        step=r["step"],
        failures=r["failures"],
        data=dict(as_json(r["data"], {})),
        tried=list(as_json(r["tried"], [])),
        outcome=r["outcome"],
        ended=r["ended_at"] is not None,
    )


async def call(call_sid: str) -> CallRow | None:
    rows = await VoiceCall.select().where(VoiceCall.call_sid == call_sid)
    return _call(rows[0]) if rows else None


async def start_call(
    *,
    call_sid: str,
    direction: str,
    phone: str,
    person_id: uuid.UUID | None,
    language: str,
    step: str,
    now: datetime,
    notification_id: uuid.UUID | None = None,
    data: dict[str, str] | None = None,
) -> CallRow:
    """The call's row; a webhook Twilio sends twice for one call finds the first one."""
    existing = await call(call_sid)
    if existing is not None:
        return existing
    await VoiceCall.insert(
        VoiceCall(
            id=uuid.uuid4(),
            call_sid=call_sid,
            direction=direction,
            phone=phone,
            person=person_id,
            notification=notification_id,
            language=language,
            step=step,
            data=json.dumps(data or {}),
            created_at=now,
            updated_at=now,
        )
    ).on_conflict(target=VoiceCall.call_sid, action="DO NOTHING")
    found = await call(call_sid)
    assert found is not None
    return found


async def save(row: CallRow, now: datetime) -> None:
    await VoiceCall.update(
        {
            VoiceCall.person: row.person_id,
            VoiceCall.language: row.language,
            VoiceCall.step: row.step,
            VoiceCall.failures: row.failures,
            VoiceCall.data: json.dumps(row.data),
            VoiceCall.tried: json.dumps(row.tried[-40:]),
            VoiceCall.outcome: row.outcome,
            VoiceCall.updated_at: now,
        }
    ).where(VoiceCall.id == row.id)


async def end(call_sid: str, *, outcome_if_open: str, now: datetime) -> CallRow | None:
    """Twilio says the call is over: mark it ended (once); an unfinished call gets `outcome_if_open`."""
    found = await call(call_sid)
    if found is None or found.ended:
        return found
    outcome = found.outcome or outcome_if_open
    await VoiceCall.update({VoiceCall.ended_at: now, VoiceCall.outcome: outcome, VoiceCall.updated_at: now}).where(
        VoiceCall.id == found.id
    )
    found.outcome = outcome
    return found


async def person_by_phone(phone: str) -> tuple[uuid.UUID, str] | None:
    rows = await Person.select(Person.id, Person.language).where(
        (Person.phone == phone) & (Person.active == True)  # noqa: E712 - Piccolo operator
    )
    return (rows[0]["id"], rows[0]["language"]) if rows else None


async def add_callback(
    *,
    phone: str,
    person_id: uuid.UUID | None,
    language: str,
    reason: str,
    tried: list[str],
    call_id: uuid.UUID | None,
    session_id: uuid.UUID | None,
    now: datetime,
) -> uuid.UUID:
    row_id = uuid.uuid4()
    await CallbackRequest.insert(
        CallbackRequest(
            id=row_id,
            phone=phone,
            person=person_id,
            language=language,
            reason=reason,
            tried=json.dumps(tried[-40:]),
            call=call_id,
            session=session_id,
            state="open",
            created_at=now,
        )
    )
    return row_id


_CALLBACK = (
    CallbackRequest.id,
    CallbackRequest.phone,
    CallbackRequest.person,
    CallbackRequest.person.first_name.as_alias("first_name"),
    CallbackRequest.language,
    CallbackRequest.reason,
    CallbackRequest.tried,
    CallbackRequest.session,
    CallbackRequest.state,
    CallbackRequest.created_at,
    CallbackRequest.outcome,
)


def _callback(r: dict[str, Any]) -> Callback:
    return Callback(
        id=r["id"],
        phone=r["phone"],
        person_id=r["person"],
        first_name=r["first_name"] or "",
        language=r["language"],
        reason=r["reason"],
        tried=list(as_json(r["tried"], [])),
        session_id=r["session"],
        state=r["state"],
        created_at=r["created_at"],
        outcome=r["outcome"],
    )


def _scoped(query: Any, within: Collection[uuid.UUID] | None) -> Any:
    """A partner coordinator sees callbacks about sessions they oversee, or from people with such a session;
    the rest are the network coordinator's (the helpline is the network's)."""
    if within is None:
        return query
    people = HelpSession.select(HelpSession.resident).where(scope.session_in(within))
    return query.where(CallbackRequest.session.is_in(scope.sessions_of(within)) | CallbackRequest.person.is_in(people))


async def callbacks(page: PageRequest, *, within: Collection[uuid.UUID] | None, state: str) -> Page[Callback]:
    """A page of the callback queue: open ones oldest first, handled ones newest first."""
    query = _scoped(CallbackRequest.select(*_CALLBACK).where(CallbackRequest.state == state), within)
    key = (CallbackRequest.created_at, CallbackRequest.id)
    found = await fetch_page(query, page, *key, ascending=state == "open")
    return found.map(_callback)


async def callback(callback_id: uuid.UUID, within: Collection[uuid.UUID] | None) -> Callback | None:
    rows = await _scoped(CallbackRequest.select(*_CALLBACK).where(CallbackRequest.id == callback_id), within)
    return _callback(rows[0]) if rows else None


async def handle_callback(callback_id: uuid.UUID, *, by: uuid.UUID, outcome: str, now: datetime) -> bool:
    rows = (
        await CallbackRequest.update(
            {
                CallbackRequest.state: "handled",
                CallbackRequest.outcome: outcome,
                CallbackRequest.handled_at: now,
                CallbackRequest.handled_by: by,
            }
        )
        .where((CallbackRequest.id == callback_id) & (CallbackRequest.state == "open"))
        .returning(CallbackRequest.id)
    )
    return bool(rows)
