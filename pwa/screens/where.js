// How to meet (help point, home visit, phone, video), then where: the municipality and the help point, or the
// home's address.
import { h, list } from "../dom.js";
import { when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import {
  helpLanguage,
  loadFirstFree,
  loadHelpPoints,
  loadTopics,
  municipalityName,
  store,
  topicByCode,
} from "../state.js";
import {
  clearErrors,
  field,
  fieldError,
  guard,
  helplineLink,
  load,
  loading,
  ownWords,
  problem,
  say,
  screen,
  tile,
} from "../ui.js";

const MODALITIES = ["help_point", "home_visit", "phone", "video"];

export function needTopic() {
  if (store.draft.topic) return false;
  go("/aihe", { replace: true });
  return true;
}

/** "Bring with you" for the chosen topic, in the chosen language. */
export function bringList(code) {
  const topic = topicByCode(code);
  const items = topic ? topic.bring[language()] || topic.bring.fi || [] : [];
  if (!items.length) return null;
  return h("div", { class: "bring" }, h("h2", {}, t("bringTitle")), list(items));
}

export function topicName(code) {
  const topic = topicByCode(code);
  return topic ? topic.names[language()] || topic.names.fi : code;
}

/** "Seuraava vapaa aika ke 25.11. klo 17.00", or that there is none within the search. */
export function nextFreeText(startsAt) {
  return startsAt ? t("nextFree", when(startsAt, language())) : t("noFreeSoon");
}

/** Adds the next free time to the tiles under `root` whose `attribute` has a value `times` knows. */
function showNextFree(root, attribute, times) {
  for (const button of root.querySelectorAll(`.tile[${attribute}]`)) {
    const key = button.getAttribute(attribute);
    if (!(key in times)) continue;
    button.querySelector(".tile-next")?.remove();
    const text = nextFreeText(times[key]);
    button.append(h("span", { class: times[key] ? "tile-next" : "tile-next none" }, text));
  }
}

/** The next free times for the draft's topic, in the language of help (null if they cannot be had now). */
function firstFreeOfDraft(municipality = null) {
  return loadFirstFree(store.draft.topic, helpLanguage(language()), municipality).catch(() => null);
}

export function howScreen(view, _params, token) {
  if (needTopic()) return null;
  const options = MODALITIES.map((modality) =>
    tile(t(`modality.${modality}`), t(`modalityDetail.${modality}`), () => chooseModality(modality), {
      "data-modality": modality,
    }),
  );
  const root = screen(
    { title: t("howTitle"), back: "#/aihe", id: "how" },
    h("ul", { class: "tiles" }, ...options),
    h("p", { class: "note" }),
  );
  view.append(root);
  showTopic(root, token);
  firstFreeOfDraft().then((found) => {
    if (!found || !stillOn(token)) return;
    showNextFree(root, "data-modality", { help_point: found.help_point, phone: found.remote, video: found.remote });
  });
  return root;
}

async function showTopic(root, token) {
  if (!store.topics.length) await loadTopics().catch(() => null);
  if (!stillOn(token)) return;
  const chosen = h("p", {}, t("chosenTopic"), " ", h("strong", {}, topicName(store.draft.topic)));
  const box = h("div", { class: "chosen" }, chosen);
  const bring = bringList(store.draft.topic);
  if (bring) box.append(bring);
  root.querySelector(".note").replaceWith(box);
}

function chooseModality(modality) {
  if (store.draft.modality !== modality) {
    store.draft.modality = modality;
    store.draft.slot = null;
    store.draft.idempotencyKey = null;
    if (modality !== "help_point") {
      store.draft.municipality = null;
      store.draft.helpPointId = null;
    }
  }
  go({ help_point: "/kunta", home_visit: "/koti" }[modality] || "/aika");
}

export function municipalityScreen(view, _params, token) {
  if (needTopic()) return null;
  const root = screen({ title: t("municipalityTitle"), back: "#/tapa", id: "municipality" }, loading());
  view.append(root);
  fillMunicipalities(root, token);
  return root;
}

async function fillMunicipalities(root, token) {
  const points = await load(root, loadHelpPoints);
  if (!points || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  // Chosen and searched by the Finnish name; shown as the screen's language calls it ("Kajana" in Swedish).
  const names = [...new Set(points.map((point) => point.municipality_fi))].sort((a, b) =>
    municipalityName(a).localeCompare(municipalityName(b), language()),
  );
  const tiles = names.map((name) =>
    tile(
      municipalityName(name),
      t("helpPointCount", points.filter((p) => p.municipality_fi === name).length),
      () => {
        if (store.draft.municipality !== name) store.draft.helpPointId = null;
        store.draft.municipality = name;
        go("/apupiste");
      },
      { "data-name": name },
    ),
  );
  root.append(h("ul", { class: "tiles" }, ...tiles));
  const found = await firstFreeOfDraft();
  if (!found || !stillOn(token)) return;
  showNextFree(root, "data-name", Object.fromEntries(found.municipalities.map((m) => [m.municipality, m.starts_at])));
}

export function helpPointScreen(view, _params, token) {
  if (needTopic()) return null;
  if (!store.draft.municipality) return void go("/kunta", { replace: true });
  const root = screen(
    { title: t("helpPointTitle", municipalityName(store.draft.municipality)), back: "#/kunta", id: "help-point" },
    loading(),
  );
  view.append(root);
  fillHelpPoints(root, token);
  return root;
}

/** A help point's street, postal code and municipality (the street marked when it is in Finnish). */
export function address(point) {
  const street = ownWords(point, "street_address", { shownIn: point.shown_in, mark: false });
  const town = [point.postal_code, point.municipality].filter(Boolean).join(" ");
  return street && town ? [street, ", ", town] : street || town;
}

/** A help point's name, in Finnish where it has no translation ("Kuusamon pääkirjasto (på finska)"). */
export function pointName(point) {
  return ownWords(point, "name", { shownIn: point.shown_in });
}

/** A help point's accessibility notes as its own words, or null. */
export function pointNotes(point) {
  return point.accessibility_notes ? ownWords(point, "accessibility_notes", { shownIn: point.shown_in }) : null;
}

async function fillHelpPoints(root, token) {
  const points = await load(root, loadHelpPoints);
  if (!points || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  // Named again now that the places are in the screen's language (after the language was switched here).
  root.querySelector("h1").textContent = t("helpPointTitle", municipalityName(store.draft.municipality));
  const here = points.filter((point) => point.municipality_fi === store.draft.municipality);
  const tiles = here.map((point) => {
    const item = tile(pointName(point), address(point), () => {
      if (store.draft.helpPointId !== point.id) {
        store.draft.helpPointId = point.id;
        store.draft.slot = null;
        store.draft.idempotencyKey = null;
      }
      go("/aika");
    }, { "data-name": point.name, "data-id": point.id });
    // Access notes in the resident's language, or in Finnish (marked so) where they have not been translated.
    if (point.accessibility_notes) item.firstChild.append(h("span", { class: "tile-detail" }, pointNotes(point)));
    return item;
  });
  root.append(h("ul", { class: "tiles" }, ...tiles));
  const found = await firstFreeOfDraft(store.draft.municipality);
  if (!found || !stillOn(token)) return;
  showNextFree(root, "data-id", Object.fromEntries(found.help_points.map((p) => [p.help_point_id, p.starts_at])));
}

/** The home of a home visit: the address (shown to the helper only after they take the request) and, for the
 * travel distance, the phone's location if the resident allows it, else the centre of their municipality's help
 * points. Home visits have no fixed time: the helper calls to agree one. */
export function homeAddressScreen(view, _params, token) {
  if (needTopic()) return null;
  if (store.draft.modality !== "home_visit") return void go("/tapa", { replace: true });
  const root = screen({ title: t("homeTitle"), back: "#/tapa", id: "home" }, h("p", {}, t("homeIntro")), loading());
  view.append(root);
  fillHome(root, token);
  return root;
}

function centreOf(points) {
  const placed = points.filter((p) => p.latitude != null && p.longitude != null);
  if (!placed.length) return null;
  const mean = (key) => placed.reduce((sum, p) => sum + p[key], 0) / placed.length;
  return { latitude: Math.round(mean("latitude") * 1e5) / 1e5, longitude: Math.round(mean("longitude") * 1e5) / 1e5 };
}

async function fillHome(root, token) {
  const points = await load(root, loadHelpPoints);
  if (!points || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  const home = store.draft.home || {};
  const names = [...new Set(points.map((point) => point.municipality))].sort((a, b) => a.localeCompare(b, "fi"));
  const street = field({ id: "home-street", label: t("homeStreet"), hint: t("homeStreetHint"), value: home.street || "", autocomplete: "street-address", maxlength: "120" });
  const postal = field({ id: "home-postal", label: t("homePostal"), value: home.postal || "", autocomplete: "postal-code", inputmode: "numeric", maxlength: "5", class: "short" });
  // The town as the resident writes it in their address; the municipalities with help points are suggested.
  const town = field({ id: "home-town", label: t("homeMunicipality"), value: home.municipality || "", autocomplete: "address-level2", maxlength: "60", list: "home-towns" });
  const towns = h("datalist", { id: "home-towns" }, ...names.map((name) => h("option", { value: name })));
  let located = home.located || null;
  const locate = h("button", { type: "button", class: "secondary", id: "home-locate", attrs: { "aria-describedby": "home-locate-hint" } }, t("homeLocate"));
  guard(locate, () =>
    new Promise((resolve) => {
      if (!navigator.geolocation) {
        say(t("homeLocateFailed"));
        return resolve();
      }
      navigator.geolocation.getCurrentPosition(
        (position) => {
          located = { latitude: position.coords.latitude, longitude: position.coords.longitude };
          say(t("homeLocated"));
          resolve();
        },
        () => {
          say(t("homeLocateFailed"));
          resolve();
        },
        { timeout: 15000, maximumAge: 600000 },
      );
    }),
  );
  const submit = h("button", { type: "submit", class: "primary" }, t("continue"));
  const form = h(
    "form",
    { id: "form-home", novalidate: true },
    ...street.nodes,
    ...postal.nodes,
    ...town.nodes,
    towns,
    h("p", { id: "home-locate-hint", class: "hint" }, t("homeLocateHint")),
    locate,
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    const streetText = street.input.value.trim();
    const postalText = postal.input.value.trim();
    if (!streetText) return fieldError(street.input, t("homeNeedStreet"));
    if (!/^\d{5}$/.test(postalText)) return fieldError(postal.input, t("homeNeedPostal"));
    const townText = town.input.value.trim();
    if (!townText) return fieldError(town.input, t("homeNeedTown"));
    const known = names.find((name) => name.toLocaleLowerCase("fi") === townText.toLocaleLowerCase("fi"));
    const place = located || (known && centreOf(points.filter((p) => p.municipality === known)));
    if (!place) {
      fieldError(town.input, t("homeNoPlace"));
      return problem(root, t("homeNoPlace"), { actions: [helplineLink()], focus: false });
    }
    store.draft.home = {
      street: streetText,
      postal: postalText,
      municipality: townText,
      located,
      address: `${streetText}, ${postalText} ${known || townText}`,
      latitude: place.latitude,
      longitude: place.longitude,
    };
    store.draft.kind = "ask";
    store.draft.slot = null;
    store.draft.idempotencyKey = null;
    go(store.session && store.session.first_name ? "/tarkista" : "/nimi");
  });
  root.append(form);
}
