"""Coordinators' statistics: requests and what became of them, grouped by topic, municipality, partner,
channel or week. Pure: rows in, groups out; the caller hands in `today` and the rows already scoped.

Attribution (done in SQL by `server/db/statistics.py`, described here because the figures mean it):

* **Partner** of a request = the organisation of its help point; else the organisation it was routed to; else
  the organisation of the volunteer of its latest session (their volunteer membership); else none, shown as
  the network itself. A partner coordinator's figures are the requests attributed to their organisation(s).
* **Municipality** = the help point's municipality, else the attributed organisation's municipality.
* **Week** = the ISO week (Monday–Sunday) of the request's `created_at` in Europe/Helsinki; the date range
  (`first`..`last`, local dates, both inclusive) selects requests by the same local date.

Figures of a group:

* `requests`: requests created in the range; `matched`: those with a `matched_at`;
* `median_minutes_to_match`: median of `matched_at - created_at` in minutes over the matched ones, walk-ins left
  out (they never waited for a helper through Apuri);
* **Walk-ins** (visitors helped at a help point's desk without a booking) count as requests of the channel
  `walk-in` at their help point's organisation and municipality: matched, one done session with the outcomes
  recorded at the desk;
* `done`, `no_show`: sessions in those states; `completion_rate` = done / (done + no_show), none when both 0;
* `referred`: requests a coordinator passed to a partner (by partner: those that reached the partner so);
* `cancelled`: requests the resident withdrew (request state `cancelled`). A session a volunteer gave back is
  not counted: the request goes on waiting for someone else;
* `outcomes`: outcome code → how many done sessions recorded it;
* `rated`, `mean_rating`: done sessions the resident rated by SMS (1 to 5) and their mean. Ratings are shown
  per topic, municipality, partner, channel and week, never per volunteer (there is no such grouping).
"""

from __future__ import annotations

import csv
import enum
import io
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from server.domain.clocktime import HELSINKI, week_of
from server.domain.errors import InvalidInput

DEFAULT_WEEKS = 12
MAX_DAYS = 366
# Dates outside this window are certainly typing errors; refusing them also keeps date arithmetic in range.
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)


WALK_IN = "walk-in"  # the channel of visitors helped at the desk without a booking


class GroupBy(enum.StrEnum):
    TOPIC = "topic"
    MUNICIPALITY = "municipality"
    PARTNER = "partner"
    CHANNEL = "channel"
    WEEK = "week"


class BadPeriod(InvalidInput):
    """The date range cannot be reported on (422, like a bad range in slot search)."""


@dataclass(frozen=True, slots=True)
class SessionFacts:
    state: str
    outcomes: tuple[str, ...] = ()
    feedback: int | None = None  # the resident's 1-5 answer by SMS


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """One request with what the report needs of it, already attributed (see the module docstring)."""

    topic: str
    topic_names: Mapping[str, str]
    channel: str
    state: str
    created_at: datetime
    matched_at: datetime | None
    partner_id: uuid.UUID | None
    partner_name: str | None
    municipality: str | None
    sessions: tuple[SessionFacts, ...] = ()
    starts_at: datetime | None = None  # when its latest session starts (or started), if it has one
    referrals: int = 0  # how many times a coordinator passed it to a partner


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int = 0
    matched: int = 0
    median_minutes_to_match: float | None = None
    done: int = 0
    no_show: int = 0
    completion_rate: float | None = None
    cancelled: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    rated: int = 0
    mean_rating: float | None = None
    referred: int = 0


@dataclass(frozen=True, slots=True)
class EventFacts:
    """One group session of the period: whether it was held, its places, and who came."""

    cancelled: bool
    capacity: int
    taken: int  # places taken (confirmed, or held for someone offered one)
    waitlisted: int  # still on the waiting list
    attended: int
    no_shows: int


@dataclass(frozen=True, slots=True)
class EventFigures:
    """Group sessions in the period: held (not cancelled) and cancelled, places, who came and who did not."""

    events: int = 0
    cancelled: int = 0
    places: int = 0
    taken: int = 0
    waitlisted: int = 0
    attended: int = 0
    no_shows: int = 0
    attendance_rate: float | None = None  # attended / (attended + no_shows), of those marked


def event_figures(rows: Iterable[EventFacts]) -> EventFigures:
    held = [r for r in rows if not r.cancelled]
    cancelled = sum(1 for r in rows if r.cancelled)
    attended = sum(r.attended for r in held)
    no_shows = sum(r.no_shows for r in held)
    marked = attended + no_shows
    return EventFigures(
        events=len(held),
        cancelled=cancelled,
        places=sum(r.capacity for r in held),
        taken=sum(r.taken for r in held),
        waitlisted=sum(r.waitlisted for r in held),
        attended=attended,
        no_shows=no_shows,
        attendance_rate=attended / marked if marked else None,
    )


