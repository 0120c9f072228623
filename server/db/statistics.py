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

import anyio.to_thread

from server.db import topics as topics_q
from server.db.codec import as_list, as_names, as_uuid
from server.db.engine import current_engine, fetch_many
from server.db.tables import WalkIn
from server.domain.statistics import WALK_IN, RequestFacts, SessionFacts

# The attributed partner: help point's organisation, else routed_to, else the organisation of the volunteer of
# the request's latest session (their volunteer membership, an active one first). The latest session's start is
# the time agreed for the request (demand by hour of the day).
#
# One pass over the period's requests, whatever its length: the latest session of each (a window over the sessions
# of those requests), each volunteer's organisation once (not once per request), the referrals counted per request,
# and the done and no-show sessions joined on, one row each (a request without one has a row of its own). Per-row
# subqueries here cost 1.4 s for 63,000 requests at a million residents (EXPLAIN ANALYZE: 150,000 index probes), and
# the sessions were read by a second query that worked the attribution out again.
_FACTS = (
    "WITH r AS ("
    " SELECT id, topic, channel, state, created_at, matched_at, help_point, routed_to FROM help_request"
    " WHERE created_at >= {} AND created_at < {}"
    "), latest AS ("
    " SELECT s.request, s.volunteer, s.starts_at,"
    " ROW_NUMBER() OVER (PARTITION BY s.request ORDER BY s.created_at DESC) AS n"
    " FROM help_session s JOIN r ON r.id = s.request"
    "), helper_of AS ("
    " SELECT person, organisation FROM ("
    "  SELECT m.person, m.organisation,"
    "  ROW_NUMBER() OVER (PARTITION BY m.person ORDER BY m.active DESC, m.created_at) AS n"
    "  FROM membership m WHERE m.role = 'volunteer' AND m.organisation IS NOT NULL"
    "  AND m.person IN (SELECT volunteer FROM latest WHERE n = 1)"
    " ) ranked WHERE n = 1"
    "), referred AS ("
    " SELECT rr.request, COUNT(*) AS referrals FROM request_referral rr JOIN r ON r.id = rr.request"
    " GROUP BY rr.request"
    "), x AS ("
    " SELECT r.id, r.topic, r.channel, r.state, r.created_at, r.matched_at, latest.starts_at,"
    " COALESCE(referred.referrals, 0) AS referrals, hp.municipality AS point_municipality,"
    " COALESCE(hp.organisation, r.routed_to, helper_of.organisation) AS partner"
    " FROM r LEFT JOIN help_point hp ON hp.id = r.help_point"
    " LEFT JOIN latest ON latest.request = r.id AND latest.n = 1"
    " LEFT JOIN helper_of ON helper_of.person = latest.volunteer"
    " LEFT JOIN referred ON referred.request = r.id"
    ")"
    " SELECT x.id, x.topic, x.channel, x.state, x.created_at, x.matched_at, x.starts_at, x.referrals, x.partner,"
    " o.name AS partner_name, COALESCE(x.point_municipality, o.municipality) AS municipality,"
    " hs.state AS session_state, hs.outcomes, hs.feedback"
    " FROM x LEFT JOIN organisation o ON o.id = x.partner"
    " LEFT JOIN help_session hs ON hs.request = x.id AND hs.state IN ('done', 'no_show')"
)


async def request_facts(
    *, since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> list[RequestFacts]:
    """Requests created in [since, until) attributed to one of `within` (None: all, unattributed ones too)."""
    sql = _FACTS
    params: list[Any] = [since, until]
    if within is not None:
        ids = sorted(within)
        if not ids:
            return []
        sql += f" WHERE x.partner IN ({', '.join('{}' for _ in ids)})"
        params += ids
    rows = await fetch_many(current_engine(), sql, *params)
    found = await _walk_ins(since=since, until=until, within=within)
    if not rows:
        return found
    names = {t.code: dict(t.names) for t in await topics_q.list_topics(active_only=False)}
    # Tens of thousands of rows made into facts: CPU work, off the event loop.
    return found + await anyio.to_thread.run_sync(lambda: _facts(rows, names))


def _facts(rows: list[Any], names: dict[str, dict[str, str]]) -> list[RequestFacts]:
    found: list[RequestFacts] = []
    sessions: dict[object, list[SessionFacts]] = defaultdict(list)
    first: dict[object, dict[str, Any]] = {}
    for r in rows:
        key = r["id"]
        first.setdefault(key, r)
        if r["session_state"] is not None:
            outcomes = tuple(str(o) for o in as_list(r["outcomes"]))
            feedback = int(r["feedback"]) if r["feedback"] is not None else None
            sessions[key].append(SessionFacts(r["session_state"], outcomes, feedback))
    for key, r in first.items():
        found.append(
            RequestFacts(
                topic=r["topic"],
                topic_names=names.get(r["topic"], {}),
                channel=r["channel"],
                state=r["state"],
                created_at=_aware(r["created_at"]),
                matched_at=_aware(r["matched_at"]) if r["matched_at"] is not None else None,
                partner_id=as_uuid(r["partner"]) if r["partner"] is not None else None,
                partner_name=r["partner_name"],
                municipality=r["municipality"],
                sessions=tuple(sessions.get(key, ())),
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
