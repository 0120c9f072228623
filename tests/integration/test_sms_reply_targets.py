"""Which session a yes or a cancel by text acts on, when a resident has more than one, on both databases.

A reply acts only on the session the message it answers was about; when that is unclear the resident is asked
which, by number. A second PERU never falls through to the next session, and the answer to a reply that changed
something is never dropped by the limits that keep two automatic senders from texting each other forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from server.db.tables import InboundMessage
from tests.conftest import Env, base_settings, make_env
from tests.integration.test_sms_replies import NINE, PUBLIC, TOKEN, answered, session_row, text
from tests.integration.world import World, book, build_world, volunteer_offers

NEXT_WEEK = NINE + timedelta(days=7)


@pytest.fixture
async def env(database_url: str) -> AsyncIterator[Env]:
    settings = base_settings(database_url, twilio_auth_token=TOKEN, public_base_url=PUBLIC)
    async for e in make_env(settings):
        yield e


async def two_sessions(env: Env, at: datetime = NINE) -> tuple[World, str, str]:
    """resident_2 has a Monday at 9.00 and the Monday after at 9.00, both with vol_a at help point A."""
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    first = await book(world, "resident_2", at)
    second = await book(world, "resident_2", at + timedelta(days=7))
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    return world, first.json()["session"]["id"], second.json()["session"]["id"]


async def remind_first(env: Env) -> None:
    """The confirmations went out when booked; the day before, the first session's reminder."""
    await env.services.dispatcher.run_due()
    env.clock.set(NINE - timedelta(hours=24))
    await env.services.dispatcher.run_due()
    env.sms.sent.clear()


async def test_a_second_peru_seconds_later_never_cancels_the_residents_other_session(env: Env) -> None:
    _, first, second = await two_sessions(env)
    await remind_first(env)
    await text(env, "PERU", sid="SMperu1")
    env.clock.advance(timedelta(seconds=5))
    await text(env, "peru", sid="SMperu2")
    assert (await session_row(first))["state"] == "cancelled"
    assert (await session_row(second))["state"] == "scheduled", "the other session is left alone"
    replies = await answered(env)
    assert len(replies) == 2, "both texts are answered, also within the same minute"
    assert all("ma 30.11. klo 9.00" in r for r in replies), "both are about the first session"
    assert sorted("on jo peruttu" in r for r in replies) == [False, True], "cancelled, then: already cancelled"


async def test_a_yes_after_the_session_asked_about_was_cancelled_confirms_nothing_else(env: Env) -> None:
    _, _, second = await two_sessions(env)
    await remind_first(env)
    await text(env, "peru", sid="SMp")
    await text(env, "kyllä", sid="SMk")
    assert (await session_row(second))["confirmed_at"] is None
    assert any("on jo peruttu" in r for r in await answered(env))


async def test_without_a_reminder_a_cancel_asks_which_time_and_the_number_picks_it(env: Env) -> None:
    _, first, second = await two_sessions(env, NEXT_WEEK)
    await env.services.dispatcher.run_due()
    env.sms.sent.clear()
    env.clock.advance(timedelta(days=7, hours=1))  # the confirmations are over a week old; no reminder yet
    await text(env, "peru", sid="SMq")
    assert (await session_row(first))["state"] == (await session_row(second))["state"] == "scheduled"
    [question] = await answered(env)
    assert "Minkä haluat perua?" in question
    assert "1) ma 7.12. klo 9.00" in question and "2) ma 14.12. klo 9.00" in question
    env.clock.advance(timedelta(minutes=2))
    await text(env, "2", sid="SMtwo")
    assert (await session_row(second))["state"] == "cancelled"
    assert (await session_row(first))["state"] == "scheduled", "'2' picked the second time, not 'cancel'"
    assert "ma 14.12. klo 9.00 on peruttu" in (await answered(env))[-1]


async def test_two_confirmations_sent_together_make_a_cancel_ask_which(env: Env) -> None:
    _, first, second = await two_sessions(env)
    await env.services.dispatcher.run_due()  # both confirmations: either may be what PERU answers
    env.sms.sent.clear()
    env.clock.advance(timedelta(minutes=5))
    await text(env, "peru", sid="SMamb")
    assert {(await session_row(s))["state"] for s in (first, second)} == {"scheduled"}
    [question] = await answered(env)
    assert "Minkä haluat perua?" in question
    await text(env, "1", sid="SMone")
    # The question lists the session of the newest message first.
    states = [(await session_row(s))["state"] for s in (first, second)]
    assert sorted(states) == ["cancelled", "scheduled"]


async def test_a_number_for_a_time_cancelled_meanwhile_changes_nothing_and_says_so(env: Env) -> None:
    world, first, second = await two_sessions(env)
    await env.services.dispatcher.run_due()
    env.clock.advance(timedelta(minutes=5))
    await text(env, "peru", sid="SMask")
    await answered(env)
    cancelled = await world.apis["resident_2"].post(f"/api/v1/sessions/{first}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    await text(env, "1", sid="SMlate")
    assert (await session_row(second))["state"] == "scheduled"
    assert "on jo peruttu" in (await answered(env))[-1]


async def test_an_action_is_answered_even_after_the_limit_on_unclear_texts(env: Env) -> None:
    _, first, _ = await two_sessions(env)
    await remind_first(env)
    for n in range(12):
        await text(env, f"viesti {n}", sid=f"SMnoise{n}")
        env.clock.advance(timedelta(minutes=2))
    assert len(await answered(env)) == 10, "unclear texts: at most ten answers a day"
    await text(env, "peru", sid="SMreal")
    assert (await session_row(first))["state"] == "cancelled"
    assert "on peruttu" in (await answered(env))[-1], "the cancellation's answer is not dropped"


async def test_after_a_number_picked_the_time_a_repeated_peru_cancels_nothing_more(env: Env) -> None:
    _, first, second = await two_sessions(env, NEXT_WEEK)
    await env.services.dispatcher.run_due()
    env.clock.advance(timedelta(days=7, hours=1))
    await text(env, "peru", sid="SMask")
    await answered(env)
    await text(env, "2", sid="SMtwo")
    env.clock.advance(timedelta(seconds=20))
    await text(env, "PERU", sid="SMagain")
    assert (await session_row(second))["state"] == "cancelled"
    assert (await session_row(first))["state"] == "scheduled", "the question was answered: PERU repeats that answer"
    assert any("ma 14.12. klo 9.00 on jo peruttu" in r for r in await answered(env))


async def test_no_thanks_to_a_feedback_question_is_read_by_a_person_not_taken_as_a_cancellation(env: Env) -> None:
    world, first, second = await two_sessions(env)
    await remind_first(env)
    env.clock.set(NINE + timedelta(minutes=50))
    done = await world.apis["vol_a"].post(f"/api/v1/sessions/{first}/done", json={"minutes": 45})
    assert done.status_code == 200, done.text
    env.clock.advance(timedelta(minutes=10))
    await env.services.dispatcher.run_due()
    env.clock.advance(timedelta(minutes=5))
    await text(env, "ei kiitos", sid="SMnothanks")
    assert (await session_row(second))["state"] == "scheduled", "the next week's time stays"
    [row] = await InboundMessage.select(InboundMessage.action, InboundMessage.state).where(
        InboundMessage.provider_id == "SMnothanks"
    )
    assert row == {"action": "unknown", "state": "open"}, "waiting in the coordinators' inbox"
