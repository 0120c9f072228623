"""Rows for the coordinators' statistics: every request created in a time range, attributed to a partner and a
municipality in SQL (rules in `server/domain/statistics.py`), with its done and no-show sessions. Two queries,
whatever the size of the network. A partner coordinator's scope is a WHERE clause on the attributed
organisation, so other organisations' requests never leave the database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread

from server.db import topics as topics_q
from server.db.codec import as_list, as_names, as_uuid
from server.db.engine import AnyEngine, current_engine, fetch_many, is_sqlite, serialise, write_transaction
from server.db.tables import HelpRequest, WalkIn
from server.domain import statistics as rules
from server.domain.clocktime import week_of
from server.domain.statistics import WALK_IN, RequestFacts, SessionFacts
from server.domain.supply import SupplyBy, hour_key

# The attributed partner: help point's organisation, else routed_to, else the organisation of the volunteer of
# the request's latest session (their volunteer membership, an active one first). The latest session's start is
# the time agreed for the request (demand by hour of the day).
#
# One pass over the period's requests, whatever its length: the latest session of each (a window over the sessions
# of those requests), each volunteer's organisation once (not once per request), the referrals counted per request,
# and the done and no-show sessions joined on, one row each (a request without one has a row of its own). Per-row
# subqueries here cost 1.4 s for 63,000 requests at a million residents (EXPLAIN ANALYZE: 150,000 index probes), and
# the sessions were read by a second query that worked the attribution out again.
_REQUESTS = "SELECT id, topic, channel, state, created_at, matched_at, help_point, routed_to FROM help_request"
_FACTS_OF = (
    "WITH r AS ({requests}"
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
    " o.name AS partner_name, COALESCE(x.point_municipality, o.municipality) AS municipality, x.point_municipality,"
    " hs.state AS session_state, hs.outcomes, hs.feedback"
    " FROM x LEFT JOIN organisation o ON o.id = x.partner"
    " LEFT JOIN help_session hs ON hs.request = x.id AND hs.state IN ('done', 'no_show')"
)
_FACTS = _FACTS_OF.replace("{requests}", _REQUESTS + " WHERE created_at >= {} AND created_at < {}")


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
        sql += f" WHERE x.partner IN ({_placeholders(len(ids))})"
        params += ids
    rows = await fetch_many(current_engine(), sql, *params)
    found = await walk_in_facts(since=since, until=until, within=within)
    if not rows:
        return found
    names = {t.code: dict(t.names) for t in await topics_q.list_topics(active_only=False)}
    # Tens of thousands of rows made into facts: CPU work, off the event loop.
    return found + await anyio.to_thread.run_sync(lambda: list(_facts(rows, names).values()))


def _facts(rows: list[Any], names: dict[str, dict[str, str]]) -> dict[Any, RequestFacts]:
    found: dict[Any, RequestFacts] = {}
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
        found[key] = RequestFacts(
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


async def walk_in_facts(
    *, since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> list[RequestFacts]:
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


# ---- The kept facts (migration 0030) ----------------------------------------------------------------------------

STALE_BATCH = 500  # requests brought up to date per statement (SQLite takes at most 32,766 parameters)
MARKS_AT_ONCE = 1_000  # marks taken in one transaction
_GROUP_COLUMNS = "created_at, week, topic, channel, partner, point_municipality"
_FACT_COLUMNS = (
    f"request, {_GROUP_COLUMNS}, matched, wait_minutes, start_hour,"
    " cancelled, referred, done, no_show, rated, rating_sum"
)
_OUTCOME_COLUMNS = f"request, outcome, times, {_GROUP_COLUMNS}"


async def stale_marks(*, above: int) -> int:
    """How many changes wait to be brought into the kept facts, counted up to `above` + 1 (enough to know)."""
    rows = await HelpRequest.raw(
        "SELECT COUNT(*) AS n FROM (SELECT 1 FROM statistics_stale LIMIT {}) AS marks", above + 1
    )
    return int(rows[0]["n"])


async def bring_up_to_date(engine: AnyEngine, *, marks: int = MARKS_AT_ONCE) -> int:
    """Bring the facts of requests marked changed up to date, at most `marks` marks in one transaction; the number
    of marks taken (0: nothing was waiting). One at a time across processes.

    The marks are deleted first and the facts read after, in the same transaction: on PostgreSQL each statement
    sees what was committed before it began, so a change committed before the delete is in what is read, and the
    mark of a change committed after it stays for the next time."""
    async with write_transaction(engine):
        await serialise(engine, "statistics")
        taken = await HelpRequest.raw(
            "DELETE FROM statistics_stale WHERE n IN (SELECT n FROM statistics_stale ORDER BY n LIMIT {})"
            " RETURNING request",
            marks,
        )
        ids = sorted({as_uuid(r["request"]) for r in taken})
        for start in range(0, len(ids), STALE_BATCH):
            await _keep_facts(ids[start : start + STALE_BATCH])
    return len(taken)


async def _keep_facts(ids: list[uuid.UUID]) -> None:
    listed = _placeholders(len(ids))
    rows = await HelpRequest.raw(_FACTS_OF.replace("{requests}", f"{_REQUESTS} WHERE id IN ({listed})"), *ids)
    # Making a batch of rows into facts is CPU work (a report may bring thousands up to date): off the event loop.
    values, outcomes = await anyio.to_thread.run_sync(lambda: _fact_rows(rows))
    for table in ("request_fact_outcome", "request_fact"):
        await HelpRequest.raw(f"DELETE FROM {table} WHERE request IN ({listed})", *ids)  # noqa: S608 - our own names
    for table, columns, row in (
        ("request_fact", _FACT_COLUMNS, values),
        ("request_fact_outcome", _OUTCOME_COLUMNS, outcomes),
    ):
        width = columns.count(",") + 1
        if row:
            rows_sql = ", ".join(f"({_placeholders(width)})" for _ in range(len(row) // width))
            await HelpRequest.raw(f"INSERT INTO {table} ({columns}) VALUES {rows_sql}", *row)  # noqa: S608


def _fact_rows(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """The values of the `request_fact` and `request_fact_outcome` rows of `rows`, flat, in column order."""
    facts = _facts(rows, {})
    points = {r["id"]: r["point_municipality"] for r in rows}
    values: list[Any] = []
    outcomes: list[Any] = []
    for key, f in facts.items():
        request, t = as_uuid(key), rules.tally([f])
        groups = [
            f.created_at,
            rules.week_key(*week_of(f.created_at)),
            f.topic,
            f.channel,
            f.partner_id,
            points[key],
        ]
        values += [request, *groups, t.matched, rules.wait_minutes(f), rules.start_hour(f)]
        values += [t.cancelled, t.referred, t.done, t.no_show, t.rated, t.rating_sum]
        outcomes += [v for code, times in t.outcomes.items() for v in (request, code, times, *groups)]
    return values, outcomes


def _placeholders(n: int) -> str:
    return ", ".join("{}" for _ in range(n))


# A group's key in the kept facts (the attributed municipality: the help point's, else the partner's).
_KEYS = {
    rules.GroupBy.TOPIC: "f.topic",
    rules.GroupBy.MUNICIPALITY: "COALESCE(f.point_municipality, o.municipality)",
    rules.GroupBy.PARTNER: "f.partner",
    rules.GroupBy.CHANNEL: "f.channel",
    rules.GroupBy.WEEK: "f.week",
}


@dataclass(frozen=True, slots=True)
class KeptGroup:
    key: str | None
    partner_name: str | None
    tally: rules.Tally
    median_wait: float | None


async def kept_groups(
    by: rules.GroupBy, *, since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> tuple[list[KeptGroup], float | None]:
    """The kept facts of requests created in [since, until) attributed to one of `within` (None: all), summed per
    group in SQL, with each group's median wait; and the median wait of them all (the other totals are the sums of
    the groups'). A few rows, however many requests."""
    where = "f.created_at >= {} AND f.created_at < {}"
    params: list[Any] = [since, until]
    if within is not None:
        ids = sorted(within)
        if not ids:
            return [], None
        where += f" AND f.partner IN ({_placeholders(len(ids))})"
        params += ids
    key = _KEYS[by]
    # Our own fragments; the values are bound parameters. Both tables are read from their period's index alone.
    sums = (
        f"SELECT {key} AS key, MAX(o.name) AS partner_name, COUNT(*) AS requests, SUM(f.matched) AS matched,"
        " SUM(f.cancelled) AS cancelled, SUM(f.referred) AS referred, SUM(f.done) AS done, SUM(f.no_show) AS no_show,"
        " SUM(f.rated) AS rated, SUM(f.rating_sum) AS rating_sum"
    )
    source = f"request_fact f LEFT JOIN organisation o ON o.id = f.partner WHERE {where}"
    outcomes = await HelpRequest.raw(
        f"SELECT {key} AS key, f.outcome, SUM(f.times) AS times"  # noqa: S608
        f" FROM request_fact_outcome f LEFT JOIN organisation o ON o.id = f.partner WHERE {where}"
        f" GROUP BY {key}, f.outcome",
        *params,
    )
    median: dict[str | None, float] = {}
    overall: float | None = None
    if is_sqlite(current_engine()):
        rows = await HelpRequest.raw(f"{sums} FROM {source} GROUP BY {key}", *params)
        # The median: the middle wait of each group, or the mean of the middle two, by counting along the sorted
        # waits (SQLite has no ordered-set aggregates).
        for r in await HelpRequest.raw(
            "SELECT key, AVG(wait_minutes) AS median FROM ("  # noqa: S608
            f" SELECT {key} AS key, f.wait_minutes, COUNT(*) OVER (PARTITION BY {key}) AS c,"
            f" ROW_NUMBER() OVER (PARTITION BY {key} ORDER BY f.wait_minutes) AS n"
            f" FROM {source} AND f.wait_minutes IS NOT NULL"
            f") AS waits WHERE n * 2 IN (c, c + 1, c + 2) GROUP BY key",
            *params,
        ):
            median[_key(r["key"])] = float(r["median"])
        middle = await HelpRequest.raw(
            "SELECT AVG(wait_minutes) AS median FROM ("  # noqa: S608
            " SELECT f.wait_minutes, COUNT(*) OVER () AS c, ROW_NUMBER() OVER (ORDER BY f.wait_minutes) AS n"
            f" FROM request_fact f WHERE {where} AND f.wait_minutes IS NOT NULL"
            ") AS waits WHERE n * 2 IN (c, c + 1, c + 2)",
            *params,
        )
        overall = middle[0]["median"] if middle else None
    else:
        # One pass: the groups and (the empty grouping set) the whole; the median as the mean of the lower and the
        # upper middle wait, which is what Python's statistics.median gives, to the last bit.
        found = await HelpRequest.raw(
            f"{sums}, GROUPING({key}) AS whole,"
            " (percentile_disc(0.5) WITHIN GROUP (ORDER BY f.wait_minutes)"
            " + percentile_disc(0.5) WITHIN GROUP (ORDER BY f.wait_minutes DESC)) / 2 AS median"
            f" FROM {source} GROUP BY GROUPING SETS (({key}), ())",
            *params,
        )
        rows = [r for r in found if not r["whole"]]
        overall = next((r["median"] for r in found if r["whole"]), None)
        median = {_key(r["key"]): float(r["median"]) for r in rows if r["median"] is not None}
    counted: dict[str | None, dict[str, int]] = defaultdict(dict)
    for r in outcomes:
        counted[_key(r["key"])][str(r["outcome"])] = int(r["times"])
    groups = [
        KeptGroup(
            _key(r["key"]),
            r["partner_name"],
            rules.Tally(**{name: int(r[name] or 0) for name in _SUMS}, outcomes=counted.get(_key(r["key"]), {})),
            median.get(_key(r["key"])),
        )
        for r in rows
    ]
    return groups, float(overall) if overall is not None else None


