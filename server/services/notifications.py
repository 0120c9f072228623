"""Putting messages into the outbox: what a change to a session or an offer means for the people involved.

Every method here runs inside the caller's write transaction, so the change and its messages are committed
together or not at all; the dispatcher (services/dispatch.py) sends them later. Moving or cancelling a session
cancels what was still waiting for it in the same transaction.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from server.adapters.clock import Clock
from server.db import delivery_reports, message_context, message_templates, outbox
from server.domain.drop_in import ShiftNotice
from server.domain.ivr import spoken_time
from server.domain.messages import (
    DEFAULTS,
    NO_NAME,
    PRIVACY_LINE,
    PUSH_FALLBACK,
    PlaceInfo,
    place_text,
    render,
    when_text,
)
from server.domain.phone import display, is_mobile
from server.domain.reminders import (
    REMINDER_KINDS,
    Actor,
    Audience,
    Channel,
    Kind,
    Planned,
    QuietHours,
    SessionEvent,
    offer_escalation,
    session_plan,
)
from server.domain.roles import Principal
from server.settings import Settings

Templates = Mapping[tuple[str, str], tuple[str, bool]]
OFFER_SMS_AFTER = timedelta(minutes=10)
URGENT = frozenset({Kind.REMINDER_1H, Kind.OFFER, Kind.CANCELLED, Kind.MOVED})
TEMPLATES_KEPT = 30.0  # seconds another instance may go on with a wording a coordinator has just changed


def language_of(person: message_context.PersonInfo | None) -> str:
    return person.language if person and person.language in ("fi", "sv", "en") else "fi"


class NotificationService:
    def __init__(self, *, settings: Settings, clock: Clock, seconds: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._seconds = seconds  # how long the wordings have been kept (not the clock, which tests may stop)
        self._quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)
        self._templates: tuple[float, Templates] | None = None
        self._forgotten = 0  # how many times the wordings were forgotten: a read begun before is not kept

    async def templates(self) -> Templates:
        """The coordinators' own wordings, kept for TEMPLATES_KEPT seconds: every message planned needs them (a
        booking plans six) and they change a few times a year. A change saved through this process is seen at once
        (`forget_templates`); another instance sees it within TEMPLATES_KEPT."""
        now = self._seconds()
        if self._templates is not None and now - self._templates[0] < TEMPLATES_KEPT:
            return self._templates[1]
        forgotten = self._forgotten
        read = await message_templates.templates()
        if forgotten == self._forgotten:
            self._templates = (now, read)
        return read

    def forget_templates(self) -> None:
        """Read the wordings afresh next time (call after the change is committed)."""
        self._templates = None
        self._forgotten += 1

    @property
    def quiet_hours(self) -> QuietHours:
        return self._quiet

    @property
    def link(self) -> str:
        return self._settings.public_base_url.rstrip("/") + "/"

    @property
    def helpline(self) -> str:
        return display(self._settings.helpline_phone)

    def text(
        self, templates: Templates, name: str, language: str, values: Mapping[str, str], *, code_word: str = ""
    ) -> str:
        """One message in `language`: the coordinators' wording if they saved one, else the default."""
        own = templates.get((name, language))
        template, link_free = own if own else (DEFAULTS[name][language], True)
        # A resident's link opens "my times" in the app, except after a cancellation (book again from the start).
        link = self.link + "#/omat" if name.startswith("resident.") and name != "resident.cancelled" else self.link
        return render(
            template,
            {"helpline": self.helpline, "link": link, **values},
            link_free=link_free,
            code_word=code_word,
            language=language,
        )

    # ---- sessions -----------------------------------------------------------------------------------------

    async def session_changed(
        self,
        session_id: uuid.UUID,
        event: SessionEvent,
        caller: Principal | None,
        *,
        previous_volunteer_id: uuid.UUID | None = None,
    ) -> int:
        """Replace what was waiting for the session with what `event` (caused by `caller`; None: the system)
        calls for. Call it inside the transaction that made the change. Returns the rows written."""
        now = self._clock.now()
        if event is not SessionEvent.BOOKED:  # a session just made has nothing waiting
            await outbox.cancel_pending(session_id=session_id, now=now, reason=f"session {event.value}")
        session = await message_context.session_context(session_id)
        if session is None:
            return 0
        actor = Actor.COORDINATOR
        if caller is not None and caller.person_id == session.resident.id:
            actor = Actor.RESIDENT
        elif caller is not None and session.volunteer is not None and caller.person_id == session.volunteer.id:
            actor = Actor.VOLUNTEER
        changed = previous_volunteer_id is not None and previous_volunteer_id != (
            session.volunteer.id if session.volunteer else None
        )
        plan = session_plan(
            event,
            starts_at=session.starts_at,
            now=now,
            quiet=self._quiet,
            actor=actor,
            has_volunteer=session.volunteer is not None,
            volunteer_changed=changed,
        )
        previous = None
        if changed and previous_volunteer_id is not None:
            previous = (await message_context.people({previous_volunteer_id})).get(previous_volunteer_id)
        templates = await self.templates()
        drafts = [d for p in plan if (d := self._session_draft(p, session, previous, templates, actor)) is not None]
        drafts = [await self._with_privacy_notice(d, session) for d in drafts]
        return await outbox.insert(drafts, now)

    async def _with_privacy_notice(self, draft: outbox.Draft, session: message_context.SessionContext) -> outbox.Draft:
        """A resident's first SMS (a booking's confirmation) names the privacy notice."""
        resident = session.resident
        if draft.person_id != resident.id or draft.channel != "sms" or draft.kind != Kind.CONFIRMATION.value:
            return draft
        if draft.phone == resident.phone:
            messaged = session.resident_messaged  # read with the session
        else:
            messaged = await outbox.ever_sent_to(draft.person_id, draft.phone)
        if messaged:
            return draft
        return dataclasses.replace(draft, body=draft.body + "\n" + self.privacy_line(draft.language))

    def privacy_line(self, language: str) -> str:
        host = urlsplit(self._settings.public_base_url).hostname or ""
        return PRIVACY_LINE.get(language, PRIVACY_LINE["fi"]).format(host=host, helpline=self.helpline)

    def _session_draft(
        self,
        planned: Planned,
        session: message_context.SessionContext,
        previous: message_context.PersonInfo | None,
        templates: Templates,
        actor: Actor,
    ) -> outbox.Draft | None:
        person = {
            Audience.RESIDENT: session.resident,
            Audience.VOLUNTEER: session.volunteer,
            Audience.PREVIOUS_VOLUNTEER: previous,
        }[planned.audience]
        if person is None:
            return None
        language = language_of(person)
        place = place_text(
            PlaceInfo(
                session.modality,
                session.help_point_name,
                session.help_point_address,
                session.help_point_municipality,
                session.help_point_translations,
            ),
            language,
            helper=planned.audience is not Audience.RESIDENT,
        )
        values = {
            "when": when_text(session.starts_at, language),
            "place": place,
            "volunteer": session.volunteer.first_name if session.volunteer else "",
            "resident": session.resident.first_name or NO_NAME[language],
            "topic": session.topic_names.get(language) or session.topic_names.get("fi", ""),
        }
        group = "resident" if planned.audience is Audience.RESIDENT else "volunteer"
        name = f"{group}.{planned.kind.value}"
        channel = planned.channel.value
        due_at = planned.due_at
        if planned.channel is Channel.SMS and not is_mobile(person.phone):
            # A landline gets no SMS: the day-before reminder and a cancellation become short calls (a
            # cancellation not at night), the rest are not sent (a landline resident booked by phone and heard it).
            if planned.kind not in (Kind.REMINDER_24H, Kind.CANCELLED):
                return None
            channel = "voice"
            due_at = self._quiet.later(due_at)
        key = f"session:{session.id}:v{session.version}:{planned.kind.value}:{planned.audience.value}:{channel}"
        if channel == "voice" and planned.kind is Kind.CANCELLED:
            body = self.text(templates, "voice.cancelled_notice", language, self._spoken(language, session))
        elif channel == "voice":
            body = self.spoken_reminder(templates, language, session)
        elif planned.channel is Channel.SMS:
            body = self.text(templates, name, language, values, code_word=person.code_word)
        else:
            body = push_body(
                self.text(templates, name, language, values),
                url=f"/#/sessions/{session.id}",
                tag=f"session-{session.id}",
            )
        sms_body = ""
        if channel == "push" and f"{name}_sms" in DEFAULTS:
            sms_values = {"when": values["when"], "place": place}
            sms_body = self.text(templates, f"{name}_sms", language, sms_values, code_word=person.code_word)
        # Told at once, also at night: what the person has just done themselves (they are awake and waiting).
        own_doing = (planned.audience is Audience.RESIDENT and actor is Actor.RESIDENT) or (
            planned.audience is Audience.VOLUNTEER and actor is Actor.VOLUNTEER
        )
        return outbox.Draft(
            key=key,
            kind=planned.kind.value,
            channel=channel,
            body=body,
            due_at=due_at,
            not_after=planned.not_after,
            person_id=person.id,
            phone=person.phone,
            language=language,
            session_id=session.id,
            session_version=session.version,
            anytime=own_doing and planned.kind in (Kind.CONFIRMATION, Kind.MOVED),
            sms_body=sms_body,
        )

    # ---- offers -------------------------------------------------------------------------------------------

    async def request_received(self, request_id: uuid.UUID, resident_id: uuid.UUID) -> int:
        """A resident asked for help without a time: an SMS says it is in and what happens next (link-free, with
        their code word; not for a landline, where the voice menu said it). Inside the request's transaction."""
        person = (await message_context.people({resident_id})).get(resident_id)
        if person is None or not is_mobile(person.phone):
            return 0
        now = self._clock.now()
        language = language_of(person)
        templates = await self.templates()
        body = self.text(templates, "resident.request_received", language, {}, code_word=person.code_word)
        draft = outbox.Draft(
            key=f"request:{request_id}:received:sms",
            kind="request_received",
            channel="sms",
            body=body,
            due_at=now,
            not_after=now + timedelta(days=1),
            person_id=person.id,
            phone=person.phone,
            language=language,
            anytime=True,
        )
        if not await outbox.ever_sent_to(person.id, person.phone):
            draft = dataclasses.replace(draft, body=body + "\n" + self.privacy_line(language))
        return await outbox.insert([draft], now)

    async def request_referred(self, request_id: uuid.UUID, resident_id: uuid.UUID, organisation: str) -> int:
        """A coordinator passed the request to a partner: an SMS says who will help and that they will be in
        touch (link-free, with the code word; not for a landline, where the coordinator says it on the phone).
        Inside the referral's transaction; a second referral of the same request tells again."""
        person = (await message_context.people({resident_id})).get(resident_id)
        if person is None or not is_mobile(person.phone):
            return 0
        now = self._clock.now()
        language = language_of(person)
        templates = await self.templates()
        values = {"organisation": organisation}
        body = self.text(templates, "resident.referred", language, values, code_word=person.code_word)
        draft = outbox.Draft(
            key=f"request:{request_id}:referred:{now.isoformat()}:sms",
            kind="referred",
            channel="sms",
            body=body,
            due_at=self._quiet.later(now),
            not_after=now + timedelta(days=2),
            person_id=person.id,
            phone=person.phone,
            language=language,
        )
        return await outbox.insert([draft], now)

    async def offers_made(
        self, request_id: uuid.UUID, offers: list[tuple[uuid.UUID, uuid.UUID]], expires_at: datetime
    ) -> int:
        """Each volunteer offered the request gets a push now and, if they have not answered in ten minutes, an
        SMS (not at night). `offers`: (offer id, volunteer id)."""
        if not offers:
            return 0
        now = self._clock.now()
        request = await message_context.request_context(request_id)
        if request is None:
            return 0
        volunteers = await message_context.people({v for _, v in offers})
        templates = await self.templates()
        sms_due = offer_escalation(now=now, expires_at=expires_at, after=OFFER_SMS_AFTER, quiet=self._quiet)
        drafts: list[outbox.Draft] = []
        for offer_id, volunteer_id in offers:
            person = volunteers.get(volunteer_id)
            if person is None:
                continue
            language = language_of(person)
            place = place_text(
                PlaceInfo(
                    request.modality,
                    request.help_point_name,
                    request.help_point_address,
                    request.help_point_municipality,
                    request.help_point_translations,
                ),
                language,
                helper=True,
            )
            values = {"topic": request.topic_names.get(language) or request.topic_names.get("fi", ""), "place": place}
            push = push_body(
                self.text(templates, "volunteer.offer", language, values), url="/#/offers", tag=f"offer-{offer_id}"
            )
            sms = self.text(templates, "volunteer.offer_sms", language, {"place": place}, code_word=person.code_word)
            planned = [(Kind.OFFER, Channel.PUSH, push, now)]
            if sms_due is not None:
                planned.append((Kind.OFFER_SMS, Channel.SMS, sms, sms_due))
            drafts += [
                outbox.Draft(
                    key=f"offer:{offer_id}:{channel.value}",
                    kind=kind.value,
                    channel=channel.value,
                    body=body,
                    due_at=due,
                    not_after=expires_at,
                    person_id=person.id,
                    phone=person.phone,
                    language=language,
                    offer_id=offer_id,
                    sms_body=sms if channel is Channel.PUSH else "",
                )
                for kind, channel, body, due in planned
            ]
        return await outbox.insert(drafts, now)

    async def shift_taken(self, shift: ShiftNotice) -> int:
        """A reminder the day before (a push, or the SMS instead; not at night), unless the shift is that close."""
        return await self._plan_reminders([shift])

    async def shifts_moved(self, moved: list[ShiftNotice]) -> int:
        """Other hours moved the shifts: their reminders say the new time."""
        await self._cancel_reminders(moved)
        return await self._plan_reminders(moved)

    async def shift_given_back(self, shift_id: uuid.UUID) -> int:
        return await outbox.cancel_pending(
            now=self._clock.now(), reason="the shift was given back", key_prefixes=[_reminder_key(shift_id)]
        )

    async def _cancel_reminders(self, shifts: list[ShiftNotice]) -> int:
        if not shifts:
            return 0
        return await outbox.cancel_pending(
            now=self._clock.now(),
            reason="the shift changed",
            key_prefixes=[_reminder_key(s.shift_id) for s in shifts],
        )

    async def _plan_reminders(self, shifts: list[ShiftNotice]) -> int:
        now = self._clock.now()
        planned = [(s, self._quiet.later(s.starts_at - SHIFT_REMINDER_BEFORE)) for s in shifts]
        planned = [(s, due) for s, due in planned if now < due <= s.starts_at - SHIFT_REMINDER_AT_LEAST]
        if not planned:
            return 0
        people = await message_context.people({s.volunteer_id for s, _ in planned})
        templates = await self.templates()
        drafts = []
        for shift, due in planned:
            person = people.get(shift.volunteer_id)
            if person is None:
                continue
            language = language_of(person)
            values = {"when": when_text(shift.starts_at, language), "place": shift.place_name}
            push = push_body(
                self.text(templates, "volunteer.shift_reminder", language, values),
                url="/#/vapaaehtoinen/paivystykset",
                tag=f"shift-{shift.shift_id}",
            )
            sms = self.text(templates, "volunteer.shift_reminder_sms", language, values, code_word=person.code_word)
            drafts.append(
                outbox.Draft(
                    key=f"{_reminder_key(shift.shift_id)}{shift.starts_at:%Y%m%dT%H%M}:push",
                    kind=Kind.SHIFT_REMINDER.value,
                    channel=Channel.PUSH.value,
                    body=push,
                    due_at=due,
                    not_after=shift.starts_at,
                    person_id=person.id,
                    phone=person.phone,
                    language=language,
                    sms_body=sms,
                )
            )
        return await outbox.insert(drafts, now)

    async def shifts_removed(self, removed: list[ShiftNotice]) -> int:
        """Each volunteer whose drop-in shift went (the hour stopped, the day closed) is told: a push now, an SMS
        instead if it cannot be delivered (not at night). Inside the change's transaction."""
        if not removed:
            return 0
        await self._cancel_reminders(removed)
        now = self._clock.now()
        people = await message_context.people({r.volunteer_id for r in removed})
        templates = await self.templates()
        drafts = []
        for shift in removed:
            person = people.get(shift.volunteer_id)
            if person is None or shift.starts_at <= now:
                continue
            language = language_of(person)
            values = {"when": when_text(shift.starts_at, language), "place": shift.place_name}
            push = push_body(
                self.text(templates, "volunteer.shift_removed", language, values),
                url="/#/vapaaehtoinen/paivystykset",
                tag=f"shift-{shift.shift_id}",
            )
            sms = self.text(templates, "volunteer.shift_removed_sms", language, values, code_word=person.code_word)
            drafts.append(
                outbox.Draft(
                    key=f"shift:{shift.shift_id}:removed:push",
                    kind=Kind.SHIFT_REMOVED.value,
                    channel=Channel.PUSH.value,
                    body=push,
                    due_at=now,
                    not_after=shift.starts_at,
                    person_id=person.id,
                    phone=person.phone,
                    language=language,
                    sms_body=sms,
                )
            )
        return await outbox.insert(drafts, now)

    @staticmethod
    def _spoken(language: str, session: message_context.SessionContext) -> dict[str, str]:
        place = place_text(
            PlaceInfo(session.modality, session.help_point_name, translations=session.help_point_translations),
            language,
        )
        return {"when": spoken_time(session.starts_at, language), "place": place}

    def spoken_reminder(self, templates: Templates, language: str, session: message_context.SessionContext) -> str:
        """The words of a reminder call (also what the dev phone shows for it)."""
        return self.text(templates, "voice.reminder", language, self._spoken(language, session))

    async def delivery_report(self, provider_id: str, status: str, error_code: str) -> bool:
        """Twilio's word on an SMS we sent (in any order, any number of times, and possibly before the dispatcher
        has recorded the message's sid: then it is kept and applied when the sid is recorded). A resident's
        reminder that came back undelivered is tried once more as a call, if the session is still ahead and it is
        not night."""
        now = self._clock.now()
        changed = await delivery_reports.apply_status(provider_id, status, error_code, now)
        if changed is None and status in delivery_reports.PROVIDER_ORDER:
            if await delivery_reports.holds_provider_id(provider_id):
                # Recorded between the two reads: apply now (a report that changes nothing changes nothing again).
                changed = await delivery_reports.apply_status(provider_id, status, error_code, now)
            else:
                await delivery_reports.keep_early_report(provider_id, status, error_code, now)
                # The dispatcher may have recorded the sid meanwhile (and looked for a report before ours was kept).
                if await delivery_reports.holds_provider_id(provider_id) and (
                    early := await delivery_reports.take_early_report(provider_id)
                ):
                    changed = await delivery_reports.apply_status(provider_id, early.status, early.error_code, now)
        if changed is None:
            return False
        if changed.state == "failed" and changed.kind in REMINDER_KINDS and changed.session_id is not None:
            await self._call_instead(changed, now)
        return True

    async def _call_instead(self, row: delivery_reports.Reported, now: datetime) -> None:
        session = await message_context.session_context(row.session_id) if row.session_id else None
        if session is None or session.state != "scheduled" or session.version != row.session_version:
            return
        if row.person_id != session.resident.id or now >= session.starts_at or self._quiet.contains(now):
            return
        language = language_of(session.resident)
        await outbox.insert(
            [
                outbox.Draft(
                    key=f"{row.key}:voice",
                    kind=row.kind,
                    channel="voice",
                    body=self.spoken_reminder(await self.templates(), language, session),
                    due_at=now,
                    not_after=session.starts_at,
                    person_id=session.resident.id,
                    phone=session.resident.phone,
                    language=language,
                    session_id=session.id,
                    session_version=session.version,
                )
            ],
            now,
        )

    async def call_status(self, provider_id: str, status: str) -> bool:
        """How a reminder call went: answered (completed), or busy / no answer / failed, which puts the session
        on the coordinators' at-risk list."""
        return await delivery_reports.apply_call_status(provider_id, status, self._clock.now())

    async def offers_closed(self, offer_ids: list[uuid.UUID], reason: str) -> int:
        """Offers answered, withdrawn or expired: their waiting SMS escalations are moot."""
        return await outbox.cancel_pending(now=self._clock.now(), reason=reason, offer_ids=offer_ids)


SHIFT_REMINDER_BEFORE = timedelta(hours=24)
SHIFT_REMINDER_AT_LEAST = timedelta(hours=3)  # a shift taken closer than this to its reminder gets none


def _reminder_key(shift_id: uuid.UUID) -> str:
    return f"shift:{shift_id}:reminder:"


def push_body(text: str, *, url: str, tag: str, title: str = "Apuri") -> str:
    """A push payload: small (the browser fetches details when it is opened), stored as the row's body."""
    return json.dumps({"title": title, "body": text, "url": url, "tag": tag}, ensure_ascii=False)


def sms_of_push(sms_body: str, language: str) -> str:
    """The SMS that replaces a push that cannot be delivered: the push's own SMS wording (no topic or name, with
    the code word), or for a push planned without one, a notice that says nothing about the session."""
    return sms_body or PUSH_FALLBACK.get(language, PUSH_FALLBACK["fi"])
