"""Personal data: the export holds everything, erasure leaves nothing, retention removes what is past its time
(both databases).

The leak test lists every table and every text, varchar and JSON column from the database's own catalogue, so a
table added later is covered without editing this file.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from server.db import calls as calls_q
from server.db import feedback as feedback_q
from server.db import outbox
from server.db.engine import AnyEngine
from server.db.tables import AuditEvent, HelpRequest, HelpSession, Notification, Person, RetentionRun
from server.domain.personal_data import Node, phone_forms, values
from server.domain.phone import display
from tests.conftest import Env, base_settings, make_env
from tests.integration.world import MONDAY_NINE, PHONES, World, build_world, raw_request, volunteer_offers

FIRST, LAST, CODE_WORD = "Hilkka", "Vähämäki", "Kanerva"
ADDRESS = "Kotikuja 7 B 12"
RESIDENT = PHONES["resident_1"]


async def _columns(engine: AnyEngine, kind: str) -> list[tuple[str, str]]:
    """(table, column) for every text-like column, from the database's catalogue."""
    if kind == "postgres":
        rows = await Person.raw(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
        )
        return [(r["table_name"], r["column_name"]) for r in rows]
    tables = await Person.raw("SELECT name FROM sqlite_master WHERE type = 'table'")
    found = []
    for t in tables:
        for c in await Person.raw(f"PRAGMA table_info('{t['name']}')"):
            if any(word in str(c["type"]).upper() for word in ("TEXT", "CHAR", "JSON", "CLOB")):
                found.append((t["name"], c["name"]))
    return found


async def scan(env: Env, needles: list[str]) -> dict[tuple[str, str], set[str]]:
    """Where each needle occurs: (table, column) → the needles found there."""
    hits: dict[tuple[str, str], set[str]] = {}
    for table, column in await _columns(env.engine, env.kind):
        if table.startswith(("piccolo_", "sqlite_")):
            continue
        rows = await Person.raw(f'SELECT "{column}" AS v FROM "{table}"')
        for row in rows:
            text = row["v"] if isinstance(row["v"], str) else json.dumps(row["v"], ensure_ascii=False)
            for needle in needles:
                if needle and text and needle.lower() in text.lower():
                    hits.setdefault((table, column), set()).add(needle)
    return hits


async def _raw(env: Env, sql: str) -> list[dict[str, Any]]:
    return list(await Person.raw(sql))


def _needles() -> list[str]:
    return [*phone_forms(RESIDENT), FIRST, LAST, CODE_WORD, ADDRESS]


async def used_every_channel(env: Env) -> World:
    """resident_1 of the world (a session, a flexible request with an offer, an SMS reply in the inbox, a
    volunteer application, a callback) also: a name and code word, a home visit with an address, a push
    subscription, messages sent, voice-menu calls, accessibility feedback with their number as contact, and
    coordinators who looked them up."""
    world = await build_world(env)
    me = world.ids["resident_1"]
    await Person.update({Person.first_name: FIRST, Person.last_name: LAST}).where(Person.id == me)
    api = world.apis["resident_1"]
    assert (await api.put("/api/v1/me/messages", json={"code_word": CODE_WORD})).status_code == 200
    now = env.clock.now()
    await raw_request(
        {
            "resident": me,
            "topic": world.topic,
            "language": "fi",
            "modality": "home_visit",
            "home_address": ADDRESS,
            "home_latitude": 65.96,
            "home_longitude": 29.18,
            "needs": json.dumps(["hearing"]),
            "state": "cancelled",
            "channel": "coordinator",
            "booked_by": world.ids["coord_a"],
            "consent_at": now,
            "created_at": now,
        }
    )
    subscribed = await api.post(
        "/api/v1/push/subscriptions",
        json={"endpoint": "https://push.example/abc123456", "keys": {"p256dh": "B" * 40, "auth": "a" * 16}},
    )
    assert subscribed.status_code == 201, subscribed.text
    await outbox.insert(
        [
            outbox.Draft(
                key=f"test:{uuid.uuid4()}",
                kind="resident.booked",
                channel="sms",
                body=f"Apuri: Hei {FIRST}! Aikasi on vahvistettu. Koodisana: {CODE_WORD}",
                due_at=now,
                not_after=None,
                person_id=me,
                phone=RESIDENT,
                session_id=world.session,
            ),
            outbox.Draft(  # the volunteer's message about the resident's session names them
                key=f"test:{uuid.uuid4()}",
                kind="volunteer.booked",
                channel="sms",
                body=f"Uusi aika: {FIRST} {LAST}, {display(RESIDENT)}",
                due_at=now,
                not_after=None,
                person_id=world.ids["vol_a"],
                phone=PHONES["vol_a"],
                session_id=world.session,
            ),
        ],
        now,
    )
    await env.services.dispatcher.run_due()
    await calls_q.start_call(
        call_sid="CA" + "1" * 32, direction="in", phone=RESIDENT, person_id=me, language="fi", step="menu", now=now
    )
    await feedback_q.insert(
        message="Nappi on liian pieni.", contact=display(RESIDENT), language="fi", page="/", client_hash="y", now=now
    )
    looked = await world.apis["coord_a"].post(
        "/api/v1/residents/lookup", json={"phone": RESIDENT, "purpose": "helpline call"}
    )
    assert looked.status_code == 200, looked.text
    return world


