"""Group sessions (a digikahvila, a course): published by coordinators, listed for everyone, residents sign up or
join the waitlist, volunteers staff them and mark who came."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, delete, get, patch, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.desk import MAX_DAYS
from server.domain.events import (
    CAPACITY,
    COMING_DAYS,
    DEFAULT_COMING_DAYS,
    MINUTES,
    VOLUNTEERS_NEEDED,
    Attendance,
    GroupEvent,
    Signup,
)
from server.domain.municipalities import finnish_name
from server.domain.paging import DEFAULT_LIMIT
from server.domain.roles import Principal, Role
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import MULTI_LINE, AwareDateTime, Input, Name, PhoneInput
from server.http.security import COORDINATORS, PUBLIC, VOLUNTEERS, Me, Svc, caller, roles
from server.services.coordination import Caller
from server.services.events import EventChange, EventIn, SignedUp

Language = Literal["fi", "sv", "en"]
TopicCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=r"^[^\x00-\x1f\x7f]*$")]
LongText = Annotated[str, msgspec.Meta(max_length=2000, pattern=MULTI_LINE)]
MunicipalityName = Annotated[str | None, QueryParameter(max_length=100, description="Only this municipality's events")]
TopicFilter = Annotated[
    str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,39}$", description="Only events for this topic")
]
RemoteFilter = Annotated[bool | None, QueryParameter(description="true: only remote events; false: only in person")]
ShownLanguage = Annotated[Language, QueryParameter(description="The language to show places in")]
ComingDays = Annotated[int, QueryParameter(ge=COMING_DAYS[0], le=COMING_DAYS[1], description="How many days ahead")]


class EventCreate(Input):
    title: Title
    starts_at: AwareDateTime
    minutes: Annotated[int, msgspec.Meta(ge=MINUTES[0], le=MINUTES[1])]
    capacity: Annotated[int, msgspec.Meta(ge=CAPACITY[0], le=CAPACITY[1])]
    help_point_id: uuid.UUID | None = None
    organisation_id: Annotated[
        uuid.UUID | None, msgspec.Meta(description="For a remote event (a video call): the organisation running it")
    ] = None
    description: LongText = ""
    topics: Annotated[list[TopicCode], msgspec.Meta(max_length=40)] = []
    language: Language = "fi"
    volunteers_needed: Annotated[int, msgspec.Meta(ge=VOLUNTEERS_NEEDED[0], le=VOLUNTEERS_NEEDED[1])] = 1
    bring: LongText = ""


class EventChangeIn(Input):
    """Only what changes. A new `starts_at`, `minutes` or `help_point_id` moves the event: everyone is told."""

    title: Title | None = None
    starts_at: AwareDateTime | None = None
    minutes: Annotated[int, msgspec.Meta(ge=MINUTES[0], le=MINUTES[1])] | None = None
    capacity: Annotated[int, msgspec.Meta(ge=CAPACITY[0], le=CAPACITY[1])] | None = None
    help_point_id: uuid.UUID | None = None
    description: LongText | None = None
    topics: Annotated[list[TopicCode], msgspec.Meta(max_length=40)] | None = None
    language: Language | None = None
    volunteers_needed: Annotated[int, msgspec.Meta(ge=VOLUNTEERS_NEEDED[0], le=VOLUNTEERS_NEEDED[1])] | None = None
    bring: LongText | None = None


class EventSignupForIn(Input):
    phone: PhoneInput
    first_name: Name
    consent: Annotated[
        bool, msgspec.Meta(description="The resident agreed on the phone to the sign-up and its SMS or calls.")
    ]
    resident_language: Language = "fi"


class AttendanceIn(Input):
    attended: Annotated[bool | None, msgspec.Meta(description="true: came; false: did not come; null: not marked")]


class EventOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    organisation_id: uuid.UUID
    title: str
    description: str
    topics: list[str]  # empty: any digital matter
    language: str
    starts_at: datetime
    ends_at: datetime
    remote: bool  # a video call, no help point
    help_point_id: uuid.UUID | None
    help_point_name: str
    street_address: str
    postal_code: str
    municipality: str
    accessibility_notes: str
    bring: str
    state: str  # scheduled | cancelled
    capacity: int
    places_left: int
    waitlisted: int
    volunteers_needed: int
    staffed: int

    in_finnish: list[str] = []  # asked in Swedish or English: the place's fields shown in Finnish

    @classmethod
    def of(cls, e: GroupEvent, language: str = "fi") -> EventOut:
        name, street, town, notes, fallback = e.venue.shown(language)
        return cls(
            id=e.id,
            organisation_id=e.organisation_id,
            title=e.title,
            description=e.description,
            topics=list(e.topics),
            language=e.language,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            remote=e.remote,
            help_point_id=e.venue.help_point_id,
            help_point_name=name,
            street_address=street,
            postal_code=e.venue.postal_code,
            municipality=town,
            accessibility_notes=notes,
            in_finnish=fallback,
            bring=e.bring,
            state=e.state.value,
            capacity=e.capacity,
            places_left=e.places_left,
            waitlisted=e.waitlisted,
            volunteers_needed=e.volunteers_needed,
            staffed=e.staffed,
        )


class ManagedEventOut(EventOut, kw_only=True):
    """An event as its coordinators see it: who came and who did not, and whether its day has since closed."""

    attended: int
    no_shows: int
    closed_day: bool  # the help point is closed that day: move it or cancel it (residents cannot sign up)
    volunteers_gone: int  # duties of volunteers since deactivated or gone: someone else is needed

    @classmethod
    def managed(cls, e: GroupEvent) -> ManagedEventOut:
        return cls(
            **msgspec.structs.asdict(EventOut.of(e)),
            attended=e.attended,
            no_shows=e.no_shows,
            closed_day=e.closed_day,
            volunteers_gone=e.duties_gone,
        )


class ChangedOut(ManagedEventOut, kw_only=True):
    """The event as it now is, and who a move reached: told of the new time, or off it (busy then; told)."""

    residents_told: int
    residents_dropped: int
    volunteers_dropped: int


class DutyOut(EventOut, kw_only=True):
    """An event that needs volunteers, and whether I am on it."""

    mine: bool


class MySignupOut(msgspec.Struct, kw_only=True):
    """My sign-up: confirmed (a place), waitlisted (and where), offered (a freed place held until
    `offered_until`: keep it or give it up), cancelled or declined."""

    id: uuid.UUID
    state: str
    position: int  # on the waitlist, from 1; 0 otherwise
    offered_until: datetime | None
    event: EventOut

    @classmethod
    def of(cls, s: Signup, e: GroupEvent, language: str = "fi") -> MySignupOut:
        return cls(
            id=s.id,
            state=s.state.value,
            position=s.position,
            offered_until=s.offered_until,
            event=EventOut.of(e, language),
        )


class SignupOut(msgspec.Struct, kw_only=True):
    """A resident on an event, as its staff see them. Volunteers on duty see the first name only."""

    id: uuid.UUID
    state: str
    position: int
    first_name: str
    phone: str | None  # coordinators only
    channel: str
    offered_until: datetime | None
    attendance: str | None  # attended | no_show | null (not marked)
    signed_up_at: datetime

    @classmethod
    def of(cls, s: Signup, me: Principal, organisation_id: uuid.UUID) -> SignupOut:
        return cls(
            id=s.id,
            state=s.state.value,
            position=s.position,
            first_name=s.first_name,
            phone=s.phone if me.coordinates(organisation_id) else None,
            channel=s.channel,
            offered_until=s.offered_until,
            attendance=s.attendance.value or None,
            signed_up_at=s.created_at,
        )


class DeskEventOut(ManagedEventOut, kw_only=True):
    """A group session on the desk's day: who is coming (places, then the waiting list) and who is on duty."""

    participants: list[SignupOut]
    volunteers: list[str]  # first names


