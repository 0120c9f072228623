// Group sessions (a digikahvila, a course): the coming ones by day, in one municipality (with the video calls,
// which anyone can join) or all, each with its places left; one session's page, where the resident signs up (a
// place, or the waitlist when it is full) and is told plainly which, going through the sign-in first when needed
// and coming back to finish; a place freed for them from the waiting list taken with one press; and the question
// before a sign-up is cancelled, or such a place given up, from "My times" or the session's page.
import { api, apiAll, ApiError } from "../api.js";
import { button, definitions, h, linkButton } from "../dom.js";
import { clock, day, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, redraw, stillOn } from "../router.js";
import { ensureHelpPoints, loadTopics, municipalityName, store } from "../state.js";
import {
  clearErrors,
  clearProblem,
  explain,
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
} from "../ui.js";
import { SIGNED_UP, eventPlace, eventTime, myLanguage, signedIn } from "./mine.js";
import { topicName } from "./where.js";

const BASE = "/ryhmat";

const byStart = (a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at) || a.id.localeCompare(b.id);

/** My sign-ups (none when nobody, or no resident, is signed in). */
async function mySignups() {
  await store.sessionChecked;
  if (!store.session) return [];
  return apiAll("/me/event-signups").catch((error) => {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return [];
    throw error;
  });
}

function topicsText(event) {
  return event.topics.length ? event.topics.map(topicName).join(", ") : t("eventsAnyTopic");
}

function placesText(event) {
  return event.places_left > 0 ? t("eventsPlacesLeft", event.places_left) : t("eventsFull");
}

function languageText(event) {
  return t(`dropInLanguage.${event.language}`);
}

/** The words of my sign-up: a heading and a sentence. */
function signupWords(signup) {
  if (signup.state === "waitlisted") return [t("eventWaitlistedTitle"), t("eventWaitlisted", signup.position)];
  if (signup.state === "offered") {
    return [t("eventOfferedTitle"), t("eventOffered", when(signup.offered_until, language()))];
  }
  return [t("eventConfirmedTitle"), t("eventConfirmed")];
}

// ---- the list ------------------------------------------------------------------------------------------------

export async function eventsScreen(view, params, token) {
  const chosen = params.municipality || "";
  const root = screen({ title: t("eventsTitle"), back: "#/", id: "events" }, h("p", {}, t("eventsIntro")), loading());
  view.append(root);
  root.ready = fillList(root, chosen, token);
  return root;
}

function coming(chosen) {
  const shown = `language=${language()}`; // the places in the screen's language, Finnish where there are no words
  if (!chosen) return apiAll(`/events?${shown}`);
  // A municipality's own, and the video calls anyone can join from home.
  return Promise.all([
    apiAll(`/events?municipality=${encodeURIComponent(chosen)}&${shown}`),
    apiAll(`/events?remote=true&${shown}`),
  ]).then(([here, remote]) => [...here, ...remote].sort(byStart));
}

async function fillList(root, chosen, token) {
  const found = await load(root, () =>
    Promise.all([
      api("GET", "/events/municipalities"),
      coming(chosen),
      mySignups(),
      store.topics.length ? store.topics : loadTopics(),
      ensureHelpPoints().catch(() => null), // the municipalities' names in the screen's language
    ]),
  );
  if (!found || !stillOn(token)) return;
  const [municipalities, events, signups] = found;
  const mine = new Map(signups.filter((s) => SIGNED_UP.has(s.state)).map((s) => [s.event.id, s]));
  root.querySelector(".loading")?.remove();
  root.append(municipalityChoice(municipalities, chosen));
  if (!events.length) root.append(h("p", { class: "empty", id: "events-none" }, t(chosen ? "eventsNoneHere" : "eventsNone")));
  const days = new Map();
  for (const event of events) {
    const date = localDate(event.starts_at);
    if (!days.has(date)) days.set(date, []);
    days.get(date).push(event);
  }
  for (const [date, ofDay] of days) {
    const heading = `events-${date}`;
    root.append(
      h("h2", { id: heading }, day(ofDay[0].starts_at, language())),
      h("ul", { class: "drop-ins", attrs: { "aria-labelledby": heading } }, ...ofDay.map((e) => card(e, mine.get(e.id)))),
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
      id: "events-municipality",
      on: {
        change: (event) => {
          const value = event.target.value;
          go(value ? `${BASE}/${encodeURIComponent(value)}` : BASE);
        },
      },
    },
    h("option", { value: "", selected: !chosen }, t("eventsEverywhere")),
    ...names.map((name) => h("option", { value: name, selected: name === chosen }, municipalityName(name))),
  );
  return h("div", { class: "field" }, h("label", { for: "events-municipality" }, t("eventsMunicipality")), select);
}

