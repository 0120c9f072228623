// Pieces the coordinator's screens share: who may see them, the menu between them, errors in the words a
// coordinator needs, and how long something has waited. Coordinators work at a desk, online: these screens
// have no offline copy (the page says so instead of showing anything old).
import { ApiError, api } from "../api.js";
import { button, h, linkButton } from "../dom.js";
import { t } from "../i18n.js";
import { go, path, stillOn } from "../router.js";
import { checkSession, isCoordinator, store } from "../state.js";
import { again, explain, guard, loading, problem, screen } from "../ui.js";

export const HOME = "/koordinaattori";
const MENU = [
  [HOME, "coord.navQueues"],
  [`${HOME}/paiva`, "coord.navDesk"],
  [`${HOME}/varaa`, "coord.navOnBehalf"],
  [`${HOME}/soittaja`, "coord.navCaller"],
  [`${HOME}/vapaaehtoiset`, "coord.navPeople"],
  [`${HOME}/apupisteet`, "coord.navPlaces"],
  [`${HOME}/suljetut`, "coord.navClosures"],
  [`${HOME}/ryhmat`, "coord.navEvents"],
  [`${HOME}/tilastot`, "coord.navStatistics"],
];

const NETWORK_MENU = [
  [`${HOME}/aiheet`, "coord.navTopics"],
  [`${HOME}/viestit`, "coord.navMessages"],
  [`${HOME}/palaute`, "coord.navFeedback"],
];

function isNetworkCoordinator() {
  return Boolean(store.session?.roles?.some((grant) => grant.role === "network_coordinator"));
}

