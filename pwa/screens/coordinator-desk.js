// The desk's day: who is coming to a help point on a day or in a week (the resident's first name, the topic, the
// volunteer, whether they have come), its group sessions (places, the waiting list, who is on duty and who is
// coming), a print view of it for the desk, and the visitors helped without a booking, each recorded with one
// press (topic, minutes, what they can now do alone; no name).
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, clock, day, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
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

/**
 * What the coordinator can look at: each organisation as a whole (its help points and its volunteers' calls and
 * home visits), then its active help points, by municipality and name. An organisation's value is "o:<id>".
 */
async function myPlaces() {
  const organisations = (await apiAll("/organisations")).filter((o) => o.active);
  organisations.sort((a, b) => a.name.localeCompare(b.name, "fi"));
  const lists = await Promise.all(organisations.map((o) => apiAll(`/organisations/${o.id}/help-points`)));
  const points = lists.flat().filter((p) => p.active);
  points.sort((a, b) => a.municipality.localeCompare(b.municipality, "fi") || a.name.localeCompare(b.name, "fi"));
  return [
    ...organisations.map((o) => ({ id: `o:${o.id}`, organisation: o, label: t("coord.deskWholeOrganisation", o.name) })),
    ...points.map((p) => ({ id: p.id, point: p, label: `${p.name}, ${p.municipality}` })),
  ];
}

async function fill(root, { place, first, span }, token) {
  const days = Number(span);
  // Everything the screen shows comes before the loading line goes: the places, then the chosen one's sessions.
  const found = await loadFor(root, token, async () => {
    const [places] = await Promise.all([myPlaces(), ensureLists()]);
    const chosen = places.find((p) => p.id === place) || places.find((p) => p.point) || places[0];
    if (!chosen) return { places, chosen, sessions: [] };
    const list = chosen.point ? `/help-points/${chosen.point.id}/sessions` : `/organisations/${chosen.organisation.id}/sessions`;
    const today = localDate();
    const desk = chosen.point && first <= today && today < addDays(first, days);
    const [sessions, visits, dropIns, events] = await Promise.all([
      apiAll(`${list}?day=${first}&days=${days}`),
      desk ? apiAll(`/help-points/${chosen.point.id}/walk-ins?day=${today}`) : null,
      chosen.point ? api("GET", `/help-points/${chosen.point.id}/drop-in?day=${first}&days=${days}`) : [],
      chosen.point ? api("GET", `/help-points/${chosen.point.id}/events?day=${first}&days=${days}`) : [],
    ]);
    return { places, chosen, sessions, visits, dropIns, events };
  });
  if (found === undefined) return;
  const { places, chosen, sessions, visits, dropIns, events } = found;
  if (!chosen) {
    root.append(h("p", { class: "empty" }, t("coord.noPlaces")));
    return;
  }
  root.append(chooser(places, chosen, first, span));
  const section = h("section", { id: "desk-sessions", attrs: { "aria-labelledby": "h-desk-sessions" } });
  root.append(section);
  showSessions(section, chosen, first, days, sessions);
  if (events?.length) root.append(groupSessions(events, days));
  if (dropIns?.length) root.append(dropInHours(dropIns, days));
  // Walk-ins are recorded at a help point's desk, today.
  if (visits) root.append(walkIns(root, chosen.point, visits));
}

/** The drop-in hours of the day (or week): when, and who is on duty (first names), or that nobody is yet. */
function dropInHours(hours, days) {
  const cards = hours.map((hour) => {
    const time = `${clock(hour.starts_at)}–${clock(hour.ends_at)}`;
    const title = days > 1 ? `${dateHeading(hour.day)} ${time}` : time;
    const duty = hour.volunteers.length ? t("coord.deskOnDuty", hour.volunteers.join(", ")) : t("coord.deskNobodyOnDuty");
    return h(
      "li",
      { class: "card", attrs: { "data-drop-in": `${hour.hour_id}:${hour.day}` } },
      h("h3", {}, title),
      h("p", {}, duty),
      hour.volunteers_needed ? h("p", {}, t("coord.unstaffedCount", hour.staffed, hour.volunteers_needed)) : null,
      hour.shortened ? h("p", {}, t("coord.deskShortened")) : null,
    );
  });
  return h(
    "section",
    { id: "desk-drop-in", attrs: { "aria-labelledby": "h-desk-drop-in" } },
    h("h2", { id: "h-desk-drop-in" }, t("coord.deskDropIn")),
    h("ul", { class: "cards", attrs: { "aria-labelledby": "h-desk-drop-in" } }, ...cards),
  );
}

/**
 * The group sessions of the day (or week): when, the places taken and the waiting list, who is on duty, and who is
 * coming (first names: places first, then the waiting list; who came once marked). Printed with the rest.
 */
