"""What the public catalogue of partners is read from: the active organisations, the topics each serves, the ways
their volunteers help, their open help points and drop-in hours."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

from server.db.codec import as_uuid
from server.db.network import help_point_of, hours_for, organisation_of
from server.db.tables import HelpPoint, Membership, Organisation, OrganisationTopic, Topic
from server.domain import network


async def active_organisations() -> list[network.Organisation]:
    """Every active organisation, by name (a network has tens to a few hundred)."""
    rows = await Organisation.select().where(Organisation.active == True).order_by(Organisation.name)  # noqa: E712
    return [organisation_of(r) for r in rows]


async def topics_served(organisation_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """The active topics each organisation serves: those it declared, and the partner-only ones that are its."""
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    if not organisation_ids:
        return found
    ids = list(organisation_ids)
    declared = await OrganisationTopic.select(OrganisationTopic.organisation, OrganisationTopic.topic).where(
        OrganisationTopic.organisation.is_in(ids) & (OrganisationTopic.topic.active == True)  # noqa: E712
    )
    for r in declared:
        found[as_uuid(r["organisation"])].add(r["topic"])
    own = await Topic.select(Topic.code, Topic.partner_only).where(
        Topic.partner_only.is_in(ids) & (Topic.active == True)  # noqa: E712
    )
    for r in own:
        found[as_uuid(r["partner_only"])].add(r["code"])
    return found


# One row per organisation: whether any of its active volunteers (active people) helps remotely or at home. Read as
# two lists (the members, then their profiles by id) this sent 10,000 ids back as parameters at a national size.
_WAYS = (
    "SELECT m.organisation, MAX(CASE WHEN vp.remote THEN 1 ELSE 0 END) AS remote,"
    " MAX(CASE WHEN vp.home_visits THEN 1 ELSE 0 END) AS home_visits"
    " FROM membership m JOIN person p ON p.id = m.person JOIN volunteer_profile vp ON vp.person = m.person"
    " WHERE m.role = 'volunteer' AND m.active AND p.active AND m.organisation IN ({})"
    " GROUP BY m.organisation"
)


async def ways_of_volunteers(organisation_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, set[str]]:
    """Per organisation, how its active volunteers help besides at help points: by phone and video (remote), home
    visits."""
    found: dict[uuid.UUID, set[str]] = defaultdict(set)
    if not organisation_ids:
        return found
    ids = list(organisation_ids)
    sql = _WAYS.format(", ".join("{}" for _ in ids))
    for r in await Membership.raw(sql, *ids):
        organisation = as_uuid(r["organisation"])
        if r["remote"]:
            found[organisation] |= {"phone", "video"}
        if r["home_visits"]:
            found[organisation].add("home_visit")
    return found


async def open_help_points(organisation_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, list[network.HelpPoint]]:
    """The open help points of each organisation, by municipality and name."""
    found: dict[uuid.UUID, list[network.HelpPoint]] = defaultdict(list)
    if not organisation_ids:
        return found
    rows = (
        await HelpPoint.select()
        .where(HelpPoint.organisation.is_in(list(organisation_ids)) & (HelpPoint.active == True))  # noqa: E712
        .order_by(HelpPoint.municipality)
        .order_by(HelpPoint.name)
    )
    hours = await hours_for([r["id"] for r in rows])
    for r in rows:
        found[as_uuid(r["organisation"])].append(help_point_of(r, hours.get(r["id"], ())))
    return found
