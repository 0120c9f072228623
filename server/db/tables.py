"""Piccolo tables. Times are UTC-aware (`Timestamptz`); local wall-clock values (opening hours) are plain `Time`.

Booking tables (requests, offers, sessions) and the notification outbox come in later migrations and refer to `person`,
`organisation` and `help_point` by foreign key; personal data lives only in `person` so erasure has one target.
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Real,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table


class Organisation(Table, tablename="organisation"):
    id = UUID(primary_key=True)
    name = Varchar(length=200)
    # municipality | library | association | education | ngo | company
    kind = Varchar(length=32)
    municipality = Varchar(length=100)
    phone = Varchar(length=16, null=True, default=None)
    active = Boolean(default=True)
    created_at = Timestamptz()
    description = Text(default="")  # what the partner helps with, in Finnish
    translations = JSON(default="{}")  # {"sv": {"name", "description"}, "en": {…}}


class HelpPoint(Table, tablename="help_point"):
    id = UUID(primary_key=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200)
    street_address = Varchar(length=200)
    postal_code = Varchar(length=5)
    municipality = Varchar(length=100)
    latitude = Real(null=True, default=None)
    longitude = Real(null=True, default=None)
    accessibility_notes = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz()
    # {"sv": {"name", "street_address", "accessibility_notes"}, "en": {…}}; Finnish in the columns is the fallback.
    translations = JSON(default="{}")


class OpeningHours(Table, tablename="opening_hours"):
    """One open period of a help point on a weekday (0 = Monday), in Europe/Helsinki wall-clock time."""

    id = UUID(primary_key=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    opens = Time()
    closes = Time()


class Person(Table, tablename="person"):
    """Anyone who signs in: residents, volunteers, coordinators. Identified by their mobile number."""

    id = UUID(primary_key=True)
    first_name = Varchar(length=100, default="")
    last_name = Varchar(length=100, default="")
    phone = Varchar(length=16, unique=True)
    language = Varchar(length=2, default="fi")
    active = Boolean(default=True)
    # argon2 hash of a coordinator's second-factor password; never set for residents or volunteers.
    password_hash = Varchar(length=200, null=True, default=None)
    created_at = Timestamptz()
    deactivated_at = Timestamptz(null=True, default=None)
    # A word the resident chose; every SMS to them carries it, so a real message is told apart from a scam.
    code_word = Varchar(length=40, default="")
    # The person replied STOP (LOPETA, SLUTA): no SMS until they reply START.
    sms_opt_out = Boolean(default=False)
    # Erased (on request or by retention): the row stays, anonymous, for the requests and sessions it holds.
    erased_at = Timestamptz(null=True, default=None)
    # The last sign-in (sign-ins are deleted when they end): an activity that keeps the account.
    signed_in_at = Timestamptz(null=True, default=None)


class Membership(Table, tablename="membership"):
    """A role held by a person, scoped to an organisation (none for residents and network coordinators)."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    # resident | volunteer | partner_coordinator | network_coordinator
    role = Varchar(length=32)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, index=True)
    active = Boolean(default=True)
    created_at = Timestamptz()


class SignInChallenge(Table, tablename="sign_in_challenge"):
    """One request for an SMS code. Only an HMAC of the code is stored."""

    id = UUID(primary_key=True)
    phone = Varchar(length=16, index=True)
    code_hash = Varchar(length=64)
    client_hash = Varchar(length=64, index=True)
    created_at = Timestamptz(index=True)
    expires_at = Timestamptz()
    attempts = Integer(default=0)
    # pending | used | dead | superseded
    status = Varchar(length=16, default="pending")
    # sign_in | erase: what the code confirms (one cannot be used for the other)
    purpose = Varchar(length=16, default="sign_in")


