"""The kept statistics facts (migration 0030) on both databases: a report summed from them equals the report worked
out from the start (`server/db/statistics.py` `request_facts`), on random history, after each kind of change that
moves a figure (sessions and their times, referrals, a volunteer's organisation, a help point's organisation and
municipality, requests cancelled and created), for every grouping and scope; so do demand and supply, their
requests counted from the kept facts. The job fills them; with too many changes waiting a report works its figures
out from the start."""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest

from server.db import statistics as q
from server.db import supply as supply_q
from server.db import topics as topics_q
from server.db.tables import HelpPoint, HelpRequest, HelpSession, Membership, RequestReferral, WalkIn
from server.domain import statistics as rules
from server.domain import supply
from server.domain.clocktime import local_date, local_start
from server.domain.roles import Grant, Principal, Role
from server.services import statistics as statistics_service
from tests.conftest import Env
from tests.integration.test_statistics import history
from tests.integration.world import World, raw_request

OUTCOMES = ("pay_bill", "spot_scam", "log_in", "read_results")


def _caller(*organisations: uuid.UUID) -> Principal:
    grants = (
        frozenset(Grant(Role.PARTNER_COORDINATOR, o) for o in organisations)
        if organisations
        else frozenset({Grant(Role.NETWORK_COORDINATOR, None)})
    )
    return Principal(uuid.uuid4(), uuid.uuid4(), "Kaisa", "en", grants, second_factor=True)


async def _same(env: Env, world: World, *, first: date | None = None, last: date | None = None) -> None:
    """The kept report equals the full computation for every grouping and for the network and each scope."""
    service = env.services.statistics
    period = rules.period(first, last, today=local_date(env.clock.now()))
    since, until = local_start(period[0], time(0)), local_start(period[1] + timedelta(days=1), time(0))
    topics = await topics_q.list_topics(active_only=False)
    for caller in (_caller(), _caller(world.org_a), _caller(world.org_b), _caller(world.org_a, world.org_b)):
        # Demand and supply first: the first of them brings the changes into the kept facts.
        for supply_by in supply.SupplyBy:
            counted = await service.demand_supply(caller, supply_by, *period, language="en")
            rows = await q.request_facts(since=since, until=until, within=caller.oversees)
            volunteers = await supply_q.volunteer_facts(first=period[0], last=period[1], within=caller.oversees)
            expected = supply.demand_supply(
                rows, volunteers, topics, supply_by, first=period[0], last=period[1], language="en"
            )
            assert counted == expected, (supply_by, caller.oversees)
        for by in rules.GroupBy:
            kept = await service.report(caller, by, *period, language="en")
            # The full computation over the same local dates (Helsinki midnights, as the service reads them).
            rows = await q.request_facts(since=since, until=until, within=caller.oversees)
            full = rules.report(rows, by, first=period[0], last=period[1], language="en")
            assert kept.groups == full.groups, (by, caller.oversees)
            assert kept.total == full.total, (by, caller.oversees)
    assert await _marks() == 0, "the report brought every change into the kept facts"
    assert await _kept() == await HelpRequest.count()


async def _marks() -> int:
    return int((await HelpRequest.raw("SELECT COUNT(*) AS n FROM statistics_stale"))[0]["n"])


async def _kept() -> int:
    return int((await HelpRequest.raw("SELECT COUNT(*) AS n FROM request_fact"))[0]["n"])


async def _random_history(world: World, rng: random.Random, now: datetime, count: int) -> list[uuid.UUID]:
    requests = []
    volunteers = [world.ids["vol_a"], world.ids["vol_b"]]
    for _ in range(count):
        created = now - timedelta(days=rng.uniform(0, 120), seconds=rng.randint(0, 86_399))
        wait = rng.choice([None, 0, rng.uniform(0, 3_000), rng.randint(1, 600), -5])
        request = await raw_request(
            {
                "resident": world.ids["resident_2"],
                "topic": rng.choice([world.topic, "scams"]),
                "language": "fi",
                "modality": rng.choice(["help_point", "phone"]),
                "help_point": rng.choice([world.help_point_a, world.help_point_b, None, None]),
                "routed_to": rng.choice([None, None, world.org_a, world.org_b]),
                "channel": rng.choice(["pwa", "phone", "coordinator"]),
                "state": rng.choice(["open", "matched", "closed", "cancelled", "routed"]),
                "created_at": created,
                "matched_at": created + timedelta(minutes=wait) if wait is not None else None,
            }
        )
        requests.append(request)
        for n in range(rng.choice([0, 1, 1, 2, 3])):
            starts = created + timedelta(days=1 + n, hours=rng.randint(0, 8))
            await HelpSession.insert(
                HelpSession(
                    id=uuid.uuid4(),
                    request=request,
                    resident=world.ids["resident_2"],
                    volunteer=rng.choice(volunteers),
                    modality="phone",
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=45),
                    blocked_until=starts + timedelta(hours=1),
                    state=rng.choice(["scheduled", "cancelled", "done", "done", "no_show"]),
                    created_at=created + timedelta(hours=n + 1),
                    outcomes=rng.sample(OUTCOMES, rng.randint(0, 3)),
                    feedback=rng.choice([None, None, 1, 3, 4, 5, 7]),
                )
            )
        for _ in range(rng.choice([0, 0, 0, 1, 2])):
            await _refer(request, rng.choice([world.org_a, world.org_b]), now)
    for _ in range(4):
        await WalkIn.insert(
            WalkIn(
                id=uuid.uuid4(),
                help_point=rng.choice([world.help_point_a, world.help_point_b]),
                topic=world.topic,
                minutes=20,
                outcomes=rng.sample(OUTCOMES, 2),
                recorded_at=now - timedelta(days=rng.uniform(0, 100)),
            )
        )
    return requests


