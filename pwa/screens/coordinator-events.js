// Group sessions (a digikahvila, a course) of the coordinator's organisations: the list from two months back with
// the places taken and left, the waitlist and the volunteers (cancelled ones marked), and a form to publish one at a
// help point or as a video call. One session's page: who is signed up (came / did not come from an hour before the
// start; a place cancelled on the resident's word), a caller signed up on the phone (a landline too), the session
// corrected or moved (only what changed is sent; the page then says who was told and who lost their place), and the
// session cancelled after a question (everyone signed up is told by the server).
import { api, apiAll, ApiError } from "../api.js";
import { button, definitions, h, linkButton } from "../dom.js";
import { addDays, clock, helsinkiInstant, localDate, localTime, phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, redraw } from "../router.js";
import { loadTopics, store } from "../state.js";
import { alertNow, clearErrors, clearProblem, field, fieldError, groupError, guard, problem, say } from "../ui.js";
import { HOME, confirmFirst, coordExplain, deskScreen, loadFor, select, word } from "./coordinator-common.js";
import { topicName } from "./where.js";

const LIST = `${HOME}/ryhmat`;
const CLOCK = /^\d{2}:\d{2}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LANGUAGES = ["fi", "sv", "en"];
const ACTIVE = new Set(["confirmed", "waitlisted", "offered"]);
// Attendance is marked from this long before the start (server/services/events.py ATTENDANCE_FROM).
const ATTENDANCE_FROM_MS = 60 * 60 * 1000;
const AHEAD_DAYS = 366; // events are published at most a year ahead (server/domain/events.py MAX_AHEAD)

export async function eventsScreen(view, _params, token) {
  return deskScreen(view, token, { title: t("coord.eventsTitle"), id: "cevents", intro: t("coord.eventsIntro") }, (root) =>
    fillList(root, token),
  );
}

export async function eventScreen(view, { id }, token) {
  return deskScreen(view, token, { title: t("coord.eventTitle"), id: "cevent", back: `#${LIST}` }, (root) =>
    fillOne(root, id, token),
  );
}

/** The coordinator's organisations and their open help points: where an event can be. */
async function places() {
  const organisations = (await apiAll("/organisations")).filter((o) => o.active);
  organisations.sort((a, b) => a.name.localeCompare(b.name, "fi"));
  const points = await Promise.all(organisations.map((o) => apiAll(`/organisations/${o.id}/help-points`)));
  return organisations.map((organisation, n) => ({ organisation, points: points[n].filter((p) => p.active) }));
}

function placeText(event, where) {
  if (!event.remote) return [event.help_point_name, event.street_address, event.municipality].filter(Boolean).join(", ");
  const owner = where.find((w) => w.organisation.id === event.organisation_id)?.organisation;
  return owner ? t("coord.eventRemoteOption", owner.name) : t("coord.eventRemote");
}

function timeText(event) {
  return `${when(event.starts_at, language())}–${clock(event.ends_at)}`;
}

function placesValue(event) {
  return t("coord.eventPlacesValue", event.capacity - event.places_left, event.capacity, event.places_left);
}

function topicsText(event) {
  return event.topics.length ? event.topics.map(topicName).join(", ") : t("coord.eventAnyTopic");
}

// ---- the list and the form to publish ------------------------------------------------------------------------

async function fillList(root, token) {
  const found = await loadFor(root, token, () =>
    Promise.all([apiAll("/events/managed"), places(), store.topics.length ? store.topics : loadTopics()]),
  );
  if (!found) return;
  const [events, where] = found;
  const now = Date.now();
  const coming = events.filter((e) => Date.parse(e.ends_at) > now);
  const past = events.filter((e) => Date.parse(e.ends_at) <= now).reverse();
  root.append(
    h("h2", { id: "h-events-coming" }, t("coord.eventsComing")),
    coming.length
      ? h(
          "ul",
          { class: "cards", id: "events-coming", attrs: { "aria-labelledby": "h-events-coming" } },
          ...coming.map((e) => eventCard(e, where)),
        )
      : h("p", { class: "empty", id: "events-none" }, t("coord.eventsNone")),
    publishForm(root, where),
  );
  if (past.length) {
    root.append(
      h("h2", { id: "h-events-past" }, t("coord.eventsPast")),
      h(
        "ul",
        { class: "cards", id: "events-past", attrs: { "aria-labelledby": "h-events-past" } },
        ...past.map((e) => eventCard(e, where)),
      ),
    );
  }
}