async def kept_demand(
    by: SupplyBy, *, since: datetime, until: datetime, within: Collection[uuid.UUID] | None
) -> dict[str | None, int]:
    """The requests created in [since, until) attributed to one of `within` (None: all), counted per demand group
    in SQL from the kept facts (`server/domain/supply.py`)."""
    where = "f.created_at >= {} AND f.created_at < {}"
    params: list[Any] = [since, until]
    if within is not None:
        ids = sorted(within)
        if not ids:
            return {}
        where += f" AND f.partner IN ({_placeholders(len(ids))})"
        params += ids
    key = "f.start_hour" if by is SupplyBy.HOUR else _KEYS[rules.GroupBy(by.value)]
    rows = await HelpRequest.raw(
        f"SELECT {key} AS key, COUNT(*) AS requests"  # noqa: S608 - our own fragments, values bound
        f" FROM request_fact f LEFT JOIN organisation o ON o.id = f.partner WHERE {where} GROUP BY {key}",
        *params,
    )
    if by is SupplyBy.HOUR:
        return {hour_key(None if r["key"] is None else int(r["key"])): int(r["requests"]) for r in rows}
    return {_key(r["key"]): int(r["requests"]) for r in rows}


_SUMS = ("requests", "matched", "cancelled", "referred", "done", "no_show", "rated", "rating_sum")


def _key(value: object) -> str | None:
    """A group key as text (an organisation id comes back as a uuid on PostgreSQL, as text on SQLite)."""
    return None if value is None else str(value)
