// What do you need help with: one big tile per topic, in the order the coordinators set.
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { helpLanguage, loadTopics, store } from "../state.js";
import { load, loading, screen } from "../ui.js";

export function topicScreen(view, _params, token) {
  const root = screen(
    { title: t("topicTitle"), back: "#/", id: "topic" },
    h("p", { class: "hint" }, t("topicIntro")),
    loading(),
  );
  view.append(root);
  fill(root, token);
  return root;
}

async function fill(root, token) {
  const topics = await load(root, loadTopics);
  if (!topics || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  const tiles = topics.map((topic) =>
    h(
      "li",
      {},
      h(
        "button",
        {
          type: "button",
          class: "tile",
          attrs: { "data-topic": topic.code },
          on: { click: () => choose(topic.code) },
        },
        topic.names[language()] || topic.names.fi,
      ),
    ),
  );
  root.append(h("ul", { class: "tiles" }, ...tiles), h("p", {}, t("topicMissing")));
}

function choose(code) {
  // The helper's language is the one the resident started in: switching the screen's language later does not
  // change whom the times are searched among (the times chosen stay the times booked).
  if (!store.draft.language) store.draft.language = helpLanguage(language());
  if (store.draft.topic !== code) {
    store.draft.topic = code;
    store.draft.slot = null;
    store.draft.idempotencyKey = null;
  }
  go("/tapa");
}