function eventCard(event, where) {
  const cancelled = event.state === "cancelled";
  const short = !cancelled && event.staffed < event.volunteers_needed;
  return h(
    "li",
    { class: "card", attrs: { "data-event": event.id, "data-state": event.state } },
    h("h3", {}, h("a", { href: `#${HOME}/ryhma/${event.id}`, lang: event.language }, event.title)),
    h("p", {}, timeText(event)),
    h("p", {}, placeText(event, where)),
    cancelled ? h("p", { class: "state" }, t("coord.eventCancelled")) : null,
    !cancelled && event.closed_day ? h("p", { class: "risk" }, t("coord.eventClosedDay")) : null,
    !cancelled && event.closed_day && Date.parse(event.starts_at) > Date.now()
      ? h(
          "p",
          {},
          h(
            "a",
            { class: "button secondary", href: `#${HOME}/ryhma/${event.id}`, attrs: { "data-move": event.id, "aria-label": t("coord.eventMoveOrCancelFor", event.title) } },
            t("coord.eventMoveOrCancel"),
          ),
        )
      : null,
    h("p", {}, `${t("coord.eventPlacesLabel")}: ${placesValue(event)}`),
    h("p", {}, `${t("coord.eventWaitlistLabel")}: ${t("coord.eventWaitlistValue", event.waitlisted)}`),
    h("p", { class: short ? "risk" : null }, `${t("coord.eventVolunteersLabel")}: ${t("coord.eventVolunteersValue", event.staffed, event.volunteers_needed)}`),
    event.attended || event.no_shows ? h("p", {}, `${t("coord.eventCameLabel")}: ${t("coord.eventCameValue", event.attended, event.no_shows)}`) : null,
  );
}

function placeChoice(where) {
  const id = "event-place";
  const control = h(
    "select",
    { id, name: id, attrs: { "aria-describedby": `${id}-hint ${id}-error` } },
    h("option", { value: "" }, "–"),
    ...where.map(({ organisation, points }) =>
      h(
        "optgroup",
        { label: organisation.name },
        ...points.map((p) => h("option", { value: `point:${p.id}` }, `${p.name}, ${p.municipality}`)),
        h("option", { value: `remote:${organisation.id}` }, t("coord.eventRemoteOption", organisation.name)),
      ),
    ),
  );
  return {
    input: control,
    nodes: [
      h("label", { for: id }, t("coord.eventPlace")),
      h("p", { id: `${id}-hint`, class: "hint" }, t("coord.eventPlaceHint")),
      h("p", { id: `${id}-error`, class: "error", hidden: true }),
      control,
    ],
  };
}

function textArea(id, label, hint) {
  const input = h("textarea", { id, name: id, maxLength: 2000, attrs: { "aria-describedby": `${id}-hint ${id}-error` } });
  return {
    input,
    nodes: [
      h("label", { for: id }, label),
      h("p", { id: `${id}-hint`, class: "hint" }, hint),
      h("p", { id: `${id}-error`, class: "error", hidden: true }),
      input,
    ],
  };
}

function topicChecks() {
  const id = "event-topics";
  return h(
    "fieldset",
    { id, attrs: { "aria-describedby": `${id}-hint ${id}-error` } },
    h("legend", {}, t("coord.eventTopics")),
    h("p", { id: `${id}-hint`, class: "hint" }, t("coord.eventTopicsHint")),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    h(
      "ul",
      { class: "checks" },
      ...store.topics
        .filter((topic) => topic.active !== false)
        .map((topic) =>
          h(
            "li",
            {},
            h("input", { type: "checkbox", id: `${id}-${topic.code}`, name: id, value: topic.code }),
            h("label", { for: `${id}-${topic.code}` }, topicName(topic.code)),
          ),
        ),
    ),
  );
}

