// The volunteer's shifts on the drop-in hours of their help points: the next four weeks, how many volunteers each
// needs and has, and one button to take a shift or give it back. A shift counts towards the weekly limit, like a
// session, so the server may refuse a full week in words. On the day of their shift the volunteer records each
// visitor helped with one press (topic, minutes, what they can now do alone; no name), as the desk does.
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { topicName } from "./where.js";
import { language, t } from "../i18n.js";
import { clock, day, localDate } from "../format.js";
import { redraw, stillOn } from "../router.js";
import { loadTopics, store } from "../state.js";
import { clearProblem, explain, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

export async function shiftsScreen(view, _params, token) {
  const title = t("vol.shiftsTitle");
  const gate = await volunteerGate(view, { title, id: "vshifts" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vshifts" }, h("p", {}, t("vol.shiftsIntro")), loading());
  view.append(root);
  root.ready = load(root, () =>
    Promise.all([apiAll("/me/drop-in-shifts"), store.topics.length ? store.topics : loadTopics()]),
  ).then((found) => {
    if (!found || !stillOn(token)) return;
    const [shifts] = found;
    root.querySelector(".loading")?.remove();
    if (!shifts.length) return void root.append(h("p", { class: "empty" }, t("vol.shiftsNone")));
    const days = new Map();
    for (const shift of shifts) {
      const date = localDate(shift.starts_at);
      if (!days.has(date)) days.set(date, []);
      days.get(date).push(shift);
    }
    for (const [date, ofDay] of days) {
      const heading = `shifts-${date}`;
      root.append(
        h("h2", { id: heading }, day(ofDay[0].starts_at, language())),
        h("ul", { class: "drop-ins", attrs: { "aria-labelledby": heading } }, ...ofDay.map((s) => card(root, s))),
      );
    }
  });
  return root;
}

function shiftId(shift) {
  return `shift-${shift.hour_id}-${shift.day}`;
}

function card(root, shift) {
  const id = shiftId(shift);
  const staffed = t("vol.shiftsStaffed", shift.staffed, shift.volunteers_needed);
  let action;
  if (shift.mine) {
    action = button(t("vol.shiftsGiveBack"), { id: `${id}-back`, attrs: { "aria-describedby": `${id}-time` } });
    guard(action, change(root, "DELETE", shift, t("vol.shiftsGivenBack")));
  } else if (shift.staffed >= shift.volunteers_needed) {
    action = h("p", {}, t("vol.shiftsFull"));
  } else {
    action = button(t("vol.shiftsTake"), {
      class: "primary",
      id: `${id}-take`,
      attrs: { "aria-describedby": `${id}-time` },
    });
    guard(action, change(root, "PUT", shift, t("vol.shiftsTaken")));
  }
  return h(
    "li",
    { class: "drop-in", id },
    h("p", { id: `${id}-time` }, h("strong", {}, `${clock(shift.starts_at)}–${clock(shift.ends_at)}`), ", ",
      shift.help_point_name),
    h("p", {}, [shift.street_address, shift.municipality].filter(Boolean).join(", ")),
    h("p", {}, staffed),
    shift.mine ? h("p", {}, h("strong", {}, t("vol.shiftsMine"))) : null,
    action,
    shift.mine && shift.today ? walkInForm(root, shift) : null,
  );
}

const MINUTES = [10, 15, 20, 30, 45, 60];

function choice(id, label, options, value) {
  const control = h("select", { id, name: id }, ...options.map(([v, text]) => h("option", { value: v }, text)));
  control.value = value;
  return { control, nodes: [h("label", { for: id }, label), control] };
}

/** Today's shift: a visitor helped, recorded with one press (no name). */
function walkInForm(root, shift) {
  const id = shiftId(shift);
  const topics = store.topics.filter((x) => x.active !== false && (!shift.topics.length || shift.topics.includes(x.code)));
  const topic = choice(`${id}-topic`, t("vol.walkInTopic"), topics.map((x) => [x.code, topicName(x.code)]), topics[0]?.code || "");
  const minutes = choice(`${id}-minutes`, t("vol.walkInMinutes"), MINUTES.map((m) => [String(m), t("vol.walkInMinutesValue", m)]), String(Math.min(20, shift.minutes_per_visitor)));
  const outcome = choice(`${id}-outcome`, t("vol.walkInOutcome"), [], "");
  const fillOutcomes = () => {
    const chosen = topics.find((x) => x.code === topic.control.value);
    outcome.control.replaceChildren(
      h("option", { value: "" }, t("vol.walkInNoOutcome")),
      ...(chosen?.outcomes || []).map((o) => h("option", { value: o.code }, o.names[language()] || o.names.fi)),
    );
  };
  fillOutcomes();
  topic.control.addEventListener("change", fillOutcomes);
  const record = button(t("vol.walkInRecord"), { class: "primary", id: `${id}-walk-in` });
  guard(record, async () => {
    clearProblem(root);
    const body = { topic: topic.control.value, minutes: Number(minutes.control.value) };
    if (outcome.control.value) body.outcomes = [outcome.control.value];
    try {
      await api("POST", `/drop-in-hours/${shift.hour_id}/shifts/${shift.day}/walk-ins`, body);
    } catch (error) {
      return void problem(root, explain(error));
    }
    outcome.control.value = "";
    say(t("vol.walkInRecorded", topicName(body.topic)));
  });
  const heading = `${id}-walk-ins`;
  return h(
    "section",
    { class: "walk-in", attrs: { "aria-labelledby": heading } },
    h("h3", { id: heading }, t("vol.walkInTitle")),
    h("p", { class: "hint" }, t("vol.walkInIntro")),
    h("div", { class: "field" }, ...topic.nodes),
    h("div", { class: "field" }, ...minutes.nodes),
    h("div", { class: "field" }, ...outcome.nodes),
    record,
  );
}

function change(root, method, shift, message) {
  return async () => {
    clearProblem(root);
    try {
      await api(method, `/drop-in-hours/${shift.hour_id}/shifts/${shift.day}`);
      await redraw();
      const again = document.getElementById(shiftId(shift));
      (again?.querySelector("button") || document.querySelector("#view h1"))?.focus();
      say(message);
    } catch (error) {
      problem(root, explain(error));
    }
  };
}
