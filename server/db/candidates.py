"""Who could take a request: the volunteers matching its topic, place and way of meeting, with their calendars
(in a handful of set-based queries, not one per volunteer). The eligible set and its weekly hours are kept
between requests while `matching_version` (migration 0016) says nothing they depend on has changed."""

from __future__ import annotations

import uuid
from collections import Counter, OrderedDict, defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import anyio.to_thread
from piccolo.engine.postgres import PostgresEngine
from piccolo.querystring import QueryString

from server.db.codec import as_list, as_uuid
from server.db.tables import VolunteerProfile
from server.domain.availability import DateOverride, WeeklyRule, expand, has_extra_hours
from server.domain.clocktime import Interval, week_of
from server.domain.matching import Candidate, Modality, Need, Place
from server.domain.slots import VolunteerTime
from server.domain.states import ACTIVE_SESSION_STATES

ACTIVE = [s.value for s in ACTIVE_SESSION_STATES]
FAIRNESS_WINDOW = timedelta(days=28)
_NO_WEEKS: Mapping[tuple[int, int], int] = MappingProxyType({})
OFF_LOOP_ABOVE = 500  # volunteers: fewer are assembled on the event loop (a thread hop costs more than they do)


def _eligible(*, topic: str, modality: Modality, help_point_id: uuid.UUID | None) -> tuple[str, list[Any]]:
    """Who may take the request whenever it is, as an SQL condition on `_FROM` (WHERE …) and its parameters:
    has the topic and a profile, is active in an active organisation, and works at the help point (or takes
    remote sessions). Availability on the days searched is checked by `candidates`."""
    params: list[Any] = [topic]
    sql = (
        "WHERE vt.topic = {} AND p.active "
        "AND EXISTS (SELECT 1 FROM membership m JOIN organisation o ON o.id = m.organisation "
        "WHERE m.person = vt.person AND m.role = 'volunteer' AND m.active AND o.active) "
    )
    if modality is Modality.HELP_POINT and help_point_id is None:  # at any help point (see `candidates`)
        sql += "AND EXISTS (SELECT 1 FROM volunteer_help_point h WHERE h.person = vt.person) "
    elif modality is Modality.HELP_POINT:
        sql += "AND EXISTS (SELECT 1 FROM volunteer_help_point h WHERE h.person = vt.person AND h.help_point = {}) "
        params.append(help_point_id)
    elif modality.remote:
        sql += "AND vp.remote "
    return sql, params


_FROM = "FROM volunteer_topic vt JOIN volunteer_profile vp ON vp.person = vt.person JOIN person p ON p.id = vt.person "


