"""The network: partner organisations, their help points and weekly opening hours."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time

from server.domain.errors import InvalidInput
from server.domain.municipalities import municipality_name


class OrganisationKind(enum.StrEnum):
    MUNICIPALITY = "municipality"
    LIBRARY = "library"
    ASSOCIATION = "association"
    EDUCATION = "education"
    NGO = "ngo"
    COMPANY = "company"


# A place's or partner's own words in Swedish and English: {"sv": {"name": …}, "en": {…}}. Finnish is kept in the
# fields themselves and is the fallback, marked as such where it is shown in another language.
Translations = Mapping[str, Mapping[str, str]]
TRANSLATED = ("sv", "en")
PLACE_FIELDS = ("name", "street_address", "accessibility_notes")
PARTNER_FIELDS = ("name", "description")


@dataclass(frozen=True, slots=True)
class Organisation:
    id: uuid.UUID
    name: str
    kind: OrganisationKind
    municipality: str
    phone: str | None
    active: bool
    created_at: datetime
    description: str = ""  # what the partner helps with, in Finnish
    translations: Translations = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OpeningPeriod:
    weekday: int  # 0 = Monday … 6 = Sunday
    opens: time
    closes: time


@dataclass(frozen=True, slots=True)
class HelpPoint:
    id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    street_address: str
    postal_code: str
    municipality: str
    latitude: float | None
    longitude: float | None
    accessibility_notes: str
    active: bool
    opening_hours: tuple[OpeningPeriod, ...]
    translations: Translations = field(default_factory=dict)


def validate_opening_hours(periods: list[OpeningPeriod]) -> list[OpeningPeriod]:
    """Each period opens before it closes, within one day, and periods of a weekday do not overlap.
    Returns the periods sorted by weekday and time."""
    ordered = sorted(periods, key=lambda p: (p.weekday, p.opens))
    for index, period in enumerate(ordered):
        if not 0 <= period.weekday <= 6:
            raise InvalidInput("Weekday must be 0 (Monday) to 6 (Sunday).", code="weekday_invalid")
        if period.opens >= period.closes:
            raise InvalidInput(
                f"Opening hours on weekday {period.weekday}: opening time {period.opens:%H:%M} must be before "
                f"closing time {period.closes:%H:%M}.",
                code="opening_hours_order",
            )
        if index and ordered[index - 1].weekday == period.weekday and ordered[index - 1].closes > period.opens:
            raise InvalidInput(
                f"Opening hours on weekday {period.weekday} overlap ({ordered[index - 1].opens:%H:%M}–"
                f"{ordered[index - 1].closes:%H:%M} and {period.opens:%H:%M}–{period.closes:%H:%M}).",
                code="opening_hours_overlap",
            )
    return ordered


def validate_coordinates(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise InvalidInput("Give both latitude and longitude, or neither.", code="coordinates_incomplete")
    if latitude is not None and longitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput("Coordinates are out of range.", code="coordinates_invalid")


def in_language(finnish: str, translations: Translations, name: str, language: str) -> tuple[str, bool]:
    """A field in `language`: its translation, or the Finnish text (then True: shown in Finnish)."""
    if language not in TRANSLATED:
        return finnish, False
    text = translations.get(language, {}).get(name, "").strip()
    if text:
        return text, False
    return finnish, bool(finnish.strip())


def place_in(
    name: str, street: str, notes: str, municipality: str, translations: Translations, language: str
) -> tuple[str, str, str, str, list[str]]:
    """A help point's name, street address, municipality and accessibility notes in `language`, and which of the
    translatable ones are shown in Finnish."""

    shown = [
        in_language(text, translations, field, language)
        for text, field in zip((name, street, notes), PLACE_FIELDS, strict=True)
    ]
    fallback = [field for field, (_, finnish) in zip(PLACE_FIELDS, shown, strict=True) if finnish]
    return shown[0][0], shown[1][0], municipality_name(municipality, language), shown[2][0], fallback


def clean_translations(
    given: Mapping[str, Mapping[str, str | None]], fields: tuple[str, ...]
) -> dict[str, dict[str, str]]:
    """Only Swedish and English, only the fields a place or partner has, without empty ones."""
    cleaned: dict[str, dict[str, str]] = {}
    for language in TRANSLATED:
        texts = {k: (v or "").strip() for k, v in given.get(language, {}).items() if k in fields}
        texts = {k: v for k, v in texts.items() if v}
        if texts:
            cleaned[language] = texts
    return cleaned
