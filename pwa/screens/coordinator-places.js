// Help points: an organisation's places with their address, accessibility notes and opening hours, a form to
// change one (hours per weekday, with a second period for a day with a break), and a form to add one; the name,
// street and accessibility notes in Swedish and English too. Above them, the organisation's introduction for
// residents (its description, and its name and description in Swedish and English) and the form to change it.
// Residents see the changes at once; times already booked are kept. Below the form, the days that differ from
// the weekly hours (closed, other hours, a public holiday kept open) for the coming 120 days, and a form to add one.
import { ApiError, api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { addDays, localDate, weekdayName } from "../format.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
import { loadHelpPoints } from "../state.js";
import { alertNow, clearErrors, clearProblem, field, fieldError, guard, problem, say } from "../ui.js";
import { dateField, dateText, dayInRange, reasonFields, reasonText, stateText } from "./coordinator-closures.js";
import { HOME, coordExplain, deskScreen, loadFor, select } from "./coordinator-common.js";
import { dropInSection } from "./coordinator-drop-in.js";

const PLACES = `${HOME}/apupisteet`;
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];
const CLOCK = /^\d{2}:\d{2}$/;

export async function placesScreen(view, { organisation } = {}, token) {
  return deskScreen(view, token, { title: t("coord.placesTitle"), id: "places" }, (root) => fillList(root, organisation, token));
}

export async function placeScreen(view, { id }, token) {
  return deskScreen(view, token, { title: t("coord.placeTitle"), id: "place", back: `#${PLACES}` }, (root) =>
    fillOne(root, id, token),
  );
}

async function fillList(root, wanted, token) {
  const found = await loadFor(root, token, async () => {
    const organisations = (await apiAll("/organisations")).filter((o) => o.active);
    organisations.sort((a, b) => a.name.localeCompare(b.name, "fi"));
    const chosen = organisations.find((o) => o.id === wanted) || organisations[0] || null;
    const points = chosen ? await apiAll(`/organisations/${chosen.id}/help-points`) : [];
    return { organisations, chosen, points };
  });
  if (!found?.chosen) return;
  const { organisations, chosen, points } = found;
  if (organisations.length > 1) root.append(organisationPicker(organisations, chosen));
  else root.append(h("p", {}, `${t("coord.organisationLabel")}: ${chosen.name}`));
  root.append(aboutOrganisation(chosen));
  points.sort((a, b) => Number(b.active) - Number(a.active) || a.name.localeCompare(b.name, "fi"));
  root.append(
    points.length
      ? h("ul", { class: "cards places" }, ...points.map(placeCard))
      : h("p", { class: "empty" }, t("coord.noPlaces")),
    placeForm(root, { organisationId: chosen.id }),
  );
}

function organisationPicker(organisations, chosen) {
  const picker = select({
    id: "places-organisation",
    label: t("coord.organisationLabel"),
    options: organisations.map((o) => [o.id, o.name]),
    value: chosen.id,
  });
  const form = h(
    "form",
    { class: "inline-form", id: "places-organisation-form" },
    ...picker.nodes,
    h("button", { type: "submit", class: "secondary" }, t("coord.show")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`${PLACES}/${picker.input.value}`);
  });
  return form;
}

const dot = (hhmm) => hhmm.slice(0, 5).replace(/^0/, "").replace(":", ".");

/** "Maanantai 10.00–19.00", a day with two periods "Maanantai 9.00–12.00, 13.00–16.00"; closed days left out. */
function hoursList(periods) {
  const days = WEEKDAYS.map((weekday) => {
    const mine = periods.filter((p) => p.weekday === weekday).sort((a, b) => a.opens.localeCompare(b.opens));
    if (!mine.length) return null;
    return h("li", {}, `${weekdayName(weekday, language())} ${mine.map((p) => `${dot(p.opens)}–${dot(p.closes)}`).join(", ")}`);
  }).filter(Boolean);
  return days.length ? h("ul", { class: "hours-list" }, ...days) : h("p", {}, t("coord.noHours"));
}

function placeCard(point) {
  return h(
    "li",
    { class: "card", attrs: { "data-help-point": point.id } },
    h("h2", { class: "h3" }, point.name),
    h("p", {}, `${point.street_address}, ${point.postal_code} ${point.municipality}`),
    point.active ? null : h("p", { class: "state" }, t("coord.placeClosed")),
    point.accessibility_notes ? h("p", {}, point.accessibility_notes) : null,
    hoursList(point.opening_hours),
    h(
      "a",
      { class: "button secondary", href: `#${HOME}/apupiste/${point.id}`, attrs: { "aria-label": t("coord.editPlaceFor", point.name) } },
      t("coord.editPlace"),
    ),
  );
}