function placeLines(event) {
  if (event.remote) return [h("p", {}, h("strong", {}, t("eventsRemote"))), h("p", {}, t("eventsRemoteDetail"))];
  const street = ownWords(event, "street_address", { mark: false });
  const town = `${event.postal_code} ${event.municipality}`.trim();
  return [
    h("p", {}, h("strong", {}, ownWords(event, "name", { text: event.help_point_name }))),
    h("p", {}, street && town ? [street, ", ", town] : street || town),
  ];
}

function card(event, signup) {
  const id = `event-${event.id}`;
  const action = signup ? t("eventsSeeMine") : event.places_left > 0 ? t("eventsSignUp") : t("eventsJoinWaitlist");
  return h(
    "li",
    { class: "drop-in", id, attrs: { "data-event": event.id } },
    h("h3", { id: `${id}-title`, lang: event.language }, event.title),
    h("p", { class: "drop-in-time", id: `${id}-time` }, h("strong", {}, `${clock(event.starts_at)}–${clock(event.ends_at)}`)),
    ...placeLines(event),
    h("p", { class: "places" }, h("strong", {}, placesText(event))),
    event.description ? h("p", { lang: event.language }, event.description) : null,
    h("p", {}, `${t("eventsTopics")} ${topicsText(event)}`),
    h("p", {}, `${t("eventsLanguage")} ${languageText(event)}`),
    event.bring ? h("p", {}, `${t("eventsBring")} `, h("span", { lang: event.language }, event.bring)) : null,
    event.accessibility_notes ? h("p", {}, `${t("eventsAccessibility")} `, ownWords(event, "accessibility_notes")) : null,
    signup ? h("p", { class: "state" }, signupWords(signup)[1]) : null,
    h(
      "a",
      {
        class: `button ${signup ? "secondary" : "primary"}`,
        href: `#/ryhma/${event.id}`,
        attrs: { "aria-describedby": `${id}-title ${id}-time` },
      },
      action,
    ),
  );
}

// ---- one group session: sign up ------------------------------------------------------------------------------

export async function eventScreen(view, { id }, token) {
  await store.sessionChecked;
  if (!stillOn(token)) return null;
  const root = screen({ title: t("eventTitle"), back: `#${BASE}`, id: "event" }, loading());
  view.append(root);
  root.ready = fillEvent(root, id, token);
  return root;
}

async function fillEvent(root, id, token) {
  const found = await load(root, () =>
    Promise.all([
      api("GET", `/events/${id}?language=${language()}`),
      mySignups(),
      store.topics.length ? store.topics : loadTopics(),
    ]),
  );
  if (!found || !stillOn(token)) return;
  const [event, signups] = found;
  root.querySelector(".loading")?.remove();
  const title = root.querySelector("h1");
  title.textContent = event.title;
  title.lang = event.language;
  root.append(...details(event));
  const box = h("div", { id: "event-signup" });
  root.append(box, linkButton(`#${BASE}`, t("eventsAll")));
  const signup = signups.find((s) => s.event.id === id && SIGNED_UP.has(s.state));
  // Back from signing in to finish the sign-up pressed before it.
  const resume = store.joining?.eventId === id && store.joining.pending && Boolean(store.session);
  if (store.joining?.eventId === id) store.joining.pending = false;
  if (signup) return void showSignup(root, box, signup, { focus: false });
  if (event.state === "cancelled") return void box.append(h("p", { class: "state" }, t("eventIsCancelled")));
  if (Date.parse(event.starts_at) <= Date.now()) return void box.append(h("p", { class: "state" }, t("eventHasStarted")));
  box.append(signUpForm(root, box, event));
  if (resume) await join(root, box, event, { focus: false });
}

