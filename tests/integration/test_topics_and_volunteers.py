"""Topics (edited by the network coordinator, served by partners) and volunteers' own profiles and
availability, through HTTP on both databases."""

from __future__ import annotations

from tests.conftest import Env
from tests.integration.world import build_world

TOPIC = {
    "code": "video_calls",
    "names": {"fi": "Videopuhelut", "sv": "Videosamtal", "en": "Video calls"},
    "bring": {
        "fi": ["Oma puhelin tai tabletti"],
        "sv": ["Egen telefon eller surfplatta"],
        "en": ["Your own phone or tablet"],
    },
    "outcomes": [
        {
            "code": "call_family",
            "names": {"fi": "Soittaa videopuhelun", "sv": "Ringa ett videosamtal", "en": "Make a video call"},
        }
    ],
    "sort_order": 20,
}


async def test_residents_see_active_topics_with_what_to_bring(env: Env) -> None:
    world = await build_world(env)
    created = await world.apis["network"].post("/api/v1/topics", json=TOPIC)
    assert created.status_code == 201, created.text
    public = (await env.client().get("/api/v1/topics")).json()
    assert [t["code"] for t in public] == ["online_banking", "video_calls"], "ordered by sort order"
    one = (await env.client().get("/api/v1/topics/video_calls")).json()
    assert one["bring"]["sv"] == ["Egen telefon eller surfplatta"]
    assert one["outcomes"][0]["names"]["fi"] == "Soittaa videopuhelun"


async def test_a_retired_topic_disappears_for_residents_but_not_for_the_network_coordinator(env: Env) -> None:
    world = await build_world(env)
    retired = {k: v for k, v in TOPIC.items() if k != "code"} | {"active": False}
    await world.apis["network"].post("/api/v1/topics", json=TOPIC)
    assert (await world.apis["network"].request("PUT", "/api/v1/topics/video_calls", json=retired)).status_code == 200
    assert "video_calls" not in (await env.client().get("/api/v1/topics")).text
    assert (await env.client().get("/api/v1/topics/video_calls")).status_code == 404
    everything = await world.apis["network"].get("/api/v1/topics", params={"include_inactive": "true"})
    assert "video_calls" in everything.text
    assert (await world.apis["coord_a"].get("/api/v1/topics", params={"include_inactive": "true"})).status_code == 403