/** A whole number typed in `input` within [low, high], or null. */
function whole(input, low, high) {
  const text = input.value.trim();
  const number = Number(text);
  return text !== "" && Number.isInteger(number) && number >= low && number <= high ? number : null;
}

function publishForm(root, where) {
  const today = localDate();
  const title = field({ id: "event-title", label: t("coord.eventName"), hint: t("coord.eventNameHint"), maxlength: "120", autocomplete: "off" });
  const place = placeChoice(where);
  const date = field({ id: "event-date", label: t("coord.eventDate"), type: "date", min: today, max: addDays(today, AHEAD_DAYS) });
  const starts = field({ id: "event-starts", label: t("coord.eventStarts"), hint: t("coord.timeHint"), type: "time", class: "short" });
  const minutes = field({ id: "event-minutes", label: t("coord.eventMinutes"), hint: t("coord.eventMinutesHint"), type: "number", min: "15", max: "480", class: "short", inputmode: "numeric", value: "90" });
  const capacity = field({ id: "event-capacity", label: t("coord.eventCapacity"), hint: t("coord.eventCapacityHint"), type: "number", min: "1", max: "200", class: "short", inputmode: "numeric", value: "10" });
  const volunteers = field({ id: "event-volunteers", label: t("coord.eventVolunteersNeeded"), hint: t("coord.eventVolunteersHint"), type: "number", min: "0", max: "20", class: "short", inputmode: "numeric", value: "1" });
  const held = select({ id: "event-language", label: t("coord.eventLanguage"), options: LANGUAGES.map((code) => [code, t(`coord.dropInLanguage.${code}`)]), value: "fi" });
  const topics = topicChecks();
  const description = textArea("event-description", t("coord.eventDescription"), t("coord.eventDescriptionHint"));
  const bring = textArea("event-bring", t("coord.eventBring"), t("coord.eventBringHint"));
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.eventPublish"));
  const form = h(
    "form",
    { id: "event-form", novalidate: true, attrs: { "aria-labelledby": "h-publish" } },
    h("h2", { id: "h-publish" }, t("coord.eventPublishTitle")),
    ...title.nodes,
    ...place.nodes,
    h("div", { class: "period-form" }, h("div", {}, ...date.nodes), h("div", {}, ...starts.nodes)),
    ...minutes.nodes,
    ...capacity.nodes,
    ...volunteers.nodes,
    ...held.nodes,
    topics,
    ...description.nodes,
    ...bring.nodes,
    submit,
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    clearProblem(root);
    const name = title.input.value.trim();
    if (!name) return fieldError(title.input, t("coord.check.eventTitle"));
    const [kind, placeId] = place.input.value.split(":");
    if (!placeId) return fieldError(place.input, t("coord.check.eventPlace"));
    const day = date.input.value.trim();
    if (!ISO_DATE.test(day) || day < today || day > addDays(today, AHEAD_DAYS)) return fieldError(date.input, t("coord.check.eventDate"));
    if (!CLOCK.test(starts.input.value)) return fieldError(starts.input, t("coord.check.eventTime"));
    const startsAt = helsinkiInstant(day, starts.input.value);
    if (Date.parse(startsAt) <= Date.now()) return fieldError(starts.input, t("coord.check.eventPast"));
    const length = whole(minutes.input, 15, 480);
    if (length === null) return fieldError(minutes.input, t("coord.check.eventMinutes"));
    const places = whole(capacity.input, 1, 200);
    if (places === null) return fieldError(capacity.input, t("coord.check.eventCapacity"));
    const needed = whole(volunteers.input, 0, 20);
    if (needed === null) return fieldError(volunteers.input, t("coord.check.eventVolunteers"));
    const body = {
      title: name,
      starts_at: startsAt,
      minutes: length,
      capacity: places,
      volunteers_needed: needed,
      language: held.input.value,
      topics: [...form.querySelectorAll("input[name=event-topics]:checked")].map((box) => box.value),
      description: description.input.value.trim(),
      bring: bring.input.value.trim(),
    };
    if (kind === "remote") body.organisation_id = placeId;
    else body.help_point_id = placeId;
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    let created;
    try {
      created = await api("POST", "/events", body);
    } catch (error) {
      return void publishFailed(root, error, { title, place, date, minutes, capacity, volunteers, topics });
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
    await go(`${HOME}/ryhma/${created.id}`);
    say(t("coord.eventPublished", created.title, timeText(created)));
  });
  return form;
}

