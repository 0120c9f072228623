"""Group sessions (a *digikahvila*, a course on OmaKanta for ten people): an event with a capacity for residents and
a waitlist, and the volunteers who staff it. Pure: the rules, no I/O, `now` passed in.

A resident's sign-up is one row per event and person, so nobody is both confirmed and waitlisted:

    confirmed   has a place
    waitlisted  in the queue (by `queue_no`, the order they signed up in)
    offered     a place freed and is held for them until `offered_until`: they keep it (confirmed) or give it up
    cancelled   cancelled by them (or for them), or by the event's cancellation
    declined    gave up a place offered to them, or did not answer in time

Confirmed and offered sign-ups take places; a place that frees goes to the first waitlisted at once (an offer
held for them). A landline resident cannot answer a text: a place freed for them is confirmed straight away and
they are told by a call.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.domain.errors import InvalidInput
from server.domain.network import Translations, place_in

CAPACITY = (1, 200)
VOLUNTEERS_NEEDED = (0, 20)
MINUTES = (15, 480)
MAX_WAITLIST = 200
LANGUAGES = ("fi", "sv", "en")
# How long a freed place is held for the first on the waitlist (counted from when the text can go out: not at night).
HOLD = timedelta(hours=12)
# No place is offered this close to the start (nobody could plan for it): it stays free for whoever comes.
LAST_OFFER_BEFORE = timedelta(hours=3)
# Sign-ups close when the event starts; events are published at most this far ahead.
MAX_AHEAD = timedelta(days=366)
COMING_DAYS = (1, 120)
UNSTAFFED_SOON = timedelta(days=3)  # an event this close without its volunteers shows in the coordinators' queue
DEFAULT_COMING_DAYS = 60


class EventState(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class SignupState(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    CANCELLED = "cancelled"
    DECLINED = "declined"


HOLDING = frozenset({SignupState.CONFIRMED, SignupState.OFFERED})  # these take a place
ACTIVE = frozenset({SignupState.CONFIRMED, SignupState.OFFERED, SignupState.WAITLISTED})


class Attendance(enum.StrEnum):
    UNKNOWN = ""
    ATTENDED = "attended"
    NO_SHOW = "no_show"


@dataclass(frozen=True, slots=True)
class Venue:
    """Where an event is: a help point, or remote (a video call; `help_point_id` None)."""

    help_point_id: uuid.UUID | None
    name: str = ""
    street_address: str = ""
    postal_code: str = ""
    municipality: str = ""
    accessibility_notes: str = ""
    translations: Translations = field(default_factory=dict)  # the help point's own words in Swedish and English

    def shown(self, language: str) -> tuple[str, str, str, str, list[str]]:
        """(name, street address, municipality, accessibility notes) in `language`, and which are in Finnish."""
        return place_in(
            self.name, self.street_address, self.accessibility_notes, self.municipality, self.translations, language
        )


@dataclass(frozen=True, slots=True)
class GroupEvent:
    id: uuid.UUID
    organisation_id: uuid.UUID
    venue: Venue
    title: str
    description: str
    topics: tuple[str, ...]
    language: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    volunteers_needed: int
    bring: str
    state: EventState
    confirmed: int = 0  # places taken (confirmed or held for someone)
    waitlisted: int = 0
    staffed: int = 0  # volunteers on duty
    duties_gone: int = 0  # duties held by volunteers since deactivated or gone
    attended: int = 0  # marked as come by the volunteer on duty
    no_shows: int = 0  # marked as not come
    closed_day: bool = False  # its help point is closed that day: no sign-ups; the coordinator moves or cancels it

    @property
    def remote(self) -> bool:
        return self.venue.help_point_id is None

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.confirmed)

    @property
    def key(self) -> tuple[datetime, uuid.UUID]:
        return self.starts_at, self.id

    def short_of_volunteers(self, now: datetime, soon: timedelta) -> bool:
        """Fewer volunteers than it needs, and starting within `soon` or left by a volunteer who has gone."""
        short = self.state is EventState.SCHEDULED and self.staffed < self.volunteers_needed and now < self.starts_at
        return short and (self.starts_at <= now + soon or self.duties_gone > 0)

    def open_for_signup(self, now: datetime) -> bool:
        return self.state is EventState.SCHEDULED and now < self.starts_at and not self.closed_day


@dataclass(frozen=True, slots=True)
class Signup:
    id: uuid.UUID
    event_id: uuid.UUID
    person_id: uuid.UUID
    state: SignupState
    queue_no: int
    channel: str
    offered_until: datetime | None
    attendance: Attendance
    created_at: datetime
    first_name: str = ""
    phone: str = ""
    language: str = "fi"
    position: int = 0  # on the waitlist, from 1 (0: not waitlisted)


def validate(
    *,
    title: str,
    starts_at: datetime,
    minutes: int,
    capacity: int,
    volunteers_needed: int,
    language: str,
    now: datetime,
) -> None:
    if not title.strip():
        raise InvalidInput("Give the event a name residents recognise.", code="event_title_required")
    if starts_at.tzinfo is None:
        raise InvalidInput("Give the start time with its offset.", code="event_time_invalid")
    if starts_at <= now:
        raise InvalidInput("An event starts in the future.", code="event_in_past")
    if starts_at > now + MAX_AHEAD:
        raise InvalidInput("Events are published at most a year ahead.", code="event_too_far")
    shortest, longest = MINUTES
    if not shortest <= minutes <= longest:
        raise InvalidInput(f"An event lasts {shortest} to {longest} minutes.", code="event_minutes_out_of_range")
    fewest, most = CAPACITY
    if not fewest <= capacity <= most:
        raise InvalidInput(f"An event has room for {fewest} to {most} residents.", code="capacity_invalid")
    fewest, most = VOLUNTEERS_NEEDED
    if not fewest <= volunteers_needed <= most:
        raise InvalidInput(f"An event needs {fewest} to {most} volunteers.", code="event_volunteers_invalid")
    if language not in LANGUAGES:
        raise InvalidInput("Say in which language the event is held.", code="language_required")


def place_on_signup(confirmed: int, capacity: int) -> SignupState:
    """A new sign-up takes a place while one is left; else it joins the waitlist."""
    return SignupState.CONFIRMED if confirmed < capacity else SignupState.WAITLISTED


def offer_until(now: datetime, starts_at: datetime, morning: datetime) -> datetime | None:
    """Until when a freed place is held for the first on the waitlist: HOLD from when the text can go out
    (`morning`: now, or the end of quiet hours), but never past LAST_OFFER_BEFORE the start. None: too close to the
    start to offer it (the place stays free)."""
    latest = starts_at - LAST_OFFER_BEFORE
    if now >= latest:
        return None
    return min(morning + HOLD, latest)


def promotable(event: GroupEvent, now: datetime) -> bool:
    """Whether a freed place of the event goes to its waitlist now."""
    return event.state is EventState.SCHEDULED and now < event.starts_at - LAST_OFFER_BEFORE


# ---- telling residents (the voice menu) -------------------------------------------------------------------------

TOLD = 3  # how many events the voice menu says
_PLACES_LEFT = {
    "fi": ("{n} paikkaa vapaana", "yksi paikka vapaana", "täynnä, voit jonottaa"),
    "sv": ("{n} lediga platser", "en ledig plats", "fullt, du kan köa"),
    "en": ("{n} places free", "one place free", "full, you can join the waiting list"),
}
_REMOTE = {"fi": "videopuheluna", "sv": "som videosamtal", "en": "by video call"}


def places_left_text(event: GroupEvent, language: str) -> str:
    many, one, full = _PLACES_LEFT.get(language, _PLACES_LEFT["fi"])
    left = event.places_left
    return full if left == 0 else one if left == 1 else many.format(n=left)


def where_text(event: GroupEvent, language: str) -> str:
    if event.remote:
        return _REMOTE.get(language, _REMOTE["fi"])
    name, street, town, _, _ = event.venue.shown(language)
    return ", ".join(part for part in (name, street, town) if part)
