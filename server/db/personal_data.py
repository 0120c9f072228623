"""Everything stored about one person, read for their export, and erased in one transaction.

A person is found by id and, for rows that keep only a number (calls, texts, callbacks, the dev phone), by every
form of their number. `erase` runs inside the caller's write transaction: the caller cancels what is upcoming
first, in the same transaction, so an erasure is all or nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.db.codec import as_dict, as_list, as_names, as_uuid
from server.db.tables import (
    AccessibilityFeedback,
    AuditEvent,
    AvailabilityOverride,
    AvailabilityRule,
    CalendarFeed,
    CallbackRequest,
    DevSmsMessage,
    EventDuty,
    EventSignup,
    HelpPoint,
    HelpRequest,
    HelpSession,
    InboundMessage,
    Membership,
    Notification,
    Offer,
    Organisation,
    Person,
    PushSubscription,
    SignIn,
    SignInChallenge,
    TextConversation,
    Topic,
    VoiceCall,
    VolunteerApplication,
    VolunteerHelpPoint,
    VolunteerProfile,
    VolunteerTopic,
)
from server.domain.personal_data import Node, erased_phone, group, leaf, phone_forms, record

LIVE_SESSION_STATES = ("scheduled", "checked_in")
OPEN_REQUEST_STATES = ("open", "offering", "routed", "matched")


async def person_row(person_id: uuid.UUID) -> dict[str, Any] | None:
    rows = await Person.select().where(Person.id == person_id)
    return rows[0] if rows else None


async def person_by_phone(phone: str) -> dict[str, Any] | None:
    if not phone:
        return None
    rows = await Person.select().where(Person.phone == phone)
    return rows[0] if rows else None


async def holds_staff_role(person_id: uuid.UUID) -> bool:
    """A volunteer or coordinator role still held: their organisation ends it before erasure."""
    return bool(
        await Membership.count().where(
            (Membership.person == person_id) & (Membership.role != "resident") & (Membership.active == True)  # noqa: E712
        )
    )


async def _names_of_topics(language: str) -> dict[str, str]:
    rows = await Topic.select(Topic.code, Topic.names)
    return {r["code"]: as_names(r["names"]).get(language) or r["code"] for r in rows}


async def _names_of(table: Any, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await table.select(table.id, table.name).where(table.id.is_in(list(ids)))
    return {as_uuid(r["id"]): r["name"] for r in rows}


async def _organisation_of(person_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The organisation a staff member acts for (their personal details are not the resident's data)."""
    if not person_ids:
        return {}
    rows = await Membership.select(Membership.person, Membership.organisation.name, Membership.role).where(
        Membership.person.is_in(list(person_ids)) & (Membership.role != "resident")
    )
    found: dict[uuid.UUID, str] = {}
    for r in rows:
        found.setdefault(as_uuid(r["person"]), r["organisation.name"] or "network coordinator")
    return found


def _by_number(column: Any, numbers: list[str]) -> Any:
    return column.is_in(numbers) if numbers else column == "\x01never"


