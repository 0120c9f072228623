"""HTTP shapes for topics, volunteer profiles and availability."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated, Literal

import msgspec

from server.domain.availability import DateOverride, WeeklyRule
from server.domain.matching import Need, Place
from server.domain.topics import Outcome, Topic
from server.domain.volunteers import VolunteerProfile
from server.http.schemas import SINGLE_LINE, Input

TopicCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$", examples=["online_banking"])]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=120, pattern=SINGLE_LINE)]
Item = Annotated[str, msgspec.Meta(min_length=1, max_length=160, pattern=SINGLE_LINE)]
VolunteerLanguage = Literal["fi", "sv", "en", "fi-plain"]
NeedName = Literal["hearing", "sight", "mobility", "memory"]


class LocalText(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    fi: Label
    sv: Label
    en: Label


class LocalList(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    fi: Annotated[list[Item], msgspec.Meta(max_length=15)] = []
    sv: Annotated[list[Item], msgspec.Meta(max_length=15)] = []
    en: Annotated[list[Item], msgspec.Meta(max_length=15)] = []


class OutcomeIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    code: TopicCode
    names: LocalText


class TopicIn(Input):
    names: LocalText
    bring: LocalList = msgspec.field(default_factory=LocalList)
    outcomes: Annotated[list[OutcomeIO], msgspec.Meta(max_length=20)] = []
    partner_only_organisation_id: uuid.UUID | None = None
    sort_order: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 100
    active: bool = True

    def domain(self, code: str) -> Topic:
        return Topic(
            code=code,
            names={"fi": self.names.fi, "sv": self.names.sv, "en": self.names.en},
            bring={"fi": list(self.bring.fi), "sv": list(self.bring.sv), "en": list(self.bring.en)},
            outcomes=[Outcome(o.code, {"fi": o.names.fi, "sv": o.names.sv, "en": o.names.en}) for o in self.outcomes],
            partner_only_organisation_id=self.partner_only_organisation_id,
            sort_order=self.sort_order,
            active=self.active,
        )


class TopicCreate(TopicIn, kw_only=True):
    code: TopicCode


class TopicOut(msgspec.Struct, kw_only=True):
    code: str
    names: dict[str, str]
    bring: dict[str, list[str]]
    outcomes: list[OutcomeIO]
    partner_only_organisation_id: uuid.UUID | None
    sort_order: int
    active: bool

    @classmethod
    def of(cls, t: Topic) -> TopicOut:
        return cls(
            code=t.code,
            names=t.names,
            bring=t.bring,
            outcomes=[OutcomeIO(code=o.code, names=LocalText(**o.names)) for o in t.outcomes],
            partner_only_organisation_id=t.partner_only_organisation_id,
            sort_order=t.sort_order,
            active=t.active,
        )


class ServedTopics(Input):
    topics: Annotated[list[TopicCode], msgspec.Meta(max_length=100)]


class ServedTopicsOut(msgspec.Struct, kw_only=True):
    topics: list[str]


class PlaceIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    latitude: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    longitude: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class SkillIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    topic: TopicCode
    skill: Annotated[int, msgspec.Meta(ge=1, le=3, description="1 basics, 2 confident, 3 expert")]


class VolunteerProfileIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    languages: Annotated[list[VolunteerLanguage], msgspec.Meta(min_length=1, max_length=4)]
    remote: bool = False
    home_visits: bool = False
    home: PlaceIO | None = None
    travel_radius_km: Annotated[float, msgspec.Meta(ge=0, le=200)] = 0.0
    weekly_cap: Annotated[int, msgspec.Meta(ge=1, le=20)] = 3
    needs_experience: Annotated[list[NeedName], msgspec.Meta(max_length=4)] = []
    topics: Annotated[list[SkillIO], msgspec.Meta(max_length=100)] = []
    help_point_ids: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] = []

    def domain(self, person_id: uuid.UUID) -> VolunteerProfile:
        return VolunteerProfile(
            person_id=person_id,
            languages=tuple(dict.fromkeys(self.languages)),
            remote=self.remote,
            home_visits=self.home_visits,
            home=Place(self.home.latitude, self.home.longitude) if self.home else None,
            travel_radius_km=self.travel_radius_km,
            weekly_cap=self.weekly_cap,
            needs_experience=frozenset(Need(n) for n in self.needs_experience),
            skills={s.topic: s.skill for s in self.topics},
            help_point_ids=frozenset(self.help_point_ids),
        )

    @classmethod
    def of(cls, p: VolunteerProfile) -> VolunteerProfileIO:
        return cls(
            languages=list(p.languages),  # type: ignore[arg-type]
            remote=p.remote,
            home_visits=p.home_visits,
            home=PlaceIO(latitude=p.home.latitude, longitude=p.home.longitude) if p.home else None,
            travel_radius_km=p.travel_radius_km,
            weekly_cap=p.weekly_cap,
            needs_experience=sorted(n.value for n in p.needs_experience),
            topics=[SkillIO(topic=t, skill=s) for t, s in sorted(p.skills.items())],
            help_point_ids=sorted(p.help_point_ids, key=str),
        )


class RuleIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    weekday: Annotated[int, msgspec.Meta(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
    start: time
    end: time
    remote: bool = False


class OverrideIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    day: date
    away: bool
    start: time | None = None
    end: time | None = None
    remote: bool = False


class AvailabilityIO(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rules: Annotated[list[RuleIO], msgspec.Meta(max_length=50)] = []
    overrides: Annotated[list[OverrideIO], msgspec.Meta(max_length=200)] = []

    def domain(self) -> tuple[list[WeeklyRule], list[DateOverride]]:
        rules = [WeeklyRule(r.weekday, _naive(r.start), _naive(r.end), r.remote) for r in self.rules]
        overrides = [
            DateOverride(
                o.day, o.away, _naive(o.start) if o.start else None, _naive(o.end) if o.end else None, o.remote
            )
            for o in self.overrides
        ]
        return rules, overrides

    @classmethod
    def of(cls, rules: list[WeeklyRule], overrides: list[DateOverride]) -> AvailabilityIO:
        return cls(
            rules=[RuleIO(weekday=r.weekday, start=r.start, end=r.end, remote=r.remote) for r in rules],
            overrides=[
                OverrideIO(day=o.day, away=o.away, start=o.start, end=o.end, remote=o.remote) for o in overrides
            ],
        )


def _naive(value: time) -> time:
    """Availability is local wall-clock time; an offset sent by a client is ignored, not converted."""
    return value.replace(tzinfo=None)