function details(event) {
  const rows = [
    [t("eventWhen"), eventTime(event)],
    [t("eventWhere"), eventPlace(event)],
    [t("eventPlaces"), placesText(event)],
    [t("eventLanguageLabel"), languageText(event)],
    [t("eventTopicsLabel"), topicsText(event)],
  ];
  return [
    definitions(rows),
    event.remote ? h("p", {}, t("eventsRemoteDetail")) : null,
    event.description ? h("p", { lang: event.language }, event.description) : null,
    event.bring
      ? h("div", { class: "bring" }, h("h2", {}, t("bringTitle")), h("p", { lang: event.language }, event.bring))
      : null,
    event.accessibility_notes
      ? h("p", { class: "note" }, `${t("eventsAccessibility")} `, ownWords(event, "accessibility_notes"))
      : null,
  ].filter(Boolean);
}

function signUpForm(root, box, event) {
  const full = event.places_left === 0;
  const name = store.session?.first_name
    ? null
    : field({
        id: "event-first-name",
        label: t("nameLabel"),
        hint: t("eventNameHint"),
        value: store.joining?.firstName || "",
        autocomplete: "given-name",
        maxlength: "100",
      });
  const submit = h("button", { type: "submit", class: "primary", id: "event-sign-up" }, t(full ? "eventsJoinWaitlist" : "eventsSignUp"));
  const form = h(
    "form",
    { id: "event-form", novalidate: true },
    full ? h("p", { class: "warning" }, t("eventFullExplain")) : null,
    ...(name ? name.nodes : []),
    h("p", { class: "hint" }, t("eventSmsHint")),
    submit,
  );
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    const typed = name ? name.input.value.trim() : "";
    if (name && !typed) return fieldError(name.input, t("needName"));
    if (!store.session) {
      store.joining = { eventId: event.id, path: `/ryhma/${event.id}`, firstName: typed, pending: true };
      store.signIn.purpose = "event";
      return go("/puhelin");
    }
    submit.dataset.busy = "true";
    submit.setAttribute("aria-disabled", "true");
    try {
      if (typed && typed !== store.session.first_name) {
        // The name is for the leader's list; the sign-up does not wait for it if it fails.
        await api("PATCH", "/me", { first_name: typed })
          .then(() => (store.session.first_name = typed))
          .catch(() => null);
      }
      await join(root, box, event, { focus: true });
    } finally {
      delete submit.dataset.busy;
      submit.removeAttribute("aria-disabled");
    }
  });
  return form;
}

async function join(root, box, event, { focus }) {
  clearProblem(root);
  try {
    const signup = await api("POST", `/events/${event.id}/signup`);
    showSignup(root, box, signup, { focus });
    say(signupWords(signup)[1]);
  } catch (error) {
    const actions = [];
    if (error instanceof ApiError && error.status === 401) {
      store.session = null;
      store.joining = { eventId: event.id, path: `/ryhma/${event.id}`, firstName: "", pending: true };
      store.signIn.purpose = "event";
      actions.push(linkButton("#/puhelin", t("signInAgain"), "primary"));
    }
    problem(root, explain(error), { actions, focus });
  }
}