class SignIn(Table, tablename="auth_session"):
    """A server-side sign-in (the table keeps its first name, auth_session); the cookie holds a random token, the
    table only its hash. Not to be confused with a help session (HelpSession), the meeting."""

    id = UUID(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    # resident | volunteer | coordinator: picks the idle and absolute lifetime
    lifetime_class = Varchar(length=16)
    created_at = Timestamptz()
    last_seen_at = Timestamptz()
    expires_at = Timestamptz()
    password_verified_at = Timestamptz(null=True, default=None)
    password_failures = Integer(default=0)
    revoked_at = Timestamptz(null=True, default=None)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only (database triggers refuse UPDATE and DELETE). Ids are plain values, not foreign keys,
    so the trail survives the erasure of the people it mentions."""

    id = Serial(primary_key=True)
    at = Timestamptz(index=True)
    actor_id = UUID(null=True, default=None)
    actor_role = Varchar(length=32, default="")
    action = Varchar(length=64, index=True)
    object_type = Varchar(length=32, default="")
    object_id = Varchar(length=64, default="")
    organisation_id = UUID(null=True, default=None, index=True)
    subject_id = UUID(null=True, default=None, index=True)
    detail = JSON(default="{}")


class DevSmsMessage(Table, tablename="dev_sms_message"):
    """The dev outbox: SMS that would have been sent (and replies typed on /dev/phone)."""

    id = Serial(primary_key=True)
    phone = Varchar(length=16, index=True)
    direction = Varchar(length=8, default="out")  # out | in | push
    body = Text()
    created_at = Timestamptz()


class Topic(Table, tablename="topic"):
    """What residents ask help with. Names, the "bring with you" list and the outcomes ("what I can now do
    alone") are kept in Finnish, Swedish and English as JSON: {"fi": ..., "sv": ..., "en": ...}."""

    code = Varchar(length=40, primary_key=True)
    names = JSON()
    bring = JSON(default="{}")
    outcomes = JSON(default="[]")
    # A partner-only topic (a bank's own services) always goes to this organisation's queue.
    partner_only = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True)
    sort_order = SmallInt(default=100)
    active = Boolean(default=True)


class OrganisationTopic(Table, tablename="organisation_topic"):
    """Topics a partner organisation serves with its own staff (its queue takes them)."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    topic = ForeignKey(Topic, on_delete=OnDelete.cascade, index=True)


class VolunteerProfile(Table, tablename="volunteer_profile"):
    """What a volunteer offers. Their home is stored only as the point travel distance is measured from."""

    person = ForeignKey(Person, on_delete=OnDelete.cascade, primary_key=True)
    languages = JSON(default="[]")  # fi, sv, en, fi-plain (selkokieli)
    remote = Boolean(default=False)
    home_visits = Boolean(default=False)
    home_latitude = Real(null=True, default=None)
    home_longitude = Real(null=True, default=None)
    travel_radius_km = Real(default=0.0)
    weekly_cap = SmallInt(default=3)
    needs_experience = JSON(default="[]")
    updated_at = Timestamptz()


class VolunteerTopic(Table, tablename="volunteer_topic"):
    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    topic = ForeignKey(Topic, on_delete=OnDelete.cascade, index=True)
    skill = SmallInt(default=2)  # 1 basics, 2 confident, 3 expert


class VolunteerHelpPoint(Table, tablename="volunteer_help_point"):
    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, index=True)


class AvailabilityRule(Table, tablename="availability_rule"):
    """Weekly availability in Europe/Helsinki wall-clock time."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    start = Time()
    end = Time()
    remote = Boolean(default=False)


class AvailabilityOverride(Table, tablename="availability_override"):
    """One date: away (all day without times) or extra hours."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    away = Boolean()
    start = Time(null=True, default=None)
    end = Time(null=True, default=None)
    remote = Boolean(default=False)


class HelpRequest(Table, tablename="help_request"):
    """A resident's need for help: booked at a time, or flexible ("call me when someone can help")."""

    id = UUID(primary_key=True)
    resident = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict)
    language = Varchar(length=8)
    modality = Varchar(length=16)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.restrict, null=True)
    needs = JSON(default="[]")
    # Home visits: where (given by the resident or the coordinator who took the call). Kept only as long as the
    # request is (retention applies to requests).
    home_address = Varchar(length=200, default="")
    home_latitude = Real(null=True, default=None)
    home_longitude = Real(null=True, default=None)
    # open | offering | routed | matched | cancelled | closed (server/domain/states.py)
    state = Varchar(length=16, index=True)
    channel = Varchar(length=16, default="pwa")  # pwa | phone | coordinator
    routed_to = ForeignKey(Organisation, on_delete=OnDelete.restrict, null=True, index=True)
    booked_by = ForeignKey(Person, on_delete=OnDelete.restrict, null=True)  # a coordinator booking on behalf
    consent_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(index=True)
    matched_at = Timestamptz(null=True, default=None)
    idempotency_key = Varchar(length=64, null=True, default=None)
    idempotency_fingerprint = Varchar(length=64, null=True, default=None)
    # A routed request the partner's own staff handled: helped | not_reached | not_needed (server/domain/referrals.py)
    handled_outcome = Varchar(length=32, default="")


