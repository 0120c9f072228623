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
from server.db import drop_in as drop_in_q
from server.db import message_templates, outbox
from server.db import replies as q
from server.db import text_booking as text_q
from server.db.engine import AnyEngine, is_unique_violation, write_transaction
from server.domain.drop_in import TOLD, Occurrence, municipality_in, sms_line
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.events import GroupEvent
from server.domain.messages import PlaceInfo, place_text, when_text
from server.domain.paging import Page, PageRequest
from server.domain.phone import mask
from server.domain.records import InboxItem
from server.domain.replies import (
    MAX_CHOICES,
    Reply,
    ReplyKind,
    Target,
    mentions_reply_word,
    parse_reply,
    reply_target,
)
from server.domain.roles import ForResident, Grant, Principal, Role
from server.services.audit import AuditService
from server.services.drop_in import DropInService
from server.services.event_messages import place_of
from server.services.events import EventService
from server.services.notifications import NotificationService
from server.services.sessions import SessionService
from server.services.text_booking import TextAnswer, TextBookingService

log = logging.getLogger("apuri.replies")
PROMPT_WINDOW = timedelta(days=7)
REPLIES_PER_DAY = 10
MAX_BODY = 1600
REMINDING = ("confirmation", "reminder_24h", "reminder_2h", "moved")
# Reminders sent this close together may both be what a reply answers: then the resident is asked which.
AMBIGUOUS_WITHIN = timedelta(hours=12)


@dataclass(frozen=True, slots=True)
class Received:
    action: str  # confirm | cancel | stop | start | feedback | unknown | noted | ask | duplicate
    answer: str | None  # the template of the answer, if one is sent
    inbox: bool
    # The reply changed something (a session confirmed or cancelled, texts stopped): its answer always goes out.
    # Answers that change nothing are limited, so two automatic senders cannot keep each other going.
    changed: bool = False
    session: q.ReplySession | None = None  # what the answer is about
    choices: tuple[q.ReplySession, ...] = ()  # a "which time?" question's sessions, numbered from 1
    wanted: str = ""  # and what the resident wanted to do with the one they pick
    drop_in: tuple[Occurrence, ...] = ()  # the drop-in hours asked for
    language: str = ""  # the answer's language when the text said it (else the resident's)
    values: tuple[tuple[str, str], ...] = ()  # the answer's own values (a booking by text)


def e164_or_raw(raw: str) -> str:
    """Twilio sends E.164; anything else is kept (shortened) so a coordinator can still read it."""
    try:
        number = phonenumbers.parse(raw.strip()[:32], "FI")
    except phonenumbers.NumberParseException:
        return raw.strip()[:16]
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[:16]


def _on(session: q.ReplySession | None) -> bool:
    return session is not None and session.state in ("scheduled", "checked_in")


