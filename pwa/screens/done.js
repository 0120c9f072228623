// The confirmation: when, where, what to bring, that an SMS is coming, how to cancel, and the code word.
import { api } from "../api.js";
import { definitions, h, linkButton } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, store } from "../state.js";
import { clearFieldError, explain, field, fieldError, guard, helplineLink, say, screen } from "../ui.js";
import { placeLine, whereText } from "./time.js";
import { bringList, topicName } from "./where.js";

function bookedContent(result) {
  const session = result.booked.session;
  if (!session) {
    // A topic only a partner organisation handles: no time yet, the partner gets in touch.
    return [h("p", {}, t("routedText")), definitions([[t("topicLabel"), topicName(result.draft.topic)]])];
  }
  const minutes = Math.round((Date.parse(session.ends_at) - Date.parse(session.starts_at)) / 60000);
  return [
    definitions([
      [t("timeLabel"), `${when(session.starts_at, language())} (${t("minutes", minutes)})`],
      [t("placeLabel"), whereText(session.modality, session.help_point_id)],
      [t("topicLabel"), topicName(session.topic)],
      session.volunteer_first_name ? [t("helperLabel"), session.volunteer_first_name] : null,
    ]),
  ];
}

function askedContent(result) {
  const state = result.asked.state;
  const text = state === "routed" ? "askRouted" : result.asked.volunteers_asked > 0 ? "askOffered" : "askQueued";
  return [
    h("p", {}, t(text)),
    definitions([
      [t("topicLabel"), topicName(result.draft.topic)],
      [t("howLabel"), t(`modality.${result.draft.modality}`)],
      result.draft.modality === "help_point"
        ? [t("placeLabel"), placeLine("help_point", result.draft.helpPointId)]
        : null,
    ]),
  ];
}

function codeWordForm() {
  const word = field({
    id: "code-word",
    label: t("codeWordLabel"),
    hint: t("codeWordHint"),
    maxlength: "20",
    autocomplete: "off",
  });
  const save = h("button", { type: "submit", class: "primary", id: "save-code-word" }, t("codeWordSave"));
  const form = h("form", { id: "form-code-word", novalidate: true }, ...word.nodes, save);
  const box = h(
    "section",
    { class: "code-word", attrs: { "aria-labelledby": "h-code-word" } },
    h("h2", { id: "h-code-word" }, t("codeWordTitle")),
    h("p", {}, t("codeWordExplain")),
    form,
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  guard(save, async () => {
    clearFieldError(word.input);
    const value = word.input.value.trim();
    if (!value) return fieldError(word.input, t("needCodeWord"));
    try {
      const saved = await api("PUT", "/me/messages", { code_word: value });
      word.input.value = saved.code_word;
      say(t("codeWordSaved", saved.code_word));
    } catch (error) {
      fieldError(word.input, explain(error));
    }
  });
  api("GET", "/me/messages")
    .then((settings) => {
      if (settings.code_word && !word.input.value) word.input.value = settings.code_word;
    })
    .catch(() => null);
  return box;
}

export async function doneScreen(view, _params, token) {
  const result = store.result;
  if (!result) return void go("/omat", { replace: true });
  try {
    await ensureLists();
  } catch {
    // Shown with what we have.
  }
  if (!stillOn(token)) return null;
  const booked = result.kind === "book";
  const title = booked ? (result.booked.session ? "doneTitle" : "routedTitle") : "askDoneTitle";
  // No line break inside the number (U+00A0 between its groups).
  const sms = result.phone ? t("smsComingTo", result.phone.replace(/ /g, "\u00a0")) : t("smsComing");
  const root = screen(
    { title: t(title), id: "done" },
    ...(booked ? bookedContent(result) : askedContent(result)),
    bringList(result.draft.topic),
    h("p", {}, sms),
    h("h2", {}, t(booked ? "cancelHowTitle" : "cancelAskTitle")),
    h("p", {}, t(booked ? "cancelHow" : "cancelAsk"), " ", helplineLink()),
    codeWordForm(),
    h(
      "div",
      { class: "actions" },
      linkButton("#/omat", t("mySessions"), "primary"),
      linkButton("#/aihe", t("bookAnother")),
    ),
  );
  view.append(root);
  return root;
}
