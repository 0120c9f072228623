// What the volunteer offers: topics with a skill level, languages (plain Finnish too), help points, phone and
// video, home visits within a distance, experience with residents' needs, and a hard weekly limit.
import { api, ApiError } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";
import { stillOn } from "../router.js";
import { ensureLists, store } from "../state.js";
import {
  clearErrors,
  clearProblem,
  explain,
  fieldError,
  groupError,
  guard,
  load,
  loading,
  problem,
  say,
  screen,
} from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";
import { topicName } from "./where.js";

const LANGUAGES = ["fi", "sv", "en", "fi-plain"];
const NEEDS = ["hearing", "sight", "mobility", "memory"];
// Where each answer of the server belongs: the body's field (400) or the rule's code (422) → the element id.
const BY_KEY = {
  weekly_cap: "weekly-cap",
  travel_radius_km: "radius",
  languages: "languages",
  home: "home-from",
  topics: "topics",
  help_point_ids: "points",
  needs_experience: "needs",
};
const BY_CODE = {
  languages_missing: "languages",
  language_invalid: "languages",
  weekly_cap_invalid: "weekly-cap",
  home_missing: "home-from",
  radius_invalid: "radius",
  skill_invalid: "topics",
  topic_unknown: "topics",
  help_point_unknown: "points",
};
const GROUPS = new Set(["languages", "topics", "points", "needs"]);

