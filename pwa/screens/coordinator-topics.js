// The topics residents choose from (network coordinator): each with its names and "bring with you" list in
// Finnish, Swedish and English, its order on the list, and whether it is offered; a new topic is added with a
// short code. (The outcomes a volunteer records are kept as they are; they change through the API.)
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { loadTopics } from "../state.js";
import { clearErrors, field, fieldError, problem, say } from "../ui.js";
import { HOME, coordExplain, deskScreen, loadFor } from "./coordinator-common.js";

const TOPICS = `${HOME}/aiheet`;
const LANGUAGES = ["fi", "sv", "en"];
const CODE = /^[a-z][a-z0-9_]{1,39}$/;

export async function topicsScreen(view, _params, token) {
  return deskScreen(view, token, { title: t("coord.topicsTitle"), id: "topics" }, (root) => fillList(root, token));
}

export async function topicScreen(view, { code }, token) {
  return deskScreen(view, token, { title: t("coord.topicTitle"), id: "topic-edit", back: `#${TOPICS}` }, (root) =>
    fillOne(root, code, token),
  );
}

async function allTopics() {
  const topics = await api("GET", "/topics?include_inactive=true");
  return topics.sort((a, b) => a.sort_order - b.sort_order || a.code.localeCompare(b.code));
}

async function fillList(root, token) {
  const topics = await loadFor(root, token, () => allTopics());
  if (topics === undefined) return;
  root.append(h("ul", { class: "cards" }, ...topics.map(topicCard)), topicForm(root, null));
}

function topicCard(topic) {
  const name = topic.names[language()] || topic.names.fi;
  return h(
    "li",
    { class: "card", attrs: { "data-topic-code": topic.code } },
    h("h2", { class: "h3" }, name),
    h("p", { class: "hint" }, `${topic.code} · ${t("coord.sortOrder")} ${topic.sort_order}`),
    topic.active ? null : h("p", { class: "state" }, t("coord.topicRetired")),
    topic.partner_only_organisation_id ? h("p", {}, t("coord.partnerOnly")) : null,
    h("p", {}, t("coord.bringCount", (topic.bring[language()] || topic.bring.fi || []).length)),
    h("a", { class: "button secondary", href: `#${HOME}/aihe/${topic.code}`, attrs: { "aria-label": t("coord.editPlaceFor", name) } }, t("coord.editPlace")),
  );
}

async function fillOne(root, code, token) {
  let topic;
  let topics;
  try {
    topics = await allTopics();
    topic = topics.find((x) => x.code === code);
  } catch (error) {
    if (!stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    return void problem(root, coordExplain(error), { focus: false });
  }
  if (!stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  if (!topic) return void problem(root, t("errors.not_found"), { focus: false });
  root.append(topicForm(root, topic), wordsSection(root, topic, topics));
}

// The words a resident's text message is read by (booking by text): the built-in ones to read, the network's own
// to change (one per line), and a box to try how a message would be read.
function wordsSection(root, topic, topics) {
  const topicName = (code) => {
    const found = topics.find((x) => x.code === code);
    return found ? found.names[language()] || found.names.fi : code;
  };
  const heading = h("h2", { id: "h-words", tabIndex: -1 }, t("coord.wordsTitle"));
  const builtIn = h("div", { id: "words-built-in" }, h("p", { class: "loading" }, t("loading")));
  const own = h("textarea", { id: "words-own", name: "words-own", rows: 5, attrs: { "aria-describedby": "words-own-hint words-own-error" } });
  const save = h("button", { type: "submit", class: "primary" }, t("coord.wordsSave"));
  const form = h(
    "form",
    { id: "words-form", novalidate: true },
    h("label", { for: "words-own" }, t("coord.wordsOwn")),
    h("p", { id: "words-own-hint", class: "hint" }, t("coord.wordsOwnHint")),
    h("p", { id: "words-own-error", class: "error", hidden: true }),
    own,
    save,
  );
  const lines = () => own.value.split(/[\n,]/).map((w) => w.trim()).filter(Boolean);
  const show = (found) => {
    own.value = found.words.join("\n");
    const rows = Object.entries(found.built_in).map(([lang, words]) =>
      h("li", {}, `${t(`coord.dropInLanguage.${lang}`)}: ${[...words.strong, ...words.weak].join(", ")}`),
    );
    builtIn.replaceChildren(
      h("p", {}, t("coord.wordsBuiltIn")),
      rows.length ? h("ul", {}, ...rows) : h("p", { class: "empty" }, t("coord.wordsNoBuiltIn")),
    );
  };
  api("GET", `/topics/${topic.code}/words`).then(show, (error) => problem(root, coordExplain(error), { focus: false }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (save.dataset.busy) return;
    clearErrors(form);
    const words = lines();
    if (words.some((w) => w.length < 3 || w.length > 40)) return fieldError(own, t("coord.check.words"));
    save.dataset.busy = "true";
    try {
      show(await api("PUT", `/topics/${topic.code}/words`, { words }));
    } catch (error) {
      return void problem(root, coordExplain(error));
    } finally {
      delete save.dataset.busy;
    }
    say(t("coord.wordsSaved"));
  });
  const trial = field({ id: "words-try", label: t("coord.wordsTry"), hint: t("coord.wordsTryHint"), maxlength: "300" });
  const tryButton = h("button", { type: "submit", class: "secondary" }, t("coord.wordsTryButton"));
  const result = h("p", { id: "words-try-result", attrs: { "aria-live": "polite" } });
  const tryForm = h("form", { id: "words-try-form", novalidate: true }, ...trial.nodes, tryButton, result);
  tryForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(tryForm);
    if (!trial.input.value.trim()) return fieldError(trial.input, t("coord.check.wordsTry"));
    try {
      const found = await api("POST", "/topics/read", { text: trial.input.value });
      result.textContent = found.topic
        ? t("coord.wordsReadAs", topicName(found.topic))
        : t("coord.wordsUnclear", found.guess ? topicName(found.guess) : "");
    } catch (error) {
      problem(root, coordExplain(error));
    }
  });
  return h("section", { id: "topic-words", attrs: { "aria-labelledby": "h-words" } }, heading, h("p", {}, t("coord.wordsIntro")), builtIn, form, tryForm);
}

