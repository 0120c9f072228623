// A help point's drop-in hours (päivystys: residents come without booking, first come first served): the weekly
// list with a button to stop each, and a form to publish one (weekday, hours, topics, languages, the longest time
// per visitor and how many volunteers it needs). Residents see them at once; closed days leave them out.
import { api } from "../api.js";
import { button, h } from "../dom.js";
import { weekdayName } from "../format.js";
import { language, t } from "../i18n.js";
import { loadTopics, store } from "../state.js";
import { clearErrors, field, fieldError, guard, groupError, problem, say } from "../ui.js";
import { coordExplain, select } from "./coordinator-common.js";
import { topicName } from "./where.js";

const CLOCK = /^\d{2}:\d{2}$/;
const LANGUAGES = ["fi", "sv", "en"];

export function dropInSection(root, point) {
  const heading = h("h2", { id: "h-drop-in", tabIndex: -1 }, t("coord.dropInTitle"));
  const listBox = h("div", { id: "drop-in-hours" }, h("p", { class: "loading" }, t("loading")));
  const path = `/help-points/${point.id}/drop-in-hours`;

  const refresh = async ({ news = null, focus = true } = {}) => {
    let hours;
    try {
      if (!store.topics.length) await loadTopics();
      hours = await api("GET", path);
    } catch (error) {
      listBox.replaceChildren();
      problem(root, coordExplain(error), { focus });
      return;
    }
    listBox.replaceChildren(
      hours.length
        ? h("ul", { class: "cards", id: "drop-in-list", attrs: { "aria-labelledby": "h-drop-in" } }, ...hours.map(card))
        : h("p", { class: "empty", id: "drop-in-empty" }, t("coord.dropInNone")),
    );
    if (focus) heading.focus();
    if (news) say(news);
  };

  function card(hour) {
    const title = hourText(hour);
    const stop = button(t("coord.dropInStop"), { attrs: { "aria-label": t("coord.dropInStopFor", title), "data-stop": hour.id } });
    guard(stop, async () => {
      try {
        await api("DELETE", `${path}/${hour.id}`);
      } catch (error) {
        return void problem(root, coordExplain(error));
      }
      await refresh({ news: t("coord.dropInStopped", title) });
    });
    const topics = hour.topics.length ? hour.topics.map(topicName).join(", ") : t("coord.dropInAnyTopic");
    return h(
      "li",
      { class: "card", attrs: { "data-hour": hour.id } },
      h("h3", {}, title),
      h("p", {}, t("coord.dropInTopicsAre", topics)),
      h("p", {}, t("coord.dropInLanguagesAre", hour.languages.map((code) => t(`coord.dropInLanguage.${code}`)).join(", "))),
      h("p", {}, t("coord.dropInPerVisitorIs", hour.minutes_per_visitor)),
      h("p", {}, t("coord.dropInVolunteersAre", hour.volunteers_needed)),
      h("div", { class: "actions" }, stop),
    );
  }

  const section = h(
    "section",
    { id: "place-drop-in", attrs: { "aria-labelledby": "h-drop-in" } },
    heading,
    h("p", {}, t("coord.dropInIntro")),
    listBox,
    addForm(root, path, refresh),
  );
  refresh({ focus: false });
  return section;
}

function hourText(hour) {
  return `${weekdayName(hour.weekday, language())} ${hour.starts.slice(0, 5).replace(":", ".")}–${hour.ends.slice(0, 5).replace(":", ".")}`;
}

function checkboxes(id, legend, hint, options, checked) {
  return h(
    "fieldset",
    { id, attrs: { "aria-describedby": `${id}-error` } },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    h(
      "ul",
      { class: "checks" },
      ...options.map(([value, text]) =>
        h(
          "li",
          {},
          h("input", { type: "checkbox", id: `${id}-${value}`, name: id, value, checked: checked.includes(value) }),
          h("label", { for: `${id}-${value}` }, text),
        ),
      ),
    ),
  );
}