const FIELD_OF = {
  event_title_required: "title",
  event_place_required: "place",
  help_point_inactive: "place",
  help_point_not_found: "place",
  organisation_not_found: "place",
  event_in_past: "date",
  event_too_far: "date",
  event_on_closed_day: "date",
  event_time_invalid: "date",
  time_without_offset: "date",
  capacity_invalid: "capacity",
};

function publishFailed(root, error, fields) {
  const code = error instanceof ApiError ? error.code : "";
  if (code === "event_minutes_out_of_range") return fieldError(fields.minutes.input, t("coord.check.eventMinutes"));
  if (code === "event_volunteers_invalid") return fieldError(fields.volunteers.input, t("coord.check.eventVolunteers"));
  if (code === "topic_unknown") return groupError(fields.topics, coordExplain(error));
  const where = FIELD_OF[code];
  if (where) return fieldError(fields[where].input, coordExplain(error));
  problem(root, coordExplain(error));
}

// ---- one session: who is signed up, a caller signed up, the session cancelled --------------------------------

async function fillOne(root, id, token) {
  const found = await loadFor(root, token, async () => {
    const [events, where] = await Promise.all([
      apiAll("/events/managed"),
      places(),
      store.topics.length ? store.topics : loadTopics(),
    ]);
    const event = events.find((e) => e.id === id) || null;
    const signups = event ? await apiAll(`/events/${id}/signups`) : [];
    return { event, where, signups };
  });
  if (!found) return;
  const { event, where, signups } = found;
  if (!event) return void problem(root, t("coord.errors.event_not_found"), { focus: false, actions: [linkButton(`#${LIST}`, t("coord.eventsAll"))] });
  const heading = root.querySelector("h1");
  heading.textContent = event.title;
  heading.lang = event.language;
  const cancelled = event.state === "cancelled";
  const begun = Date.parse(event.starts_at) <= Date.now();
  const parts = [
    cancelled ? h("p", { class: "warning", id: "event-cancelled" }, t("coord.eventCancelledNote")) : null,
    !cancelled && event.closed_day ? closedDayNote(root, begun) : null,
    definitions([
      [t("coord.eventTimeLabel"), timeText(event)],
      [t("coord.eventPlaceLabel"), placeText(event, where)],
      [t("coord.eventLanguage"), t(`coord.dropInLanguage.${event.language}`)],
      [t("coord.eventTopics"), topicsText(event)],
      [t("coord.eventPlacesLabel"), placesValue(event)],
      [t("coord.eventWaitlistLabel"), t("coord.eventWaitlistValue", event.waitlisted)],
      [t("coord.eventVolunteersLabel"), t("coord.eventVolunteersValue", event.staffed, event.volunteers_needed)],
      event.attended || event.no_shows ? [t("coord.eventCameLabel"), t("coord.eventCameValue", event.attended, event.no_shows)] : null,
    ]),
    event.description ? h("p", { lang: event.language }, event.description) : null,
    event.bring ? h("p", {}, `${t("coord.eventBring")}: `, h("span", { lang: event.language }, event.bring)) : null,
    signupsSection(root, event, signups, { cancelled, begun }),
  ];
  root.append(...parts.filter(Boolean));
  if (!cancelled && !begun) root.append(callerForm(root, event), changeForm(root, event, where), cancelSection(root, event));
  root.append(linkButton(`#${LIST}`, t("coord.eventsAll")));
}

function signupStateText(signup) {
  if (signup.state === "waitlisted") return t("coord.signupState.waitlisted", signup.position);
  if (signup.state === "offered") return t("coord.signupState.offered", when(signup.offered_until, language()));
  return t(`coord.signupState.${signup.state}`);
}

