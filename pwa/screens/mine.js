// My sessions: upcoming and past sessions, waiting requests and group sessions signed up for; move a session,
// cancel one, cancel a request, take a place of a group session freed for me from its waiting list (a sign-up is
// cancelled, or the place given up, on its own screen after a question, screens/events.js).
import { api, apiAll, ApiError } from "../api.js";
import { button, definitions, h, linkButton } from "../dom.js";
import { clock, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, redraw, stillOn } from "../router.js";
import { checkSession, ensureLists, isVolunteer, store } from "../state.js";
import { again, explain, guard, load, loading, ownWords, problem, say, screen } from "../ui.js";
import { signOut } from "./sign-in.js";
import { slotPicker, whereText } from "./time.js";
import { topicName } from "./where.js";

const ACTIVE = new Set(["scheduled", "checked_in"]);
const WAITING = new Set(["open", "offering", "routed", "matched"]);
const CHOOSE_AGAIN = new Set(["slot_taken", "slot_past", "slot_closed", "resident_busy"]);
// A group session's sign-up that still holds a place, an offer of one, or a place in the waitlist.
export const SIGNED_UP = new Set(["confirmed", "waitlisted", "offered"]);

/** Signed in, or on the way to signing in (or told that we are offline). Returns true when we may go on. */
export async function signedIn(view, title) {
  await store.sessionChecked;
  if (store.session) return true;
  if (store.offlineAtStart) {
    const root = screen({ title, back: "#/", id: "mine" });
    view.append(root);
    const retry = button(t("tryAgain"), { on: { click: () => checkSession().then(again) } });
    problem(root, t("offline"), { actions: [retry], focus: false });
    return false;
  }
  store.signIn.purpose = "mine";
  go("/puhelin", { replace: true });
  return false;
}

/** A list only residents have: someone who is only a volunteer simply has none. */
function residentsOnly(path) {
  return apiAll(path).catch((error) => {
    if (error instanceof ApiError && error.status === 403) return [];
    throw error;
  });
}

async function fetchMine() {
  const [sessions, requests, signups] = await Promise.all([
    apiAll("/me/sessions"),
    residentsOnly("/me/requests"),
    residentsOnly("/me/event-signups"),
    ensureLists(),
  ]);
  return { sessions, requests, signups };
}

/** The language my own lists come in (the server answers them in the language I chose for its messages). */
export function myLanguage() {
  return store.session?.language || "fi";
}

/**
 * Where a group session is: the help point and its address (in `shownIn`, the language it was fetched in, or in
 * Finnish where there are no such words, marked so), or a video call.
 */
export function eventPlace(event, shownIn = language()) {
  if (event.remote) return t("eventsRemote");
  const name = ownWords(event, "name", { text: event.help_point_name, shownIn });
  const street = ownWords(event, "street_address", { shownIn, mark: false });
  const town = [event.postal_code, event.municipality].filter(Boolean).join(" ");
  return [name, street, town].filter(Boolean).flatMap((part, n) => (n ? [", ", part] : [part]));
}

/** "ke 25.11. klo 13.00–14.30" */
export function eventTime(event) {
  return `${when(event.starts_at, language())}–${clock(event.ends_at)}`;
}

/** Where my sign-up stands, in a sentence: a place, the waitlist and my position, a place held for me, or gone. */
export function signupText(signup) {
  if (signup.event.state === "cancelled") return t("signupState.eventCancelled");
  if (signup.state === "waitlisted") return t("signupState.waitlisted", signup.position);
  if (signup.state === "offered") return t("signupState.offered", when(signup.offered_until, language()));
  return t(`signupState.${signup.state}`);
}

function cancelSignupLink(event, time) {
  return h(
    "a",
    { class: "button secondary", href: `#/omat/peru-ryhma/${event.id}` },
    t("cancelSignup"),
    hidden(`${event.title} ${time}`),
  );
}