class ReplyService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        sessions: SessionService,
        notifications: NotificationService,
        drop_in: DropInService,
        events: EventService,
        text: TextBookingService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._sessions = sessions
        self._notifications = notifications
        self._drop_in = drop_in
        self._events = events
        self._text = text

    async def receive(self, *, phone: str, body: str, provider_id: str | None) -> Received:
        number = e164_or_raw(phone)
        body = body.strip()[:MAX_BODY]
        now = self._clock.now()
        if provider_id and await q.seen(provider_id):
            return Received("duplicate", None, inbox=False)
        reply = parse_reply(body)
        # A booking by text runs before the reply's own transaction (it books through its own): a refused booking
        # never takes the received text with it.
        text = None
        if reply.kind not in (ReplyKind.DROP_IN, ReplyKind.STOP, ReplyKind.START):
            text = await self._by_text(number, await q.sender(number), reply, body, now)
        try:
            async with write_transaction(self._engine):
                if provider_id and await q.seen(provider_id):
                    return Received("duplicate", None, inbox=False)
                person = await q.sender(number)  # a text booking may have made the sender a resident
                if text is not None:
                    received = Received(
                        text.action,
                        text.answer,
                        inbox=text.inbox,
                        changed=text.changed,
                        language=text.language,
                        values=tuple(text.values.items()),
                    )
                elif reply.kind is ReplyKind.DROP_IN:
                    received = await self._drop_in_hours(person, reply)
                elif person is None:
                    received = Received("unknown", "reply.unclear", inbox=True)
                else:
                    received = await self._act(person, reply, now)
                inbound_id = await q.insert_inbound(
                    provider_id=provider_id,
                    phone=number,
                    person_id=person.id if person else None,
                    session_id=received.session.id if received.session else None,
                    body=body,
                    action=received.action,
                    state="open" if received.inbox else "handled",
                    now=now,
                    suggested_topic=text.suggested_topic if text is not None else "",
                )
                if received.answer is not None:
                    await self._answer(number, person, received, inbound_id, now)
        except Exception as exc:
            if provider_id and is_unique_violation(exc):  # the same text delivered twice at once
                return Received("duplicate", None, inbox=False)
            raise
        log.info("SMS reply from %s: %s", mask(number), received.action)
        return received

    async def _by_text(
        self, number: str, person: q.Sender | None, reply: Reply, body: str, now: datetime
    ) -> TextAnswer | None:
        """A booking by text: an answer in a conversation under way, or a new text that answers no pending
        question (no SMS asked the resident anything in the last week, or the text clearly names a topic and holds
        no reply word). None: the reply rules decide."""
        conversation = await text_q.latest(number)
        prompts = await q.prompts(person.id, now - PROMPT_WINDOW) if person is not None else []
        if TextBookingService.under_way(conversation, prompts[0].sent_at if prompts else None):
            assert conversation is not None
            return await self._text.answer(conversation, person, body)
        if reply.kind is not ReplyKind.UNKNOWN:
            return None
        # With a question pending (a reminder asked KYLLÄ or PERU), only a text that clearly names a topic and says
        # nothing a reply would ("peru", "kyllä", a question) is a new request; the rest stays with that question.
        if not prompts or (not mentions_reply_word(body) and await self._text.names_a_topic(body)):
            return await self._text.start(number, person, body)
        return None

    async def _act(self, person: q.Sender, reply: Reply, now: datetime) -> Received:
        recent = await q.prompts(person.id, now - PROMPT_WINDOW)
        kind = reply.kind
        if kind is ReplyKind.STOP:
            await q.set_opt_out(person.id, True)
            return Received("stop", "reply.stopped", inbox=False, changed=not person.opted_out)
        if kind is ReplyKind.START:
            await q.set_opt_out(person.id, False)
            return Received("start", "reply.started", inbox=False, changed=person.opted_out)
        if recent and recent[0].signup_id is not None:
            return await self._about_event(person, recent[0], reply)
        if kind is ReplyKind.DIGIT and recent:
            assert reply.digit is not None
            meant = await self._digit(person, recent[0], reply.digit, now)
            if isinstance(meant, Received):
                return meant
            kind = meant
        return await self._yes_or_cancel(person, kind, recent, now)

    async def _about_event(self, person: q.Sender, prompt: q.Prompt, reply: Reply) -> Received:
        """A reply to a group session's text: to a place offered, 1 (or yes) keeps it and 2 (or no) gives it up;
        to a place or the waitlist, PERU leaves (and a yes is noted)."""
        assert prompt.signup_id is not None
        kind = reply.kind
        if kind is ReplyKind.DIGIT and reply.digit in (1, 2):
            kind = ReplyKind.CONFIRM if reply.digit == 1 else ReplyKind.CANCEL
        mine = await self._events.signup_state(person.id, prompt.signup_id)
        if kind is ReplyKind.CANCEL:
            answer = await self._events.give_up(person.id, prompt.signup_id)
        elif kind is ReplyKind.CONFIRM and mine is not None and mine[0] in ("offered", "declined"):
            # A yes to a place offered (or one whose hold ran out: they are told it passed on).
            answer = await self._events.keep(person.id, prompt.signup_id)
        elif kind is ReplyKind.CONFIRM and mine is not None and mine[0] == "confirmed":
            values = self._event_values(mine[1], person.language)
            return Received("noted", "reply.event_kept", inbox=False, values=values)
        else:
            return Received("unknown", "reply.unclear", inbox=True)
        values = self._event_values(answer.event, person.language) if answer.event else ()
        if answer.outcome == "gone":
            return Received("noted", "reply.event_offer_gone", inbox=False, values=values)
        template = {"kept": "reply.event_kept", "given_up": "reply.event_given_up", "left": "reply.event_left"}
        return Received(
            "confirm" if answer.outcome == "kept" else "cancel",
            template[answer.outcome],
            inbox=False,
            changed=True,
            values=values,
        )

    @staticmethod
    def _event_values(event: GroupEvent, language: str) -> tuple[tuple[str, str], ...]:
        language = language if language in ("fi", "sv", "en") else "fi"
        return (("when", when_text(event.starts_at, language)), ("place", place_of(event, language)))

    async def _drop_in_hours(self, person: q.Sender | None, reply: Reply) -> Received:
        """The next drop-in hours: in the municipality the text names, else where the resident last had help, else
        anywhere. Answered in the keyword's language ("jour": Swedish, "drop-in": English) or the resident's."""
        municipality = municipality_in(reply.rest, await self._drop_in.municipalities())
        if municipality is None and person is not None:
            municipality = await drop_in_q.usual_municipality(person.id)
        found = await self._drop_in.next_ones(municipality=municipality, count=TOLD)
        if not found and municipality is not None:
            found = await self._drop_in.next_ones(municipality=None, count=TOLD)
        keyword = reply.keyword
        language = "sv" if keyword.startswith("jour") else "en" if keyword.startswith("drop") else ""
        answer = "reply.drop_in" if found else "reply.no_drop_in"
        return Received("drop_in", answer, inbox=False, drop_in=tuple(found), language=language)

    async def _digit(self, person: q.Sender, prompt: q.Prompt, digit: int, now: datetime) -> Received | ReplyKind:
        """A digit means what the question asked: a rating, a numbered time, or 1 yes / 2 cancel."""
        if prompt.kind == "feedback_request" and prompt.session_id:
            asked = await q.resident_session(person.id, prompt.session_id)
            if asked is not None and asked.state == "done":
                rated = await q.rate(asked.id, digit)
                return Received(
                    "feedback" if rated else "noted", "reply.feedback", inbox=False, changed=rated, session=asked
                )
        if prompt.kind == "which_session" and digit <= len(prompt.choices):
            chosen = prompt.choices[digit - 1]
            sessions = await q.resident_sessions(person.id, {chosen})
            target = Target(act=chosen) if _on(sessions.get(chosen)) else Target(gone=chosen)
            return await self._do(person, ReplyKind(prompt.action), target, sessions, now)
        if prompt.kind in REMINDING and digit in (1, 2):
            return ReplyKind.CONFIRM if digit == 1 else ReplyKind.CANCEL
        return ReplyKind.DIGIT

    async def _yes_or_cancel(
        self, person: q.Sender, kind: ReplyKind, recent: list[q.Prompt], now: datetime
    ) -> Received:
        prompt = recent[0] if recent else None
        about = None
        if prompt is not None and prompt.session_id:
            about = await q.resident_session(person.id, prompt.session_id)
        if kind not in (ReplyKind.CONFIRM, ReplyKind.CANCEL):
            return Received("unknown", "reply.unclear", inbox=True, session=about)
        if prompt is not None:
            # The question was answered already (a second PERU, KYLLÄ then PERU): this text is about the same time.
            answered = await q.acted_on_since(person.id, prompt.sent_at)
            if answered is not None:
                sessions = await q.resident_sessions(person.id, {answered})
                target = Target(act=answered) if _on(sessions.get(answered)) else Target(gone=answered)
                return await self._do(person, kind, target, sessions, now)
            if prompt.kind == "feedback_request":
                # "Ei kiitos" to "how did we do?" is not a cancellation of some other time: a person reads it.
                return Received("unknown", "reply.unclear", inbox=True, session=about)
        target, sessions = await self._target(person, recent, now)
        return await self._do(person, kind, target, sessions, now)

    async def _target(
        self, person: q.Sender, recent: list[q.Prompt], now: datetime
    ) -> tuple[Target, dict[uuid.UUID, q.ReplySession]]:
        """The session the reply is about: the one the latest reminder asked about, never simply the next one."""
        prompt = recent[0] if recent else None
        if prompt is not None and prompt.kind == "which_session":
            # Asked "which time?" and answered in words: only the times that question listed, and still on.
            sessions = await q.resident_sessions(person.id, set(prompt.choices))
            still = [s for s in prompt.choices if _on(sessions.get(s)) and sessions[s].starts_at > now]
            if not still:
                return Target(gone=prompt.choices[0]), sessions
            return reply_target(asked=None, asked_on=False, also_asked=(), upcoming=still), sessions
        asked = prompt.session_id if prompt is not None and prompt.kind in REMINDING else None
        if prompt is not None and asked is not None:
            also = [
                p.session_id
                for p in recent[1:]
                if p.kind in REMINDING and p.session_id and prompt.sent_at - p.sent_at <= AMBIGUOUS_WITHIN
            ]
            sessions = await q.resident_sessions(person.id, {asked, *also})
            still = [s for s in also if _on(sessions.get(s)) and sessions[s].starts_at > now]
            return reply_target(asked=asked, asked_on=_on(sessions.get(asked)), also_asked=still, upcoming=()), sessions
        upcoming = await q.upcoming_sessions(person.id, now, limit=MAX_CHOICES)
        target = reply_target(asked=None, asked_on=False, also_asked=(), upcoming=[s.id for s in upcoming])
        return target, {s.id: s for s in upcoming}

    async def _do(
        self,
        person: q.Sender,
        kind: ReplyKind,
        target: Target,
        sessions: dict[uuid.UUID, q.ReplySession],
        now: datetime,
    ) -> Received:
        if target.act is None:
            return self._nothing_to_do(kind, target, sessions)
        session = sessions[target.act]
        if kind is ReplyKind.CONFIRM:
            already = await q.confirmed(session.id)
            await q.confirm(session.id, now)
            return Received("confirm", "reply.confirmed", inbox=False, changed=not already, session=session)
        if session.starts_at <= now:
            # Too late to cancel by text; the volunteer may be waiting, so a coordinator should know.
            return Received("cancel", "reply.too_late", inbox=True, session=session)
        resident = Principal(
            person_id=person.id,
            sign_in_id=uuid.UUID(int=0),
            first_name="",
            language=person.language,
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )
        try:
            await self._sessions.cancel(resident, session.id)
        except Conflict:
            return Received("cancel", "reply.unclear", inbox=True, session=session)
        return Received("cancel", "reply.cancelled", inbox=False, changed=True, session=session)

    @staticmethod
    def _nothing_to_do(kind: ReplyKind, target: Target, sessions: dict[uuid.UUID, q.ReplySession]) -> Received:
        """The session asked about is no longer on, the resident must say which one, or there is none."""
        if target.gone is not None:
            gone = sessions[target.gone]
            answer = "reply.already_cancelled" if gone.state == "cancelled" else "reply.no_session"
            return Received("noted", answer, inbox=False, session=gone)
        if target.ask:
            choices = tuple(sessions[s] for s in target.ask)
            return Received("ask", "reply.which_" + kind.value, inbox=False, choices=choices, wanted=kind.value)
        return Received("noted", "reply.no_session", inbox=False)

    async def _answer(
        self, phone: str, person: q.Sender | None, received: Received, inbound_id: uuid.UUID, now: datetime
    ) -> None:
        """Tell the resident what happened. What changed something is always answered (once per text); the rest
        at most REPLIES_PER_DAY a day, and an unclear text at most once a minute."""
        assert received.answer is not None
        if not received.changed and await q.replies_since(phone, now - timedelta(days=1)) >= REPLIES_PER_DAY:
            return
        language = person.language if person and person.language in ("fi", "sv", "en") else "fi"
        language = received.language or language
        values = {}
        if received.session is not None:
            values = self._about(received.session, language)
        if received.choices:
            values["options"] = "\n".join(
                f"{n}) {self._about(s, language)['when']}, {self._about(s, language)['place']}"
                for n, s in enumerate(received.choices, start=1)
            )
        values.update(dict(received.values))
        if received.drop_in:
            values["options"] = "\n".join(sms_line(o, language) for o in received.drop_in)
        body = self._notifications.text(
            await message_templates.templates(),
            received.answer,
            language,
            values,
            code_word=person.code_word if person else "",
        )
        key = f"reply:{phone}:{now:%Y%m%d%H%M}" if received.action == "unknown" else f"reply:{inbound_id}"
        await outbox.insert(
            [
                outbox.Draft(
                    key=key,
                    kind="which_session" if received.choices else "reply",
                    channel="sms",
                    body=body,
                    due_at=now,
                    not_after=now + timedelta(hours=1),
                    person_id=person.id if person else None,
                    phone=phone,
                    language=language,
                    # The person has just texted us: the answer goes at once, also at night.
                    anytime=True,
                    choices=q.choices_json(received.wanted, [s.id for s in received.choices])
                    if received.choices
                    else "",
                )
            ],
            now,
        )

    @staticmethod
    def _about(session: q.ReplySession, language: str) -> dict[str, str]:
        return {
            "when": when_text(session.starts_at, language),
            "place": place_text(PlaceInfo(session.modality, session.help_point_name), language),
        }


INBOX_OUTCOMES = ("called_back", "no_answer", "noted", "confirmed", "cancelled")


class InboxService:
    """The coordinators' inbox of SMS replies that need a person, with one-tap actions."""

    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService, sessions: SessionService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._sessions = sessions

    async def items(self, caller: Principal, page: PageRequest, *, state: str = "open") -> Page[InboxItem]:
        found = await q.inbox(page, within=caller.oversees, state=state)
        await self._audit.record(caller, "inbox.read", "inbox", state, detail={"items": len(found.items)})
        return found

    async def handle(self, caller: Principal, item_id: uuid.UUID, outcome: str) -> InboxItem:
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
            if outcome == "cancelled" and item.session_id is not None and item.person_id is not None:
                acting = ForResident(caller, item.person_id, scope_checked_by="replies.inbox_item(caller.oversees)")
                await self._sessions.cancel_for(acting, item.session_id)
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