function groupSessions(events, days) {
  const cards = events.map((event) => {
    const time = `${clock(event.starts_at)}–${clock(event.ends_at)}`;
    const id = `desk-event-${event.id}`;
    const cancelled = event.state === "cancelled";
    const duty = event.volunteers.length ? t("coord.deskOnDuty", event.volunteers.join(", ")) : t("coord.deskNobodyOnDuty");
    return h(
      "li",
      { class: "card", id, attrs: { "data-event": event.id, "data-state": event.state } },
      h("h3", { id: `${id}-title` }, `${days > 1 ? `${dateHeading(localDate(Date.parse(event.starts_at)))} ` : ""}${time} `, h("span", { lang: event.language }, event.title)),
      cancelled ? h("p", { class: "state" }, t("coord.eventCancelled")) : null,
      !cancelled && event.closed_day ? h("p", { class: "risk" }, t("coord.eventClosedDay")) : null,
      h("p", {}, `${t("coord.eventPlacesLabel")}: ${t("coord.eventPlacesValue", event.capacity - event.places_left, event.capacity, event.places_left)}`),
      h("p", {}, `${t("coord.eventWaitlistLabel")}: ${t("coord.eventWaitlistValue", event.waitlisted)}`),
      h("p", {}, duty),
      event.volunteers_needed ? h("p", { class: event.staffed < event.volunteers_needed && !cancelled ? "risk" : null }, t("coord.unstaffedCount", event.staffed, event.volunteers_needed)) : null,
      cancelled ? null : participants(event, id),
      h("p", { class: "no-print" }, h("a", { href: `#${HOME}/ryhma/${event.id}`, attrs: { "aria-describedby": `${id}-title` } }, t("coord.eventLink"))),
    );
  });
  return h(
    "section",
    { id: "desk-events", attrs: { "aria-labelledby": "h-desk-events" } },
    h("h2", { id: "h-desk-events" }, t("coord.deskEvents")),
    h("ul", { class: "cards", attrs: { "aria-labelledby": "h-desk-events" } }, ...cards),
  );
}

function participantState(person) {
  if (person.state === "waitlisted") return t("coord.signupState.waitlisted", person.position);
  if (person.state === "offered") return t("coord.signupState.offered", when(person.offered_until, language()));
  return t(`coord.signupState.${person.state}`);
}

function participants(event, id) {
  if (!event.participants.length) return h("p", {}, t("coord.signupsNone"));
  return h(
    "div",
    {},
    h("h4", { id: `${id}-people` }, t("coord.signupsTitle")),
    h(
      "ul",
      { class: "participants", attrs: { "aria-labelledby": `${id}-people` } },
      ...event.participants.map((person) => {
        const came = person.attendance ? ` – ${t(`coord.attendance.${person.attendance}`)}` : "";
        return h("li", { attrs: { "data-signup": person.id } }, `${person.first_name || "–"} – ${participantState(person)}${came}`);
      }),
    ),
  );
}

/** The help point, the first day and a day or a week; "Show" opens the address of that choice. */
function chooser(places, chosen, first, span) {
  const where = select({
    id: "desk-place",
    label: t("coord.deskPlace"),
    options: places.map((p) => [p.id, p.label]),
    value: chosen.id,
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

function showSessions(section, chosen, first, days, sessions) {
  const title = days === 1 ? t("coord.deskComingDay", dateHeading(first)) : t("coord.deskComingWeek", dateHeading(first), dateHeading(addDays(first, 6)));
  const print = button(t("coord.print"), { id: "desk-print", class: "secondary no-print", on: { click: () => window.print() } });
  section.append(
    h("h2", { id: "h-desk-sessions" }, title),
    h(
      "p",
      { class: "desk-place" },
      chosen.point ? `${chosen.point.name}, ${chosen.point.street_address}, ${chosen.point.municipality}` : chosen.label,
    ),
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
      h(
        "ul",
        { class: "cards desk-list", attrs: { "aria-labelledby": days > 1 ? id : "h-desk-sessions" } },
        ...list.map((session) => visitCard(session, !chosen.point)),
      ),
    );
  }
  if (sessions.more) section.append(h("p", { class: "warning" }, t("coord.deskMore")));
}

function visitCard(session, showPlace) {
  const time = `${clock(session.starts_at)}–${clock(session.ends_at)}`;
  const needs = session.needs.map((need) => t(`vol.needs.${need}`)).join(", ");
  return h(
    "li",
    { class: `card desk-visit state-${session.state}`, attrs: { "data-session": session.id } },
    h("p", { class: "desk-time" }, h("strong", {}, time), " ", session.resident_first_name),
    h("p", {}, topicName(session.topic)),
    showPlace ? h("p", {}, session.help_point_name || t(`modality.${session.modality}`)) : null,
    h("p", {}, session.volunteer_first_name ? t("coord.volunteerName", session.volunteer_first_name) : t("coord.deskNoVolunteer")),
    h("p", { class: "state" }, t(`coord.deskState.${session.state}`), session.confirmed && session.state === "scheduled" ? ` · ${t("coord.deskConfirmed")}` : ""),
    needs ? h("p", {}, t("coord.deskNeeds", needs)) : null,
  );
}

// ---- walk-ins ------------------------------------------------------------------------------------------------

function walkIns(root, point, visits) {
  const box = h("section", { id: "walk-ins", class: "no-print", attrs: { "aria-labelledby": "h-walk-ins" } });
  const heading = h("h2", { id: "h-walk-ins", tabIndex: -1 }, t("coord.walkInsTitle"));
  const list = h("div", { id: "walk-in-list" });
  box.append(heading, h("p", {}, t("coord.walkInsIntro")), walkInForm(root, point, list), list);
  showWalkIns(root, point, list, visits);
  return box;
}

/** Today's walk-ins again from the server, after one was recorded or taken back. */
async function refreshWalkIns(root, point, list) {
  try {
    showWalkIns(root, point, list, await apiAll(`/help-points/${point.id}/walk-ins?day=${localDate()}`));
  } catch (error) {
    problem(root, coordExplain(error), { focus: false });
  }
}

function showWalkIns(root, point, list, found) {
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