async def collect(person_id: uuid.UUID, language: str) -> Node | None:
    """The tree of everything Apuri holds about the person (GDPR art. 15/20), or None if there is no such
    person (or they are erased)."""
    person = await person_row(person_id)
    if person is None or person["erased_at"] is not None:
        return None
    numbers = phone_forms(person["phone"])
    topics = await _names_of_topics(language)
    roles = await Membership.select(Membership.role, Membership.organisation.name, Membership.active).where(
        Membership.person == person_id
    )
    requests = await HelpRequest.select().where(HelpRequest.resident == person_id).order_by(HelpRequest.created_at)
    sessions = await HelpSession.select(*HelpSession.all_columns(), HelpSession.request.topic).where(
        HelpSession.resident == person_id
    )
    sessions.sort(key=lambda s: s["starts_at"])
    places = await _names_of(HelpPoint, {as_uuid(s["help_point"]) for s in sessions if s["help_point"]})
    booked_by = await _organisation_of({as_uuid(r["booked_by"]) for r in requests if r["booked_by"]})
    messages = await Notification.select().where(
        (Notification.person == person_id) | _by_number(Notification.phone, numbers)
    )
    messages.sort(key=lambda m: m["created_at"])
    replies = await InboundMessage.select().where(
        (InboundMessage.person == person_id) | _by_number(InboundMessage.phone, numbers)
    )
    texts = await TextConversation.select().where(
        (TextConversation.person == person_id) | _by_number(TextConversation.phone, numbers)
    )
    signups = await EventSignup.select(
        EventSignup.created_at,
        EventSignup.state,
        EventSignup.channel,
        EventSignup.consent_at,
        EventSignup.attendance,
        EventSignup.event.title.as_alias("title"),
        EventSignup.event.starts_at.as_alias("starts_at"),
        EventSignup.event.help_point.as_alias("help_point"),
    ).where(EventSignup.person == person_id)
    event_places = await _names_of(HelpPoint, {as_uuid(g["help_point"]) for g in signups if g["help_point"]})
    duties = await EventDuty.select(
        EventDuty.taken_at, EventDuty.starts_at, EventDuty.event.title.as_alias("title")
    ).where(EventDuty.volunteer == person_id)
    calls = await VoiceCall.select().where((VoiceCall.person == person_id) | _by_number(VoiceCall.phone, numbers))
    callbacks = await CallbackRequest.select().where(
        (CallbackRequest.person == person_id) | _by_number(CallbackRequest.phone, numbers)
    )
    pushes = await PushSubscription.select(PushSubscription.created_at, PushSubscription.last_success_at).where(
        PushSubscription.person == person_id
    )
    sign_ins = await SignIn.select(SignIn.created_at, SignIn.last_seen_at, SignIn.expires_at).where(
        SignIn.person == person_id
    )
    applications = await VolunteerApplication.select(
        VolunteerApplication.created_at,
        VolunteerApplication.organisation.name,
        VolunteerApplication.state,
        VolunteerApplication.message,
    ).where(VolunteerApplication.person == person_id)
    feedback = await AccessibilityFeedback.select(
        AccessibilityFeedback.created_at, AccessibilityFeedback.message, AccessibilityFeedback.contact
    ).where(_by_number(AccessibilityFeedback.contact, numbers))
    dev_phone = await DevSmsMessage.select(DevSmsMessage.created_at, DevSmsMessage.direction, DevSmsMessage.body).where(
        _by_number(DevSmsMessage.phone, numbers)
    )
    lookups = await AuditEvent.select().where(AuditEvent.subject_id == person_id).order_by(AuditEvent.id)
    lookup_orgs = await _names_of(
        Organisation, {as_uuid(a["organisation_id"]) for a in lookups if a["organisation_id"]}
    )
    profile = await VolunteerProfile.select().where(VolunteerProfile.person == person_id)

    children = [
        record(
            "PERSON",
            {
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "phone": person["phone"],
                "language": person["language"],
                "code_word": person["code_word"],
                "sms_opt_out": person["sms_opt_out"],
                "created_at": person["created_at"],
                "signed_in_at": person["signed_in_at"],
            },
        ),
        group(
            "ROLES",
            "ROLE",
            [{"role": r["role"], "organisation": r["organisation.name"], "active": r["active"]} for r in roles],
        ),
        group(
            "REQUESTS",
            "REQUEST",
            [
                {
                    "id": r["id"],
                    "topic": topics.get(r["topic"], r["topic"]),
                    "modality": r["modality"],
                    "state": r["state"],
                    "channel": r["channel"],
                    "created_at": r["created_at"],
                    "home_address": r["home_address"],
                    "needs": list(as_list(r["needs"])),
                    "consent_at": r["consent_at"],
                    "booked_by_organisation": booked_by.get(as_uuid(r["booked_by"])) if r["booked_by"] else None,
                }
                for r in requests
            ],
        ),
        group(
            "SESSIONS",
            "SESSION",
            [
                {
                    "id": s["id"],
                    "topic": topics.get(s["request.topic"], s["request.topic"]),
                    "starts_at": s["starts_at"],
                    "state": s["state"],
                    "modality": s["modality"],
                    "place": places.get(as_uuid(s["help_point"])) if s["help_point"] else None,
                    "minutes": s["minutes_spent"],
                    "outcomes": list(as_list(s["outcomes"])),
                    "note": s["note"],
                    "confirmed_at": s["confirmed_at"],
                    "feedback": s["feedback"],
                }
                for s in sessions
            ],
        ),
        group(
            "GROUP_SESSIONS",
            "GROUP_SESSION",
            [
                {
                    "title": g["title"],
                    "starts_at": g["starts_at"],
                    "place": event_places.get(as_uuid(g["help_point"])) if g["help_point"] else None,
                    "state": g["state"],
                    "channel": g["channel"],
                    "signed_up_at": g["created_at"],
                    "consent_at": g["consent_at"],
                    "attendance": g["attendance"] or None,
                }
                for g in sorted(signups, key=lambda g: g["starts_at"])
            ],
        ),
        group(
            "GROUP_SESSION_DUTIES",
            "GROUP_SESSION_DUTY",
            [
                {"title": d["title"], "starts_at": d["starts_at"], "taken_at": d["taken_at"]}
                for d in sorted(duties, key=lambda d: d["starts_at"])
            ],
        ),
        group(
            "MESSAGES",
            "MESSAGE",
            [
                {
                    "created_at": m["created_at"],
                    "channel": m["channel"],
                    "kind": m["kind"],
                    "state": m["state"],
                    "to": m["phone"],
                    "text": m["body"] if m["channel"] != "push" else m["sms_body"] or m["body"],
                }
                for m in messages
            ],
        ),
        group(
            "REPLIES",
            "REPLY",
            [
                {"received_at": r["received_at"], "from": r["phone"], "text": r["body"], "action": r["action"]}
                for r in sorted(replies, key=lambda r: r["received_at"])
            ],
        ),
        group(
            "TEXT_BOOKINGS",
            "TEXT_BOOKING",
            [
                {
                    "created_at": t["created_at"],
                    "number": t["phone"],
                    "topic": topics.get(t["topic"], t["topic"]),
                    "state": t["state"],
                    "times_offered": ", ".join(as_list(t["offered"])),
                    "expires_at": t["expires_at"],
                }
                for t in sorted(texts, key=lambda t: t["created_at"])
            ],
        ),
        group(
            "CALLS",
            "CALL",
            [
                {
                    "created_at": c["created_at"],
                    "direction": c["direction"],
                    "number": c["phone"],
                    "outcome": c["outcome"],
                    "menu_choices": [str(t) for t in as_list(c["tried"])],
                }
                for c in sorted(calls, key=lambda c: c["created_at"])
            ],
        ),
        group(
            "CALLBACKS",
            "CALLBACK",
            [
                {
                    "created_at": c["created_at"],
                    "number": c["phone"],
                    "reason": c["reason"],
                    "state": c["state"],
                    "outcome": c["outcome"],
                }
                for c in sorted(callbacks, key=lambda c: c["created_at"])
            ],
        ),
        group(
            "PUSH_SUBSCRIPTIONS",
            "PUSH_SUBSCRIPTION",
            [{"created_at": p["created_at"], "last_success_at": p["last_success_at"]} for p in pushes],
        ),
        group("SIGN_INS", "SIGN_IN", [dict(s) for s in sign_ins]),
        group(
            "VOLUNTEER_APPLICATIONS",
            "APPLICATION",
            [
                {
                    "created_at": a["created_at"],
                    "organisation": a["organisation.name"],
                    "state": a["state"],
                    "message": a["message"],
                }
                for a in applications
            ],
        ),
        group("ACCESSIBILITY_FEEDBACK", "FEEDBACK", [dict(f) for f in feedback]),
        group(
            "LOOKUPS",
            "LOOKUP",
            [
                {
                    "at": a["at"],
                    "action": a["action"],
                    "by_role": a["actor_role"],
                    "organisation": lookup_orgs.get(as_uuid(a["organisation_id"])) if a["organisation_id"] else None,
                    "purpose": as_dict(a["detail"]).get("purpose"),
                }
                for a in lookups
            ],
        ),
    ]
    if profile:
        p = profile[0]
        children.append(
            record(
                "VOLUNTEER_PROFILE",
                {
                    "languages": list(as_list(p["languages"])),
                    "remote": p["remote"],
                    "home_visits": p["home_visits"],
                    "home_latitude": p["home_latitude"],
                    "home_longitude": p["home_longitude"],
                    "travel_radius_km": p["travel_radius_km"],
                },
            )
        )
    if dev_phone:
        children.append(group("TEST_PHONE_MESSAGES", "MESSAGE", [dict(d) for d in dev_phone]))
    children.append(leaf("PERSON_ID", person_id))
    return Node(key="APURI", children=[c for c in children if c.value is not None or c.children])