function signupsSection(root, event, signups, { cancelled, begun }) {
  const active = signups.filter((s) => ACTIVE.has(s.state));
  const gone = signups.filter((s) => !ACTIVE.has(s.state));
  const marking = !cancelled && Date.now() >= Date.parse(event.starts_at) - ATTENDANCE_FROM_MS;
  const changeable = !cancelled && !begun;
  return h(
    "section",
    { id: "event-signups", attrs: { "aria-labelledby": "h-signups" } },
    h("h2", { id: "h-signups", tabIndex: -1 }, t("coord.signupsTitle")),
    active.length
      ? h("ul", { class: "cards", id: "signup-list", attrs: { "aria-labelledby": "h-signups" } }, ...active.map((s) => signupCard(root, event, s, { marking, changeable })))
      : h("p", { class: "empty", id: "signups-none" }, t("coord.signupsNone")),
    active.length && !marking && !cancelled ? h("p", { class: "hint" }, t("coord.attendanceLater")) : null,
    gone.length
      ? h(
          "div",
          {},
          h("h3", { id: "h-signups-gone" }, t("coord.signupsGone")),
          h("ul", { class: "past", attrs: { "aria-labelledby": "h-signups-gone" } }, ...gone.map((s) => h("li", {}, `${s.first_name || "–"} – ${signupStateText(s)}`))),
        )
      : null,
  );
}

function signupCard(root, event, signup, { marking, changeable }) {
  const name = signup.first_name || "–";
  const id = `signup-${signup.id}`;
  const card = h(
    "li",
    { class: "card", id, attrs: { "data-signup": signup.id, "data-state": signup.state } },
    h("h3", { id: `${id}-name` }, name),
    signup.phone ? h("p", {}, phoneDisplay(signup.phone)) : null,
    h("p", { class: "state" }, signupStateText(signup)),
    h("p", {}, t("coord.signupChannel", word("signupChannels", signup.channel))),
  );
  if (marking && signup.state === "confirmed") card.append(attendance(root, event, signup));
  if (changeable) {
    const cancel = button(t("coord.cancelSignup"), { attrs: { "aria-describedby": `${id}-name`, "data-cancel-signup": signup.id } });
    const box = h("div", { class: "actions" }, cancel);
    cancel.addEventListener("click", () =>
      confirmFirst(box, {
        question: t("coord.signupCancelConfirm", name),
        yes: t("coord.signupCancelYes"),
        restore: [cancel],
        back: cancel,
        onYes: async () => {
          try {
            await api("POST", `/events/${event.id}/signups/${signup.id}/cancel`);
          } catch (error) {
            return void problem(root, coordExplain(error));
          }
          await redraw();
          document.getElementById("h-signups")?.focus();
          say(t("coord.signupCancelled", name));
        },
      }),
    );
    card.append(box);
  }
  return card;
}

/** Came / did not come, two buttons that show which is chosen (pressed again: not marked). */
function attendance(root, event, signup) {
  const id = `signup-${signup.id}`;
  const name = signup.first_name || "–";
  const state = h("p", { id: `${id}-attendance` }, "");
  const came = button(t("coord.attendedButton"), { id: `${id}-came` });
  const missed = button(t("coord.noShowButton"), { id: `${id}-missed` });
  const show = (value) => {
    came.setAttribute("aria-pressed", String(value === "attended"));
    missed.setAttribute("aria-pressed", String(value === "no_show"));
    const marked = value ? t(`coord.attendance.${value}`) : t("coord.attendance.none");
    state.textContent = `${t("coord.attendanceLabel")}: ${marked}`;
  };
  for (const [control, value] of [
    [came, true],
    [missed, false],
  ]) {
    control.append(h("span", { class: "visually-hidden" }, ` – ${name}`));
    guard(control, async () => {
      clearProblem(root);
      const attended = control.getAttribute("aria-pressed") === "true" ? null : value;
      let marked;
      try {
        marked = await api("PUT", `/events/${event.id}/signups/${signup.id}/attendance`, { attended });
      } catch (error) {
        return void problem(root, coordExplain(error));
      }
      show(marked.attendance);
      say(marked.attendance ? t("coord.attendanceSaved", name, t(`coord.attendance.${marked.attendance}`)) : t("coord.attendanceCleared", name));
    });
  }
  show(signup.attendance);
  return h("div", {}, state, h("div", { class: "actions" }, came, missed));
}