@dataclass(frozen=True, slots=True)
class Group:
    key: str | None  # topic code, municipality, organisation id, channel, "2026-W48"; None = not attributed
    label: str
    figures: Figures


@dataclass(frozen=True, slots=True)
class Report:
    by: GroupBy
    first: date
    last: date
    groups: list[Group]
    total: Figures
    group_sessions: EventFigures = field(default_factory=EventFigures)  # the period's group sessions, in all


# Shown for requests no partner (or no municipality) can be attributed to.
UNATTRIBUTED = {
    GroupBy.PARTNER: {"fi": "Verkosto", "sv": "Nätverket", "en": "Network"},
    GroupBy.MUNICIPALITY: {"fi": "Ei tiedossa", "sv": "Okänd", "en": "Unknown"},
}


def period(first: date | None, last: date | None, *, today: date) -> tuple[date, date]:
    """The local dates to report on: `last` defaults to today, `first` to twelve weeks before `last` (84 days
    with both ends). At most `MAX_DAYS` days, the start not after the end."""
    for given in (first, last):
        if given is not None and not EARLIEST <= given <= LATEST:
            raise BadPeriod(
                f"Dates must be between {EARLIEST.isoformat()} and {LATEST.isoformat()}.", code="date_out_of_range"
            )
    last = today if last is None else last
    first = last - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1) if first is None else first
    if last < first:
        raise BadPeriod("The end date is before the start date.", code="dates_order")
    if (last - first).days + 1 > MAX_DAYS:
        raise BadPeriod(f"Report at most {MAX_DAYS} days at a time.", code="dates_too_long")
    return first, last


@dataclass(frozen=True, slots=True)
class Tally:
    """The figures of a group that add up (all but the median wait): what a group's requests sum to, and what
    `request_fact` keeps of one request (`server/db/statistics.py`), so SQL can sum them."""

    requests: int = 0
    matched: int = 0
    cancelled: int = 0
    referred: int = 0
    done: int = 0
    no_show: int = 0
    rated: int = 0
    rating_sum: int = 0
    outcomes: Mapping[str, int] = field(default_factory=dict)

    def __add__(self, other: Tally) -> Tally:
        outcomes = Counter(self.outcomes)
        outcomes.update(other.outcomes)
        return Tally(
            requests=self.requests + other.requests,
            matched=self.matched + other.matched,
            cancelled=self.cancelled + other.cancelled,
            referred=self.referred + other.referred,
            done=self.done + other.done,
            no_show=self.no_show + other.no_show,
            rated=self.rated + other.rated,
            rating_sum=self.rating_sum + other.rating_sum,
            outcomes=dict(outcomes),
        )


def tally(rows: Iterable[RequestFacts]) -> Tally:
    requests = matched = done = no_show = cancelled = referred = rated = rating_sum = 0
    outcomes: Counter[str] = Counter()
    for row in rows:
        requests += 1
        if row.state == "cancelled":
            cancelled += 1
        if row.referrals:
            referred += 1
        if row.matched_at is not None:
            matched += 1
        for s in row.sessions:
            if s.state == "done":
                done += 1
                outcomes.update(s.outcomes)
                if s.feedback is not None and 1 <= s.feedback <= 5:
                    rated += 1
                    rating_sum += s.feedback
            elif s.state == "no_show":
                no_show += 1
    return Tally(requests, matched, cancelled, referred, done, no_show, rated, rating_sum, dict(outcomes))


def wait_minutes(row: RequestFacts) -> float | None:
    """Minutes from the request to a helper, for the median: matched requests only, walk-ins left out."""
    if row.matched_at is None or row.channel == WALK_IN:
        return None
    return max((row.matched_at - row.created_at).total_seconds(), 0.0) / 60


def start_hour(row: RequestFacts) -> int | None:
    """The Helsinki clock hour (0-23) the request's latest session starts at, the time agreed with the resident
    (demand by hour of the day); None without a session."""
    return None if row.starts_at is None else row.starts_at.astimezone(HELSINKI).hour


def figures_of(t: Tally, median_wait: float | None) -> Figures:
    return Figures(
        requests=t.requests,
        matched=t.matched,
        median_minutes_to_match=median_wait,
        done=t.done,
        no_show=t.no_show,
        completion_rate=t.done / (t.done + t.no_show) if t.done + t.no_show else None,
        cancelled=t.cancelled,
        outcomes=dict(sorted((code, n) for code, n in t.outcomes.items() if n)),
        rated=t.rated,
        mean_rating=t.rating_sum / t.rated if t.rated else None,
        referred=t.referred,
    )


