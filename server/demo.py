"""A demo network in the Koillismaa and Kainuu area: four partners, six help points, eighteen volunteers,
a network coordinator, a partner coordinator and two residents. Every phone number here is made up, which
is why `apuri demo` refuses to run with real SMS."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from server.adapters.clock import SystemClock
from server.db import booking as booking_q
from server.db import network as network_q
from server.db import people as people_q
from server.db import requests as requests_q
from server.db import topics as topics_q
from server.db import volunteers as volunteers_q
from server.db.engine import AnyEngine, bind, make_engine, start, stop, write_transaction
from server.db.tables import (
    AccessibilityFeedback,
    AvailabilityOverride,
    AvailabilityRule,
    CalendarFeed,
    CallbackRequest,
    DevSmsMessage,
    HelpPoint,
    HelpRequest,
    HelpSession,
    InboundMessage,
    Membership,
    MessageTemplate,
    Notification,
    Offer,
    OpeningHours,
    Organisation,
    OrganisationTopic,
    Person,
    PushSubscription,
    SignIn,
    SignInChallenge,
    Topic,
    VoiceCall,
    VolunteerApplication,
    VolunteerHelpPoint,
    VolunteerProfile,
    VolunteerTopic,
)
from server.demo_topics import SERVED, TOPICS
from server.domain.availability import WeeklyRule
from server.domain.clocktime import HELSINKI
from server.domain.matching import Modality, Need, Place
from server.domain.network import OpeningPeriod, OrganisationKind
from server.domain.requests import NewRequest
from server.domain.roles import Grant, Principal, Role
from server.domain.volunteers import VolunteerProfile as Profile
from server.services.audit import AuditService
from server.services.booking import BookingQuery, BookingService
from server.services.notifications import NotificationService
from server.services.offers import OfferService
from server.services.people import provision_staff
from server.services.placement import Placement
from server.services.sessions import SessionService
from server.settings import Settings

DEMO_PASSWORD = "apuri-demo-salasana"
NETWORK_COORDINATOR_PHONE = "+358401000001"
PARTNER_COORDINATOR_PHONE = "+358401000002"
VOLUNTEER_PHONE = "+358401000011"
RESIDENT_PHONE = "+358401000101"

ORGANISATIONS = [
    ("city", "Kuusamon kaupungin asiointipiste", OrganisationKind.MUNICIPALITY, "Kuusamo", "+358884000000"),
    ("library", "Koillismaan kirjastot", OrganisationKind.LIBRARY, "Kuusamo", "+358884000100"),
    ("seniors", "Koillismaan Seniorit ry", OrganisationKind.ASSOCIATION, "Taivalkoski", None),
    ("college", "Kainuun aikuisopisto", OrganisationKind.EDUCATION, "Kajaani", "+358864000200"),
]

WEEKDAYS_9_16 = [OpeningPeriod(d, time(9), time(16)) for d in range(5)]
LIBRARY_HOURS = [OpeningPeriod(d, time(10), time(19)) for d in range(4)] + [
    OpeningPeriod(4, time(10), time(16)),
    OpeningPeriod(5, time(10), time(14)),
]

HELP_POINTS = [
    (
        "city",
        "Asiointipiste, kaupungintalo",
        "Kitkantie 20",
        "93600",
        "Kuusamo",
        65.9667,
        29.1833,
        "Esteetön sisäänkäynti pääovelta. Induktiosilmukka palvelutiskillä.",
        WEEKDAYS_9_16,
    ),
    (
        "library",
        "Kuusamon pääkirjasto",
        "Kirkkotie 2",
        "93600",
        "Kuusamo",
        65.9650,
        29.1890,
        "Hissi toiseen kerrokseen. Pysäköinti kirjaston pihassa.",
        LIBRARY_HOURS,
    ),
    (
        "library",
        "Käylän kyläkirjasto",
        "Kyläntie 5",
        "93830",
        "Kuusamo",
        66.2833,
        29.1500,
        "Yksi porras sisäänkäynnillä, ramppi pyydettäessä.",
        [OpeningPeriod(1, time(12), time(18)), OpeningPeriod(3, time(12), time(18))],
    ),
    (
        "library",
        "Taivalkosken kirjasto",
        "Keskustie 10",
        "93400",
        "Taivalkoski",
        65.5750,
        28.2400,
        "Esteetön.",
        [OpeningPeriod(d, time(11), time(18)) for d in range(5)],
    ),
    (
        "seniors",
        "Seniorien kerhohuone",
        "Urheilutie 3",
        "93400",
        "Taivalkoski",
        65.5720,
        28.2500,
        "Katutaso. Kahvitarjoilu.",
        [OpeningPeriod(1, time(10), time(14)), OpeningPeriod(3, time(10), time(14))],
    ),
    (
        "college",
        "Aikuisopiston digipaja",
        "Ketunpolku 1",
        "87100",
        "Kajaani",
        64.2250,
        27.7330,
        "Hissi. Opastettu pysäköinti.",
        [OpeningPeriod(d, time(9), time(15)) for d in range(4)],
    ),
]

# (first name, last name, language, organisation key)
VOLUNTEERS = [
    ("Aino", "Korhonen", "fi", "library"),
    ("Eero", "Niskanen", "fi", "library"),
    ("Helmi", "Turpeinen", "fi", "library"),
    ("Juhani", "Väisänen", "fi", "library"),
    ("Lotta", "Lindqvist", "sv", "library"),
    ("Matti", "Heikkinen", "fi", "city"),
    ("Sanna", "Kemppainen", "fi", "city"),
    ("Oskar", "Nyström", "sv", "city"),
    ("Emily", "Carter", "en", "city"),
    ("Pirjo", "Jurmu", "fi", "seniors"),
    ("Raimo", "Karjalainen", "fi", "seniors"),
    ("Tuula", "Pesonen", "fi", "seniors"),
    ("Väinö", "Moilanen", "fi", "seniors"),
    ("Ella", "Holmberg", "sv", "seniors"),
    ("Kalle", "Pulkkinen", "fi", "college"),
    ("Noora", "Huotari", "fi", "college"),
    ("David", "Okafor", "en", "college"),
    ("Riikka", "Tervonen", "fi", "college"),
]

RESIDENTS = [("Liisa", "fi", RESIDENT_PHONE), ("Göran", "sv", "+358401000102")]


async def run_demo(settings: Settings, *, reset: bool, only_if_empty: bool) -> str:
    engine = make_engine(settings.database_url)
    bind(engine)
    await start(engine)
    try:
        if reset:
            await _clear(engine)
        elif await Organisation.count() > 0:
            if only_if_empty:
                return "apuri: demo network already loaded (use `apuri demo --reset` to reload it)"
            return "apuri: the database already has organisations; use `apuri demo --reset` to replace them"
        await load_demo(engine, settings)
    finally:
        await stop(engine)
    return (
        "apuri: demo network loaded. Sign in at /, read the code on /dev/phone.\n"
        f"  network coordinator {NETWORK_COORDINATOR_PHONE}, partner coordinator {PARTNER_COORDINATOR_PHONE} "
        f"(password {DEMO_PASSWORD})\n"
        f"  volunteer {VOLUNTEER_PHONE}, resident {RESIDENT_PHONE}"
    )


# Where volunteers' travel is measured from, by organisation (town centres, not anyone's home address).
CENTRES = {
    "Kuusamo": Place(65.9667, 29.1833),
    "Taivalkoski": Place(65.5750, 28.2400),
    "Kajaani": Place(64.2250, 27.7330),
}
WEEKLY_PATTERNS = [
    [WeeklyRule(0, time(9), time(13)), WeeklyRule(2, time(12), time(16))],
    [WeeklyRule(1, time(10), time(15)), WeeklyRule(3, time(10), time(15))],
    [WeeklyRule(0, time(12), time(16)), WeeklyRule(4, time(9), time(12)), WeeklyRule(2, time(17), time(19), True)],
    [WeeklyRule(1, time(9), time(12)), WeeklyRule(3, time(13), time(17)), WeeklyRule(5, time(10), time(14))],
]


async def _volunteer_offer(
    person_id: uuid.UUID, index: int, language: str, points: list[uuid.UUID], now: datetime
) -> None:
    """A varied but fixed profile for demo volunteer number `index` (no randomness: demos repeat exactly)."""
    codes = [t.code for t in TOPICS]
    skills = {codes[(index + k) % len(codes)]: 1 + (index + k) % 3 for k in range(2 + index % 3)}
    languages = (language, "fi") if language != "fi" else ("fi", "fi-plain") if index % 4 == 0 else ("fi",)
    home_visits = index % 5 == 1
    municipality = await _municipality_of(points[0])
    profile = Profile(
        person_id=person_id,
        languages=tuple(dict.fromkeys(languages)),
        remote=index % 3 != 2,
        home_visits=home_visits,
        home=CENTRES.get(municipality) if home_visits else None,
        travel_radius_km=30.0 if home_visits else 0.0,
        weekly_cap=2 + index % 4,
        needs_experience=frozenset({Need.HEARING} if index % 4 == 1 else set()),
        skills=skills,
        help_point_ids=frozenset(points),
    )
    await volunteers_q.save_profile(profile, now)
    await volunteers_q.replace_availability(
        person_id, WEEKLY_PATTERNS[index % len(WEEKLY_PATTERNS)], [], keep_before=now.date()
    )


async def _municipality_of(help_point_id: uuid.UUID) -> str:
    point = await network_q.get_help_point(help_point_id)
    return point.municipality if point else "Kuusamo"


async def _clear(engine: AnyEngine) -> None:
    """Everything but the audit log, which is append-only by design."""
    async with write_transaction(engine):
        for table in (
            CallbackRequest,
            VoiceCall,
            CalendarFeed,
            AccessibilityFeedback,
            Notification,
            InboundMessage,
            VolunteerApplication,
            PushSubscription,
            MessageTemplate,
            Offer,
            HelpSession,
            HelpRequest,
            DevSmsMessage,
            SignInChallenge,
            SignIn,
            AvailabilityOverride,
            AvailabilityRule,
            VolunteerTopic,
            VolunteerHelpPoint,
            VolunteerProfile,
            OrganisationTopic,
            Topic,
            Membership,
            OpeningHours,
            HelpPoint,
            Person,
            Organisation,
        ):
            await table.delete(force=True)


async def load_demo(engine: AnyEngine, settings: Settings | None = None) -> None:
    bind(engine)
    settings = settings or Settings()
    clock = SystemClock()
    now = clock.now()
    audit = AuditService(clock)
    organisation_ids: dict[str, uuid.UUID] = {}
    points_of: dict[str, list[uuid.UUID]] = {}
    residents: dict[str, uuid.UUID] = {}
    async with write_transaction(engine):
        for topic in TOPICS:
            await topics_q.insert_topic(topic)
        for key, name, kind, municipality, phone in ORGANISATIONS:
            organisation_ids[key] = await network_q.insert_organisation(
                name=name, kind=kind, municipality=municipality, phone=phone, now=now
            )
        for key, name, street, postal, municipality, lat, lon, notes, hours in HELP_POINTS:
            help_point_id = await network_q.insert_help_point(
                organisation_id=organisation_ids[key],
                values={
                    "name": name,
                    "street_address": street,
                    "postal_code": postal,
                    "municipality": municipality,
                    "latitude": lat,
                    "longitude": lon,
                    "accessibility_notes": notes,
                },
                now=now,
            )
            await network_q.replace_opening_hours(help_point_id, hours)
            points_of.setdefault(key, []).append(help_point_id)
        for key, codes in SERVED.items():
            await topics_q.replace_organisation_topics(organisation_ids[key], codes)
        for index, (first, last, language, key) in enumerate(VOLUNTEERS):
            person_id = await people_q.insert_person(
                phone=f"+3584010000{11 + index:02d}", first_name=first, last_name=last, language=language, now=now
            )
            await people_q.grant(
                person_id=person_id, role=Role.VOLUNTEER, organisation_id=organisation_ids[key], now=now
            )
            await _volunteer_offer(person_id, index, language, points_of[key], now)
        for first, language, phone in RESIDENTS:
            person_id = await people_q.insert_person(
                phone=phone, first_name=first, last_name="", language=language, now=now
            )
            residents[first] = person_id
            await people_q.grant(person_id=person_id, role=Role.RESIDENT, organisation_id=None, now=now)
    await provision_staff(
        audit,
        engine=engine,
        clock=clock,
        phone=NETWORK_COORDINATOR_PHONE,
        first_name="Kaisa",
        last_name="Rautio",
        language="fi",
        role=Role.NETWORK_COORDINATOR,
        organisation_id=None,
        password=DEMO_PASSWORD,
    )
    await provision_staff(
        audit,
        engine=engine,
        clock=clock,
        phone=PARTNER_COORDINATOR_PHONE,
        first_name="Johanna",
        last_name="Sirviö",
        language="fi",
        role=Role.PARTNER_COORDINATOR,
        organisation_id=organisation_ids["library"],
        password=DEMO_PASSWORD,
    )
    notifications = NotificationService(settings=settings, clock=clock)
    await _demo_sessions(engine, clock, audit, notifications, residents, points_of["library"][0])


async def _demo_sessions(
    engine: AnyEngine,
    clock: SystemClock,
    audit: AuditService,
    notifications: NotificationService,
    residents: dict[str, uuid.UUID],
    point: uuid.UUID,
) -> None:
    """Some history and some plans, made through the booking service so they obey its rules: Liisa had a
    session last week and has one coming; Göran booked one and cancelled it, and has asked to be called by
    someone who speaks Swedish (offered to volunteers, or waiting in the coordinators' queue)."""
    now = clock.now()
    placement = Placement(clock=clock, engine=engine, audit=audit, notifications=notifications)
    service = BookingService(clock=clock, engine=engine, audit=audit, placement=placement)
    today = now.astimezone(HELSINKI).date()
    for topic in TOPICS:
        query = BookingQuery(topic.code, "fi", Modality.HELP_POINT, point)
        free = await service.slots(query, today, today + timedelta(days=13))
        if len(free) >= 2:
            break
    else:
        return
    liisa = _resident(residents["Liisa"], "Liisa")
    goran = _resident(residents["Göran"], "Göran")
    upcoming = await service.book(liisa, query, starts_at=free[0].start, needs=frozenset(), idempotency_key=None)
    cancelled = await service.book(goran, query, starts_at=free[1].start, needs=frozenset(), idempotency_key=None)
    if cancelled.session is not None:
        sessions = SessionService(
            clock=clock, engine=engine, audit=audit, placement=placement, notifications=notifications
        )
        await sessions.cancel(goran, cancelled.session.id)
    offers = OfferService(
        clock=clock, engine=engine, audit=audit, booking=service, placement=placement, notifications=notifications
    )
    await offers.ask(goran, BookingQuery(topic.code, "sv", Modality.PHONE, None), needs=frozenset({Need.HEARING}))
    if upcoming.session is not None and upcoming.session.volunteer_id is not None:
        last_week = upcoming.session.starts_at - timedelta(days=7 * ((upcoming.session.starts_at - now).days // 7 + 1))
        request = await requests_q.insert(
            NewRequest(
                resident_id=liisa.person_id,
                topic=topic.code,
                language="fi",
                modality=Modality.HELP_POINT,
                help_point_id=point,
                needs=frozenset(),
                created_at=last_week - timedelta(days=3),
            ),
            state="closed",
            matched_at=last_week - timedelta(days=3),
        )
        await booking_q.insert_session(
            {
                "request": request,
                "resident": liisa.person_id,
                "volunteer": upcoming.session.volunteer_id,
                "help_point": point,
                "modality": "help_point",
                "starts_at": last_week,
                "ends_at": last_week + timedelta(minutes=45),
                "blocked_until": last_week + timedelta(hours=1),
                "state": "done",
                "created_at": last_week - timedelta(days=3),
                "minutes_spent": 40,
                "outcomes": [topic.outcomes[0].code] if topic.outcomes else [],
            }
        )


def _resident(person_id: uuid.UUID, first_name: str) -> Principal:
    return Principal(
        person_id=person_id,
        sign_in_id=uuid.uuid4(),
        first_name=first_name,
        language="fi",
        grants=frozenset({Grant(Role.RESIDENT, None)}),
    )
