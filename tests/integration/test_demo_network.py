"""`apuri demo` loads what README promises, and every volunteer in it passes the same validation as the API."""

from __future__ import annotations

from server.db import topics as topics_q
from server.db import volunteers as volunteers_q
from server.db.tables import HelpPoint, Membership, Organisation
from server.demo import load_demo
from server.domain.availability import validate_rules
from server.domain.volunteers import validate_profile
from tests.conftest import Env


async def test_the_demo_network_is_complete_and_valid(env: Env) -> None:
    await load_demo(env.engine)
    assert await Organisation.count() == 4
    assert await HelpPoint.count() == 6
    volunteers = await Membership.select(Membership.person).where(Membership.role == "volunteer")
    assert len(volunteers) == 18
    topics = {t.code for t in await topics_q.list_topics(active_only=True)}
    assert len(topics) == 8
    points = await volunteers_q.open_help_point_ids()
    for row in volunteers:
        profile = await volunteers_q.get_profile(row["person"])
        assert profile is not None
        validate_profile(profile, known_topics=topics, known_help_points=points)
        rules, _ = await volunteers_q.get_availability(row["person"])
        assert rules and validate_rules(rules) == rules
    from server.db.tables import HelpSession

    states = sorted(r["state"] for r in await HelpSession.select(HelpSession.state))
    assert states == ["cancelled", "done", "scheduled"], "history, a plan and a cancellation to show"
    network = await env.sign_in("+358401000001", password="apuri-demo-salasana")
    assert len((await network.get("/api/v1/organisations")).json()) == 4
    waiting = (await network.get("/api/v1/queues/unmatched")).json()
    assert [(r["language"], r["modality"]) for r in waiting] == [("sv", "phone")], "Göran's call-me request"


async def test_the_demo_network_can_be_reset(env: Env) -> None:
    from server.db.tables import HelpRequest
    from server.demo import _clear

    await load_demo(env.engine)
    await _clear(env.engine)
    assert await HelpRequest.count() == 0
    await load_demo(env.engine)
    assert await Organisation.count() == 4 and await HelpRequest.count() == 4
