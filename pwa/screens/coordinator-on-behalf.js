// Booking for a resident who phoned: who they are, what they need help with and how, a free time (or "no
// fixed time": the volunteers are asked), and their consent. The resident needs no account; the confirmation
// goes to them by SMS. Opened from the callback queue, the caller's number, name and language are filled in,
// and the callback is marked handled once the booking is made.
import { api, apiAll, ApiError, newIdempotencyKey } from "../api.js";
import { h, linkButton } from "../dom.js";
import { addDays, localDate, phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, store } from "../state.js";
import { clearErrors, field, fieldError, groupError, guard, problem, say } from "../ui.js";
import { HOME, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";
import { topicName } from "./where.js";

const SLOT_DAYS = 14;
const NO_TIME = "none";
const MODALITIES = ["help_point", "phone", "video"]; // home visits need the home's place, not asked here
const NEEDS = ["hearing", "sight", "mobility", "memory"];
const HELP_LANGUAGES = ["fi", "fi-plain", "sv", "en"];

export async function onBehalfScreen(view, { callback } = {}, token) {
  return deskScreen(view, token, { title: t("coord.onBehalfTitle"), id: "on-behalf", intro: t("coord.onBehalfIntro") }, (root) => fill(root, callback, token));
}

async function fill(root, callbackId, token) {
  const found = await loadFor(root, token, () =>
    Promise.all([callbackId ? apiAll("/queues/callbacks") : [], ensureLists()]),
  );
  if (found === undefined) return;
  const caller = found[0].find((c) => c.id === callbackId) || null;
  root.append(bookingForm(root, caller, token));
}

function radios(id, legend, name, options, value) {
  return h(
    "fieldset",
    { id, attrs: { "aria-describedby": `${id}-error` } },
    h("legend", {}, legend),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    h(
      "ul",
      { class: "checks" },
      ...options.map(([v, text]) =>
        h(
          "li",
          {},
          h("input", { type: "radio", id: `${name}-${v}`, name, value: v, checked: v === value }),
          h("label", { for: `${name}-${v}` }, text),
        ),
      ),
    ),
  );
}

function checks(id, legend, name, options) {
  return h(
    "fieldset",
    { id },
    h("legend", {}, legend),
    h(
      "ul",
      { class: "checks" },
      ...options.map(([v, text]) =>
        h("li", {}, h("input", { type: "checkbox", id: `${name}-${v}`, name, value: v }), h("label", { for: `${name}-${v}` }, text)),
      ),
    ),
  );
}

function languageOptions(codes) {
  return codes.map((code) => [code, t(`vol.languages.${code}`)]);
}

function bookingForm(root, caller, token) {
  const phone = field({
    id: "ob-phone",
    label: t("coord.onBehalfPhoneLabel"),
    hint: t("coord.onBehalfPhoneHint"),
    type: "tel",
    inputmode: "tel",
    autocomplete: "off",
    value: caller?.phone ? phoneDisplay(caller.phone) : "", // as people say it, not +358…
  });
  const firstName = field({ id: "ob-name", label: t("coord.firstNameLabel"), autocomplete: "off", value: caller?.first_name || "" });
  const residentLanguage = select({
    id: "ob-language",
    label: t("coord.residentLanguageLabel"),
    options: languageOptions(["fi", "sv", "en"]),
    value: caller?.language || "fi",
  });
  const topics = store.topics.filter((topic) => topic.active !== false);
  const topic = select({
    id: "ob-topic",
    label: t("coord.topicLabel"),
    options: [["", "–"], ...topics.map((x) => [x.code, topicName(x.code)])],
  });
  const helpLanguage = select({
    id: "ob-help-language",
    label: t("coord.helpLanguageLabel"),
    options: languageOptions(HELP_LANGUAGES),
    value: caller?.language || "fi",
  });
  const modality = radios(
    "ob-modality",
    t("coord.modalityLegend"),
    "ob-modality",
    MODALITIES.map((m) => [m, t(`modality.${m}`)]),
    "help_point",
  );
  const points = [...store.helpPoints].sort((a, b) => `${a.municipality} ${a.name}`.localeCompare(`${b.municipality} ${b.name}`, "fi"));
  const helpPoint = select({
    id: "ob-help-point",
    label: t("coord.helpPointLabel"),
    options: [["", "–"], ...points.map((p) => [p.id, `${p.municipality}: ${p.name}`])],
  });
  const pointBox = h("div", {}, ...helpPoint.nodes);
  const needs = checks("ob-needs", t("coord.needsLegend"), "ob-need", NEEDS.map((n) => [n, t(`vol.needs.${n}`)]));
  const slot = select({ id: "ob-slot", label: t("coord.slotLabel"), options: [["", "–"], [NO_TIME, t("coord.noTimeOption")]] });
  const findTimes = h("button", { type: "button", class: "secondary", id: "ob-find-times" }, t("coord.findTimes"));
  const consent = h("input", { type: "checkbox", id: "ob-consent", name: "ob-consent", attrs: { "aria-describedby": "ob-consent-error" } });
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.book"));
  const form = h(
    "form",
    { id: "on-behalf-form", novalidate: true },
    h("fieldset", {}, h("legend", {}, t("coord.callerLegend")), ...phone.nodes, ...firstName.nodes, ...residentLanguage.nodes),
    h("fieldset", {}, h("legend", {}, t("coord.helpLegend")), ...topic.nodes, ...helpLanguage.nodes),
    modality,
    pointBox,
    needs,
    h("fieldset", { id: "ob-when" }, h("legend", {}, t("coord.whenLegend")), findTimes, ...slot.nodes),
    h("p", { id: "ob-consent-error", class: "error", hidden: true }),
    h("ul", { class: "checks single" }, h("li", {}, consent, h("label", { for: "ob-consent" }, t("coord.consentLabel")))),
    submit,
  );

  const chosenModality = () => form.querySelector("input[name=ob-modality]:checked")?.value || "";
  const showPoint = () => (pointBox.hidden = chosenModality() !== "help_point");
  // A change to what the times were searched for makes the list out of date: back to "search again".
  const forgetTimes = () => {
    slot.input.replaceChildren(h("option", { value: "" }, "–"), h("option", { value: NO_TIME }, t("coord.noTimeOption")));
  };
  for (const input of modality.querySelectorAll("input")) input.addEventListener("change", () => (showPoint(), forgetTimes()));
  for (const control of [topic.input, helpLanguage.input, helpPoint.input]) control.addEventListener("change", forgetTimes);
  showPoint();

  const query = () => ({
    topic: topic.input.value,
    modality: chosenModality(),
    language: helpLanguage.input.value,
    helpPointId: chosenModality() === "help_point" ? helpPoint.input.value : "",
  });
  const checkQuery = (q) => {
    if (!q.topic) return fieldError(topic.input, t("coord.check.topic")), false;
    if (!q.modality) return groupError(modality, t("coord.check.modality")), false;
    if (q.modality === "help_point" && !q.helpPointId) return fieldError(helpPoint.input, t("coord.check.helpPoint")), false;
    return true;
  };

  guard(findTimes, async () => {
    clearErrors(form);
    const q = query();
    if (!checkQuery(q)) return;
    const from = localDate();
    const params = new URLSearchParams({ topic: q.topic, modality: q.modality, language: q.language, from, to: addDays(from, SLOT_DAYS - 1) });
    if (q.helpPointId) params.set("help_point_id", q.helpPointId);
    let slots;
    try {
      slots = await api("GET", `/slots?${params}`);
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    if (!stillOn(token)) return;
    slots.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
    slot.input.replaceChildren(
      h("option", { value: "" }, "–"),
      ...slots.map((s) => h("option", { value: s.starts_at }, when(s.starts_at, language()))),
      h("option", { value: NO_TIME }, t("coord.noTimeOption")),
    );
    slot.input.focus();
    say(slots.length ? t("showingTimes", when(slots[0].starts_at, language()), when(slots.at(-1).starts_at, language())) : t("coord.noSlots"));
  });

  let key = newIdempotencyKey(); // one per booking: a repeated press or a lost answer books once
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    if (!phone.input.value.trim()) return fieldError(phone.input, t("coord.check.phone"));
    if (!firstName.input.value.trim()) return fieldError(firstName.input, t("coord.check.firstName"));
    const q = query();
    if (!checkQuery(q)) return;
    if (!slot.input.value) return fieldError(slot.input, t("coord.check.slot"));
    if (!consent.checked) {
      const error = form.querySelector("#ob-consent-error");
      error.textContent = t("coord.check.consent");
      error.hidden = false;
      consent.focus();
      return problem(root, t("coord.check.consent"), { focus: false });
    }
    const body = {
      phone: phone.input.value.trim(),
      first_name: firstName.input.value.trim(),
      consent: true,
      topic: q.topic,
      modality: q.modality,
      resident_language: residentLanguage.input.value,
      language: q.language,
      needs: [...form.querySelectorAll("input[name=ob-need]:checked")].map((box) => box.value),
    };
    if (q.helpPointId) body.help_point_id = q.helpPointId;
    if (slot.input.value !== NO_TIME) body.starts_at = slot.input.value;
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    try {
      const result = await api("POST", "/bookings/on-behalf", body, { headers: { "Idempotency-Key": key } });
      key = newIdempotencyKey();
      const stillOpen = caller
        ? !(await api("POST", `/callbacks/${caller.id}/handle`, { outcome: "booked_on_behalf" }).then(() => true, () => false))
        : false;
      if (stillOn(token)) showResult(root, form, result, stillOpen);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 0)) key = newIdempotencyKey();
      if (error instanceof ApiError && error.code === "phone_invalid") fieldError(phone.input, coordExplain(error));
      else if (error instanceof ApiError && error.code === "phone_not_mobile") fieldError(phone.input, coordExplain(error));
      else problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
  });
  return form;
}

function showResult(root, form, result, callbackStillOpen) {
  let message;
  if (result.session) {
    const booked = result.reminded_by === "call" ? "coord.bookedByCall" : "coord.booked";
    message = t(booked, when(result.session.starts_at, language()), result.session.volunteer_first_name || "–");
  } else if (result.routed_to_organisation_id) {
    message = t("coord.routed");
  } else {
    message = t("coord.asked", result.volunteers_asked || 0);
    if (result.reminded_by === "call") message += ` ${t("coord.askedByCall")}`;
  }
  const heading = h("h2", { id: "ob-done", tabIndex: -1 }, t("coord.bookedTitle"));
  const done = h(
    "div",
    { class: "sent", id: "ob-result" },
    heading,
    h("p", {}, message),
    callbackStillOpen ? h("p", { class: "warning" }, t("coord.callbackStillOpen")) : null,
    h("button", { type: "button", class: "primary", on: { click: () => go(`${HOME}/varaa`) } }, t("coord.bookAnother")),
    linkButton(`#${HOME}`, t("coord.toQueues")),
  );
  form.replaceWith(done);
  root.querySelector(".problem")?.remove();
  heading.focus();
  say(message);
}
