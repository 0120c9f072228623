// Digital help without booking (drop-in hours): which are open now and which come next, in one municipality or
// all, before the resident books anything. Closed days are already left out by the server.
import { api, apiAll } from "../api.js";
import { h, linkButton } from "../dom.js";
import { language, t } from "../i18n.js";
import { clock, day, localDate } from "../format.js";
import { go, stillOn } from "../router.js";
import { ensureHelpPoints, loadTopics, municipalityName, store } from "../state.js";
import { load, loading, ownWords, screen } from "../ui.js";
import { topicName } from "./where.js";

const BASE = "/ilman-ajanvarausta";

export function dropInScreen(view, params, token) {
  const chosen = params.municipality ? decodeURIComponent(params.municipality) : "";
  const root = screen(
    { title: t("dropInTitle"), back: "#/", id: "drop-in" },
    h("p", {}, t("dropInIntro")),
    loading(),
  );
  view.append(root);
  root.ready = fill(root, chosen, token);
  return root;
}

async function fill(root, chosen, token) {
  // The places in the screen's language (Finnish where they have no words in it, said so).
  const query = new URLSearchParams({ language: language() });
  if (chosen) query.set("municipality", chosen);
  const found = await load(root, () =>
    Promise.all([
      api("GET", "/drop-in-hours/municipalities"),
      apiAll(`/drop-in-hours?${query}`),
      store.topics.length ? store.topics : loadTopics(),
      ensureHelpPoints().catch(() => null), // the municipalities' names in the screen's language
    ]),
  );
  if (!found || !stillOn(token)) return;
  const [municipalities, hours] = found;
  root.querySelector(".loading")?.remove();
  root.append(municipalityChoice(municipalities, chosen));
  const open = hours.filter((hour) => hour.open_now);
  const coming = hours.filter((hour) => !hour.open_now);
  root.append(
    h("h2", { id: "drop-in-now" }, t("dropInOpenNow")),
    open.length
      ? h("ul", { class: "drop-ins", attrs: { "aria-labelledby": "drop-in-now" } }, ...open.map(item))
      : h("p", {}, t("dropInNoneNow")),
    h("h2", { id: "drop-in-coming" }, t("dropInComing")),
  );
  if (!coming.length) root.append(h("p", {}, t("dropInNoneComing")));
  for (const [date, ofDay] of byDay(coming)) {
    const heading = `drop-in-${date}`;
    root.append(
      h("h3", { id: heading }, day(ofDay[0].starts_at, language())),
      h("ul", { class: "drop-ins", attrs: { "aria-labelledby": heading } }, ...ofDay.map(item)),
    );
  }
  root.append(
    h("h2", {}, t("dropInRatherBook")),
    h("div", { class: "actions" }, linkButton("#/aihe", t("bookHelp"), "primary")),
  );
}

function municipalityChoice(names, chosen) {
  const select = h(
    "select",
    {
      id: "drop-in-municipality",
      on: {
        change: (event) => {
          const value = event.target.value;
          go(value ? `${BASE}/${encodeURIComponent(value)}` : BASE);
        },
      },
    },
    h("option", { value: "", selected: !chosen }, t("dropInEverywhere")),
    ...names.map((name) => h("option", { value: name, selected: name === chosen }, municipalityName(name))),
  );
  return h(
    "div",
    { class: "field" },
    h("label", { for: "drop-in-municipality" }, t("dropInMunicipality")),
    select,
  );
}

function byDay(hours) {
  const days = new Map();
  for (const hour of hours) {
    const date = localDate(hour.starts_at);
    if (!days.has(date)) days.set(date, []);
    days.get(date).push(hour);
  }
  return days;
}

function item(hour) {
  const topics = hour.topics.length ? hour.topics.map(topicName).join(", ") : t("dropInAnyTopic");
  const languages = hour.languages.map((code) => t("dropInLanguage")[code] || code).join(", ");
  return h(
    "li",
    { class: "drop-in" },
    h("p", { class: "drop-in-time" }, h("strong", {}, `${clock(hour.starts_at)}–${clock(hour.ends_at)}`), " ",
      hour.open_now ? h("span", { class: "badge" }, t("dropInOpenBadge")) : null),
    h("p", {}, h("strong", {}, ownWords(hour, "name", { text: hour.help_point_name }))),
    h("p", {}, [ownWords(hour, "street_address", { mark: false }), `${hour.postal_code} ${hour.municipality}`.trim()]
      .filter(Boolean).flatMap((part, n) => (n ? [", ", part] : [part]))),
    h("p", {}, `${t("dropInTopics")} ${topics}`),
    h("p", {}, `${t("dropInLanguages")} ${languages}`),
    h("p", {}, t("dropInPerVisitor", hour.minutes_per_visitor)),
    hour.shortened ? h("p", { class: "note" }, t("dropInShortened")) : null,
    hour.accessibility_notes ? h("p", { class: "note" }, ownWords(hour, "accessibility_notes")) : null,
  );
}
