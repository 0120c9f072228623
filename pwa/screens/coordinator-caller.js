// A resident on the phone: their coming sessions found by their number (mobile or landline; audited, and only
// what this coordinator oversees), and one cancelled on their word, after a question. They are told as when
// they cancel themselves. On the caller's request, everything held about them (to read out or print and post;
// the look-up is audited), or all of it erased, after a preview of what that cancels and a confirmation.
import { api, ApiError } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { ensureLists } from "../state.js";
import { clearErrors, clearFieldError, field, fieldError, guard, problem, say } from "../ui.js";
import { confirmFirst, coordExplain, coordinatorGate, coordScreen } from "./coordinator-common.js";
import { dataSections, dated, printPart, upcomingList } from "./my-data.js";
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
      if (stillOn(token)) show(root, results, sessions, number);
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

function show(root, results, sessions, phone) {
  const heading = h("h2", { id: "h-caller-sessions", tabIndex: -1 }, t("coord.callerSessions", sessions.length));
  const list = sessions.length
    ? h("ul", { class: "cards", attrs: { "aria-labelledby": "h-caller-sessions" } }, ...sessions.map((s) => card(root, s)))
    : h("p", { class: "empty" }, t("coord.callerNoSessions"));
  results.replaceChildren(heading, list, personalData(root, results, phone));
  heading.focus();
}

/** The caller's personal data, on their request: shown (to read out, or to print and post), or erased. */
function personalData(root, results, phone) {
  const out = h("div", { id: "caller-data-out" });
  const showData = button(t("coord.showData"), { id: "caller-show-data" });
  const erase = button(t("coord.eraseData"), { id: "caller-erase" });
  const actions = h("div", { class: "actions" }, showData, erase);
  guard(showData, async () => {
    let answer;
    try {
      [answer] = await Promise.all([
        api("POST", "/residents/data", { phone, purpose: "data_request" }),
        ensureLists().catch(() => null),
      ]);
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    const heading = h("h3", { id: "h-caller-data", tabIndex: -1 }, t("coord.dataFor", phone));
    const sheet = h(
      "div",
      { id: "caller-data", class: "data" },
      heading,
      h("p", { class: "hint" }, t("data.generated", dated(answer.generated_at))),
      ...dataSections(answer, 4),
    );
    const print = button(t("coord.printData"), { id: "caller-print", class: "secondary no-print", on: { click: () => printPart(sheet) } });
    out.replaceChildren(print, sheet);
    heading.focus();
  });
  guard(erase, async () => {
    let preview;
    try {
      preview = await api("POST", "/residents/erasure/preview", { phone, purpose: "erasure_request" });
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    out.replaceChildren(...erasure(root, results, actions, out, phone, preview));
    out.querySelector("h3").focus();
  });
  return h(
    "section",
    { id: "caller-personal" },
    h("h2", {}, t("coord.callerDataTitle")),
    h("p", {}, t("coord.callerDataIntro")),
    actions,
    out,
  );
}

/** What erasing cancels, then a confirmation (the caller asked; the coordinator checked it is them) and the erasure. */
function erasure(root, results, actions, out, phone, preview) {
  const heading = h("h3", { id: "h-caller-erase", tabIndex: -1 }, t("coord.eraseTitle", phone));
  const shown = [
    heading,
    h("p", {}, t("coord.eraseUpcoming")),
    upcomingList(preview, { id: "caller-erase-upcoming", empty: t("coord.eraseNoUpcoming") }),
    h("p", {}, t("coord.eraseWhat")),
  ];
  if (preview.blockers.length) {
    const words = preview.blockers.map((code) => {
      const key = `coord.eraseBlocked.${code}`;
      return t(key) === key ? t("coord.eraseBlockedOther") : t(key);
    });
    return [...shown, h("p", { class: "warning", id: "caller-erase-blocked" }, [...new Set(words)].join(" "))];
  }
  const confirmed = h("input", { type: "checkbox", id: "caller-erase-confirm", attrs: { "aria-describedby": "caller-erase-confirm-error" } });
  const yes = h("button", { type: "submit", id: "caller-erase-yes", class: "primary danger" }, t("coord.eraseYes"));
  const no = button(t("coord.cancel"), {
    on: {
      click: () => {
        out.replaceChildren();
        actions.querySelector("#caller-erase").focus();
      },
    },
  });
  const form = h(
    "form",
    { id: "caller-erase-form", novalidate: true },
    h("p", { id: "caller-erase-confirm-error", class: "error", hidden: true }),
    h("ul", { class: "checks single" }, h("li", {}, confirmed, h("label", { for: "caller-erase-confirm" }, t("coord.eraseConfirmLabel")))),
    h("div", { class: "actions" }, yes, no),
  );
  confirmed.addEventListener("change", () => clearFieldError(confirmed));
  form.addEventListener("submit", (event) => event.preventDefault());
  guard(yes, async () => {
    clearFieldError(confirmed);
    if (!confirmed.checked) return fieldError(confirmed, t("coord.eraseConfirmNeeded"));
    let result;
    try {
      result = await api("POST", "/residents/erasure", { phone, purpose: "erasure_request", confirm: true });
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    // The caller's sessions and data are gone: nothing of them stays on the screen to act on.
    const done = h("p", { class: "sent", id: "caller-erased", tabIndex: -1 }, t("coord.erased", result.cancelled_sessions, result.cancelled_requests));
    // A landline (or an SMS that did not go): the coordinator tells them on the call they are on.
    const tell = result.told_by_sms === false ? h("p", { class: "warning", id: "caller-erased-tell" }, t("coord.erasedTellThem")) : null;
    results.replaceChildren(h("h2", {}, t("coord.callerErased")), done, tell);
    done.focus();
    say([done.textContent, tell?.textContent].filter(Boolean).join(" "));
  });
  return [...shown, form];
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