async def candidates(
    *,
    topic: str,
    modality: Modality,
    help_point_id: uuid.UUID | None,
    first: date,
    last: date,
    now: datetime,
) -> list[Candidate]:
    """The volunteers who may take the request (see `_eligible`) and have availability of the right kind on
    `first`..`last` (weekly hours on one of those weekdays, or extra hours on one of the dates), with their
    calendars; language and the other rules are left to matching. At a help point without `help_point_id`: the
    volunteers of every help point, each with the help points they work at. A fixed handful of queries on one
    connection, whatever the size of the network; who is eligible and their weekly hours are kept between
    requests while `matching_version` says nothing they depend on has changed (see `_eligible_volunteers`)."""
    where, params = _eligible(topic=topic, modality=modality, help_point_id=help_point_id)
    remote = modality.remote
    weekdays = sorted({(first + timedelta(days=n)).weekday() for n in range(min((last - first).days + 1, 7))})
    ids = "(SELECT vt.person " + _FROM + where + ")"
    session_window = _session_window(first, last, now)
    async with _reading() as fetch:
        volunteers = await _eligible_volunteers(
            fetch,
            _PROFILES
            + _FROM
            + "LEFT JOIN availability_rule r ON r.person = vt.person AND r.remote = {} "
            + f"AND r.weekday IN ({', '.join(str(w) for w in weekdays)}) "
            + where,
            [remote, *params],
        )
        if not volunteers:
            return []
        # The eligible ones are known now: on PostgreSQL their ids go in as one array (the eligibility query
        # again as a subquery would cost what keeping its answer saves, once a calendar has rows to match).
        if isinstance(VolunteerProfile._meta.db, PostgresEngine):
            ids, params = "(SELECT unnest({}::uuid[]))", [[v.id for v in volunteers]]
        overrides = _overrides(await fetch(_OVERRIDES + ids, [first, last, *params]))
        calendars = _calendars(await _calendar_rows(fetch, ids, params, session_window), now)
        works_at = None
        if modality is Modality.HELP_POINT and help_point_id is None:
            works_at = _works_at(await fetch(_WORKS_AT + ids, params))
    points = frozenset({help_point_id}) if modality is Modality.HELP_POINT and help_point_id else frozenset()
    window = _Window(topic, remote, first, last)

    def assemble() -> list[Candidate]:
        return _assemble(volunteers, overrides, calendars, window, points, works_at)

    # Thousands of volunteers (the whole network's next free times) take tens of milliseconds: off the event loop.
    if len(volunteers) > OFF_LOOP_ABOVE:
        return await anyio.to_thread.run_sync(assemble)
    return assemble()


@dataclass(frozen=True, slots=True)
class _Window:
    topic: str
    remote: bool
    first: date
    last: date


def _assemble(
    volunteers: list[_Volunteer],
    overrides: dict[uuid.UUID, list[DateOverride]],
    calendars: _Calendars,
    window: _Window,
    points: frozenset[uuid.UUID],
    works_at: dict[uuid.UUID, frozenset[uuid.UUID]] | None,
) -> list[Candidate]:
    """The candidates from their rows: availability expanded, calendars attached."""
    topic, remote, first, last = window.topic, window.remote, window.first, window.last
    # Volunteers with the same weekly hours and no exceptions (most of them) share one expansion, never changed.
    expanded: dict[tuple[tuple[int, time, time], ...], list[Interval]] = {}
    busy, per_week, recent = calendars.busy, calendars.per_week, calendars.recent
    found = []
    for volunteer in volunteers:
        person_id, hours = volunteer.id, volunteer.hours
        exceptions = overrides.get(person_id)
        if not hours and not (exceptions and has_extra_hours(exceptions, first, last, remote=remote)):
            continue  # no availability of this kind on these days
        available = None if exceptions else expanded.get(hours)
        if available is None:
            rules = [WeeklyRule(weekday, start, end, remote) for weekday, start, end in hours]
            available = expand(rules, exceptions or [], first, last, remote=remote)
            if not exceptions:
                expanded[hours] = available
        profile = volunteer.profile
        weeks = per_week.get(person_id)
        found.append(
            Candidate(
                id=person_id,
                active=True,
                skills={topic: profile.skill},
                languages=profile.languages,
                help_point_ids=points if works_at is None else works_at.get(person_id, frozenset()),
                remote=profile.remote,
                home_visits=profile.home_visits,
                home=profile.home,
                travel_radius_km=profile.travel_radius_km,
                needs_experience=profile.needs_experience,
                recent_sessions=recent.get(person_id, 0),
                time=VolunteerTime(
                    id=person_id,
                    available=available,
                    busy=busy.get(person_id, ()),
                    weekly_cap=profile.weekly_cap,
                    booked_per_week=dict(weeks) if weeks else _NO_WEEKS,
                ),
            )
        )
    return found


