"""Slot search and matching follow every kind of change to who may be matched and their hours, straight away,
though matching keeps its answer between requests (server/db/candidates.py, migration 0016)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from server.db import people as people_q
from server.db import volunteers as volunteers_q
from server.db.tables import Membership, Organisation
from server.domain.availability import WeeklyRule
from tests.conftest import Env
from tests.integration.world import build_world, volunteer_offers


async def test_slots_follow_changes_to_volunteers_at_once(env: Env) -> None:
    world = await build_world(env)
    vol = world.ids["vol_a"]
    await volunteer_offers(vol, world.help_point_a)

    async def monday() -> int:
        query = {
            "topic": "online_banking",
            "modality": "help_point",
            "help_point_id": str(world.help_point_a),
            "from": "2026-11-30",
            "to": "2026-11-30",
        }
        answer = await env.client().get("/api/v1/slots", params=query)
        assert answer.status_code == 200, answer.text
        return len(answer.json())

    assert await monday() == 6
    assert await monday() == 6, "asked again: the kept answer"
    await volunteers_q.replace_availability(vol, [WeeklyRule(0, time(9), time(11))], [], keep_before=date(2026, 11, 1))
    assert await monday() == 2, "fewer hours"
    await people_q.set_active(vol, active=False, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert await monday() == 0, "deactivated"
    await people_q.set_active(vol, active=True, now=datetime(2026, 11, 23, tzinfo=UTC))
    assert await monday() == 2, "back"
    await Membership.update({Membership.active: False}).where(Membership.person == vol)
    assert await monday() == 0, "no longer a member"
    await Membership.update({Membership.active: True}).where(Membership.person == vol)
    await Organisation.update({Organisation.active: False}).where(
        Organisation.id.is_in(Membership.select(Membership.organisation).where(Membership.person == vol))
    )
    assert await monday() == 0, "organisation closed"