export async function profileScreen(view, _params, token) {
  const title = t("vol.profileTitle");
  const gate = await volunteerGate(view, { title, id: "vprofile" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vprofile" }, h("p", {}, t("vol.profileIntro")), loading());
  view.append(root);
  root.ready = load(
    root,
    async () => (await Promise.all([api("GET", "/me/volunteer-profile"), ensureLists()]))[0],
  ).then((profile) => {
    if (!profile || !stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    root.append(profileForm(root, profile));
  });
  return root;
}

function checkbox(name, value, label, checked) {
  const id = `${name}-${value}`;
  return h("li", {}, h("input", { type: "checkbox", id, name, value, checked }), h("label", { for: id }, label));
}

function group(id, legend, hint, ...content) {
  const described = [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ");
  return h(
    "fieldset",
    { id, attrs: { "aria-describedby": described } },
    h("legend", {}, legend),
    hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    ...content,
  );
}

function numberField(id, label, hint, value) {
  const input = h("input", {
    id,
    name: id,
    type: "text",
    inputmode: "decimal",
    autocomplete: "off",
    class: "short",
    attrs: { "aria-describedby": `${id}-hint ${id}-error` },
  });
  input.value = value;
  return [
    h("label", { for: id }, label),
    h("p", { id: `${id}-hint`, class: "hint" }, hint),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    input,
  ];
}

function select(id, options, chosen) {
  const box = h("select", { id, name: id });
  for (const [value, label] of options) box.append(h("option", { value, selected: value === chosen }, label));
  return box;
}

/** The help point nearest to a place, if the place is one of them (how a starting point is shown). */
function pointAt(home) {
  if (!home) return null;
  return store.helpPoints.find((p) => p.latitude === home.latitude && p.longitude === home.longitude) || null;
}

/** The form; `path` is where it is saved: the volunteer's own, or a coordinator's `/people/{id}/volunteer-profile`. */
export function profileForm(root, profile, path = "/me/volunteer-profile") {
  const skills = Object.fromEntries(profile.topics.map((s) => [s.topic, String(s.skill)]));
  const levels = [
    ["", t("vol.skill.none")],
    ["1", t("vol.skill.1")],
    ["2", t("vol.skill.2")],
    ["3", t("vol.skill.3")],
  ];
  const topicRows = store.topics.map((topic) =>
    h(
      "li",
      { class: "skill" },
      h("label", { for: `skill-${topic.code}` }, topicName(topic.code)),
      select(`skill-${topic.code}`, levels, skills[topic.code] || ""),
    ),
  );
  const points = [...store.helpPoints].sort((a, b) => a.municipality.localeCompare(b.municipality, "fi"));
  const pointChecks = points.map((p) =>
    checkbox("point", p.id, `${p.name}, ${p.municipality}`, profile.help_point_ids.includes(p.id)),
  );
  const startPoint = pointAt(profile.home);
  const homeOptions = [["", t("vol.homeFromNone")]];
  if (profile.home && !startPoint) homeOptions.push(["current", t("vol.homeFromCurrent")]);
  for (const p of points.filter((p) => p.latitude != null)) homeOptions.push([p.id, `${p.name}, ${p.municipality}`]);
  const homeChosen = startPoint ? startPoint.id : profile.home ? "current" : "";
  const remote = h("input", { type: "checkbox", id: "remote", name: "remote", checked: profile.remote });
  const visits = h("input", { type: "checkbox", id: "home-visits", name: "home-visits", checked: profile.home_visits });
  const save = h("button", { type: "submit", class: "primary", id: "save-profile" }, t("vol.saveProfile"));
  const form = h(
    "form",
    { id: "form-profile", novalidate: true },
    group("topics", t("vol.topicsLegend"), t("vol.topicsHint"), h("ul", { class: "skills" }, ...topicRows)),
    group(
      "languages",
      t("vol.languagesLegend"),
      null,
      h(
        "ul",
        { class: "checks" },
        ...LANGUAGES.map((code) =>
          checkbox("language", code, t(`vol.languageChoice.${code}`), profile.languages.includes(code)),
        ),
      ),
    ),
    group("points", t("vol.pointsLegend"), null, h("ul", { class: "checks" }, ...pointChecks)),
    h("ul", { class: "checks single" }, h("li", {}, remote, h("label", { for: "remote" }, t("vol.remoteLabel")))),
    group(
      "visits",
      t("vol.visitsLegend"),
      null,
      h(
        "ul",
        { class: "checks single" },
        h("li", {}, visits, h("label", { for: "home-visits" }, t("vol.visitsLabel"))),
      ),
      h("label", { for: "home-from" }, t("vol.homeFromLabel")),
      h("p", { id: "home-from-hint", class: "hint" }, t("vol.homeFromHint")),
      h("p", { id: "home-from-error", class: "error", hidden: true }),
      select("home-from", homeOptions, homeChosen),
      ...numberField("radius", t("vol.radiusLabel"), t("vol.radiusHint"), String(profile.travel_radius_km || "")),
    ),
    ...numberField("weekly-cap", t("vol.capLabel"), t("vol.capHint"), String(profile.weekly_cap)),
    group(
      "needs",
      t("vol.needsLegend"),
      null,
      h(
        "ul",
        { class: "checks" },
        ...NEEDS.map((need) =>
          checkbox("need", need, t(`vol.needChoice.${need}`), profile.needs_experience.includes(need)),
        ),
      ),
    ),
    save,
  );
  form.querySelector("#home-from").setAttribute("aria-describedby", "home-from-hint home-from-error");
  form.addEventListener("submit", (event) => event.preventDefault());
  guard(save, () => saveProfile(root, form, profile, path));
  return form;
}

function checked(form, name) {
  return [...form.querySelectorAll(`input[name=${name}]:checked`)].map((box) => box.value);
}

function homePlace(form, profile) {
  const chosen = form.querySelector("#home-from").value;
  if (chosen === "current") return profile.home;
  const point = store.helpPoints.find((p) => p.id === chosen);
  return point ? { latitude: point.latitude, longitude: point.longitude } : null;
}

function showError(form, where, message) {
  const element = form.querySelector(`#${where}`);
  if (GROUPS.has(where)) groupError(element, message);
  else fieldError(element, message);
}

async function saveProfile(root, form, profile, path) {
  clearProblem(root);
  clearErrors(form);
  const cap = form.querySelector("#weekly-cap").value.trim();
  if (!/^\d+$/.test(cap)) return showError(form, "weekly-cap", t("vol.profileErrors.whole"));
  const radiusText = form.querySelector("#radius").value.trim().replace(",", ".") || "0";
  if (!/^\d+(\.\d+)?$/.test(radiusText)) return showError(form, "radius", t("vol.profileErrors.number"));
  const body = {
    languages: checked(form, "language"),
    remote: form.querySelector("#remote").checked,
    home_visits: form.querySelector("#home-visits").checked,
    home: homePlace(form, profile),
    travel_radius_km: Number(radiusText),
    weekly_cap: Number(cap),
    needs_experience: checked(form, "need"),
    topics: store.topics
      .map((topic) => ({ topic: topic.code, skill: Number(form.querySelector(`#skill-${topic.code}`).value) }))
      .filter((s) => s.skill > 0),
    help_point_ids: checked(form, "point"),
  };
  try {
    const saved = await api("PUT", path, body);
    Object.assign(profile, saved);
    say(t("vol.profileSaved"));
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    const key = error instanceof ApiError ? (error.problem.errors || [])[0]?.key || "" : "";
    const where = BY_CODE[code] || BY_KEY[key.split(/[.[]/)[0]];
    // A partner coordinator adding another organisation's help point: said in the coordinator's words.
    if (code === "help_point_not_yours") showError(form, "points", t(`coord.errors.${code}`));
    else if (where) showError(form, where, t(`vol.profileErrors.${where}`));
    else problem(root, explain(error));
  }
}
