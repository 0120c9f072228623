"""The network coordinator rewords messages: placeholders checked, the SMS cost shown, and the next message
uses the new words; on both databases."""

from __future__ import annotations

from server.services.notifications import TEMPLATES_KEPT, NotificationService
from tests.conftest import Env, base_settings
from tests.integration.world import PHONES, book, build_world, volunteer_offers

URL = "/api/v1/templates/resident.confirmation/fi"


async def test_templates_show_their_cost_and_a_new_wording_is_used_from_the_next_message(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["network"]
    listed = (await api.get("/api/v1/templates")).json()
    confirmation = next(t for t in listed if t["name"] == "resident.confirmation" and t["language"] == "fi")
    assert confirmation["encoding"] == "GSM-7" and confirmation["segments"] == 2 and not confirmation["customised"]
    assert len(listed) == len({(t["name"], t["language"]) for t in listed}) >= 60
    saved = await api.put(URL, json={"body": "Apuri: Aika {when}, {place}. Peru: {helpline}", "link_free": True})
    assert saved.status_code == 200, saved.text
    assert saved.json()["customised"] and saved.json()["segments"] == 1
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.sms.sent.clear()
    booked = await book(world)
    assert booked.status_code == 201
    await env.services.dispatcher.run_due()
    assert env.sms.to(PHONES["resident_2"]) == [
        "Apuri: Aika ma 30.11. klo 9.00, Point a, Tie 1, Kuusamo. Peru: 040 1234000"
    ]
    reset = await api.delete(URL)
    assert reset.status_code == 200 and not reset.json()["customised"]


async def test_a_new_wording_reaches_this_instance_at_once_and_another_within_the_time_they_are_kept(env: Env) -> None:
    """Every message planned reads the wordings, so each instance keeps them for a while: the one that saved a
    change uses it from the next message, another on the same database once its copy is TEMPLATES_KEPT old."""
    world = await build_world(env)
    here = env.services.notifications
    seconds = [1000.0]
    elsewhere = NotificationService(settings=base_settings("unused"), clock=env.clock, seconds=lambda: seconds[0])
    key = ("resident.confirmation", "fi")
    assert key not in await here.templates() and key not in await elsewhere.templates()  # both keep "none"
    body = "Apuri: Aika {when}, {place}."
    assert (await world.apis["network"].put(URL, json={"body": body})).status_code == 200
    assert (await here.templates())[key][0] == body
    assert key not in await elsewhere.templates()
    seconds[0] += TEMPLATES_KEPT - 1
    assert key not in await elsewhere.templates()
    seconds[0] += 1
    assert (await elsewhere.templates())[key][0] == body
    assert (await world.apis["network"].delete(URL)).status_code == 200
    assert key not in await here.templates()


async def test_typographic_quotes_are_shown_to_cost_more(env: Env) -> None:
    world = await build_world(env)
    saved = await world.apis["network"].put(URL, json={"body": "Apuri: “Tervetuloa” {when}"})
    assert saved.json()["encoding"] == "UCS-2" and saved.json()["non_gsm"] == ["“", "”"]


async def test_a_broken_template_is_refused_and_nothing_changes(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["network"]
    for body, fragment in (
        ("Aika {aika}", "Unknown placeholder"),
        ("Aika {when", "has no pair"),
        ("Aika {topic}", "Unknown placeholder"),  # residents' SMS never name the topic
        ("Aika {when}. Katso http://apuri.example/omat", "web address"),  # links only as {link}
        ("Aika {when}. Lisätiedot: www.kunta.fi", "web address"),
        ("Aika {when}. Peru: bit.ly/peru", "web address"),
    ):
        answer = await api.put(URL, json={"body": body})
        assert answer.status_code == 422 and fragment in answer.json()["detail"], answer.text
    assert (await api.put("/api/v1/templates/resident.nothing/fi", json={"body": "x"})).status_code == 422
    listed = (await api.get("/api/v1/templates")).json()
    assert not any(t["customised"] for t in listed)


async def test_only_the_network_coordinator_rewords_messages(env: Env) -> None:
    world = await build_world(env)
    for who in ("coord_a", "vol_a", "resident_1"):
        assert (await world.apis[who].put(URL, json={"body": "Hei {when}"})).status_code == 403
        assert (await world.apis[who].get("/api/v1/templates")).status_code == 403


async def test_with_links_turned_on_a_residents_sms_opens_their_own_times(env: Env) -> None:
    world = await build_world(env)
    body = {"body": "Apuri: Aika {when}. Omat aikasi: {link}", "link_free": False}
    assert (await world.apis["network"].put(URL, json=body)).status_code == 200
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    env.sms.sent.clear()
    assert (await book(world)).status_code == 201
    await env.services.dispatcher.run_due()
    [text] = env.sms.to(PHONES["resident_2"])
    assert text.endswith("Omat aikasi: http://127.0.0.1:8000/#/omat")


async def test_a_code_word_cannot_be_a_web_address_or_carry_symbols(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["resident_1"]
    for word in ("http://evil.example", "evil.example", "www kunta fi/x", "kissa<3"):
        answer = await api.put("/api/v1/me/messages", json={"code_word": word})
        assert answer.status_code == 422 and answer.json()["code"] == "code_word_invalid", (word, answer.text)
    assert (await api.get("/api/v1/me/messages")).json()["code_word"] == ""
    fine = await api.put("/api/v1/me/messages", json={"code_word": "Åke-Öhman 7"})
    assert fine.status_code == 200 and fine.json()["code_word"] == "Åke-Öhman 7"
