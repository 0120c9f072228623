"""The helpline's voice menu through Twilio's signed Voice webhooks, on both databases: each path ends with valid
TwiML and the database in the right state (book, hear, cancel, callback, wrong and missing keys, silence,
hanging up midway), a booking by voice racing one in the app, and forged requests."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest
from twilio.request_validator import RequestValidator

from server.db import network as network_q
from server.db import topics as topics_q
from server.db.tables import CallbackRequest, HelpRequest, HelpSession, Notification, VoiceCall
from server.domain.network import OpeningPeriod
from server.domain.topics import Topic
from tests.conftest import Env, base_settings, make_env
from tests.integration.world import MONDAY_NINE, PHONES, World, book, build_world, raw_request, volunteer_offers

TOKEN = "loopback-auth-token-0123456789abcdef"
PUBLIC = "http://apuri.example.fi"
LANDLINE = "+35881234567"  # a caller with no mobile phone and no account
# The clock starts on Monday 23 November at 11:00; the first free times at help point A are that afternoon.
FIRST = datetime(2026, 11, 23, 11, tzinfo=UTC)  # 13:00 in Helsinki
SECOND = FIRST + timedelta(hours=1)


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


@dataclass
class Heard:
    """What one webhook answered: the sentences, and whether it waits for a key or ends the call."""

    says: list[str]
    gathers: bool
    hangs_up: bool

    @property
    def text(self) -> str:
        return " ".join(self.says)


async def post(env: Env, path: str, params: dict[str, str]) -> Heard:
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    answer = await env.client().http.post(path, data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(answer.text)  # noqa: S314 - our own server's answer: valid XML, a TwiML <Response>
    assert root.tag == "Response"
    gather = root.find("Gather")
    if gather is not None:
        assert gather.get("action") == "/api/v1/twilio/voice/step" and gather.get("numDigits") == "1"
        assert gather.get("timeout") == "9", "older callers get time to find the key"
    says = [s.text or "" for s in root.iter("Say")]
    assert all(s.get("language") in ("fi-FI", "sv-SE", "en-GB") for s in root.iter("Say"))
    return Heard(says, gather is not None, root.find("Hangup") is not None)


class Call:
    def __init__(self, env: Env, phone: str, sid: str = "CA" + "1" * 32) -> None:
        self.env, self.phone, self.sid = env, phone, sid

    async def start(self) -> Heard:
        return await post(self.env, "/api/v1/twilio/voice", {"CallSid": self.sid, "From": self.phone, "To": "+358"})

    async def press(self, digits: str | None) -> Heard:
        params = {"CallSid": self.sid, "From": self.phone}
        if digits is not None:
            params["Digits"] = digits
        return await post(self.env, "/api/v1/twilio/voice/step", params)

    async def keys(self, *keys: str) -> Heard:
        heard = await self.start()
        for key in keys:
            heard = await self.press(key)
        return heard

    async def hang_up(self) -> None:
        path, params = "/api/v1/twilio/voice/status", {"CallSid": self.sid, "CallStatus": "completed"}
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
        answer = await self.env.client().http.post(path, data=params, headers={"X-Twilio-Signature": signature})
        assert answer.status_code == 200


async def ready(env: Env) -> World:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    return world


async def test_a_caller_with_only_a_landline_books_by_keypad_and_gets_the_next_free_time(env: Env) -> None:
    await ready(env)
    call = Call(env, LANDLINE)
    heard = await call.start()
    assert heard.says[0].startswith("Tervetuloa Apuriin") and "press 3" in heard.says[2] and heard.gathers
    assert "varata ajan, paina 1" in (await call.press("1")).text
    assert "Verkkopankki, paina 1" in (await call.press("1")).text  # book → topics
    assert "apupisteeseen, paina 1" in (await call.press("1")).text  # online banking → how
    assert "Point a, Kuusamo, paina 1" in (await call.press("1")).text  # at a help point → which
    offer = await call.press("1")
    assert "maanantaina 23. marraskuuta kello 13, Point a" in offer.text and "paina 1" in offer.text
    booked = await call.press("1")
    assert booked.gathers and "Aika on varattu: maanantaina 23. marraskuuta kello 13, Point a, Tie 1" in booked.text
    assert "Ota mukaan: Oma puhelin." in booked.text and "paina 3, niin voit perua" in booked.text
    assert (await call.press("9")).says == booked.says, "9 hears it again"
    goodbye = await call.press(None)
    assert goodbye.hangs_up and goodbye.text == "Kiitos soitosta. Näkemiin."
    [session] = await HelpSession.select(HelpSession.starts_at, HelpSession.request.channel.as_alias("channel")).where(
        HelpSession.starts_at == FIRST
    )
    assert session == {"starts_at": FIRST, "channel": "phone"}
    [request] = await HelpRequest.select(HelpRequest.consent_at).where(HelpRequest.channel == "phone")
    assert request["consent_at"] is not None, "the keypress is the caller's consent"
    [row] = await VoiceCall.select(VoiceCall.outcome, VoiceCall.tried)
    assert row["outcome"] == "booked"
    point = str(
        (await HelpSession.select(HelpSession.help_point).where(HelpSession.starts_at == FIRST))[0]["help_point"]
    )
    tried = row["tried"] if isinstance(row["tried"], list) else json.loads(row["tried"])
    chosen = ["language:1", "menu:1", "topic:1=online_banking", "how:1", f"place:1={point}", "time:1"]
    assert tried[:6] == chosen, "what was chosen from a spoken list is kept with the key, for the one who calls back"
    assert tried[6:] == ["booked:9", "booked:-"], "heard again, then silence"
    sms = await Notification.count().where((Notification.phone == LANDLINE) & (Notification.channel == "sms"))
    assert sms == 0, "no SMS to a landline: the call itself confirmed the time"


async def test_the_next_time_is_offered_when_the_first_is_not_wanted(env: Env) -> None:
    await ready(env)
    call = Call(env, LANDLINE)
    assert "kello 13," in (await call.keys("1", "1", "1", "1", "1")).text
    assert "kello 14," in (await call.press("2")).text
    assert "Aika on varattu" in (await call.press("1")).text
    assert await HelpSession.count().where(HelpSession.starts_at == SECOND) == 1


async def test_when_the_app_takes_the_time_first_the_caller_hears_the_next_one(env: Env) -> None:
    world = await ready(env)
    call = Call(env, LANDLINE)
    assert "kello 13," in (await call.keys("1", "1", "1", "1", "1")).text
    assert (await book(world, "resident_2", FIRST)).status_code == 201  # someone in the app is quicker
    heard = await call.press("1")
    assert heard.says[0] == "Joku ehti juuri varata sen ajan." and "kello 14," in heard.text and heard.gathers
    assert await HelpSession.count().where(HelpSession.starts_at == FIRST) == 1
    assert "Aika on varattu" in (await call.press("1")).text
    assert await HelpSession.count().where(HelpSession.starts_at == SECOND) == 1


async def test_a_known_caller_hears_their_next_time_and_cancels_it_after_confirming(env: Env) -> None:
    world = await ready(env)
    assert (await book(world, "resident_2")).status_code == 201
    call = Call(env, PHONES["resident_2"])
    heard = await call.keys("1", "2")
    assert "Seuraava aikasi on maanantaina 30. marraskuuta kello 9, Point a." in heard.text and heard.gathers
    asking = await call.press("3")
    assert "Jos haluat perua sen, paina 1" in asking.text
    assert "Aika pysyy ennallaan" in (await call.press("2")).text
    assert await HelpSession.count().where(HelpSession.state == "scheduled") >= 1
    await call.press("3")
    assert "Aika on peruttu" in (await call.press("1")).text
    assert (
        await HelpSession.count().where((HelpSession.state == "cancelled") & (HelpSession.starts_at == MONDAY_NINE))
        == 1
    )


async def test_zero_asks_for_a_callback_that_coordinators_see_and_handle(env: Env) -> None:
    world = await ready(env)
    heard = await Call(env, LANDLINE).keys("2", "0")  # Swedish, then "call me back"
    assert heard.hangs_up and "koordinator ringer upp dig" in heard.text
    answer = await world.apis["network"].get("/api/v1/queues/callbacks")
    mine = next(c for c in answer.json() if c["phone"] == LANDLINE)
    assert (mine["language"], mine["reason"], mine["tried"]) == ("sv", "asked", ["language:2", "menu:0"])
    assert all(c["phone"] != LANDLINE for c in (await world.apis["coord_b"].get("/api/v1/queues/callbacks")).json())
    handled = await world.apis["network"].post(f"/api/v1/callbacks/{mine['id']}/handle", json={"outcome": "advised"})
    assert handled.status_code == 200 and handled.json()["state"] == "handled"


async def test_a_wrong_key_is_explained_and_the_question_repeated(env: Env) -> None:
    await ready(env)
    heard = await Call(env, LANDLINE).keys("1", "9")
    assert heard.says[0] == "En saanut valintaasi." and "varata ajan, paina 1" in heard.text and heard.gathers


async def test_star_goes_back_a_step(env: Env) -> None:
    await ready(env)
    heard = await Call(env, LANDLINE).keys("1", "1", "*")
    assert "varata ajan, paina 1" in heard.text, "from the topics back to the menu"


async def test_silence_twice_hands_the_caller_to_a_person_instead_of_looping(env: Env) -> None:
    await ready(env)
    call = Call(env, LANDLINE)
    await call.keys("1", "1")
    first = await call.press(None)
    assert first.says[0] == "En saanut valintaasi." and first.gathers
    second = await call.press(None)
    assert second.hangs_up and "soittaa sinulle takaisin" in second.text
    [callback] = await CallbackRequest.select(CallbackRequest.reason).where(CallbackRequest.phone == LANDLINE)
    assert callback == {"reason": "no_input"}


async def test_hanging_up_midway_books_nothing_and_closes_the_call(env: Env) -> None:
    await ready(env)
    call = Call(env, LANDLINE)
    await call.keys("1", "1", "1", "1", "1")
    await call.hang_up()
    await call.hang_up()  # Twilio may report twice
    assert await HelpSession.count() == 1, "only the world's own session"
    [row] = await VoiceCall.select(VoiceCall.outcome, VoiceCall.ended_at)
    assert row["outcome"] == "hung_up" and row["ended_at"] is not None
    after = await call.press("1")
    assert after.hangs_up and not after.says, "an ended call cannot book"


async def test_a_hidden_number_is_told_why_it_cannot_book(env: Env) -> None:
    await ready(env)
    heard = await Call(env, "anonymous").keys("1", "1")
    assert heard.hangs_up and "numerosi ei näy" in heard.text.lower()


@pytest.mark.parametrize("tamper", ["unsigned", "wrong token", "changed digits"])
async def test_a_forged_voice_request_changes_nothing(env: Env, tamper: str) -> None:
    world = await ready(env)
    assert (await book(world, "resident_2")).status_code == 201
    call = Call(env, PHONES["resident_2"])
    await call.keys("1", "3")
    params = {"CallSid": call.sid, "From": call.phone, "Digits": "1"}
    path = "/api/v1/twilio/voice/step"
    token = "not-the-token" if tamper == "wrong token" else TOKEN
    signature = RequestValidator(token).compute_signature(
        PUBLIC + path, params | ({"Digits": "2"} if tamper == "changed digits" else {})
    )
    headers = {} if tamper == "unsigned" else {"X-Twilio-Signature": signature}
    answer = await env.client().http.post(path, data=params, headers=headers)
    assert answer.status_code == 403
    assert await HelpSession.count().where(HelpSession.state == "cancelled") == 0


async def test_long_lists_page_with_nine_and_only_places_that_help_with_the_topic_are_offered(env: Env) -> None:
    """12 topics and 12 help points: every topic is reachable by keypad (9 hears more, after the last page the
    first again), and after choosing a topic only the help points with a free time for it are offered."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)  # online banking at help point A only
    for n in range(11):
        names = {"fi": f"Aihe {n:02d}", "sv": f"Ämne {n:02d}", "en": f"Topic {n:02d}"}
        await topics_q.insert_topic(
            Topic(f"topic_{n:02d}", names, {}, [], partner_only_organisation_id=None, sort_order=20 + n, active=True)
        )
    for n in range(10):
        values = {
            "name": f"Paikka {n:02d}",
            "street_address": "Tie 2",
            "postal_code": "93600",
            "municipality": "Kuusamo",
        }
        point = await network_q.insert_help_point(organisation_id=world.org_a, values=values, now=env.clock.now())
        await network_q.replace_opening_hours(point, [OpeningPeriod(0, time(9), time(15))])
    call = Call(env, LANDLINE)
    first_page = await call.keys("1", "1")
    assert "Verkkopankki, paina 1." in first_page.text and "Aihe 06, paina 8." in first_page.text
    assert "Aihe 07" not in first_page.text and "Lisää vaihtoehtoja, paina 9." in first_page.text
    second_page = await call.press("9")
    assert "Aihe 07, paina 1." in second_page.text and "Aihe 10, paina 4." in second_page.text
    assert "Lisää vaihtoehtoja, paina 9." in second_page.text
    assert "Verkkopankki, paina 1." in (await call.press("9")).text, "after the last page, the first again"

    places = await call.press("1")  # online banking
    places = await call.press("1")  # at a help point
    assert "Point a, Kuusamo, paina 1." in places.text, places.text
    assert "Point b" not in places.text and "Paikka" not in places.text, "nobody helps with it there"
    assert "paina 9" not in places.text, "one place: no more pages"
    offered = await call.press("1")
    assert "Seuraava vapaa aika on" in offered.text, offered.text


