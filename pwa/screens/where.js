// How to meet (help point, phone, video), then where: the municipality, then the help point.
import { h, list } from "../dom.js";
import { language, t } from "../i18n.js";
import { go, stillOn } from "../router.js";
import { loadHelpPoints, loadTopics, store, topicByCode } from "../state.js";
import { helplineLink, load, loading, screen, tile } from "../ui.js";

const MODALITIES = ["help_point", "phone", "video"];

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
    h("p", { class: "note" }, t("homeVisitByPhone"), " ", helplineLink()),
  );
  view.append(root);
  showTopic(root, token);
  return root;
}

async function showTopic(root, token) {
  if (!store.topics.length) await loadTopics().catch(() => null);
  if (!stillOn(token)) return;
  const chosen = h("p", {}, t("chosenTopic"), " ", h("strong", {}, topicName(store.draft.topic)));
  const box = h("div", { class: "chosen" }, chosen);
  const bring = bringList(store.draft.topic);
  if (bring) box.append(bring);
  root.querySelector(".note").before(box);
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
  go(modality === "help_point" ? "/kunta" : "/aika");
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
  const names = [...new Set(points.map((point) => point.municipality))].sort((a, b) => a.localeCompare(b, "fi"));
  const tiles = names.map((name) =>
    tile(
      name,
      t("helpPointCount", points.filter((p) => p.municipality === name).length),
      () => {
        if (store.draft.municipality !== name) store.draft.helpPointId = null;
        store.draft.municipality = name;
        go("/apupiste");
      },
      { "data-name": name },
    ),
  );
  root.append(h("ul", { class: "tiles" }, ...tiles));
}

export function helpPointScreen(view, _params, token) {
  if (needTopic()) return null;
  if (!store.draft.municipality) return void go("/kunta", { replace: true });
  const root = screen(
    { title: t("helpPointTitle", store.draft.municipality), back: "#/kunta", id: "help-point" },
    loading(),
  );
  view.append(root);
  fillHelpPoints(root, token);
  return root;
}

export function address(point) {
  return [point.street_address, [point.postal_code, point.municipality].filter(Boolean).join(" ")]
    .filter(Boolean)
    .join(", ");
}

async function fillHelpPoints(root, token) {
  const points = await load(root, loadHelpPoints);
  if (!points || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  const here = points.filter((point) => point.municipality === store.draft.municipality);
  const tiles = here.map((point) => {
    const item = tile(point.name, address(point), () => {
      if (store.draft.helpPointId !== point.id) {
        store.draft.helpPointId = point.id;
        store.draft.slot = null;
        store.draft.idempotencyKey = null;
      }
      go("/aika");
    }, { "data-name": point.name });
    // Access notes are written by the help point in Finnish: marked so, for screen readers.
    if (point.accessibility_notes) {
      item.firstChild.append(h("span", { class: "tile-detail", lang: "fi" }, point.accessibility_notes));
    }
    return item;
  });
  root.append(h("ul", { class: "tiles" }, ...tiles));
}