# The version first, from the same snapshot as the rows (see `_eligible_volunteers`); then one row per weekly
# rule of the right kind on the weekdays searched, or one row without a rule.
_PROFILES = (
    "SELECT (SELECT n FROM matching_version WHERE id = 1) AS version, vt.person, vt.skill, vp.languages, "
    "vp.remote, vp.home_visits, vp.home_latitude, vp.home_longitude, vp.travel_radius_km, vp.weekly_cap, "
    'vp.needs_experience, r.weekday, r.start, r."end" '
)
_OVERRIDES = (
    'SELECT ao.person, ao.day, ao.away, ao.start, ao."end", ao.remote FROM availability_override ao '
    "WHERE ao.day >= {} AND ao.day <= {} AND ao.person IN "
)
# Each in two ranges of start times: the weeks around the dates asked for, and the fairness window before now.
_SESSIONS = (
    "SELECT x.volunteer, x.starts_at, x.ends_at, x.state FROM help_session x "
    "WHERE ((x.starts_at >= {} AND x.starts_at < {}) OR (x.starts_at >= {} AND x.starts_at <= {})) "
    "AND x.volunteer IN "
)
# Drop-in shifts keep a volunteer's time like a session and count towards the week's limit.
_SHIFTS = (
    " UNION ALL SELECT x.volunteer, x.starts_at, x.ends_at, 'shift' FROM drop_in_shift x "
    "WHERE ((x.starts_at >= {} AND x.starts_at < {}) OR (x.starts_at >= {} AND x.starts_at <= {})) "
    "AND x.volunteer IN "
)
# So do group sessions' duties (counted and blocking as shifts).
_DUTIES = (
    " UNION ALL SELECT x.volunteer, x.starts_at, x.ends_at, 'shift' FROM event_duty x "
    "WHERE ((x.starts_at >= {} AND x.starts_at < {}) OR (x.starts_at >= {} AND x.starts_at <= {})) "
    "AND x.volunteer IN "
)
_WORKS_AT = "SELECT h.person, h.help_point FROM volunteer_help_point h WHERE h.person IN "
_VERSION = "SELECT n FROM matching_version WHERE id = 1"

Rows = Sequence[Sequence[Any]]
Fetch = Callable[[str, list[Any]], Awaitable[Rows]]


async def _calendar_rows(fetch: Fetch, ids: str, params: list[Any], window: _SessionWindow) -> Rows:
    """The eligible volunteers' sessions, drop-in shifts and event duties starting in the window's two ranges, as
    rows of `_SESSIONS`."""
    bounds = [window.since, window.until, window.recent_since, window.now]
    return await fetch(
        _SESSIONS + ids + _SHIFTS + ids + _DUTIES + ids,
        [*bounds, *params, *bounds, *params, *bounds, *params],
    )


@asynccontextmanager
async def _reading() -> AsyncIterator[Fetch]:
    """Run read-only queries written for `Table.raw` (`{}` placeholders), rows as sequences in column order.

    On PostgreSQL through asyncpg itself, all on one connection (the transaction's, or one from the pool:
    every check-out costs a round trip to reset it), keeping its records (Piccolo copies each into a dict).
    Elsewhere (SQLite, or no pool) through `Table.raw`."""
    engine = VolunteerProfile._meta.db
    if isinstance(engine, PostgresEngine):
        transaction = engine.current_transaction.get()
        if transaction is not None:
            yield _on(transaction.connection)
            return
        if engine.pool is not None:
            async with engine.pool.acquire() as connection:
                yield _on(connection)
            return
    yield _raw


def _on(connection: Any) -> Fetch:
    async def fetch(sql: str, args: list[Any]) -> Rows:
        query, values = QueryString(sql, *args).compile_string(engine_type="postgres")
        rows: Rows = await connection.fetch(query, *values)
        return rows

    return fetch


async def _raw(sql: str, args: list[Any]) -> Rows:
    return [tuple(r.values()) for r in await VolunteerProfile.raw(sql, *args)]


