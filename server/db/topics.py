"""Queries for topics and the topics partner organisations serve."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.db.codec import as_json, as_uuid_or_none
from server.db.tables import HelpRequest, OrganisationTopic, Topic
from server.domain import topics


def _topic(row: dict[str, Any]) -> topics.Topic:
    return topics.Topic(
        code=row["code"],
        names=as_json(row["names"], {}),
        bring=as_json(row["bring"], {}),
        outcomes=[topics.Outcome(o["code"], o["names"]) for o in as_json(row["outcomes"], [])],
        partner_only_organisation_id=row["partner_only"],
        sort_order=row["sort_order"],
        active=bool(row["active"]),
    )


def _row(topic: topics.Topic) -> dict[Any, Any]:
    return {
        Topic.names: topic.names,
        Topic.bring: topic.bring,
        Topic.outcomes: [{"code": o.code, "names": o.names} for o in topic.outcomes],
        Topic.partner_only: topic.partner_only_organisation_id,
        Topic.sort_order: topic.sort_order,
        Topic.active: topic.active,
    }


async def list_topics(*, active_only: bool) -> list[topics.Topic]:
    query = Topic.select().order_by(Topic.sort_order).order_by(Topic.code)
    if active_only:
        query = query.where(Topic.active == True)  # noqa: E712 - Piccolo operator
    return [_topic(r) for r in await query]


# Written out: every booking and slot search reads its topic.
_TOPIC = "SELECT code, names, bring, outcomes, partner_only, sort_order, active FROM topic WHERE code = {}"


async def get_topic(code: str) -> topics.Topic | None:
    rows = await Topic.raw(_TOPIC, code)
    if not rows:
        return None
    row = rows[0]
    return _topic({**row, "partner_only": as_uuid_or_none(row["partner_only"])})


async def insert_topic(topic: topics.Topic) -> None:
    row = {column._meta.name: value for column, value in _row(topic).items()}
    await Topic.insert(Topic(code=topic.code, **row))


async def update_topic(topic: topics.Topic) -> None:
    await Topic.update(_row(topic)).where(Topic.code == topic.code)


async def active_codes() -> set[str]:
    return {r["code"] for r in await Topic.select(Topic.code).where(Topic.active == True)}  # noqa: E712


async def organisation_topics(organisation_id: uuid.UUID) -> list[str]:
    rows = await OrganisationTopic.select(OrganisationTopic.topic).where(
        OrganisationTopic.organisation == organisation_id
    )
    return sorted(r["topic"] for r in rows)


async def replace_organisation_topics(organisation_id: uuid.UUID, codes: list[str]) -> None:
    await OrganisationTopic.delete().where(OrganisationTopic.organisation == organisation_id)
    if codes:
        await OrganisationTopic.insert(
            *[OrganisationTopic(organisation=organisation_id, topic=code) for code in sorted(set(codes))]
        )


async def demand(since: datetime) -> dict[str, int]:
    """How many requests each topic has had since `since` (the commonest are offered first by phone)."""
    rows = await HelpRequest.raw(
        "SELECT topic, count(*) AS n FROM help_request WHERE created_at >= {} GROUP BY topic", since
    )
    return {r["topic"]: int(r["n"]) for r in rows}
