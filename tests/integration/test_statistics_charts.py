"""Demand next to supply and the SVG charts through HTTP on both databases: known supply figures on a small
network, scoping to the caller's organisation, the charts' safety and language, and refusals."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from server.db import volunteers as volunteers_q
from server.domain.availability import DateOverride, WeeklyRule
from tests.conftest import Env
from tests.integration.test_statistics import EVIL, history
from tests.integration.world import World, build_world, volunteer_offers
from tests.svg_checks import SVG, external_references, parse, title_and_desc

WEEK = {"from": "2026-11-16", "to": "2026-11-22"}  # week 47: R5, R3 and R4 of `history`
CHARTS = ("demand-topic", "demand-area", "demand-hour", "time-to-match", "outcomes")
TITLES = {
    "fi": "Kysyntä ja tarjonta kunnittain",
    "sv": "Efterfrågan och utbud per kommun",
    "en": "Demand and supply by municipality",
}


async def network(env: Env) -> World:
    """`history`, and two volunteers who offer time (both online banking, Mondays 9–15 at their help point and
    Wednesdays 17–19 remote, as `volunteer_offers` gives): vol_a of Alpha Library (Kuusamo) at point A, and
    vol_b of Beta Seniors (Taivalkoski) at point B, also for scams. Both help points are in Kuusamo.

    Week 47 per volunteer: 6 h in person + 2 h remote = 8 h. vol_a's are all in Kuusamo; vol_b's in-person
    hours are in Kuusamo and the remote ones in Taivalkoski, where Beta Seniors is."""
    world = await history(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    await volunteer_offers(world.ids["vol_b"], world.help_point_b, skills={"online_banking": 2, "scams": 3})
    return world


def groups(answer: Any) -> dict[str | None, tuple[int, float]]:
    assert answer.status_code == 200, answer.text
    return {g["key"]: (g["requests"], g["volunteer_hours"]) for g in answer.json()["groups"]}


async def balance(world: World, who: str, by: str, **params: str) -> Any:
    return await world.apis[who].get("/api/v1/statistics/demand-supply", params={"by": by} | WEEK | params)


async def test_supply_on_a_small_network_has_the_known_hours(env: Env) -> None:
    world = await network(env)
    by_topic = await balance(world, "network", "topic")
    body = by_topic.json()
    assert (body["by"], body["from"], body["to"], body["weeks"]) == ("topic", "2026-11-16", "2026-11-22", 1.0)
    # R5 is online banking; R3 and R4 are scams. Every volunteer's hours count in each of their topics.
    assert groups(by_topic) == {"scams": (2, 8.0), "online_banking": (1, 16.0)}
    assert body["total"] == {
        "key": None,
        "label": "",
        "requests": 3,
        "requests_per_week": 3.0,
        "volunteer_hours": 16.0,
    }
    by_area = await balance(world, "network", "municipality")
    # R3 at point B (Kuusamo); R5 and R4 are Beta Seniors' (Taivalkoski).
    assert groups(by_area) == {"Taivalkoski": (2, 2.0), "Kuusamo": (1, 14.0)}
    by_hour = groups(await balance(world, "network", "hour"))
    assert list(by_hour)[:24] == [f"{h:02d}" for h in range(24)]
    assert by_hour["09"] == (2, 2.0), "R5 and R3 met at 09:00 Helsinki time; both volunteers are in then"
    assert by_hour[None] == (1, 0.0), "R4 was cancelled before any time was agreed"
    assert {k: h for k, (_, h) in by_hour.items() if h} == {
        **{f"{h:02d}": 2.0 for h in range(9, 15)},
        "17": 2.0,
        "18": 2.0,
    }


async def test_a_day_away_in_the_period_takes_that_days_hours_out(env: Env) -> None:
    world = await network(env)
    rules = [WeeklyRule(0, time(9), time(15)), WeeklyRule(2, time(17), time(19), remote=True)]
    away = [DateOverride(date(2026, 11, 16), away=True)]
    await volunteers_q.replace_availability(world.ids["vol_a"], rules, away, keep_before=date(2026, 11, 1))
    assert (await balance(world, "network", "topic")).json()["total"]["volunteer_hours"] == 10.0
    two_weeks = await balance(world, "network", "topic", to="2026-11-29")
    assert two_weeks.json()["total"]["volunteer_hours"] == 13.0  # (10 + 16) / 2


async def test_a_partner_coordinator_sees_only_their_own_requests_and_volunteers(env: Env) -> None:
    world = await network(env)
    assert groups(await balance(world, "coord_a", "topic")) == {"online_banking": (0, 8.0)}
    assert groups(await balance(world, "coord_a", "municipality")) == {"Kuusamo": (0, 8.0)}
    assert groups(await balance(world, "coord_b", "topic")) == {"scams": (2, 8.0), "online_banking": (1, 8.0)}
    assert groups(await balance(world, "coord_b", "municipality")) == {"Taivalkoski": (2, 2.0), "Kuusamo": (1, 6.0)}
    for chart in CHARTS:
        seen = await world.apis["coord_a"].get(f"/api/v1/statistics/charts/{chart}.svg", params=WEEK | {"lang": "en"})
        assert seen.status_code == 200, (chart, seen.text)
        assert "Taivalkoski" not in seen.text and "Scams" not in seen.text, chart
    area = await world.apis["network"].get("/api/v1/statistics/charts/demand-area.svg", params=WEEK)
    assert "Taivalkoski" in area.text, "positive control: the network coordinator's chart names it"


@pytest.mark.parametrize(
    "path", ["/api/v1/statistics/demand-supply", *(f"/api/v1/statistics/charts/{c}.svg" for c in CHARTS)]
)
async def test_volunteers_and_residents_get_no_demand_supply_or_charts(env: Env, path: str) -> None:
    world = await build_world(env)
    for who in ("resident_1", "vol_a"):
        assert (await world.apis[who].get(path)).status_code == 403, who
    assert (await world.apis["anonymous"].get(path)).status_code == 401


async def test_every_chart_is_a_safe_accessible_svg_in_the_language_asked(env: Env) -> None:
    world = await network(env)
    for lang, title in TITLES.items():
        answer = await world.apis["network"].get(
            "/api/v1/statistics/charts/demand-area.svg", params={"lang": lang} | WEEK
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("image/svg+xml")
        assert answer.headers["cache-control"] == "private, no-store"
        assert "script-src" not in answer.headers["content-security-policy"]
        root = parse(answer.text)
        assert root.tag == SVG + "svg" and root.get("lang") == lang
        assert title_and_desc(root)[0] == title
        assert "<script" not in answer.text
        assert external_references(root, answer.text) == []
    for chart in CHARTS:
        for lang in ("sv", "en"):  # topics' Finnish name is a formula with a web address in it; see below
            answer = await world.apis["network"].get(f"/api/v1/statistics/charts/{chart}.svg", params={"lang": lang})
            assert answer.status_code == 200, (chart, answer.text)
            root = parse(answer.text)
            assert "<script" not in answer.text
            assert external_references(root, answer.text) == [], (chart, lang)


async def test_a_name_coordinators_typed_is_only_text_in_the_chart(env: Env) -> None:
    world = await network(env)
    answer = await world.apis["network"].get("/api/v1/statistics/charts/demand-topic.svg", params=WEEK)
    root = parse(answer.text)
    assert EVIL in [e.text for e in root.iter()], "the scams topic's Finnish name is a label"
    assert external_references(root, answer.text, labels_may_hold_urls=True) == []
    assert title_and_desc(root)[0] == "Kysyntä ja tarjonta aiheittain", "Finnish by default"


async def test_the_charts_show_the_figures_of_the_statistics(env: Env) -> None:
    world = await network(env)
    params = {"from": "2026-11-09", "to": "2026-11-22", "lang": "en"}
    weekly = await world.apis["network"].get("/api/v1/statistics/charts/time-to-match.svg", params=params)
    values = [e.text for e in parse(weekly.text).iter(SVG + "desc") if e.get("class") == "value"]
    assert values == ["90", "20"], "medians of week 46 (60, 120 min) and week 47 (10, 30 min)"
    outcomes = await world.apis["network"].get("/api/v1/statistics/charts/outcomes.svg", params=params)
    texts = {e.text for e in parse(outcomes.text).iter()}
    assert {"Done", "No-show", "Cancelled", "Can do alone: Pay a bill", "Can do alone: Spot a scam"} <= texts


async def test_an_empty_period_draws_a_chart_that_says_so(env: Env) -> None:
    world = await build_world(env)
    for chart in CHARTS:
        answer = await world.apis["network"].get(
            f"/api/v1/statistics/charts/{chart}.svg", params={"from": "2026-10-05", "to": "2026-10-11"}
        )
        assert answer.status_code == 200, (chart, answer.text)
        root = parse(answer.text)
        assert "Ei tietoja tältä ajalta" in [e.text for e in root.iter() if e.get("class") == "no_data"], chart
        assert title_and_desc(root)[1].endswith("Ei tietoja tältä ajalta.")
    empty = await world.apis["network"].get(
        "/api/v1/statistics/demand-supply", params={"by": "municipality", "from": "2026-10-05", "to": "2026-10-11"}
    )
    assert empty.json()["groups"] == [] and empty.json()["total"]["requests"] == 0


@pytest.mark.parametrize(
    ("path", "params", "status", "code"),
    [
        ("/api/v1/statistics/charts/nonsense.svg", {}, 404, None),
        ("/api/v1/statistics/charts/demand-topic", {}, 404, None),
        ("/api/v1/statistics/charts/outcomes.svg", {"lang": "de"}, 400, "validation_failed"),
        ("/api/v1/statistics/charts/outcomes.svg", {"from": "2026-11-20", "to": "2026-11-10"}, 422, "dates_order"),
        ("/api/v1/statistics/demand-supply", {"by": "week"}, 400, "validation_failed"),
        ("/api/v1/statistics/demand-supply", {"from": "2025-01-01", "to": "2026-11-23"}, 422, "dates_too_long"),
    ],
)
async def test_bad_chart_names_and_parameters_get_a_4xx_problem(
    env: Env, path: str, params: dict[str, str], status: int, code: str | None
) -> None:
    world = await build_world(env)
    answer = await world.apis["network"].get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    if code is not None:
        assert answer.json()["code"] == code
