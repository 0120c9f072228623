// The desk's day: who is coming to a help point on a day or in a week (the resident's first name, the topic, the
// volunteer, whether they have come), a print view of it for the desk, and the visitors helped without a
// booking, each recorded with one press (topic, minutes, what they can now do alone; no name).
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, clock, day, localDate } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, store } from "../state.js";
import { clearErrors, field, fieldError, guard, problem, say } from "../ui.js";
import { HOME, confirmFirst, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";
import { topicName } from "./where.js";

const DESK = `${HOME}/paiva`;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const SPANS = ["1", "7"];
const MINUTES = [10, 15, 20, 30, 45, 60, 90];

export async function deskDayScreen(view, params, token) {
  const first = DATE.test(params.day || "") ? params.day : localDate();
  const span = SPANS.includes(params.span) ? params.span : "1";
  return deskScreen(view, token, { title: t("coord.deskTitle"), id: "desk" }, (root) =>
    fill(root, { place: params.place || null, first, span }, token),
  );
}

/** The help points the coordinator oversees: their organisations' active places, by municipality and name. */
async function myPlaces() {
  const organisations = (await apiAll("/organisations")).filter((o) => o.active);
  const lists = await Promise.all(organisations.map((o) => apiAll(`/organisations/${o.id}/help-points`)));
  const points = lists.flat().filter((p) => p.active);
  points.sort((a, b) => a.municipality.localeCompare(b.municipality, "fi") || a.name.localeCompare(b.name, "fi"));
  return points;
}

async function fill(root, { place, first, span }, token) {
  const found = await loadFor(root, token, () => Promise.all([myPlaces(), ensureLists()]));
  if (found === undefined) return;
  const [points] = found;
  if (!points.length) {
    root.append(h("p", { class: "empty" }, t("coord.noPlaces")));
    return;
  }
  const point = points.find((p) => p.id === place) || points[0];
  root.append(chooser(points, point, first, span));
  const days = Number(span);
  const section = h("section", { id: "desk-sessions", attrs: { "aria-labelledby": "h-desk-sessions" } });
  root.append(section);
  const today = localDate();
  const includesToday = first <= today && today < addDays(first, days);
  let sessions;
  try {
    sessions = await apiAll(`/help-points/${point.id}/sessions?day=${first}&days=${days}`);
  } catch (error) {
    if (stillOn(token)) problem(root, coordExplain(error), { focus: false });
    return;
  }
  if (!stillOn(token)) return;
  showSessions(section, point, first, days, sessions);
  if (includesToday) root.append(await walkIns(root, point, token));
}

/** The help point, the first day and a day or a week; "Show" opens the address of that choice. */
function chooser(points, point, first, span) {
  const where = select({
    id: "desk-place",
    label: t("coord.deskPlace"),
    options: points.map((p) => [p.id, `${p.name}, ${p.municipality}`]),
    value: point.id,
  });
  const when = field({ id: "desk-day", label: t("coord.deskDay"), type: "date", value: first });
  const length = select({
    id: "desk-span",
    label: t("coord.deskSpan"),
    options: SPANS.map((s) => [s, t(`coord.deskSpans.${s}`)]),
    value: span,
  });
  const form = h(
    "form",
    { id: "desk-form", class: "period-form no-print", novalidate: true },
    h("div", { class: "field" }, ...where.nodes),
    h("div", { class: "field" }, ...when.nodes),
    h("div", { class: "field" }, ...length.nodes),
    h("button", { type: "submit", class: "primary" }, t("coord.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!DATE.test(when.input.value)) return fieldError(when.input, t("coord.needDate"));
    go(`${DESK}/${where.input.value}/${when.input.value}/${length.input.value}`);
  });
  return form;
}

/** "Tiistai 8.12." for "2026-12-08" (noon in Helsinki is the same date). */
function dateHeading(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return day(Date.UTC(y, m - 1, d, 10), language());
}

function showSessions(section, point, first, days, sessions) {
  const title = days === 1 ? t("coord.deskComingDay", dateHeading(first)) : t("coord.deskComingWeek", dateHeading(first), dateHeading(addDays(first, 6)));
  const print = button(t("coord.print"), { id: "desk-print", class: "secondary no-print", on: { click: () => window.print() } });
  section.append(
    h("h2", { id: "h-desk-sessions" }, title),
    h("p", { class: "desk-place" }, `${point.name}, ${point.street_address}, ${point.municipality}`),
    h("p", { id: "desk-count" }, t("coord.deskCount", sessions.length)),
    print,
  );
  if (!sessions.length) {
    section.append(h("p", { class: "empty", id: "desk-empty" }, t("coord.deskNobody")));
    return;
  }
  const byDay = new Map();
  for (const session of sessions) {
    const key = localDate(Date.parse(session.starts_at));
    if (!byDay.has(key)) byDay.set(key, []);
    byDay.get(key).push(session);
  }
  for (const [key, list] of byDay) {
    const id = `h-desk-${key}`;
    if (days > 1) section.append(h("h3", { id }, dateHeading(key)));
    section.append(
      h("ul", { class: "cards desk-list", attrs: { "aria-labelledby": days > 1 ? id : "h-desk-sessions" } }, ...list.map(visitCard)),
    );
  }
  if (sessions.more) section.append(h("p", { class: "warning" }, t("coord.deskMore")));
}

function visitCard(session) {
  const time = `${clock(session.starts_at)}–${clock(session.ends_at)}`;
  const needs = session.needs.map((need) => t(`vol.needs.${need}`)).join(", ");
  return h(
    "li",
    { class: `card desk-visit state-${session.state}`, attrs: { "data-session": session.id } },
    h("p", { class: "desk-time" }, h("strong", {}, time), " ", session.resident_first_name),
    h("p", {}, topicName(session.topic)),
    h("p", {}, session.volunteer_first_name ? t("coord.volunteerName", session.volunteer_first_name) : t("coord.deskNoVolunteer")),
    h("p", { class: "state" }, t(`coord.deskState.${session.state}`), session.confirmed && session.state === "scheduled" ? ` · ${t("coord.deskConfirmed")}` : ""),
    needs ? h("p", {}, t("coord.deskNeeds", needs)) : null,
  );
}

// ---- walk-ins ------------------------------------------------------------------------------------------------

async function walkIns(root, point, token) {
  const box = h("section", { id: "walk-ins", class: "no-print", attrs: { "aria-labelledby": "h-walk-ins" } });
  const heading = h("h2", { id: "h-walk-ins", tabIndex: -1 }, t("coord.walkInsTitle"));
  const list = h("div", { id: "walk-in-list" });
  box.append(heading, h("p", {}, t("coord.walkInsIntro")), walkInForm(root, point, list), list);
  await refreshWalkIns(root, point, list, token);
  return box;
}

async function refreshWalkIns(root, point, list, token) {
  let found;
  try {
    found = await apiAll(`/help-points/${point.id}/walk-ins?day=${localDate()}`);
  } catch (error) {
    problem(root, coordExplain(error), { focus: false });
    return;
  }
  if (token && !stillOn(token)) return;
  const count = h("p", { id: "walk-in-count" }, t("coord.walkInsToday", found.length));
  const items = found
    .slice()
    .reverse()
    .map((visit) => walkInItem(root, point, list, visit));
  list.replaceChildren(count, items.length ? h("ul", { class: "cards", attrs: { "aria-labelledby": "walk-in-count" } }, ...items) : "");
}

function walkInItem(root, point, list, visit) {
  const text = `${clock(visit.recorded_at)} ${topicName(visit.topic)}, ${t("coord.minutes", visit.minutes)}`;
  const actions = h("div", { class: "actions" });
  const remove = button(t("coord.walkInRemove"), { attrs: { "aria-label": t("coord.walkInRemoveFor", text), "data-walk-in": visit.id } });
  remove.addEventListener("click", () =>
    confirmFirst(actions, {
      question: t("coord.walkInRemoveConfirm"),
      yes: t("coord.walkInRemoveYes"),
      restore: [remove],
      back: remove,
      onYes: async () => {
        try {
          await api("DELETE", `/help-points/${point.id}/walk-ins/${visit.id}`);
        } catch (error) {
          problem(root, coordExplain(error));
          return;
        }
        await refreshWalkIns(root, point, list);
        document.getElementById("h-walk-ins")?.focus();
        say(t("coord.walkInRemoved"));
      },
    }),
  );
  actions.append(remove);
  return h("li", { class: "card" }, h("p", {}, text), actions);
}

function walkInForm(root, point, list) {
  const topics = store.topics.filter((topic) => topic.active !== false);
  const topic = select({
    id: "walk-in-topic",
    label: t("coord.walkInTopic"),
    options: topics.map((x) => [x.code, topicName(x.code)]),
    value: topics[0]?.code || "",
  });
  const minutes = select({
    id: "walk-in-minutes",
    label: t("coord.walkInMinutes"),
    options: MINUTES.map((m) => [String(m), t("coord.minutes", m)]),
    value: "20",
  });
  const outcome = select({ id: "walk-in-outcome", label: t("coord.walkInOutcome"), options: [] });
  const fillOutcomes = () => {
    const chosen = topics.find((x) => x.code === topic.input.value);
    outcome.input.replaceChildren(
      h("option", { value: "" }, t("coord.walkInNoOutcome")),
      ...(chosen?.outcomes || []).map((o) => h("option", { value: o.code }, o.names[language()] || o.names.fi)),
    );
  };
  fillOutcomes();
  topic.input.addEventListener("change", fillOutcomes);
  const submit = h("button", { type: "submit", class: "primary", id: "walk-in-record" }, t("coord.walkInRecord"));
  const form = h(
    "form",
    { id: "walk-in-form", class: "period-form", novalidate: true },
    h("div", { class: "field" }, ...topic.nodes),
    h("div", { class: "field" }, ...minutes.nodes),
    h("div", { class: "field" }, ...outcome.nodes),
    submit,
  );
  guard(submit, async () => {
    clearErrors(form);
    const body = { topic: topic.input.value, minutes: Number(minutes.input.value) };
    if (outcome.input.value) body.outcomes = [outcome.input.value];
    try {
      await api("POST", `/help-points/${point.id}/walk-ins`, body);
    } catch (error) {
      if (error?.code === "topic_unknown") return fieldError(topic.input, coordExplain(error));
      return problem(root, coordExplain(error));
    }
    await refreshWalkIns(root, point, list);
    outcome.input.value = "";
    say(t("coord.walkInRecorded", topicName(body.topic)));
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}
