"""What each statistics chart shows, in the reader's language: its title, a one-sentence description (for the
SVG's <desc> and screen readers), axis titles, the labels and the series. Pure: built from the reports, drawn
elsewhere (`server/http/charts.py`). Texts are short and plain; the PWA shows the same figures as a table."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from server.domain.statistics import Figures, Report
from server.domain.supply import DemandSupply, SupplyBy
from server.domain.topics import Topic

LANGUAGES = ("fi", "sv", "en")


class ChartName(enum.StrEnum):
    DEMAND_TOPIC = "demand-topic"
    DEMAND_AREA = "demand-area"
    DEMAND_HOUR = "demand-hour"
    TIME_TO_MATCH = "time-to-match"
    OUTCOMES = "outcomes"


DEMAND_BY = {
    ChartName.DEMAND_TOPIC: SupplyBy.TOPIC,
    ChartName.DEMAND_AREA: SupplyBy.MUNICIPALITY,
    ChartName.DEMAND_HOUR: SupplyBy.HOUR,
}


class Kind(enum.StrEnum):
    BARS = "bars"  # vertical bars
    ROWS = "rows"  # horizontal bars, for long labels
    LINE = "line"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    kind: Kind
    language: str
    title: str
    description: str
    x_title: str  # the axis of the labels
    y_title: str  # the axis of the values
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    no_data: str
    zero_is_data: bool = False  # a median of 0 minutes is a figure; a count of 0 is not worth a chart

    @property
    def empty(self) -> bool:
        """Nothing but zeros and gaps (only gaps where a zero is a figure): drawn as a "no data" notice rather
        than a flat chart."""
        if self.zero_is_data:
            return all(value is None for s in self.series for value in s.values)
        return not any(value for s in self.series for value in s.values)


# Per language: everything a chart says besides the data.
_TITLES = {
    ChartName.DEMAND_TOPIC: {
        "fi": "Kysyntä ja tarjonta aiheittain",
        "sv": "Efterfrågan och utbud per ämne",
        "en": "Demand and supply by topic",
    },
    ChartName.DEMAND_AREA: {
        "fi": "Kysyntä ja tarjonta kunnittain",
        "sv": "Efterfrågan och utbud per kommun",
        "en": "Demand and supply by municipality",
    },
    ChartName.DEMAND_HOUR: {
        "fi": "Kysyntä ja tarjonta kellonajan mukaan",
        "sv": "Efterfrågan och utbud per klockslag",
        "en": "Demand and supply by hour of day",
    },
    ChartName.TIME_TO_MATCH: {
        "fi": "Aika vapaaehtoisen löytymiseen",
        "sv": "Tid tills en frivillig hittades",
        "en": "Time to find a volunteer",
    },
    ChartName.OUTCOMES: {"fi": "Miten avuille kävi", "sv": "Hur det gick", "en": "Outcomes"},
}
_AXES = {  # the labels' axis
    ChartName.DEMAND_TOPIC: {"fi": "Aihe", "sv": "Ämne", "en": "Topic"},
    ChartName.DEMAND_AREA: {"fi": "Kunta", "sv": "Kommun", "en": "Municipality"},
    ChartName.DEMAND_HOUR: {"fi": "Tunti (Suomen aikaa)", "sv": "Timme (finsk tid)", "en": "Hour (Finnish time)"},
    ChartName.TIME_TO_MATCH: {"fi": "Viikko", "sv": "Vecka", "en": "Week"},
    ChartName.OUTCOMES: {"fi": "", "sv": "", "en": ""},
}
_PER_WEEK = {"fi": "Viikossa", "sv": "Per vecka", "en": "Per week"}
_DEMAND = {"fi": "Pyyntöjä viikossa", "sv": "Förfrågningar per vecka", "en": "Requests per week"}
_SUPPLY = {
    "fi": "Vapaaehtoisten tunteja viikossa",
    "sv": "Frivilligtimmar per vecka",
    "en": "Volunteer hours per week",
}
_MINUTES = {"fi": "Minuuttia (mediaani)", "sv": "Minuter (median)", "en": "Minutes (median)"}
_MEDIAN = {"fi": "Mediaani", "sv": "Median", "en": "Median"}
_COUNT = {"fi": "Lukumäärä", "sv": "Antal", "en": "Count"}
_WEEK = {"fi": "vk {}", "sv": "v. {}", "en": "wk {}"}
_STATES = {
    "done": {"fi": "Pidetty", "sv": "Genomförd", "en": "Done"},
    "no_show": {"fi": "Ei saapunut", "sv": "Uteblev", "en": "No-show"},
    "cancelled": {"fi": "Peruttu", "sv": "Avbokad", "en": "Cancelled"},
}
_CAN_NOW = {"fi": "Osaa itse: {}", "sv": "Klarar själv: {}", "en": "Can do alone: {}"}
_NO_DATA = {"fi": "Ei tietoja tältä ajalta", "sv": "Inga uppgifter för perioden", "en": "No data for this period"}
_DESCRIPTIONS = {
    "demand": {
        "fi": "Pyyntöjä ja vapaaehtoisten tarjoamia tunteja viikossa keskimäärin {period}. "
        "Pyyntöjä yhteensä {requests}, vapaaehtoisten tunteja {hours} viikossa.",
        "sv": "Förfrågningar och frivilligtimmar per vecka i genomsnitt {period}. "
        "Sammanlagt {requests} förfrågningar, {hours} frivilligtimmar per vecka.",
        "en": "Requests and volunteer hours per week on average, {period}. "
        "{requests} requests in all, {hours} volunteer hours a week.",
    },
    ChartName.TIME_TO_MATCH: {
        "fi": "Mediaaniaika pyynnöstä vapaaehtoisen löytymiseen minuutteina viikoittain {period}.",
        "sv": "Mediantiden från förfrågan tills en frivillig hittades, i minuter per vecka {period}.",
        "en": "Median minutes from a request to finding a volunteer, week by week, {period}.",
    },
    ChartName.OUTCOMES: {
        "fi": "Pidetyt käynnit, poisjäännit, perutut pyynnöt ja mitä asukkaat osaavat nyt itse {period}.",
        "sv": "Genomförda besök, uteblivna, avbokade förfrågningar och vad invånarna nu klarar själva {period}.",
        "en": "Sessions done, no-shows, cancelled requests and what residents can now do alone, {period}.",
    },
}


def _text(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or texts["en"]


def _period(first: date, last: date, language: str) -> str:
    if language == "en":
        return f"{first.isoformat()} to {last.isoformat()}"
    return f"{first.day}.{first.month}.{first.year}–{last.day}.{last.month}.{last.year}"


def _number(value: float, language: str) -> str:
    text = f"{value:.1f}"
    return text if language == "en" else text.replace(".", ",")


def _describe(key: str, first: date, last: date, language: str, empty: bool, **values: str) -> str:
    text = _text(_DESCRIPTIONS[key], language).format(period=_period(first, last, language), **values)
    return f"{text} {_text(_NO_DATA, language)}." if empty else text


def demand_chart(name: ChartName, found: DemandSupply, language: str) -> Chart:
    """Requests per week and volunteer hours per week, side by side, for each group (not the requests that have
    no time, on the hour chart: they have no hour to stand at)."""
    groups = [g for g in found.groups if not (found.by is SupplyBy.HOUR and g.key is None)]
    series = (
        Series(_text(_DEMAND, language), tuple(round(found.per_week(g.requests), 2) for g in groups)),
        Series(_text(_SUPPLY, language), tuple(round(g.volunteer_hours, 1) for g in groups)),
    )
    chart = Chart(
        kind={SupplyBy.TOPIC: Kind.ROWS, SupplyBy.MUNICIPALITY: Kind.BARS, SupplyBy.HOUR: Kind.LINE}[found.by],
        language=language,
        title=_text(_TITLES[name], language),
        description="",
        x_title=_text(_AXES[name], language),
        y_title=_text(_PER_WEEK, language),
        labels=tuple(g.label for g in groups),
        series=series,
        no_data=_text(_NO_DATA, language),
    )
    description = _describe(
        "demand",
        found.first,
        found.last,
        language,
        chart.empty,
        requests=str(found.requests),
        hours=_number(found.volunteer_hours, language),
    )
    return replace(chart, description=description)


def time_to_match_chart(weekly: Report, language: str) -> Chart:
    """The median minutes to match of each week (a gap where nothing was matched)."""
    values = tuple(
        round(g.figures.median_minutes_to_match, 1) if g.figures.median_minutes_to_match is not None else None
        for g in weekly.groups
    )
    labels = tuple(_text(_WEEK, language).format(int((g.key or "W0").rsplit("W", 1)[1])) for g in weekly.groups)
    chart = Chart(
        kind=Kind.LINE,
        language=language,
        title=_text(_TITLES[ChartName.TIME_TO_MATCH], language),
        description="",
        x_title=_text(_AXES[ChartName.TIME_TO_MATCH], language),
        y_title=_text(_MINUTES, language),
        labels=labels,
        series=(Series(_text(_MEDIAN, language), values),),
        no_data=_text(_NO_DATA, language),
        zero_is_data=True,
    )
    return replace(
        chart, description=_describe(ChartName.TIME_TO_MATCH, weekly.first, weekly.last, language, chart.empty)
    )


def outcomes_chart(found: Report, topics: Sequence[Topic], language: str) -> Chart:
    """Sessions done, no-shows and requests cancelled, then each "can now do alone" outcome recorded."""
    total: Figures = found.total
    names: dict[str, str] = {}
    for topic in topics:
        for outcome in topic.outcomes:
            names.setdefault(outcome.code, _text(outcome.names, language) or outcome.code)
    labels = [_text(_STATES[state], language) for state in ("done", "no_show", "cancelled")]
    values: list[float | None] = [total.done, total.no_show, total.cancelled]
    for code, count in total.outcomes.items():
        labels.append(_text(_CAN_NOW, language).format(names.get(code, code)))
        values.append(count)
    chart = Chart(
        kind=Kind.ROWS,
        language=language,
        title=_text(_TITLES[ChartName.OUTCOMES], language),
        description="",
        x_title=_text(_AXES[ChartName.OUTCOMES], language),
        y_title=_text(_COUNT, language),
        labels=tuple(labels),
        series=(Series(_text(_COUNT, language), tuple(values)),),
        no_data=_text(_NO_DATA, language),
    )
    return replace(chart, description=_describe(ChartName.OUTCOMES, found.first, found.last, language, chart.empty))