# ---- the export and the leak test -----------------------------------------------------------------------------


async def test_the_export_has_everything_the_database_holds_and_erasure_leaves_nothing(env: Env) -> None:
    world = await used_every_channel(env)
    api = world.apis["resident_1"]
    before = await scan(env, _needles())
    assert {t for t, _ in before} >= {
        "person",
        "help_request",
        "notification",
        "inbound_message",
        "voice_call",
        "callback_request",
        "accessibility_feedback",
        "sign_in_challenge",
    }, "the set-up reaches every channel"

    exported = await api.get("/api/v1/me/data")
    assert exported.status_code == 200, exported.text
    tree = _node(exported.json()["data"])
    text = "\n".join(values(tree))
    for (table, column), needles in before.items():
        if table == "sign_in_challenge":
            continue  # the number a code went to: the export's PERSON.PHONE is that number
        for needle in needles:
            assert needle.lower() in text.lower(), f"{table}.{column} holds {needle!r}; the export does not"
    assert tree.key == "APURI"
    download = await api.get("/api/v1/me/data/download")
    assert download.status_code == 200
    assert "attachment" in download.headers["content-disposition"]
    assert download.json()["data"] == exported.json()["data"]

    challenge, code = await _erase_code(env, api)
    erased = await api.post("/api/v1/me/data/erasure", json={"challenge_id": challenge, "code": code})
    assert erased.status_code == 200, erased.text
    assert erased.json()["cancelled_sessions"] == 1 and erased.json()["cancelled_requests"] == 1

    after = await scan(env, _needles())
    assert after == {}, f"personal data left after erasure: {after}"
    assert (await api.get("/api/v1/me")).status_code == 401, "the sign-in ended with the erasure"
    # The audit trail stays, with ids only.
    trail = await AuditEvent.select(AuditEvent.action).where(AuditEvent.subject_id == world.ids["resident_1"])
    assert "person.erase" in {r["action"] for r in trail}
    # The volunteer was told the session is off.
    vol = await Notification.select(Notification.kind, Notification.body).where(
        (Notification.person == world.ids["vol_a"]) & (Notification.session == world.session)
    )
    assert any("cancelled" in r["kind"] for r in vol), vol
    # The volunteer's list still reads; the erased resident has no number or name there.
    theirs = await world.apis["vol_a"].get("/api/v1/me/sessions?as=volunteer")
    assert theirs.status_code == 200, theirs.text
    mine = [s for s in theirs.json() if s["id"] == str(world.session)]
    assert mine and mine[0]["resident_phone"] is None and not mine[0]["resident_first_name"]


def _node(raw: dict[str, Any]) -> Node:
    return Node(
        key=raw["key"],
        value=raw.get("value"),
        children=[_node(c) for c in raw["children"]] if "children" in raw else None,
    )


async def _erase_code(env: Env, api: Any) -> tuple[str, str]:
    asked = await api.post("/api/v1/me/data/erasure/code")
    assert asked.status_code == 201, asked.text
    text = env.sms.to(RESIDENT)[-1]
    digits = next(w for w in text.replace("\n", " ").split() if w.isdigit())
    return asked.json()["challenge_id"], digits


