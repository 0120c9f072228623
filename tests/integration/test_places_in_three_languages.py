"""Places and partners in three languages, and the public catalogue (both databases): a help point's name, street
address and accessibility notes, and a partner's name and description, in Swedish and English with Finnish as the
fallback (said so); municipalities by their Swedish names; the catalogue says what each partner helps with, how,
where and when."""

from __future__ import annotations

from typing import Any

from server.db import network as network_q
from server.db import topics as topics_q
from server.domain.network import OrganisationKind
from server.domain.topics import Topic
from tests.conftest import Env
from tests.integration.world import World, build_world, volunteer_offers

SWEDISH = {
    "sv": {
        "name": "Kuusamo stadsbibliotek",
        "accessibility_notes": "Hiss till andra våningen.",
    },
    "en": {"name": "Kuusamo City Library"},
}


async def shown(world: World, language: str, **params: Any) -> list[dict[str, Any]]:
    answer = await world.apis["anonymous"].get("/api/v1/help-points", params={"language": language, **params})
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


async def test_a_help_point_reads_in_swedish_and_english_with_finnish_where_nothing_is_translated(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/help-points/{world.help_point_a}"
    changed = await world.apis["coord_a"].patch(
        url, json={"accessibility_notes": "Hissi toiseen kerrokseen.", "translations": SWEDISH}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["translations"] == SWEDISH
    assert changed.json()["name"] == "Point a", "coordinators edit the Finnish fields as they are"

    [swedish] = [p for p in await shown(world, "sv") if p["id"] == str(world.help_point_a)]
    assert swedish["name"] == "Kuusamo stadsbibliotek"
    assert swedish["accessibility_notes"] == "Hiss till andra våningen."
    assert swedish["street_address"] == "Tie 1" and swedish["in_finnish"] == ["street_address"]
    [english] = [p for p in await shown(world, "en") if p["id"] == str(world.help_point_a)]
    assert english["name"] == "Kuusamo City Library"
    assert english["accessibility_notes"] == "Hissi toiseen kerrokseen."
    assert english["in_finnish"] == ["street_address", "accessibility_notes"]
    [finnish] = [p for p in await shown(world, "fi") if p["id"] == str(world.help_point_a)]
    assert finnish["name"] == "Point a" and finnish["in_finnish"] == []
    one = await world.apis["anonymous"].get(url, params={"language": "sv"})
    assert one.json()["name"] == "Kuusamo stadsbibliotek"

    # A translation left empty is no translation; only Swedish and English are kept.
    cleared = await world.apis["coord_a"].patch(url, json={"translations": {"sv": {"name": "  "}}})
    assert cleared.status_code == 200 and cleared.json()["translations"] == {}
    for bad in ({"de": {"name": "x"}}, {"sv": {"name": "a\x00b"}}, {"sv": {"colour": "red"}}):
        refused = await world.apis["coord_a"].patch(url, json={"translations": bad})
        assert refused.status_code in (400, 422), bad


async def test_municipalities_go_by_their_swedish_names_in_swedish(env: Env) -> None:
    world = await build_world(env)
    added = await world.apis["coord_a"].post(
        f"/api/v1/organisations/{world.org_a}/help-points",
        json={
            "name": "Kajaanin kirjasto",
            "street_address": "Kauppakatu 1",
            "postal_code": "87100",
            "municipality": "Kajana",
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["municipality"] == "Kajaani", "kept by its Finnish name, whichever language it was typed in"
    in_swedish = await shown(world, "sv", municipality="Kajana")
    assert [(p["name"], p["municipality"]) for p in in_swedish] == [("Kajaanin kirjasto", "Kajana")]
    assert [p["municipality"] for p in await shown(world, "fi", municipality="Kajaani")] == ["Kajaani"]
    assert {p["municipality"] for p in await shown(world, "sv", municipality="Kuusamo")} == {"Kuusamo"}


async def test_the_catalogue_says_what_each_partner_helps_with_how_where_and_when(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)  # remote too
    bank = await network_q.insert_organisation(
        name="Pohjolan Pankki",
        kind=OrganisationKind.COMPANY,
        municipality="Oulu",
        phone="+358800123456",
        now=env.clock.now(),
        description="Pankin omat verkkopalvelut ja tunnukset.",
        translations={"sv": {"name": "Nordens Bank", "description": "Bankens egna nättjänster och koder."}},
    )
    await topics_q.insert_topic(
        Topic(
            code="bank_own",
            names={"fi": "Pankin omat palvelut", "sv": "Bankens egna tjänster", "en": "The bank's own services"},
            bring={},
            outcomes=[],
            partner_only_organisation_id=bank,
            sort_order=20,
            active=True,
        )
    )
    closed = await network_q.insert_organisation(
        name="Lopettanut yhdistys",
        kind=OrganisationKind.ASSOCIATION,
        municipality="Kuusamo",
        phone=None,
        now=env.clock.now(),
    )
    await network_q.update_organisation(closed, {"active": False})
    hour = await world.apis["coord_a"].post(
        f"/api/v1/help-points/{world.help_point_a}/drop-in-hours",
        json={"weekday": 2, "starts": "12:00:00", "ends": "14:00:00", "minutes_per_visitor": 30},
    )
    assert hour.status_code == 201, hour.text
    anyone = world.apis["anonymous"]

    listed = (await anyone.get("/api/v1/catalogue", params={"language": "sv"})).json()
    by_name = {p["name"]: p for p in listed}
    assert set(by_name) == {"Alpha Library", "Beta Seniors", "Nordens Bank"}, "only active partners"
    nordens = by_name["Nordens Bank"]
    assert nordens["description"] == "Bankens egna nättjänster och koder." and nordens["in_finnish"] == []
    assert nordens["municipality"] == "Uleåborg" and nordens["phone"] == "+358800123456"
    assert nordens["topics"] == ["bank_own"] and nordens["ways"] == [] and nordens["places"] == []
    alpha = by_name["Alpha Library"]
    assert alpha["in_finnish"] == ["name"], "no Swedish name: shown in Finnish, and said so"
    assert alpha["topics"] == ["online_banking"] and alpha["ways"] == ["help_point", "phone", "video"]
    [place] = alpha["places"]
    assert place["name"] == "Point a" and place["opening_hours"][0]["weekday"] == 0
    assert [(h["weekday"], h["starts"], h["minutes_per_visitor"]) for h in place["drop_in_hours"]] == [
        (2, "12:00:00", 30)
    ]

    by_topic = (await anyone.get("/api/v1/catalogue", params={"topic": "bank_own"})).json()
    assert [p["name"] for p in by_topic] == ["Pohjolan Pankki"]
    in_oulu = (await anyone.get("/api/v1/catalogue", params={"municipality": "Uleåborg", "language": "sv"})).json()
    assert [p["name"] for p in in_oulu] == ["Nordens Bank"]
    in_kuusamo = (await anyone.get("/api/v1/catalogue", params={"municipality": "Kuusamo"})).json()
    assert {p["name"] for p in in_kuusamo} == {"Alpha Library", "Beta Seniors"}, "by a help point there"


async def test_a_partner_is_described_in_three_languages_by_its_coordinators(env: Env) -> None:
    world = await build_world(env)
    url = f"/api/v1/organisations/{world.org_a}"
    body = {
        "description": "Digitukea kirjastoissa.",
        "translations": {"sv": {"description": "Digitalt stöd på biblioteken."}, "en": {"name": "Alpha Library"}},
    }
    changed = await world.apis["coord_a"].patch(url, json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["description"] == "Digitukea kirjastoissa."
    assert changed.json()["translations"]["sv"] == {"description": "Digitalt stöd på biblioteken."}
    [entry] = [
        p
        for p in (await world.apis["anonymous"].get("/api/v1/catalogue", params={"language": "en"})).json()
        if p["id"] == str(world.org_a)
    ]
    assert entry["description"] == "Digitukea kirjastoissa." and entry["in_finnish"] == ["description"]
    assert (await world.apis["coord_b"].patch(url, json=body)).status_code == 404


async def test_drop_in_hours_group_sessions_and_sms_name_the_place_in_the_residents_language(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    url = f"/api/v1/help-points/{world.help_point_a}"
    assert (await world.apis["coord_a"].patch(url, json={"translations": SWEDISH})).status_code == 200
    coord = world.apis["coord_a"]
    hour = {"weekday": 2, "starts": "12:00:00", "ends": "14:00:00"}
    assert (await coord.post(f"{url}/drop-in-hours", json=hour)).status_code == 201
    event = {"title": "Digikahvila", "starts_at": "2026-11-25T13:00:00+02:00", "minutes": 60, "capacity": 5}
    assert (await coord.post("/api/v1/events", json={**event, "help_point_id": str(world.help_point_a)})).is_success
    anyone = world.apis["anonymous"]
    [drop_in, *_] = (await anyone.get("/api/v1/drop-in-hours", params={"language": "sv"})).json()
    assert drop_in["help_point_name"] == "Kuusamo stadsbibliotek" and drop_in["in_finnish"] == ["street_address"]
    [group] = (await anyone.get("/api/v1/events", params={"language": "en", "municipality": "Kuusamo"})).json()
    assert group["help_point_name"] == "Kuusamo City Library"

    # A Swedish-speaking resident's confirmation names the place in Swedish.
    swedish = await env.sign_in("+358401119876")
    assert (await swedish.patch("/api/v1/me", json={"language": "sv"})).is_success
    booked = await swedish.post(
        "/api/v1/bookings",
        json={
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "starts_at": "2026-11-30T07:00:00Z",
        },
    )
    assert booked.status_code == 201, booked.text
    await env.services.dispatcher.run_due()
    [confirmation] = [t for t in env.sms.to("+358401119876") if "Kuusamo stadsbibliotek, Tie 1, Kuusamo" in t]
    assert confirmation.startswith("Apuri:")
