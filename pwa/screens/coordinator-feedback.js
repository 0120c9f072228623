// Accessibility feedback for the network coordinator: oldest unanswered first, with what is past the 14 days
// the law allows; marking one answered asks for a short note of what was done.
import { api, apiAll } from "../api.js";
import { h } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { guard, problem, say } from "../ui.js";
import { coordExplain, deskScreen, loadFor } from "./coordinator-common.js";

export async function feedbackScreen(view, _params, token) {
  return deskScreen(view, token, { title: t("coord.feedbackTitle"), id: "feedback", intro: t("coord.feedbackIntro") }, (root) => fill(root, token));
}

async function fill(root, token) {
  const items = await loadFor(root, token, () => apiAll("/accessibility-feedback"));
  if (items === undefined) return;
  const heading = h("h2", { id: "h-feedback-open", tabIndex: -1 }, t("coord.feedbackOpen"), " ", h("span", { class: "count" }, t("coord.count", items.length)));
  const list = h("ul", { class: "cards", attrs: { "aria-labelledby": "h-feedback-open" } });
  const empty = h("p", { class: "empty", hidden: items.length > 0 }, t("coord.none"));
  const done = () => {
    heading.querySelector(".count").textContent = t("coord.count", list.children.length);
    empty.hidden = list.children.length > 0;
    heading.focus();
  };
  for (const item of items) list.append(card(root, item, done));
  root.append(heading, list, empty);
}

function card(root, item, done) {
  const note = h("textarea", { id: `answer-${item.id}`, maxLength: 2000 });
  const mark = h("button", { type: "button", class: "primary" }, t("coord.markAnswered"));
  const li = h(
    "li",
    { class: "card", attrs: { "data-feedback": item.id } },
    h("h3", {}, t("coord.feedbackReceived", when(item.created_at, language()))),
    item.overdue ? h("p", { class: "risk" }, t("coord.feedbackOverdue")) : null,
    h("blockquote", {}, item.message),
    h("p", {}, item.contact ? t("coord.feedbackContact", item.contact) : t("coord.feedbackNoContact")),
    item.page ? h("p", { class: "hint" }, t("coord.feedbackPage", item.page, t(`vol.languages.${item.language}`))) : null,
    h("label", { for: note.id }, t("coord.answerNote")),
    note,
    mark,
  );
  guard(mark, async () => {
    try {
      await api("POST", `/accessibility-feedback/${item.id}/answered`, { note: note.value.trim() });
    } catch (error) {
      problem(root, coordExplain(error));
      return;
    }
    li.remove();
    say(t("coord.markedAnswered"));
    done();
  });
  return li;
}
