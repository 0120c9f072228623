// Manual assignment: a waiting request, a time (a free one suggested, or typed), and the volunteers ranked for
// it with the reasons of each score; the ones who do not fit are listed with why not.
import { api, apiAll, apiPage } from "../api.js";
import { definitions, h } from "../dom.js";
import { addDays, helsinkiInstant, localDate, localTime, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists } from "../state.js";
import { clearErrors, field, fieldError, guard, problem, say } from "../ui.js";
import { HOME, coordExplain, deskScreen, loadFor, select, waited, word } from "./coordinator-common.js";
import { helpPointText, languageName, needsText } from "./volunteer-common.js";
import { topicName } from "./where.js";

const SUGGESTION_DAYS = 14;
// Volunteers shown at once, the best fitting first; the rest (a network has thousands) a page at a time on request.
const CANDIDATES_PAGE = 10;

export async function requestScreen(view, { id }, token) {
  return deskScreen(view, token, { title: t("coord.requestTitle"), id: "assign", back: `#${HOME}` }, (root) =>
    fill(root, id, token),
  );
}

async function findRequest(id) {
  const [unmatched, routed] = await Promise.all([apiAll("/queues/unmatched"), apiAll("/queues/routed")]);
  return [...unmatched, ...routed].find((r) => r.id === id) || null;
}

async function fill(root, id, token) {
  const found = await loadFor(root, token, () => Promise.all([findRequest(id), ensureLists()]));
  if (found === undefined) return;
  const [request] = found;
  if (!request) {
    problem(root, t("coord.requestGone"), { focus: false });
    return;
  }
  const place = request.modality === "help_point" && request.help_point_id
    ? helpPointText(request.help_point_id)
    : t(`modality.${request.modality}`);
  root.append(
    definitions([
      [t("coord.topicLabel"), topicName(request.topic)],
      [t("vol.residentLabel"), request.resident_first_name],
      [t("coord.modalityLegend"), place],
      [t("coord.helpLanguageLabel"), languageName(request.language)],
      request.needs?.length ? [t("coord.needsLegend"), needsText(request.needs)] : null,
      [t("coord.waitedLabel"), waited(request.waiting_minutes)],
      [t("coord.channelLabel"), word("channel", request.channel)],
    ]),
  );
  const candidates = h("div", { id: "candidates" });
  const form = timeForm(root, request, candidates, token);
  root.append(form, candidates);
  await showCandidates(root, request, candidates, null, token);
}

function timeForm(root, request, candidates, token) {
  const date = field({ id: "assign-date", label: t("coord.dateLabel"), type: "date", min: localDate() });
  const time = field({ id: "assign-time", label: t("coord.timeLabel"), hint: t("coord.timeHint"), type: "time" });
  const suggestions = select({ id: "assign-slot", label: t("coord.suggestedTimes"), options: [["", "–"]] });
  suggestions.input.addEventListener("change", () => {
    const value = suggestions.input.value;
    if (!value) return;
    date.input.value = localDate(value);
    time.input.value = localTime(value);
  });
  const suggestionBox = h("div", { class: "suggestions" }, ...suggestions.nodes);
  const show = h("button", { type: "submit", class: "primary" }, t("coord.showCandidates"));
  const form = h(
    "form",
    { id: "assign-when", novalidate: true },
    h("fieldset", {}, h("legend", {}, t("coord.timeLegend")), suggestionBox, ...date.nodes, ...time.nodes),
    show,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const at = chosenTime(date.input, time.input);
    if (!at) return;
    await showCandidates(root, request, candidates, at, token, { focus: true });
  });
  loadSuggestions(request, suggestions.input, suggestionBox, token);
  form.chosen = () => chosenTime(date.input, time.input);
  candidates.form = form;
  return form;
}

function chosenTime(dateInput, timeInput) {
  if (!dateInput.value) {
    fieldError(dateInput, t("coord.needDate"));
    return null;
  }
  if (!/^\d{2}:\d{2}$/.test(timeInput.value)) {
    fieldError(timeInput, t("coord.needTime"));
    return null;
  }
  return helsinkiInstant(dateInput.value, timeInput.value);
}

