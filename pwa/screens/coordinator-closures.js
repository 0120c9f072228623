// Closed days: the coming sessions left without a place because their help point is closed that day (or open at
// other hours that leave them out), each to be moved (the same volunteer first) or cancelled; the resident and
// the volunteer are told by the server as on any change. The network coordinator also closes every help point
// of a municipality, or all of them, on given days (a storm, a training day for everyone).
// The pieces a day's form needs (its date in words, what the day is, the reason in three languages) are shared
// with the help point's own screen (coordinator-places.js).
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, day, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { ensureLists, helpPointById, municipalityName, store } from "../state.js";
import { clearErrors, field, fieldError, problem, say } from "../ui.js";
import { HOME, confirmFirst, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";
import { topicName } from "./where.js";

/** How far ahead a day can be set (server/domain/days.py HORIZON_DAYS). */
export const HORIZON_DAYS = 400;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS_AT_ONCE = 31;
const REASON_LANGUAGES = ["fi", "sv", "en"];

/** "Torstai 24.12.2026" / "Torsdag 24.12.2026" / "Thursday 24 December 2026" for "2026-12-24". */
export function dateText(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const noon = Date.UTC(y, m - 1, d, 12); // the same date in Helsinki
  return language() === "en" ? `${day(noon, "en")} ${y}` : `${day(noon, language())}${y}`;
}

/** "11.00" for "11:00:00". */
const dot = (hhmmss) => hhmmss.slice(0, 5).replace(/^0/, "").replace(":", ".");

/** What the day is: closed, open at other hours (11.00–13.00), or open as every week. */
export function stateText(found) {
  if (found.state === "closed") return t("coord.dayClosed");
  if (found.state === "hours" && found.opens && found.closes) return t("coord.dayHours", dot(found.opens), dot(found.closes));
  return t("coord.dayOpen");
}

/** The reason in the coordinator's language, else in Finnish. */
export function reasonText(reason) {
  return (reason && (reason[language()] || reason.fi)) || "";
}

/** The valid date typed in `input` ("2026-12-24"), or null: today at the earliest, HORIZON_DAYS ahead at most. */
export function dayInRange(input) {
  const value = input.value.trim();
  const today = localDate();
  if (!ISO_DATE.test(value) || value < today || value > addDays(today, HORIZON_DAYS)) return null;
  return value;
}

/** A date field for a day from today to the horizon. */
export function dateField({ id, label, hint }) {
  const today = localDate();
  return field({ id, label, hint, type: "date", min: today, max: addDays(today, HORIZON_DAYS) });
}

/** The reason in Finnish (needed) and in Swedish and English, each input marked with its language. */
export function reasonFields(prefix) {
  const fields = REASON_LANGUAGES.map((lang) =>
    field({ id: `${prefix}-reason-${lang}`, label: t(`coord.reasonIn.${lang}`), autocomplete: "off", lang }),
  );
  const inputs = Object.fromEntries(REASON_LANGUAGES.map((lang, n) => [lang, fields[n].input]));
  return {
    inputs,
    fieldset: h(
      "fieldset",
      { id: `${prefix}-reason` },
      h("legend", {}, t("coord.reasonLegend")),
      h("p", { class: "hint" }, t("coord.reasonHint")),
      ...fields.flatMap((f) => f.nodes),
    ),
    read: () => Object.fromEntries(REASON_LANGUAGES.map((lang) => [lang, inputs[lang].value.trim()])),
    clear: () => REASON_LANGUAGES.forEach((lang) => (inputs[lang].value = "")),
  };
}

function isNetworkCoordinator() {
  return Boolean(store.session?.roles?.some((grant) => grant.role === "network_coordinator"));
}

export async function closuresScreen(view, _params, token) {
  return deskScreen(view, token, { title: t("coord.closuresTitle"), id: "closures", intro: t("coord.closuresIntro") }, (root) =>
    fill(root, token),
  );
}

async function fill(root, token) {
  const found = await loadFor(root, token, () => Promise.all([apiAll("/closures/affected"), ensureLists()]));
  if (found === undefined) return;
  const box = h("div", { id: "affected" });
  root.append(box);
  showAffected(root, box, found[0]);
  if (isNetworkCoordinator()) root.append(closeManyForm(root, box, token));
}

function showAffected(root, box, items) {
  const heading = h("h2", { id: "h-affected", tabIndex: -1 }, t("coord.affectedTitle", items.length));
  const list = items.length
    ? h("ul", { class: "cards", id: "affected-list", attrs: { "aria-labelledby": "h-affected" } }, ...items.map((item) => card(root, box, item)))
    : h("p", { class: "empty", id: "affected-empty" }, t("coord.noAffected"));
  box.replaceChildren(heading, list);
  return heading;
}

/** The list again from the server, the focus on its heading (the card acted on is gone), and the news said. */
async function refresh(root, box, news, { focus = true } = {}) {
  let items;
  try {
    items = await apiAll("/closures/affected");
  } catch (error) {
    problem(root, coordExplain(error));
    return;
  }
  const heading = showAffected(root, box, items);
  if (focus) heading.focus();
  say(news);
}

function placeName(id) {
  const point = id ? helpPointById(id) : null;
  return point ? `${point.name}, ${point.municipality}` : t("modality.help_point");
}

function card(root, box, { session, day: closed }) {
  const time = when(session.starts_at, language());
  const reason = reasonText(closed.reason);
  const actions = h("div", { class: "actions" });
  const move = button(t("coord.move"), { attrs: { "aria-label": t("coord.moveSessionFor", time), "data-move": session.id } });
  const cancel = button(t("coord.cancelSession"), {
    attrs: { "aria-label": t("coord.cancelSessionFor", time), "data-cancel": session.id },
  });
  const item = h(
    "li",
    { class: "card", attrs: { "data-session": session.id } },
    h("h3", { tabIndex: -1 }, time),
    h("p", {}, placeName(session.help_point_id)),
    h("p", { class: "state" }, stateText(closed)),
    reason ? h("p", {}, t("coord.dayReason", reason)) : null,
    h("p", {}, topicName(session.topic)),
    h("p", {}, t("coord.volunteerName", session.volunteer_first_name)),
    h(
      "p",
      {},
      h("a", { href: `#${HOME}/aika/${session.id}`, attrs: { "aria-label": t("coord.sessionMessagesFor", time) } }, t("coord.sessionMessages")),
    ),
    actions,
  );
  cancel.addEventListener("click", () =>
    confirmFirst(actions, {
      question: t("coord.cancelConfirm"),
      yes: t("coord.cancelYes"),
      restore: [move, cancel],
      back: cancel,
      onYes: async () => {
        try {
          await api("POST", `/sessions/${session.id}/cancel-for-resident`);
        } catch (error) {
          problem(root, coordExplain(error));
          return;
        }
        await refresh(root, box, t("coord.sessionCancelled", time));
      },
    }),
  );
  move.addEventListener("click", () =>
    actions.replaceChildren(
      moveForm(root, box, session, closed, () => {
        actions.replaceChildren(move, cancel);
        move.focus();
      }),
    ),
  );
  actions.append(move, cancel);
  return item;
}

/** Free times for the same topic, way, language and place around the closed day, and the move to one. */
function moveForm(root, box, session, closed, back) {
  const id = `move-${session.id}`;
  const choice = h("select", { id, name: id, attrs: { "aria-describedby": `${id}-error` } }, h("option", { value: "" }, t("loadingTimes")));
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.moveHere"));
  const no = button(t("coord.cancel"), { on: { click: back } });
  const form = h(
    "form",
    { class: "move-form", novalidate: true },
    h("label", { for: id }, t("coord.newTime")),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    choice,
    submit,
    no,
  );
  const today = localDate();
  const week = addDays(closed.day, -7);
  const from = week > today ? week : today;
  const params = new URLSearchParams({ topic: session.topic, modality: session.modality, language: session.language, from, to: addDays(from, 20) });
  if (session.help_point_id) params.set("help_point_id", session.help_point_id);
  api("GET", `/slots?${params}`).then(
    (slots) => {
      const others = slots.filter((slot) => Date.parse(slot.starts_at) !== Date.parse(session.starts_at));
      others.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
      choice.replaceChildren(
        h("option", { value: "" }, others.length ? "–" : t("coord.noMoveTimes")),
        ...others.map((slot) => h("option", { value: slot.starts_at }, when(slot.starts_at, language()))),
      );
    },
    (failure) => choice.replaceChildren(h("option", { value: "" }, coordExplain(failure))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    if (!choice.value) return fieldError(choice, t("coord.check.newTime"));
    submit.dataset.busy = "true";
    try {
      const moved = await api("POST", `/sessions/${session.id}/move-for-resident`, { starts_at: choice.value });
      await refresh(root, box, t("coord.sessionMoved", when(session.starts_at, language()), when(moved.starts_at, language())));
    } catch (failure) {
      fieldError(choice, coordExplain(failure));
    } finally {
      delete submit.dataset.busy;
    }
  });
  queueMicrotask(() => choice.focus());
  return form;
}

/** Every date from `first` to `last` (both included). */
function datesFrom(first, last) {
  const days = [];
  for (let next = first; next <= last && days.length <= MAX_DAYS_AT_ONCE; next = addDays(next, 1)) days.push(next);
  return days;
}

/** The network coordinator closes every help point of a municipality (or all) on the days given. */
function closeManyForm(root, box, token) {
  // Closed by the Finnish name the server keeps; shown as the screen's language calls it ("Kajana" in Swedish).
  const municipalities = [...new Set(store.helpPoints.map((p) => p.municipality_fi))].sort((a, b) => a.localeCompare(b, "fi"));
  const where = select({
    id: "close-where",
    label: t("coord.closeWhere"),
    options: [["", t("coord.closeEverywhere")], ...municipalities.map((m) => [m, municipalityName(m)])],
  });
  const first = dateField({ id: "close-first", label: t("coord.firstDay") });
  const last = dateField({ id: "close-last", label: t("coord.lastDay"), hint: t("coord.lastDayHint") });
  const reason = reasonFields("close");
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.closeMany"));
  const confirmBox = h("div", { class: "actions" }, submit);
  const done = h("div", { id: "close-many-done" });
  const form = h(
    "form",
    { id: "close-many", novalidate: true, attrs: { "aria-labelledby": "h-close-many" } },
    h("h2", { id: "h-close-many" }, t("coord.closeManyTitle")),
    h("p", {}, t("coord.closeManyIntro")),
    ...where.nodes,
    ...first.nodes,
    ...last.nodes,
    reason.fieldset,
    done,
    confirmBox,
  );
  const restore = () => confirmBox.replaceChildren(submit);

  const send = async (body, days) => {
    let answer;
    try {
      answer = await api("POST", "/closures", body);
    } catch (error) {
      restore();
      const code = error?.code;
      if (code === "municipality_not_found") return fieldError(where.input, coordExplain(error));
      if (code === "day_reason_required") return fieldError(reason.inputs.fi, coordExplain(error));
      if (code === "days_count") return fieldError(last.input, coordExplain(error));
      if (code === "day_past" || code === "date_out_of_range") return fieldError(first.input, t("coord.check.dayDate"));
      return problem(root, coordExplain(error));
    }
    if (!stillOn(token)) return;
    restore();
    const news = t("coord.closedMany", answer.days_set, days.length);
    const message = h("p", { class: "sent", id: "close-many-result", tabIndex: -1 }, news);
    done.replaceChildren(message);
    first.input.value = "";
    last.input.value = "";
    reason.clear();
    message.focus();
    await refresh(root, box, news, { focus: false }); // sessions on those days are now listed above
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    done.replaceChildren();
    const from = dayInRange(first.input);
    if (!from) return fieldError(first.input, t("coord.check.dayDate"));
    let to = from;
    if (last.input.value.trim()) {
      to = dayInRange(last.input);
      if (!to || to < from || datesFrom(from, to).length > MAX_DAYS_AT_ONCE) return fieldError(last.input, t("coord.check.lastDay"));
    }
    const text = reason.read();
    if (!text.fi) return fieldError(reason.inputs.fi, t("coord.check.reasonFi"));
    const days = datesFrom(from, to);
    const body = { days, reason: text };
    if (where.input.value) body.municipality = where.input.value;
    const place = where.input.value ? t("coord.closeIn", municipalityName(where.input.value)) : t("coord.closeAll");
    const period = from === to ? dateText(from) : `${dateText(from)} – ${dateText(to)}`;
    confirmFirst(confirmBox, {
      question: t("coord.closeManyConfirm", place, period),
      yes: t("coord.closeManyYes"),
      restore: [submit],
      back: submit,
      onYes: () => send(body, days),
    });
  });
  return form;
}