async function fillOne(root, id, token) {
  const lists = await loadFor(root, token, async () => {
    const organisations = await apiAll("/organisations");
    return Promise.all(organisations.map((o) => apiAll(`/organisations/${o.id}/help-points`)));
  });
  if (lists === undefined) return;
  const point = lists.flat().find((p) => p.id === id);
  if (!point) return void problem(root, t("errors.not_found"), { focus: false });
  root.append(placeForm(root, { point }), daysSection(root, point), dropInSection(root, point));
}

// Days that differ from the weekly hours: the coming DAYS_SHOWN days' list, its actions, and a form to add one.
const DAYS_SHOWN = 120;
const DAY_STATES = [
  ["closed", "coord.stateClosed"],
  ["hours", "coord.stateHours"],
  ["open", "coord.stateOpen"],
];

function daysSection(root, point) {
  const heading = h("h2", { id: "h-days", tabIndex: -1 }, t("coord.daysTitle"));
  const listBox = h("div", { id: "days" }, h("p", { class: "loading" }, t("loading")));
  const daysPath = `/help-points/${point.id}/days`;

  /** The list again; the focus on the day `focusDay` when listed, else on the heading; then the news said. */
  const refresh = async ({ news = null, focusDay = null, focus = true } = {}) => {
    const today = localDate();
    let days;
    try {
      days = await api("GET", `${daysPath}?${new URLSearchParams({ from: today, to: addDays(today, DAYS_SHOWN - 1) })}`);
    } catch (error) {
      listBox.replaceChildren();
      problem(root, coordExplain(error), { focus });
      return false;
    }
    showDays(listBox, days, { root, daysPath, refresh });
    if (focus) (listBox.querySelector(`[data-day="${focusDay}"] h3`) || heading).focus();
    if (news) say(news);
    return days.some((d) => d.day === focusDay);
  };

  const section = h(
    "section",
    { id: "place-days", attrs: { "aria-labelledby": "h-days" } },
    heading,
    h("p", {}, t("coord.daysIntro", DAYS_SHOWN)),
    listBox,
    dayForm(root, daysPath, refresh),
  );
  refresh({ focus: false });
  return section;
}

function showDays(listBox, days, context) {
  listBox.replaceChildren(
    days.length
      ? h("ul", { class: "cards", id: "days-list", attrs: { "aria-labelledby": "h-days" } }, ...days.map((d) => dayCard(d, context)))
      : h("p", { class: "empty", id: "days-empty" }, t("coord.noDays", DAYS_SHOWN)),
  );
}

function dayCard(found, { root, daysPath, refresh }) {
  const date = dateText(found.day);
  const reason = reasonText(found.reason);
  const actions = [];
  if (found.source === "holiday" && found.state === "closed") {
    const keep = button(t("coord.keepOpen"), { attrs: { "aria-label": t("coord.keepOpenFor", date), "data-keep-open": found.day } });
    guard(keep, async () => {
      try {
        await api("PUT", `${daysPath}/${found.day}`, { state: "open", reason: found.reason });
      } catch (error) {
        return void problem(root, coordExplain(error));
      }
      await refresh({ news: t("coord.dayKeptOpen", date), focusDay: found.day });
    });
    actions.push(keep);
  }
  if (found.source === "coordinator") {
    const weekly = button(t("coord.backToWeekly"), { attrs: { "aria-label": t("coord.backToWeeklyFor", date), "data-weekly": found.day } });
    guard(weekly, async () => {
      try {
        await api("DELETE", `${daysPath}/${found.day}`);
      } catch (error) {
        return void problem(root, coordExplain(error));
      }
      await refresh({ news: t("coord.dayRemoved", date) });
    });
    actions.push(weekly);
  }
  return h(
    "li",
    { class: "card", attrs: { "data-day": found.day, "data-state": found.state } },
    h("h3", { tabIndex: -1 }, date),
    found.source === "holiday" ? h("p", {}, t("coord.dayHoliday")) : null,
    h("p", { class: "state" }, stateText(found)),
    reason ? h("p", {}, t("coord.dayReason", reason)) : null,
    actions.length ? h("div", { class: "actions" }, ...actions) : null,
  );
}