class HelpSession(Table, tablename="help_session"):
    """A scheduled meeting or call. `blocked_until` = end + buffer: the database refuses overlapping blocked
    time for one volunteer or one resident (PostgreSQL exclusion constraints; SQLite checks in one IMMEDIATE
    transaction)."""

    id = UUID(primary_key=True)
    request = ForeignKey(HelpRequest, on_delete=OnDelete.restrict, index=True)
    resident = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    volunteer = ForeignKey(Person, on_delete=OnDelete.restrict, null=True, index=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.restrict, null=True, index=True)
    modality = Varchar(length=16)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    blocked_until = Timestamptz()
    # scheduled | checked_in | done | no_show | cancelled
    state = Varchar(length=16, index=True)
    version = Integer(default=1)
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)
    minutes_spent = SmallInt(null=True, default=None)
    outcomes = JSON(default="[]")
    note = Text(default="")
    # The resident confirmed by SMS reply (does not change `version`: the reminders still stand).
    confirmed_at = Timestamptz(null=True, default=None)
    feedback = SmallInt(null=True, default=None)  # 1 to 5, the resident's SMS answer after the session


class Offer(Table, tablename="offer"):
    """A flexible request offered to one volunteer. At most one offer of a request is ever accepted; that
    volunteer has the request."""

    id = UUID(primary_key=True)
    request = ForeignKey(HelpRequest, on_delete=OnDelete.restrict, index=True)
    volunteer = ForeignKey(Person, on_delete=OnDelete.restrict, index=True)
    round = SmallInt(default=1)
    # pending | accepted | declined | expired | withdrawn (server/domain/states.py)
    state = Varchar(length=16, index=True)
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    answered_at = Timestamptz(null=True, default=None)


