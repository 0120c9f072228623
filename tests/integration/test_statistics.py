"""Coordinators' statistics through HTTP on both databases: figures by topic, week, partner and municipality,
scoping to the caller's organisation, the CSV download, and refusals."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.db import booking as booking_q
from server.db import topics as topics_q
from server.domain.topics import Outcome, Topic
from tests.conftest import Env
from tests.integration.world import World, build_world, raw_request

EVIL = '=HYPERLINK("http://evil")'  # a coordinator-edited topic name that a spreadsheet would run


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _request(world: World, *, created_at: datetime, wait: int | None, **values: Any) -> uuid.UUID:
    return await raw_request(
        {
            "resident": world.ids["resident_2"],
            "topic": world.topic,
            "language": "fi",
            "modality": "help_point",
            "state": "closed",
            "created_at": created_at,
            "matched_at": created_at + timedelta(minutes=wait) if wait is not None else None,
        }
        | values
    )


async def _session(
    world: World, request: uuid.UUID, volunteer: str, starts: datetime, state: str, **values: Any
) -> None:
    await booking_q.insert_session(
        {
            "request": request,
            "resident": world.ids["resident_2"],
            "volunteer": world.ids[volunteer],
            "modality": values.pop("modality", "help_point"),
            "starts_at": starts,
            "ends_at": starts + timedelta(minutes=45),
            "blocked_until": starts + timedelta(hours=1),
            "state": state,
            "created_at": starts - timedelta(days=1),
        }
        | values
    )


async def history(env: Env) -> World:
    """Past requests on top of the world (whose booked request and flexible request are both from today,
    Monday 2026-11-23, week 48):

    week 46  R1 org A help point, matched in 60 min, a session given back then one done (pay_bill)
             R2 org A help point, matched in 120 min, no-show
    week 47  R5 no help point, not routed: vol_b's session makes it org B's; created Sunday 22:30 UTC, which is
                already Monday in Helsinki; matched in 10 min, done (pay_bill)
             R3 org B help point, by phone, topic "scams" (a dangerous name), matched in 30 min, done (spot_scam)
             R4 routed to org B, by a coordinator, topic "scams", cancelled, Sunday 23:30 Helsinki time
    """
    world = await build_world(env)
    await topics_q.insert_topic(
        Topic(
            code="scams",
            names={"fi": EVIL, "sv": "Bedrägerier", "en": "Scams"},
            bring={},
            outcomes=[Outcome("spot_scam", {"fi": "Tunnistaa huijauksen", "sv": "Känna igen", "en": "Spot a scam"})],
            partner_only_organisation_id=None,
            sort_order=20,
            active=True,
        )
    )
    point_a, point_b = world.help_point_a, world.help_point_b
    r1 = await _request(world, created_at=utc(2026, 11, 10, 8), wait=60, help_point=point_a)
    await _session(world, r1, "vol_b", utc(2026, 11, 11, 7), "cancelled", help_point=point_a)
    await _session(world, r1, "vol_a", utc(2026, 11, 12, 7), "done", help_point=point_a, outcomes=["pay_bill"])
    r2 = await _request(world, created_at=utc(2026, 11, 11, 8), wait=120, help_point=point_a)
    await _session(world, r2, "vol_a", utc(2026, 11, 13, 7), "no_show", help_point=point_a)
    r5 = await _request(world, created_at=utc(2026, 11, 15, 22, 30), wait=10, modality="phone")
    await _session(world, r5, "vol_b", utc(2026, 11, 17, 7), "done", modality="phone", outcomes=["pay_bill"])
    r3 = await _request(
        world, created_at=utc(2026, 11, 17, 8), wait=30, help_point=point_b, topic="scams", channel="phone"
    )
    await _session(world, r3, "vol_b", utc(2026, 11, 18, 7), "done", help_point=point_b, outcomes=["spot_scam"])
    await _request(
        world,
        created_at=utc(2026, 11, 22, 21, 30),
        wait=None,
        topic="scams",
        modality="phone",
        routed_to=world.org_b,
        channel="coordinator",
        state="cancelled",
    )
    return world


def groups(answer: Any) -> dict[str | None, dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    return {g["key"]: g["figures"] | {"label": g["label"]} for g in answer.json()["groups"]}


async def test_the_network_coordinator_sees_every_request_by_topic(env: Env) -> None:
    world = await history(env)
    answer = await world.apis["network"].get("/api/v1/statistics", params={"by": "topic"})
    body = answer.json()
    assert (body["by"], body["from"], body["to"]) == ("topic", "2026-09-01", "2026-11-23")
    found = groups(answer)
    assert set(found) == {"online_banking", "scams"}
    banking = found["online_banking"]
    # world's booked request (matched at once) and flexible one (unmatched), R1, R2, R5
    assert banking["label"] == "Verkkopankki"
    assert (banking["requests"], banking["matched"], banking["done"], banking["no_show"]) == (5, 4, 2, 1)
    assert banking["median_minutes_to_match"] == 35.0  # median of 0, 10, 60, 120
    assert banking["completion_rate"] == 0.667
    assert banking["cancelled"] == 0
    assert banking["outcomes"] == {"pay_bill": 2}
    scams = found["scams"]
    assert (scams["requests"], scams["matched"], scams["done"], scams["no_show"], scams["cancelled"]) == (2, 1, 1, 0, 1)
    assert scams["median_minutes_to_match"] == 30.0
    assert scams["completion_rate"] == 1.0
    assert scams["outcomes"] == {"spot_scam": 1}
    total = body["total"]
    assert (total["requests"], total["matched"], total["done"], total["no_show"]) == (7, 5, 3, 1)
    assert total["outcomes"] == {"pay_bill": 2, "spot_scam": 1}


async def test_weeks_are_helsinki_iso_weeks_including_quiet_ones(env: Env) -> None:
    world = await history(env)
    answer = await world.apis["network"].get("/api/v1/statistics", params={"by": "week"})
    keys = [g["key"] for g in answer.json()["groups"]]
    assert keys == [f"2026-W{n}" for n in range(36, 49)]
    found = groups(answer)
    assert {k: v["requests"] for k, v in found.items() if v["requests"]} == {
        "2026-W46": 2,
        "2026-W47": 3,
        "2026-W48": 2,
    }
    assert found["2026-W47"]["cancelled"] == 1


async def test_the_date_range_is_in_local_dates_with_both_ends_included(env: Env) -> None:
    world = await history(env)
    answer = await world.apis["network"].get(
        "/api/v1/statistics", params={"by": "week", "from": "2026-11-16", "to": "2026-11-22"}
    )
    found = groups(answer)
    assert list(found) == ["2026-W47"]
    assert found["2026-W47"]["requests"] == 3, "Sunday 23:30 and Monday 00:30 Helsinki time both count"


async def test_requests_are_attributed_to_partners_and_municipalities(env: Env) -> None:
    world = await history(env)
    by_partner = groups(await world.apis["network"].get("/api/v1/statistics", params={"by": "partner"}))
    assert {k: (v["label"], v["requests"]) for k, v in by_partner.items()} == {
        str(world.org_a): ("Alpha Library", 3),
        str(world.org_b): ("Beta Seniors", 3),
        None: ("Verkosto", 1),
    }
    by_place = groups(await world.apis["network"].get("/api/v1/statistics", params={"by": "municipality"}))
    # Both help points are in Kuusamo; org B (Taivalkoski) has the routed request and vol_b's phone session.
    assert {k: v["requests"] for k, v in by_place.items()} == {"Kuusamo": 4, "Taivalkoski": 2, None: 1}
    by_channel = groups(await world.apis["network"].get("/api/v1/statistics", params={"by": "channel"}))
    assert {k: v["requests"] for k, v in by_channel.items()} == {"pwa": 5, "phone": 1, "coordinator": 1}


async def test_a_partner_coordinator_sees_only_their_own_organisations_figures(env: Env) -> None:
    world = await history(env)
    found_b = groups(await world.apis["coord_b"].get("/api/v1/statistics", params={"by": "topic"}))
    assert {k: v["requests"] for k, v in found_b.items()} == {"online_banking": 1, "scams": 2}
    assert found_b["online_banking"]["done"] == 1 and found_b["online_banking"]["no_show"] == 0
    by_partner = await world.apis["coord_b"].get("/api/v1/statistics", params={"by": "partner"})
    assert list(groups(by_partner)) == [str(world.org_b)]
    assert str(world.org_a) not in by_partner.text and "Alpha Library" not in by_partner.text
    csv_b = await world.apis["coord_b"].get("/api/v1/statistics.csv", params={"by": "partner"})
    assert "Alpha Library" not in csv_b.content.decode("utf-8-sig")
    found_a = groups(await world.apis["coord_a"].get("/api/v1/statistics", params={"by": "topic"}))
    assert {k: v["requests"] for k, v in found_a.items()} == {"online_banking": 3}


@pytest.mark.parametrize("path", ["/api/v1/statistics", "/api/v1/statistics.csv"])
async def test_residents_volunteers_and_strangers_get_no_statistics(env: Env, path: str) -> None:
    world = await build_world(env)
    for who in ("resident_1", "vol_a"):
        assert (await world.apis[who].get(path)).status_code == 403, who
    assert (await world.apis["anonymous"].get(path)).status_code == 401


async def test_the_csv_opens_in_excel_with_a_header_each_group_and_defused_formulas(env: Env) -> None:
    world = await history(env)
    answer = await world.apis["network"].get("/api/v1/statistics.csv", params={"by": "topic", "to": "2026-11-23"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.headers["content-disposition"] == (
        'attachment; filename="apuri-statistics-topic-2026-09-01-2026-11-23.csv"'
    )
    assert answer.content.startswith(b"\xef\xbb\xbf")
    assert answer.headers["content-type"].count("charset") == 1, "the charset named once"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == [
        "Aihe",
        "Pyyntöjä",
        "Avustaja löytyi",
        "Odotus avustajaan, mediaani (min)",
        "Toteutuneita",
        "Ei saapunut",
        "Toteutumisaste",
        "Peruttuja",
        "Arvioita",
        "Arvioiden keskiarvo (1–5)",
        "Välitetty kumppanille",
        "Osaa nyt itse: Maksaa laskun",
        "Osaa nyt itse: Tunnistaa huijauksen",
    ]
    assert rows[1] == ["Verkkopankki", "5", "4", "35,0", "2", "1", "0,667", "0", "0", "", "0", "2", "0"]
    assert rows[2] == ["'" + EVIL, "2", "1", "30,0", "1", "0", "1,000", "1", "0", "", "0", "0", "1"]
    assert rows[3][:2] == ["Yhteensä", "7"]
    assert len(rows) == 4
    audit = await world.apis["network"].get("/api/v1/audit", params={"action": "statistics.export"})
    assert len(audit.json()) == 1, "every export is in the audit trail"


async def test_the_csv_keeps_finnish_letters_in_names_coordinators_edit(env: Env) -> None:
    world = await history(env)
    renamed = await world.apis["network"].patch(
        f"/api/v1/organisations/{world.org_b}", json={"name": "Taivalkosken Eläkeläiset ry"}
    )
    assert renamed.status_code == 200, renamed.text
    answer = await world.apis["network"].get("/api/v1/statistics.csv", params={"by": "partner"})
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert ["Taivalkosken Eläkeläiset ry", "3"] in [r[:2] for r in rows]
    assert not any(str(world.org_b) in cell for r in rows for cell in r), "names, not ids"


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"by": "resident"}, "validation_failed"),
        ({"from": "2026-11-20", "to": "2026-11-10"}, "dates_order"),
        ({"from": "2025-01-01", "to": "2026-11-23"}, "dates_too_long"),
        ({"from": "0001-01-01"}, "date_out_of_range"),
        ({"to": "9999-12-31"}, "date_out_of_range"),
        ({"from": "yesterday"}, "validation_failed"),
    ],
)
async def test_bad_queries_get_a_4xx_problem(env: Env, params: dict[str, str], code: str) -> None:
    world = await build_world(env)
    for path in ("/api/v1/statistics", "/api/v1/statistics.csv"):
        answer = await world.apis["network"].get(path, params=params)
        # Malformed parameters are 400 (Litestar's validation); a well-formed but unusable range is 422.
        assert answer.status_code == (400 if code == "validation_failed" else 422), (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code
