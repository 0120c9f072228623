"""Statistics rules: the reported period, the figures of a group, grouping, and the CSV file."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.statistics import (
    BadPeriod,
    GroupBy,
    RequestFacts,
    SessionFacts,
    csv_bytes,
    figures,
    period,
    report,
    spreadsheet_safe,
    table,
)

TODAY = date(2026, 11, 23)  # a Monday
ORG = uuid.UUID("00000000-0000-0000-0000-00000000000a")
MONDAY_MORNING = datetime(2026, 11, 16, 8, tzinfo=UTC)
NAMES = {"fi": "Verkkopankki", "sv": "Nätbank", "en": "Online banking"}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def facts(
    *,
    topic: str = "online_banking",
    channel: str = "pwa",
    state: str = "closed",
    created_at: datetime = MONDAY_MORNING,
    wait_minutes: float | None = 30,
    partner: uuid.UUID | None = ORG,
    municipality: str | None = "Kuusamo",
    sessions: tuple[SessionFacts, ...] = (),
) -> RequestFacts:
    return RequestFacts(
        topic=topic,
        topic_names=NAMES if topic == "online_banking" else {"fi": topic},
        channel=channel,
        state=state,
        created_at=created_at,
        matched_at=created_at + timedelta(minutes=wait_minutes) if wait_minutes is not None else None,
        partner_id=partner,
        partner_name="Alpha Library" if partner else None,
        municipality=municipality,
        sessions=sessions,
    )


# ---- period ---------------------------------------------------------------------------------------------------


def test_without_dates_the_report_covers_the_last_twelve_weeks_up_to_today() -> None:
    assert period(None, None, today=TODAY) == (TODAY - timedelta(days=83), TODAY)


def test_a_start_date_alone_reports_up_to_today_and_an_end_date_alone_twelve_weeks_back() -> None:
    assert period(date(2026, 10, 1), None, today=TODAY) == (date(2026, 10, 1), TODAY)
    assert period(None, date(2026, 6, 30), today=TODAY) == (date(2026, 4, 8), date(2026, 6, 30))


def test_reversed_dates_are_refused_as_unusable_input() -> None:
    with pytest.raises(BadPeriod) as refused:
        period(date(2026, 11, 2), date(2026, 11, 1), today=TODAY)
    assert refused.value.status == 422
    assert refused.value.code == "dates_order"


def test_a_report_spans_at_most_366_days() -> None:
    assert period(date(2025, 11, 23), date(2026, 11, 23), today=TODAY)[0] == date(2025, 11, 23)
    with pytest.raises(BadPeriod) as refused:
        period(date(2025, 11, 22), date(2026, 11, 23), today=TODAY)
    assert refused.value.code == "dates_too_long"


@pytest.mark.parametrize("day", [date.min, date(1999, 12, 31), date(3000, 1, 1), date.max])
def test_dates_far_outside_any_real_use_are_refused_before_any_arithmetic(day: date) -> None:
    with pytest.raises(BadPeriod):
        period(day, None, today=TODAY)
    with pytest.raises(BadPeriod):
        period(None, day, today=TODAY)


# ---- figures --------------------------------------------------------------------------------------------------


def test_figures_count_requests_matches_sessions_and_cancellations() -> None:
    rows = [
        facts(wait_minutes=10, sessions=(SessionFacts("done", ("pay_bill", "log_in")),)),
        facts(wait_minutes=20, sessions=(SessionFacts("no_show"),)),
        facts(wait_minutes=90, sessions=(SessionFacts("done", ("pay_bill",)), SessionFacts("cancelled"))),
        facts(wait_minutes=None, state="cancelled"),
    ]
    got = figures(rows)
    assert (got.requests, got.matched, got.done, got.no_show, got.cancelled) == (4, 3, 2, 1, 1)
    assert got.median_minutes_to_match == 20
    assert got.completion_rate == pytest.approx(2 / 3)
    assert got.outcomes == {"log_in": 1, "pay_bill": 2}


def test_outcomes_of_a_no_show_are_not_counted() -> None:
    assert figures([facts(sessions=(SessionFacts("no_show", ("pay_bill",)),))]).outcomes == {}


def test_nothing_finished_means_no_completion_rate_and_nothing_matched_no_median() -> None:
    got = figures([facts(wait_minutes=None, state="open")])
    assert got.completion_rate is None
    assert got.median_minutes_to_match is None
    assert figures([]).requests == 0


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    assert figures([facts(wait_minutes=m) for m in (5, 10, 30, 600)]).median_minutes_to_match == 20


# ---- grouping -------------------------------------------------------------------------------------------------


def test_groups_by_topic_are_labelled_in_the_callers_language_busiest_first() -> None:
    rows = [facts(), facts(topic="scams"), facts(topic="scams")]
    got = report(rows, GroupBy.TOPIC, first=TODAY - timedelta(days=30), last=TODAY, language="sv")
    assert [(g.key, g.label, g.figures.requests) for g in got.groups] == [
        ("scams", "scams", 2),
        ("online_banking", "Nätbank", 1),
    ]


def test_requests_without_a_partner_are_the_networks_own() -> None:
    rows = [facts(), facts(partner=None, municipality=None)]
    by_partner = report(rows, GroupBy.PARTNER, first=TODAY, last=TODAY, language="fi")
    assert {(g.key, g.label) for g in by_partner.groups} == {(str(ORG), "Alpha Library"), (None, "Verkosto")}
    by_place = report(rows, GroupBy.MUNICIPALITY, first=TODAY, last=TODAY, language="en")
    assert {(g.key, g.label) for g in by_place.groups} == {("Kuusamo", "Kuusamo"), (None, "Unknown")}


def test_weeks_are_iso_weeks_in_helsinki_time_and_quiet_weeks_show_as_zero() -> None:
    # Sunday 22:30 UTC is already Monday 00:30 in Helsinki: the next ISO week.
    rows = [facts(created_at=utc(2026, 11, 8, 22, 30)), facts(created_at=utc(2026, 11, 22, 12))]
    got = report(rows, GroupBy.WEEK, first=date(2026, 11, 2), last=date(2026, 11, 23))
    assert [(g.key, g.figures.requests) for g in got.groups] == [
        ("2026-W45", 0),
        ("2026-W46", 1),
        ("2026-W47", 1),
        ("2026-W48", 0),
    ]


def test_the_week_of_new_year_belongs_to_its_iso_year() -> None:
    got = report([facts(created_at=utc(2027, 1, 1, 10))], GroupBy.WEEK, first=date(2026, 12, 28), last=date(2027, 1, 3))
    assert [g.key for g in got.groups] == ["2026-W53"]


# ---- CSV ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dangerous", ["=1+1", "+358", "-2", "@SUM(A1)", "\t=cmd", "\r=cmd"])
def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_defused(dangerous: str) -> None:
    assert spreadsheet_safe(dangerous) == "'" + dangerous


def test_ordinary_text_and_numbers_are_left_alone() -> None:
    assert spreadsheet_safe("Ääneen luettu") == "Ääneen luettu"
    assert spreadsheet_safe("12") == "12"


def test_the_csv_is_for_finnish_excel_a_header_one_row_per_group_and_the_total_last() -> None:
    rows = [
        facts(sessions=(SessionFacts("done", ("pay_bill",), 5), SessionFacts("done", (), 4))),
        facts(topic="=HYPERLINK(1)"),
    ]
    found = report(rows, GroupBy.TOPIC, first=TODAY, last=TODAY, language="fi")
    data = csv_bytes(found, language="fi", outcome_names={"pay_bill": "Maksaa laskun"})
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert parsed[0][:2] == ["Aihe", "Pyyntöjä"]
    assert parsed[0][-1] == "Osaa nyt itse: Maksaa laskun"
    assert {r[0] for r in parsed[1:-1]} == {"Verkkopankki", "'=HYPERLINK(1)"}  # the names, defused
    assert parsed[-1][0] == "Yhteensä" and parsed[-1][1] == "2"
    mean = parsed[0].index("Arvioiden keskiarvo (1–5)")
    assert parsed[-1][mean] == "4,50", "decimal comma"
    swedish = list(csv.reader(io.StringIO(csv_bytes(found, language="sv").decode("utf-8-sig")), delimiter=";"))
    assert swedish[0][0] == "Ämne" and swedish[-1][0] == "Totalt"


def test_ratings_count_done_sessions_only_and_their_mean() -> None:
    rows = [
        facts(sessions=(SessionFacts("done", (), 5), SessionFacts("no_show", (), 1))),
        facts(sessions=(SessionFacts("done", (), 2), SessionFacts("done", (), None))),
    ]
    total = report(rows, GroupBy.TOPIC, first=TODAY, last=TODAY).total
    assert (total.rated, total.mean_rating) == (2, 3.5)


# ---- properties -----------------------------------------------------------------------------------------------

requests = st.builds(
    facts,
    topic=st.sampled_from(["online_banking", "scams", "health"]),
    channel=st.sampled_from(["pwa", "phone", "coordinator"]),
    state=st.sampled_from(["open", "matched", "cancelled", "closed"]),
    created_at=st.datetimes(min_value=datetime(2026, 9, 1), max_value=datetime(2026, 11, 23), timezones=st.just(UTC)),
    wait_minutes=st.none() | st.floats(min_value=0, max_value=10_000),
    partner=st.sampled_from([ORG, None, uuid.UUID(int=7)]),
    municipality=st.sampled_from(["Kuusamo", "Kajaani", None]),
    sessions=st.lists(
        st.builds(
            SessionFacts,
            state=st.sampled_from(["scheduled", "done", "no_show", "cancelled"]),
            outcomes=st.lists(st.sampled_from(["pay_bill", "log_in"]), max_size=2).map(tuple),
        ),
        max_size=3,
    ).map(tuple),
)


@given(rows=st.lists(requests, max_size=40), by=st.sampled_from(list(GroupBy)))
def test_totals_are_the_sums_of_the_groups_and_every_median_lies_within_its_waits(
    rows: list[RequestFacts], by: GroupBy
) -> None:
    got = report(rows, by, first=date(2026, 9, 1), last=date(2026, 11, 23))
    for name in ("requests", "matched", "done", "no_show", "cancelled"):
        assert getattr(got.total, name) == sum(getattr(g.figures, name) for g in got.groups), name
    summed: dict[str, int] = {}
    for g in got.groups:
        for code, n in g.figures.outcomes.items():
            summed[code] = summed.get(code, 0) + n
    assert summed == got.total.outcomes
    assert len({g.key for g in got.groups}) == len(got.groups), "each group once"
    for f in [got.total, *(g.figures for g in got.groups)]:
        if f.completion_rate is not None:
            assert 0 <= f.completion_rate <= 1
    waits = [(r.matched_at - r.created_at).total_seconds() / 60 for r in rows if r.matched_at is not None]
    if waits:
        assert got.total.median_minutes_to_match is not None
        assert min(waits) <= got.total.median_minutes_to_match <= max(waits)
    else:
        assert got.total.median_minutes_to_match is None


@given(topics=st.lists(st.text(min_size=1, max_size=12), max_size=10))
def test_every_csv_cell_is_safe_to_open_in_a_spreadsheet(topics: list[str]) -> None:
    rows = [facts(topic=t, sessions=(SessionFacts("done", (t,)),)) for t in topics]
    cells = [c for line in table(report(rows, GroupBy.TOPIC, first=TODAY, last=TODAY)) for c in line]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_group_sessions_count_the_held_ones_their_places_and_who_came() -> None:
    from server.domain.statistics import EventFacts, event_figures

    held = EventFacts(cancelled=False, capacity=10, taken=8, waitlisted=2, attended=6, no_shows=1)
    empty = EventFacts(cancelled=False, capacity=5, taken=0, waitlisted=0, attended=0, no_shows=0)
    called_off = EventFacts(cancelled=True, capacity=10, taken=0, waitlisted=0, attended=0, no_shows=0)
    found = event_figures([held, empty, called_off])
    assert (found.events, found.cancelled, found.places, found.taken, found.waitlisted) == (2, 1, 15, 8, 2)
    assert (found.attended, found.no_shows) == (6, 1)
    assert found.attendance_rate == 6 / 7
    assert event_figures([empty]).attendance_rate is None, "nobody marked: no rate, not 0 %"