class GroupEvent(Table, tablename="group_event"):
    """A group session (a digikahvila, a course): at a help point, or remote (`help_point` NULL: a video call),
    with places for `capacity` residents and a waitlist, staffed by `volunteers_needed` volunteers. `topics` is a
    JSON list. Cancelled events stay, with their sign-ups, for the statistics."""

    id = UUID(primary_key=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    title = Varchar(length=120)
    description = Text(default="")
    topics = JSON(default="[]")
    language = Varchar(length=2, default="fi")
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    capacity = SmallInt()
    volunteers_needed = SmallInt(default=1)
    bring = Text(default="")
    state = Varchar(length=16, default="scheduled")  # scheduled | cancelled
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    cancelled_at = Timestamptz(null=True, default=None)


class EventSignup(Table, tablename="event_signup"):
    """A resident on an event: one row per event and person (never both confirmed and waitlisted). state:
    confirmed | waitlisted | offered (a freed place held until `offered_until`) | cancelled | declined. `queue_no`
    orders the waitlist (the order of signing up). `attendance`: '' | attended | no_show."""

    id = UUID(primary_key=True)
    event = ForeignKey(GroupEvent, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    state = Varchar(length=16)
    queue_no = Integer()
    channel = Varchar(length=16, default="pwa")  # pwa | phone (a coordinator) | voice
    consent_at = Timestamptz(null=True, default=None)
    offered_until = Timestamptz(null=True, default=None)
    attendance = Varchar(length=8, default="")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class EventDuty(Table, tablename="event_duty"):
    """A volunteer staffing an event: keeps their time and counts towards their weekly limit, like a session."""

    id = UUID(primary_key=True)
    event = ForeignKey(GroupEvent, on_delete=OnDelete.cascade)
    volunteer = ForeignKey(Person, on_delete=OnDelete.cascade)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    taken_at = Timestamptz()


class Notification(Table, tablename="notification"):
    """The outbox: every SMS and push, written in the transaction of the change that causes it and sent by the
    dispatcher. `key` makes each logical message unique (session, version, kind, recipient, channel).

    `next_attempt_at` is when the row needs the dispatcher next: its due time, its retry time, or, while it is
    `sending`, the end of the claim's lease (a crashed worker's rows come back then). One partial index on it
    answers "what is due" for both."""

    id = UUID(primary_key=True)
    key = Varchar(length=200, unique=True)
    kind = Varchar(length=32)
    channel = Varchar(length=8)  # sms | push
    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, index=True)
    phone = Varchar(length=16, default="")
    session = ForeignKey(HelpSession, on_delete=OnDelete.cascade, null=True, index=True)
    session_version = Integer(null=True, default=None)
    offer = ForeignKey(Offer, on_delete=OnDelete.cascade, null=True, index=True)
    language = Varchar(length=2, default="fi")
    # The rendered text (SMS) or JSON payload (push); sign-in codes are never kept here.
    body = Text(default="")
    due_at = Timestamptz()
    not_after = Timestamptz(null=True, default=None)  # never sent after this (the session's start, an offer's end)
    next_attempt_at = Timestamptz()
    # scheduled | sending | sent | delivered | failed | cancelled | expired
    state = Varchar(length=16)
    attempts = SmallInt(default=0)
    claimed_by = Varchar(length=64, default="")
    provider_id = Varchar(length=64, null=True, default=None, index=True)
    provider_status = Varchar(length=16, default="")
    last_error = Varchar(length=300, default="")
    created_at = Timestamptz()
    sent_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz()
    anytime = Boolean(default=False)  # may go out in quiet hours (see dispatch)
    sms_body = Text(default="")  # a push's SMS wording, sent when no subscription takes the push
    in_doubt = Boolean(default=False)  # the last send's outcome is unknown: ask Twilio before sending again
    choices = Text(default="")  # a "which time?" question: JSON {"action", "sessions"}
    event_signup = ForeignKey(EventSignup, on_delete=OnDelete.cascade, null=True, default=None)


class ProviderReport(Table, tablename="provider_report"):
    """A delivery report for a message whose sid is not recorded yet (Twilio can be faster than our commit)."""

    id = UUID(primary_key=True)
    provider_id = Varchar(length=64, unique=True)
    status = Varchar(length=16, default="")
    error_code = Varchar(length=16, default="")
    received_at = Timestamptz(index=True)


class PushSubscription(Table, tablename="push_subscription"):
    """A browser's push subscription (the endpoint is a capability URL: never logged)."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    endpoint = Varchar(length=1000, unique=True)
    p256dh = Varchar(length=200)
    auth = Varchar(length=100)
    created_at = Timestamptz()
    last_success_at = Timestamptz(null=True, default=None)


class MessageTemplate(Table, tablename="message_template"):
    """A network coordinator's wording of one kind of message in one language (defaults live in the code)."""

    id = UUID(primary_key=True)
    kind = Varchar(length=32)
    language = Varchar(length=2)
    body = Text()
    link_free = Boolean(default=True)
    updated_at = Timestamptz()
    updated_by = UUID(null=True, default=None)


class InboundMessage(Table, tablename="inbound_message"):
    """An SMS a resident sent us. Understood replies are acted on at once; the rest wait in the coordinators'
    inbox (`state` open) until someone handles them."""

    id = UUID(primary_key=True)
    provider_id = Varchar(length=64, null=True, default=None, unique=True)  # Twilio's MessageSid: dedupe
    phone = Varchar(length=16, index=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, index=True)
    session = ForeignKey(HelpSession, on_delete=OnDelete.cascade, null=True, index=True)
    body = Text()
    # confirm | cancel | stop | start | feedback | unknown | noted (understood, nothing to change)
    action = Varchar(length=16)
    state = Varchar(length=16, index=True)  # open | handled
    received_at = Timestamptz(index=True)
    handled_at = Timestamptz(null=True, default=None)
    handled_by = UUID(null=True, default=None)
    outcome = Varchar(length=32, default="")
    suggested_topic = Varchar(length=40, default="")  # a text a person must read: the topic it most likely is


class VolunteerApplication(Table, tablename="volunteer_application"):
    """Someone asking to volunteer with an organisation; its coordinator approves (the volunteer role is granted)
    or declines."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, index=True)
    organisation = ForeignKey(Organisation, on_delete=OnDelete.cascade, index=True)
    message = Text(default="")
    # pending | approved | declined | withdrawn
    state = Varchar(length=16, index=True)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
    decided_by = UUID(null=True, default=None)


class VoiceCall(Table, tablename="voice_call"):
    """A call on the helpline's voice menu, or a reminder call we placed. The state between keypresses lives
    here, found by Twilio's CallSid (never taken from the URL)."""

    id = UUID(primary_key=True)
    call_sid = Varchar(length=64, unique=True)
    direction = Varchar(length=8, default="in")  # in | out (a reminder)
    phone = Varchar(length=16, default="")
    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, index=True)
    notification = ForeignKey(Notification, on_delete=OnDelete.cascade, null=True, index=True)
    language = Varchar(length=2, default="fi")
    step = Varchar(length=16)
    failures = SmallInt(default=0)
    data = JSON(default="{}")
    # What came of it: booked | heard | cancelled | kept | confirmed | callback | routed | transferred | hung_up | …
    outcome = Varchar(length=32, default="")
    tried = JSON(default="[]")  # the menu choices made, for the coordinator who calls back
    created_at = Timestamptz(index=True)
    updated_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)