async def test_bad_topics_are_refused_and_nothing_is_written(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["network"]
    assert (await api.post("/api/v1/topics", json=TOPIC | {"code": "Video Calls!"})).status_code == 400
    no_swedish = TOPIC | {"names": {"fi": "Videopuhelut", "en": "Video calls"}}
    assert (await api.post("/api/v1/topics", json=no_swedish)).status_code == 400
    uneven = TOPIC | {"bring": {"fi": ["Puhelin", "Laturi"], "sv": ["Telefon"], "en": ["Phone"]}}
    answer = await api.post("/api/v1/topics", json=uneven)
    assert answer.status_code == 422 and answer.json()["code"] == "bring_mismatch"
    assert (await api.post("/api/v1/topics", json=TOPIC | {"code": "online_banking"})).status_code == 409
    assert "video_calls" not in (await env.client().get("/api/v1/topics")).text


async def test_a_partner_chooses_the_topics_it_serves(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["coord_b"]
    saved = await api.request("PUT", f"/api/v1/organisations/{world.org_b}/topics", json={"topics": ["online_banking"]})
    assert saved.json() == {"topics": ["online_banking"]}
    unknown = await api.request("PUT", f"/api/v1/organisations/{world.org_b}/topics", json={"topics": ["astrology"]})
    assert unknown.status_code == 422 and unknown.json()["code"] == "topic_unknown"
    assert (await api.get(f"/api/v1/organisations/{world.org_b}/topics")).json() == {"topics": ["online_banking"]}


PROFILE = {
    "languages": ["fi", "fi-plain"],
    "remote": True,
    "home_visits": True,
    "home": {"latitude": 65.96, "longitude": 29.18},
    "travel_radius_km": 25,
    "weekly_cap": 4,
    "needs_experience": ["hearing"],
    "topics": [{"topic": "online_banking", "skill": 3}],
}


async def test_a_volunteer_describes_what_they_offer_and_their_coordinator_sees_it(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    fresh = (await api.get("/api/v1/me/volunteer-profile")).json()
    assert fresh["languages"] == ["fi"] and fresh["weekly_cap"] == 3, "sensible defaults before the first save"
    body = PROFILE | {"help_point_ids": [str(world.help_point_a)]}
    saved = await api.request("PUT", "/api/v1/me/volunteer-profile", json=body)
    assert saved.status_code == 200, saved.text
    seen = (await world.apis["coord_a"].get(f"/api/v1/people/{world.ids['vol_a']}/volunteer-profile")).json()
    assert seen == saved.json()
    assert seen["topics"] == [{"topic": "online_banking", "skill": 3}]


async def test_impossible_profiles_are_refused_with_the_reason(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    cases = {
        "home_missing": PROFILE | {"home": None},
        "topic_unknown": PROFILE | {"topics": [{"topic": "astrology", "skill": 2}]},
        "help_point_unknown": PROFILE | {"help_point_ids": ["00000000-0000-0000-0000-000000000001"]},
        "radius_invalid": PROFILE | {"travel_radius_km": 0},
    }
    for code, body in cases.items():
        answer = await api.request("PUT", "/api/v1/me/volunteer-profile", json=body)
        assert answer.status_code == 422 and answer.json()["code"] == code, (code, answer.text)
    assert (
        await api.request("PUT", "/api/v1/me/volunteer-profile", json=PROFILE | {"weekly_cap": 50})
    ).status_code == 400
    assert (await api.get("/api/v1/me/volunteer-profile")).json()["weekly_cap"] == 3, "nothing was saved"


async def test_only_volunteers_have_a_volunteer_profile(env: Env) -> None:
    world = await build_world(env)
    assert (await world.apis["resident_1"].get("/api/v1/me/volunteer-profile")).status_code == 403


AVAILABILITY = {
    "rules": [
        {"weekday": 1, "start": "10:00:00", "end": "14:00:00"},
        {"weekday": 3, "start": "17:00:00", "end": "19:00:00", "remote": True},
    ],
    "overrides": [
        {"day": "2026-12-24", "away": True},
        {"day": "2026-12-02", "away": False, "start": "12:00:00", "end": "15:00:00"},
    ],
}


async def test_a_volunteer_sets_weekly_hours_and_days_off(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    saved = await api.request("PUT", "/api/v1/me/availability", json=AVAILABILITY)
    assert saved.status_code == 200, saved.text
    assert [o["day"] for o in saved.json()["overrides"]] == ["2026-12-02", "2026-12-24"]
    seen = await world.apis["coord_a"].get(f"/api/v1/people/{world.ids['vol_a']}/availability")
    assert seen.json() == saved.json()


async def test_overlapping_rules_and_past_dates_are_refused_and_change_nothing(env: Env) -> None:
    world = await build_world(env)
    api = world.apis["vol_a"]
    await api.request("PUT", "/api/v1/me/availability", json=AVAILABILITY)
    overlapping = AVAILABILITY | {
        "rules": AVAILABILITY["rules"] + [{"weekday": 1, "start": "13:00:00", "end": "15:00:00"}]
    }
    answer = await api.request("PUT", "/api/v1/me/availability", json=overlapping)
    assert answer.status_code == 422 and answer.json()["code"] == "availability_overlap"
    past = AVAILABILITY | {"overrides": [{"day": "2026-11-01", "away": True}]}
    answer = await api.request("PUT", "/api/v1/me/availability", json=past)
    assert answer.status_code == 422 and answer.json()["code"] == "override_past"
    half = AVAILABILITY | {"overrides": [{"day": "2026-12-03", "away": True, "start": "10:00:00"}]}
    assert (await api.request("PUT", "/api/v1/me/availability", json=half)).json()["code"] == "override_times"
    assert (await api.get("/api/v1/me/availability")).json()["rules"][0]["start"] == "10:00:00"
    assert len((await api.get("/api/v1/me/availability")).json()["rules"]) == 2