/** A day to add (or to change: a date already listed is replaced): its date, what it is, and why. */
function dayForm(root, daysPath, refresh) {
  const date = dateField({ id: "day-date", label: t("coord.dayDate"), hint: t("coord.dayDateHint") });
  const states = h(
    "fieldset",
    { id: "day-state" },
    h("legend", {}, t("coord.dayWhat")),
    h(
      "ul",
      { class: "checks" },
      ...DAY_STATES.map(([value, key]) =>
        h(
          "li",
          {},
          h("input", { type: "radio", id: `day-state-${value}`, name: "day-state", value, checked: value === "closed" }),
          h("label", { for: `day-state-${value}` }, t(key)),
        ),
      ),
    ),
  );
  const opens = field({ id: "day-opens", label: t("coord.opens"), type: "time", class: "short" });
  const closes = field({ id: "day-closes", label: t("coord.closes"), type: "time", class: "short" });
  const hours = h("div", { id: "day-hours", class: "period-form", hidden: true }, h("div", {}, ...opens.nodes), h("div", {}, ...closes.nodes));
  const reason = reasonFields("day");
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.saveDay"));
  const form = h(
    "form",
    { id: "day-form", novalidate: true, attrs: { "aria-labelledby": "h-add-day" } },
    h("h2", { id: "h-add-day" }, t("coord.addDay")),
    ...date.nodes,
    states,
    hours,
    reason.fieldset,
    submit,
  );
  const chosen = () => form.querySelector("input[name=day-state]:checked")?.value || "closed";
  states.addEventListener("change", () => (hours.hidden = chosen() !== "hours"));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    const day = dayInRange(date.input);
    if (!day) return fieldError(date.input, t("coord.check.dayDate"));
    const state = chosen();
    const body = { state, reason: reason.read() };
    if (state === "hours") {
      for (const input of [opens.input, closes.input]) {
        if (!CLOCK.test(input.value)) return fieldError(input, t("coord.check.dayHours"));
      }
      if (opens.input.value >= closes.input.value) return fieldError(closes.input, t("coord.check.dayHours"));
      body.opens = `${opens.input.value}:00`;
      body.closes = `${closes.input.value}:00`;
    }
    if (state !== "open" && !body.reason.fi) return fieldError(reason.inputs.fi, t("coord.check.reasonFi"));
    submit.dataset.busy = "true";
    try {
      await api("PUT", `${daysPath}/${day}`, body);
    } catch (error) {
      const code = error?.code;
      if (code === "day_hours_invalid") return void fieldError(opens.input, coordExplain(error));
      if (code === "day_reason_required") return void fieldError(reason.inputs.fi, coordExplain(error));
      if (code === "day_past" || code === "date_out_of_range") return void fieldError(date.input, t("coord.check.dayDate"));
      return void problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
    date.input.value = "";
    opens.input.value = "";
    closes.input.value = "";
    reason.clear();
    const shown = dateText(day);
    const listed = await refresh({ focusDay: day });
    say(listed ? t("coord.daySaved", shown) : t("coord.daySavedLater", shown, DAYS_SHOWN));
  });
  return form;
}

function hoursFieldset(periods) {
  const rows = WEEKDAYS.map((weekday) => {
    const mine = periods.filter((p) => p.weekday === weekday).sort((a, b) => a.opens.localeCompare(b.opens));
    const name = weekdayName(weekday, language());
    const pair = (n) => {
      const period = mine[n];
      const opens = h("input", { type: "time", id: `opens-${weekday}-${n}`, class: "short", attrs: { "aria-describedby": `hours-${weekday}-error` } });
      const closes = h("input", { type: "time", id: `closes-${weekday}-${n}`, class: "short", attrs: { "aria-describedby": `hours-${weekday}-error` } });
      opens.value = period ? period.opens.slice(0, 5) : "";
      closes.value = period ? period.closes.slice(0, 5) : "";
      const suffix = n ? ` ${t("coord.secondPeriod")}` : "";
      return h(
        "div",
        { class: "hours" },
        h("div", { class: "field" }, h("label", { for: opens.id }, `${t("coord.opens")}${suffix}`), opens),
        h("div", { class: "field" }, h("label", { for: closes.id }, `${t("coord.closes")}${suffix}`), closes),
      );
    };
    return h(
      "fieldset",
      { class: "period", id: `hours-${weekday}` },
      h("legend", {}, name),
      h("p", { id: `hours-${weekday}-error`, class: "error", hidden: true }),
      pair(0),
      pair(1),
    );
  });
  return h("fieldset", { id: "hours" }, h("legend", {}, t("coord.hoursLegend")), h("p", { class: "hint" }, t("coord.hoursHint")), ...rows);
}