function addForm(root, path, refresh) {
  const weekday = select({
    id: "drop-in-weekday",
    label: t("coord.dropInWeekday"),
    options: [0, 1, 2, 3, 4, 5, 6].map((d) => [String(d), weekdayName(d, language())]),
    value: "2",
  });
  const starts = field({ id: "drop-in-starts", label: t("coord.dropInStarts"), type: "time", class: "short" });
  const ends = field({ id: "drop-in-ends", label: t("coord.dropInEnds"), type: "time", class: "short" });
  const minutes = field({ id: "drop-in-minutes", label: t("coord.dropInPerVisitor"), type: "number", min: "5", max: "120", value: "30", class: "short", inputmode: "numeric" });
  const needed = field({ id: "drop-in-needed", label: t("coord.dropInVolunteers"), hint: t("coord.dropInVolunteersHint"), type: "number", min: "0", max: "10", value: "1", class: "short", inputmode: "numeric" });
  minutes.input.value = "30";
  needed.input.value = "1";
  const languages = checkboxes("drop-in-languages", t("coord.dropInLanguages"), null, LANGUAGES.map((code) => [code, t(`coord.dropInLanguage.${code}`)]), ["fi"]);
  const topicsBox = h("div", {});
  const fillTopics = () =>
    topicsBox.replaceChildren(
      checkboxes("drop-in-topics", t("coord.dropInTopics"), t("coord.dropInTopicsHint"), store.topics.map((topic) => [topic.code, topicName(topic.code)]), []),
    );
  (store.topics.length ? Promise.resolve() : loadTopics()).then(fillTopics, () => null);
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.dropInAdd"));
  const form = h(
    "form",
    { id: "drop-in-form", novalidate: true, attrs: { "aria-labelledby": "h-add-drop-in" } },
    h("h3", { id: "h-add-drop-in" }, t("coord.dropInAddTitle")),
    ...weekday.nodes,
    h("div", { class: "period-form" }, h("div", {}, ...starts.nodes), h("div", {}, ...ends.nodes)),
    ...minutes.nodes,
    ...needed.nodes,
    languages,
    topicsBox,
    submit,
  );
  const ticked = (name) => [...form.querySelectorAll(`input[name=${name}]:checked`)].map((input) => input.value);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    for (const input of [starts.input, ends.input]) {
      if (!CLOCK.test(input.value)) return fieldError(input, t("coord.check.dropInHours"));
    }
    if (starts.input.value >= ends.input.value) return fieldError(ends.input, t("coord.check.dropInHours"));
    const perVisitor = Number(minutes.input.value);
    if (!Number.isInteger(perVisitor) || perVisitor < 5 || perVisitor > 120) return fieldError(minutes.input, t("coord.check.dropInMinutes"));
    const volunteers = Number(needed.input.value);
    if (needed.input.value === "" || !Number.isInteger(volunteers) || volunteers < 0 || volunteers > 10) {
      return fieldError(needed.input, t("coord.check.dropInVolunteers"));
    }
    const chosenLanguages = ticked("drop-in-languages");
    if (!chosenLanguages.length) return groupError(languages, t("coord.check.dropInLanguages"));
    const body = {
      weekday: Number(weekday.input.value),
      starts: `${starts.input.value}:00`,
      ends: `${ends.input.value}:00`,
      topics: ticked("drop-in-topics"),
      languages: chosenLanguages,
      minutes_per_visitor: perVisitor,
      volunteers_needed: volunteers,
    };
    submit.dataset.busy = "true";
    let added;
    try {
      added = await api("POST", path, body);
    } catch (error) {
      if (error?.code === "drop_in_times_invalid") return void fieldError(ends.input, coordExplain(error));
      return void problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
    starts.input.value = "";
    ends.input.value = "";
    for (const box of form.querySelectorAll("input[name=drop-in-topics]")) box.checked = false;
    await refresh({ news: t("coord.dropInAdded", hourText(added)) });
  });
  return form;
}
