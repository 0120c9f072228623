// The reminder ledger of one session: every message planned for it, when it was due, what happened, and why
// not if it was not sent. Numbers are never shown here: only to whom (the resident, the volunteer).
import { api } from "../api.js";
import { h } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { loading, problem } from "../ui.js";
import { HOME, coordExplain, coordScreen, coordinatorGate, word } from "./coordinator-common.js";

export async function ledgerScreen(view, { id }, token) {
  const gate = await coordinatorGate(view, { title: t("coord.ledgerTitle"), id: "ledger" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = coordScreen({ title: t("coord.ledgerTitle"), id: "ledger", back: `#${HOME}` }, loading());
  view.append(root);
  root.ready = fill(root, id, token);
  return root;
}

async function fill(root, id, token) {
  let lines;
  try {
    lines = await api("GET", `/sessions/${encodeURIComponent(id)}/notifications`);
  } catch (error) {
    if (!stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    problem(root, coordExplain(error), { focus: false });
    return;
  }
  if (!stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  if (!lines.length) {
    root.append(h("p", { class: "empty" }, t("coord.ledgerEmpty")));
    return;
  }
  root.append(h("ol", { class: "cards ledger" }, ...lines.map(line)));
}

const NEVER_SENT = new Set(["failed", "cancelled", "expired"]);

function line(item) {
  const due = when(item.due_at, language());
  const sent = item.sent_at
    ? t("coord.ledgerSent", when(item.sent_at, language()))
    : t(NEVER_SENT.has(item.state) ? "coord.ledgerWasDue" : "coord.ledgerDue", due);
  return h(
    "li",
    { class: "card", attrs: { "data-state": item.state } },
    h("h2", { class: "h3" }, `${word("kind", item.kind)}: ${word("state", item.state)}`),
    h("p", {}, `${word("ledgerTo", item.to)}, ${word("ledgerChannel", item.channel)}`),
    h("p", {}, sent),
    item.attempts > 1 ? h("p", {}, t("coord.ledgerAttempts", item.attempts)) : null,
    item.last_error ? h("p", { class: "problem-inline" }, t("coord.ledgerError", item.last_error)) : null,
    item.body ? h("blockquote", {}, item.body) : null,
  );
}