function showSignup(root, box, signup, { focus, text = null }) {
  const [title, words] = signupWords(signup);
  const heading = h("h2", { id: "event-result", tabIndex: -1 }, title);
  const offered = signup.state === "offered";
  box.replaceChildren(
    h(
      "div",
      { class: "sent", id: "event-done", attrs: { "data-state": signup.state } },
      heading,
      h("p", { id: "event-state" }, text || words),
      offered ? offerActions(root, box, signup) : h("p", {}, t("eventCancelHow"), " ", helplineLink()),
      h(
        "div",
        { class: "actions" },
        offered ? null : linkButton(`#/omat/peru-ryhma/${signup.event.id}`, t("cancelSignup")),
        linkButton("#/omat", t("mySessions")),
      ),
    ),
  );
  if (focus) heading.focus();
}

/** A place freed for me from the waiting list: take it with one press, or give it up after a question. */
function offerActions(root, box, signup) {
  const event = signup.event;
  const keep = button(t("eventKeep"), { class: "primary", id: "event-keep" });
  guard(keep, async () => {
    clearProblem(root);
    let kept;
    try {
      kept = await api("POST", `/events/${event.id}/signup/keep`);
    } catch (error) {
      // The hold ran out, or the session changed: the page again as it now stands, and why.
      await redraw();
      const fresh = document.getElementById("event");
      if (fresh) problem(fresh, explain(error));
      return;
    }
    showSignup(root, box, kept, { focus: true, text: t("eventKeptText") });
    say(t("eventKept", event.title, eventTime(event)));
  });
  return h(
    "div",
    {},
    h(
      "div",
      { class: "actions" },
      keep,
      h("a", { class: "button secondary", id: "event-give-up", href: `#/omat/peru-ryhma/${event.id}` }, t("eventGiveUp")),
    ),
    h("p", { class: "hint" }, t("eventOfferBySms")),
  );
}

// ---- cancel a sign-up (from "My times", or the session's page) -----------------------------------------------

export async function cancelSignupScreen(view, { id }, token) {
  if (!(await signedIn(view, t("cancelSignupTitle")))) return null;
  if (!stillOn(token)) return null;
  const root = screen({ title: t("cancelSignupTitle"), back: "#/omat", id: "cancel-signup" }, loading());
  view.append(root);
  root.ready = fillCancel(root, id, token);
  return root;
}

async function fillCancel(root, id, token) {
  const signups = await load(root, () => apiAll("/me/event-signups"));
  if (!signups || !stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  const signup = signups.find((s) => s.event.id === id && SIGNED_UP.has(s.state));
  if (!signup) {
    problem(root, t("signupNotFound"), { actions: [linkButton("#/omat", t("mySessions"))], focus: false });
    return;
  }
  const event = signup.event;
  // A place freed for me from the waiting list is given up rather than cancelled: the question says so.
  const offered = signup.state === "offered";
  if (offered) root.querySelector("h1").textContent = t("giveUpTitle");
  const yes = button(t(offered ? "giveUpYes" : "cancelSignupYes"), { class: "primary danger", id: "confirm-cancel-signup" });
  root.append(
    definitions([
      [t("eventTitle"), h("span", { lang: event.language }, event.title)],
      [t("eventWhen"), eventTime(event)],
      [t("eventWhere"), eventPlace(event, myLanguage())],
      [t("eventSignupLabel"), signupWords(signup)[1]],
    ]),
    offered ? h("p", {}, t("giveUpExplain")) : null,
    h("div", { class: "actions" }, yes, linkButton("#/omat", t(offered ? "giveUpNo" : "cancelSignupNo"))),
  );
  guard(yes, async () => {
    try {
      await api("DELETE", `/events/${id}/signup`);
      await go("/omat", { replace: true });
      const words = offered ? "givenUp" : "signupCancelled";
      say(t(words, event.title, when(event.starts_at, language())));
    } catch (error) {
      problem(root, explain(error));
    }
  });
}
