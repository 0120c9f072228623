"""Supply rules: average weekly volunteer hours by topic, municipality and local hour (daylight-saving nights
included), and demand beside it."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from server.domain.availability import DateOverride, WeeklyRule, expand, merge
from server.domain.clocktime import Interval
from server.domain.statistics import RequestFacts
from server.domain.supply import HOURS, SupplyBy, VolunteerFacts, by_local_hour, demand_supply, supply
from server.domain.topics import Topic

ORG = uuid.UUID("00000000-0000-0000-0000-00000000000a")
WEEK = (date(2026, 11, 16), date(2026, 11, 22))  # Monday to Sunday
TWO_WEEKS = (date(2026, 11, 16), date(2026, 11, 29))
MONDAY_9_15 = WeeklyRule(0, time(9), time(15))  # 6 h
WEDNESDAY_17_19_REMOTE = WeeklyRule(2, time(17), time(19), remote=True)  # 2 h


def topic(code: str, *, active: bool = True, partner_only: bool = False) -> Topic:
    return Topic(
        code=code,
        names={"fi": code.title(), "sv": code, "en": code.upper()},
        bring={},
        outcomes=[],
        partner_only_organisation_id=ORG if partner_only else None,
        sort_order=10,
        active=active,
    )


TOPICS = [topic("banking"), topic("scams")]


def volunteer(**changes: object) -> VolunteerFacts:
    """At a Kuusamo help point on Mondays 9–15, remote on Wednesdays 17–19; their organisation is in Kuusamo."""
    base = VolunteerFacts(
        person_id=uuid.uuid4(),
        rules=(MONDAY_9_15, WEDNESDAY_17_19_REMOTE),
        overrides=(),
        topics=frozenset({"banking"}),
        remote=True,
        home_visits=False,
        help_point_municipalities=frozenset({"Kuusamo"}),
        organisation_municipalities=frozenset({"Kuusamo"}),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def hours(
    volunteers: list[VolunteerFacts], by: SupplyBy = SupplyBy.TOPIC, period: tuple[date, date] = WEEK
) -> tuple[dict[str, float], float]:
    return supply(volunteers, TOPICS, by, first=period[0], last=period[1])


def test_supply_is_the_weekly_hours_averaged_over_the_period() -> None:
    assert hours([volunteer()]) == ({"banking": 8.0}, 8.0)
    assert hours([volunteer()], period=TWO_WEEKS) == ({"banking": 8.0}, 8.0)
    assert hours([volunteer()], period=(date(2026, 11, 16), date(2026, 11, 18)))[1] == pytest.approx(8 * 7 / 3)


def test_an_away_day_and_extra_hours_count_in_their_week_only() -> None:
    away = volunteer(overrides=(DateOverride(date(2026, 11, 23), away=True),))
    assert hours([away], period=TWO_WEEKS)[1] == 5.0  # (8 + 2) / 2
    extra = volunteer(overrides=(DateOverride(date(2026, 11, 17), away=False, start=time(10), end=time(12)),))
    assert hours([extra], period=TWO_WEEKS)[1] == 9.0  # (10 + 8) / 2
    assert hours([extra], period=(date(2026, 11, 23), date(2026, 11, 29)))[1] == 8.0


def test_only_hours_matching_could_use_count() -> None:
    assert hours([volunteer(remote=False)])[1] == 6.0, "remote hours of someone who takes no remote sessions"
    nowhere = volunteer(help_point_municipalities=frozenset())
    assert hours([nowhere])[1] == 2.0, "in-person hours without a help point or home visits"
    assert hours([replace(nowhere, home_visits=True)])[1] == 8.0


def test_an_hour_both_in_person_and_remote_counts_once() -> None:
    both = volunteer(rules=(MONDAY_9_15, WeeklyRule(0, time(14), time(16), remote=True)))
    assert hours([both])[1] == 7.0


def test_every_declared_topic_gets_the_hours_but_the_total_counts_each_volunteer_once() -> None:
    found, total = hours([volunteer(topics=frozenset({"banking", "scams"})), volunteer()])
    assert found == {"banking": 16.0, "scams": 8.0}
    assert total == 16.0


def test_partner_only_and_inactive_topics_get_no_volunteer_hours() -> None:
    topics = [topic("banking", partner_only=True), topic("scams", active=False), topic("phones")]
    found, total = supply(
        [volunteer(topics=frozenset({"banking", "scams", "phones"}))],
        topics,
        SupplyBy.TOPIC,
        first=WEEK[0],
        last=WEEK[1],
    )
    assert (found, total) == ({"phones": 8.0}, 8.0)


def test_in_person_hours_count_where_the_help_points_are_and_remote_hours_where_the_organisation_is() -> None:
    v = volunteer(
        help_point_municipalities=frozenset({"Kuusamo", "Posio"}),
        organisation_municipalities=frozenset({"Taivalkoski"}),
    )
    assert hours([v], SupplyBy.MUNICIPALITY) == ({"Kuusamo": 6.0, "Posio": 6.0, "Taivalkoski": 2.0}, 8.0)
    home = replace(v, home_visits=True, help_point_municipalities=frozenset())
    assert hours([home], SupplyBy.MUNICIPALITY) == ({"Taivalkoski": 8.0}, 8.0)


def test_by_hour_each_local_clock_hour_gets_the_hours_in_it() -> None:
    half = volunteer(rules=(WeeklyRule(0, time(9, 30), time(11)),), remote=False)
    found, total = hours([half], SupplyBy.HOUR)
    assert found == {"09": 0.5, "10": 1.0}
    assert total == 1.5


def test_the_autumn_night_has_its_repeated_hour_twice() -> None:
    # Sunday 25 October 2026: clocks go back at 04:00 to 03:00, so 02:00-05:00 lasts four hours.
    night = volunteer(rules=(WeeklyRule(6, time(2), time(5)),), remote=False)
    found, total = hours([night], SupplyBy.HOUR, (date(2026, 10, 19), date(2026, 10, 25)))
    assert found == {"02": 1.0, "03": 2.0, "04": 1.0}
    assert total == 4.0
    assert hours([night], SupplyBy.HOUR, (date(2026, 10, 26), date(2026, 11, 1)))[0] == {
        "02": 1.0,
        "03": 1.0,
        "04": 1.0,
    }


def test_the_spring_night_has_no_three_oclock_hour() -> None:
    # Sunday 29 March 2026: clocks jump from 03:00 to 04:00, so 02:00-05:00 lasts two hours.
    night = volunteer(rules=(WeeklyRule(6, time(2), time(5)),), remote=False)
    found, total = hours([night], SupplyBy.HOUR, (date(2026, 3, 23), date(2026, 3, 29)))
    assert found == {"02": 1.0, "04": 1.0}
    assert total == 2.0


def test_utc_pieces_are_named_by_their_helsinki_hour_in_summer_and_winter() -> None:
    summer = Interval(datetime(2026, 7, 1, 6, 15, tzinfo=UTC), datetime(2026, 7, 1, 7, tzinfo=UTC))
    winter = Interval(datetime(2026, 1, 1, 6, 15, tzinfo=UTC), datetime(2026, 1, 1, 7, tzinfo=UTC))
    assert by_local_hour([summer])[9] == 0.75
    assert by_local_hour([winter])[8] == 0.75


def request(
    topic_code: str = "banking", *, starts_at: datetime | None = None, municipality: str | None = None
) -> RequestFacts:
    return RequestFacts(
        topic=topic_code,
        topic_names={"fi": topic_code.title(), "en": topic_code.upper()},
        channel="pwa",
        state="closed",
        created_at=datetime(2026, 11, 16, 8, tzinfo=UTC),
        matched_at=None,
        partner_id=ORG,
        partner_name="Alpha",
        municipality=municipality,
        starts_at=starts_at,
    )


def test_demand_by_hour_is_the_local_hour_of_the_agreed_time_and_requests_without_one_stand_apart() -> None:
    rows = [
        request(starts_at=datetime(2026, 11, 17, 7, tzinfo=UTC)),  # 09:00 in winter
        request(starts_at=datetime(2026, 6, 16, 6, tzinfo=UTC)),  # 09:00 in summer
        request(),
    ]
    found = demand_supply(rows, [volunteer()], TOPICS, SupplyBy.HOUR, first=WEEK[0], last=WEEK[1], language="en")
    assert [g.key for g in found.groups] == [*HOURS, None]
    by_key = {g.key: g for g in found.groups}
    assert by_key["09"].requests == 2 and by_key["09"].volunteer_hours == 1.0
    assert (by_key[None].label, by_key[None].requests, by_key[None].volunteer_hours) == ("No time", 1, 0.0)
    assert (found.requests, found.volunteer_hours) == (3, 8.0)


def test_topics_with_supply_and_no_requests_are_shown_too_most_requests_first() -> None:
    rows = [request("scams"), request("scams"), request("phones")]
    found = demand_supply(rows, [volunteer()], TOPICS, SupplyBy.TOPIC, first=WEEK[0], last=WEEK[1], language="en")
    assert [(g.key, g.label, g.requests, g.volunteer_hours) for g in found.groups] == [
        ("scams", "SCAMS", 2, 0.0),
        ("phones", "PHONES", 1, 0.0),
        ("banking", "BANKING", 0, 8.0),
    ]
    assert found.per_week(2) == 2.0


def test_requests_without_a_municipality_are_their_own_group() -> None:
    rows = [request(municipality="Kuusamo"), request()]
    found = demand_supply(rows, [volunteer()], TOPICS, SupplyBy.MUNICIPALITY, first=WEEK[0], last=WEEK[1])
    assert [(g.key, g.label, g.requests, g.volunteer_hours) for g in found.groups] == [
        ("Kuusamo", "Kuusamo", 1, 8.0),
        (None, "Ei tiedossa", 1, 0.0),
    ]


def test_no_volunteers_and_no_requests_give_empty_groups_not_an_error() -> None:
    found = demand_supply([], [], TOPICS, SupplyBy.MUNICIPALITY, first=WEEK[0], last=WEEK[1])
    assert (found.groups, found.requests, found.volunteer_hours) == ([], 0, 0.0)
    by_hour = demand_supply([], [], TOPICS, SupplyBy.HOUR, first=WEEK[0], last=WEEK[1])
    assert [g.key for g in by_hour.groups] == list(HOURS)


def _expanded(v: VolunteerFacts, by: SupplyBy, first: date, last: date) -> tuple[dict[str, float], float]:
    """Supply worked out the plain way, day by day: every volunteer's hours expanded over the whole period
    (`expand`), merged, summed and cut into clock hours."""

    def of(in_person: bool, remote: bool) -> list[Interval]:
        kinds = [kind for kind, wanted in ((False, in_person), (True, remote)) if wanted]
        return merge([i for k in kinds for i in expand(list(v.rules), list(v.overrides), first, last, remote=k)])

    def total(intervals: list[Interval]) -> float:
        return sum((i.duration for i in intervals), timedelta()).total_seconds() / 3600

    in_person = bool(v.help_point_municipalities) or v.home_visits
    usable = of(in_person, v.remote)
    found: dict[str, float] = {}
    if by is SupplyBy.TOPIC:
        found = {code: total(usable) for code in v.topics}
    elif by is SupplyBy.HOUR:
        found = {HOURS[h]: hours for h, hours in enumerate(by_local_hour(usable))}
    else:
        home = v.help_point_municipalities | (v.organisation_municipalities if v.home_visits else frozenset())
        for place in home | (v.organisation_municipalities if v.remote else frozenset()):
            found[place] = total(of(place in home, v.remote and place in v.organisation_municipalities))
    length = ((last - first).days + 1) / 7
    return {k: h / length for k, h in found.items() if h}, total(usable) / length


def _random_volunteer(rng: random.Random, first: date, last: date) -> VolunteerFacts:
    starts = [time(0), time(2, 30), time(3), time(3, 30), time(8), time(9, 10), time(16, 45), time(22)]
    rules = set()
    for _ in range(rng.randint(0, 6)):
        start = rng.choice(starts)
        end = rng.choice([t for t in (*starts, time(23, 59), time(0)) if t > start or t == time(0)])
        rules.add(WeeklyRule(rng.randint(0, 6), start, end, remote=rng.random() < 0.4))
    overrides = []
    for _ in range(rng.randint(0, 4)):
        day = first + timedelta(days=rng.randint(0, (last - first).days))
        if rng.random() < 0.4:
            overrides.append(DateOverride(day, away=True))
        else:
            start = rng.choice(starts[:-1])
            overrides.append(
                DateOverride(day, away=rng.random() < 0.5, start=start, end=time(23), remote=rng.random() < 0.5)
            )
    return VolunteerFacts(
        person_id=uuid.uuid4(),
        rules=tuple(sorted(rules, key=lambda r: (r.remote, r.weekday, r.start))),
        overrides=tuple(overrides),
        topics=frozenset({"banking"}),
        remote=rng.random() < 0.6,
        home_visits=rng.random() < 0.3,
        help_point_municipalities=frozenset(rng.sample(["Kuusamo", "Taivalkoski"], rng.randint(0, 2))),
        organisation_municipalities=frozenset(rng.sample(["Kuusamo", "Posio"], rng.randint(1, 2))),
    )


@pytest.mark.parametrize(
    "period",
    [
        (date(2026, 3, 23), date(2026, 4, 5)),  # spring forward, 29 March
        (date(2026, 10, 19), date(2026, 11, 1)),  # fall back, 25 October
        (date(2026, 1, 1), date(2026, 12, 31)),  # both
        (date(2026, 11, 18), date(2026, 11, 20)),  # part of a week
    ],
)
def test_supply_measured_per_weekday_equals_the_hours_expanded_day_by_day(period: tuple[date, date]) -> None:
    """Weekly hours are measured once per weekday and multiplied (`_Availability`); the daylight-saving days and
    days with exceptions are expanded. On random volunteers (night hours, midnight ends, the repeated and the
    missing hour, away days, extra hours), each one alone, the same as expanding every day."""
    rng = random.Random(period[0].toordinal())
    for _ in range(150):
        v = _random_volunteer(rng, *period)
        for by in SupplyBy:
            found, whole = supply([v], TOPICS, by, first=period[0], last=period[1])
            expected, expected_whole = _expanded(v, by, *period)
            assert whole == expected_whole, v
            if by is SupplyBy.HOUR:  # summed in another order: equal to the last few bits
                assert found == pytest.approx(expected, rel=1e-12, abs=1e-12), v
            else:
                assert found == expected, v
