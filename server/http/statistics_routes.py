"""Statistics for coordinators (scoped to their organisation; the network coordinator sees all): as JSON for
tables, as a CSV download for spreadsheets, demand next to volunteer supply, and as SVG charts for <img>."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import anyio.to_thread
import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import QueryParameter

from server.domain.charts import ChartName
from server.domain.statistics import EventFigures, Figures, GroupBy, Report, csv_bytes
from server.domain.supply import Balance, DemandSupply, SupplyBy
from server.http.charts import CHART_CSP, svg
from server.http.security import COORDINATORS, Me, Svc, caller, roles

GroupName = Literal["topic", "municipality", "partner", "channel", "week"]
By = Annotated[GroupName, QueryParameter(description="How to group the requests.")]
From = Annotated[
    date | None, QueryParameter(name="from", description="First local date (inclusive); default 12 weeks back.")
]
To = Annotated[date | None, QueryParameter(name="to", description="Last local date (inclusive); default today.")]
SupplyGroupName = Literal["topic", "municipality", "hour"]
SupplyGroups = Annotated[SupplyGroupName, QueryParameter(description="How to group demand and supply.")]
Language = Literal["fi", "sv", "en"]
Lang = Annotated[Language, QueryParameter(description="Language of the chart's texts.")]
# The chart is the caller's scoped figures: never kept by a shared cache, nor by the browser.
CHART_HEADERS = {"Cache-Control": "private, no-store", "Content-Security-Policy": CHART_CSP}


class FiguresOut(msgspec.Struct, kw_only=True):
    requests: int
    matched: int
    median_minutes_to_match: float | None
    done: int
    no_show: int
    completion_rate: float | None  # done / (done + no_show)
    cancelled: int
    outcomes: dict[str, int]
    rated: int  # done sessions the resident rated by SMS (1-5)
    mean_rating: float | None
    referred: int  # requests a coordinator passed to a partner

    @classmethod
    def of(cls, f: Figures) -> FiguresOut:
        return cls(
            requests=f.requests,
            matched=f.matched,
            median_minutes_to_match=round(f.median_minutes_to_match, 1)
            if f.median_minutes_to_match is not None
            else None,
            done=f.done,
            no_show=f.no_show,
            completion_rate=round(f.completion_rate, 3) if f.completion_rate is not None else None,
            cancelled=f.cancelled,
            outcomes=dict(f.outcomes),
            rated=f.rated,
            mean_rating=round(f.mean_rating, 2) if f.mean_rating is not None else None,
            referred=f.referred,
        )


class GroupSessionsOut(msgspec.Struct, kw_only=True):
    """The period's group sessions (those that began in it), of the caller's organisations."""

    events: int  # held (not cancelled)
    cancelled: int
    places: int
    taken: int
    waitlisted: int  # still on a waiting list
    attended: int
    no_shows: int
    attendance_rate: float | None  # attended / (attended + no_shows), of those marked

    @classmethod
    def of(cls, f: EventFigures) -> GroupSessionsOut:
        rate = round(f.attendance_rate, 3) if f.attendance_rate is not None else None
        return cls(
            events=f.events,
            cancelled=f.cancelled,
            places=f.places,
            taken=f.taken,
            waitlisted=f.waitlisted,
            attended=f.attended,
            no_shows=f.no_shows,
            attendance_rate=rate,
        )


class GroupOut(msgspec.Struct, kw_only=True):
    key: str | None  # None: requests no partner (or municipality) could be attributed to
    label: str
    figures: FiguresOut


class StatisticsOut(msgspec.Struct, kw_only=True, rename={"first": "from", "last": "to"}):
    by: GroupName
    first: date
    last: date
    groups: list[GroupOut]
    total: FiguresOut
    group_sessions: GroupSessionsOut

    @classmethod
    def of(cls, r: Report) -> StatisticsOut:
        return cls(
            by=r.by.value,
            first=r.first,
            last=r.last,
            groups=[GroupOut(key=g.key, label=g.label, figures=FiguresOut.of(g.figures)) for g in r.groups],
            total=FiguresOut.of(r.total),
            group_sessions=GroupSessionsOut.of(r.group_sessions),
        )


class BalanceOut(msgspec.Struct, kw_only=True):
    key: str | None  # topic code, municipality or hour "00".."23"; None: no municipality, or no time agreed
    label: str
    requests: int
    requests_per_week: float
    volunteer_hours: float  # average per week over the period

    @classmethod
    def of(cls, g: Balance, found: DemandSupply) -> BalanceOut:
        return cls(
            key=g.key,
            label=g.label,
            requests=g.requests,
            requests_per_week=round(found.per_week(g.requests), 2),
            volunteer_hours=round(g.volunteer_hours, 1),
        )


class DemandSupplyOut(msgspec.Struct, kw_only=True, rename={"first": "from", "last": "to"}):
    by: SupplyGroupName
    first: date
    last: date
    weeks: float
    groups: list[BalanceOut]
    total: BalanceOut  # every volunteer counted once (topic and municipality groups overlap)

    @classmethod
    def of(cls, found: DemandSupply) -> DemandSupplyOut:
        total = Balance(None, "", found.requests, found.volunteer_hours)
        return cls(
            by=found.by.value,
            first=found.first,
            last=found.last,
            weeks=round(found.weeks, 2),
            groups=[BalanceOut.of(g, found) for g in found.groups],
            total=BalanceOut.of(total, found),
        )


async def _chart(
    services: Svc, me: Me, name: ChartName, first: date | None, last: date | None, lang: str
) -> Response[bytes]:
    found = await services.statistics.chart(me, name, first, last, language=lang)
    drawn = await anyio.to_thread.run_sync(svg, found)  # pygal takes tens of ms: off the event loop
    return Response(content=drawn, media_type=SVG, headers=CHART_HEADERS)


SVG = "image/svg+xml"


class StatisticsController(Controller):
    path = "/api/v1"
    tags = ["statistics"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/statistics", opt=roles(*COORDINATORS), summary="Requests and their outcomes, grouped")
    async def statistics(
        self, me: Me, services: Svc, by: By = "topic", from_: From = None, to: To = None
    ) -> StatisticsOut:
        return StatisticsOut.of(await services.statistics.report(me, GroupBy(by), from_, to))

    @get(
        "/statistics.csv",
        opt=roles(*COORDINATORS),
        media_type="text/csv",
        summary="The same statistics as a CSV file for Excel (in the coordinator's language; ';', decimal commas)",
    )
    async def statistics_csv(
        self, me: Me, services: Svc, by: By = "topic", from_: From = None, to: To = None
    ) -> Response[bytes]:
        found = await services.statistics.export(me, GroupBy(by), from_, to)
        outcome_names = await services.statistics.outcome_names(me.language)
        filename = f"apuri-statistics-{found.by.value}-{found.first.isoformat()}-{found.last.isoformat()}.csv"
        return Response(
            # Litestar names the charset (utf-8) once; the body starts with a BOM for Excel.
            content=csv_bytes(found, language=me.language, outcome_names=outcome_names),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @get("/statistics/demand-supply", opt=roles(*COORDINATORS), summary="Requests next to volunteer hours offered")
    async def demand_supply(
        self, me: Me, services: Svc, by: SupplyGroups = "topic", from_: From = None, to: To = None
    ) -> DemandSupplyOut:
        return DemandSupplyOut.of(await services.statistics.demand_supply(me, SupplyBy(by), from_, to))

    @get(
        "/statistics/charts/demand-topic.svg",
        opt=roles(*COORDINATORS),
        media_type=SVG,
        summary="Chart: demand and supply by topic (SVG)",
    )
    async def demand_topic_chart(
        self, me: Me, services: Svc, from_: From = None, to: To = None, lang: Lang = "fi"
    ) -> Response[bytes]:
        return await _chart(services, me, ChartName.DEMAND_TOPIC, from_, to, lang)

    @get(
        "/statistics/charts/demand-area.svg",
        opt=roles(*COORDINATORS),
        media_type=SVG,
        summary="Chart: demand and supply by municipality (SVG)",
    )
    async def demand_area_chart(
        self, me: Me, services: Svc, from_: From = None, to: To = None, lang: Lang = "fi"
    ) -> Response[bytes]:
        return await _chart(services, me, ChartName.DEMAND_AREA, from_, to, lang)

    @get(
        "/statistics/charts/demand-hour.svg",
        opt=roles(*COORDINATORS),
        media_type=SVG,
        summary="Chart: demand and supply by hour of day (SVG)",
    )
    async def demand_hour_chart(
        self, me: Me, services: Svc, from_: From = None, to: To = None, lang: Lang = "fi"
    ) -> Response[bytes]:
        return await _chart(services, me, ChartName.DEMAND_HOUR, from_, to, lang)

    @get(
        "/statistics/charts/time-to-match.svg",
        opt=roles(*COORDINATORS),
        media_type=SVG,
        summary="Chart: median time to match per week (SVG)",
    )
    async def time_to_match_chart(
        self, me: Me, services: Svc, from_: From = None, to: To = None, lang: Lang = "fi"
    ) -> Response[bytes]:
        return await _chart(services, me, ChartName.TIME_TO_MATCH, from_, to, lang)

    @get(
        "/statistics/charts/outcomes.svg",
        opt=roles(*COORDINATORS),
        media_type=SVG,
        summary="Chart: outcomes of requests and sessions (SVG)",
    )
    async def outcomes_chart(
        self, me: Me, services: Svc, from_: From = None, to: To = None, lang: Lang = "fi"
    ) -> Response[bytes]:
        return await _chart(services, me, ChartName.OUTCOMES, from_, to, lang)
