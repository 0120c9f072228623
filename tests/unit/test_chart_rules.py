"""Chart rules: what each chart says in fi / sv / en, and the SVG it is drawn as: well-formed, accessible,
readable (contrast), and nothing that runs or loads from elsewhere."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from server.domain.charts import Chart as ChartSpec
from server.domain.charts import (
    ChartName,
    Kind,
    Series,
    demand_chart,
    outcomes_chart,
    time_to_match_chart,
)
from server.domain.statistics import GroupBy, RequestFacts, SessionFacts, report
from server.domain.supply import Balance, DemandSupply, SupplyBy
from server.domain.topics import Outcome, Topic
from server.http.charts import BACKGROUND, SERIES, STRONG, SUBTLE, TEXT, svg
from tests.svg_checks import SVG, external_references, parse, title_and_desc

FIRST, LAST = date(2026, 11, 16), date(2026, 11, 29)
TOPIC = Topic(
    code="banking",
    names={"fi": "Verkkopankki", "sv": "Nätbank", "en": "Online banking"},
    bring={},
    outcomes=[Outcome("pay_bill", {"fi": "Maksaa laskun", "sv": "Betala en räkning", "en": "Pay a bill"})],
    partner_only_organisation_id=None,
    sort_order=1,
    active=True,
)


def balance(by: SupplyBy, groups: list[Balance]) -> DemandSupply:
    return DemandSupply(
        by=by,
        first=FIRST,
        last=LAST,
        groups=groups,
        requests=sum(g.requests for g in groups),
        volunteer_hours=12.5,
    )


def luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_text_colour_has_at_least_4_5_to_1_contrast_and_the_series_3_to_1() -> None:
    for colour in (TEXT, STRONG, SUBTLE):
        assert contrast(colour, BACKGROUND) >= 4.5, colour
    for colour in SERIES:
        assert contrast(colour, BACKGROUND) >= 3, colour


@pytest.mark.parametrize(
    ("language", "title", "series", "period"),
    [
        ("fi", "Kysyntä ja tarjonta aiheittain", "Vapaaehtoisten tunteja viikossa", "16.11.2026–29.11.2026"),
        ("sv", "Efterfrågan och utbud per ämne", "Frivilligtimmar per vecka", "16.11.2026–29.11.2026"),
        ("en", "Demand and supply by topic", "Volunteer hours per week", "2026-11-16 to 2026-11-29"),
    ],
)
def test_a_demand_chart_speaks_the_language_asked(language: str, title: str, series: str, period: str) -> None:
    found = balance(SupplyBy.TOPIC, [Balance("banking", "Verkkopankki", 4, 12.5)])
    chart = demand_chart(ChartName.DEMAND_TOPIC, found, language)
    assert chart.title == title
    assert chart.series[1].name == series
    assert period in chart.description
    assert chart.series[0].values == (2.0,), "requests per week: 4 in two weeks"
    assert chart.series[1].values == (12.5,)
    assert chart.kind is Kind.ROWS


def test_the_hour_chart_leaves_out_requests_that_have_no_time() -> None:
    groups = [Balance(f"{h:02d}", f"{h:02d}", 0, 0.0) for h in range(24)] + [Balance(None, "Ei aikaa", 3, 0.0)]
    chart = demand_chart(ChartName.DEMAND_HOUR, balance(SupplyBy.HOUR, groups), "fi")
    assert chart.labels[0] == "00" and len(chart.labels) == 24
    assert chart.kind is Kind.LINE
    assert chart.empty, "no request has a time and nobody offers hours"
    assert "Ei tietoja tältä ajalta" in chart.description


def test_time_to_match_is_the_weekly_median_with_gaps_for_weeks_without_matches() -> None:
    created = datetime(2026, 11, 17, 8, tzinfo=UTC)
    rows = [
        RequestFacts("banking", {}, "pwa", "closed", created, created.replace(hour=9), None, None, None),
        RequestFacts("banking", {}, "pwa", "open", created, None, None, None, None),
    ]
    weekly = report(rows, GroupBy.WEEK, first=date(2026, 11, 9), last=date(2026, 11, 22))
    chart = time_to_match_chart(weekly, "sv")
    assert chart.labels == ("v. 46", "v. 47")
    assert chart.series[0].values == (None, 60.0)
    assert chart.y_title == "Minuter (median)"


def test_a_median_of_zero_minutes_is_a_figure_not_no_data() -> None:
    created = datetime(2026, 11, 17, 8, tzinfo=UTC)
    rows = [RequestFacts("banking", {}, "pwa", "closed", created, created, None, None, None)]  # matched at once
    weekly = report(rows, GroupBy.WEEK, first=date(2026, 11, 16), last=date(2026, 11, 22))
    chart = time_to_match_chart(weekly, "fi")
    assert chart.series[0].values == (0.0,) and not chart.empty
    nothing = time_to_match_chart(report([], GroupBy.WEEK, first=date(2026, 11, 16), last=date(2026, 11, 22)), "fi")
    assert nothing.empty


def test_outcomes_name_each_can_now_do_alone_outcome_in_the_language_asked() -> None:
    created = datetime(2026, 11, 17, 8, tzinfo=UTC)
    rows = [
        RequestFacts(
            "banking",
            {},
            "pwa",
            "closed",
            created,
            None,
            uuid.uuid4(),
            None,
            None,
            (SessionFacts("done", ("pay_bill", "unknown_code")),),
        ),
        RequestFacts("banking", {}, "pwa", "cancelled", created, None, None, None, None),
    ]
    found = report(rows, GroupBy.TOPIC, first=FIRST, last=LAST)
    chart = outcomes_chart(found, [TOPIC], "en")
    assert chart.labels == ("Done", "No-show", "Cancelled", "Can do alone: Pay a bill", "Can do alone: unknown_code")
    assert chart.series[0].values == (1, 0, 1, 1, 1)


def chart(kind: Kind, labels: tuple[str, ...] = ("Kuusamo", "Posio"), values: tuple[float, ...] = (1, 2)) -> ChartSpec:
    return ChartSpec(
        kind=kind,
        language="fi",
        title="Kysyntä ja tarjonta kunnittain",
        description="Pyyntöjä ja tunteja.",
        x_title="Kunta",
        y_title="Viikossa",
        labels=labels,
        series=(Series("Pyyntöjä viikossa", values), Series("Vapaaehtoisten tunteja viikossa", values)),
        no_data="Ei tietoja tältä ajalta",
    )


@pytest.mark.parametrize("kind", list(Kind))
def test_the_svg_is_well_formed_accessible_and_self_contained(kind: Kind) -> None:
    text = svg(chart(kind)).decode()
    root = parse(text)
    assert root.tag == SVG + "svg"
    assert (root.get("role"), root.get("lang"), root.get("aria-labelledby")) == ("img", "fi", "chart-title chart-desc")
    assert title_and_desc(root) == ("Kysyntä ja tarjonta kunnittain", "Pyyntöjä ja tunteja.")
    assert [e.get("id") for e in root if e.tag in (SVG + "title", SVG + "desc")] == ["chart-title", "chart-desc"]
    assert "<script" not in text and "<!--" not in text
    assert external_references(root, text) == []


def test_a_label_with_markup_stays_text() -> None:
    text = svg(chart(Kind.BARS, labels=("<script>alert(1)</script>", '=HYPERLINK("x")'))).decode()
    assert "<script" not in text
    assert "&lt;script&gt;" in text
    parse(text)


def test_a_chart_with_nothing_to_show_says_so() -> None:
    text = svg(chart(Kind.LINE, values=(0, 0))).decode()
    root = parse(text)
    assert "Ei tietoja tältä ajalta" in [e.text for e in root.iter() if e.get("class") == "no_data"]