/** The opening hours typed in, or null after showing what is wrong. */
function readHours(form) {
  const periods = [];
  for (const weekday of WEEKDAYS) {
    for (const n of [0, 1]) {
      const opens = form.querySelector(`#opens-${weekday}-${n}`);
      const closes = form.querySelector(`#closes-${weekday}-${n}`);
      if (!opens.value && !closes.value) continue;
      const wrong = !CLOCK.test(opens.value) || !CLOCK.test(closes.value) || opens.value >= closes.value;
      if (wrong) {
        const message = t("coord.check.hours", weekdayName(weekday, language()));
        const error = form.querySelector(`#hours-${weekday}-error`);
        error.textContent = message;
        error.hidden = false;
        const input = CLOCK.test(opens.value) ? closes : opens;
        input.setAttribute("aria-invalid", "true");
        input.focus();
        alertNow(message);
        return null;
      }
      const clash = periods.find((p) => p.weekday === weekday && `${opens.value}:00` < p.closes && p.opens < `${closes.value}:00`);
      if (clash) {
        const message = t("coord.check.overlap", weekdayName(weekday, language()));
        const error = form.querySelector(`#hours-${weekday}-error`);
        error.textContent = message;
        error.hidden = false;
        opens.setAttribute("aria-invalid", "true");
        opens.focus();
        alertNow(message);
        return null;
      }
      periods.push({ weekday, opens: `${opens.value}:00`, closes: `${closes.value}:00` });
    }
  }
  return periods;
}

