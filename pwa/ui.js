// Shared pieces of every screen: the heading, errors in plain words (shown where they belong and announced),
// the offline notice, and buttons that cannot be pressed twice while the first press is still working.
import { ApiError } from "./api.js";
import { $, h } from "./dom.js";
import { language, setLanguage, t } from "./i18n.js";
import { go, path } from "./router.js";

/** A screen: an optional back link, the one question as <h1>, then the content. */
export function screen({ title, back, id }, ...content) {
  return h(
    "section",
    { class: "screen", id, attrs: { "aria-labelledby": id ? `${id}-title` : null } },
    back ? h("a", { class: "back", href: back }, t("back")) : null,
    h("h1", { id: id ? `${id}-title` : null, tabIndex: -1 }, title),
    ...content,
  );
}

/** Polite news ("the code has been sent"). */
export function say(message) {
  $("alert").textContent = "";
  $("status").textContent = message;
}

/** Errors: read out at once by screen readers. */
export function alertNow(message) {
  $("status").textContent = "";
  $("alert").textContent = message;
}

export function explain(error) {
  if (!(error instanceof ApiError)) return t("errors.unexpected");
  if (error.status === 0) return t("offline");
  const code = error.code;
  if (code === "code_wrong") return t("errors.code_wrong", error.problem.attempts_left);
  // Everyone's texts first, then the volunteer's own (vol.errors: their profile, times, offers and sessions).
  for (const key of [`errors.${code}`, `vol.errors.${code}`]) {
    if (code && t(key) !== key) return t(key);
  }
  if (error.status === 429 || code.startsWith("too_many")) return t("errors.too_many");
  if (code.endsWith("_not_allowed")) return t("errors.not_allowed");
  if (error.status === 401) return t("errors.not_signed_in");
  if (error.status === 403) return t("errors.role_required");
  if (error.status === 404) return t("errors.not_found");
  if (error.status === 409) return t("errors.session_changed");
  if (error.status >= 500) return t("errors.server");
  return t("errors.unexpected");
}

export function clearFieldError(input) {
  const error = $(`${input.id}-error`);
  input.removeAttribute("aria-invalid");
  if (error) {
    error.hidden = true;
    error.textContent = "";
  }
}

/** Next to the field, linked with aria-describedby, the field marked invalid and focused, and announced. */
export function fieldError(input, message) {
  const error = $(`${input.id}-error`);
  error.textContent = message;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
  alertNow(message);
}

/** An error about a group of choices (a fieldset): shown under its legend, its first choice focused, announced. */
export function groupError(fieldset, message) {
  const error = $(`${fieldset.id}-error`);
  error.textContent = message;
  error.hidden = false;
  fieldset.querySelector("input, select")?.focus();
  alertNow(message);
}

/** Hide every field and group error inside `form`. */
export function clearErrors(form) {
  for (const error of form.querySelectorAll(".error")) {
    error.hidden = true;
    error.textContent = "";
  }
  for (const field of form.querySelectorAll("[aria-invalid]")) field.removeAttribute("aria-invalid");
}

/** A labelled text field with its hint and error places: { id, label, hint, ...input attributes }. */
export function field({ id, label, hint, value = "", ...attrs }) {
  const described = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  const input = h("input", { id, name: id, type: "text", attrs: { "aria-describedby": described, ...attrs } });
  input.value = value;
  return {
    input,
    nodes: [
      h("label", { for: id }, label),
      hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
      h("p", { id: `${id}-error`, class: "error", hidden: true }),
      input,
    ],
  };
}

/**
 * An error that belongs to the whole screen, shown right under its heading. `focus`: after an action the
 * focus moves to it (the button pressed may be far below); while a screen loads the heading keeps it.
 */
export function problem(root, message, { actions = [], focus = true } = {}) {
  let box = root.querySelector(".problem");
  if (!box) {
    box = h("div", { class: "problem", tabIndex: -1 });
    root.querySelector("h1").after(box);
  }
  box.replaceChildren(h("p", {}, message), ...actions);
  if (focus) box.focus();
  alertNow(message);
  return box;
}

export function clearProblem(root) {
  root.querySelector(".problem")?.remove();
}

/** Run `work` on a press; presses while it runs (a double tap) are ignored. */
export function guard(button, work) {
  button.addEventListener("click", async (event) => {
    event.preventDefault();
    if (button.dataset.busy) return;
    button.dataset.busy = "true";
    button.setAttribute("aria-disabled", "true");
    try {
      await work(event);
    } finally {
      delete button.dataset.busy;
      button.removeAttribute("aria-disabled");
    }
  });
  return button;
}

export function loading() {
  return h("p", { class: "loading" }, t("loading"));
}

/** Try the screen again from its heading (the button pressed is gone once it is drawn again). */
export function again() {
  return go(path());
}

/** Load what a screen shows; on failure say why under the heading, with a button to try again. */
export async function load(root, loader) {
  try {
    return await loader();
  } catch (error) {
    root.querySelector(".loading")?.remove();
    const retry = h("button", { type: "button", class: "secondary", on: { click: again } }, t("tryAgain"));
    problem(root, explain(error), { actions: [retry], focus: false });
    return undefined;
  }
}

export function showOffline(offline) {
  $("offline").hidden = !offline;
}

/** The texts written in index.html (marked data-t / data-t-label) in the chosen language. */
export function translateStatic() {
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-label]")) {
    node.setAttribute("aria-label", t(node.dataset.tLabel));
  }
}

export function applyLanguage() {
  document.documentElement.lang = language();
  translateStatic();
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === language()));
  }
}

export function chooseLanguage(next) {
  setLanguage(next);
  applyLanguage();
}

/** The helpline as a link to call: the number from GET /about, else the one written in index.html. */
export function helplineLink() {
  const header = $("helpline");
  return h("a", { class: "tel", href: header.getAttribute("href") }, header.textContent);
}

/**
 * A place's or a partner's own words (its name, street, accessibility notes, description) as the server sent them:
 * in the language asked for (`shownIn`, the screen's unless said), or in Finnish where there is no translation
 * (the answer's `in_finnish` names those fields). Words in another language than the screen's carry their `lang`
 * for screen readers, and Finnish on a Swedish or English screen says so after them ("(på finska)"), unless
 * `mark` is false (a street address needs no such note).
 */
export function ownWords(item, field, { text = item[field], shownIn = language(), mark = true } = {}) {
  if (!text) return text || "";
  const written = (item.in_finnish || []).includes(field) ? "fi" : (shownIn || "fi").slice(0, 2);
  if (written === language()) return text;
  const words = h("span", { lang: written }, text);
  if (!mark || written !== "fi") return words;
  return [words, " ", h("span", { class: "in-finnish" }, t("inFinnish"))];
}

/** Something the user can choose: a big button with a title and, if given, a line that explains it. */
export function tile(title, detail, onChoose, attrs = {}) {
  return h(
    "li",
    {},
    h(
      "button",
      { type: "button", class: "tile", attrs, on: { click: onChoose } },
      h("span", { class: "tile-title" }, title),
      detail ? h("span", { class: "tile-detail" }, detail) : null,
    ),
  );
}
