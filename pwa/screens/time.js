// Free times, grouped by day, a few days at a time, with "later times". Used for booking and for moving.
import { api } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, clock, day, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { ensureLists, helpLanguage, helpPointById, loadFirstFree, municipalityName, store } from "../state.js";
import { explain, problem, say, screen, tile } from "../ui.js";
import { address, needTopic, nextFreeText, pointName } from "./where.js";

const WINDOW_DAYS = 14; // one request to the server (it allows 31)
const HORIZON_DAYS = 91; // how far ahead "later times" looks
const DAYS_PER_PAGE = 3;

/** Free times for `query`, fetched a window at a time as the user asks for later ones. */
function slotSource(query, exclude) {
  const days = [];
  const today = localDate();
  const last = addDays(today, HORIZON_DAYS - 1);
  let next = today;
  return {
    days,
    get exhausted() {
      return next > last;
    },
    async ensure(count) {
      while (days.length < count && next <= last) {
        const to = addDays(next, WINDOW_DAYS - 1) < last ? addDays(next, WINDOW_DAYS - 1) : last;
        const params = new URLSearchParams({ topic: query.topic, modality: query.modality, from: next, to });
        params.set("language", query.language);
        if (query.help_point_id) params.set("help_point_id", query.help_point_id);
        const slots = await api("GET", `/slots?${params}`);
        slots.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
        for (const slot of slots) {
          if (exclude && Date.parse(slot.starts_at) === Date.parse(exclude)) continue;
          const date = localDate(slot.starts_at);
          let entry = days.find((d) => d.date === date);
          if (!entry) days.push((entry = { date, slots: [] }));
          entry.slots.push(slot);
        }
        next = addDays(to, 1);
      }
    },
  };
}

function dayHeading(entry, today) {
  const name = day(entry.slots[0].starts_at, language());
  const relative = entry.date === today ? t("today") : entry.date === addDays(today, 1) ? t("tomorrow") : null;
  if (!relative) return name;
  // "Tänään, torstai 26.11." but "Today, Thursday 26 November": weekdays are capitalised only in English.
  const rest = language() === "en" ? name : name.charAt(0).toLocaleLowerCase(language()) + name.slice(1);
  return `${relative}, ${rest}`;
}

/**
 * The list of free times. `onChoose(slot)` runs when one is chosen; `empty` is shown when there are none.
 * Returns the element; it fills itself.
 */
export function slotPicker({ root, query, onChoose, exclude, token, empty, onEmpty }) {
  const source = slotSource(query, exclude);
  const daysBox = h("div", { class: "days" });
  const earlier = button(t("earlierTimes"), { id: "earlier-times", hidden: true });
  const later = button(t("laterTimes"), { id: "later-times", hidden: true });
  const picker = h(
    "div",
    { class: "picker" },
    h("p", { class: "loading" }, t("loadingTimes")),
    daysBox,
    h("div", { class: "more" }, earlier, later),
  );
  let page = 0;

  async function show(wanted, { focus }) {
    try {
      await source.ensure((wanted + 1) * DAYS_PER_PAGE + 1);
    } catch (error) {
      if (!stillOn(token)) return;
      picker.querySelector(".loading")?.remove();
      const again = button(t("tryAgain"), { on: { click: () => show(wanted, { focus: true }) } });
      problem(root, explain(error), { actions: [again], focus });
      return;
    }
    if (!stillOn(token)) return;
    picker.querySelector(".loading")?.remove();
    root.querySelector(".problem")?.remove();
    const shown = source.days.slice(wanted * DAYS_PER_PAGE, (wanted + 1) * DAYS_PER_PAGE);
    if (!shown.length) {
      if (wanted === 0) {
        daysBox.replaceChildren(empty);
        later.hidden = true;
        onEmpty?.();
        return;
      }
      later.hidden = true;
      say(t("noLaterTimes"));
      return;
    }
    page = wanted;
    const today = localDate();
    daysBox.replaceChildren(
      ...shown.map((entry) => {
        const id = `day-${entry.date}`;
        return h(
          "section",
          { class: "day", attrs: { "aria-labelledby": id } },
          h("h2", { id, tabIndex: -1 }, dayHeading(entry, today)),
          h(
            "ul",
            { class: "slot-list" },
            ...entry.slots.map((slot) =>
              h(
                "li",
                {},
                h(
                  "button",
                  {
                    type: "button",
                    class: "slot",
                    attrs: { "aria-label": when(slot.starts_at, language()), "data-starts-at": slot.starts_at },
                    on: { click: () => onChoose(slot) },
                  },
                  clock(slot.starts_at),
                ),
              ),
            ),
          ),
        );
      }),
    );
    earlier.hidden = page === 0;
    later.hidden = source.exhausted && source.days.length <= (page + 1) * DAYS_PER_PAGE;
    if (focus) {
      daysBox.querySelector("h2").focus();
      say(t("showingTimes", dayHeading(shown[0], today), dayHeading(shown[shown.length - 1], today)));
    }
  }

  earlier.addEventListener("click", () => show(page - 1, { focus: true }));
  later.addEventListener("click", () => show(page + 1, { focus: true }));
  show(0, { focus: false });
  return picker;
}

/**
 * When the chosen way, place or language has no free times: the nearest choices that have, each with its next
 * free time (other help points of the municipality, by phone, other municipalities, help in Finnish), so that
 * the empty list is not a dead end.
 */