/** The next free times for the request (not for home visits: those depend on the home's place). */
async function loadSuggestions(request, control, box, token) {
  if (request.modality === "home_visit") {
    box.hidden = true;
    return;
  }
  const from = localDate();
  const params = new URLSearchParams({
    topic: request.topic,
    modality: request.modality,
    language: request.language,
    from,
    to: addDays(from, SUGGESTION_DAYS - 1),
  });
  if (request.help_point_id) params.set("help_point_id", request.help_point_id);
  const slots = await api("GET", `/slots?${params}`).catch(() => []);
  if (!stillOn(token)) return;
  if (!slots.length) {
    control.replaceChildren(h("option", { value: "" }, t("coord.noSuggestedTimes")));
    return;
  }
  slots.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  control.append(...slots.map((slot) => h("option", { value: slot.starts_at }, when(slot.starts_at, language()))));
}

async function showCandidates(root, request, box, at, token, { focus = false } = {}) {
  const params = new URLSearchParams({ limit: String(CANDIDATES_PAGE) });
  if (at) params.set("starts_at", at);
  let page;
  try {
    page = await apiPage(`/requests/${request.id}/candidates?${params}`);
  } catch (error) {
    if (stillOn(token)) problem(root, coordExplain(error), { focus });
    return;
  }
  if (!stillOn(token)) return;
  root.querySelector(".problem")?.remove();
  const title = at ? t("coord.candidatesAt", when(at, language())) : t("coord.candidatesAny");
  const heading = h("h2", { id: "h-candidates", tabIndex: -1 }, title);
  // The server sends the ones who fit first, best first, then the ones who do not.
  const list = h("ol", { class: "cards", attrs: { "aria-labelledby": "h-candidates" } });
  const empty = h("p", { class: "empty" }, t("coord.noCandidates"));
  const summary = h("summary", {});
  const excluded = h("ul", {});
  const others = h("details", { class: "excluded" }, summary, excluded);
  const more = h("button", { type: "button", class: "secondary" }, t("coord.moreCandidates"));
  let next = null;
  let notFitting = 0;
  const add = (found) => {
    const fitting = found.items.filter((c) => c.eligible).map((c) => candidateCard(root, request, c, at, box.form));
    const rest = found.items.filter((c) => !c.eligible);
    list.append(...fitting);
    excluded.append(...rest.map((c) => h("li", {}, `${c.first_name}: ${word("excluded", c.excluded_code)}`)));
    notFitting += rest.length;
    next = found.next;
    list.hidden = !list.children.length;
    empty.hidden = Boolean(list.children.length);
    others.hidden = !notFitting;
    // The count once it is known: a longer list says how many have been shown so far.
    summary.textContent = next ? t("coord.notEligibleTitle") : `${t("coord.notEligibleTitle")} (${notFitting})`;
    more.hidden = !next;
    return fitting[0] || excluded.lastElementChild;
  };
  guard(more, async () => {
    let found;
    try {
      found = await apiPage(next);
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    const first = add(found);
    // Keyboard and screen-reader users go on from the first volunteer just shown.
    const target = first?.querySelector?.("h3") || first;
    if (target) {
      target.tabIndex = -1;
      target.focus();
    } else {
      more.focus();
    }
  });
  add(page);
  box.replaceChildren(heading, list, empty, others, more);
  if (focus) heading.focus();
}

/** A reason in the chosen language (the server's `text` is English, for the API's readers). */
function reasonText(reason) {
  const key = `coord.reasonText.${reason.code}`;
  const text = t(key, reason.value);
  return text === key ? reason.text : text;
}

function candidateCard(root, request, candidate, at, form) {
  const assign = h("button", { type: "button", class: "primary" }, t("coord.assign", candidate.first_name));
  guard(assign, async () => {
    const startsAt = at || form.chosen();
    if (!startsAt) return;
    try {
      const session = await api("POST", `/requests/${request.id}/assign`, {
        volunteer_id: candidate.volunteer_id,
        starts_at: startsAt,
      });
      await go(HOME);
      say(t("coord.assigned", candidate.first_name, when(session.starts_at, language())));
    } catch (error) {
      problem(root, coordExplain(error));
    }
  });
  return h(
    "li",
    { class: "card", attrs: { "data-volunteer": candidate.volunteer_id } },
    h("h3", {}, candidate.first_name, " ", h("span", { class: "score" }, t("coord.score", candidate.score))),
    h(
      "ul",
      { class: "reasons" },
      ...candidate.reasons.map((reason) => h("li", {}, `${t("coord.points", reason.points)}: ${reasonText(reason)}`)),
    ),
    assign,
  );
}
