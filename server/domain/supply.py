"""Demand against supply, for the coordinators' charts: the requests of a period next to the volunteer hours
offered, grouped by topic, municipality or hour of the day. Pure: facts in, groups out; the caller hands in
the period and the facts already scoped to the organisations it oversees.

**Demand** is the requests created in the period (the same requests, attributed the same way, as the other
statistics, so the totals agree). By hour, a request counts at the local hour its latest session starts (the
time agreed with the resident); one that never got a session has no hour and is shown as its own group.

**Supply** is the *average weekly volunteer hours* over the period: for each volunteer, the hours their
weekly rules (Helsinki wall-clock time) and date exceptions make them available on the period's dates, summed
and divided by the period's length in weeks (days / 7). Only hours in which matching could use them count:

* the volunteer is active now, with an active volunteer membership in an active organisation (one the caller
  oversees, for a partner coordinator);
* their in-person hours count if they work at a help point or make home visits, their remote hours if they
  take phone and video sessions; an hour that is both counts once (they can be in one place at a time);
* by **topic**: in every active topic they declared, except partner-only ones (those go to the partner's own
  staff, never to volunteers), so one volunteer's hours appear under each of their topics;
* by **municipality**: in-person hours in the municipalities of their help points (and of their organisation,
  if they make home visits); remote hours in their organisation's municipality, where a remote request is
  attributed too; a volunteer's hours appear in each municipality they serve, counted once in each;
* by **hour**: the hours of availability falling in each local clock hour (0–23). On the autumn
  daylight-saving night 03–04 happens twice and counts twice; in spring it does not happen at all.

The groups of topic and municipality overlap, so the total is each volunteer counted once, not their sum.
Weekly rules and memberships have no history: a past period is measured with the rules and memberships
volunteers have now, and the date exceptions recorded for its dates.
"""

from __future__ import annotations

import enum
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

from server.domain.availability import DateOverride, WeeklyRule, expand, merge
from server.domain.clocktime import HELSINKI, Interval, days, local_start
from server.domain.statistics import GroupBy, RequestFacts, key_of, label, start_hour
from server.domain.topics import Topic

HOURS = tuple(f"{h:02d}" for h in range(24))
NO_TIME = {"fi": "Ei aikaa", "sv": "Ingen tid", "en": "No time"}


class SupplyBy(enum.StrEnum):
    TOPIC = "topic"
    MUNICIPALITY = "municipality"
    HOUR = "hour"


@dataclass(frozen=True, slots=True)
class VolunteerFacts:
    """One volunteer in scope with what supply needs of them (see the module docstring)."""

    person_id: uuid.UUID
    rules: tuple[WeeklyRule, ...]
    overrides: tuple[DateOverride, ...]  # those on the period's dates are enough
    topics: frozenset[str]
    remote: bool  # takes phone and video sessions
    home_visits: bool
    help_point_municipalities: frozenset[str]
    organisation_municipalities: frozenset[str]


@dataclass(frozen=True, slots=True)
class Balance:
    key: str | None  # topic code, municipality, "00".."23"; None: no municipality or no time
    label: str
    requests: int
    volunteer_hours: float  # average per week


@dataclass(frozen=True, slots=True)
class DemandSupply:
    by: SupplyBy
    first: date
    last: date
    groups: list[Balance]
    requests: int
    volunteer_hours: float  # every volunteer once

    @property
    def weeks(self) -> float:
        return weeks(self.first, self.last)

    def per_week(self, requests: int) -> float:
        return requests / self.weeks


def weeks(first: date, last: date) -> float:
    return ((last - first).days + 1) / 7


_SECOND = 1_000_000  # in microseconds, the unit hours are summed in (exact, whatever the order)
_HOUR = 3_600 * _SECOND
_DAY = 24 * _HOUR


def _as_hours(microseconds: int) -> float:
    """As `timedelta(microseconds=…).total_seconds() / 3600`, to the last bit."""
    return microseconds / _SECOND / 3600


