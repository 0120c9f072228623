// A resident on the phone: their coming sessions found by their number (mobile or landline; audited, and only
// what this coordinator oversees), and one cancelled on their word, after a question. They are told as when
// they cancel themselves.
import { api, ApiError } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { ensureLists } from "../state.js";
import { clearErrors, field, fieldError, problem, say } from "../ui.js";
import { confirmFirst, coordExplain, coordinatorGate, coordScreen } from "./coordinator-common.js";
import { helpPointText } from "./volunteer-common.js";
import { topicName } from "./where.js";

export async function callerScreen(view, _params, token) {
  const gate = await coordinatorGate(view, { title: t("coord.callerTitle"), id: "caller" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const phone = field({ id: "caller-phone", label: t("coord.phoneLabel"), hint: t("coord.callerPhoneHint"), type: "tel", inputmode: "tel", autocomplete: "off" });
  const find = h("button", { type: "submit", class: "primary" }, t("coord.findSessions"));
  const form = h("form", { id: "caller-form", novalidate: true }, ...phone.nodes, find);
  const results = h("div", { id: "caller-sessions" });
  const root = coordScreen({ title: t("coord.callerTitle"), id: "caller" }, h("p", {}, t("coord.callerIntro")), form, results);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (find.dataset.busy) return;
    clearErrors(form);
    root.querySelector(".problem")?.remove();
    const number = phone.input.value.trim();
    if (!number) return fieldError(phone.input, t("coord.check.phone"));
    find.dataset.busy = "true";
    try {
      const [sessions] = await Promise.all([
        api("POST", "/residents/sessions", { phone: number, purpose: "helpline call" }),
        ensureLists().catch(() => null),
      ]);
      if (stillOn(token)) show(root, results, sessions);
    } catch (error) {
      if (error instanceof ApiError && error.code === "resident_not_found") {
        results.replaceChildren();
        fieldError(phone.input, t("coord.callerUnknown"));
      } else if (error instanceof ApiError && error.code.startsWith("phone_")) {
        fieldError(phone.input, coordExplain(error));
      } else {
        problem(root, coordExplain(error));
      }
    } finally {
      delete find.dataset.busy;
    }
  });
  view.append(root);
  return root;
}

function show(root, results, sessions) {
  const heading = h("h2", { id: "h-caller-sessions", tabIndex: -1 }, t("coord.callerSessions", sessions.length));
  const list = sessions.length
    ? h("ul", { class: "cards", attrs: { "aria-labelledby": "h-caller-sessions" } }, ...sessions.map((s) => card(root, s)))
    : h("p", { class: "empty" }, t("coord.callerNoSessions"));
  results.replaceChildren(heading, list);
  heading.focus();
}

function card(root, session) {
  const time = when(session.starts_at, language());
  const place = session.modality === "help_point" ? helpPointText(session.help_point_id) : t(`modality.${session.modality}`);
  const actions = h("div", { class: "actions" });
  const move = button(t("coord.moveSessionFor", time), { attrs: { "data-move": session.id } });
  const ask = button(t("coord.cancelSessionFor", time), { attrs: { "data-cancel": session.id } });
  const heading = h("h3", { tabIndex: -1 }, time);
  const item = h(
    "li",
    { class: "card", attrs: { "data-session": session.id } },
    heading,
    h("p", {}, topicName(session.topic)),
    h("p", {}, place),
    h("p", {}, t("coord.volunteerName", session.volunteer_first_name)),
    actions,
  );
  const cancel = async () => {
    try {
      await api("POST", `/sessions/${session.id}/cancel-for-resident`);
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    const state = h("p", { class: "state", tabIndex: -1 }, t("vol.sessionState.cancelled"));
    actions.replaceWith(state);
    state.focus();
    say(t("coord.sessionCancelled", time));
  };
  ask.addEventListener("click", () =>
    confirmFirst(actions, {
      question: t("coord.cancelConfirm"),
      yes: t("coord.cancelYes"),
      restore: [move, ask],
      back: ask,
      onYes: cancel,
    }),
  );
  move.addEventListener("click", () => actions.replaceChildren(moveForm(root, session, item, () => {
    actions.replaceChildren(move, ask);
    move.focus();
  })));
  actions.append(move, ask);
  return item;
}

/** A free time to move the session to (the same topic, way and place, the next two weeks), and the move. */
function moveForm(root, session, item, back) {
  const id = `move-${session.id}`;
  const choice = h("select", { id, attrs: { "aria-describedby": `${id}-error` } }, h("option", { value: "" }, t("loadingTimes")));
  const error = h("p", { id: `${id}-error`, class: "error", hidden: true });
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.moveHere"));
  const no = button(t("coord.cancel"), { on: { click: back } });
  const form = h("form", { class: "move-form", novalidate: true }, h("label", { for: id }, t("coord.newTime")), error, choice, submit, no);
  const from = localDate();
  const params = new URLSearchParams({ topic: session.topic, modality: session.modality, language: session.language, from, to: addDays(from, 13) });
  if (session.help_point_id) params.set("help_point_id", session.help_point_id);
  api("GET", `/slots?${params}`).then(
    (slots) => {
      const later = slots.filter((slot) => slot.starts_at !== session.starts_at);
      later.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
      choice.replaceChildren(
        h("option", { value: "" }, later.length ? "–" : t("coord.noSuggestedTimes")),
        ...later.map((slot) => h("option", { value: slot.starts_at }, when(slot.starts_at, language()))),
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
      const fresh = card(root, moved);
      item.replaceWith(fresh);
      fresh.querySelector("h3").focus();
      say(t("coord.sessionMoved", when(session.starts_at, language()), when(moved.starts_at, language())));
    } catch (failure) {
      fieldError(choice, coordExplain(failure));
    } finally {
      delete submit.dataset.busy;
    }
  });
  queueMicrotask(() => choice.focus());
  return form;
}