async def test_a_wrong_code_changes_nothing_and_a_sign_in_code_cannot_erase(env: Env) -> None:
    world = await used_every_channel(env)
    api = world.apis["resident_1"]
    challenge, code = await _erase_code(env, api)
    wrong = "000000" if code != "000000" else "111111"
    refused = await api.post("/api/v1/me/data/erasure", json={"challenge_id": challenge, "code": wrong})
    assert refused.status_code == 422 and refused.json()["code"] == "code_wrong"
    sign_in = await env.client().post("/api/v1/auth/code", json={"phone": RESIDENT})
    sign_in_code = env.last_code(RESIDENT)
    crossed = await api.post(
        "/api/v1/me/data/erasure", json={"challenge_id": sign_in.json()["challenge_id"], "code": sign_in_code}
    )
    assert crossed.status_code == 422
    assert (await Person.select(Person.first_name).where(Person.id == world.ids["resident_1"]))[0]["first_name"]
    assert (await HelpSession.select(HelpSession.state).where(HelpSession.id == world.session))[0][
        "state"
    ] == "scheduled"
    env.clock.advance(timedelta(minutes=11))
    expired = await api.post("/api/v1/me/data/erasure", json={"challenge_id": challenge, "code": code})
    assert expired.status_code == 422
    assert (await api.get("/api/v1/me")).status_code == 200


async def test_an_erased_resident_who_signs_in_again_starts_new_and_a_second_erasure_answers_done(env: Env) -> None:
    world = await used_every_channel(env)
    api = world.apis["resident_1"]
    challenge, code = await _erase_code(env, api)
    assert (await api.post("/api/v1/me/data/erasure", json={"challenge_id": challenge, "code": code})).is_success
    again = await env.sign_in(RESIDENT)
    me = (await again.get("/api/v1/me")).json()
    assert me["id"] != str(world.ids["resident_1"])
    assert (await again.get("/api/v1/me/data")).json()["data"]["children"][0]["children"][0]["key"] != "FIRST_NAME"
    network = world.apis["network"]
    # The GDPR API on the old id: erased before, so done.
    assert (await network.get("/api/v1/me")).status_code == 200
    assert await env.services.personal_data.api_erase(world.ids["resident_1"], dry_run=False) == []


async def test_coordinators_erase_only_residents_they_oversee_and_the_resident_is_told(env: Env) -> None:
    world = await used_every_channel(env)
    outsider = await world.apis["coord_b"].post("/api/v1/residents/erasure", json={"phone": RESIDENT, "confirm": True})
    assert outsider.status_code == 404, "organisation B oversees nothing of resident_1's"
    data = await world.apis["coord_b"].post("/api/v1/residents/data", json={"phone": RESIDENT})
    assert data.status_code == 404
    preview = await world.apis["coord_a"].post("/api/v1/residents/erasure/preview", json={"phone": RESIDENT})
    assert preview.status_code == 200, preview.text
    assert {u["kind"] for u in preview.json()["upcoming"]} == {"session", "request"}
    exported = await world.apis["coord_a"].post("/api/v1/residents/data", json={"phone": RESIDENT})
    assert exported.status_code == 200 and FIRST in values(_node(exported.json()["data"]))
    done = await world.apis["coord_a"].post("/api/v1/residents/erasure", json={"phone": RESIDENT, "confirm": True})
    assert done.status_code == 200, done.text
    assert done.json()["told_by_sms"] is True
    assert "poistettu" in env.sms.to(RESIDENT)[-1]
    again = await world.apis["coord_a"].post("/api/v1/residents/erasure", json={"phone": RESIDENT, "confirm": True})
    assert again.status_code == 404, "the number no longer belongs to anyone"
    free_text = await world.apis["coord_a"].post(
        "/api/v1/residents/data", json={"phone": PHONES["resident_2"], "purpose": "Hilkka soitti"}
    )
    assert free_text.status_code == 400, "purposes come from a fixed list: no names typed into the audit trail"