def _microseconds(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * _SECOND + span.microseconds


def _hourly(intervals: Iterable[Interval], found: list[int]) -> None:
    """Add the microseconds of `intervals` falling in each Helsinki clock hour 0..23 to `found`. Helsinki's offset
    from UTC is always a whole number of hours, so a local hour begins exactly when a UTC hour does: cutting at
    UTC hours and naming each piece by its local hour is exact, also on the daylight-saving nights."""
    for interval in intervals:
        at = interval.start
        while at < interval.end:
            cut = min(interval.end, at.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
            found[at.astimezone(HELSINKI).hour] += _microseconds(cut - at)
            at = cut


def by_local_hour(intervals: Iterable[Interval]) -> list[float]:
    """Hours of `intervals` falling in each Helsinki clock hour 0..23."""
    found = [0] * 24
    _hourly(intervals, found)
    return [_as_hours(u) for u in found]


def _clock(at: time, *, end: bool = False) -> int:
    """A time of day in microseconds from midnight; as an end, midnight is the end of the day."""
    since = ((at.hour * 60 + at.minute) * 60 + at.second) * _SECOND + at.microsecond
    return _DAY if end and since == 0 else since


# Weekly rules, the exceptions on the period's dates, and the kinds of hours wanted (in person, remote).
_Key = tuple[tuple[WeeklyRule, ...], tuple[DateOverride, ...], bool, bool]
# A volunteer's hours of some kinds in the period: in all and in each local clock hour, in microseconds.
_Measured = tuple[int, list[int]]


class _Availability:
    """A period's volunteer hours, worked out once per distinct set of weekly rules, exceptions and kinds.

    Ten thousand volunteers each with their own weekly hours are common, so a volunteer's hours are not expanded day
    by day: on a day whose clocks do not change (every day but two a year), a weekly rule's local times are its UTC
    length and its clock hours, so each weekday's merged rules are measured once and multiplied by how many such
    days of that weekday the period has. The daylight-saving days and the days with an exception are expanded
    exactly (`server/domain/availability.py` `expand`), as before."""

    def __init__(self, first: date, last: date) -> None:
        self.first, self.last = first, last
        # The days of each weekday on which the clocks do not change; the two a year on which they do.
        changing = {
            d
            for d in days(first, last)
            if local_start(d + timedelta(days=1), time(0)) - local_start(d, time(0)) != timedelta(days=1)
        }
        self._changing = frozenset(changing)
        self._regular = [0] * 7
        for day in days(first, last):
            if day not in changing:
                self._regular[day.weekday()] += 1
        self._done: dict[_Key, _Measured] = {}

    def _key(self, v: VolunteerFacts, in_person: bool, remote: bool) -> _Key:
        return (v.rules, tuple(o for o in v.overrides if self.first <= o.day <= self.last), in_person, remote)

    def hours(self, v: VolunteerFacts, *, in_person: bool, remote: bool) -> float:
        """The volunteer's hours of the kinds asked in the period: an hour that is both counts once."""
        return _as_hours(self._measured(v, in_person, remote)[0])

    def hourly(self, v: VolunteerFacts, *, in_person: bool, remote: bool) -> list[float]:
        """The same hours in each Helsinki clock hour 0..23."""
        return [_as_hours(u) for u in self._measured(v, in_person, remote)[1]]

    def _measured(self, v: VolunteerFacts, in_person: bool, remote: bool) -> _Measured:
        key = self._key(v, in_person, remote)
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = self._measure(*key)
        return found

    def _measure(
        self, rules: tuple[WeeklyRule, ...], overrides: tuple[DateOverride, ...], in_person: bool, remote: bool
    ) -> _Measured:
        kinds = (False, True) if in_person and remote else (remote,) if in_person or remote else ()
        exact = self._changing | {o.day for o in overrides}
        regular = list(self._regular)
        for day in exact - self._changing:
            regular[day.weekday()] -= 1
        by_weekday: list[list[WeeklyRule]] = [[], [], [], [], [], [], []]
        for r in rules:
            if r.remote in kinds:
                by_weekday[r.weekday].append(r)
        total, hourly = 0, [0] * 24
        for weekday, todays in enumerate(by_weekday):
            if regular[weekday] and todays:
                length, hours = _day_of(tuple((_clock(r.start), _clock(r.end, end=True)) for r in todays))
                times = regular[weekday]
                total += times * length
                for hour, part in hours:
                    hourly[hour] += times * part
        for day in sorted(exact):
            on_day = tuple(o for o in overrides if o.day == day)
            length, hours = _exact_day(day, tuple(by_weekday[day.weekday()]), on_day, kinds)
            total += length
            for hour, part in hours:
                hourly[hour] += part
        return total, hourly


@lru_cache(maxsize=65_536)
def _day_of(spans: tuple[tuple[int, int], ...]) -> tuple[int, tuple[tuple[int, int], ...]]:
    """A day's merged local spans, on a day whose clocks do not change: microseconds in all and per clock hour
    (hours with none left out). Cached: volunteers share the same hours on a weekday even when their weeks
    differ."""
    total, hourly = 0, [0] * 24
    for start, end in _union(list(spans)):
        total += end - start
        at = start
        while at < end:
            cut = min(end, (at // _HOUR + 1) * _HOUR)
            hourly[at // _HOUR] += cut - at
            at = cut
    return total, tuple((hour, part) for hour, part in enumerate(hourly) if part)


@lru_cache(maxsize=65_536)
def _exact_day(
    day: date, rules: tuple[WeeklyRule, ...], overrides: tuple[DateOverride, ...], kinds: tuple[bool, ...]
) -> tuple[int, tuple[tuple[int, int], ...]]:
    """One day's hours of the kinds asked, expanded exactly (a daylight-saving day, or one with an exception), as
    `_day_of` measures them."""
    spans = merge([i for kind in kinds for i in expand(list(rules), list(overrides), day, day, remote=kind)])
    hourly = [0] * 24
    _hourly(spans, hourly)
    return sum(_microseconds(i.duration) for i in spans), tuple((h, part) for h, part in enumerate(hourly) if part)


def _union(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, with touching or overlapping spans joined."""
    joined: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    return joined


def _in_person(v: VolunteerFacts) -> bool:
    return bool(v.help_point_municipalities) or v.home_visits


def supply(
    volunteers: Sequence[VolunteerFacts], topics: Sequence[Topic], by: SupplyBy, *, first: date, last: date
) -> tuple[dict[str, float], float]:
    """Average weekly volunteer hours per group key, and in all (each volunteer once)."""
    period = _Availability(first, last)
    matchable = {t.code for t in topics if t.active and t.partner_only_organisation_id is None}
    found: dict[str, float] = defaultdict(float)
    total = 0.0
    for v in volunteers:
        usable = period.hours(v, in_person=_in_person(v), remote=v.remote)
        total += usable
        if by is SupplyBy.TOPIC:
            for code in v.topics & matchable:
                found[code] += usable
        elif by is SupplyBy.HOUR:
            for hour, hours in enumerate(period.hourly(v, in_person=_in_person(v), remote=v.remote)):
                found[HOURS[hour]] += hours
        else:
            for municipality, (in_person, remote) in _areas(v).items():
                found[municipality] += period.hours(v, in_person=in_person, remote=remote)
    length = weeks(first, last)
    return {k: h / length for k, h in found.items() if h}, total / length


def _areas(v: VolunteerFacts) -> dict[str, tuple[bool, bool]]:
    """Municipality -> which of the volunteer's hours count there: (in-person, remote)."""
    areas: dict[str, tuple[bool, bool]] = {}
    in_person_at = set(v.help_point_municipalities)
    if v.home_visits:
        in_person_at |= v.organisation_municipalities
    for municipality in in_person_at | (v.organisation_municipalities if v.remote else set()):
        areas[municipality] = (
            municipality in in_person_at,
            v.remote and municipality in v.organisation_municipalities,
        )
    return areas


def hour_key(hour: int | None) -> str | None:
    """A clock hour's group key, "00".."23"; None: no session, no time."""
    return None if hour is None else HOURS[hour]


def demand_label(by: SupplyBy, key: str | None, language: str, *, topic_names: Mapping[str, str]) -> str:
    """A demand group's name in `language` (topics and municipalities named as in the other statistics)."""
    if by is SupplyBy.HOUR:
        return key or NO_TIME.get(language, NO_TIME["en"])
    return label(GroupBy(by.value), key, language, topic_names=topic_names, partner_name=None)


def demand(
    rows: Iterable[RequestFacts], by: SupplyBy, language: str
) -> tuple[dict[str | None, int], dict[str | None, str]]:
    """Requests per group, and each group's label."""
    requests: dict[str | None, int] = defaultdict(int)
    labels: dict[str | None, str] = {}
    for row in rows:
        key = hour_key(start_hour(row)) if by is SupplyBy.HOUR else key_of(row, GroupBy(by.value))
        requests[key] += 1
        if key not in labels:
            labels[key] = demand_label(by, key, language, topic_names=row.topic_names)
    return requests, labels


def demand_supply(
    rows: Sequence[RequestFacts],
    volunteers: Sequence[VolunteerFacts],
    topics: Sequence[Topic],
    by: SupplyBy,
    *,
    first: date,
    last: date,
    language: str = "fi",
) -> DemandSupply:
    """Requests (already limited to the period and the caller's organisations) and supply side by side."""
    requests, labels = demand(rows, by, language)
    return balance(requests, labels, volunteers, topics, by, first=first, last=last, language=language)


def balance(
    requests: Mapping[str | None, int],
    labels: Mapping[str | None, str],
    volunteers: Sequence[VolunteerFacts],
    topics: Sequence[Topic],
    by: SupplyBy,
    *,
    first: date,
    last: date,
    language: str = "fi",
) -> DemandSupply:
    """The requests per group (`demand`, or counted in SQL from the kept facts) next to the supply. Hours come in
    clock order, every hour of the day; topics and municipalities with demand or supply, most requests first, then
    most hours, then by label."""
    labels = dict(labels)
    hours, total = supply(volunteers, topics, by, first=first, last=last)
    if by is SupplyBy.HOUR:
        keys: list[str | None] = [*HOURS, *([None] if None in requests else [])]
        groups = [Balance(k, labels.get(k, k or ""), requests.get(k, 0), hours.get(k or "", 0.0)) for k in keys]
    else:
        if by is SupplyBy.TOPIC:
            for t in topics:
                labels.setdefault(t.code, _name(t.names, language) or t.code)
        groups = [
            Balance(k, labels.get(k) or k or "", requests.get(k, 0), hours.get(k, 0.0) if k is not None else 0.0)
            for k in {*requests, *hours}
        ]
        groups.sort(key=lambda g: (-g.requests, -g.volunteer_hours, g.label.casefold(), g.key or ""))
    return DemandSupply(
        by=by, first=first, last=last, groups=groups, requests=sum(requests.values()), volunteer_hours=total
    )


def _name(names: Mapping[str, str], language: str) -> str:
    return names.get(language) or names.get("fi") or ""