class CallbackRequest(Table, tablename="callback_request"):
    """Someone who phoned and should be called back by a coordinator."""

    id = UUID(primary_key=True)
    phone = Varchar(length=16)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, index=True)
    language = Varchar(length=2, default="fi")
    reason = Varchar(length=32)  # asked | no_input | no_times | reminder | other_topic
    tried = JSON(default="[]")
    call = ForeignKey(VoiceCall, on_delete=OnDelete.set_null, null=True)
    session = ForeignKey(HelpSession, on_delete=OnDelete.set_null, null=True)
    state = Varchar(length=16, index=True)  # open | handled
    created_at = Timestamptz(index=True)
    handled_at = Timestamptz(null=True, default=None)
    handled_by = UUID(null=True, default=None)
    outcome = Varchar(length=32, default="")  # booked_on_behalf | advised | no_answer


class CalendarFeed(Table, tablename="calendar_feed"):
    """A volunteer's private calendar link. Only a hash of the link's token is stored for looking it up, and the
    token itself is an HMAC of `nonce` with the server's secret: the database alone cannot rebuild a link."""

    id = UUID(primary_key=True)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, unique=True)
    nonce = Varchar(length=64)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()


class AccessibilityFeedback(Table, tablename="accessibility_feedback"):
    """Feedback on accessibility (the law requires a channel and an answer within 14 days)."""

    id = UUID(primary_key=True)
    message = Text()
    contact = Varchar(length=200, default="")  # how to answer: a phone number or an e-mail, if they gave one
    language = Varchar(length=2, default="fi")
    page = Varchar(length=200, default="")
    client_hash = Varchar(length=64, index=True)
    created_at = Timestamptz(index=True)
    answered_at = Timestamptz(null=True, default=None)
    answered_by = UUID(null=True, default=None)
    answer_note = Text(default="")


class RetentionRun(Table, tablename="retention_run"):
    """One run of the daily retention job; the unique day makes a second worker skip it."""

    id = UUID(primary_key=True)
    day = Varchar(length=10, unique=True)
    started_at = Timestamptz()
    finished_at = Timestamptz(null=True, default=None)
    removed = Text(default="{}")  # JSON: kind -> how many


class HelpPointDay(Table, tablename="help_point_day"):
    """A date on which a help point differs from its weekly hours: closed, open at other hours, or explicitly
    open as every week (a holiday it keeps open). `reason` is JSON {"fi", "sv", "en"}."""

    id = UUID(primary_key=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, index=True)
    day = Date(index=True)
    state = Varchar(length=8)  # closed | hours | open
    opens = Time(null=True, default=None)
    closes = Time(null=True, default=None)
    reason = Text(default="{}")
    source = Varchar(length=16, default="coordinator")  # holiday | coordinator
    updated_at = Timestamptz()
    updated_by = UUID(null=True, default=None)


class WalkIn(Table, tablename="walk_in"):
    """A visitor helped at a help point's desk without a booking: what about, how long, what they can now do
    alone. No name or number: a walk-in is a count for the statistics (channel "walk-in"), not a person."""

    id = UUID(primary_key=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, index=True)
    topic = ForeignKey(Topic, on_delete=OnDelete.restrict)
    language = Varchar(length=8, default="fi")
    minutes = SmallInt()
    outcomes = JSON(default="[]")
    recorded_at = Timestamptz(index=True)
    recorded_by = UUID(null=True, default=None)  # the staff member (kept as an id, like the audit trail)