def figures(rows: Sequence[RequestFacts]) -> Figures:
    waits = [w for w in map(wait_minutes, rows) if w is not None]
    return figures_of(tally(rows), statistics.median(waits) if waits else None)


def week_key(year: int, week: int) -> str:
    return f"{year}-W{week:02d}"


def label(
    by: GroupBy, key: str | None, language: str, *, topic_names: Mapping[str, str], partner_name: str | None
) -> str:
    """A group's name in `language`: the topic's name, the municipality, the partner's name, the channel, the week;
    the network itself (or "unknown") for requests no partner (or municipality) is attributed to."""
    if by is GroupBy.TOPIC:
        return topic_names.get(language) or topic_names.get("fi") or key or ""
    if by in UNATTRIBUTED and not key:
        return UNATTRIBUTED[by].get(language, UNATTRIBUTED[by]["en"])
    if by is GroupBy.PARTNER:
        return partner_name or key or ""
    return key or ""


def key_of(row: RequestFacts, by: GroupBy) -> str | None:
    if by is GroupBy.TOPIC:
        return row.topic
    if by is GroupBy.MUNICIPALITY:
        return row.municipality
    if by is GroupBy.PARTNER:
        return str(row.partner_id) if row.partner_id is not None else None
    if by is GroupBy.CHANNEL:
        return row.channel
    return week_key(*week_of(row.created_at))


def group_of(row: RequestFacts, by: GroupBy, language: str) -> tuple[str | None, str]:
    """The group a request falls in and its label in `language` (the demand-supply figures group the same way)."""
    key = key_of(row, by)
    return key, label(by, key, language, topic_names=row.topic_names, partner_name=row.partner_name)


def _weeks(first: date, last: date) -> list[str]:
    """Every ISO week touching first..last, so a chart shows the quiet weeks as zeros rather than gaps."""
    found: list[str] = []
    day = first - timedelta(days=first.weekday())
    while day <= last:
        iso = day.isocalendar()
        found.append(week_key(iso.year, iso.week))
        day += timedelta(days=7)
    return found


@dataclass(frozen=True, slots=True)
class Part:
    """A group's label, its tally and its median wait, however they were worked out (here from rows, or summed in
    SQL from the kept facts)."""

    label: str
    tally: Tally
    median_wait: float | None


def report(rows: Sequence[RequestFacts], by: GroupBy, *, first: date, last: date, language: str = "fi") -> Report:
    """Group `rows` (already limited to the range and the caller's organisations) and total them."""
    members: dict[str | None, list[RequestFacts]] = defaultdict(list)
    labels: dict[str | None, str] = {}
    for row in rows:
        key, name = group_of(row, by, language)
        members[key].append(row)
        labels.setdefault(key, name)
    parts = {k: Part(labels[k], tally(v), _median(v)) for k, v in members.items()}
    return assemble(parts, Part("", tally(rows), _median(rows)), by, first=first, last=last)


def _median(rows: Sequence[RequestFacts]) -> float | None:
    waits = [w for w in map(wait_minutes, rows) if w is not None]
    return statistics.median(waits) if waits else None


def assemble(parts: Mapping[str | None, Part], total: Part, by: GroupBy, *, first: date, last: date) -> Report:
    """The report of its groups. Weeks come in time order (every week of the range, empty ones too); other groups
    by requests, most first, then label."""
    if by is GroupBy.WEEK:
        keys: list[str | None] = list(_weeks(first, last))
        keys += sorted(k for k in parts if k not in set(keys) and k is not None)
        groups = [
            Group(k, k or "", figures_of(p.tally, p.median_wait) if (p := parts.get(k)) else Figures()) for k in keys
        ]
    else:
        groups = [Group(k, p.label, figures_of(p.tally, p.median_wait)) for k, p in parts.items()]
        groups.sort(key=lambda g: (-g.figures.requests, g.label.casefold(), g.key or ""))
    return Report(by=by, first=first, last=last, groups=groups, total=figures_of(total.tally, total.median_wait))


# ---- CSV ----------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection): text starting with = + - @ (or a tab or
    carriage return, which some spreadsheets skip before looking) gets a leading apostrophe. Topic and
    organisation names are typed by coordinators, so they are never trusted."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _number(value: float | None, digits: int) -> str:
    """A decimal as Finnish (and Swedish) Excel reads it: with a comma."""
    return "" if value is None else f"{value:.{digits}f}".replace(".", ",")


