"""Matching: which volunteers may take a request, and in what order, with the reasons.

A pure function. Hard constraints first (active, topic, language, modality, place or travel radius, free at
that time, under the weekly cap); everyone who passes gets a score made of named parts, so a coordinator can
see why each candidate ranks where it does. Ties are broken by id, so the order never depends on input order.
"""

from __future__ import annotations

import enum
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from server.domain.clocktime import Interval
from server.domain.slots import SlotRules, VolunteerTime, is_free


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


def _exclusion(request: Request, c: Candidate, rules: SlotRules) -> tuple[str, str] | None:  # noqa: PLR0911 - one rule per line
    if not c.active:
        return "inactive", "not active"
    if request.topic not in c.skills:
        return "topic", f"does not help with {request.topic}"
    if request.language not in c.languages:
        return "language", f"does not speak {request.language}"
    if request.modality.remote and not c.remote:
        return "modality", "does not take phone or video sessions"
    if request.modality is Modality.HELP_POINT and request.help_point_id not in c.help_point_ids:
        return "place", "does not work at this help point"
    if request.modality is Modality.HOME_VISIT:
        if not c.home_visits:
            return "modality", "does not make home visits"
        if request.home is None or c.home is None or distance_km(c.home, request.home) > c.travel_radius_km:
            return "distance", "the home is outside their travel radius"
    if request.when is not None and (c.time is None or not is_free(c.time, request.when, rules)):
        return "busy", "not free at that time, or at their weekly limit"
    return None


def _score(request: Request, c: Candidate) -> tuple[Reason, ...]:
    skill = c.skills[request.topic]
    reasons = [Reason("skill", SKILL_POINTS.get(skill, 10), f"skill level {skill} in {request.topic}")]
    if request.previous_volunteer_id == c.id:
        reasons.append(Reason("continuity", CONTINUITY_POINTS, "helped this resident last time"))
    fairness = max(0, FAIRNESS_MAX - FAIRNESS_STEP * c.recent_sessions)
    reasons.append(Reason("fairness", fairness, f"{c.recent_sessions} sessions in the last four weeks"))
    for need in sorted(request.needs & c.needs_experience):
        reasons.append(Reason(f"need_{need.value}", NEED_POINTS, f"experienced with {need.value} needs"))
    if request.modality is Modality.HOME_VISIT and request.home and c.home and c.travel_radius_km > 0:
        km = distance_km(c.home, request.home)
        points = round(DISTANCE_MAX * (1 - km / c.travel_radius_km))
        reasons.append(Reason("distance", max(points, 0), f"{km:.1f} km away"))
    return tuple(reasons)


def rank(request: Request, candidates: Iterable[Candidate], rules: SlotRules | None = None) -> Ranking:
    """Everyone who may take the request, best first, with the reasons; and everyone else, with why not."""
    rules = rules or SlotRules()
    ranked: list[Ranked] = []
    excluded: list[Excluded] = []
    for candidate in candidates:
        reason = _exclusion(request, candidate, rules)
        if reason is not None:
            excluded.append(Excluded(candidate.id, *reason))
            continue
        reasons = _score(request, candidate)
        ranked.append(Ranked(candidate.id, sum(r.points for r in reasons), reasons))
    ranked.sort(key=lambda r: (-r.score, str(r.candidate_id)))
    excluded.sort(key=lambda e: str(e.candidate_id))
    return Ranking(tuple(ranked), tuple(excluded))
