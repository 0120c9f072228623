// The volunteer's sessions in their phone's own calendar: a private link (webcal) the calendar app follows.
// Anyone with the link sees the times, topics and places (never residents' names), so it can be replaced or
// turned off here.
import { api } from "../api.js";
import { button, h } from "../dom.js";
import { t } from "../i18n.js";
import { redraw, stillOn } from "../router.js";
import { clearProblem, explain, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

export async function calendarScreen(view, _params, token) {
  const title = t("vol.calendarTitle");
  const gate = await volunteerGate(view, { title, id: "vcal" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen(
    { title, back: `#${HOME}`, id: "vcal" },
    h("p", {}, t("vol.calendarIntro")),
    h("p", { class: "warning", id: "calendar-privacy" }, t("vol.calendarPrivacy")),
    loading(),
  );
  view.append(root);
  root.ready = load(root, () => api("GET", "/me/calendar")).then((answer) => {
    if (!answer || !stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    root.append(...(answer.url ? linkShown(root, answer.url) : noLink(root)));
  });
  return root;
}

function change(root, path, message, focusId) {
  return async () => {
    clearProblem(root);
    try {
      await api("POST", path);
      await redraw();
      document.getElementById(focusId)?.focus();
      say(message);
    } catch (error) {
      problem(root, explain(error));
    }
  };
}

function noLink(root) {
  const make = button(t("vol.calendarMake"), { class: "primary", id: "calendar-make" });
  guard(make, change(root, "/me/calendar", t("vol.calendarMade"), "calendar-url"));
  return [h("p", { id: "calendar-none", tabIndex: -1 }, t("vol.calendarNone")), make];
}

async function copy(input) {
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    // Without the clipboard API (or its permission) the link is selected, for the phone's own "Copy".
    input.select();
    if (!document.execCommand?.("copy")) return say(t("vol.calendarSelectToCopy"));
  }
  say(t("vol.calendarCopied"));
}

function linkShown(root, url) {
  const input = h("input", {
    id: "calendar-url",
    name: "calendar-url",
    type: "url",
    readOnly: true,
    class: "link-field",
    attrs: { "aria-describedby": "calendar-privacy" },
  });
  input.value = url;
  const copyButton = button(t("vol.calendarCopy"), { class: "primary", id: "calendar-copy" });
  copyButton.addEventListener("click", () => copy(input));
  const webcal = h(
    "a",
    { class: "button secondary", id: "calendar-webcal", href: url.replace(/^https?:/, "webcal:") },
    t("vol.calendarOpen"),
  );
  const renew = button(t("vol.calendarRenew"), { id: "calendar-renew" });
  guard(renew, change(root, "/me/calendar", t("vol.calendarRenewed"), "calendar-url"));
  const off = button(t("vol.calendarRemove"), { id: "calendar-remove" });
  guard(off, change(root, "/me/calendar/remove", t("vol.calendarRemoved"), "calendar-none"));
  return [
    h("label", { for: "calendar-url" }, t("vol.calendarLinkLabel")),
    input,
    h("div", { class: "actions" }, copyButton, webcal),
    h("p", {}, t("vol.calendarHow")),
    h("h2", {}, t("vol.calendarChangeTitle")),
    h("p", {}, t("vol.calendarChangeText")),
    h("div", { class: "actions" }, renew, off),
  ];
}