async def test_statistics_are_the_same_before_and_after_erasure(env: Env) -> None:
    world = await used_every_channel(env)
    # A resident with history only (erasure also cancels what is upcoming, which statistics rightly count).
    await HelpSession.update({HelpSession.state: "done", HelpSession.outcomes: '["pay_bill"]'}).where(
        HelpSession.id == world.session
    )
    cancelled = await world.apis["resident_1"].post(f"/api/v1/requests/{world.flexible_request}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    query = "/api/v1/statistics?by=topic&from=2026-11-01&to=2026-12-31"
    before = await world.apis["network"].get(query)
    assert before.status_code == 200, before.text
    challenge, code = await _erase_code(env, world.apis["resident_1"])
    erased = await world.apis["resident_1"].post(
        "/api/v1/me/data/erasure", json={"challenge_id": challenge, "code": code}
    )
    assert erased.status_code == 200
    after = await world.apis["network"].get(query)
    assert after.json() == before.json()


# ---- the profile GDPR API -------------------------------------------------------------------------------------

TOKEN = "municipality-tooling-token-123456"


@pytest.fixture
async def gdpr_env(database_url: str) -> Any:
    settings = base_settings(database_url, gdpr_api_token_hash=hashlib.sha256(TOKEN.encode()).hexdigest())
    async for e in make_env(settings):
        yield e


async def test_the_gdpr_api_reads_dry_runs_and_erases_with_its_token(gdpr_env: Env) -> None:
    env = gdpr_env
    world = await used_every_channel(env)
    person = world.ids["resident_1"]
    api = env.client()
    url = f"/gdpr-api/v1/profiles/{person}"
    assert (await api.http.get(url)).status_code == 403
    assert (await api.http.get(url, headers={"Authorization": "Bearer wrong"})).status_code == 403
    auth = {"Authorization": f"Bearer {TOKEN}"}
    tree = await api.http.get(url, headers=auth)
    assert tree.status_code == 200 and tree.json()["key"] == "APURI"
    assert FIRST in values(_node(tree.json()))
    blocked = await api.http.delete(f"/gdpr-api/v1/profiles/{world.ids['vol_a']}?dry_run=true", headers=auth)
    assert blocked.status_code == 403 and blocked.json()["errors"][0]["code"] == "staff_role"
    dry = await api.http.delete(f"{url}?dry_run=true", headers=auth)
    assert dry.status_code == 204
    assert (await Person.select(Person.first_name).where(Person.id == person))[0]["first_name"] == FIRST
    gone = await api.http.delete(url, headers=auth)
    assert gone.status_code == 204
    assert (await api.http.delete(url, headers=auth)).status_code == 204, "a second erasure answers as done"
    assert (await api.http.get(url, headers=auth)).status_code == 404
    assert await scan(env, _needles()) == {}


async def test_the_gdpr_api_is_not_there_without_a_token(env: Env) -> None:
    assert (await env.client().http.get(f"/gdpr-api/v1/profiles/{uuid.uuid4()}")).status_code == 404


# ---- retention --------------------------------------------------------------------------------------------------


async def test_retention_keeps_what_is_inside_each_period_and_removes_what_is_outside(env: Env) -> None:
    world = await used_every_channel(env)
    service = env.services.personal_data
    await HelpSession.update({HelpSession.state: "done", HelpSession.note: "Harjoiteltiin laskun maksua."}).where(
        HelpSession.id == world.session
    )
    ends = (await HelpSession.select(HelpSession.ends_at).where(HelpSession.id == world.session))[0]["ends_at"]
    periods = service.periods

    env.clock.set(ends + timedelta(days=periods.note_days) - timedelta(minutes=1))
    first = await service.purge(manual=True)
    assert first.removed["notes"] == 0
    assert (await HelpSession.select(HelpSession.note).where(HelpSession.id == world.session))[0]["note"]

    env.clock.set(ends + timedelta(days=periods.note_days, minutes=1))
    second = await service.purge(manual=True)
    assert second.removed["notes"] == 1
    assert (await HelpSession.select(HelpSession.note).where(HelpSession.id == world.session))[0]["note"] == ""
    assert await service.purge(manual=True) == type(second)(ran=True, removed=dict.fromkeys(second.removed, 0)), (
        "a second run removes nothing more"
    )
    address = await HelpRequest.select(HelpRequest.home_address).where(HelpRequest.home_address == ADDRESS)
    assert not address, "the cancelled home visit's address went with the notes' period"


async def test_an_inactive_resident_is_erased_after_the_period_unless_something_is_upcoming(env: Env) -> None:
    world = await used_every_channel(env)
    service = env.services.personal_data
    days = service.periods.inactive_resident_days
    # resident_1's flexible request is still open: upcoming blocks.
    env.clock.advance(timedelta(days=days + 1))
    await service.purge(manual=True)
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_1"]))[0]["erased_at"] is None
    # resident_2 did nothing but sign in at the start: erased now.
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_2"]))[0]["erased_at"]
    await HelpRequest.update({HelpRequest.state: "cancelled"}).where(HelpRequest.id == world.flexible_request)
    await service.purge(manual=True)
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_1"]))[0][
        "erased_at"
    ] is None, "their session (three days after the start) is activity inside the period"
    env.clock.advance(timedelta(days=3))
    await service.purge(manual=True)
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_1"]))[0]["erased_at"]


