"""The volunteers behind the supply figures (rules in `server/domain/supply.py`): who is active in an active
organisation (one of `within`, for a partner coordinator), with their topics, help points' and organisations'
municipalities, weekly rules and the date exceptions of the period. Six set-based queries, whatever the size
of the network; another organisation's volunteers never leave the database."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping
from datetime import date
from typing import Any, TypeVar

import anyio.to_thread

from server.db.codec import as_uuid
from server.db.engine import current_engine, fetch_many
from server.domain.availability import DateOverride, WeeklyRule
from server.domain.supply import VolunteerFacts

T = TypeVar("T")

_MEMBER = (
    "FROM membership m JOIN organisation o ON o.id = m.organisation "
    "WHERE m.role = 'volunteer' AND m.active AND o.active"
)


def _within(within: Collection[uuid.UUID] | None) -> tuple[str, list[Any]]:
    """A condition on the membership (alias m) limiting it to `within`; none for the whole network."""
    if within is None:
        return "", []
    ids = sorted(within)
    if not ids:
        return " AND 1 = 0", []
    return f" AND m.organisation IN ({', '.join('{}' for _ in ids)})", list(ids)


async def volunteer_facts(*, first: date, last: date, within: Collection[uuid.UUID] | None) -> list[VolunteerFacts]:
    """Active volunteers with a profile and an active membership in one of `within` (None: any)."""
    scope, scope_params = _within(within)
    # The volunteers in scope; the other queries read the rows of every member in scope (a semi-join on the members'
    # index, 7 ms for ten thousand) and the ones of inactive people are dropped here: asking each query for the
    # active ones again cost ten thousand probes of the person table each (50 ms).
    members = f"SELECT m.person {_MEMBER}{scope}"
    profiles = await _raw(
        "SELECT vp.person, vp.remote, vp.home_visits FROM volunteer_profile vp JOIN person p ON p.id = vp.person"  # noqa: S608 - our own fragments; values are bound parameters
        f" WHERE p.active AND vp.person IN ({members})",
        scope_params,
    )
    if not profiles:
        return []
    organisations = await _raw(f"SELECT m.person, o.municipality {_MEMBER}{scope}", scope_params)
    points = await _raw(
        "SELECT vh.person, hp.municipality FROM volunteer_help_point vh "  # noqa: S608
        "JOIN help_point hp ON hp.id = vh.help_point JOIN organisation o ON o.id = hp.organisation "
        f"WHERE hp.active AND o.active AND vh.person IN ({members})",
        scope_params,
    )
    topics = await _raw(
        f"SELECT vt.person, vt.topic FROM volunteer_topic vt WHERE vt.person IN ({members})",  # noqa: S608
        scope_params,
    )
    rules = await _raw(
        'SELECT r.person, r.weekday, r.start, r."end", r.remote FROM availability_rule r '  # noqa: S608
        f"WHERE r.person IN ({members})",
        scope_params,
    )
    overrides = await _raw(
        'SELECT ao.person, ao.day, ao.away, ao.start, ao."end", ao.remote FROM availability_override ao '  # noqa: S608
        f"WHERE ao.day >= {{}} AND ao.day <= {{}} AND ao.person IN ({members})",
        [first, last, *scope_params],
    )
    # Ten thousand volunteers' rows made into facts: CPU work, off the event loop.
    return await anyio.to_thread.run_sync(lambda: _assemble(profiles, organisations, points, topics, rules, overrides))


def _assemble(
    profiles: list[Raw],
    organisations: list[Raw],
    points: list[Raw],
    topics: list[Raw],
    rules: list[Raw],
    overrides: list[Raw],
) -> list[VolunteerFacts]:
    rules_of = _grouped(rules, lambda r: WeeklyRule(r[1], r[2], r[3], bool(r[4])))
    overrides_of = _grouped(overrides, lambda r: DateOverride(r[1], bool(r[2]), r[3], r[4], bool(r[5])))
    topics_of = _grouped(topics, lambda r: str(r[1]))
    points_of = _grouped(points, lambda r: str(r[1]))
    organisations_of = _grouped(organisations, lambda r: str(r[1]))
    found = []
    for raw in profiles:
        row = tuple(raw.values())
        person = as_uuid(row[0])
        found.append(
            VolunteerFacts(
                person_id=person,
                # Sorted, so volunteers with the same weekly hours share one expansion.
                rules=tuple(sorted(rules_of.get(person, ()), key=lambda r: (r.remote, r.weekday, r.start))),
                overrides=tuple(overrides_of.get(person, ())),
                topics=frozenset(topics_of.get(person, ())),
                remote=bool(row[1]),
                home_visits=bool(row[2]),
                help_point_municipalities=frozenset(points_of.get(person, ())),
                organisation_municipalities=frozenset(organisations_of.get(person, ())),
            )
        )
    return found


Row = tuple[Any, ...]
Raw = Mapping[str, Any]


async def _raw(sql: str, params: list[Any]) -> list[Raw]:
    """The rows as the driver gives them (mappings; made into values off the loop), a chunk at a time."""
    return await fetch_many(current_engine(), sql, *params)


def _grouped(rows: list[Raw], make: Callable[[Row], T]) -> dict[uuid.UUID, list[T]]:
    """Rows whose first column is a person, made into values and grouped by person."""
    found: dict[uuid.UUID, list[T]] = defaultdict(list)
    for raw in rows:
        row = tuple(raw.values())
        found[as_uuid(row[0])].append(make(row))
    return found