class RequestReferral(Table, tablename="request_referral"):
    """A request passed to a partner organisation by a coordinator (or the volunteer on a session), with a note for
    the partner (no credentials: the note is checked like a volunteer's). Goes with its request when purged."""

    id = UUID(primary_key=True)
    request = ForeignKey(HelpRequest, on_delete=OnDelete.cascade, index=True)
    from_organisation = UUID(null=True, default=None)  # the partner it was with (None: the network's queue)
    to_organisation = ForeignKey(Organisation, on_delete=OnDelete.restrict, index=True)
    note = Text(default="")
    referred_by = UUID(null=True, default=None)  # the coordinator or volunteer, an id like the audit trail's
    referred_at = Timestamptz(index=True)


class DropInHour(Table, tablename="drop_in_hour"):
    """A help point's weekly drop-in hour (päivystys: no booking, first come first served), in Europe/Helsinki
    wall-clock time. `topics` and `languages` are JSON lists (no topics: any topic). Removed ones stay inactive."""

    id = UUID(primary_key=True)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, index=True)
    weekday = SmallInt()
    starts = Time()
    ends = Time()
    topics = JSON(default="[]")
    languages = JSON(default='["fi"]')
    minutes_per_visitor = SmallInt(default=30)
    volunteers_needed = SmallInt(default=1)
    active = Boolean(default=True)
    created_at = Timestamptz()


class DropInShift(Table, tablename="drop_in_shift"):
    """A volunteer on one date's drop-in hour; its times resolved to instants when taken (a day with other hours
    shortens it). Counts towards the volunteer's weekly limit and keeps their time busy, like a session."""

    id = UUID(primary_key=True)
    drop_in_hour = ForeignKey(DropInHour, on_delete=OnDelete.cascade, index=True)
    day = Date()
    volunteer = ForeignKey(Person, on_delete=OnDelete.cascade)
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    taken_at = Timestamptz()


class TextConversation(Table, tablename="text_conversation"):
    """A booking by SMS under way: the topic read from the resident's text, where, the times offered (JSON list of
    ISO instants, numbered from 1 in the SMS), until when it holds. state: municipality (we asked where they live)
    | offered | done. Keyed by the phone number: the sender may not be a person yet."""

    id = UUID(primary_key=True)
    phone = Varchar(length=16)
    person = ForeignKey(Person, on_delete=OnDelete.cascade, null=True, default=None, index=True)
    language = Varchar(length=2, default="fi")
    topic = Varchar(length=40)
    state = Varchar(length=16)
    help_point = ForeignKey(HelpPoint, on_delete=OnDelete.cascade, null=True, default=None)
    offered = JSON(default="[]")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    expires_at = Timestamptz()


class TopicWord(Table, tablename="topic_word"):
    """The network's own word stems for reading a topic from a resident's text (added to the built-in lexicon)."""

    id = UUID(primary_key=True)
    topic = ForeignKey(Topic, on_delete=OnDelete.cascade)
    word = Varchar(length=40)
    created_at = Timestamptz()


ALL_TABLES: tuple[type[Table], ...] = (
    Organisation,
    HelpPoint,
    OpeningHours,
    Person,
    Membership,
    SignInChallenge,
    SignIn,
    AuditEvent,
    DevSmsMessage,
    Topic,
    OrganisationTopic,
    VolunteerProfile,
    VolunteerTopic,
    VolunteerHelpPoint,
    AvailabilityRule,
    AvailabilityOverride,
    HelpRequest,
    HelpSession,
    Offer,
    GroupEvent,
    EventSignup,
    EventDuty,
    Notification,
    ProviderReport,
    PushSubscription,
    MessageTemplate,
    InboundMessage,
    VolunteerApplication,
    VoiceCall,
    CallbackRequest,
    CalendarFeed,
    AccessibilityFeedback,
    RetentionRun,
    HelpPointDay,
    WalkIn,
    RequestReferral,
    DropInHour,
    DropInShift,
    TextConversation,
    TopicWord,
)
