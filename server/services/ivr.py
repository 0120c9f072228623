"""The helpline's voice menu: choose a language, then book help, hear or cancel one's next time, or ask a
coordinator to call back. The caller is known by their number (From), so hearing one's own time needs no PIN;
cancelling asks for confirmation. State between keypresses is the call's row, found by Twilio's CallSid.

A booking made here is the same booking as one made in the app (the same service, the same rules, the same race
for a slot: the loser hears the next free time); it is recorded as made by phone, with the caller's keypress as
their consent, and the confirmation goes out like any other.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

import phonenumbers

from server.adapters.clock import Clock
from server.db import calls as q
from server.db import delivery_reports, message_context
from server.db import drop_in as drop_in_q
from server.db import network as network_q
from server.db import people as people_q
from server.db import replies as replies_q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.clocktime import local_date
from server.domain.drop_in import TOLD, spoken_line
from server.domain.errors import Conflict, DomainError
from server.domain.events import TOLD as EVENTS_TOLD
from server.domain.events import places_left_text, where_text
from server.domain.ivr import (
    AGAIN_KEY,
    BACK,
    LANGUAGE_KEYS,
    MORE,
    MORE_KEY,
    CallState,
    Key,
    Line,
    Speech,
    Step,
    bring_text,
    failed,
    key_of,
    page_of,
    pick,
    spoken_time,
)
from server.domain.matching import Modality
from server.domain.messages import PlaceInfo, place_text
from server.domain.paging import MAX_LIMIT, PageRequest
from server.domain.phone import mask
from server.domain.roles import Grant, Principal, Role
from server.services.booking import BookingQuery, BookingService, OnBehalf
from server.services.drop_in import DropInService
from server.services.events import EventService
from server.services.notifications import NotificationService, Templates
from server.services.sessions import SessionService

DROP_IN_KEY = 4  # in the main menu: hear the next drop-in hours
EVENTS_KEY = 5  # in the main menu: hear the next group sessions and sign up for one
TOPIC_DEMAND_WINDOW = timedelta(days=90)  # the commonest topics of this long are said first
log = logging.getLogger("apuri.ivr")
SEARCH_DAYS = 14


def caller_number(raw: str) -> str:
    """The caller's number in E.164 if it is a real Finnish number (mobile or landline); hidden numbers come as
    "anonymous" or a dummy, and foreign ones are not booked for."""
    try:
        number = phonenumbers.parse(raw.strip()[:32], "FI")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number) or phonenumbers.region_code_for_number(number) != "FI":
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class IvrService:
    def __init__(
        self,
        *,
        clock: Clock,
        engine: AnyEngine,
        booking: BookingService,
        sessions: SessionService,
        notifications: NotificationService,
        drop_in: DropInService,
        events: EventService,
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._booking = booking
        self._sessions = sessions
        self._notifications = notifications
        self._drop_in = drop_in
        self._events = events
        self._templates: Templates = {}

    # ---- entry points (one per webhook) -------------------------------------------------------------------

    async def incoming(self, *, call_sid: str, phone: str) -> Speech:
        await self._fresh_templates()
        number = caller_number(phone)
        known = await q.person_by_phone(number) if number else None
        row = await q.start_call(
            call_sid=call_sid,
            direction="in",
            phone=number,
            person_id=known[0] if known else None,
            language=known[1] if known else "fi",
            step=Step.LANGUAGE.value,
            now=self._clock.now(),
        )
        log.info("call from %s", mask(number) if number else "a hidden number")
        return await self._prompt(row)

    async def step(self, *, call_sid: str, digits: str | None) -> Speech:
        await self._fresh_templates()
        row = await q.call(call_sid)
        if row is None or row.ended:
            return Speech((), gather=False, hang_up=True)
        state = CallState(Step(row.step), row.language, row.failures, row.data)
        key, digit = key_of(digits)
        row.tried.append(_traced(row.step, digits, state.data))
        speech = await self._answer(row, state, key, digit)
        row.step, row.language, row.failures, row.data = state.step.value, state.language, state.failures, state.data
        await q.save(row, self._clock.now())
        return speech

    async def reminder_answered(self, *, call_sid: str) -> Speech:
        """Someone answered a reminder call we placed: say the reminder and ask 1 / 2 / 3."""
        await self._fresh_templates()
        planned = await delivery_reports.by_provider_id(call_sid)
        if planned is not None and planned["event_signup"] is not None and planned["body"]:
            # A group session's call (a place given, a reminder, a cancellation): its words, once, nothing to press.
            language = _booking_language(planned["language"])
            return Speech((Line(planned["body"], language),), gather=False, hang_up=True, language=language)
        session = await message_context.session_context(planned["session"]) if planned and planned["session"] else None
        if planned is None or session is None:
            return Speech((), gather=False, hang_up=True)
        state = CallState(Step.REMINDER, _booking_language(session.resident.language))
        if planned["kind"] == "cancelled" and session.state == "cancelled":
            # A cancellation told by phone: said once, nothing to press.
            notice = self._line(
                state,
                "voice.cancelled_notice",
                **self._when(state, session.starts_at, session.modality, session.help_point_name),
            )
            return Speech((notice,), gather=False, hang_up=True, language=state.language)
        if session.state != "scheduled" or session.version != planned["session_version"]:
            return Speech((self._line(state, "voice.goodbye"),), gather=False, hang_up=True)
        row = await q.start_call(
            call_sid=call_sid,
            direction="out",
            phone=session.resident.phone,
            person_id=session.resident.id,
            language=state.language,
            step=Step.REMINDER.value,
            now=self._clock.now(),
            notification_id=planned["id"],
            data={"session": str(session.id)},
        )
        return await self._prompt(row)

    async def ended(self, *, call_sid: str, status: str) -> None:
        await q.end(call_sid, outcome_if_open="hung_up" if status == "completed" else status, now=self._clock.now())

    # ---- the menu -----------------------------------------------------------------------------------------

    async def _answer(self, row: q.CallRow, state: CallState, key: Key, digit: int) -> Speech:
        if state.step is Step.BOOKED:  # 9 hears the confirmation again; anything else, or silence, ends the call
            if key is Key.DIGIT and digit == AGAIN_KEY:
                return self._ask(state, self._booked_line(state))
            return self._end(row, state, "voice.goodbye", outcome="booked")
        if key is Key.BACK and state.step in BACK:
            state.step, state.failures = BACK[state.step], 0
            if state.step is Step.HOW and len(state.data.get("ways", "12")) == 1:
                state.step = Step.TOPIC  # the way was not asked: there was only one
            state.data = {**state.data, "page": "0"}
            return await self._prompt(row, state)
        if key is not Key.DIGIT:
            return await self._again(row, state)
        handler = {
            Step.LANGUAGE: self._chose_language,
            Step.MENU: self._chose_action,
            Step.TOPIC: self._chose_topic,
            Step.HOW: self._chose_how,
            Step.PLACE: self._chose_place,
            Step.TIME: self._chose_time,
            Step.CANCEL: self._chose_cancel,
            Step.REMINDER: self._chose_reminder,
            Step.EVENT: self._chose_event,
        }.get(state.step)
        if handler is None:
            return Speech((), gather=False, hang_up=True)
        return await handler(row, state, digit)

    async def _again(self, row: q.CallRow, state: CallState) -> Speech:
        """Silence or a wrong key: say so and ask again, or after the second time hand over to a person."""
        if failed(state):
            return await self._callback(row, state, "no_input")
        return await self._prompt(row, state, before=(self._line(state, "voice.again"),))

    async def _chose_language(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        language = LANGUAGE_KEYS.get(str(digit))
        if language is None:
            return await self._again(row, state)
        state.language, state.step, state.failures = language, Step.MENU, 0
        return await self._prompt(row, state)

    async def _chose_action(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit == 0:
            return await self._callback(row, state, "asked")
        if digit in (DROP_IN_KEY, EVENTS_KEY):
            return await self._without_booking(row, state, digit)
        if digit not in (1, 2, 3):
            return await self._again(row, state)
        if not row.phone:
            return self._end(row, state, "voice.no_number", outcome="no_number")
        state.failures = 0
        if digit == 1:
            state.step, state.data = Step.TOPIC, {**state.data, "page": "0"}
            return await self._prompt(row, state)
        return await self._next_session(row, state, cancel=digit == 3)

    async def _without_booking(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        """4: the next drop-in hours, then the menu again; 5: the next group sessions, to sign up for one."""
        state.failures = 0
        if digit == DROP_IN_KEY:
            row.outcome = "drop_in"
            return await self._prompt(row, state, before=(await self._drop_in_hours(row, state),))
        state.step = Step.EVENT
        return await self._prompt(row, state)

    async def _drop_in_hours(self, row: q.CallRow, state: CallState) -> Line:
        """The next drop-in hours where the caller last had help (else anywhere), said slowly, then the menu again."""
        municipality = await drop_in_q.usual_municipality(row.person_id) if row.person_id else None
        found = await self._drop_in.next_ones(municipality=municipality, count=TOLD)
        if not found and municipality is not None:
            found = await self._drop_in.next_ones(municipality=None, count=TOLD)
        if not found:
            return self._line(state, "voice.no_drop_in")
        return self._line(state, "voice.drop_in", options=" ".join(spoken_line(o, state.language) for o in found))

    async def _events_offered(self, row: q.CallRow, state: CallState, before: tuple[Line, ...]) -> Speech:
        """The next group sessions where the caller last had help (else anywhere), numbered; none: the menu."""
        municipality = await drop_in_q.usual_municipality(row.person_id) if row.person_id else None
        found = await self._events.next_ones(municipality=municipality, count=EVENTS_TOLD)
        if not found and municipality is not None:
            found = await self._events.next_ones(municipality=None, count=EVENTS_TOLD)
        if not found:
            state.step = Step.MENU
            row.outcome = "events"
            return await self._prompt(row, state, before=(*before, self._line(state, "voice.no_events")))
        state.data = {**state.data, "events": " ".join(str(e.id) for e in found)}
        names = [
            f"{e.title}, {spoken_time(e.starts_at, state.language)}, {where_text(e, state.language)}, "
            f"{places_left_text(e, state.language)}"
            for e in found
        ]
        return self._ask(state, *before, self._line(state, "voice.events", options=self._options(state, names)))

    async def _chose_event(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        """Sign the caller up for the event they chose: a place, or the waitlist (the keypress is their consent)."""
        events = state.data.get("events", "").split()
        if not 1 <= digit <= len(events):
            return await self._again(row, state)
        if not row.phone:
            return self._end(row, state, "voice.no_number", outcome="no_number")
        await self._ensure_resident(row, state, self._clock.now())
        try:
            done = await self._events.sign_up(self._resident(row, state), uuid.UUID(events[digit - 1]), channel="voice")
        except DomainError:
            # Begun, cancelled or the resident has something else then: the list again, as it is now.
            state.failures = 0
            return await self._prompt(row, state, before=(self._line(state, "voice.taken"),))
        row.outcome = "event"
        state.step, state.failures = Step.MENU, 0
        values = {
            "when": spoken_time(done.event.starts_at, state.language),
            "place": where_text(done.event, state.language),
            "position": str(done.position),
        }
        name = "voice.event_waitlisted" if done.position else "voice.event_signed"
        return await self._prompt(row, state, before=(self._line(state, name, **values),))

    async def _next_session(self, row: q.CallRow, state: CallState, *, cancel: bool) -> Speech:
        """Say the caller's next time; to cancel it, ask to confirm first."""
        session = await replies_q.next_session(row.person_id, self._clock.now()) if row.person_id else None
        if session is None:
            row.outcome = "heard"
            return await self._prompt(row, state, before=(self._line(state, "voice.none"),))
        when = self._when(state, session.starts_at, session.modality, session.help_point_name)
        if not cancel:
            row.outcome = "heard"
            return await self._prompt(row, state, before=(self._line(state, "voice.next", **when),))
        state.step, state.data = Step.CANCEL, {**state.data, "session": str(session.id)}
        return self._ask(state, self._line(state, "voice.cancel", **when))

    async def _chose_cancel(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit not in (1, 2):
            return await self._again(row, state)
        state.step, state.failures = Step.MENU, 0
        if digit == 2:
            row.outcome = "kept"
            return await self._prompt(row, state, before=(self._line(state, "voice.kept"),))
        assert row.person_id is not None
        try:
            await self._sessions.cancel(self._resident(row, state), uuid.UUID(state.data["session"]))
        except DomainError:
            return await self._prompt(row, state, before=(self._line(state, "voice.none"),))
        row.outcome = "cancelled"
        return await self._prompt(row, state, before=(self._line(state, "voice.cancelled"),))

    async def _chose_reminder(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        """On a reminder call: 1 confirms, 2 cancels (and with it the other reminders), 3 asks a coordinator."""
        if digit == 3:
            return await self._callback(row, state, "reminder")
        if digit not in (1, 2):
            return await self._again(row, state)
        session_id = uuid.UUID(state.data["session"])
        if digit == 1:
            await replies_q.confirm(session_id, self._clock.now())
            return self._end(row, state, "voice.confirmed", outcome="confirmed")
        try:
            await self._sessions.cancel(self._resident(row, state), session_id)
        except DomainError:
            return self._end(row, state, "voice.goodbye", outcome="cancel_failed")
        cancelled = (self._line(state, "voice.cancelled"),)
        return self._end(row, state, "voice.goodbye", outcome="cancelled", before=cancelled)

    async def _chose_topic(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit == 0:  # none of these: a coordinator calls back and finds the right place
            return await self._callback(row, state, "other_topic")
        if digit == MORE_KEY and state.data.get("more") == "1":
            return await self._next_page(row, state)
        code = pick(digit, state.data.get("topics", "").split())
        if code is None:
            return await self._again(row, state)
        state.data = {**state.data, "topic": code, "page": "0"}
        state.failures = 0
        topic = await topics_q.get_topic(code)
        if topic is not None and topic.partner_only_organisation_id is not None:
            return await self._route(row, state, topic.partner_only_organisation_id)
        # Only the ways that have a free time for it: both asked about, one taken at once, none a callback.
        found = await self._booking.first_free(code, _booking_language(state.language))
        at_point = any(starts_at is not None for _, starts_at in found.help_points.values())
        ways = ("1" if at_point else "") + ("2" if found.remote is not None else "")
        state.data = {**state.data, "ways": ways}
        if ways == "1":
            state.step = Step.PLACE
        elif ways == "2":
            state.data = {k: v for k, v in state.data.items() if k not in ("place", "skip")} | {"modality": "phone"}
            state.step = Step.TIME
        elif not ways:
            return await self._callback(row, state, "no_times", before=(self._line(state, "voice.no_times"),))
        else:
            state.step = Step.HOW
        return await self._prompt(row, state)

    async def _next_page(self, row: q.CallRow, state: CallState) -> Speech:
        """9 on a list longer than a page: the next page (after the last, the first)."""
        state.data = {**state.data, "page": str(int(state.data.get("page", "0")) + 1)}
        state.failures = 0
        return await self._prompt(row, state)

    async def _chose_how(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit not in (1, 2):
            return await self._again(row, state)
        state.failures = 0
        if digit == 1:
            state.step, state.data = Step.PLACE, {**state.data, "page": "0"}
            return await self._prompt(row, state)
        state.data = {k: v for k, v in state.data.items() if k not in ("place", "skip")} | {"modality": "phone"}
        state.step = Step.TIME
        return await self._prompt(row, state)

    async def _chose_place(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit == MORE_KEY and state.data.get("more") == "1":
            return await self._next_page(row, state)
        place = pick(digit, state.data.get("places", "").split())
        if place is None:
            return await self._again(row, state)
        state.data = {**state.data, "modality": "help_point", "place": place, "skip": "0", "page": "0"}
        state.step, state.failures = Step.TIME, 0
        return await self._prompt(row, state)

    async def _chose_time(self, row: q.CallRow, state: CallState, digit: int) -> Speech:
        if digit == 2:
            state.data = {**state.data, "skip": str(int(state.data.get("skip", "0")) + 1)}
            state.failures = 0
            return await self._prompt(row, state)
        if digit != 1 or "offered" not in state.data:
            return await self._again(row, state)
        starts_at = datetime.fromisoformat(state.data["offered"])
        try:
            await self._book(row, state, starts_at)
        except Conflict:
            # Taken meanwhile (in the app, or by another caller): the next free time is offered instead.
            state.failures = 0
            return await self._prompt(row, state, before=(self._line(state, "voice.taken"),))
        row.outcome = "booked"
        state.step, state.failures = Step.BOOKED, 0
        state.data = {**state.data, **await self._booked(state, starts_at)}
        return self._ask(state, self._booked_line(state))

    async def _booked(self, state: CallState, starts_at: datetime) -> dict[str, str]:
        """What the confirmation repeats: the time, the street address, what to bring (kept to say again)."""
        info = PlaceInfo(state.data["modality"], state.data.get("place_name", ""))
        if info.modality == Modality.HELP_POINT.value and "place" in state.data:
            point = await network_q.get_help_point(uuid.UUID(state.data["place"]))
            if point is not None:
                info = PlaceInfo(
                    info.modality, point.name, point.street_address, point.municipality, point.translations
                )
        topic = await topics_q.get_topic(state.data["topic"])
        items = (topic.bring.get(state.language) or topic.bring.get("fi") or []) if topic else []
        return {
            "booked_when": spoken_time(starts_at, state.language),
            "booked_place": place_text(info, state.language),
            "booked_bring": bring_text(list(items), state.language),
        }

    def _booked_line(self, state: CallState) -> Line:
        values = {"when": state.data.get("booked_when", ""), "place": state.data.get("booked_place", "")}
        return self._line(state, "voice.booked", **values, bring=state.data.get("booked_bring", ""))

    # ---- prompts ------------------------------------------------------------------------------------------

    async def _prompt(self, row: q.CallRow, state: CallState | None = None, *, before: tuple[Line, ...] = ()) -> Speech:
        """What the caller hears on arriving at their step (again)."""
        state = state or CallState(Step(row.step), row.language, row.failures, row.data)
        if state.step is Step.LANGUAGE:
            return Speech(
                before + tuple(self._line(CallState(language=lang), "voice.language") for lang in ("fi", "sv", "en"))
            )
        whole = {Step.TIME: self._offer_time, Step.EVENT: self._events_offered}.get(state.step)
        if whole is not None:
            return await whole(row, state, before)
        if state.step is Step.BOOKED:
            return self._ask(state, *before, self._booked_line(state))
        simple = {Step.MENU: "voice.menu", Step.HOW: "voice.how"}.get(state.step)
        if simple is not None:
            return self._ask(state, *before, self._line(state, simple))
        build = {Step.TOPIC: self._topics, Step.PLACE: self._places, Step.REMINDER: self._reminder}.get(state.step)
        line = await build(row, state) if build is not None else None
        if line is None:
            return Speech(before, gather=False, hang_up=True)
        return self._ask(state, *before, line)

    async def _reminder(self, row: q.CallRow, state: CallState) -> Line | None:
        if row.person_id is None:
            return None
        session = await replies_q.resident_session(row.person_id, uuid.UUID(state.data["session"]))
        if session is None:
            return None
        when = self._when(state, session.starts_at, session.modality, session.help_point_name)
        return self._line(state, "voice.reminder", **when)

    async def _topics(self, row: q.CallRow, state: CallState) -> Line:
        """The topics (a partner-only one goes to its partner), numbered, a page at a time: the commonest of the
        last 90 days first (then the network's own order). The order is kept for the whole call, so paging with 9
        never skips or repeats one however requests come in meanwhile."""
        every = await topics_q.list_topics(active_only=True)
        by_code = {t.code: t for t in every}
        order = [c for c in state.data.get("topic_order", "").split() if c in by_code]
        if self._page(state) == 0 or len(order) != len(by_code):
            demand = await topics_q.demand(self._clock.now() - TOPIC_DEMAND_WINDOW)
            order = [t.code for t in sorted(every, key=lambda t: (-demand.get(t.code, 0), t.sort_order, t.code))]
        codes, more = page_of(order, self._page(state))
        state.data = {
            **state.data,
            "topics": " ".join(codes),
            "more": "1" if more else "0",
            "topic_order": " ".join(order),
        }
        names = [by_code[c].names.get(state.language) or by_code[c].names.get("fi", c) for c in codes]
        return self._line(state, "voice.topic", options=self._options(state, names, more=more))

    async def _places(self, row: q.CallRow, state: CallState) -> Line:
        """The help points with a free time for the chosen topic in the caller's language (within four weeks; all
        of them if none has), by municipality and name, a page at a time."""
        found = await self._booking.first_free(state.data["topic"], _booking_language(state.language))
        open_ones = [point for point, starts_at in found.help_points.values() if starts_at is not None]
        if not open_ones:
            open_ones = [point for point, _ in found.help_points.values()]
        if not open_ones:  # a topic only a partner serves has no help points here: all the network's
            listed = await network_q.list_help_points(PageRequest(MAX_LIMIT), within=None, active_only=True)
            open_ones = list(listed.items)
        by_id = {str(p.id): p for p in open_ones}
        ordered = [str(p.id) for p in sorted(open_ones, key=lambda p: (p.municipality, p.name))]
        ids, more = page_of(ordered, self._page(state))
        state.data = {**state.data, "places": " ".join(ids), "more": "1" if more else "0"}
        names = [f"{by_id[i].name}, {by_id[i].municipality}" for i in ids]
        return self._line(state, "voice.place", options=self._options(state, names, more=more))

    @staticmethod
    def _page(state: CallState) -> int:
        page = state.data.get("page", "0")
        return int(page) if page.isdigit() else 0

    async def _offer_time(self, row: q.CallRow, state: CallState, before: tuple[Line, ...]) -> Speech:
        modality = Modality(state.data.get("modality", "phone"))
        point = uuid.UUID(state.data["place"]) if modality is Modality.HELP_POINT else None
        query = BookingQuery(state.data["topic"], _booking_language(state.language), modality, point)
        today = local_date(self._clock.now())
        slots = await self._booking.slots(query, today, today + timedelta(days=SEARCH_DAYS - 1))
        skip = int(state.data.get("skip", "0"))
        if skip >= len(slots):
            lines = (*before, self._line(state, "voice.no_times"))
            return await self._callback(row, state, "no_times", before=lines)
        offered = slots[skip].start
        place_name = ""
        if point is not None:
            found = await network_q.get_help_point(point)
            place_name = found.name if found else ""
        state.data = {**state.data, "offered": offered.isoformat(), "place_name": place_name}
        when = self._when(state, offered, modality.value, place_name)
        return self._ask(state, *before, self._line(state, "voice.offer", **when))

    # ---- doing things -------------------------------------------------------------------------------------

    async def _route(self, row: q.CallRow, state: CallState, organisation_id: uuid.UUID) -> Speech:
        """A partner-only topic: a request in the partner's queue (by phone, the keypress the consent), and the
        caller told who will call them."""
        if not row.phone:
            return self._end(row, state, "voice.no_number", outcome="no_number")
        now = self._clock.now()
        await self._ensure_resident(row, state, now)
        resident = self._resident(row, state)
        await self._booking.book(
            resident,
            BookingQuery(state.data["topic"], _booking_language(state.language), Modality.PHONE, None),
            starts_at=now,
            needs=frozenset(),
            idempotency_key=f"call:{row.call_sid}"[:64],
            on_behalf=OnBehalf(resident_id=resident.person_id, consent_at=now, channel="phone"),
        )
        partner = await network_q.get_organisation(organisation_id)
        name = partner.name if partner else ""
        return self._end(row, state, "voice.routed", outcome="routed", values={"organisation": name})

    async def _ensure_resident(self, row: q.CallRow, state: CallState, now: datetime) -> None:
        """The caller as a resident: the one with their number, or a new one."""
        if row.person_id is None:
            async with write_transaction(self._engine):
                found = await q.person_by_phone(row.phone)
                if found is None:
                    person_id = await people_q.insert_person(
                        phone=row.phone, first_name="", last_name="", language=state.language, now=now
                    )
                    await people_q.grant(person_id=person_id, role=Role.RESIDENT, organisation_id=None, now=now)
                    row.person_id = person_id
                else:
                    row.person_id = found[0]
            await q.save(row, now)

    async def _book(self, row: q.CallRow, state: CallState, starts_at: datetime) -> None:
        now = self._clock.now()
        await self._ensure_resident(row, state, now)
        modality = Modality(state.data["modality"])
        point = uuid.UUID(state.data["place"]) if modality is Modality.HELP_POINT else None
        resident = self._resident(row, state)
        await self._booking.book(
            resident,
            BookingQuery(state.data["topic"], _booking_language(state.language), modality, point),
            starts_at=starts_at,
            needs=frozenset(),
            idempotency_key=f"call:{row.call_sid}"[:64],
            # The caller pressed 1 to take the time: that is their consent; the request is marked as by phone.
            on_behalf=OnBehalf(resident_id=resident.person_id, consent_at=now, channel="phone"),
        )

    async def _callback(
        self, row: q.CallRow, state: CallState, reason: str, *, before: tuple[Line, ...] = ()
    ) -> Speech:
        if not row.phone:
            return self._end(row, state, "voice.no_number", outcome="no_number", before=before)
        session = state.data.get("session")
        await q.add_callback(
            phone=row.phone,
            person_id=row.person_id,
            language=state.language,
            reason=reason,
            tried=row.tried,
            call_id=row.id,
            session_id=uuid.UUID(session) if session else None,
            now=self._clock.now(),
        )
        return self._end(row, state, "voice.callback", outcome="callback", before=before)

    # ---- helpers ------------------------------------------------------------------------------------------

    def _resident(self, row: q.CallRow, state: CallState) -> Principal:
        assert row.person_id is not None
        return Principal(
            person_id=row.person_id,
            sign_in_id=uuid.UUID(int=0),
            first_name="",
            language=state.language,
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )

    def _line(self, state: CallState, name: str, **values: str) -> Line:
        return Line(self._notifications.text(self._templates, name, state.language, values), state.language)

    def _options(self, state: CallState, names: list[str], *, more: bool = False) -> str:
        numbered = [(str(i), n) for i, n in enumerate(names, start=1)]
        if more:
            numbered.append((str(MORE_KEY), MORE.get(state.language, MORE["fi"])))
        return " ".join(
            self._notifications.text(self._templates, "voice.option", state.language, {"name": n, "digit": digit})
            for digit, n in numbered
        )

    def _when(self, state: CallState, starts_at: datetime, modality: str, place_name: str) -> dict[str, str]:
        return {
            "when": spoken_time(starts_at, state.language),
            "place": place_text(PlaceInfo(modality, place_name), state.language),
        }

    def _ask(self, state: CallState, *lines: Line) -> Speech:
        return Speech(tuple(lines), language=state.language)

    def _end(
        self,
        row: q.CallRow,
        state: CallState,
        name: str,
        *,
        outcome: str,
        before: tuple[Line, ...] = (),
        values: dict[str, str] | None = None,
    ) -> Speech:
        state.step = Step.DONE
        row.outcome = outcome
        line = self._line(state, name, **(values or {}))
        return Speech((*before, line), gather=False, hang_up=True, language=state.language)

    async def _fresh_templates(self) -> None:
        """The coordinators' wordings as the notifications keep them (prompts render synchronously)."""
        self._templates = await self._notifications.templates()


def _booking_language(language: str) -> str:
    return language if language in ("fi", "sv", "en") else "fi"


def _traced(step: str, digits: str | None, data: dict[str, str]) -> str:
    """One keypress for the coordinator who calls back: `step:digit`, and for a choice from a spoken list what
    was chosen (`topic:2=online_banking`, `place:1=<help point id>`), since the list's order is gone later."""
    pressed = f"{step}:{digits or '-'}"
    options = {Step.TOPIC.value: "topics", Step.PLACE.value: "places"}.get(step)
    if options and digits and digits.isdigit():
        chosen = pick(int(digits), data.get(options, "").split())
        if chosen is not None:
            return f"{pressed}={chosen}"
    return pressed
