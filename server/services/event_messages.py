"""Putting group-session messages into the outbox: a place or the waitlist, a freed place offered, reminders,
a cancellation; and the volunteers' duty reminders. Like `NotificationService`, every method runs inside the
caller's write transaction, and a sign-up's waiting messages are cancelled with the change that makes them moot.

Residents get the same treatment as for a session: link-free SMS with their code word (a landline a call instead,
in the day-time), reminders the day before and two hours before that are never sent at night, and every SMS to
them about a sign-up is a question a reply answers (PERU cancels; 1 or 2 keeps or gives up a place offered).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from server.adapters.clock import Clock
from server.db import message_context, outbox
from server.domain.events import GroupEvent, Signup, SignupState
from server.domain.ivr import spoken_time
from server.domain.messages import PlaceInfo, place_text, when_text
from server.domain.phone import is_mobile
from server.domain.reminders import Kind, QuietHours, reminders
from server.services.notifications import NotificationService, Templates, language_of, push_body

# Kinds of the messages (the outbox's `kind`): the reply service reads a reply against the latest of these.
CONFIRMED = "event_confirmed"
WAITLISTED = "event_waitlisted"
OFFERED = "event_offer"
LEFT = "event_left"
CANCELLED = "event_cancelled"
DUTY_REMINDER = "duty_reminder"
DUTY_REMOVED = "duty_removed"
DUTY_MOVED = "duty_moved"
MOVED = "event_moved"
DUTY_REMINDER_BEFORE = timedelta(hours=24)
DUTY_REMINDER_AT_LEAST = timedelta(hours=3)


def place_of(event: GroupEvent, language: str) -> str:
    venue = event.venue
    if venue.help_point_id is None:
        return place_text(PlaceInfo("video"), language)
    info = PlaceInfo("help_point", venue.name, venue.street_address, venue.municipality, venue.translations)
    return place_text(info, language)


class EventMessages:
    def __init__(self, *, clock: Clock, notifications: NotificationService) -> None:
        self._clock = clock
        self._notifications = notifications

    @property
    def quiet_hours(self) -> QuietHours:
        return self._notifications.quiet_hours

    # ---- residents --------------------------------------------------------------------------------------------

    async def signed_up(self, signup: Signup, event: GroupEvent, *, position: int, own: bool) -> int:
        """A place (a confirmation and the reminders) or the waitlist (where in it). Told at once, also at night,
        when the resident did it themselves; a landline hears it from whoever signed them up."""
        person = await self._person(signup.person_id)
        if person is None or not is_mobile(person.phone):
            return await self._reminders(signup, event, person)
        now = self._clock.now()
        language = language_of(person)
        templates = await self._notifications.templates()
        confirmed = position == 0
        name = "resident.event_confirmed" if confirmed else "resident.event_waitlisted"
        values = self._values(event, language) | {"position": str(position)}
        draft = self._sms(
            signup,
            person,
            kind=CONFIRMED if confirmed else WAITLISTED,
            body=self._notifications.text(templates, name, language, values, code_word=person.code_word),
            due_at=now if own else self._notifications.quiet_hours.later(now),
            not_after=event.starts_at,
            key=f"signup:{signup.id}:{signup.queue_no}:{'confirmed' if confirmed else 'waitlisted'}",
            anytime=own,
        )
        written = await outbox.insert([draft], now)
        return written + (await self._reminders(signup, event, person) if confirmed else 0)

    async def place_offered(self, signup: Signup, event: GroupEvent, until: datetime) -> int:
        """A freed place held for the first on the waitlist: a text asks them to keep (1) or give it up (2). Not
        at night (the hold counts from the morning)."""
        person = await self._person(signup.person_id)
        if person is None:
            return 0
        now = self._clock.now()
        language = language_of(person)
        templates = await self._notifications.templates()
        values = self._values(event, language) | {"until": when_text(until, language)}
        body = self._notifications.text(
            templates, "resident.event_place_offered", language, values, code_word=person.code_word
        )
        draft = self._sms(
            signup,
            person,
            kind=OFFERED,
            body=body,
            due_at=self._notifications.quiet_hours.later(now),
            not_after=until,
            key=f"signup:{signup.id}:{signup.queue_no}:offered:{until:%Y%m%dT%H%M}",
        )
        return await outbox.insert([draft], now)

    async def place_given(self, signup: Signup, event: GroupEvent) -> int:
        """A landline resident cannot answer a text: the freed place is theirs, and a call (in the day-time) says
        so; the reminder call follows as for any place."""
        person = await self._person(signup.person_id)
        if person is None:
            return 0
        now = self._clock.now()
        language = language_of(person)
        templates = await self._notifications.templates()
        spoken = self._spoken(event, language)
        draft = self._sms(
            signup,
            person,
            kind=CONFIRMED,
            body=self._notifications.text(templates, "voice.event_place", language, spoken),
            due_at=self._notifications.quiet_hours.later(now),
            not_after=event.starts_at,
            key=f"signup:{signup.id}:{signup.queue_no}:given:voice",
            channel="voice",
        )
        return await outbox.insert([draft], now) + await self._reminders(signup, event, person)

    async def moved(self, signup: Signup, event: GroupEvent) -> int:
        """The event has a new time or place: what waited for the sign-up is cancelled, the resident is told (an
        SMS, a call to a landline; not at night), and a place's reminders are planned for the new time."""
        now = self._clock.now()
        await outbox.cancel_pending(now=now, reason="the event moved", signup_ids=[signup.id])
        person = await self._person(signup.person_id)
        if person is None:
            return 0
        language = language_of(person)
        templates = await self._notifications.templates()
        mobile = is_mobile(person.phone)
        if mobile:
            body = self._notifications.text(
                templates, "resident.event_moved", language, self._values(event, language), code_word=person.code_word
            )
        else:
            body = self._notifications.text(templates, "voice.event_moved", language, self._spoken(event, language))
        draft = self._sms(
            signup,
            person,
            kind=MOVED,
            body=body,
            due_at=self._notifications.quiet_hours.later(now),
            not_after=event.starts_at,
            key=f"signup:{signup.id}:{signup.queue_no}:moved:{event.starts_at:%Y%m%dT%H%M}:{event.venue.help_point_id}",
            channel="sms" if mobile else "voice",
        )
        written = await outbox.insert([draft], now)
        if signup.state is SignupState.CONFIRMED:
            written += await self._reminders(signup, event, person)
        return written

    async def kept(self, signup: Signup, event: GroupEvent) -> int:
        """A place offered was kept: its reminders (the answer to the text says it is confirmed)."""
        return await self._reminders(signup, event, await self._person(signup.person_id))

    async def left(self, signup: Signup, event: GroupEvent, *, tell: bool) -> int:
        """The resident's sign-up ended (cancelled, given up, not answered): what waited for it is cancelled; when
        `tell` (someone else did it), an SMS says so."""
        now = self._clock.now()
        await outbox.cancel_pending(now=now, reason="the sign-up ended", signup_ids=[signup.id])
        if not tell or now >= event.starts_at:
            return 0
        person = await self._person(signup.person_id)
        if person is None or not is_mobile(person.phone):
            return 0
        language = language_of(person)
        templates = await self._notifications.templates()
        body = self._notifications.text(
            templates, "resident.event_left", language, self._values(event, language), code_word=person.code_word
        )
        draft = self._sms(
            signup,
            person,
            kind=LEFT,
            body=body,
            due_at=self._notifications.quiet_hours.later(now),
            not_after=event.starts_at,
            key=f"signup:{signup.id}:{signup.queue_no}:left",
        )
        return await outbox.insert([draft], now)

    async def event_cancelled(self, event: GroupEvent, signups: Iterable[Signup]) -> int:
        """Everyone with a place or on the waitlist is told: an SMS, or a call to a landline (in the day-time)."""
        now = self._clock.now()
        signups = list(signups)
        if not signups:
            return 0
        await outbox.cancel_pending(now=now, reason="the event was cancelled", signup_ids=[s.id for s in signups])
        if now >= event.starts_at:
            return 0
        people = await message_context.people({s.person_id for s in signups})
        templates = await self._notifications.templates()
        drafts = []
        for signup in signups:
            person = people.get(signup.person_id)
            if person is None:
                continue
            language = language_of(person)
            mobile = is_mobile(person.phone)
            body = (
                self._notifications.text(
                    templates,
                    "resident.event_cancelled",
                    language,
                    self._values(event, language),
                    code_word=person.code_word,
                )
                if mobile
                else self._notifications.text(
                    templates, "voice.event_cancelled", language, self._spoken(event, language)
                )
            )
            drafts.append(
                self._sms(
                    signup,
                    person,
                    kind=CANCELLED,
                    body=body,
                    due_at=self._notifications.quiet_hours.later(now),
                    not_after=event.starts_at,
                    key=f"signup:{signup.id}:event-cancelled",
                    channel="sms" if mobile else "voice",
                )
            )
        return await outbox.insert(drafts, now)

    async def _reminders(self, signup: Signup, event: GroupEvent, person: message_context.PersonInfo | None) -> int:
        """The day-before and two-hours-before reminders of a place (never at night); a landline gets the
        day-before one as a call."""
        if person is None:
            return 0
        now = self._clock.now()
        plan = reminders(starts_at=event.starts_at, now=now, quiet=self._notifications.quiet_hours, has_volunteer=False)
        mobile = is_mobile(person.phone)
        language = language_of(person)
        templates = await self._notifications.templates()
        drafts = []
        for planned in plan:
            if not mobile and planned.kind is not Kind.REMINDER_24H:
                continue
            if mobile:
                body = self._notifications.text(
                    templates,
                    "resident.event_reminder",
                    language,
                    self._values(event, language),
                    code_word=person.code_word,
                )
            else:
                body = self._notifications.text(
                    templates, "voice.event_reminder", language, self._spoken(event, language)
                )
            channel = "sms" if mobile else "voice"
            drafts.append(
                self._sms(
                    signup,
                    person,
                    kind=planned.kind.value,
                    body=body,
                    due_at=planned.due_at,
                    not_after=event.starts_at,
                    # The event's time in the key: a moved event's reminders are new messages.
                    key=f"signup:{signup.id}:{signup.queue_no}:{planned.kind.value}:{channel}:{event.starts_at:%Y%m%dT%H%M}",
                    channel=channel,
                )
            )
        return await outbox.insert(drafts, now)

    # ---- volunteers -------------------------------------------------------------------------------------------

    async def duty_taken(self, duty_id: uuid.UUID, volunteer_id: uuid.UUID, event: GroupEvent) -> int:
        """A reminder the day before (a push, or the SMS instead; not at night), unless the duty is that close."""
        now = self._clock.now()
        due = self._notifications.quiet_hours.later(event.starts_at - DUTY_REMINDER_BEFORE)
        if not now < due <= event.starts_at - DUTY_REMINDER_AT_LEAST:
            return 0
        return await self._to_volunteer(
            duty_id, volunteer_id, event, "volunteer.duty_reminder", DUTY_REMINDER, due, "reminder"
        )

    async def duty_given_back(self, duty_id: uuid.UUID) -> int:
        return await outbox.cancel_pending(
            now=self._clock.now(), reason="the duty was given back", key_prefixes=[f"duty:{duty_id}:"]
        )

    async def duties_removed(
        self, duties: list[tuple[uuid.UUID, uuid.UUID]], event: GroupEvent, *, what: str = "cancelled"
    ) -> int:
        """The event was cancelled (or moved to a time they cannot take): each volunteer taken off it is told (a
        push now, an SMS instead)."""
        name = "volunteer.duty_removed" if what == "cancelled" else "volunteer.duty_dropped"
        written = 0
        for duty_id, volunteer_id in duties:
            await self.duty_given_back(duty_id)
            if self._clock.now() < event.starts_at:
                written += await self._to_volunteer(
                    duty_id, volunteer_id, event, name, DUTY_REMOVED, self._clock.now(), "removed"
                )
        return written

    async def duty_moved(self, duty_id: uuid.UUID, volunteer_id: uuid.UUID, event: GroupEvent) -> int:
        """The event moved and the volunteer stays on it: told now, and reminded the day before as usual."""
        told = await self._to_volunteer(
            duty_id, volunteer_id, event, "volunteer.duty_moved", DUTY_MOVED, self._clock.now(), "moved"
        )
        return told + await self.duty_taken(duty_id, volunteer_id, event)

    async def _to_volunteer(
        self,
        duty_id: uuid.UUID,
        volunteer_id: uuid.UUID,
        event: GroupEvent,
        name: str,
        kind: str,
        due: datetime,
        what: str,
    ) -> int:
        person = (await message_context.people({volunteer_id})).get(volunteer_id)
        if person is None:
            return 0
        language = language_of(person)
        templates: Templates = await self._notifications.templates()
        values = {"when": when_text(event.starts_at, language), "place": place_of(event, language)}
        push = push_body(
            self._notifications.text(templates, name, language, values),
            url="/#/vapaaehtoinen/ryhmat",
            tag=f"duty-{duty_id}",
        )
        sms = self._notifications.text(templates, f"{name}_sms", language, values, code_word=person.code_word)
        draft = outbox.Draft(
            key=f"duty:{duty_id}:{what}:{event.starts_at:%Y%m%dT%H%M}:push",
            kind=kind,
            channel="push",
            body=push,
            due_at=due,
            not_after=event.starts_at,
            person_id=person.id,
            phone=person.phone,
            language=language,
            sms_body=sms,
        )
        return await outbox.insert([draft], self._clock.now())

    # ---- helpers ----------------------------------------------------------------------------------------------

    @staticmethod
    async def _person(person_id: uuid.UUID) -> message_context.PersonInfo | None:
        return (await message_context.people({person_id})).get(person_id)

    @staticmethod
    def _values(event: GroupEvent, language: str) -> dict[str, str]:
        return {"when": when_text(event.starts_at, language), "place": place_of(event, language)}

    @staticmethod
    def _spoken(event: GroupEvent, language: str) -> dict[str, str]:
        return {"when": spoken_time(event.starts_at, language), "place": place_of(event, language)}

    @staticmethod
    def _sms(
        signup: Signup,
        person: message_context.PersonInfo,
        *,
        kind: str,
        body: str,
        due_at: datetime,
        not_after: datetime | None,
        key: str,
        anytime: bool = False,
        channel: str = "sms",
    ) -> outbox.Draft:
        return outbox.Draft(
            key=key,
            kind=kind,
            channel=channel,
            body=body,
            due_at=due_at,
            not_after=not_after,
            person_id=person.id,
            phone=person.phone,
            language=language_of(person),
            anytime=anytime,
            signup_id=signup.id,
        )