# ---- upcoming ----------------------------------------------------------------------------------------------


async def live_sessions(person_id: uuid.UUID, now: datetime) -> list[dict[str, Any]]:
    """Sessions erasure must cancel first: scheduled or checked in and not yet over."""
    return list(
        await HelpSession.select(
            HelpSession.id,
            HelpSession.starts_at,
            HelpSession.request,
            HelpSession.request.topic,
            HelpSession.help_point,
        )
        .where(
            (HelpSession.resident == person_id)
            & HelpSession.state.is_in(list(LIVE_SESSION_STATES))
            & (HelpSession.ends_at > now)
        )
        .order_by(HelpSession.starts_at)
    )


async def open_requests(person_id: uuid.UUID) -> list[dict[str, Any]]:
    """Requests still waiting for someone (no live session): erasure cancels them first."""
    return list(
        await HelpRequest.select(HelpRequest.id, HelpRequest.topic, HelpRequest.help_point, HelpRequest.state).where(
            (HelpRequest.resident == person_id) & HelpRequest.state.is_in(["open", "offering", "routed"])
        )
    )


async def place_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    return await _names_of(HelpPoint, ids)


async def topic_names(language: str) -> dict[str, str]:
    return await _names_of_topics(language)


async def has_upcoming(person_id: uuid.UUID, now: datetime) -> bool:
    return bool(await live_sessions(person_id, now)) or bool(await open_requests(person_id))


