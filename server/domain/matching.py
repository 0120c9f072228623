"""Matching: which volunteers may take a request, and in what order, with the reasons.

A pure function. Hard constraints first (active, topic, language, modality, place or travel radius, free at
that time, under the weekly cap); everyone who passes gets a score made of named parts, so a coordinator can
see why each candidate ranks where it does. Ties are broken by id, so the order never depends on input order.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from server.domain.clocktime import Interval
from server.domain.slots import SlotRules, VolunteerTime, free_at


class Modality(enum.StrEnum):
    HELP_POINT = "help_point"
    HOME_VISIT = "home_visit"
    PHONE = "phone"
    VIDEO = "video"

    @property
    def remote(self) -> bool:
        return self in (Modality.PHONE, Modality.VIDEO)


class Need(enum.StrEnum):
    """What a resident may tell us so that the helper can prepare; volunteers declare experience with them."""

    HEARING = "hearing"
    SIGHT = "sight"
    MOBILITY = "mobility"
    MEMORY = "memory"


# Points: the weights a coordinator reads in the explanation.
SKILL_POINTS = {1: 10, 2: 20, 3: 30}
CONTINUITY_POINTS = 25
FAIRNESS_MAX = 20
FAIRNESS_STEP = 4
NEED_POINTS = 10
DISTANCE_MAX = 20


@dataclass(frozen=True, slots=True)
class Place:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Request:
    topic: str
    language: str  # fi | sv | en | fi-plain (selkokieli)
    modality: Modality
    help_point_id: uuid.UUID | None = None
    home: Place | None = None  # for home visits
    when: Interval | None = None  # None: "call me when someone can help"
    needs: frozenset[Need] = frozenset()
    previous_volunteer_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    id: uuid.UUID
    active: bool
    skills: Mapping[str, int]  # topic code -> 1 (basics) … 3 (expert)
    languages: frozenset[str]
    help_point_ids: frozenset[uuid.UUID]
    remote: bool
    home_visits: bool
    home: Place | None = None
    travel_radius_km: float = 0.0
    needs_experience: frozenset[Need] = frozenset()
    recent_sessions: int = 0  # in the last four weeks: fairness
    time: VolunteerTime | None = None  # availability, busy periods and the weekly cap


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: int
    text: str
    value: str = ""  # the figure in the text (skill level, sessions, km), for screens that word it themselves


@dataclass(frozen=True, slots=True)
class Ranked:
    candidate_id: uuid.UUID
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Excluded:
    candidate_id: uuid.UUID
    code: str
    text: str


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: tuple[Ranked, ...]
    excluded: tuple[Excluded, ...]

    @property
    def best(self) -> Ranked | None:
        return self.ranked[0] if self.ranked else None


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


Why = tuple[str, str]  # (code, text) of an exclusion
_INACTIVE: Why = ("inactive", "not active")
_NOT_REMOTE: Why = ("modality", "does not take phone or video sessions")
_NOT_HERE: Why = ("place", "does not work at this help point")
_NO_HOME_VISITS: Why = ("modality", "does not make home visits")
_TOO_FAR: Why = ("distance", "the home is outside their travel radius")
_BUSY: Why = ("busy", "not free at that time, or at their weekly limit")


def _exclusion(request: Request, free: Callable[[VolunteerTime], bool] | None) -> Callable[[Candidate], Why | None]:
    """The hard constraints of one request, in order, as a check of one candidate (None: passes all). What
    depends only on the request (the modality, the reasons' texts) is worked out once, not per candidate."""
    topic, language, home, point = request.topic, request.language, request.home, request.help_point_id
    remote = request.modality.remote
    at_point = request.modality is Modality.HELP_POINT
    home_visit = request.modality is Modality.HOME_VISIT
    no_topic: Why = ("topic", f"does not help with {topic}")
    no_language: Why = ("language", f"does not speak {language}")

    def why_not(c: Candidate) -> Why | None:  # noqa: PLR0911 - one rule per line
        if not c.active:
            return _INACTIVE
        if topic not in c.skills:
            return no_topic
        if language not in c.languages:
            return no_language
        if remote and not c.remote:
            return _NOT_REMOTE
        if at_point and point not in c.help_point_ids:
            return _NOT_HERE
        if home_visit:
            if not c.home_visits:
                return _NO_HOME_VISITS
            if home is None or c.home is None or distance_km(c.home, home) > c.travel_radius_km:
                return _TOO_FAR
        if free is not None and (c.time is None or not free(c.time)):
            return _BUSY
        return None

    return why_not


class _Reasons:
    """The reasons of one ranking, with their total. Most candidates share their skill level and their
    recent-session count, so those reasons (immutable) are made once per value instead of once per candidate."""

    def __init__(self, request: Request) -> None:
        self._topic = request.topic
        self._previous = request.previous_volunteer_id
        self._needs = request.needs
        # Distance counts only for home visits, and only with both places known.
        self._home = request.home if request.modality is Modality.HOME_VISIT else None
        self._common: dict[tuple[int, int], tuple[tuple[Reason, ...], int]] = {}

    def of(self, c: Candidate) -> tuple[tuple[Reason, ...], int]:
        skill = c.skills[self._topic]
        key = (skill, c.recent_sessions)
        common = self._common.get(key)
        if common is None:
            fairness = max(0, FAIRNESS_MAX - FAIRNESS_STEP * c.recent_sessions)
            pair = (
                Reason("skill", SKILL_POINTS.get(skill, 10), f"skill level {skill} in {self._topic}", str(skill)),
                Reason(
                    "fairness", fairness, f"{c.recent_sessions} sessions in the last four weeks", str(c.recent_sessions)
                ),
            )
            common = self._common[key] = (pair, pair[0].points + pair[1].points)
        continuity = self._previous == c.id
        needs = self._needs & c.needs_experience if self._needs else None
        home = self._home
        distance = home is not None and c.home is not None and c.travel_radius_km > 0
        if not (continuity or needs or distance):
            return common
        skill_reason, fairness_reason = common[0]
        reasons = [skill_reason]
        if continuity:
            reasons.append(_CONTINUITY)
        reasons.append(fairness_reason)
        for need in sorted(needs or ()):
            reasons.append(_NEED_REASONS[need])
        if distance:
            assert home is not None
            assert c.home is not None
            km = distance_km(c.home, home)
            points = round(DISTANCE_MAX * (1 - km / c.travel_radius_km))
            reasons.append(Reason("distance", max(points, 0), f"{km:.1f} km away", f"{km:.1f}"))
        return tuple(reasons), sum(r.points for r in reasons)


_CONTINUITY = Reason("continuity", CONTINUITY_POINTS, "helped this resident last time")
_NEED_REASONS = {n: Reason(f"need_{n.value}", NEED_POINTS, f"experienced with {n.value} needs") for n in Need}


def rank(request: Request, candidates: Iterable[Candidate], rules: SlotRules | None = None) -> Ranking:
    """Everyone who may take the request, best first, with the reasons; and everyone else, with why not."""
    free = free_at(request.when, rules or SlotRules()) if request.when is not None else None
    why_not = _exclusion(request, free)
    reasons_of = _Reasons(request).of
    ranked: list[Ranked] = []
    excluded: list[Excluded] = []
    for candidate in candidates:
        reason = why_not(candidate)
        if reason is not None:
            excluded.append(Excluded(candidate.id, *reason))
            continue
        reasons, score = reasons_of(candidate)
        ranked.append(Ranked(candidate.id, score, reasons))
    # Ties by id: UUIDs order as their strings do (fixed-width hex), without building the strings.
    ranked.sort(key=lambda r: (-r.score, r.candidate_id.int))
    excluded.sort(key=lambda e: e.candidate_id.int)
    return Ranking(tuple(ranked), tuple(excluded))