function callerForm(root, event) {
  const phone = field({ id: "caller-phone", label: t("coord.callerPhone"), hint: t("coord.callerPhoneHint"), type: "tel", inputmode: "tel", autocomplete: "off" });
  const firstName = field({ id: "caller-name", label: t("coord.firstNameLabel"), autocomplete: "off", maxlength: "100" });
  const residentLanguage = select({
    id: "caller-language",
    label: t("coord.residentLanguageLabel"),
    options: LANGUAGES.map((code) => [code, t(`vol.languages.${code}`)]),
    value: event.language,
  });
  const consent = h("input", { type: "checkbox", id: "caller-consent", name: "caller-consent", attrs: { "aria-describedby": "caller-consent-error" } });
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.callerSubmit"));
  const full = event.places_left === 0;
  const form = h(
    "form",
    { id: "caller-form", novalidate: true, attrs: { "aria-labelledby": "h-caller" } },
    h("h2", { id: "h-caller" }, t("coord.callerTitle")),
    h("p", {}, t("coord.callerIntro")),
    full ? h("p", { class: "warning" }, t("coord.callerFull")) : null,
    ...phone.nodes,
    ...firstName.nodes,
    ...residentLanguage.nodes,
    h("p", { id: "caller-consent-error", class: "error", hidden: true }),
    h("ul", { class: "checks single" }, h("li", {}, consent, h("label", { for: "caller-consent" }, t("coord.eventConsentLabel")))),
    submit,
  );
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    clearProblem(root);
    if (!phone.input.value.trim()) return fieldError(phone.input, t("coord.check.eventPhone"));
    const name = firstName.input.value.trim();
    if (!name) return fieldError(firstName.input, t("coord.check.firstName"));
    if (!consent.checked) return consentMissing(form, consent);
    const body = { phone: phone.input.value.trim(), first_name: name, consent: true, resident_language: residentLanguage.input.value };
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    let signed;
    try {
      signed = await api("POST", `/events/${event.id}/signups`, body);
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      if (code.startsWith("phone_")) return void fieldError(phone.input, coordExplain(error));
      if (code === "name_required") return void fieldError(firstName.input, coordExplain(error));
      if (code === "consent_required") return void consentMissing(form, consent);
      return void problem(root, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
    await redraw();
    document.getElementById("h-signups")?.focus();
    say(callerSignedText(name, signed));
  });
  return form;
}

function consentMissing(form, consent) {
  const error = form.querySelector("#caller-consent-error");
  error.textContent = t("coord.check.eventConsent");
  error.hidden = false;
  consent.focus();
  alertNow(t("coord.check.eventConsent"));
}

function callerSignedText(name, signed) {
  if (signed.state === "confirmed") return t("coord.callerPlaced", name);
  if (signed.state === "waitlisted") return t("coord.callerWaitlisted", name, signed.position);
  return t("coord.callerOther", name, signupStateText(signed));
}

function cancelSection(root, event) {
  const cancel = button(t("coord.cancelEvent"), { id: "event-cancel" });
  const box = h("div", { class: "actions" }, cancel);
  const taken = event.capacity - event.places_left + event.waitlisted;
  cancel.addEventListener("click", () =>
    confirmFirst(box, {
      question: t("coord.cancelEventConfirm", taken),
      yes: t("coord.cancelEventYes"),
      restore: [cancel],
      back: cancel,
      onYes: async () => {
        try {
          await api("POST", `/events/${event.id}/cancel`);
        } catch (error) {
          return void problem(root, coordExplain(error));
        }
        await redraw();
        document.querySelector("#view h1")?.focus();
        say(t("coord.eventCancelledSay", event.title));
      },
    }),
  );
  return h(
    "section",
    { id: "event-cancel-section", attrs: { "aria-labelledby": "h-cancel-event" } },
    h("h2", { id: "h-cancel-event" }, t("coord.cancelEventTitle")),
    h("p", {}, t("coord.cancelEventIntro")),
    box,
  );
}

// ---- correct or move the session -------------------------------------------------------------------------------

