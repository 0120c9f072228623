"""Statistics for coordinators (scoped to their organisation; the network coordinator sees all), as JSON for
the charts and as a CSV download for spreadsheets."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get
from litestar.di import Provide
from litestar.params import QueryParameter

from server.domain.statistics import Figures, GroupBy, Report, csv_bytes
from server.http.security import COORDINATORS, Me, Svc, caller, roles

GroupName = Literal["topic", "municipality", "partner", "channel", "week"]
By = Annotated[GroupName, QueryParameter(description="How to group the requests.")]
From = Annotated[
    date | None, QueryParameter(name="from", description="First local date (inclusive); default 12 weeks back.")
]
To = Annotated[date | None, QueryParameter(name="to", description="Last local date (inclusive); default today.")]


class FiguresOut(msgspec.Struct, kw_only=True):
    requests: int
    matched: int
    median_minutes_to_match: float | None
    done: int
    no_show: int
    completion_rate: float | None  # done / (done + no_show)
    cancelled: int
    outcomes: dict[str, int]

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

    @classmethod
    def of(cls, r: Report) -> StatisticsOut:
        return cls(
            by=r.by.value,
            first=r.first,
            last=r.last,
            groups=[GroupOut(key=g.key, label=g.label, figures=FiguresOut.of(g.figures)) for g in r.groups],
            total=FiguresOut.of(r.total),
        )


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
        media_type="text/csv; charset=utf-8",
        summary="The same statistics as a CSV file (UTF-8 with BOM, for Excel)",
    )
    async def statistics_csv(
        self, me: Me, services: Svc, by: By = "topic", from_: From = None, to: To = None
    ) -> Response[bytes]:
        found = await services.statistics.export(me, GroupBy(by), from_, to)
        filename = f"apuri-statistics-{found.by.value}-{found.first.isoformat()}-{found.last.isoformat()}.csv"
        return Response(
            content=csv_bytes(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
