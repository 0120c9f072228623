"""Messages people can trust, on both databases with a fixed clock: quiet hours for everything that can wait, one
SMS per offer, and volunteers' SMS that name no topic or resident and carry the volunteer's code word.

Times: the clock starts Monday 23 November 2026 11.00 in Helsinki (09.00 UTC); quiet hours are 21-08.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.adapters.push import PushError
from server.db.tables import Notification, Person
from tests.conftest import Env
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

RESIDENT = PHONES["resident_2"]
VOLUNTEER = PHONES["vol_a"]
MONDAY_NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)  # 09.00 in Helsinki
MONDAY_ONE = datetime(2026, 11, 30, 11, tzinfo=UTC)  # 13.00
MONDAY_FOUR_AM = datetime(2026, 11, 30, 2, tzinfo=UTC)  # 04.00, in quiet hours
MONDAY_EIGHT = datetime(2026, 11, 30, 6, tzinfo=UTC)  # 08.00, quiet hours end
TUESDAY_ELEVEN_PM = datetime(2026, 11, 24, 21, tzinfo=UTC)  # 23.00


async def booked(env: Env, starts_at: datetime) -> tuple[World, str]:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world, "resident_2", starts_at)
    assert answer.status_code == 201, answer.text
    await env.services.dispatcher.run_due()
    env.sms.sent.clear()
    return world, answer.json()["session"]["id"]


async def run_at(env: Env, instant: datetime) -> None:
    env.clock.set(instant)
    await env.services.dispatcher.run_due()
    await env.services.dispatcher.run_due()  # a push that became an SMS row goes in the next round


def cancellations(env: Env) -> list[str]:
    return [t for t in env.sms.to(RESIDENT) if "on peruttu" in t]


async def test_a_cancellation_at_night_waits_for_the_morning(env: Env) -> None:
    world, session = await booked(env, MONDAY_ONE)
    env.clock.set(MONDAY_FOUR_AM)
    given = await world.apis["vol_a"].post(f"/api/v1/sessions/{session}/give-back")
    assert given.status_code == 200, given.text
    await run_at(env, MONDAY_FOUR_AM + timedelta(minutes=10))
    assert cancellations(env) == [], "nothing at 04.10 about a session at 13.00"
    await run_at(env, MONDAY_EIGHT - timedelta(minutes=1))
    assert cancellations(env) == []
    await run_at(env, MONDAY_EIGHT)
    assert len(cancellations(env)) == 1, "told at 08.00"


async def test_news_of_a_session_before_ten_that_morning_goes_at_night(env: Env) -> None:
    world, session = await booked(env, MONDAY_NINE)
    env.clock.set(MONDAY_FOUR_AM)
    given = await world.apis["vol_a"].post(f"/api/v1/sessions/{session}/give-back")
    assert given.status_code == 200, given.text
    await run_at(env, MONDAY_FOUR_AM)
    assert len(cancellations(env)) == 1, "a resident due at 09.00 may leave home before an 08.00 message arrives"


async def test_a_resident_booking_at_night_is_confirmed_at_once_and_the_volunteer_told_in_the_morning(
    env: Env,
) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)  # no push subscription: pushes become SMS
    env.sms.sent.clear()  # the sign-in codes
    env.clock.set(TUESDAY_ELEVEN_PM)
    answer = await book(world, "resident_2", MONDAY_NINE)
    assert answer.status_code == 201, answer.text
    await run_at(env, TUESDAY_ELEVEN_PM)
    assert any("Sinulle on varattu" in t for t in env.sms.to(RESIDENT)), "the resident just booked: they are awake"
    assert env.sms.to(VOLUNTEER) == [], "the volunteer is not woken for a session next week"
    await run_at(env, datetime(2026, 11, 25, 6, tzinfo=UTC))  # Wednesday 08.00
    assert [t for t in env.sms.to(VOLUNTEER) if "uusi digitukiaika" in t]


async def test_an_offer_at_night_texts_nobody(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.clock.set(TUESDAY_ELEVEN_PM)
    asked = await world.apis["resident_2"].post(
        "/api/v1/requests", json={"topic": "online_banking", "modality": "phone"}
    )
    assert asked.status_code == 201 and asked.json()["volunteers_asked"] == 1, asked.text
    env.sms.sent.clear()
    for minutes in (0, 10, 20, 40):
        await run_at(env, TUESDAY_ELEVEN_PM + timedelta(minutes=minutes))
    assert env.sms.to(VOLUNTEER) == [], "the push could not be delivered, and an SMS at 23.00 would wake them"
    [row] = await Notification.select(Notification.state, Notification.last_error).where(
        (Notification.channel == "sms") & Notification.offer.is_not_null()
    )
    assert row["state"] == "expired" and "quiet hours" in row["last_error"]


async def test_a_volunteer_without_push_gets_one_sms_per_offer_with_their_code_word_and_no_topic(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    word = await world.apis["vol_a"].put("/api/v1/me/messages", json={"code_word": "Mustikka"})
    assert word.status_code == 200, word.text
    env.sms.sent.clear()
    asked = await world.apis["resident_2"].post(
        "/api/v1/requests", json={"topic": "online_banking", "modality": "phone"}
    )
    assert asked.status_code == 201, asked.text
    for minutes in (0, 1, 10, 11, 25):
        await run_at(env, env.clock.now() + timedelta(minutes=minutes))
    [text] = env.sms.to(VOLUNTEER)
    assert "avunpyyntö" in text and "Tunnussanasi: Mustikka" in text
    assert "Verkkopankki" not in text and "Resident_2" not in text


async def test_a_volunteers_sms_instead_of_push_names_no_topic_or_resident_and_has_the_code_word(env: Env) -> None:
    world = await build_world(env)
    await world.apis["vol_a"].put("/api/v1/me/messages", json={"code_word": "Puolukka"})
    env.sms.sent.clear()
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    answer = await book(world, "resident_2", MONDAY_NINE)
    assert answer.status_code == 201, answer.text
    await run_at(env, env.clock.now())
    [text] = env.sms.to(VOLUNTEER)
    assert text.startswith("Apuri: Sinulle on uusi digitukiaika ma 30.11. klo 9.00")
    assert "Tunnussanasi: Puolukka" in text
    assert "Verkkopankki" not in text and "Resident_2" not in text


async def test_a_push_about_a_resident_without_a_name_says_so_instead_of_an_empty_name(env: Env) -> None:
    world = await build_world(env)
    endpoint = "https://push.example.org/send/phone-1"
    keys = {"p256dh": "BP" + "A" * 85, "auth": "A" * 22}
    subscribed = await world.apis["vol_a"].post("/api/v1/push/subscriptions", json={"endpoint": endpoint, "keys": keys})
    assert subscribed.status_code == 201, subscribed.text
    await Person.update({Person.first_name: ""}).where(Person.phone == RESIDENT)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    assert (await book(world, "resident_2", MONDAY_NINE)).status_code == 201
    await run_at(env, env.clock.now())
    [push] = env.push.to(endpoint)
    assert "Asukas: nimi ei tiedossa, aihe: Verkkopankki" in push["body"]


async def test_a_push_that_fails_after_the_offer_sms_went_out_brings_no_second_sms(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    endpoint = "https://push.example.org/send/phone-1"
    keys = {"p256dh": "BP" + "A" * 85, "auth": "A" * 22}
    await world.apis["vol_a"].post("/api/v1/push/subscriptions", json={"endpoint": endpoint, "keys": keys})
    env.sms.sent.clear()
    env.push.fail_next(*(PushError("push service busy", permanent=False, status=503) for _ in range(4)))
    asked = await world.apis["resident_2"].post(
        "/api/v1/requests", json={"topic": "online_banking", "modality": "phone"}
    )
    assert asked.status_code == 201, asked.text
    for minutes in (0, 2, 3, 5):  # the push keeps failing (four tries); the ten-minute SMS goes out
        await run_at(env, env.clock.now() + timedelta(minutes=minutes))
    assert len(env.sms.to(VOLUNTEER)) == 1
    env.push.mark_gone(endpoint)  # then the phone's subscription is gone: the push would become an SMS
    for _ in range(3):
        await run_at(env, env.clock.now() + timedelta(minutes=5))
    assert len(env.sms.to(VOLUNTEER)) == 1, "one SMS per offer"
    [push] = await Notification.select(Notification.state, Notification.last_error).where(
        (Notification.channel == "push") & Notification.offer.is_not_null()
    )
    assert push["state"] == "cancelled" and "sent by SMS" in push["last_error"], "the push did turn into an SMS"