/** The closed-day warning; before the start, a button that takes the keyboard to the day in the form below. */
function closedDayNote(root, begun) {
  const note = h("div", { class: "warning", id: "event-closed-day" }, h("p", {}, t("coord.eventClosedDay")));
  if (!begun) {
    const move = button(t("coord.eventMoveToForm"), { id: "event-closed-move" });
    move.addEventListener("click", () => {
      const date = root.querySelector("#edit-date");
      date?.scrollIntoView({ block: "center" });
      date?.focus();
    });
    note.append(h("div", { class: "actions" }, move));
  }
  return note;
}

function minutesOf(event) {
  return Math.round((Date.parse(event.ends_at) - Date.parse(event.starts_at)) / 60000);
}

/** The organisation's open help points the session can move to (the one it is at listed even if closed since). */
function movePlaces(event, where) {
  const points = where.find((w) => w.organisation.id === event.organisation_id)?.points || [];
  const options = points.map((p) => [p.id, `${p.name}, ${p.municipality}`]);
  if (event.help_point_id && !options.some(([id]) => id === event.help_point_id)) {
    options.unshift([event.help_point_id, [event.help_point_name, event.municipality].filter(Boolean).join(", ")]);
  }
  return options;
}

function changeForm(root, event, where) {
  const today = localDate();
  const title = field({ id: "edit-title", label: t("coord.eventName"), maxlength: "120", autocomplete: "off", value: event.title });
  const date = field({ id: "edit-date", label: t("coord.eventDate"), type: "date", min: today, max: addDays(today, AHEAD_DAYS), value: localDate(Date.parse(event.starts_at)) });
  const starts = field({ id: "edit-starts", label: t("coord.eventStarts"), hint: t("coord.timeHint"), type: "time", class: "short", value: localTime(event.starts_at) });
  const minutes = field({ id: "edit-minutes", label: t("coord.eventMinutes"), hint: t("coord.eventMinutesHint"), type: "number", min: "15", max: "480", class: "short", inputmode: "numeric", value: String(minutesOf(event)) });
  const taken = event.capacity - event.places_left;
  const capacity = field({ id: "edit-capacity", label: t("coord.eventCapacity"), hint: t("coord.eventEditCapacityHint", taken), type: "number", min: String(Math.max(1, taken)), max: "200", class: "short", inputmode: "numeric", value: String(event.capacity) });
  const volunteers = field({ id: "edit-volunteers", label: t("coord.eventVolunteersNeeded"), hint: t("coord.eventVolunteersHint"), type: "number", min: "0", max: "20", class: "short", inputmode: "numeric", value: String(event.volunteers_needed) });
  const place = event.remote
    ? null
    : select({ id: "edit-place", label: t("coord.eventPlace"), hint: t("coord.eventEditPlaceHint"), options: movePlaces(event, where), value: event.help_point_id });
  const description = textArea("edit-description", t("coord.eventDescription"), t("coord.eventDescriptionHint"));
  description.input.value = event.description;
  const bring = textArea("edit-bring", t("coord.eventBring"), t("coord.eventBringHint"));
  bring.input.value = event.bring;
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.eventEditSave"));
  const form = h(
    "form",
    { id: "edit-form", novalidate: true, attrs: { "aria-labelledby": "h-edit" } },
    h("h2", { id: "h-edit", tabIndex: -1 }, t("coord.eventEditTitle")),
    h("p", {}, t("coord.eventEditIntro")),
    ...title.nodes,
    h("div", { class: "period-form" }, h("div", {}, ...date.nodes), h("div", {}, ...starts.nodes)),
    ...minutes.nodes,
    ...capacity.nodes,
    ...volunteers.nodes,
    ...(place ? place.nodes : [h("p", {}, `${t("coord.eventPlace")}: ${t("coord.eventRemote")}. ${t("coord.eventEditRemote")}`)]),
    ...description.nodes,
    ...bring.nodes,
    submit,
  );
  const fields = { title, date, starts, minutes, capacity, volunteers, place };

  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    clearProblem(root);
    const body = changes(event, fields, { description, bring, today, taken });
    if (body === null) return; // a field said what is wrong
    if (!Object.keys(body).length) return void say(t("coord.eventEditNothing"));
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    let changed;
    try {
      changed = await api("PATCH", `/events/${event.id}`, body);
    } catch (error) {
      return void changeFailed(root, error, fields);
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
    await redraw();
    document.querySelector("#view h1")?.focus();
    say(changedText(body, changed));
  });
  return form;
}

