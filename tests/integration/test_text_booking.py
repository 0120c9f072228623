"""Booking by text message through the signed SMS webhook, on both databases: a free-form text is read for a topic,
the resident is asked where they live (or offered times at their usual help point at once), "2" books the second
time with the normal confirmation, two quick replies book once, an expired offer books nothing and says so, a time
the resident already has is refused in words, SOITA asks a person to call, a partner-only topic goes to the
partner, anything unclear goes to the inbox with the topic it most likely is about.

The clock starts on Monday 23 November 2026 at 11:00 in Helsinki; help points A and B are in Kuusamo, open Mondays
9-15, and vol_a helps with online banking at A on Mondays 9-15."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, time, timedelta

import pytest

from server.db import topics as topics_q
from server.db import volunteers as volunteers_q
from server.db.tables import CallbackRequest, HelpRequest, HelpSession, InboundMessage, Person, TextConversation
from server.domain.availability import DateOverride, WeeklyRule
from server.domain.topics import Topic
from tests.conftest import Env, base_settings, make_env
from tests.integration.test_sms_replies import PUBLIC, TOKEN, text
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

STRANGER = "+358451234567"  # nobody Apuri knows yet


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


async def ready(env: Env) -> World:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.sms.sent.clear()  # the world's sign-in codes
    return world


_sid = iter(range(1, 10_000))


async def says(env: Env, body: str, phone: str = STRANGER) -> list[str]:
    """Text `body` from `phone`; the answers it got."""
    before = len(env.sms.to(phone))
    assert await text(env, body, phone=phone, sid=f"SM{next(_sid):032d}") == 200
    await env.services.dispatcher.run_due()
    return env.sms.to(phone)[before:]


async def sessions_of(phone: str) -> list[dict[str, object]]:
    rows = await Person.select(Person.id).where(Person.phone == phone)
    if not rows:
        return []
    return list(
        await HelpSession.select(HelpSession.starts_at, HelpSession.state, HelpSession.help_point).where(
            HelpSession.resident == rows[0]["id"]
        )
    )


async def test_a_stranger_books_by_text_after_naming_their_municipality(env: Env) -> None:
    world = await ready(env)
    [asked] = await says(env, "tarvitsisin apua pankkisovelluksen kanssa")
    assert asked.startswith("Apuri: Autamme mielellämme. Missä kunnassa asut?"), asked
    [offered] = await says(env, "Kuusamossa")
    assert offered.startswith(
        "Apuri: Vapaat ajat, Point a, Tie 1, Kuusamo:\n1) ma 23.11. klo 13.00\n2) ma 23.11. klo 14.00\n"
        "3) ma 30.11. klo 9.00\n"
    ), offered
    assert "Vastaa 1, 2 tai 3." in offered and "SOITA" in offered and "http" not in offered
    answers = await says(env, "2")
    [booked] = await sessions_of(STRANGER)
    assert booked["state"] == "scheduled" and booked["help_point"] == world.help_point_a
    assert booked["starts_at"].isoformat() == "2026-11-23T12:00:00+00:00"  # type: ignore[union-attr]
    assert any("ma 23.11. klo 14.00" in a for a in answers), f"the booking's own confirmation: {answers}"
    [request] = await HelpRequest.select(HelpRequest.consent_at).where(HelpRequest.channel == "sms")
    assert request["consent_at"] is not None
    rows = await InboundMessage.select(InboundMessage.action, InboundMessage.state).where(
        InboundMessage.phone == STRANGER
    )
    assert [r["action"] for r in rows] == ["asked", "offered", "booked"] and {r["state"] for r in rows} == {"handled"}


async def test_two_quick_replies_book_once(env: Env) -> None:
    await ready(env)
    await says(env, "verkkopankki")
    await says(env, "Kuusamo")
    for body in ("1", "1"):
        assert await text(env, body, phone=STRANGER, sid=f"SM{next(_sid):032d}") == 200
    assert len(await sessions_of(STRANGER)) == 1


async def test_a_known_resident_is_offered_times_at_their_usual_help_point_at_once(env: Env) -> None:
    await ready(env)
    resident = PHONES["resident_1"]  # their session on Thursday is at help point A
    [offered] = await says(env, "Jag behöver hjälp med nätbanken", resident)
    assert offered.startswith("Apuri: Vapaat ajat, Point a"), "a Finnish speaker is answered in Finnish"
    assert "Missä kunnassa" not in offered
    await says(env, "3", resident)
    assert len(await sessions_of(resident)) == 2


async def test_an_expired_offer_books_nothing_and_says_so(env: Env) -> None:
    await ready(env)
    await says(env, "pankki")
    await says(env, "Kuusamo")
    env.clock.set(env.clock.now() + timedelta(hours=25))
    [answer] = await says(env, "2")
    assert answer.startswith("Apuri: Ne ajat eivät ole enää voimassa, eikä mitään varattu."), answer
    assert await sessions_of(STRANGER) == []


async def test_a_time_the_resident_already_has_is_refused_in_words(env: Env) -> None:
    world = await ready(env)
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)  # someone else is free at 9 too
    assert (await book(world, "resident_2")).status_code == 201  # Monday 9.00 with one of them
    resident = PHONES["resident_2"]
    await env.services.dispatcher.run_due()  # its confirmation: a question pending ("KYLLÄ or PERU")
    # A text that clearly names a topic and holds no reply word is a new request, even with a question pending.
    [offered] = await says(env, "pankkiasiat", resident)  # their usual place: A, where they booked
    assert "3) ma 30.11. klo 9.00" in offered, offered
    [refused] = await says(env, "3", resident)
    assert refused.startswith("Apuri: Sinulla on jo aika ma 30.11. klo 9.00."), refused
    assert len(await sessions_of(resident)) == 1
    await says(env, "1", resident)
    assert len(await sessions_of(resident)) == 2, "the conversation stays open for another choice"


async def test_soita_asks_a_person_to_call_and_books_nothing(env: Env) -> None:
    await ready(env)
    [asked] = await says(env, "verkkopankki ei toimi")
    assert "Missä kunnassa" in asked, asked
    [answer] = await says(env, "SOITA")
    assert answer.startswith("Apuri: Avustaja soittaa sinulle"), answer
    [callback] = await CallbackRequest.select(CallbackRequest.reason).where(CallbackRequest.phone == STRANGER)
    assert callback == {"reason": "text"}
    assert await sessions_of(STRANGER) == []


async def test_unclear_texts_go_to_the_inbox_with_the_likely_topic(env: Env) -> None:
    world = await ready(env)
    [answer] = await says(env, "maksa")
    assert answer.startswith("Apuri: Kiitos viestistä. Välitimme sen koordinaattorille.")
    await says(env, "hei voitteko soittaa")
    rows = await InboundMessage.select(InboundMessage.state, InboundMessage.suggested_topic).where(
        InboundMessage.phone == STRANGER
    )
    assert rows == [
        {"state": "open", "suggested_topic": "online_banking"},
        {"state": "open", "suggested_topic": ""},
    ]
    inbox = await world.apis["network"].get("/api/v1/inbox")
    assert {i["suggested_topic"] for i in inbox.json() if i["body"] == "maksa"} == {"online_banking"}


async def test_a_partner_only_topic_goes_to_the_partner_who_is_named(env: Env) -> None:
    world = await ready(env)
    names = {"fi": "Kela-asiat", "sv": "FPA", "en": "Kela"}
    await topics_q.insert_topic(
        Topic("kela_tax", names, {}, [], partner_only_organisation_id=world.org_b, sort_order=5, active=True)
    )
    [answer] = await says(env, "asumistuen hakeminen")
    assert answer.startswith("Apuri: Tässä asiassa sinua auttaa Beta Seniors."), answer
    [request] = await HelpRequest.select(HelpRequest.state, HelpRequest.routed_to).where(HelpRequest.channel == "sms")
    assert request == {"state": "routed", "routed_to": world.org_b}


async def test_the_network_coordinator_adds_words_and_tries_a_text(env: Env) -> None:
    world = await ready(env)
    network = world.apis["network"]
    url = f"/api/v1/topics/{world.topic}/words"
    shown = await network.get(url)
    assert shown.status_code == 200, shown.text
    assert "pank" in shown.json()["built_in"]["fi"]["strong"] and shown.json()["words"] == []
    tried = await network.post("/api/v1/topics/read", json={"text": "tiliote ei näy"})
    assert tried.status_code == 200 and tried.json()["topic"] is None
    saved = await network.put(url, json={"words": ["Tiliote", "tiliote", "OP-mobiili"]})
    assert saved.status_code == 200, saved.text
    assert saved.json()["words"] == ["opmobiili", "tiliote"], "folded, once each"
    tried = await network.post("/api/v1/topics/read", json={"text": "tiliote ei näy"})
    assert tried.json()["topic"] == world.topic
    [offered] = await says(env, "tiliote ei näy")
    assert "Missä kunnassa" in offered, "the new word reads the text"
    for who in ("coord_a", "vol_a", "resident_1"):
        assert (await world.apis[who].put(url, json={"words": ["x" * 3]})).status_code == 403
    short = await network.put(url, json={"words": ["ab"]})
    assert short.status_code == 400


async def test_a_booking_by_text_is_in_the_residents_data_and_goes_with_it(env: Env) -> None:
    world = await ready(env)
    resident = PHONES["resident_1"]
    await says(env, "verkkopankki", resident)
    mine = await world.apis["resident_1"].get("/api/v1/me/data")
    assert mine.status_code == 200, mine.text
    texts = next(c for c in mine.json()["data"]["children"] if c["key"] == "TEXT_BOOKINGS")
    [booking] = texts["children"]
    fields = {c["key"]: c.get("value") for c in booking["children"]}
    assert fields["NUMBER"] == resident and fields["STATE"] == "offered" and fields["TIMES_OFFERED"]
    assert await TextConversation.count() == 1
    erased = await world.apis["network"].post("/api/v1/residents/erasure", json={"phone": resident, "confirm": True})
    assert erased.status_code == 200, erased.text
    assert await TextConversation.count() == 0


async def test_a_named_municipality_offers_its_help_point_with_the_soonest_free_time(env: Env) -> None:
    world = await ready(env)
    # Point a (first by name) has no one free today; Point b has a volunteer free this afternoon.
    await volunteers_q.replace_availability(
        world.ids["vol_a"],
        [WeeklyRule(0, time(9), time(15))],
        [DateOverride(date(2026, 11, 23), away=True)],
        keep_before=date(2026, 11, 1),
    )
    await volunteer_offers(world.ids["vol_b"], world.help_point_b)
    await says(env, "tarvitsisin apua pankkisovelluksen kanssa")
    [offered] = await says(env, "Kuusamossa")
    assert offered.startswith("Apuri: Vapaat ajat, Point b, Tie 1, Kuusamo:\n1) ma 23.11. klo 13.00"), offered
