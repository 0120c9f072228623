"""A volunteer's sessions in their phone's own calendar: a private link (webcal) the calendar app fetches.

Calendar apps cannot sign in, so the link itself is the key: 32 random bytes behind an HMAC of a stored nonce
with the server's secret (the database alone cannot rebuild a link), looked up by its hash. Making a new link
ends the old one. Calendars are often synced to other companies' clouds, so an event says what, when and where
(the topic, the help point or "by phone"), never who: no resident's name or number.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event

from server.adapters.clock import Clock
from server.db import calendar as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import NotFound
from server.domain.messages import PlaceInfo, place_text
from server.domain.roles import Principal
from server.services.audit import AuditService
from server.settings import Settings

PAST = timedelta(days=14)
AHEAD = timedelta(days=120)
TITLE = {"fi": "Digituki", "sv": "Digitalt stöd", "en": "Digital help"}


class CalendarService:
    def __init__(self, *, settings: Settings, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._settings = settings
        self._clock = clock
        self._engine = engine
        self._audit = audit

    def _token(self, nonce: str) -> str:
        return hmac.new(self._settings.secret_key.encode(), f"calendar:{nonce}".encode(), "sha256").hexdigest()

    def _url(self, nonce: str) -> str:
        return f"{self._settings.public_base_url.rstrip('/')}/calendar/{self._token(nonce)}.ics"

    async def link(self, caller: Principal) -> str | None:
        nonce = await q.nonce_of(caller.person_id)
        return self._url(nonce) if nonce else None

    async def new_link(self, caller: Principal) -> str:
        nonce = secrets.token_hex(32)
        async with write_transaction(self._engine):
            await q.replace(caller.person_id, nonce=nonce, token_hash=_hash(self._token(nonce)), now=self._clock.now())
            await self._audit.record(caller, "calendar.link", "person", str(caller.person_id))
        return self._url(nonce)

    async def remove(self, caller: Principal) -> None:
        async with write_transaction(self._engine):
            await q.remove(caller.person_id)
            await self._audit.record(caller, "calendar.remove", "person", str(caller.person_id))

    async def feed(self, token: str) -> bytes:
        """The calendar behind a link: the volunteer's sessions from two weeks back to four months ahead, the
        cancelled ones marked so (the phone removes them)."""
        owner = await q.owner(_hash(token)) if len(token) == 64 else None
        if owner is None:
            raise NotFound("No such calendar.", code="calendar_not_found")
        person_id, language = owner
        now = self._clock.now()
        calendar = Calendar()
        calendar.add("prodid", "-//Apuri//digituki//FI")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"Apuri – {TITLE.get(language, TITLE['fi'])}")
        for s in await q.sessions(person_id, since=now - PAST, until=now + AHEAD):
            calendar.add_component(_event(s, language, now))
        return bytes(calendar.to_ical())


def _event(s: q.FeedSession, language: str, now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{s.id}@apuri")
    event.add("dtstamp", now)
    event.add("dtstart", s.starts_at)
    event.add("dtend", s.ends_at)
    topic = s.topic_names.get(language) or s.topic_names.get("fi", "")
    event.add("summary", f"{TITLE.get(language, TITLE['fi'])}: {topic}")
    place = PlaceInfo(s.modality, s.help_point_name, s.help_point_address, s.help_point_municipality)
    event.add("location", place_text(place, language if language in ("fi", "sv", "en") else "fi", helper=True))
    event.add("status", "CANCELLED" if s.state == "cancelled" else "CONFIRMED")
    event.add("sequence", s.version)
    return event


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