FirstDay = Annotated[date | None, QueryParameter(name="day", description="The first day shown. Default: today")]
Days = Annotated[int, QueryParameter(ge=1, le=MAX_DAYS, description="1 (a day) to 7 (a week)")]


def _signed_up(done: SignedUp, language: str) -> Response[MySignupOut]:
    return Response(MySignupOut.of(done.signup, done.event, language), status_code=200 if done.already else 201)


class EventController(Controller):
    path = "/api/v1"
    tags = ["group sessions"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    # ---- everyone ---------------------------------------------------------------------------------------------

    @get(
        "/events",
        opt=PUBLIC,
        response_headers=NEXT_LINK,
        summary="Group sessions (a digikahvila, a course) coming up, earliest first, with the places left",
    )
    async def coming(
        self,
        request: AnyRequest,
        services: Svc,
        municipality: MunicipalityName = None,
        topic: TopicFilter = None,
        remote: RemoteFilter = None,
        days: ComingDays = DEFAULT_COMING_DAYS,
        language: ShownLanguage = "fi",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[EventOut]]:
        """In `language` sv or en, places read in it where they have the words (`in_finnish` says where not); the
        municipality may be named in Swedish."""
        found = await services.events.coming(
            page_request(limit, cursor),
            municipality=finnish_name(municipality) if municipality else None,
            topic=topic,
            days=days,
            remote=remote,
        )
        return paged(request, found.map(lambda e: EventOut.of(e, language)))

    @get("/events/municipalities", opt=PUBLIC, summary="The municipalities that have group sessions coming")
    async def municipalities(self, services: Svc) -> list[str]:
        return await services.events.municipalities()

    @get("/events/{event_id:uuid}", opt=PUBLIC, summary="One group session")
    async def one(self, event_id: FromPath[uuid.UUID], services: Svc, language: ShownLanguage = "fi") -> EventOut:
        return EventOut.of(await services.events.event(event_id), language)

    # ---- residents --------------------------------------------------------------------------------------------

    @post(
        "/events/{event_id:uuid}/signup",
        opt=roles(Role.RESIDENT),
        status_code=201,
        summary="Sign up for a group session: a place if one is left, else the waitlist",
    )
    async def sign_up(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> Response[MySignupOut]:
        """201 with `confirmed` or `waitlisted` (and the `position`); 200 if I was signed up already. An SMS says
        which, with the reminders of a place to follow."""
        return _signed_up(await services.events.sign_up(me, event_id), me.language)

    @delete(
        "/events/{event_id:uuid}/signup",
        opt=roles(Role.RESIDENT),
        status_code=200,
        summary="Cancel my place (it goes to the first on the waitlist) or leave the waitlist",
    )
    async def leave(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> MySignupOut:
        left = await services.events.leave(me, event_id)
        return MySignupOut.of(left, await services.events.event(event_id))

    @post(
        "/events/{event_id:uuid}/signup/keep",
        opt=roles(Role.RESIDENT),
        status_code=200,
        summary="Take the place offered to me from the waiting list",
    )
    async def keep(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> MySignupOut:
        """While it is held for me (`offered_until`); 409 `event_offer_gone` after. Keeping a place I have already
        changes nothing. To give it up instead: `DELETE …/signup`."""
        kept = await services.events.keep_mine(me, event_id)
        return MySignupOut.of(kept, await services.events.event(event_id))

    @get(
        "/me/event-signups",
        opt=roles(Role.RESIDENT),
        response_headers=NEXT_LINK,
        summary="My group sessions not yet over: places, waitlist positions, places offered to me",
    )
    async def mine(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[MySignupOut]]:
        found = await services.events.my_signups(me, page_request(limit, cursor))
        return paged(request, found.map(lambda p: MySignupOut.of(p[0], p[1], me.language)))

    # ---- coordinators -----------------------------------------------------------------------------------------

    @post("/events", opt=roles(*COORDINATORS), status_code=201, summary="Publish a group session")
    async def create(self, data: JSONBody[EventCreate], me: Me, services: Svc) -> ManagedEventOut:
        """At a help point of mine (not on a day it is closed), or remote (`organisation_id`, a video call)."""
        new = EventIn(
            title=data.title,
            starts_at=data.starts_at,
            minutes=data.minutes,
            capacity=data.capacity,
            help_point_id=data.help_point_id,
            organisation_id=data.organisation_id,
            description=data.description,
            topics=tuple(data.topics),
            language=data.language,
            volunteers_needed=data.volunteers_needed,
            bring=data.bring,
        )
        return ManagedEventOut.managed(await services.events.create(me, new))

    @get(
        "/events/managed",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="My organisations' group sessions from two months back, cancelled ones too",
    )
    async def managed(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[ManagedEventOut]]:
        found = await services.events.managed(me, page_request(limit, cursor))
        return paged(request, found.map(ManagedEventOut.managed))

    @get(
        "/help-points/{help_point_id:uuid}/events",
        opt=roles(*COORDINATORS),
        summary="A help point's group sessions on a day or in a week, with who is coming and who is on duty",
    )
    async def desk_day(
        self, help_point_id: FromPath[uuid.UUID], me: Me, services: Svc, day: FirstDay = None, days: Days = 1
    ) -> list[DeskEventOut]:
        """For the desk and its print view. Bounded: a help point's events in at most 7 days, each with its places
        and waiting list (at most 200 each)."""
        found = await services.events.desk_day(me, help_point_id, day, days)
        return [
            DeskEventOut(
                **msgspec.structs.asdict(ManagedEventOut.managed(event)),
                participants=[SignupOut.of(s, me, event.organisation_id) for s in people],
                volunteers=volunteers,
            )
            for event, people, volunteers in found
        ]

    @get(
        "/events/unstaffed",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="My organisations' group sessions short of volunteers (in the next three days, or left by one)",
    )
    async def unstaffed(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[ManagedEventOut]]:
        """Events within three days with fewer volunteers than they need, and every coming event a volunteer who
        was deactivated or left was on."""
        found = await services.events.unstaffed(me, page_request(limit, cursor))
        return paged(request, found.map(ManagedEventOut.managed))

    @patch(
        "/events/{event_id:uuid}",
        opt=roles(*COORDINATORS),
        summary="Correct or move a group session (everyone signed up is told of a new time or place)",
    )
    async def change(
        self, event_id: FromPath[uuid.UUID], data: JSONBody[EventChangeIn], me: Me, services: Svc
    ) -> ChangedOut:
        """A smaller capacity never takes places away (409 `capacity_below_taken`); more places go to the waiting
        list at once. A resident or volunteer with something else at the new time comes off it and is told."""
        change = EventChange(
            title=data.title,
            description=data.description,
            bring=data.bring,
            topics=tuple(data.topics) if data.topics is not None else None,
            language=data.language,
            capacity=data.capacity,
            volunteers_needed=data.volunteers_needed,
            starts_at=data.starts_at,
            minutes=data.minutes,
            help_point_id=data.help_point_id,
        )
        done = await services.events.change(me, event_id, change)
        return ChangedOut(
            **msgspec.structs.asdict(ManagedEventOut.managed(done.event)),
            residents_told=done.told,
            residents_dropped=done.dropped,
            volunteers_dropped=done.volunteers_dropped,
        )

    @post(
        "/events/{event_id:uuid}/cancel",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Cancel a group session (everyone signed up and on duty is told)",
    )
    async def cancel(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> ManagedEventOut:
        return ManagedEventOut.managed(await services.events.cancel(me, event_id))

    @get(
        "/events/{event_id:uuid}/signups",
        opt=roles(*COORDINATORS, *VOLUNTEERS),
        response_headers=NEXT_LINK,
        summary="Who is signed up, in the order they came (for the event's coordinators and volunteers on duty)",
    )
    async def signups(
        self,
        request: AnyRequest,
        event_id: FromPath[uuid.UUID],
        me: Me,
        services: Svc,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[SignupOut]]:
        event = await services.events.event(event_id)
        found = await services.events.signups(me, event_id, page_request(limit, cursor))
        return paged(request, found.map(lambda s: SignupOut.of(s, me, event.organisation_id)))

    @post(
        "/events/{event_id:uuid}/signups",
        opt=roles(*COORDINATORS),
        status_code=201,
        summary="Sign up a resident who phoned (no account needed; a landline too)",
    )
    async def sign_up_for(
        self, event_id: FromPath[uuid.UUID], data: JSONBody[EventSignupForIn], me: Me, services: Svc
    ) -> Response[MySignupOut]:
        """`consent` must be true: the resident agreed to the sign-up and its messages. A landline gets its
        reminder as a call, and a place freed for it is confirmed at once (a call tells them)."""
        who = Caller(
            phone=data.phone, first_name=data.first_name, language=data.resident_language, consent=data.consent
        )
        return _signed_up(await services.events.sign_up_for(me, event_id, who), data.resident_language)

    @post(
        "/events/{event_id:uuid}/signups/{signup_id:uuid}/cancel",
        opt=roles(*COORDINATORS),
        status_code=200,
        summary="Cancel a resident's place or waitlist entry as they asked on the phone (they get an SMS)",
    )
    async def cancel_for(
        self, event_id: FromPath[uuid.UUID], signup_id: FromPath[uuid.UUID], me: Me, services: Svc
    ) -> SignupOut:
        event = await services.events.event(event_id)
        return SignupOut.of(await services.events.cancel_for(me, event_id, signup_id), me, event.organisation_id)

    @put(
        "/events/{event_id:uuid}/signups/{signup_id:uuid}/attendance",
        opt=roles(*COORDINATORS, *VOLUNTEERS),
        summary="Mark a resident with a place as come or not come (the volunteer on duty, or a coordinator)",
    )
    async def attendance(
        self,
        event_id: FromPath[uuid.UUID],
        signup_id: FromPath[uuid.UUID],
        data: JSONBody[AttendanceIn],
        me: Me,
        services: Svc,
    ) -> SignupOut:
        marked = (
            Attendance.UNKNOWN
            if data.attended is None
            else Attendance.ATTENDED
            if data.attended
            else Attendance.NO_SHOW
        )
        event = await services.events.event(event_id)
        done = await services.events.mark_attendance(me, event_id, signup_id, marked)
        return SignupOut.of(done, me, event.organisation_id)

    # ---- volunteers -------------------------------------------------------------------------------------------

    @get(
        "/me/event-duties",
        opt=roles(*VOLUNTEERS),
        response_headers=NEXT_LINK,
        summary="Group sessions in the next eight weeks that need volunteers, at my help points",
    )
    async def duties(
        self, request: AnyRequest, me: Me, services: Svc, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
    ) -> Response[list[DutyOut]]:
        found = await services.events.duties(me, page_request(limit, cursor))
        return paged(request, found.map(lambda p: DutyOut(**msgspec.structs.asdict(EventOut.of(p[0])), mine=p[1])))

    @put(
        "/events/{event_id:uuid}/duty",
        opt=roles(*VOLUNTEERS),
        summary="Staff a group session (counts towards my weekly limit)",
    )
    async def take_duty(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> DutyOut:
        event = await services.events.take_duty(me, event_id)
        return DutyOut(**msgspec.structs.asdict(EventOut.of(event)), mine=True)

    @delete(
        "/events/{event_id:uuid}/duty",
        opt=roles(*VOLUNTEERS),
        status_code=204,
        summary="Give back my duty on a group session that has not begun",
    )
    async def give_back_duty(self, event_id: FromPath[uuid.UUID], me: Me, services: Svc) -> None:
        await services.events.give_back_duty(me, event_id)