function signupCard(signup) {
  const event = signup.event;
  const time = eventTime(event);
  const state = h("p", { class: "state", id: `signup-${signup.id}-state`, tabIndex: -1 }, signupText(signup));
  const card = h(
    "li",
    { class: "card", attrs: { "data-signup": signup.id, "data-event": event.id, "data-state": signup.state } },
    h("h3", { lang: event.language }, event.title),
    h("p", {}, time),
    h("p", {}, eventPlace(event, myLanguage())),
    state,
  );
  // Once it has begun, a sign-up is no longer cancelled here.
  if (Date.parse(event.starts_at) <= Date.now()) return card;
  if (signup.state !== "offered") {
    card.append(h("div", { class: "actions" }, cancelSignupLink(event, time)));
    return card;
  }
  // A place freed for me from the waiting list: take it here, or give it up after a question.
  const keep = button(t("eventKeep"), { class: "primary", attrs: { "data-keep": event.id } });
  keep.append(hidden(`${event.title} ${time}`));
  const actions = h(
    "div",
    { class: "actions" },
    keep,
    h("a", { class: "button secondary", href: `#/omat/peru-ryhma/${event.id}` }, t("eventGiveUp"), hidden(`${event.title} ${time}`)),
  );
  guard(keep, async () => {
    let kept;
    try {
      kept = await api("POST", `/events/${event.id}/signup/keep`);
    } catch (error) {
      // The hold ran out, or the session changed: show where the sign-ups stand now, and why.
      await redraw();
      const root = document.getElementById("mine");
      if (root) problem(root, explain(error));
      return;
    }
    card.dataset.state = kept.state;
    state.textContent = signupText(kept);
    actions.replaceChildren(cancelSignupLink(event, time));
    state.focus();
    say(t("eventKept", event.title, time));
  });
  card.append(actions);
  return card;
}

function hidden(text) {
  return h("span", { class: "visually-hidden" }, ` ${text}`);
}

function sessionCard(session) {
  const time = when(session.starts_at, language());
  const card = h(
    "li",
    { class: "card", attrs: { "data-session": session.id } },
    h("h3", {}, time),
    h("p", {}, topicName(session.topic)),
    h("p", {}, whereText(session.modality, session.help_point_id)),
    session.volunteer_first_name ? h("p", {}, `${t("helperLabel")}: ${session.volunteer_first_name}`) : null,
  );
  if (session.state === "scheduled") {
    card.append(
      h(
        "div",
        { class: "actions" },
        h("a", { class: "button secondary", href: `#/omat/siirra/${session.id}` }, t("move"), hidden(time)),
        h("a", { class: "button secondary", href: `#/omat/peru/${session.id}` }, t("cancel"), hidden(time)),
      ),
    );
  } else {
    card.append(h("p", { class: "state" }, t(`sessionState.${session.state}`)));
  }
  return card;
}

function requestCard(request) {
  const name = topicName(request.topic);
  return h(
    "li",
    { class: "card", attrs: { "data-request": request.id } },
    h("h3", {}, name),
    h("p", {}, t(`modality.${request.modality}`)),
    h("p", { class: "state" }, t(`requestState.${request.state}`)),
    h(
      "div",
      { class: "actions" },
      h("a", { class: "button secondary", href: `#/omat/peru-pyynto/${request.id}` }, t("cancelRequest"), hidden(name)),
    ),
  );
}

export async function mineScreen(view, _params, token) {
  if (!(await signedIn(view, t("mineTitle")))) return null;
  if (!stillOn(token)) return null;
  const root = screen({ title: t("mineTitle"), back: "#/", id: "mine" }, loading());
  view.append(root);
  root.ready = fillMine(root, token);
  return root;
}