async def test_a_resident_active_inside_the_period_stays(env: Env) -> None:
    world = await used_every_channel(env)
    service = env.services.personal_data
    days = service.periods.inactive_resident_days
    env.clock.advance(timedelta(days=days - 1))
    await env.sign_in(PHONES["resident_2"])
    env.clock.advance(timedelta(days=2))
    await service.purge(manual=True)
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_2"]))[0]["erased_at"] is None


async def test_the_daily_run_happens_once_across_workers_and_a_dry_run_changes_nothing(env: Env) -> None:
    world = await used_every_channel(env)
    service = env.services.personal_data
    env.clock.advance(timedelta(days=400))
    dry = await service.purge(dry_run=True)
    assert dry.removed["inactive_residents"] >= 1 and not dry.ran
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_2"]))[0]["erased_at"] is None
    import asyncio

    runs = await asyncio.gather(service.purge(), service.purge())
    assert sorted(r.ran for r in runs) == [False, True]
    assert await RetentionRun.count() == 1
    assert (await Person.select(Person.erased_at).where(Person.id == world.ids["resident_2"]))[0]["erased_at"]


# ---- the privacy notice ---------------------------------------------------------------------------------------


async def test_a_new_residents_first_sms_names_the_privacy_notice_and_later_ones_do_not(env: Env) -> None:
    world = await build_world(env)
    await volunteer_offers(world.ids["vol_a"], world.help_point_a)
    new = "+358507654321"
    body = {
        "topic": world.topic,
        "modality": "help_point",
        "help_point_id": str(world.help_point_a),
        "starts_at": MONDAY_NINE.isoformat(),
        "phone": "050 765 4321",
        "first_name": "Aune",
        "consent": True,
    }
    first = await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=body)
    assert first.status_code == 201, first.text
    again = body | {"starts_at": (MONDAY_NINE + timedelta(days=7)).isoformat()}
    assert (await world.apis["coord_a"].post("/api/v1/bookings/on-behalf", json=again)).status_code == 201
    confirmations = (
        await Notification.select(Notification.body)
        .where((Notification.phone == new) & (Notification.kind == "confirmation") & (Notification.channel == "sms"))
        .order_by(Notification.created_at)
    )
    assert len(confirmations) == 2
    assert "Tietosuojaseloste" in confirmations[0]["body"] and "Tietosuojaseloste" not in confirmations[1]["body"]

    # The PWA's new resident: their first SMS is the sign-in code, which names it; a known number's does not.
    stranger = "+358507650000"
    assert (await env.client().post("/api/v1/auth/code", json={"phone": stranger})).status_code == 202
    code_text = env.sms.to(stranger)[-1]
    assert "Tietosuojaseloste" in code_text and code_text.rsplit("\n", 1)[1].startswith("@"), code_text
    assert (await env.client().post("/api/v1/auth/code", json={"phone": PHONES["vol_a"]})).status_code == 202
    assert "Tietosuojaseloste" not in env.sms.to(PHONES["vol_a"])[-1]


async def test_the_privacy_facts_come_from_settings(database_url: str) -> None:
    settings = base_settings(
        database_url, retention_days=400, note_retention_days=60, privacy_contact="tietosuoja@kunta.example.fi"
    )
    async for e in make_env(settings):
        facts = (await e.client().get("/api/v1/about/privacy")).json()
        assert facts["periods"]["inactive_resident_days"] == 400 and facts["periods"]["note_days"] == 60
        assert facts["contact"] == "tietosuoja@kunta.example.fi" and facts["processors"] == ["Twilio"]
