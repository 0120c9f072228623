// The reminder ledger of one session: every message planned for it, when it was due, what happened, and why
// not if it was not sent. Numbers are never shown here: only to whom (the resident, the volunteer).
import { api } from "../api.js";
import { h } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { HOME, deskScreen, loadFor, word } from "./coordinator-common.js";

export async function ledgerScreen(view, { id }, token) {
  return deskScreen(view, token, { title: t("coord.ledgerTitle"), id: "ledger", back: `#${HOME}` }, (root) =>
    fill(root, id, token),
  );
}

async function fill(root, id, token) {
  const lines = await loadFor(root, token, () => api("GET", `/sessions/${encodeURIComponent(id)}/notifications`));
  if (lines === undefined) return;
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