// The screens under a menu item: a request and a session's ledger belong to the queues, and so on.
const PARENT = [
  [/^\/koordinaattori\/(pyynto|aika)\//, HOME],
  [/^\/koordinaattori\/(apupiste|kumppani)\//, `${HOME}/apupisteet`],
  [/^\/koordinaattori\/vapaaehtoinen\//, `${HOME}/vapaaehtoiset`],
  [/^\/koordinaattori\/aihe\//, `${HOME}/aiheet`],
  [/^\/koordinaattori\/ryhma\//, `${HOME}/ryhmat`],
];

function section(here) {
  const parent = PARENT.find(([pattern]) => pattern.test(here));
  if (parent) return parent[1];
  if (here === HOME) return HOME;
  return [...MENU, ...NETWORK_MENU].map(([href]) => href).find((href) => href !== HOME && here.startsWith(href)) || null;
}

async function signOut() {
  const { signOut: leave } = await import("./sign-in.js");
  await leave();
}

/**
 * The menu between the coordinator's screens (the current one marked for screen readers too), and signing out:
 * coordinators work on shared library computers, so every desk screen has it.
 */
export function menu() {
  const here = path();
  const items = isNetworkCoordinator() ? [...MENU, ...NETWORK_MENU] : MENU;
  return h(
    "nav",
    { class: "coord-nav", attrs: { "aria-label": t("coord.nav") } },
    h(
      "ul",
      {},
      ...items.map(([href, key]) => {
        const current = section(here) === href;
        return h("li", {}, h("a", { href: `#${href}`, attrs: { "aria-current": current ? "page" : null } }, t(key)));
      }),
      h("li", { class: "coord-sign-out" }, button(t("signOut"), { id: "coord-sign-out", on: { click: signOut } })),
    ),
  );
}

// The server ends a coordinator's sign-in after `idle_minutes` without a request. Every answer from the server
// (api.js says "online") starts the count again; when it runs out, the screen says so rather than failing at
// the next click (and shows nothing of what it showed).
let idleTimer = null;

function watchIdle() {
  clearTimeout(idleTimer);
  const minutes = store.session?.idle_minutes;
  if (!minutes || !isCoordinator()) return;
  idleTimer = setTimeout(() => sessionEnded(minutes), minutes * 60_000 + 5_000);
}

window.addEventListener("apuri:network", (event) => {
  if (event.detail?.online) watchIdle();
});

function sessionEnded(minutes) {
  const root = document.querySelector(".screen.coord");
  store.session = null;
  api("POST", "/auth/sign-out").catch(() => null); // ended on the server too (already, or now)
  if (!root) return;
  store.signIn.returnTo = path();
  store.signIn.purpose = "sign-in";
  // A fresh screen in place of the old one: what the old one was still loading lands on a detached node.
  const heading = root.querySelector("h1")?.cloneNode(true);
  const fresh = h("section", { class: "screen coord", id: root.id, attrs: { "aria-labelledby": heading?.id || null } });
  if (heading) fresh.append(heading);
  root.replaceWith(fresh);
  problem(fresh, t("coord.sessionEnded", minutes), {
    actions: [linkButton("#/kirjaudu", t("coord.signInAgain"))],
    focus: true,
  });
}

/** The coordinator's screen: the menu, then the heading and content (as ui.screen). */
export function coordScreen({ title, id, back }, ...content) {
  const root = screen({ title, id, back }, ...content);
  root.prepend(menu());
  root.classList.add("coord");
  watchIdle();
  return root;
}

/**
 * May the coordinator's screen be shown? `{ pass: true }` when signed in as a coordinator with the password
 * confirmed; otherwise `{ pass: false, shown }` after going to sign-in or telling why not.
 */
export async function coordinatorGate(view, { title, id }) {
  await store.sessionChecked;
  if (store.session) {
    if (store.session.second_factor_required) {
      store.signIn.returnTo = path();
      go("/kirjaudu/salasana", { replace: true });
      return { pass: false, shown: null };
    }
    if (isCoordinator()) return { pass: true };
    const root = screen({ title, back: "#/", id });
    view.append(root);
    problem(root, t("coord.notCoordinator"), { focus: false, actions: [linkButton("#/", t("vol.toStart"))] });
    return { pass: false, shown: root };
  }
  if (store.offlineAtStart) {
    const root = screen({ title, back: "#/", id });
    view.append(root);
    const retry = button(t("tryAgain"), { on: { click: () => checkSession().then(again) } });
    problem(root, t("coord.offlineOnly"), { actions: [retry], focus: false });
    return { pass: false, shown: root };
  }
  store.signIn.returnTo = path();
  store.signIn.purpose = "sign-in";
  go("/kirjaudu", { replace: true });
  return { pass: false, shown: null };
}

/**
 * A coordinator's screen that fills itself: the gate, the menu, the heading (and an `intro`: a line of text, or a
 * form that comes before what is loaded), a loading
 * line, then `fill(root)` draws the rest (the router waits for it through `root.ready`).
 */
export async function deskScreen(view, token, { title, id, back, intro }, fill) {
  const gate = await coordinatorGate(view, { title, id });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const lead = intro instanceof Node ? intro : intro ? h("p", {}, intro) : null;
  const root = coordScreen({ title, id, back }, lead, loading());
  view.append(root);
  root.ready = fill(root);
  return root;
}

/**
 * What a screen shows, from `loader`: on failure the reason under the heading. `undefined` when it failed or the
 * screen is no longer on show (an answer that came late).
 */
export async function loadFor(root, token, loader) {
  let value;
  try {
    value = await loader();
  } catch (error) {
    if (stillOn(token)) {
      root.querySelector(".loading")?.remove();
      problem(root, coordExplain(error), { focus: false });
    }
    return undefined;
  }
  if (!stillOn(token)) return undefined;
  root.querySelector(".loading")?.remove();
  return value;
}

/**
 * Ask before what cannot be undone: `box` shows the question, a yes and a no instead of `restore`. No puts
 * `restore` back and the focus on `back`; yes runs `onYes` (once, however often it is pressed).
 */
export function confirmFirst(box, { question, yes, restore, back, onYes }) {
  const asked = h("p", { class: "warning", tabIndex: -1 }, question);
  const yesButton = h("button", { type: "button", class: "primary danger" }, yes);
  const no = button(t("coord.cancel"));
  guard(yesButton, onYes);
  no.addEventListener("click", () => {
    box.replaceChildren(...restore);
    back.focus();
  });
  box.replaceChildren(asked, yesButton, no);
  asked.focus();
}

/** An API error in the coordinator's words where there are some, else in everyone's. */
export function coordExplain(error) {
  if (error instanceof ApiError && error.code) {
    const key = `coord.errors.${error.code}`;
    if (t(key) !== key) return t(key);
  }
  return explain(error);
}

/** "45 min", "2 t 15 min", "3 pv 4 t". */
export function waited(minutes) {
  if (minutes < 60) return t("coord.minutes", minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("coord.hours", hours, minutes % 60);
  return t("coord.days", Math.floor(hours / 24), hours % 24);
}

/** A word from a table of the coordinator's texts, or the code itself when the server knows a newer one. */
export function word(table, code) {
  const key = `coord.${table}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** A labelled <select>: { id, label, options: [[value, text]], value }. */
export function select({ id, label, options, value = "", hint }) {
  const control = h(
    "select",
    { id, name: id, attrs: { "aria-describedby": [hint ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(" ") } },
    ...options.map(([v, text]) => h("option", { value: v }, text)),
  );
  control.value = value;
  return {
    input: control,
    nodes: [
      h("label", { for: id }, label),
      hint ? h("p", { id: `${id}-hint`, class: "hint" }, hint) : null,
      h("p", { id: `${id}-error`, class: "error", hidden: true }),
      control,
    ],
  };
}
