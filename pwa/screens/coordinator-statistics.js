// Statistics: a period and a grouping, the figures as a table (and as a CSV file for spreadsheets), the period's
// group sessions in a few figures, and the charts the server draws as SVG, each with its numbers in a table for
// those who do not see the picture.
import { api } from "../api.js";
import { definitions, h } from "../dom.js";
import { addDays, localDate } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, store } from "../state.js";
import { clearErrors, field, fieldError } from "../ui.js";
import { HOME, deskScreen, loadFor, select } from "./coordinator-common.js";
import { topicName } from "./where.js";

const STATISTICS = `${HOME}/tilastot`;
const GROUPS = ["topic", "municipality", "partner", "channel", "week"];
const DEFAULT_WEEKS = 12;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function statisticsScreen(view, params, token) {
  const today = localDate();
  const by = GROUPS.includes(params.by) ? params.by : "topic";
  const from = DATE.test(params.from || "") ? params.from : addDays(today, -7 * DEFAULT_WEEKS + 1);
  const to = DATE.test(params.to || "") ? params.to : today;
  const title = t("coord.statisticsTitle");
  return deskScreen(view, token, { title, id: "statistics", intro: periodForm(by, from, to) }, (root) =>
    fill(root, { by, from, to }, token),
  );
}

function periodForm(by, from, to) {
  const first = field({ id: "stats-from", label: t("coord.fromLabel"), type: "date", value: from });
  const last = field({ id: "stats-to", label: t("coord.toLabel"), type: "date", value: to });
  const group = select({
    id: "stats-by",
    label: t("coord.byLabel"),
    options: GROUPS.map((g) => [g, t(`coord.by.${g}`)]),
    value: by,
  });
  const form = h(
    "form",
    { id: "stats-form", class: "period-form", novalidate: true },
    h("div", { class: "field" }, ...first.nodes),
    h("div", { class: "field" }, ...last.nodes),
    h("div", { class: "field" }, ...group.nodes),
    h("button", { type: "submit", class: "primary" }, t("coord.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!DATE.test(first.input.value)) return fieldError(first.input, t("coord.needDate"));
    if (!DATE.test(last.input.value)) return fieldError(last.input, t("coord.needDate"));
    if (first.input.value > last.input.value) return fieldError(first.input, t("coord.badPeriod"));
    go(`${STATISTICS}/${group.input.value}/${first.input.value}/${last.input.value}`);
  });
  return form;
}

function number(value, options = {}) {
  if (value === null || value === undefined) return "–";
  return new Intl.NumberFormat({ fi: "fi-FI", sv: "sv-FI", en: "en-GB" }[language()], options).format(value);
}

function groupLabel(by, group) {
  if (by === "topic" && group.key) return topicName(group.key);
  if (by === "channel" && group.key) {
    const key = `coord.channel.${group.key}`;
    return t(key) === key ? group.label : t(key);
  }
  return group.label;
}

async function fill(root, { by, from, to }, token) {
  const query = new URLSearchParams({ by, from, to });
  const found = await loadFor(root, token, () => Promise.all([api("GET", `/statistics?${query}`), ensureLists()]));
  if (found === undefined) return;
  const [report] = found;
  root.append(
    h("a", { class: "button secondary", id: "csv", href: `/api/v1/statistics.csv?${query}`, download: "" }, t("coord.csv")),
  );
  if (!report.total.requests) root.append(h("p", { class: "empty" }, t("coord.noData")));
  else root.append(figuresTable(by, from, to, report));
  if (report.group_sessions) root.append(groupSessions(report.group_sessions));
  root.append(await charts(by, from, to, token, report));
}

function figuresTable(by, from, to, report) {
  const columns = [
    [t("coord.requests"), (f) => number(f.requests)],
    [t("coord.matched"), (f) => number(f.matched)],
    [t("coord.medianToMatch"), (f) => number(f.median_minutes_to_match, { maximumFractionDigits: 0 })],
    [t("coord.done"), (f) => number(f.done)],
    [t("coord.noShow"), (f) => number(f.no_show)],
    [t("coord.completion"), (f) => number(f.completion_rate, { style: "percent" })],
    [t("coord.cancelledCount"), (f) => number(f.cancelled)],
    // The residents' ratings (1–5, answered by SMS after a held session): how many, and their mean to one decimal.
    [t("coord.rated"), (f) => number(f.rated)],
    [t("coord.meanRating"), (f) => number(f.mean_rating, { minimumFractionDigits: 1, maximumFractionDigits: 1 })],
    [t("coord.referredCount"), (f) => number(f.referred)],
  ];
  const row = (label, figures, header = "th") =>
    h("tr", {}, h(header, { scope: "row" }, label), ...columns.map(([, value]) => h("td", {}, value(figures))));
  const caption = t("coord.tableCaption", t(`coord.by.${by}`), from, to);
  return h(
    "div",
    { class: "table-wrap", tabIndex: 0, attrs: { role: "region", "aria-label": caption } },
    h(
      "table",
      { id: "stats-table" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("coord.group")), ...columns.map(([name]) => h("th", { scope: "col" }, name)))),
      h("tbody", {}, ...report.groups.map((g) => row(groupLabel(by, g), g.figures))),
      h("tfoot", {}, row(t("coord.total"), report.total)),
    ),
  );
}