/** Change `point`, or add one to `organisationId`. */
function placeForm(root, { point = null, organisationId = null }) {
  const value = (name) => (point ? String(point[name] ?? "") : "");
  const name = field({ id: "place-name", label: t("coord.placeName"), value: value("name"), autocomplete: "off" });
  const street = field({ id: "place-street", label: t("coord.street"), value: value("street_address"), autocomplete: "off" });
  const postal = field({ id: "place-postal", label: t("coord.postalCode"), value: value("postal_code"), inputmode: "numeric", class: "short", autocomplete: "off" });
  const municipality = field({ id: "place-municipality", label: t("coord.municipality"), value: value("municipality"), autocomplete: "off" });
  const notes = h("textarea", { id: "place-notes", name: "place-notes", attrs: { "aria-describedby": "place-notes-hint" } });
  notes.value = value("accessibility_notes");
  const latitude = field({ id: "place-lat", label: t("coord.latitude"), hint: t("coord.coordinatesHint"), value: value("latitude"), inputmode: "decimal", autocomplete: "off" });
  const longitude = field({ id: "place-lon", label: t("coord.longitude"), value: value("longitude"), inputmode: "decimal", autocomplete: "off" });
  const open = h("input", { type: "checkbox", id: "place-active", name: "place-active", checked: point ? point.active : true });
  const words = translationFields("place", PLACE_WORDS, point ? point.translations : {});
  const heading = point ? null : h("h2", { id: "h-add-place" }, t("coord.addPlace"));
  const form = h(
    "form",
    { id: point ? "place-form" : "add-place", novalidate: true, attrs: { "aria-labelledby": point ? "place-title" : "h-add-place" } },
    heading,
    ...name.nodes,
    ...street.nodes,
    ...postal.nodes,
    ...municipality.nodes,
    h("label", { for: "place-notes" }, t("coord.accessibilityNotes")),
    h("p", { id: "place-notes-hint", class: "hint" }, t("coord.accessibilityHint")),
    notes,
    words.fieldset,
    ...latitude.nodes,
    ...longitude.nodes,
    point ? h("ul", { class: "checks single" }, h("li", {}, open, h("label", { for: "place-active" }, t("coord.placeOpen")))) : null,
    hoursFieldset(point ? point.opening_hours : []),
    h("button", { type: "submit", class: "primary" }, point ? t("coord.save") : t("coord.add")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = form.querySelector("button[type=submit]");
    if (submit.dataset.busy) return;
    clearErrors(form);
    for (const [input, key] of [[name.input, "placeName"], [street.input, "street"], [postal.input, "postalCode"], [municipality.input, "municipality"]]) {
      if (!input.value.trim()) return fieldError(input, t("coord.check.required", t(`coord.${key}`)));
    }
    if (!/^\d{5}$/.test(postal.input.value.trim())) return fieldError(postal.input, t("coord.check.postalCode"));
    const coordinates = [];
    for (const [input, low, high] of [[latitude.input, 59, 71], [longitude.input, 19, 32]]) {
      const text = input.value.trim().replace(",", ".");
      const number = Number(text);
      if (text && (!Number.isFinite(number) || number < low || number > high)) return fieldError(input, t("coord.check.coordinate"));
      coordinates.push(text ? number : null);
    }
    if ((coordinates[0] === null) !== (coordinates[1] === null)) {
      return fieldError(coordinates[0] === null ? latitude.input : longitude.input, t("coord.check.bothCoordinates"));
    }
    if (point && point.latitude != null && coordinates[0] === null) {
      return fieldError(latitude.input, t("coord.check.keepCoordinates"));
    }
    const hours = readHours(form);
    if (!hours) return;
    const body = {
      name: name.input.value.trim(),
      street_address: street.input.value.trim(),
      postal_code: postal.input.value.trim(),
      municipality: municipality.input.value.trim(),
      accessibility_notes: notes.value.trim(),
      opening_hours: hours,
    };
    if (coordinates[0] !== null) body.latitude = coordinates[0];
    if (coordinates[1] !== null) body.longitude = coordinates[1];
    if (point) body.active = open.checked;
    // The server replaces the Swedish and English words as a whole: sent only when this part was changed.
    if (words.changed()) body.translations = words.read();
    submit.dataset.busy = "true";
    try {
      const saved = point
        ? await api("PATCH", `/help-points/${point.id}`, body)
        : await api("POST", `/organisations/${organisationId}/help-points`, body);
      await loadHelpPoints().catch(() => null); // the names and places shown on the other screens
      await go(`${PLACES}/${saved.organisation_id}`);
      say(t(point ? "coord.placeSaved" : "coord.placeAdded", saved.name));
    } catch (error) {
      if (!words.showError(error)) problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
  });
  return form;
}

// ---- the words in Swedish and English --------------------------------------------------------------------------

const TRANSLATED = ["sv", "en"];
const LEGEND = { sv: "coord.inSwedish", en: "coord.inEnglish" };
// [field, label (per language), longest, a text area, hint]
const PLACE_WORDS = [
  ["name", "coord.nameIn", 100, false, null],
  ["street_address", "coord.streetIn", 200, false, "coord.streetInHint"],
  ["accessibility_notes", "coord.accessibilityIn", 2000, true, null],
];
const PARTNER_WORDS = [
  ["name", "coord.nameIn", 100, false, null],
  ["description", "coord.descriptionIn", 2000, true, null],
];

/**
 * The optional part of a form with a help point's or a partner's words in Swedish and English: a group per
 * language (its legend named in itself, its fields marked with their language). `read()` gives what is written,
 * empty boxes left out; `changed()` says whether it differs from `saved` (the translations now); `showError`
 * shows a refusal about one of them by its field.
 */
function translationFields(prefix, fields, saved = {}) {
  const inputs = {};
  const groups = TRANSLATED.map((lang) => {
    inputs[lang] = {};
    const nodes = fields.map(([name, label, longest, area, hint]) => {
      const id = `${prefix}-${lang}-${name.replace("_", "-")}`;
      const value = saved?.[lang]?.[name] || "";
      if (!area) {
        const one = field({ id, label: t(`${label}.${lang}`), hint: hint ? t(hint) : undefined, value, lang, maxlength: String(longest), autocomplete: "off" });
        inputs[lang][name] = one.input;
        return one.nodes;
      }
      const box = h("textarea", { id, name: id, rows: 3, maxLength: longest, attrs: { lang, "aria-describedby": `${id}-error` } });
      box.value = value;
      inputs[lang][name] = box;
      return [h("label", { for: id }, t(`${label}.${lang}`)), h("p", { id: `${id}-error`, class: "error", hidden: true }), box];
    });
    return h("fieldset", { id: `${prefix}-${lang}` }, h("legend", { lang }, t(LEGEND[lang])), ...nodes.flat());
  });
  const fieldset = h(
    "fieldset",
    { id: `${prefix}-translations`, class: "translations", attrs: { "aria-describedby": `${prefix}-translations-hint` } },
    h("legend", {}, t("coord.translationsLegend")),
    h("p", { id: `${prefix}-translations-hint`, class: "hint" }, t("coord.translationsHint")),
    ...groups,
  );
  const clean = (text) => (lang, name) => (text(lang, name) || "").trim();
  const collect = (text) =>
    Object.fromEntries(
      TRANSLATED.map((lang) => [
        lang,
        Object.fromEntries(fields.map(([name]) => [name, text(lang, name)]).filter(([, value]) => value)),
      ]).filter(([, words]) => Object.keys(words).length),
    );
  const read = () => collect(clean((lang, name) => inputs[lang][name].value));
  const before = JSON.stringify(collect(clean((lang, name) => saved?.[lang]?.[name])));
  return {
    fieldset,
    read,
    changed: () => JSON.stringify(read()) !== before,
    showError(error) {
      // A text refused by its place in the body ("translations.sv.name"): shown by its field.
      const keys = error instanceof ApiError ? (error.problem.errors || []).map((e) => String(e.key || "")) : [];
      for (const key of keys) {
        const [, lang, name] = key.match(/^translations\.(sv|en)\.([a-z_]+)$/) || [];
        if (inputs[lang]?.[name]) {
          fieldError(inputs[lang][name], coordExplain(error));
          return true;
        }
      }
      return false;
    },
  };
}

// ---- the organisation's introduction for residents ---------------------------------------------------------------

/** On the list of help points: what residents read about the organisation, and the way to change it. */
function aboutOrganisation(organisation) {
  return h(
    "section",
    { id: "organisation-about", attrs: { "aria-labelledby": "h-organisation-about" } },
    h("h2", { id: "h-organisation-about" }, t("coord.organisationAbout")),
    h("p", {}, organisation.description || t("coord.organisationNoDescription")),
    h(
      "a",
      {
        class: "button secondary",
        href: `#${HOME}/kumppani/${organisation.id}`,
        attrs: { "aria-label": t("coord.organisationEditFor", organisation.name) },
      },
      t("coord.organisationEdit"),
    ),
  );
}

export async function organisationScreen(view, { id }, token) {
  return deskScreen(
    view,
    token,
    { title: t("coord.organisationTitle"), id: "organisation", back: `#${PLACES}/${id}`, intro: t("coord.organisationIntro") },
    (root) => fillOrganisation(root, id, token),
  );
}

async function fillOrganisation(root, id, token) {
  const organisation = await loadFor(root, token, () => api("GET", `/organisations/${id}`));
  if (!organisation) return;
  root.append(organisationForm(root, organisation));
}

/** The description in Finnish and the name and description in Swedish and English; only what changed is sent. */
function organisationForm(root, organisation) {
  const description = h("textarea", {
    id: "organisation-description",
    name: "organisation-description",
    rows: 4,
    maxLength: 2000,
    attrs: { "aria-describedby": "organisation-description-hint organisation-description-error" },
  });
  description.value = organisation.description || "";
  const words = translationFields("organisation", PARTNER_WORDS, organisation.translations);
  const submit = h("button", { type: "submit", class: "primary", id: "organisation-save" }, t("coord.save"));
  const form = h(
    "form",
    { id: "organisation-form", novalidate: true, attrs: { "aria-labelledby": "organisation-title" } },
    h("p", {}, `${t("coord.organisationLabel")}: `, h("strong", {}, organisation.name)),
    h("label", { for: "organisation-description" }, t("coord.description")),
    h("p", { id: "organisation-description-hint", class: "hint" }, t("coord.descriptionHint")),
    h("p", { id: "organisation-description-error", class: "error", hidden: true }),
    description,
    words.fieldset,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    clearProblem(root);
    const body = {};
    if (description.value.trim() !== (organisation.description || "").trim()) body.description = description.value.trim();
    // The server replaces the Swedish and English words as a whole: sent only when this part was changed.
    if (words.changed()) body.translations = words.read();
    if (!Object.keys(body).length) return void say(t("coord.nothingChanged"));
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    let saved;
    try {
      saved = await api("PATCH", `/organisations/${organisation.id}`, body);
    } catch (error) {
      const keys = error instanceof ApiError ? (error.problem.errors || []).map((e) => String(e.key || "")) : [];
      if (keys.includes("description")) return void fieldError(description, coordExplain(error));
      if (!words.showError(error)) problem(root, coordExplain(error));
      return;
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
    await go(`${PLACES}/${saved.id}`);
    say(t("coord.organisationSaved", saved.name));
  });
  return form;
}