async def test_a_matter_not_on_the_topic_list_gets_a_coordinator_call_back(env: Env) -> None:
    await ready(env)
    call = Call(env, LANDLINE)
    topics = await call.keys("1", "1")
    assert "Jos asiasi on jokin muu, paina 0" in topics.text
    heard = await call.press("0")
    assert heard.hangs_up and "soittaa sinulle takaisin" in heard.text, heard.text
    [callback] = await CallbackRequest.select(CallbackRequest.reason).where(CallbackRequest.phone == LANDLINE)
    assert callback == {"reason": "other_topic"}


async def test_only_the_ways_with_a_free_time_are_offered(env: Env) -> None:
    """Nobody helps by phone: after the topic the caller goes straight to the places (and * back to the topics);
    with nobody at all, a coordinator calls back."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, remote=False)
    call = Call(env, LANDLINE)
    await call.keys("1", "1")
    places = await call.press("1")
    assert "Point a, Kuusamo, paina 1." in places.text and "apupisteeseen, paina 1" not in places.text
    assert "Verkkopankki, paina 1." in (await call.press("*")).text, "back to the topics: the way was not asked"

    other = Call(env, "+35881234568", "CA" + "2" * 32)
    await other.keys("2", "1")  # in Swedish: nobody speaks it
    heard = await other.press("1")
    assert heard.hangs_up and "ringer upp dig" in heard.text, heard.text
    [callback] = await CallbackRequest.select(CallbackRequest.reason).where(CallbackRequest.phone == "+35881234568")
    assert callback == {"reason": "no_times"}


async def test_a_partner_only_topic_chosen_by_phone_goes_to_the_partners_queue(env: Env) -> None:
    world = await build_world(env)
    names = {"fi": "Kelan asiat", "sv": "FPA-ärenden", "en": "Kela matters"}
    await topics_q.insert_topic(
        Topic("kela", names, {}, [], partner_only_organisation_id=world.org_b, sort_order=5, active=True)
    )
    call = Call(env, LANDLINE)
    topics = await call.keys("1", "1")
    # Online banking has had requests (the world's), Kela none: the commonest first, then the network's order.
    assert "Verkkopankki, paina 1. Kelan asiat, paina 2." in topics.text, "partner-only topics are on the list too"
    heard = await call.press("2")
    assert heard.hangs_up and "Tässä asiassa sinua auttaa Beta Seniors. He soittavat sinulle." in heard.text
    [request] = await HelpRequest.select(HelpRequest.state, HelpRequest.routed_to, HelpRequest.channel).where(
        HelpRequest.topic == "kela"
    )
    assert request == {"state": "routed", "routed_to": world.org_b, "channel": "phone"}
    routed = await world.apis["coord_b"].get("/api/v1/queues/routed")
    assert routed.status_code == 200 and len(routed.json()) == 1, "in the partner's own queue"


async def test_every_topic_and_place_of_a_network_of_30_places_and_15_topics_is_reachable_by_keypad(env: Env) -> None:
    """A generated network walked path by path: each of 15 topics is chosen by keypad (paging with 9), and each of
    30 help points (all with a free time for online banking) is chosen and its free time offered."""
    world = await build_world(env)
    for n in range(14):
        names = {"fi": f"Aihe {n:02d}", "sv": f"Ämne {n:02d}", "en": f"Topic {n:02d}"}
        await topics_q.insert_topic(
            Topic(f"topic_{n:02d}", names, {}, [], partner_only_organisation_id=None, sort_order=20 + n, active=True)
        )
    points = {}
    for n in range(28):
        name = f"Paikka {n:02d}"
        values = {"name": name, "street_address": "Tie 2", "postal_code": "93600", "municipality": "Kuusamo"}
        point = await network_q.insert_help_point(organisation_id=world.org_a, values=values, now=env.clock.now())
        await network_q.replace_opening_hours(point, [OpeningPeriod(0, time(9), time(15))])
        points[name] = point
    points |= {"Point a": world.help_point_a, "Point b": world.help_point_b}
    everywhere = frozenset(points.values())
    await volunteer_offers(world.ids["vol_a"], world.help_point_a, help_point_ids=everywhere)

    async def choose(call: Call, heard: Heard, name: str) -> Heard:
        """Page with 9 until `name` is read out, then press its key."""
        for _ in range(5):
            found = re.search(re.escape(name) + r"[^.]*, paina (\d)\.", heard.text)
            if found:
                return await call.press(found.group(1))
            assert "paina 9" in heard.text, f"{name} was not offered: {heard.text}"
            heard = await call.press("9")
        raise AssertionError(f"{name} not reached")

    topic_names = ["Verkkopankki"] + [f"Aihe {n:02d}" for n in range(14)]
    for n, topic in enumerate(topic_names):
        call = Call(env, f"+3588123{n:04d}", f"CA{n:032d}")
        after = await choose(call, await call.keys("1", "1"), topic)
        assert after.says, topic
        await call.hang_up()
    for n, name in enumerate(sorted(points)):
        call = Call(env, f"+3588124{n:04d}", f"CB{n:032d}")
        ways = await choose(call, await call.keys("1", "1"), "Verkkopankki")
        offered = await choose(call, await call.press("1") if "apupisteeseen, paina 1" in ways.text else ways, name)
        assert "Seuraava vapaa aika on" in offered.text and name.split(",")[0] in offered.text, offered.text
        await call.hang_up()


async def test_four_tells_the_next_drop_in_hours_where_the_caller_last_had_help(env: Env) -> None:
    world = await ready(env)
    call = Call(env, PHONES["resident_1"])
    none = await call.keys("1", "4")
    assert "ei ole tiedossa" in none.text and none.gathers, "no drop-in hours yet: said so, and the menu again"
    assert "paina 4" in none.text
    for body in (
        {"weekday": 2, "starts": "12:00:00", "ends": "14:00:00"},
        {"weekday": 4, "starts": "10:00:00", "ends": "11:30:00"},
    ):
        added = await world.apis["coord_a"].post(f"/api/v1/help-points/{world.help_point_a}/drop-in-hours", json=body)
        assert added.status_code == 201, added.text
    closed = await world.apis["coord_a"].put(
        f"/api/v1/help-points/{world.help_point_a}/days/2026-11-27",
        json={"state": "closed", "reason": {"fi": "Suljettu"}},
    )
    assert closed.status_code == 200
    heard = await Call(env, PHONES["resident_1"], sid="CA" + "2" * 32).keys("1", "4")
    assert (
        "Digitukea ilman ajanvarausta, tule vain paikalle: keskiviikkona 25. marraskuuta kello 12, kello 14 asti, "
        "Point a, Tie 1, Kuusamo. keskiviikkona 2. joulukuuta kello 12, kello 14 asti, Point a, Tie 1, Kuusamo. "
        "perjantaina 4. joulukuuta kello 10, kello 11.30 asti, Point a, Tie 1, Kuusamo." in heard.text
    ), "the closed Friday is left out"
    assert heard.gathers and "Jos haluat varata ajan, paina 1" in heard.text
    swedish = await Call(env, "+358923456789", sid="CA" + "3" * 32).keys("2", "4")
    assert "Digitalt stöd utan tidsbokning, kom bara dit: onsdag den 25 november klockan 12, till klockan 14" in (
        swedish.text
    ), "a landline caller nobody knows hears them too"


async def test_five_signs_a_landline_caller_up_for_a_group_session_or_its_waiting_list(env: Env) -> None:
    world = await ready(env)
    none = await Call(env, LANDLINE).keys("1", "5")
    assert "Ryhmätapaamisia ei ole tiedossa" in none.text and "paina 5" in none.text and none.gathers
    body = {
        "title": "Digikahvila",
        "starts_at": "2026-11-25T13:00:00+02:00",
        "minutes": 90,
        "capacity": 1,
        "help_point_id": str(world.help_point_a),
    }
    added = await world.apis["coord_a"].post("/api/v1/events", json=body)
    assert added.status_code == 201, added.text
    call = Call(env, LANDLINE, sid="CA" + "4" * 32)
    listed = await call.keys("1", "5")
    assert (
        "Digikahvila, keskiviikkona 25. marraskuuta kello 13, Point a, Tie 1, Kuusamo, yksi paikka vapaana, paina 1."
        in listed.text
    ), listed.text
    assert "paina 2" not in listed.text.split("Ryhmätapaamiset")[1]
    wrong = await call.press("2")
    assert "En saanut valintaasi" in wrong.text, "only the events said can be chosen"
    signed = await call.press("1")
    assert "Sinulla on paikka ryhmätapaamisessa keskiviikkona 25. marraskuuta kello 13, Point a" in signed.text
    assert "Jos haluat varata ajan, paina 1" in signed.text, "then the menu again"
    again = await Call(env, PHONES["resident_1"], sid="CA" + "5" * 32).keys("1", "5")
    assert "täynnä, voit jonottaa" in again.text
    waiting = await Call(env, PHONES["resident_1"], sid="CA" + "5" * 32).press("1")
    assert "Olet jonossa sijalla 1." in waiting.text
    signups = await world.apis["coord_a"].get(f"/api/v1/events/{added.json()['id']}/signups")
    assert [(s["phone"], s["state"], s["channel"]) for s in signups.json()] == [
        (LANDLINE, "confirmed", "voice"),
        (PHONES["resident_1"], "waitlisted", "voice"),
    ]


async def test_the_commonest_topics_of_the_last_three_months_are_said_first(env: Env) -> None:
    world = await build_world(env)
    for code, sort_order in (("video_calls", 20), ("phone_basics", 30)):
        names = {"fi": f"Aihe {code}", "sv": code, "en": code}
        await topics_q.insert_topic(Topic(code, names, {}, [], None, sort_order=sort_order, active=True))
    for n in range(3):  # phone basics asked for most lately; old requests do not count
        await raw_request(
            {
                "resident": world.ids["resident_2"],
                "topic": "phone_basics",
                "language": "fi",
                "modality": "phone",
                "state": "cancelled",
                "created_at": env.clock.now() - timedelta(days=n),
            }
        )
    for _ in range(5):
        await raw_request(
            {
                "resident": world.ids["resident_2"],
                "topic": "video_calls",
                "language": "fi",
                "modality": "phone",
                "state": "cancelled",
                "created_at": env.clock.now() - timedelta(days=200),
            }
        )
    heard = await Call(env, LANDLINE).keys("1", "1")
    assert "Aihe phone_basics, paina 1. Verkkopankki, paina 2. Aihe video_calls, paina 3." in heard.text, heard.text