@dataclass(frozen=True, slots=True)
class _Profile:
    """Stored profile values (from the skill to the needs), parsed and converted; shared by the volunteers
    who store the same ones."""

    skill: int
    languages: frozenset[str]
    remote: bool
    home_visits: bool
    home: Place | None
    travel_radius_km: float
    weekly_cap: int
    needs_experience: frozenset[Need]

    @classmethod
    def of(cls, values: Sequence[Any]) -> _Profile:
        skill, languages, remote, home_visits, latitude, longitude, radius, cap, needs = values
        return cls(
            skill=skill,
            languages=_frozen(languages),
            remote=bool(remote),
            home_visits=bool(home_visits),
            home=_place(latitude, longitude),
            travel_radius_km=float(radius),
            weekly_cap=int(cap),
            needs_experience=_needs(needs),
        )


@dataclass(frozen=True, slots=True)
class _Volunteer:
    """One eligible volunteer as `_PROFILES` gives them: profile, and weekly hours of the kind and weekdays
    asked (none if they have only extra hours, or no availability then)."""

    id: uuid.UUID
    profile: _Profile
    hours: tuple[tuple[int, time, time], ...]


def _volunteers(rows: Rows) -> list[_Volunteer]:
    """Rows of `_PROFILES` (one per rule) grouped by volunteer, in the order they came."""
    profiles: dict[uuid.UUID, _Profile] = {}
    hours: dict[uuid.UUID, list[tuple[int, time, time]]] = {}
    shared: dict[tuple[Any, ...], _Profile] = {}
    for row in rows:
        person_id = as_uuid(row[1])
        own = hours.get(person_id)
        if own is None:
            values = tuple(row[2:11])
            profile = shared.get(values)
            if profile is None:
                profile = shared[values] = _Profile.of(values)
            profiles[person_id] = profile
            own = hours[person_id] = []
        if row[11] is not None:
            own.append((row[11], row[12], row[13]))
    return [_Volunteer(person_id, profile, tuple(hours[person_id])) for person_id, profile in profiles.items()]


_Key = tuple[str, tuple[Any, ...]]  # a `_PROFILES` query and its parameters


class _Kept:
    """Answers of `_PROFILES` kept between requests: query and parameters -> (version, volunteers), the most
    recently used leaving first when full. For one engine at a time (tests make one per database)."""

    SIZE = 32

    def __init__(self) -> None:
        self.engine: object = None
        self.answers: OrderedDict[_Key, tuple[int, list[_Volunteer]]] = OrderedDict()

    def of(self, engine: object) -> OrderedDict[_Key, tuple[int, list[_Volunteer]]]:
        if engine is not self.engine:
            self.engine = engine
            self.answers.clear()
        return self.answers


_kept = _Kept()


async def _eligible_volunteers(fetch: Fetch, sql: str, params: list[Any]) -> list[_Volunteer]:
    """The answer of `sql` (a `_PROFILES` query), from the last time it was asked if `matching_version` has not
    moved since. The migration that made it bumps it in every transaction that changes what the query reads,
    and the version comes with the rows (one statement, one snapshot), so an answer kept under the version
    read now is what the query would return now. Inside a transaction the query always runs: that transaction
    may have changed rows whose bump comes only at its commit."""
    engine = VolunteerProfile._meta.db
    if engine.current_transaction.get() is not None:
        return _volunteers(await fetch(sql, params))
    answers = _kept.of(engine)
    key = (sql, tuple(params))
    kept = answers.get(key)
    if kept is not None and kept[0] == (await fetch(_VERSION, []))[0][0]:
        _keep(answers, key, kept)
        return kept[1]
    rows = await fetch(sql, params)
    volunteers = _volunteers(rows)
    if rows:  # an empty answer carries no version; asking again costs little
        _keep(answers, key, (rows[0][0], volunteers))
    return volunteers


def _keep(
    answers: OrderedDict[_Key, tuple[int, list[_Volunteer]]], key: _Key, kept: tuple[int, list[_Volunteer]]
) -> None:
    answers[key] = kept  # again: another request may have pushed it out while this one waited
    answers.move_to_end(key)
    while len(answers) > _Kept.SIZE:
        answers.popitem(last=False)