# ---- erasure -----------------------------------------------------------------------------------------------


async def erase(person_id: uuid.UUID, now: datetime) -> bool:
    """Remove every piece of personal data about the person; keep what statistics count, anonymous. Inside
    the caller's write transaction. False if there is no such person or they were erased already."""
    person = await person_row(person_id)
    if person is None or person["erased_at"] is not None:
        return False
    numbers = phone_forms(person["phone"])
    request_ids = [
        as_uuid(r["id"]) for r in await HelpRequest.select(HelpRequest.id).where(HelpRequest.resident == person_id)
    ]
    session_ids = [
        as_uuid(r["id"]) for r in await HelpSession.select(HelpSession.id).where(HelpSession.resident == person_id)
    ]
    offer_ids = (
        [as_uuid(r["id"]) for r in await Offer.select(Offer.id).where(Offer.request.is_in(request_ids))]
        if request_ids
        else []
    )
    # Their own messages and texts go; other people's messages about their sessions lose their wording (a
    # volunteer's "who and where" named the resident), except what is still to be sent (cancellation notices,
    # written without the resident's details).
    await Notification.delete().where((Notification.person == person_id) | _by_number(Notification.phone, numbers))
    about = []
    if session_ids:
        about.append(Notification.session.is_in(session_ids))
    if offer_ids:
        about.append(Notification.offer.is_in(offer_ids))
    for where in about:
        await Notification.update(
            {Notification.body: "", Notification.sms_body: "", Notification.choices: "", Notification.updated_at: now}
        ).where(where & Notification.state.not_in(["scheduled", "sending"]))
    await InboundMessage.delete().where(
        (InboundMessage.person == person_id) | _by_number(InboundMessage.phone, numbers)
    )
    await TextConversation.delete().where(
        (TextConversation.person == person_id) | _by_number(TextConversation.phone, numbers)
    )
    # Calls and callbacks stay as anonymous counts (the voice menu's statistics); numbers and choices go.
    await VoiceCall.update(
        {VoiceCall.phone: "", VoiceCall.person: None, VoiceCall.data: "{}", VoiceCall.tried: "[]"}
    ).where((VoiceCall.person == person_id) | _by_number(VoiceCall.phone, numbers))
    await CallbackRequest.update(
        {CallbackRequest.phone: "", CallbackRequest.person: None, CallbackRequest.tried: "[]"}
    ).where((CallbackRequest.person == person_id) | _by_number(CallbackRequest.phone, numbers))
    await AccessibilityFeedback.update({AccessibilityFeedback.contact: ""}).where(
        _by_number(AccessibilityFeedback.contact, numbers)
    )
    await DevSmsMessage.delete().where(_by_number(DevSmsMessage.phone, numbers))
    await SignInChallenge.delete().where(_by_number(SignInChallenge.phone, numbers))
    owned: tuple[Any, ...] = (
        PushSubscription,
        SignIn,
        CalendarFeed,
        VolunteerApplication,
        VolunteerTopic,
        VolunteerHelpPoint,
        AvailabilityRule,
        AvailabilityOverride,
        VolunteerProfile,
    )
    for table in owned:
        await table.delete().where(table.person == person_id)
    # Requests and sessions stay for statistics (topic, place, dates, channel, outcomes); what is personal goes.
    await HelpRequest.update(
        {
            HelpRequest.home_address: "",
            HelpRequest.home_latitude: None,
            HelpRequest.home_longitude: None,
            HelpRequest.needs: "[]",
        }
    ).where(HelpRequest.resident == person_id)
    await HelpSession.update({HelpSession.note: ""}).where(HelpSession.resident == person_id)
    await Membership.update({Membership.active: False}).where(Membership.person == person_id)
    await Person.update(
        {
            Person.first_name: "",
            Person.last_name: "",
            Person.phone: erased_phone(person_id),
            Person.code_word: "",
            Person.password_hash: None,
            Person.active: False,
            Person.deactivated_at: person["deactivated_at"] or now,
            Person.sms_opt_out: True,
            Person.erased_at: now,
        }
    ).where(Person.id == person_id)
    return True


async def resident_within(person_id: uuid.UUID, organisations: frozenset[uuid.UUID]) -> bool:
    """Whether a partner coordinator oversees the resident: a request routed to their organisations or at their
    help points, or a session at their help points or with their volunteers."""
    if not organisations:
        return False
    orgs = list(organisations)
    requests = await HelpRequest.count().where(
        (HelpRequest.resident == person_id)
        & (HelpRequest.routed_to.is_in(orgs) | HelpRequest.help_point.organisation.is_in(orgs))
    )
    if requests:
        return True
    volunteers = [
        as_uuid(r["person"])
        for r in await Membership.select(Membership.person).where(
            Membership.organisation.is_in(orgs) & (Membership.role == "volunteer")
        )
    ]
    at_place = HelpSession.help_point.organisation.is_in(orgs)
    with_ours = HelpSession.volunteer.is_in(volunteers) if volunteers else at_place
    return bool(await HelpSession.count().where((HelpSession.resident == person_id) & (at_place | with_ours)))
