"""What a volunteer offers: topics with skill, languages, places, remote work, home visits and a hard weekly
cap. Validated here; matching (server/domain/matching.py) reads it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from server.domain.errors import InvalidInput
from server.domain.matching import Need, Place

VOLUNTEER_LANGUAGES = ("fi", "sv", "en", "fi-plain")
MAX_WEEKLY_CAP = 20
MAX_TRAVEL_KM = 200


@dataclass(frozen=True, slots=True)
class VolunteerProfile:
    person_id: uuid.UUID
    languages: tuple[str, ...]
    remote: bool
    home_visits: bool
    home: Place | None
    travel_radius_km: float
    weekly_cap: int
    needs_experience: frozenset[Need]
    skills: dict[str, int]  # topic code -> 1..3
    help_point_ids: frozenset[uuid.UUID]


def validate_profile(profile: VolunteerProfile, *, known_topics: set[str], known_help_points: set[uuid.UUID]) -> None:
    if not profile.languages:
        raise InvalidInput("Choose at least one language you can help in.", code="languages_missing")
    unknown = [lang for lang in profile.languages if lang not in VOLUNTEER_LANGUAGES]
    if unknown:
        raise InvalidInput(f"Unknown language: {', '.join(unknown)}.", code="language_invalid")
    if not 1 <= profile.weekly_cap <= MAX_WEEKLY_CAP:
        raise InvalidInput(f"The weekly limit must be 1–{MAX_WEEKLY_CAP} sessions.", code="weekly_cap_invalid")
    if profile.home_visits:
        if profile.home is None:
            raise InvalidInput("Home visits need the place your travel is measured from.", code="home_missing")
        if not 0 < profile.travel_radius_km <= MAX_TRAVEL_KM:
            raise InvalidInput(f"The travel radius must be 1–{MAX_TRAVEL_KM} km.", code="radius_invalid")
    bad_skill = [code for code, level in profile.skills.items() if level not in (1, 2, 3)]
    if bad_skill:
        raise InvalidInput("Skill levels are 1 (basics), 2 (confident) or 3 (expert).", code="skill_invalid")
    unknown_topics = sorted(set(profile.skills) - known_topics)
    if unknown_topics:
        raise InvalidInput(f"Unknown topic: {', '.join(unknown_topics)}.", code="topic_unknown")
    unknown_points = profile.help_point_ids - known_help_points
    if unknown_points:
        raise InvalidInput("One of the help points does not exist or is closed.", code="help_point_unknown")
