"""What residents text back: confirm, cancel, stop, start, a rating, or something only a person can read.

A reply is read against the last SMS that asked the resident something (a reminder asks "KYLLÄ or PERU", a
feedback request asks for 1–5), so a lone "1" means "yes, I'm coming" after a reminder and "poor" after a
session. Every reply gets an answer saying what happened and how to reach a person; anything not understood, or
that asks for more than a text can do, lands in the coordinators' inbox. A twice-delivered webhook (the same
MessageSid) is acted on once; the answers to one number are limited, so two machines cannot text each other
forever.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers

from server.adapters.clock import Clock
from server.db import notifications as outbox
from server.db import replies as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.messages import PlaceInfo, place_text, when_text
from server.domain.phone import mask
from server.domain.replies import Reply, ReplyKind, parse_reply
from server.domain.roles import Grant, Principal, Role
from server.services.audit import AuditService
from server.services.booking import BookingService
from server.services.notifications import NotificationService

log = logging.getLogger("apuri.replies")
PROMPT_WINDOW = timedelta(days=7)
REPLIES_PER_DAY = 10
MAX_BODY = 1600
REMINDING = ("confirmation", "reminder_24h", "reminder_2h", "moved")


@dataclass(frozen=True, slots=True)
class Received:
    action: str  # confirm | cancel | stop | start | feedback | unknown | noted | duplicate
    answer: str | None  # the template of the answer, if one is sent
    inbox: bool


def e164_or_raw(raw: str) -> str:
    """Twilio sends E.164; anything else is kept (shortened) so a coordinator can still read it."""
    try:
        number = phonenumbers.parse(raw.strip()[:32], "FI")
    except phonenumbers.NumberParseException:
        return raw.strip()[:16]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[:16]


class ReplyService:
    def __init__(
        self, *, clock: Clock, engine: AnyEngine, booking: BookingService, notifications: NotificationService
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._booking = booking
        self._notifications = notifications

    async def receive(self, *, phone: str, body: str, provider_id: str | None) -> Received:
        number = e164_or_raw(phone)
        body = body.strip()[:MAX_BODY]
        now = self._clock.now()
        async with write_transaction(self._engine):
            if provider_id and await q.seen(provider_id):
                return Received("duplicate", None, inbox=False)
            person = await q.sender(number)
            if person is None:
                received = Received("unknown", "reply.unclear", inbox=True)
                session = None
            else:
                received, session = await self._act(person, parse_reply(body), now)
            await q.insert_inbound(
                provider_id=provider_id,
                phone=number,
                person_id=person.id if person else None,
                session_id=session.id if session else None,
                body=body,
                action=received.action,
                state="open" if received.inbox else "handled",
                now=now,
            )
            if received.answer is not None:
                await self._answer(number, person, received.answer, session, now)
        log.info("SMS reply from %s: %s", mask(number), received.action)
        return received

    async def _act(self, person: q.Sender, reply: Reply, now: datetime) -> tuple[Received, q.ReplySession | None]:
        prompt = await q.last_prompt(person.id, now - PROMPT_WINDOW)
        asked = await q.resident_session(person.id, prompt.session_id) if prompt and prompt.session_id else None
        kind = reply.kind
        if kind is ReplyKind.STOP:
            await q.set_opt_out(person.id, True)
            return Received("stop", "reply.stopped", inbox=False), None
        if kind is ReplyKind.START:
            await q.set_opt_out(person.id, False)
            return Received("start", "reply.started", inbox=False), None
        if kind is ReplyKind.DIGIT:
            if prompt is not None and prompt.kind == "feedback_request" and asked and asked.state == "done":
                assert reply.digit is not None
                rated = await q.rate(asked.id, reply.digit)
                return Received("feedback" if rated else "noted", "reply.feedback", inbox=False), asked
            if prompt is not None and prompt.kind in REMINDING and reply.digit in (1, 2):
                kind = ReplyKind.CONFIRM if reply.digit == 1 else ReplyKind.CANCEL
        if kind not in (ReplyKind.CONFIRM, ReplyKind.CANCEL):
            return Received("unknown", "reply.unclear", inbox=True), asked
        return await self._about_session(person, kind, asked, now)

    async def _about_session(
        self, person: q.Sender, kind: ReplyKind, asked: q.ReplySession | None, now: datetime
    ) -> tuple[Received, q.ReplySession | None]:
        """Confirm or cancel the session the resident was asked about, or else their next one."""
        target = asked if asked and asked.state in ("scheduled", "checked_in") else None
        target = target or await q.next_session(person.id, now)
        if target is None:
            return Received("noted", "reply.no_session", inbox=False), asked
        if kind is ReplyKind.CONFIRM:
            await q.confirm(target.id, now)
            return Received("confirm", "reply.confirmed", inbox=False), target
        if target.starts_at <= now:
            # Too late to cancel by text; the volunteer may be waiting, so a coordinator should know.
            return Received("cancel", "reply.too_late", inbox=True), target
        resident = Principal(
            person_id=person.id,
            session_id=uuid.UUID(int=0),
            first_name="",
            language=person.language,
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )
        try:
            await self._booking.cancel(resident, target.id)
        except Conflict:
            return Received("cancel", "reply.unclear", inbox=True), target
        return Received("cancel", "reply.cancelled", inbox=False), target

    async def _answer(
        self, phone: str, person: q.Sender | None, name: str, session: q.ReplySession | None, now: datetime
    ) -> None:
        if await q.replies_since(phone, now - timedelta(days=1)) >= REPLIES_PER_DAY:
            return
        language = person.language if person and person.language in ("fi", "sv", "en") else "fi"
        values = {}
        if session is not None:
            values = {
                "when": when_text(session.starts_at, language),
                "place": place_text(PlaceInfo(session.modality, session.help_point_name), language),
            }
        body = self._notifications.text(await outbox.templates(), name, language, values)
        # One answer a minute at most per number: two automatic senders cannot keep each other going.
        await outbox.insert(
            [
                outbox.Draft(
                    key=f"reply:{phone}:{now:%Y%m%d%H%M}",
                    kind="reply",
                    channel="sms",
                    body=body,
                    due_at=now,
                    not_after=now + timedelta(hours=1),
                    person_id=person.id if person else None,
                    phone=phone,
                    language=language,
                )
            ],
            now,
        )


INBOX_OUTCOMES = ("called_back", "no_answer", "noted", "confirmed", "cancelled")


class InboxService:
    """The coordinators' inbox of SMS replies that need a person, with one-tap actions."""

    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService, booking: BookingService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._booking = booking

    async def items(self, caller: Principal, *, state: str = "open") -> list[q.InboxItem]:
        found = await q.inbox(within=caller.oversees, state=state)
        await self._audit.record(caller, "inbox.read", "inbox", state, detail={"items": len(found)})
        return found

    async def handle(self, caller: Principal, item_id: uuid.UUID, outcome: str) -> q.InboxItem:
        """Close an inbox item. `confirmed` / `cancelled` also confirm or cancel the session it is about."""
        item = await q.inbox_item(item_id, caller.oversees)
        if item is None:
            raise NotFound("No such message.", code="inbox_item_not_found")
        if item.state != "open":
            raise Conflict("Someone has already handled this message.", code="inbox_item_handled")
        now = self._clock.now()
        if outcome in ("confirmed", "cancelled") and item.session_id is None:
            raise InvalidInput("This message is not about a session.", code="inbox_item_no_session")
        async with write_transaction(self._engine):
            if not await q.handle(item_id, by=caller.person_id, outcome=outcome, now=now):
                raise Conflict("Someone has already handled this message.", code="inbox_item_handled")
            if outcome == "confirmed" and item.session_id is not None:
                await q.confirm(item.session_id, now)
            if outcome == "cancelled" and item.session_id is not None:
                await self._booking.cancel(caller, item.session_id, for_resident=True)
            await self._audit.record(
                caller,
                "inbox.handle",
                "inbound_message",
                str(item_id),
                subject_id=item.person_id,
                detail={"outcome": outcome},
            )
        handled = await q.inbox_item(item_id, caller.oversees)
        assert handled is not None
        return handled
