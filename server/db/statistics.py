"""Rows for the coordinators' statistics: every request created in a time range, attributed to a partner and a
municipality in SQL (rules in `server/domain/statistics.py`), with its done and no-show sessions. Two queries,
whatever the size of the network. A partner coordinator's scope is a WHERE clause on the attributed
organisation, so other organisations' requests never leave the database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from server.db.codec import as_list, as_names, as_uuid
from server.db.tables import HelpRequest, WalkIn
from server.domain.statistics import WALK_IN, RequestFacts, SessionFacts

# The attributed partner: help point's organisation, else routed_to, else the organisation of the volunteer of
# the request's latest session (their volunteer membership, an active one first). The latest session's start is
# the time agreed for the request (demand by hour of the day).
_ATTRIBUTED = (
    "SELECT r.id, r.topic, r.channel, r.state, r.created_at, r.matched_at, hp.municipality AS point_municipality, "
    "COALESCE(hp.organisation, r.routed_to, ("
    "SELECT m.organisation FROM help_session s JOIN membership m ON m.person = s.volunteer "
    "WHERE s.request = r.id AND m.role = 'volunteer' AND m.organisation IS NOT NULL "
    "ORDER BY s.created_at DESC, m.active DESC, m.created_at LIMIT 1"
    ")) AS partner, ("
    "SELECT s.starts_at FROM help_session s WHERE s.request = r.id ORDER BY s.created_at DESC LIMIT 1"
    ") AS starts_at, (SELECT COUNT(*) FROM request_referral rr WHERE rr.request = r.id) AS referrals "
    "FROM help_request r LEFT JOIN help_point hp ON hp.id = r.help_point "
    "WHERE r.created_at >= {} AND r.created_at < {}"
)


def _scoped(since: datetime, until: datetime, within: Collection[uuid.UUID] | None) -> tuple[str, list[Any]]:
    """`FROM … WHERE …` over the attributed requests (alias x) in [since, until), limited to `within`."""
    sql = f"FROM ({_ATTRIBUTED}) x "
    params: list[Any] = [since, until]
    if within is not None:
        ids = sorted(within)
        if ids:
            sql += f"WHERE x.partner IN ({', '.join('{}' for _ in ids)})"
            params += ids
        else:
            sql += "WHERE 1 = 0"
    return sql, params


async def request_facts(
    *, since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> list[RequestFacts]:
    """Requests created in [since, until) attributed to one of `within` (None: all, unattributed ones too)."""
    source, params = _scoped(since, until, within)
    rows = await HelpRequest.raw(
        "SELECT x.id, x.topic, t.names AS topic_names, x.channel, x.state, x.created_at, x.matched_at, "  # noqa: S608 - our own fragment; values are bound parameters
        "x.starts_at, x.referrals, x.partner, o.name AS partner_name, "
        "COALESCE(x.point_municipality, o.municipality) AS municipality "
        f"FROM (SELECT x.* {source}) x "
        "JOIN topic t ON t.code = x.topic LEFT JOIN organisation o ON o.id = x.partner",
        *params,
    )
    found = await _walk_ins(since=since, until=until, within=within)
    if not rows:
        return found
    sessions: dict[uuid.UUID, list[SessionFacts]] = defaultdict(list)
    for s in await HelpRequest.raw(
        "SELECT hs.request, hs.state, hs.outcomes, hs.feedback FROM help_session hs "  # noqa: S608 - our own fragment; values are bound parameters
        "WHERE hs.state IN ('done', 'no_show') AND hs.request IN (SELECT x.id " + source + ")",
        *params,
    ):
        outcomes = tuple(str(o) for o in as_list(s["outcomes"]))
        feedback = int(s["feedback"]) if s["feedback"] is not None else None
        sessions[as_uuid(s["request"])].append(SessionFacts(s["state"], outcomes, feedback))
    for r in rows:
        request_id = as_uuid(r["id"])
        found.append(
            RequestFacts(
                topic=r["topic"],
                topic_names=as_names(r["topic_names"]),
                channel=r["channel"],
                state=r["state"],
                created_at=_aware(r["created_at"]),
                matched_at=_aware(r["matched_at"]) if r["matched_at"] is not None else None,
                partner_id=as_uuid(r["partner"]) if r["partner"] is not None else None,
                partner_name=r["partner_name"],
                municipality=r["municipality"],
                sessions=tuple(sessions.get(request_id, ())),
                starts_at=_aware(r["starts_at"]) if r["starts_at"] is not None else None,
                referrals=int(r["referrals"] or 0),
            )
        )
    return found


# A walk-in counts as a request at its help point's organisation and municipality, helped (matched and done) on
# the spot, with the outcomes recorded at the desk.
_WALK_INS = (
    "SELECT w.topic, t.names AS topic_names, w.recorded_at, w.outcomes, hp.organisation AS partner, "
    "o.name AS partner_name, COALESCE(hp.municipality, o.municipality) AS municipality "
    "FROM walk_in w JOIN help_point hp ON hp.id = w.help_point JOIN topic t ON t.code = w.topic "
    "LEFT JOIN organisation o ON o.id = hp.organisation "
    "WHERE w.recorded_at >= {} AND w.recorded_at < {}"
)


async def _walk_ins(*, since: datetime, until: datetime, within: Collection[uuid.UUID] | None) -> list[RequestFacts]:
    sql = _WALK_INS
    params: list[Any] = [since, until]
    if within is not None:
        ids = sorted(within)
        if not ids:
            return []
        sql += f" AND hp.organisation IN ({', '.join('{}' for _ in ids)})"
        params += ids
    found = []
    for r in await WalkIn.raw(sql, *params):
        at = _aware(r["recorded_at"])
        found.append(
            RequestFacts(
                topic=r["topic"],
                topic_names=as_names(r["topic_names"]),
                channel=WALK_IN,
                state="closed",
                created_at=at,
                matched_at=at,
                partner_id=as_uuid(r["partner"]) if r["partner"] is not None else None,
                partner_name=r["partner_name"],
                municipality=r["municipality"],
                sessions=(SessionFacts("done", tuple(str(o) for o in as_list(r["outcomes"])), None),),
                starts_at=at,
            )
        )
    return found


def _aware(value: object) -> datetime:
    """A timestamp as an aware datetime, however the engine returned it through the derived table."""
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