# The CSV speaks the coordinator's language: column names, group labels, channels, outcome names.
_HEADER = {
    "fi": {
        GroupBy.TOPIC: "Aihe",
        GroupBy.MUNICIPALITY: "Kunta",
        GroupBy.PARTNER: "Kumppani",
        GroupBy.CHANNEL: "Kanava",
        GroupBy.WEEK: "Viikko",
        "requests": "Pyyntöjä",
        "matched": "Avustaja löytyi",
        "median_minutes_to_match": "Odotus avustajaan, mediaani (min)",
        "done": "Toteutuneita",
        "no_show": "Ei saapunut",
        "completion_rate": "Toteutumisaste",
        "cancelled": "Peruttuja",
        "rated": "Arvioita",
        "mean_rating": "Arvioiden keskiarvo (1–5)",
        "referred": "Välitetty kumppanille",
        "outcome": "Osaa nyt itse: {}",
        "total": "Yhteensä",
    },
    "sv": {
        GroupBy.TOPIC: "Ämne",
        GroupBy.MUNICIPALITY: "Kommun",
        GroupBy.PARTNER: "Partner",
        GroupBy.CHANNEL: "Kanal",
        GroupBy.WEEK: "Vecka",
        "requests": "Begäranden",
        "matched": "Hjälpare hittad",
        "median_minutes_to_match": "Väntan på hjälpare, median (min)",
        "done": "Genomförda",
        "no_show": "Kom inte",
        "completion_rate": "Genomförandegrad",
        "cancelled": "Avbokade",
        "rated": "Betyg",
        "mean_rating": "Betygens medelvärde (1–5)",
        "referred": "Skickad vidare till partner",
        "outcome": "Kan nu själv: {}",
        "total": "Totalt",
    },
    "en": {
        GroupBy.TOPIC: "Topic",
        GroupBy.MUNICIPALITY: "Municipality",
        GroupBy.PARTNER: "Partner",
        GroupBy.CHANNEL: "Channel",
        GroupBy.WEEK: "Week",
        "requests": "Requests",
        "matched": "Helper found",
        "median_minutes_to_match": "Wait for a helper, median (min)",
        "done": "Done",
        "no_show": "Did not come",
        "completion_rate": "Completion rate",
        "cancelled": "Cancelled",
        "rated": "Ratings",
        "mean_rating": "Mean rating (1–5)",
        "referred": "Passed to a partner",
        "outcome": "Can now do alone: {}",
        "total": "Total",
    },
}
CHANNEL_NAMES = {
    "fi": {
        "pwa": "Sovellus",
        "phone": "Puhelinvalikko",
        "coordinator": "Koordinaattori (puhelu)",
        WALK_IN: "Ilman ajanvarausta",
    },
    "sv": {"pwa": "Appen", "phone": "Telefonmenyn", "coordinator": "Koordinator (samtal)", WALK_IN: "Utan tidsbokning"},
    "en": {"pwa": "App", "phone": "Voice menu", "coordinator": "Coordinator (call)", WALK_IN: "Walk-in"},
}
_FIGURES = (
    "requests",
    "matched",
    "median_minutes_to_match",
    "done",
    "no_show",
    "completion_rate",
    "cancelled",
    "rated",
    "mean_rating",
    "referred",
)


def table(found: Report, *, language: str = "fi", outcome_names: Mapping[str, str] | None = None) -> list[list[str]]:
    """The report as rows of cells in `language`, header first, the total last: the group's name (never an id),
    the figures, then one column per outcome seen (by its name)."""
    words = _HEADER.get(language, _HEADER["fi"])
    names = outcome_names or {}
    codes = sorted({code for g in found.groups for code in g.figures.outcomes} | set(found.total.outcomes))
    header = [
        str(words[found.by]),
        *(str(words[name]) for name in _FIGURES),
        *(str(words["outcome"]).format(names.get(code, code)) for code in codes),
    ]

    def label(g: Group) -> str:
        if found.by is GroupBy.CHANNEL:
            return CHANNEL_NAMES.get(language, CHANNEL_NAMES["fi"]).get(g.key or "", g.label)
        return g.label

    def line(name: str, f: Figures) -> list[str]:
        return [
            name,
            str(f.requests),
            str(f.matched),
            _number(f.median_minutes_to_match, 1),
            str(f.done),
            str(f.no_show),
            _number(f.completion_rate, 3),
            str(f.cancelled),
            str(f.rated),
            _number(f.mean_rating, 2),
            str(f.referred),
            *(str(f.outcomes.get(code, 0)) for code in codes),
        ]

    body = [line(label(g), g.figures) for g in found.groups]
    body.append(line(str(words["total"]), found.total))
    return [[spreadsheet_safe(cell) for cell in row] for row in [header, *body]]


def csv_bytes(found: Report, *, language: str = "fi", outcome_names: Mapping[str, str] | None = None) -> bytes:
    """For Excel as set up in Finland: `;` between cells (the comma is the decimal mark), UTF-8 with a
    byte-order mark so å, ä and ö show, CRLF line ends as RFC 4180 says."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(
        table(found, language=language, outcome_names=outcome_names)
    )
    return out.getvalue().encode("utf-8-sig")