async def _refer(request: uuid.UUID, to: uuid.UUID, now: datetime) -> None:
    await RequestReferral.insert(RequestReferral(id=uuid.uuid4(), request=request, to_organisation=to, referred_at=now))


async def test_the_kept_report_equals_the_full_computation_on_random_history(env: Env) -> None:
    world = await history(env)
    await _random_history(world, random.Random(20261207), env.clock.now(), 60)
    assert await _marks() > 0
    await _same(env, world)
    await _same(env, world, first=date(2026, 7, 1), last=date(2026, 11, 23))
    await _same(env, world, first=date(2026, 11, 16), last=date(2026, 11, 22))


async def test_each_kind_of_change_moves_the_kept_figures_as_the_full_computation(env: Env) -> None:
    world = await history(env)
    now = env.clock.now()
    requests = await _random_history(world, random.Random(7), now, 25)
    await _same(env, world)
    assert await _kept() == await HelpRequest.count()

    async def then(change: Any) -> None:
        await change
        assert await _marks() > 0, "the change marked its requests"
        await _same(env, world)

    session = (await HelpSession.select(HelpSession.id).where(HelpSession.state == "scheduled").first())["id"]
    await then(
        HelpSession.update(
            {HelpSession.state: "done", HelpSession.outcomes: ["log_in"], HelpSession.feedback: 2}
        ).where(HelpSession.id == session)
    )
    await then(_refer(requests[3], world.org_b, now))
    # vol_b moves to organisation A: the requests their sessions made B's become A's.
    await then(
        Membership.update({Membership.organisation: world.org_a}).where(
            (Membership.person == world.ids["vol_b"]) & (Membership.role == "volunteer")
        )
    )
    await then(
        HelpPoint.update({HelpPoint.municipality: "Posio", HelpPoint.organisation: world.org_a}).where(
            HelpPoint.id == world.help_point_b
        )
    )
    await then(HelpRequest.update({HelpRequest.state: "cancelled"}).where(HelpRequest.id == requests[0]))
    await then(HelpRequest.update({HelpRequest.matched_at: now}).where(HelpRequest.id == requests[1]))
    await then(_random_history(world, random.Random(8), now, 3))
    starts = now + timedelta(days=2)
    await then(
        HelpSession.insert(
            HelpSession(
                id=uuid.uuid4(),
                request=requests[2],
                resident=world.ids["resident_2"],
                volunteer=world.ids["vol_a"],
                modality="phone",
                starts_at=starts,
                ends_at=starts + timedelta(minutes=45),
                blocked_until=starts + timedelta(hours=1),
                state="scheduled",
                created_at=now + timedelta(days=1),  # the latest session: its volunteer's organisation counts
            )
        )
    )
    # A session moved to another hour of the day: demand by hour follows.
    moved = await HelpSession.select().where(HelpSession.request == requests[2]).first()
    later = timedelta(hours=5)
    await then(
        HelpSession.update(
            {
                HelpSession.starts_at: moved["starts_at"] + later,
                HelpSession.ends_at: moved["ends_at"] + later,
                HelpSession.blocked_until: moved["blocked_until"] + later,
            }
        ).where(HelpSession.id == moved["id"])
    )
    await then(HelpSession.delete().where(HelpSession.request == requests[4]))


async def test_the_job_keeps_every_changed_request_without_a_report(env: Env) -> None:
    world = await history(env)
    await _random_history(world, random.Random(3), env.clock.now(), 10)
    assert await _marks() > 0
    await env.services.statistics.bring_facts_up_to_date()
    assert await _marks() == 0
    assert await _kept() == await HelpRequest.count()


async def test_with_too_many_changes_waiting_a_report_works_its_figures_out_from_the_start(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await history(env)
    await _random_history(world, random.Random(5), env.clock.now(), 10)
    marks = await _marks()
    monkeypatch.setattr(statistics_service, "STALE_LIMIT", marks - 1)
    found = await env.services.statistics.report(_caller(), rules.GroupBy.TOPIC, None, None, language="en")
    assert await _marks() == marks, "the report left the marks to the job"
    assert await _kept() == 0
    assert found.total.requests > 0
    monkeypatch.setattr(statistics_service, "STALE_LIMIT", marks)
    assert (
        await env.services.statistics.report(_caller(), rules.GroupBy.TOPIC, None, None, language="en")
    ).total == found.total
    assert await _marks() == 0
