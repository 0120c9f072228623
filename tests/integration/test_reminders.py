"""Reminders through the real booking flow and the dispatcher, on both databases: what is written to the outbox
when a session is booked, moved or cancelled, and what the dispatcher sends, when, and what it refuses to send."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.adapters.sms import SmsError
from server.db.tables import Notification, Person
from tests.conftest import Env
from tests.integration.world import PHONES, World, book, build_world, volunteer_offers

NINE = datetime(2026, 11, 30, 7, tzinfo=UTC)  # Monday 30 November, 09:00 in Helsinki


async def booked(env: Env, starts_at: datetime = NINE) -> tuple[World, str]:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.sms.sent.clear()  # the sign-in codes of the world's people
    env.sms.validity.clear()
    answer = await book(world, "resident_2", starts_at)
    assert answer.status_code == 201, answer.text
    return world, answer.json()["session"]["id"]


async def rows(session_id: str) -> list[dict[str, object]]:
    return list(
        await Notification.select(
            Notification.kind, Notification.channel, Notification.state, Notification.due_at, Notification.phone
        )
        .where(Notification.session == session_id)
        .order_by(Notification.due_at)
    )


async def run_at(env: Env, moment: datetime) -> None:
    env.clock.set(moment)
    await env.services.dispatcher.run_due()


async def test_booking_plans_the_confirmation_and_the_reminders_of_both_sides(env: Env) -> None:
    _, session = await booked(env)
    planned = {(r["kind"], r["channel"], r["due_at"]) for r in await rows(session)}
    now = env.clock.now()
    assert planned == {
        ("confirmation", "sms", now),
        ("new_session", "push", now),
        ("reminder_24h", "sms", NINE - timedelta(hours=24)),
        ("reminder_24h", "push", NINE - timedelta(hours=24)),
        # 07:00 local falls in quiet hours (21 to 08): moved to 20:00 the evening before; 08:00 is after them.
        ("reminder_2h", "sms", datetime(2026, 11, 29, 18, tzinfo=UTC)),
        ("reminder_1h", "push", NINE - timedelta(hours=1)),
    }


async def test_the_resident_gets_the_confirmation_at_once_in_their_language_with_time_and_place(env: Env) -> None:
    await booked(env)
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["resident_2"])
    assert "ma 30.11. klo 9.00" in text and "Point a, Tie 1, Kuusamo" in text
    assert "Verkkopankki" not in text, "no topic in an SMS: it stays in the operator's logs"
    assert "http" not in text, "link-free by default"


async def test_a_volunteer_without_push_gets_the_new_session_by_sms_instead(env: Env) -> None:
    _, session = await booked(env)
    await env.services.dispatcher.run_due()  # the push finds no subscription and becomes an SMS row
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["vol_a"])
    assert text.startswith("Apuri: Sinulle on uusi digitukiaika ma 30.11. klo 9.00: Point a")
    assert "Verkkopankki" not in text and "Resident_2" not in text, "no topic and no resident's name by SMS"
    states = {(r["kind"], r["channel"]): r["state"] for r in await rows(session)}
    assert states[("new_session", "push")] == "cancelled" and states[("new_session", "sms")] == "sent"


async def test_each_reminder_goes_out_once_when_due_and_not_before(env: Env) -> None:
    _, session = await booked(env)
    await env.services.dispatcher.run_due()
    await run_at(env, NINE - timedelta(hours=24, seconds=1))
    assert len(env.sms.to(PHONES["resident_2"])) == 1, "only the confirmation so far"
    await run_at(env, NINE - timedelta(hours=24))
    await run_at(env, NINE - timedelta(hours=23))
    assert len(env.sms.to(PHONES["resident_2"])) == 2
    await run_at(env, datetime(2026, 11, 29, 18, tzinfo=UTC))
    texts = env.sms.to(PHONES["resident_2"])
    assert len(texts) == 3 and texts[-1].startswith("Apuri muistuttaa")
    sent = [r for r in await rows(session) if r["channel"] == "sms" and r["phone"] == PHONES["resident_2"]]
    assert {r["state"] for r in sent} == {"sent"}


async def test_a_cancelled_session_gets_no_reminders_and_the_volunteer_is_told(env: Env) -> None:
    world, session = await booked(env)
    await env.services.dispatcher.run_due()
    cancelled = await world.apis["resident_2"].post(f"/api/v1/sessions/{session}/cancel")
    assert cancelled.status_code == 200
    for hours in (24, 2, 1, 0):
        await run_at(env, NINE - timedelta(hours=hours))
    assert len(env.sms.to(PHONES["resident_2"])) == 1, "the confirmation only"
    reminders = [r for r in await rows(session) if str(r["kind"]).startswith("reminder")]
    assert reminders and {r["state"] for r in reminders} == {"cancelled"}
    assert any("on peruttu" in text for text in env.sms.to(PHONES["vol_a"]))


async def test_a_moved_session_is_reminded_at_the_new_time_only(env: Env) -> None:
    world, session = await booked(env)
    later = NINE + timedelta(hours=3)  # 12:00 local
    moved = await world.apis["resident_2"].post(
        f"/api/v1/sessions/{session}/move", json={"starts_at": later.isoformat()}
    )
    assert moved.status_code == 200, moved.text
    await env.services.dispatcher.run_due()
    await run_at(env, NINE - timedelta(hours=24))
    assert not any("klo 9.00" in t for t in env.sms.to(PHONES["resident_2"])[1:])
    await run_at(env, later - timedelta(hours=24))
    texts = env.sms.to(PHONES["resident_2"])
    assert texts[-1].startswith("Apuri muistuttaa") and "klo 12.00" in texts[-1]
    assert sum("muistuttaa" in t for t in texts) == 1


async def test_nothing_is_sent_after_the_session_has_started(env: Env) -> None:
    _, session = await booked(env)
    # The dispatcher was down from the booking until after the start.
    await run_at(env, NINE + timedelta(minutes=5))
    assert env.sms.sent == []
    assert {r["state"] for r in await rows(session)} == {"expired"}


async def test_a_late_reminder_is_dropped_rather_than_sent_at_night(env: Env) -> None:
    _, session = await booked(env)
    await env.services.dispatcher.run_due()
    # The 20:00 reminder was not sent before 21:00 (the dispatcher was down): it is not sent at 21:10.
    await run_at(env, datetime(2026, 11, 29, 19, 10, tzinfo=UTC))
    states = {r["kind"]: r["state"] for r in await rows(session) if r["channel"] == "sms"}
    assert states["reminder_2h"] == "expired"


async def test_a_temporary_failure_is_retried_with_backoff_and_a_permanent_one_is_not(env: Env) -> None:
    _, session = await booked(env)
    env.sms.fail_next = [SmsError("Twilio 503", permanent=False, retry_after=120)]
    await env.services.dispatcher.run_due()
    assert env.sms.to(PHONES["resident_2"]) == []
    await run_at(env, env.clock.now() + timedelta(seconds=119))
    assert env.sms.to(PHONES["resident_2"]) == [], "Retry-After is honoured"
    await run_at(env, env.clock.now() + timedelta(seconds=2))
    assert len(env.sms.to(PHONES["resident_2"])) == 1
    env.sms.fail_next = [SmsError("21614 not a mobile", permanent=True, code="21614")]
    await run_at(env, NINE - timedelta(hours=24))  # the resident's SMS is the only one sent in this batch
    await run_at(env, NINE - timedelta(hours=23))
    failed = await Notification.select(Notification.kind, Notification.attempts, Notification.last_error).where(
        (Notification.session == session) & (Notification.state == "failed")
    )
    assert failed == [{"kind": "reminder_24h", "attempts": 1, "last_error": "21614 not a mobile"}]


async def test_a_resident_who_said_stop_gets_no_sms(env: Env) -> None:
    _, session = await booked(env)
    await Person.update({Person.sms_opt_out: True}).where(Person.phone == PHONES["resident_2"])
    await env.services.dispatcher.run_due()
    assert env.sms.to(PHONES["resident_2"]) == []
    [confirmation] = [r for r in await rows(session) if r["kind"] == "confirmation"]
    assert confirmation["state"] == "failed"


async def test_sms_carry_a_validity_period_so_a_late_one_is_not_delivered_at_all(env: Env) -> None:
    await booked(env)
    await env.services.dispatcher.run_due()
    await run_at(env, NINE - timedelta(hours=24))
    sent = zip(env.sms.sent, env.sms.validity, strict=True)
    validity = {body.split(":")[0]: v for (to, body), v in sent if to == PHONES["resident_2"]}
    assert validity["Apuri"] == 36_000, "the confirmation: until the start, capped at Twilio's maximum"
    assert validity["Apuri muistuttaa"] == 2 * 3600, "a day-before reminder may be at most two hours late"


async def test_message_texts_and_numbers_are_blanked_after_ninety_days_but_the_record_stays(env: Env) -> None:
    _, session = await booked(env)
    await env.services.dispatcher.run_due()
    env.clock.advance(timedelta(days=89))
    await env.services.dispatcher.run_due()  # what was still planned has long expired
    assert (await env.services.personal_data.purge(manual=True)).removed["message_texts"] == 0
    env.clock.advance(timedelta(days=2))
    assert (await env.services.personal_data.purge(manual=True)).removed["message_texts"] > 0
    left = await Notification.select(Notification.body, Notification.phone, Notification.state).where(
        Notification.session == session
    )
    assert left and all(r["body"] == "" and r["phone"] == "" for r in left)
    assert {r["state"] for r in left} == {"sent", "cancelled", "expired"}


async def test_a_session_moved_to_another_volunteer_releases_the_first_and_tells_the_second(env: Env) -> None:
    world, session = await booked(env)
    noon = NINE + timedelta(hours=3)
    # Someone else takes vol_a's noon, then vol_b starts at the help point: moving to noon must go to vol_b.
    other = await book(world, "resident_1", noon)
    assert other.status_code == 201 and other.json()["session"]["volunteer_first_name"] == "Vol_A"
    await volunteer_offers(world.ids["vol_b"], world.help_point_a)
    moved = await world.apis["resident_2"].post(
        f"/api/v1/sessions/{session}/move", json={"starts_at": noon.isoformat()}
    )
    assert moved.status_code == 200 and moved.json()["volunteer_first_name"] == "Vol_B", moved.text
    env.sms.sent.clear()
    await env.services.dispatcher.run_due()
    assert any("siirtyi toiselle avustajalle" in t for t in env.sms.to(PHONES["vol_a"]))
    new = "Apuri: Sinulle on uusi digitukiaika ma 30.11. klo 12.00"
    assert any(t.startswith(new) for t in env.sms.to(PHONES["vol_b"]))
    [resident] = env.sms.to(PHONES["resident_2"])
    assert "Uusi aika: ma 30.11. klo 12.00" in resident and "Avustaja" not in resident
