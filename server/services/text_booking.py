"""Booking by text message (issue: any channel, the right place). A text that answers no pending question is read
for a topic (`domain.text_booking`). A clear topic gets the next three free times at the resident's usual help
point (their last one; else we ask their municipality), numbered; the answer "2" books the second, with the normal
confirmation and reminders; "SOITA" asks a person to call. A partner-only topic goes to that partner's queue and
the resident is told who will contact them. Anything unclear goes to the coordinators' inbox with the topic it most
likely is about. A conversation left half-way expires after a day and does nothing.

Booking goes through `BookingService.book` (the one guarded way), with the conversation's id as the idempotency
key: two quick replies book once. These calls run outside the reply's own transaction, so a refused booking never
takes the received text with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.adapters.clock import Clock
from server.db import calls as calls_q
from server.db import network as network_q
from server.db import people as people_q
from server.db import replies as replies_q
from server.db import text_booking as q
from server.db import topics as topics_q
from server.db.engine import AnyEngine, write_transaction
from server.domain.clocktime import local_date
from server.domain.drop_in import municipality_in
from server.domain.errors import Conflict, DomainError
from server.domain.matching import Modality
from server.domain.messages import PlaceInfo, place_text, when_text
from server.domain.network import HelpPoint
from server.domain.paging import MAX_LIMIT, PageRequest
from server.domain.roles import Grant, Principal, Role
from server.domain.text_booking import CHOICES, CONVERSATION_HOURS, choice_of, lexicon_with, read, wants_call
from server.domain.topics import Topic
from server.services.booking import BookingQuery, BookingService, OnBehalf

SEARCH_DAYS = 14
MAX_PLACES_TRIED = 10  # help points of a municipality searched for free times, in order of name


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """What a text did, for `ReplyService` to record and answer: the action, the answer's template and values,
    whether a person must read it (with the topic it most likely is), and the language to answer in."""

    action: str
    answer: str | None
    language: str
    values: dict[str, str] = field(default_factory=dict)
    inbox: bool = False
    suggested_topic: str = ""
    changed: bool = False


def _language(person: replies_q.Sender | None, said: str | None) -> str:
    if person is not None and person.language in ("fi", "sv", "en"):
        return person.language
    return said if said in ("fi", "sv", "en") else "fi"


class TextBookingService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, booking: BookingService) -> None:
        self._clock = clock
        self._engine = engine
        self._booking = booking

    # ---- which texts are ours ---------------------------------------------------------------------------------

    @staticmethod
    def under_way(conversation: q.Conversation | None, latest_prompt: datetime | None) -> bool:
        """A conversation waiting for an answer (or one that just expired, to be told so), newer than the last
        SMS that asked the resident something else."""
        if conversation is None or conversation.state not in ("municipality", "offered"):
            return False
        return latest_prompt is None or conversation.updated_at >= latest_prompt

    async def names_a_topic(self, body: str) -> bool:
        """Whether a text clearly names one of the topics in use."""
        topics = await topics_q.list_topics(active_only=True)
        return read(body, lexicon_with(await q.words(), [t.code for t in topics])).topic is not None

    # ---- a new text -------------------------------------------------------------------------------------------

    async def start(self, phone: str, person: replies_q.Sender | None, body: str) -> TextAnswer:
        """Read a text for a topic and act on it."""
        topics = await topics_q.list_topics(active_only=True)
        reading = read(body, lexicon_with(await q.words(), [t.code for t in topics]))
        language = _language(person, reading.language)
        if reading.topic is None:
            return TextAnswer("unknown", "reply.unclear", language, inbox=True, suggested_topic=reading.guess or "")
        topic = next(t for t in topics if t.code == reading.topic)
        now = self._clock.now()
        if topic.partner_only_organisation_id is not None:
            return await self._route(phone, person, topic, topic.partner_only_organisation_id, language, now)
        conversation = q.Conversation(
            id=uuid.uuid4(),
            phone=phone,
            person_id=person.id if person else None,
            language=language,
            topic=topic.code,
            state="municipality",
            help_point_id=None,
            offered=[],
            updated_at=now,
            expires_at=now + timedelta(hours=CONVERSATION_HOURS),
        )
        usual = await q.usual_help_point(person.id) if person else None
        if usual is not None:
            offered = await self._offer(conversation, topic, usual, now)
            if offered is not None:
                return offered
        async with write_transaction(self._engine):
            await q.save(conversation, now)
        return TextAnswer("asked", "reply.text_where", language)

    # ---- an answer in a conversation --------------------------------------------------------------------------

    async def answer(self, conversation: q.Conversation, person: replies_q.Sender | None, body: str) -> TextAnswer:
        now = self._clock.now()
        if conversation.expires_at <= now:
            return await self._expired(conversation, person, body, now)
        if wants_call(body):
            return await self._call(conversation, now)
        topic = await topics_q.get_topic(conversation.topic)
        if topic is None or not topic.active:
            await self._close(conversation, now)
            return TextAnswer("unknown", "reply.unclear", conversation.language, inbox=True)
        if conversation.state == "municipality":
            return await self._where(conversation, topic, body, now)
        number = choice_of(body, len(conversation.offered))
        if number is None:  # not a choice: read as a new text
            await self._close(conversation, now)
            return await self.start(conversation.phone, person, body)
        return await self._book(conversation, topic, conversation.offered[number - 1], now)

    async def _expired(
        self, conversation: q.Conversation, person: replies_q.Sender | None, body: str, now: datetime
    ) -> TextAnswer:
        """A day has passed: a choice books nothing and says so; any other text is read as a new one."""
        offered = conversation.state == "offered"
        await self._close(conversation, now)
        if offered and choice_of(body, len(conversation.offered)) is not None:
            return TextAnswer("expired", "reply.text_expired", conversation.language)
        return await self.start(conversation.phone, person, body)

    async def _call(self, conversation: q.Conversation, now: datetime) -> TextAnswer:
        """SOITA: a person calls them (the coordinators' call-back queue), nothing booked."""
        await self._close(conversation, now)
        async with write_transaction(self._engine):
            await calls_q.add_callback(
                phone=conversation.phone,
                person_id=conversation.person_id,
                language=conversation.language,
                reason="text",
                tried=[f"text:{conversation.topic}"],
                call_id=None,
                session_id=None,
                now=now,
            )
        return TextAnswer("callback", "reply.text_call", conversation.language, changed=True)

    # ---- steps ------------------------------------------------------------------------------------------------

    async def _where(self, conversation: q.Conversation, topic: Topic, body: str, now: datetime) -> TextAnswer:
        """The resident named their municipality: of its help points, the one with the soonest free time for the
        topic in the resident's language (the next-free-time search), then the others by name."""
        listed = await network_q.list_help_points(PageRequest(MAX_LIMIT), within=None, active_only=True)
        points = list(listed.items)
        name = municipality_in(body, {p.municipality for p in points})
        if name is None:
            await self._close(conversation, now)
            language = conversation.language
            return TextAnswer("unknown", "reply.unclear", language, inbox=True, suggested_topic=topic.code)
        soonest = (await self._booking.first_free(topic.code, conversation.language)).help_points
        far = datetime.max.replace(tzinfo=now.tzinfo)

        def order(point: HelpPoint) -> tuple[datetime, str]:
            first = soonest.get(point.id, (point, None))[1]
            return (first or far, point.name)

        for point in sorted((p for p in points if p.municipality == name), key=order)[:MAX_PLACES_TRIED]:
            offered = await self._offer(conversation, topic, point.id, now)
            if offered is not None:
                return offered
        await self._close(conversation, now)
        return TextAnswer(
            "unknown", "reply.text_no_times", conversation.language, inbox=True, suggested_topic=topic.code
        )

    async def _offer(
        self,
        conversation: q.Conversation,
        topic: Topic,
        help_point_id: uuid.UUID,
        now: datetime,
        *,
        again: bool = False,
    ) -> TextAnswer | None:
        """The next free times at the help point, numbered; None if it has none within two weeks."""
        point = await network_q.get_help_point(help_point_id)
        if point is None or not point.active:
            return None
        today = local_date(now)
        query = BookingQuery(topic.code, conversation.language, Modality.HELP_POINT, help_point_id)
        slots = await self._booking.slots(query, today, today + timedelta(days=SEARCH_DAYS - 1))
        starts = sorted({s.start for s in slots})[:CHOICES]
        if not starts:
            return None
        conversation.state, conversation.help_point_id, conversation.offered = "offered", help_point_id, starts
        conversation.expires_at = now + timedelta(hours=CONVERSATION_HOURS)
        async with write_transaction(self._engine):
            await q.save(conversation, now)
        language = conversation.language
        options = "\n".join(f"{n}) {when_text(start, language)}" for n, start in enumerate(starts, start=1))
        numbers = ", ".join(str(n) for n in range(1, len(starts)))
        values = {
            "place": place_text(
                PlaceInfo("help_point", point.name, point.street_address, point.municipality, point.translations),
                language,
            ),
            "options": options,
            "numbers": f"{numbers} {_OR[language]} {len(starts)}" if len(starts) > 1 else "1",
        }
        return TextAnswer("offered", "reply.text_taken" if again else "reply.text_times", language, values)

    async def _book(self, conversation: q.Conversation, topic: Topic, starts_at: datetime, now: datetime) -> TextAnswer:
        language = conversation.language
        resident_id = conversation.person_id or await self._resident(conversation, now)
        resident = Principal(
            person_id=resident_id,
            sign_in_id=uuid.UUID(int=0),
            first_name="",
            language=language,
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )
        query = BookingQuery(topic.code, language, Modality.HELP_POINT, conversation.help_point_id)
        try:
            await self._booking.book(
                resident,
                query,
                starts_at=starts_at,
                needs=frozenset(),
                idempotency_key=f"text:{conversation.id}",
                # The resident chose the time by their own text: that is their consent; the request is marked SMS.
                on_behalf=OnBehalf(resident_id=resident_id, consent_at=now, channel="sms"),
            )
        except Conflict as refused:
            if refused.code == "resident_busy":
                return TextAnswer("refused", "reply.text_busy", language, {"when": when_text(starts_at, language)})
            assert conversation.help_point_id is not None
            again = await self._offer(conversation, topic, conversation.help_point_id, now, again=True)
            if again is not None:
                return again
            await self._close(conversation, now)
            return TextAnswer("unknown", "reply.text_no_times", language, inbox=True, suggested_topic=topic.code)
        except DomainError:
            await self._close(conversation, now)
            return TextAnswer("unknown", "reply.unclear", language, inbox=True, suggested_topic=topic.code)
        await self._close(conversation, now)
        # The booking's own confirmation (with the code word, and reminders after it) is the answer.
        return TextAnswer("booked", None, language, changed=True)

    async def _route(
        self,
        phone: str,
        person: replies_q.Sender | None,
        topic: Topic,
        partner_id: uuid.UUID,
        language: str,
        now: datetime,
    ) -> TextAnswer:
        """A partner-only topic (`partner_id` serves it): a request in the partner's queue; the resident is told who
        will contact them."""
        conversation = q.Conversation(
            id=uuid.uuid4(),
            phone=phone,
            person_id=person.id if person else None,
            language=language,
            topic=topic.code,
            state="done",
            help_point_id=None,
            offered=[],
            updated_at=now,
            expires_at=now,
        )
        resident_id = conversation.person_id or await self._resident(conversation, now)
        resident = Principal(
            person_id=resident_id,
            sign_in_id=uuid.UUID(int=0),
            first_name="",
            language=language,
            grants=frozenset({Grant(Role.RESIDENT, None)}),
        )
        await self._booking.book(
            resident,
            BookingQuery(topic.code, language, Modality.PHONE, None),
            starts_at=now,
            needs=frozenset(),
            idempotency_key=f"text:{conversation.id}",
            on_behalf=OnBehalf(resident_id=resident_id, consent_at=now, channel="sms"),
        )
        async with write_transaction(self._engine):
            await q.save(conversation, now)
        partner = await network_q.get_organisation(partner_id)
        return TextAnswer(
            "routed", "reply.text_routed", language, {"organisation": partner.name if partner else ""}, changed=True
        )

    # ---- helpers ----------------------------------------------------------------------------------------------

    async def _resident(self, conversation: q.Conversation, now: datetime) -> uuid.UUID:
        """The sender as a resident: the one with their number, or a new one (they wrote to us to book)."""
        async with write_transaction(self._engine):
            found = await people_q.get_person_by_phone(conversation.phone)
            if found is not None:
                person_id = found.id
            else:
                person_id = await people_q.insert_person(
                    phone=conversation.phone, first_name="", last_name="", language=conversation.language, now=now
                )
                await people_q.grant(person_id=person_id, role=Role.RESIDENT, organisation_id=None, now=now)
            conversation.person_id = person_id
            await q.save(conversation, now)
        return person_id

    async def _close(self, conversation: q.Conversation, now: datetime) -> None:
        conversation.state = "done"
        async with write_transaction(self._engine):
            await q.save(conversation, now)


_OR = {"fi": "tai", "sv": "eller", "en": "or"}