/** The group sessions that began in the period: held and cancelled, places, who came (the rate of those marked). */
function groupSessions(figures) {
  const rows = [
    ["events", number(figures.events)],
    ["cancelled", number(figures.cancelled)],
    ["places", number(figures.places)],
    ["taken", number(figures.taken)],
    ["waitlisted", number(figures.waitlisted)],
    ["attended", number(figures.attended)],
    ["no_shows", number(figures.no_shows)],
    ["attendance_rate", number(figures.attendance_rate, { style: "percent", maximumFractionDigits: 1 })],
  ];
  const list = definitions(rows.map(([key, value]) => [t(`coord.groupSessions.${key}`), value]));
  list.id = "stats-groups";
  return h(
    "section",
    { id: "stats-group-sessions", attrs: { "aria-labelledby": "h-group-sessions" } },
    h("h2", { id: "h-group-sessions" }, t("coord.groupSessionsTitle")),
    h("p", {}, t("coord.groupSessionsIntro")),
    list,
  );
}

/** Demand against supply for the grouping (topic or area) and by hour, the wait to match, the outcomes. */
async function charts(by, from, to, token, report) {
  const weekly = by === "week" ? report : await api("GET", `/statistics?${new URLSearchParams({ by: "week", from, to })}`).catch(() => null);
  const section = h("section", { attrs: { "aria-labelledby": "h-charts" } }, h("h2", { id: "h-charts" }, t("coord.chartsTitle")));
  const supplyBy = by === "municipality" ? "municipality" : "topic";
  const names = [supplyBy === "municipality" ? "demand-area" : "demand-topic", "demand-hour", "time-to-match", "outcomes"];
  const tables = {
    [names[0]]: supplyBy,
    "demand-hour": "hour",
  };
  const figures = names.map((name) => {
    const params = new URLSearchParams({ from, to, lang: language() });
    const title = t(`coord.chart.${name}`);
    const figure = h(
      "figure",
      { class: "chart" },
      h("img", { src: `/api/v1/statistics/charts/${name}.svg?${params}`, alt: title, width: 800, height: 420 }),
      h("figcaption", {}, title),
    );
    if (name === "time-to-match") figure.append(dataTable(title, waitRows(weekly), [t("coord.medianToMatch"), t("coord.matched")]));
    if (name === "outcomes") figure.append(dataTable(title, outcomeRows(report.total), [t("coord.countColumn")]));
    return tables[name] ? supplyTable(tables[name], from, to, token).then((table) => (figure.append(table), figure)) : figure;
  });
  section.append(...(await Promise.all(figures)));
  return section;
}

function waitRows(weekly) {
  if (!weekly) return [];
  return weekly.groups.map((g) => [g.label, number(g.figures.median_minutes_to_match, { maximumFractionDigits: 0 }), number(g.figures.matched)]);
}

/** Done, no-show and cancelled, then what residents can now do alone (named as in the topics' outcome lists). */
function outcomeRows(total) {
  const names = new Map(store.topics.flatMap((topic) => (topic.outcomes || []).map((o) => [o.code, o.names[language()] || o.names.fi])));
  return [
    [t("coord.done"), number(total.done)],
    [t("coord.noShow"), number(total.no_show)],
    [t("coord.cancelledCount"), number(total.cancelled)],
    ...Object.entries(total.outcomes).map(([code, count]) => [names.get(code) || code, number(count)]),
  ];
}

/** A chart's figures as a table, folded under the chart. */
function dataTable(caption, rows, columns) {
  return h(
    "details",
    {},
    h("summary", {}, t("coord.chartData")),
    h(
      "div",
      { class: "table-wrap", tabIndex: 0, attrs: { role: "region", "aria-label": caption } },
      h(
        "table",
        {},
        h("caption", {}, caption),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("coord.group")), ...columns.map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, ...rows.map(([label, ...cells]) => h("tr", {}, h("th", { scope: "row" }, label), ...cells.map((c) => h("td", {}, c))))),
      ),
    ),
  );
}

async function supplyTable(by, from, to, token) {
  const query = new URLSearchParams({ by, from, to });
  const groups = await api("GET", `/statistics/demand-supply?${query}`).then(
    (answer) => answer.groups || answer,
    () => null,
  );
  if (!groups || !stillOn(token)) return h("p", {}, "");
  const label = (g) => (by === "topic" && g.key ? topicName(g.key) : by === "hour" && g.key !== null ? `${g.key}–${Number(g.key) + 1}` : g.label);
  const caption = t("coord.supplyCaption", by === "hour" ? t("coord.hourGroup") : t(`coord.by.${by}`));
  const rows = groups.map((g) => [label(g), number(g.requests), number(g.volunteer_hours, { maximumFractionDigits: 1 })]);
  return dataTable(caption, rows, [t("coord.demand"), t("coord.supply")]);
}