async function fillMine(root, token) {
  const mine = await load(root, fetchMine);
  if (!mine || !stillOn(token)) return;
  root.querySelector(".loading").remove();
  const now = Date.now();
  const upcoming = mine.sessions.filter((s) => ACTIVE.has(s.state) && Date.parse(s.ends_at) > now);
  const past = mine.sessions.filter((s) => !upcoming.includes(s)).reverse();
  const booked = new Set(upcoming.map((s) => s.request_id));
  const waiting = mine.requests.filter((r) => WAITING.has(r.state) && !booked.has(r.id));
  root.append(
    h("h2", { id: "h-upcoming" }, t("upcomingTitle")),
    upcoming.length
      ? h("ul", { class: "cards", attrs: { "aria-labelledby": "h-upcoming" } }, ...upcoming.map(sessionCard))
      : h("p", {}, t("noUpcoming")),
  );
  if (waiting.length) {
    root.append(
      h("h2", { id: "h-waiting" }, t("waitingTitle")),
      h("ul", { class: "cards", attrs: { "aria-labelledby": "h-waiting" } }, ...waiting.map(requestCard)),
    );
  }
  const groups = mine.signups.filter((s) => SIGNED_UP.has(s.state) && s.event.state !== "cancelled");
  const groupsGone = mine.signups.filter((s) => !groups.includes(s));
  if (groups.length) {
    root.append(
      h("h2", { id: "h-events" }, t("eventsMineTitle")),
      h("ul", { class: "cards", id: "my-events", attrs: { "aria-labelledby": "h-events" } }, ...groups.map(signupCard)),
    );
  }
  root.append(linkButton("#/aihe", t("bookHelp"), "primary"), linkButton("#/ryhmat", t("eventsLink")));
  if (isVolunteer()) root.append(linkButton("#/vapaaehtoinen", t("vol.homeLink")));
  if (past.length || groupsGone.length) {
    root.append(
      h("h2", { id: "h-past" }, t("pastTitle")),
      h(
        "ul",
        { class: "past", attrs: { "aria-labelledby": "h-past" } },
        ...past.map((s) =>
          h("li", {}, `${when(s.starts_at, language())} – ${topicName(s.topic)} – ${t(`sessionState.${s.state}`)}`),
        ),
        ...groupsGone.map((s) =>
          h("li", {}, `${when(s.event.starts_at, language())} – `, h("span", { lang: s.event.language }, s.event.title), ` – ${signupText(s)}`),
        ),
      ),
    );
  }
  root.append(button(t("signOut"), { id: "mine-sign-out", on: { click: signOut } }));
}

/** The answer of `request`, once the topic and help point lists (for names) are there too. */
async function withLists(request) {
  const [answer] = await Promise.all([request, ensureLists()]);
  return answer;
}

async function findSession(root, id) {
  const sessions = await load(root, () => withLists(apiAll("/me/sessions")));
  if (!sessions) return null;
  root.querySelector(".loading")?.remove();
  const found = sessions.find((s) => s.id === id && s.state === "scheduled");
  if (!found) {
    problem(root, t("errors.session_not_found"), { actions: [linkButton("#/omat", t("mySessions"))], focus: false });
  }
  return found || null;
}

function summaryOf(session) {
  return definitions([
    [t("timeLabel"), when(session.starts_at, language())],
    [t("topicLabel"), topicName(session.topic)],
    [t("placeLabel"), whereText(session.modality, session.help_point_id)],
  ]);
}

export async function cancelScreen(view, { id }, token) {
  if (!(await signedIn(view, t("cancelTitle")))) return null;
  const root = screen({ title: t("cancelTitle"), back: "#/omat", id: "cancel" }, loading());
  view.append(root);
  findSession(root, id).then((session) => {
    if (!session || !stillOn(token)) return;
    const yes = button(t("cancelYes"), { class: "primary danger", id: "confirm-cancel" });
    root.append(summaryOf(session), h("div", { class: "actions" }, yes, linkButton("#/omat", t("cancelNo"))));
    guard(yes, async () => {
      try {
        await api("POST", `/sessions/${id}/cancel`);
        await go("/omat", { replace: true });
        say(t("cancelled", when(session.starts_at, language())));
      } catch (error) {
        problem(root, explain(error));
      }
    });
  });
  return root;
}

