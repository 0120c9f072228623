// Who helps where: the network's partners (libraries, associations, the municipality's service points) as a
// resident reads them, in one municipality or all: what each helps with and how, its phone number to call them
// directly, and its help points with the opening hours, the hours without booking and the accessibility notes.
// In the screen's language; a partner's or a place's own words not yet translated are in Finnish, and say so.
import { apiAll } from "../api.js";
import { h, linkButton } from "../dom.js";
import { phoneDisplay, weekdayName } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureHelpPoints, loadTopics, municipalityName, store } from "../state.js";
import { load, loading, ownWords, screen } from "../ui.js";
import { address, topicName } from "./where.js";

const BASE = "/kumppanit";
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

export function catalogueScreen(view, params, token) {
  const chosen = params.municipality || ""; // the Finnish name (the server also finds a Swedish one)
  const root = screen(
    { title: t("catalogueTitle"), back: "#/", id: "catalogue" },
    h("p", {}, t("catalogueIntro")),
    loading(),
  );
  view.append(root);
  root.ready = fill(root, chosen, token);
  return root;
}

async function fill(root, chosen, token) {
  const query = new URLSearchParams({ language: language() });
  if (chosen) query.set("municipality", chosen);
  const found = await load(root, () =>
    Promise.all([
      apiAll(`/catalogue?${query}`),
      ensureHelpPoints(),
      store.topics.length ? store.topics : loadTopics(),
    ]),
  );
  if (!found || !stillOn(token)) return;
  const [partners, points] = found;
  root.querySelector(".loading")?.remove();
  root.append(municipalityChoice(points, chosen));
  const here = chosen ? municipalityName(chosen) : null;
  partners.sort((a, b) => a.name.localeCompare(b.name, language()));
  root.append(
    partners.length
      ? h("ul", { class: "drop-ins partners", id: "partners" }, ...partners.map((partner) => partnerCard(partner, here)))
      : h("p", { class: "empty", id: "partners-none" }, t(chosen ? "catalogueNoneHere" : "catalogueNone")),
    h("h2", {}, t("dropInRatherBook")),
    h("div", { class: "actions" }, linkButton("#/aihe", t("bookHelp"), "primary")),
  );
}

/** The municipalities with help points, by the names the screen's language uses; chosen by the Finnish name. */
function municipalityChoice(points, chosen) {
  const names = [...new Set(points.map((point) => point.municipality_fi))].sort((a, b) =>
    municipalityName(a).localeCompare(municipalityName(b), language()),
  );
  if (chosen && !names.includes(chosen)) names.push(chosen);
  const select = h(
    "select",
    {
      id: "catalogue-municipality",
      on: {
        change: (event) => {
          const value = event.target.value;
          go(value ? `${BASE}/${encodeURIComponent(value)}` : BASE);
        },
      },
    },
    h("option", { value: "", selected: !chosen }, t("catalogueEverywhere")),
    ...names.map((name) => h("option", { value: name, selected: name === chosen }, municipalityName(name))),
  );
  return h(
    "div",
    { class: "field" },
    h("label", { for: "catalogue-municipality" }, t("catalogueMunicipality")),
    select,
  );
}

function partnerCard(partner, here) {
  const id = `partner-${partner.id}`;
  // The chosen municipality's help points first: the partner may have others elsewhere.
  const places = [...partner.places].sort((a, b) => Number(b.municipality === here) - Number(a.municipality === here));
  return h(
    "li",
    { class: "drop-in partner", id, attrs: { "data-partner": partner.id } },
    h("h2", { id: `${id}-name` }, ownWords(partner, "name")),
    partner.description ? h("p", {}, ownWords(partner, "description")) : null,
    partner.phone
      ? h(
          "p",
          {},
          `${t("cataloguePhone")} `,
          h("a", { class: "tel", href: `tel:${partner.phone}` }, phoneDisplay(partner.phone)),
        )
      : null,
    partner.topics.length ? h("p", {}, `${t("catalogueTopics")} ${partner.topics.map(topicName).join(", ")}`) : null,
    partner.ways.length
      ? h("p", {}, `${t("catalogueHow")} ${partner.ways.map((way) => t(`catalogueWay.${way}`)).join(", ")}`)
      : null,
    places.length ? h("ul", { class: "partner-places" }, ...places.map(placeItem)) : null,
  );
}

function placeItem(place) {
  return h(
    "li",
    { attrs: { "data-help-point": place.id } },
    h("h3", {}, ownWords(place, "name")),
    h("p", {}, address(place)),
    place.opening_hours.length ? [h("p", {}, t("catalogueHours")), weekList(place.opening_hours, hoursOf)] : null,
    place.drop_in_hours.length ? [h("p", {}, t("catalogueDropIn")), weekList(place.drop_in_hours, dropInOf)] : null,
    place.accessibility_notes
      ? h("p", { class: "note" }, `${t("eventsAccessibility")} `, ownWords(place, "accessibility_notes"))
      : null,
  );
}

/** "9.00" from "09:00:00". */
const dot = (hhmm) => hhmm.slice(0, 5).replace(/^0/, "").replace(":", ".");

const hoursOf = (period) => `${dot(period.opens)}–${dot(period.closes)}`;

function dropInOf(hour) {
  const topics = hour.topics.length ? hour.topics.map(topicName).join(", ") : t("dropInAnyTopic");
  return `${dot(hour.starts)}–${dot(hour.ends)} (${topics})`;
}

/** One line a weekday, Monday first: "Maanantai 10.00–19.00", a day with a break "… 9.00–12.00, 13.00–16.00". */
function weekList(items, text) {
  const start = (item) => item.opens || item.starts;
  const days = WEEKDAYS.map((weekday) => {
    const mine = items.filter((item) => item.weekday === weekday).sort((a, b) => start(a).localeCompare(start(b)));
    if (!mine.length) return null;
    return h("li", {}, `${weekdayName(weekday, language())} ${mine.map(text).join(", ")}`);
  }).filter(Boolean);
  return h("ul", { class: "week" }, ...days);
}