/** Change `topic`, or (null) add a new one. */
function topicForm(root, topic) {
  const prefix = topic ? "topic" : "new-topic";
  const code = topic ? null : field({ id: `${prefix}-code`, label: t("coord.topicCode"), hint: t("coord.topicCodeHint"), autocomplete: "off", maxlength: "40" });
  const names = LANGUAGES.map((lang) =>
    field({ id: `${prefix}-name-${lang}`, label: t("coord.topicName", t(`vol.languages.${lang}`)), value: topic?.names[lang] || "", autocomplete: "off", maxlength: "100" }),
  );
  const brings = LANGUAGES.map((lang) => {
    const id = `${prefix}-bring-${lang}`;
    const area = h("textarea", { id, attrs: { "aria-describedby": `${prefix}-bring-hint ${id}-error` } });
    area.value = (topic?.bring[lang] || []).join("\n");
    const error = h("p", { id: `${id}-error`, class: "error", hidden: true });
    return [h("label", { for: id }, t("coord.bringLabel", t(`vol.languages.${lang}`))), error, area];
  });
  const order = field({ id: `${prefix}-order`, label: t("coord.sortOrder"), value: String(topic?.sort_order ?? 100), inputmode: "numeric", class: "short", autocomplete: "off" });
  const active = h("input", { type: "checkbox", id: `${prefix}-active`, checked: topic ? topic.active : true });
  const submit = h("button", { type: "submit", class: "primary" }, topic ? t("coord.save") : t("coord.add"));
  const form = h(
    "form",
    { id: `${prefix}-form`, novalidate: true, attrs: { "aria-labelledby": topic ? "topic-edit-title" : "h-new-topic" } },
    topic ? null : h("h2", { id: "h-new-topic" }, t("coord.addTopic")),
    ...(code ? code.nodes : []),
    ...names.flatMap((n) => n.nodes),
    h("p", { id: `${prefix}-bring-hint`, class: "hint" }, t("coord.bringHint")),
    ...brings.flat(),
    ...order.nodes,
    h("ul", { class: "checks single" }, h("li", {}, active, h("label", { for: active.id }, t("coord.topicActive")))),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    if (code && !CODE.test(code.input.value.trim())) return fieldError(code.input, t("coord.check.topicCode"));
    for (const [i, lang] of LANGUAGES.entries()) {
      if (!names[i].input.value.trim()) return fieldError(names[i].input, t("coord.check.required", t("coord.topicName", t(`vol.languages.${lang}`))));
    }
    const sortOrder = Number(order.input.value.trim());
    if (!Number.isInteger(sortOrder) || sortOrder < 0 || sortOrder > 1000) return fieldError(order.input, t("coord.check.sortOrder"));
    const lines = (area) => area.value.split("\n").map((line) => line.trim()).filter(Boolean);
    const counts = brings.map(([, , area]) => lines(area).length);
    const odd = counts.findIndex((n) => n !== Math.max(...counts));
    if (odd >= 0) {
      problem(root, t("coord.check.bringMismatch"), { focus: false });
      return fieldError(brings[odd][2], t("coord.check.bringMismatch"));
    }
    const body = {
      names: Object.fromEntries(LANGUAGES.map((lang, i) => [lang, names[i].input.value.trim()])),
      bring: Object.fromEntries(LANGUAGES.map((lang, i) => [lang, lines(brings[i][2])])),
      outcomes: topic ? topic.outcomes : [],
      partner_only_organisation_id: topic ? topic.partner_only_organisation_id : null,
      sort_order: sortOrder,
      active: active.checked,
    };
    submit.dataset.busy = "true";
    try {
      const saved = topic
        ? await api("PUT", `/topics/${topic.code}`, body)
        : await api("POST", "/topics", { ...body, code: code.input.value.trim() });
      await loadTopics().catch(() => null); // the residents' tiles and the names everywhere
      await go(TOPICS);
      say(t(topic ? "coord.placeSaved" : "coord.placeAdded", saved.names[language()] || saved.names.fi));
    } catch (error) {
      if (code && error instanceof ApiError && error.status === 409) fieldError(code.input, coordExplain(error));
      else problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
  });
  return form;
}