async function offerAlternatives(box, token) {
  const draft = store.draft;
  const helpIn = helpLanguage(language());
  const atPoint = draft.modality === "help_point";
  const found = await loadFirstFree(draft.topic, helpIn, atPoint ? draft.municipality : null).catch(() => null);
  if (!found || !stillOn(token)) return;
  await ensureLists().catch(() => null);
  const options = [];
  if (atPoint) {
    for (const entry of found.help_points) {
      const point = helpPointById(entry.help_point_id);
      if (entry.starts_at && point && entry.help_point_id !== draft.helpPointId) {
        options.push({ title: pointName(point), detail: address(point), startsAt: entry.starts_at, choose: () => {
          draft.helpPointId = point.id;
          return go("/aika");
        } });
      }
    }
  }
  if (draft.modality !== "phone" && found.remote) {
    options.push({ title: t("modality.phone"), detail: t("modalityDetail.phone"), startsAt: found.remote, choose: () => {
      draft.modality = "phone";
      draft.municipality = null;
      draft.helpPointId = null;
      return go("/aika");
    } });
  }
  if (!atPoint) {
    const towns = found.municipalities.filter((m) => m.starts_at);
    for (const town of towns.sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at)).slice(0, 2)) {
      options.push({ title: municipalityName(town.municipality), detail: t("modality.help_point"), startsAt: town.starts_at, choose: () => {
        draft.modality = "help_point";
        draft.municipality = town.municipality;
        draft.helpPointId = null;
        return go("/apupiste");
      } });
    }
  }
  if (helpIn !== "fi") {
    const finnish = await loadFirstFree(draft.topic, "fi", atPoint ? draft.municipality : null).catch(() => null);
    if (!stillOn(token)) return;
    const here = finnish && (atPoint ? finnish.help_points.find((p) => p.help_point_id === draft.helpPointId)?.starts_at : finnish.remote);
    if (here) {
      options.push({ title: t("helpInFinnish"), detail: placeLine(draft.modality, draft.helpPointId), startsAt: here, choose: () => {
        draft.language = "fi";
        return go("/aika");
      } });
    }
  }
  if (!options.length) return;
  options.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const tiles = options.slice(0, 4).map((option) => {
    const item = tile(option.title, option.detail, () => {
      draft.slot = null;
      draft.idempotencyKey = null;
      option.choose();
    });
    item.firstChild.append(h("span", { class: "tile-next" }, nextFreeText(option.startsAt)));
    return item;
  });
  box.replaceChildren(h("h2", {}, t("alternativesTitle")), h("ul", { class: "tiles" }, ...tiles));
}

/** After a time (or "call me") is chosen: the name, the number and the code only when still needed. */
export async function afterChoice() {
  await store.sessionChecked;
  if (store.session && store.session.first_name) return go("/tarkista");
  return go("/nimi");
}

/** The place in words: text, or text and elements where a name is still in Finnish (for h(), not for strings). */
export function placeLine(modality, helpPointId) {
  if (modality !== "help_point") return t(`modalityDetail.${modality}`);
  const point = helpPointById(helpPointId);
  return point ? [pointName(point), ", ", address(point)] : "";
}

/** "Apupisteessä: Kuusamon pääkirjasto, Kirkkotie 2, 93600 Kuusamo" / "Puhelimessa: Avustaja soittaa …" */
export function whereText(modality, helpPointId) {
  return [`${t(`modality.${modality}`)}: `, placeLine(modality, helpPointId)];
}

export function timeScreen(view, _params, token) {
  if (needTopic()) return null;
  const draft = store.draft;
  if (!draft.modality) return void go("/tapa", { replace: true });
  if (draft.modality === "help_point" && !draft.helpPointId) return void go("/kunta", { replace: true });
  const place = h("p", { class: "place" });
  const ask = h(
    "button",
    {
      type: "button",
      class: "secondary",
      id: "ask-instead",
      on: {
        click: () => {
          draft.kind = "ask";
          draft.slot = null;
          afterChoice();
        },
      },
    },
    t("askButton"),
  );
  const askBox = h("div", { class: "ask" }, h("h2", {}, t("askTitle")), h("p", {}, t("askIntro")), ask);
  const root = screen(
    { title: t("timeTitle"), back: draft.modality === "help_point" ? "#/apupiste" : "#/tapa", id: "time" },
    place,
  );
  const alternatives = h("div", { class: "alternatives" });
  const empty = h("div", {}, h("p", { class: "empty" }, t("noTimes")), alternatives);
  const picker = slotPicker({
    root,
    token,
    empty,
    onEmpty: () => offerAlternatives(alternatives, token),
    query: {
      topic: draft.topic,
      modality: draft.modality,
      help_point_id: draft.modality === "help_point" ? draft.helpPointId : null,
      language: helpLanguage(language()),
    },
    onChoose: (slot) => {
      draft.kind = "book";
      if (draft.slot?.starts_at !== slot.starts_at) draft.idempotencyKey = null;
      draft.slot = slot;
      draft.language = draft.language || helpLanguage(language());
      afterChoice();
    },
  });
  root.append(picker, askBox);
  view.append(root);
  ensureLists()
    .then(() => stillOn(token) && place.replaceChildren(...[whereText(draft.modality, draft.helpPointId)].flat(Infinity)))
    .catch(() => null);
  return root;
}