/**
 * What the form changes, as the PATCH body (only the fields that differ from the session now), or null after
 * showing by its field what is wrong.
 */
function changes(event, fields, { description, bring, today, taken }) {
  const wrong = (input, text) => {
    fieldError(input, text);
    return null;
  };
  const { title, date, starts, minutes, capacity, volunteers, place } = fields;
  const body = {};
  const name = title.input.value.trim();
  if (!name) return wrong(title.input, t("coord.check.eventTitle"));
  if (name !== event.title) body.title = name;
  const day = date.input.value.trim();
  if (!ISO_DATE.test(day) || day < today || day > addDays(today, AHEAD_DAYS)) return wrong(date.input, t("coord.check.eventDate"));
  if (!CLOCK.test(starts.input.value)) return wrong(starts.input, t("coord.check.eventTime"));
  const startsAt = helsinkiInstant(day, starts.input.value);
  if (Date.parse(startsAt) !== Date.parse(event.starts_at)) {
    if (Date.parse(startsAt) <= Date.now()) return wrong(starts.input, t("coord.check.eventPast"));
    body.starts_at = startsAt;
  }
  const length = whole(minutes.input, 15, 480);
  if (length === null) return wrong(minutes.input, t("coord.check.eventMinutes"));
  if (length !== minutesOf(event)) body.minutes = length;
  const places = whole(capacity.input, 1, 200);
  if (places === null) return wrong(capacity.input, t("coord.check.eventCapacity"));
  if (places < taken) return wrong(capacity.input, t("coord.check.eventCapacityTaken", taken));
  if (places !== event.capacity) body.capacity = places;
  const needed = whole(volunteers.input, 0, 20);
  if (needed === null) return wrong(volunteers.input, t("coord.check.eventVolunteers"));
  if (needed !== event.volunteers_needed) body.volunteers_needed = needed;
  if (place && place.input.value && place.input.value !== event.help_point_id) body.help_point_id = place.input.value;
  if (description.input.value.trim() !== event.description) body.description = description.input.value.trim();
  if (bring.input.value.trim() !== event.bring) body.bring = bring.input.value.trim();
  return body;
}

const CHANGE_FIELD_OF = {
  event_title_required: ["title"],
  event_in_past: ["date"],
  event_too_far: ["date"],
  event_time_invalid: ["date"],
  time_without_offset: ["date"],
  event_on_closed_day: ["date"],
  event_minutes_out_of_range: ["minutes", "coord.check.eventMinutes"],
  capacity_invalid: ["capacity"],
  capacity_below_taken: ["capacity"],
  event_volunteers_invalid: ["volunteers", "coord.check.eventVolunteers"],
  help_point_not_found: ["place"],
  help_point_inactive: ["place"],
  event_help_point_elsewhere: ["place", "coord.check.eventMovePlace"],
};

function changeFailed(root, error, fields) {
  const code = error instanceof ApiError ? error.code : "";
  const [where, text] = CHANGE_FIELD_OF[code] || [];
  const input = where && fields[where]?.input;
  if (input) return fieldError(input, text ? t(text) : coordExplain(error));
  problem(root, coordExplain(error));
}

/** What happened, in words: saved; who was told of the new time or place; who lost their place; volunteers off it. */
function changedText(body, changed) {
  const moved = Boolean(body.starts_at || body.minutes || body.help_point_id);
  const what = body.help_point_id ? (body.starts_at || body.minutes ? "both" : "place") : "time";
  const parts = [t("coord.eventChangeSaved")];
  if (moved) {
    parts.push(changed.residents_told ? t(`coord.eventChangeTold.${what}`, changed.residents_told) : t("coord.eventChangeNobodyTold"));
  }
  if (changed.residents_dropped) parts.push(t("coord.eventChangeDropped", changed.residents_dropped));
  if (changed.volunteers_dropped) parts.push(t("coord.eventChangeVolunteersDropped", changed.volunteers_dropped));
  return parts.join(" ");
}