export async function moveScreen(view, { id }, token) {
  if (!(await signedIn(view, t("moveTitle")))) return null;
  const root = screen({ title: t("moveTitle"), back: "#/omat", id: "move" }, loading());
  view.append(root);
  findSession(root, id).then((session) => {
    if (!session || !stillOn(token)) return;
    const empty = h("p", { class: "empty" }, t("noTimesMove"));
    root.append(
      h("p", {}, t("currentTime"), " ", h("strong", {}, when(session.starts_at, language()))),
      h("p", {}, whereText(session.modality, session.help_point_id)),
      slotPicker({
        root,
        token,
        empty,
        exclude: session.starts_at,
        query: {
          topic: session.topic,
          modality: session.modality,
          help_point_id: session.help_point_id,
          language: session.language,
        },
        onChoose: (slot) => {
          store.move = { sessionId: id, slot, session };
          go(`/omat/siirra/${id}/vahvista`);
        },
      }),
    );
  });
  return root;
}

export async function moveConfirmScreen(view, { id }) {
  if (!(await signedIn(view, t("moveConfirmTitle")))) return null;
  const move = store.move;
  if (!move || move.sessionId !== id) return void go(`/omat/siirra/${id}`, { replace: true });
  const yes = button(t("moveYes"), { class: "primary", id: "confirm-move" });
  const root = screen(
    { title: t("moveConfirmTitle"), back: `#/omat/siirra/${id}`, id: "move-confirm" },
    definitions([
      [t("oldTime"), when(move.session.starts_at, language())],
      [t("newTime"), when(move.slot.starts_at, language())],
      [t("placeLabel"), whereText(move.session.modality, move.session.help_point_id)],
    ]),
    h(
      "div",
      { class: "actions" },
      yes,
      linkButton(`#/omat/siirra/${id}`, t("chooseAnotherTime")),
      linkButton("#/omat", t("moveNo")),
    ),
  );
  guard(yes, async () => {
    try {
      const moved = await api("POST", `/sessions/${id}/move`, { starts_at: move.slot.starts_at });
      store.move = null;
      await go("/omat", { replace: true });
      say(t("moved", when(moved.starts_at, language())));
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      const choose = linkButton(`#/omat/siirra/${id}`, t("chooseAnotherTime"), "primary");
      problem(root, explain(error), { actions: CHOOSE_AGAIN.has(code) ? [choose] : [] });
    }
  });
  view.append(root);
  return root;
}

export async function cancelRequestScreen(view, { id }, token) {
  if (!(await signedIn(view, t("cancelRequestTitle")))) return null;
  const root = screen({ title: t("cancelRequestTitle"), back: "#/omat", id: "cancel-request" }, loading());
  view.append(root);
  const requests = await load(root, () => withLists(apiAll("/me/requests")));
  if (!requests || !stillOn(token)) return root;
  root.querySelector(".loading")?.remove();
  const request = requests.find((r) => r.id === id && WAITING.has(r.state));
  if (!request) {
    problem(root, t("errors.request_not_found"), { actions: [linkButton("#/omat", t("mySessions"))], focus: false });
    return root;
  }
  const yes = button(t("cancelRequestYes"), { class: "primary danger", id: "confirm-cancel-request" });
  root.append(
    definitions([
      [t("topicLabel"), topicName(request.topic)],
      [t("howLabel"), t(`modality.${request.modality}`)],
    ]),
    h("div", { class: "actions" }, yes, linkButton("#/omat", t("cancelRequestNo"))),
  );
  guard(yes, async () => {
    try {
      await api("POST", `/requests/${id}/cancel`);
      await go("/omat", { replace: true });
      say(t("requestCancelled"));
    } catch (error) {
      problem(root, explain(error));
    }
  });
  return root;
}