def _overrides(rows: Rows) -> dict[uuid.UUID, list[DateOverride]]:
    """Date overrides by volunteer, from rows of `_OVERRIDES`."""
    found: dict[uuid.UUID, list[DateOverride]] = {}
    for person, day, away, start, end, remote in rows:
        found.setdefault(as_uuid(person), []).append(DateOverride(day, bool(away), start, end, bool(remote)))
    return found


def _works_at(rows: Rows) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """The help points of each volunteer, from rows of `_WORKS_AT`."""
    found: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for person, help_point in rows:
        found[as_uuid(person)].add(as_uuid(help_point))
    return {person: frozenset(points) for person, points in found.items()}


@dataclass(frozen=True, slots=True)
class _Calendars:
    busy: dict[uuid.UUID, list[Interval]]
    per_week: dict[uuid.UUID, Counter[tuple[int, int]]]
    recent: Counter[uuid.UUID]


@dataclass(frozen=True, slots=True)
class _SessionWindow:
    since: datetime
    until: datetime
    recent_since: datetime
    now: datetime


def _session_window(first: date, last: date, now: datetime) -> _SessionWindow:
    """The sessions that matter for `first`..`last`: whole weeks around the range, so weekly caps count
    sessions outside it too, and the last four weeks before `now`, for fairness. Two ranges, not one from the
    earlier start to the later end: a booking weeks ahead needs nothing of the weeks between (each volunteer's
    every session there, which grew with every booking made)."""
    week_first = first - timedelta(days=first.weekday() + 1)
    week_last = last + timedelta(days=7 - last.weekday())
    since = datetime.combine(week_first, datetime.min.time(), tzinfo=now.tzinfo)
    until = datetime.combine(week_last, datetime.min.time(), tzinfo=now.tzinfo)
    return _SessionWindow(since, until, now - FAIRNESS_WINDOW, now)


def _calendars(rows: Rows, now: datetime) -> _Calendars:
    """From rows of `_SESSIONS` and `_SHIFTS`: active sessions and shifts block their time, and every one not
    cancelled counts towards its week's cap and, in the last four weeks, towards fairness."""
    calendars = _Calendars(defaultdict(list), defaultdict(Counter), Counter())
    busy, per_week, recent = calendars.busy, calendars.per_week, calendars.recent
    blocking = frozenset((*ACTIVE, "shift"))
    recent_since = now - FAIRNESS_WINDOW
    weeks: dict[datetime, tuple[int, int]] = {}  # many rows share a start (a drop-in hour's shifts)
    for volunteer_value, starts_at, ends_at, state in rows:
        volunteer = as_uuid(volunteer_value)
        if state in blocking:
            # The session itself; slot search keeps the buffer on both sides of it.
            busy[volunteer].append(Interval(starts_at, ends_at))
        if state != "cancelled":
            week = weeks.get(starts_at)
            if week is None:
                week = weeks[starts_at] = week_of(starts_at)
            per_week[volunteer][week] += 1
            if recent_since <= starts_at <= now:
                recent[volunteer] += 1
    return calendars


def _place(latitude: float | None, longitude: float | None) -> Place | None:
    return Place(latitude, longitude) if latitude is not None and longitude is not None else None


def _frozen(value: Any) -> frozenset[Any]:
    """A JSON list column (languages) as a frozenset, shared between the profiles that store the same text."""
    return _frozen_text(value) if isinstance(value, str) else frozenset(as_list(value))


@lru_cache(maxsize=1024)
def _frozen_text(text: str) -> frozenset[Any]:
    return frozenset(as_list(text))


def _needs(value: Any) -> frozenset[Need]:
    return _needs_text(value) if isinstance(value, str) else frozenset(Need(n) for n in as_list(value))


@lru_cache(maxsize=256)
def _needs_text(text: str) -> frozenset[Need]:
    return frozenset(Need(n) for n in as_list(text))
