"""The services the HTTP layer and jobs use, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from server.adapters.clock import Clock
from server.adapters.push import PushSender
from server.adapters.sms import SmsSender
from server.adapters.voice import VoiceCaller
from server.db.engine import AnyEngine
from server.services.applications import ApplicationService
from server.services.audit import AuditService
from server.services.auth import AuthService
from server.services.booking import BookingService
from server.services.calendar import CalendarService
from server.services.callbacks import CallbackService
from server.services.catalogue import CatalogueService
from server.services.coordination import CoordinationService
from server.services.days import DayService
from server.services.desk import DeskService
from server.services.dispatch import Dispatcher
from server.services.drop_in import DropInService
from server.services.event_messages import EventMessages
from server.services.events import EventService
from server.services.feedback import FeedbackService
from server.services.ivr import IvrService
from server.services.messaging import MessagingService
from server.services.network import NetworkService
from server.services.notifications import NotificationService
from server.services.offers import OfferService
from server.services.people import PeopleService
from server.services.personal_data import PersonalDataService
from server.services.placement import Placement
from server.services.referrals import ReferralService
from server.services.replies import InboxService, ReplyService
from server.services.sessions import SessionService
from server.services.statistics import StatisticsService
from server.services.text_booking import TextBookingService
from server.services.topics import TopicService
from server.services.volunteers import VolunteerService
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    clock: Clock
    engine: AnyEngine
    sms: SmsSender
    push: PushSender
    voice: VoiceCaller
    audit: AuditService
    auth: AuthService
    network: NetworkService
    people: PeopleService
    topics: TopicService
    volunteers: VolunteerService
    placement: Placement
    booking: BookingService
    offers: OfferService
    sessions: SessionService
    statistics: StatisticsService
    coordination: CoordinationService
    notifications: NotificationService
    dispatcher: Dispatcher
    replies: ReplyService
    inbox: InboxService
    messaging: MessagingService
    applications: ApplicationService
    ivr: IvrService
    callbacks: CallbackService
    calendar: CalendarService
    feedback: FeedbackService
    personal_data: PersonalDataService
    days: DayService
    desk: DeskService
    referrals: ReferralService
    drop_in: DropInService
    events: EventService
    catalogue: CatalogueService


def build_services(
    *,
    settings: Settings,
    clock: Clock,
    engine: AnyEngine,
    sms: SmsSender,
    push: PushSender,
    voice: VoiceCaller,
) -> Services:
    audit = AuditService(clock)
    notifications = NotificationService(settings=settings, clock=clock)
    auth = AuthService(settings=settings, clock=clock, sms=sms, engine=engine, audit=audit)
    network = NetworkService(clock=clock, engine=engine, audit=audit)
    placement = Placement(clock=clock, engine=engine, audit=audit, notifications=notifications)
    booking = BookingService(clock=clock, engine=engine, audit=audit, placement=placement)
    offers = OfferService(
        clock=clock, engine=engine, audit=audit, booking=booking, placement=placement, notifications=notifications
    )
    sessions = SessionService(clock=clock, engine=engine, audit=audit, placement=placement, notifications=notifications)
    desk = DeskService(clock=clock, engine=engine, audit=audit, network=network)
    drop_in = DropInService(
        clock=clock,
        engine=engine,
        audit=audit,
        network=network,
        placement=placement,
        desk=desk,
        notifications=notifications,
    )
    coordination = CoordinationService(
        clock=clock,
        engine=engine,
        audit=audit,
        booking=booking,
        placement=placement,
        offers=offers,
        sessions=sessions,
    )
    events = EventService(
        clock=clock,
        engine=engine,
        audit=audit,
        network=network,
        placement=placement,
        coordination=coordination,
        messages=EventMessages(clock=clock, notifications=notifications),
    )
    personal_data = PersonalDataService(
        settings=settings,
        clock=clock,
        engine=engine,
        audit=audit,
        auth=auth,
        sessions=sessions,
        events=events,
        offers=offers,
        sms=sms,
    )
    return Services(
        settings=settings,
        clock=clock,
        engine=engine,
        sms=sms,
        push=push,
        voice=voice,
        audit=audit,
        auth=auth,
        network=network,
        people=PeopleService(clock=clock, engine=engine, audit=audit, auth=auth),
        topics=TopicService(clock=clock, engine=engine, audit=audit),
        volunteers=VolunteerService(clock=clock, engine=engine, audit=audit),
        placement=placement,
        booking=booking,
        offers=offers,
        coordination=coordination,
        sessions=sessions,
        statistics=StatisticsService(clock=clock, engine=engine, audit=audit),
        notifications=notifications,
        dispatcher=Dispatcher(settings=settings, clock=clock, engine=engine, sms=sms, push=push, voice=voice),
        replies=ReplyService(
            clock=clock,
            engine=engine,
            sessions=sessions,
            notifications=notifications,
            drop_in=drop_in,
            events=events,
            text=TextBookingService(clock=clock, engine=engine, booking=booking),
        ),
        inbox=InboxService(clock=clock, engine=engine, audit=audit, sessions=sessions),
        messaging=MessagingService(clock=clock, engine=engine, audit=audit, notifications=notifications),
        applications=ApplicationService(clock=clock, engine=engine, audit=audit, notifications=notifications),
        ivr=IvrService(
            clock=clock,
            engine=engine,
            booking=booking,
            sessions=sessions,
            notifications=notifications,
            drop_in=drop_in,
            events=events,
        ),
        callbacks=CallbackService(clock=clock, engine=engine, audit=audit),
        calendar=CalendarService(settings=settings, clock=clock, engine=engine, audit=audit),
        feedback=FeedbackService(clock=clock, engine=engine, audit=audit),
        personal_data=personal_data,
        days=DayService(clock=clock, engine=engine, audit=audit, notifications=notifications),
        desk=desk,
        referrals=ReferralService(clock=clock, engine=engine, audit=audit, notifications=notifications),
        drop_in=drop_in,
        events=events,
        catalogue=CatalogueService(),
    )
