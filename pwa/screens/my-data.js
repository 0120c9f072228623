// My data (GDPR access and portability, Art. 15 and 20): everything held about the signed-in resident, as headings
// and definition lists, a JSON download and a printout; and erasure (Art. 17), confirmed with an SMS code. The
// server sends the data in the Helsinki-profile GDPR API's shape: a node is {key, value} or {key, children}, and
// the keys (UPPER_SNAKE) are named here in the reader's language; a key we have no name for still shows, readably.
// The coordinator's caller screen draws a caller's data with the same `dataSections`.
import { api, ApiError } from "../api.js";
import { button, definitions, h, linkButton, list } from "../dom.js";
import { localDate, phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { forgetAll } from "../offline.js";
import { go, path, stillOn } from "../router.js";
import { checkSession, store } from "../state.js";
import { again, alertNow, clearFieldError, explain, field, fieldError, guard, helplineLink, load, loading, problem, say, screen } from "../ui.js";

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
// The leaf whose time names a record in its heading ("Session: Tue 1.12.2026 at 9.00"), the first one found.
const WHEN_KEYS = ["STARTS_AT", "CREATED_AT", "RECEIVED_AT", "AT"];

/** The text of `key` in the chosen language, or `fallback` when there is none. */
function known(key, fallback) {
  const text = t(key);
  return typeof text === "string" && text !== key ? text : fallback;
}

/** A key's name: "FIRST_NAME" → "Etunimi"; one we have no name for → "Favourite colour" (from FAVOURITE_COLOUR). */
export function keyLabel(key) {
  const readable = String(key).toLowerCase().replaceAll("_", " ");
  return known(`data.keys.${key}`, readable.charAt(0).toUpperCase() + readable.slice(1));
}

/** A date and time with its year (these records can be years old): "ti 1.12.2026 klo 9.00", "Tue 1 Dec 2026 at 9.00". */
export function dated(instant) {
  const text = when(instant, language());
  const year = localDate(instant).slice(0, 4);
  if (language() === "en") return text.replace(" at ", ` ${year} at `);
  return text.replace(/^(\S+ \d+\.\d+\.)/, `$1${year}`);
}

function isInstant(value) {
  return typeof value === "string" && ISO_INSTANT.test(value) && !Number.isNaN(Date.parse(value));
}

const PHONE_KEYS = new Set(["PHONE", "TO", "FROM", "NUMBER"]);
const ROLE_KEYS = new Set(["ROLE", "BY_ROLE"]);

/**
 * A value as a person reads it: times in Helsinki time, yes/no, numbers as Finns write them, codes in words (a
 * record's own words first: a message's "scheduled" is not a session's). A code we have no words for shows as is.
 */
export function valueText(key, value, record = "") {
  if (value === null || value === undefined || value === "") return t("data.empty");
  if (typeof value === "boolean") return t(value ? "data.yes" : "data.no");
  if (typeof value === "number") return String(value);
  if (isInstant(value)) return dated(value);
  const text = String(value);
  if (PHONE_KEYS.has(key)) return phoneDisplay(text);
  if (key === "MODALITY") return known(`modality.${text}`, text);
  if (ROLE_KEYS.has(key)) return known(text, text);
  const code = text.replaceAll(".", "_");
  return known(`data.values.${record}_${key}.${code}`, known(`data.values.${key}.${code}`, text));
}

const isBranch = (node) => Array.isArray(node.children);

function heading(level, text, props = {}) {
  return h(`h${Math.min(level, 6)}`, props, text);
}

/** A record's heading: its kind and its time ("Tapaaminen: ti 1.12.2026 klo 9.00"), else its number in the list. */
function recordTitle(record, index) {
  const label = keyLabel(record.key);
  const stamp = WHEN_KEYS.map((key) => record.children.find((c) => c.key === key && isInstant(c.value))).find(Boolean);
  return stamp ? t("data.dated", label, dated(stamp.value)) : t("data.numbered", label, index + 1);
}

/** What a node holds: its values as one definition list, then each of its nodes under a heading of `level`. */
function body(node, level) {
  const leaves = node.children.filter((c) => !isBranch(c));
  const branches = node.children.filter(isBranch);
  return [
    leaves.length ? definitions(leaves.map((leaf) => [keyLabel(leaf.key), valueText(leaf.key, leaf.value, node.key)])) : null,
    ...branches.map((branch) => part(branch, level)),
  ];
}

/** One node under its heading: a value, nothing, a list of records (SESSIONS → SESSION…), or values and nodes. */
function part(node, level) {
  const box = h("section", { class: "data-part", attrs: { "data-key": node.key } });
  if (!isBranch(node)) {
    box.append(heading(level, keyLabel(node.key)), h("p", {}, valueText(node.key, node.value)));
    return box;
  }
  const children = node.children;
  if (!children.length) {
    box.append(heading(level, keyLabel(node.key)), h("p", { class: "hint" }, t("data.nothing")));
    return box;
  }
  if (children.every(isBranch)) {
    box.append(
      heading(level, t("data.count", keyLabel(node.key), children.length)),
      h(
        "ul",
        { class: "records" },
        ...children.map((record, i) =>
          h("li", { attrs: { "data-key": record.key } }, heading(level + 1, recordTitle(record, i)), ...body(record, level + 2)),
        ),
      ),
    );
    return box;
  }
  box.append(heading(level, keyLabel(node.key)), ...body(node, level + 1));
  return box;
}

/** The sections of an answer of GET /me/data (or the coordinator's POST /residents/data), headings from `level`. */
export function dataSections(answer, level = 2) {
  const root = answer.data || { key: "APURI", children: [] };
  if (!isBranch(root)) return [part(root, level)];
  return root.children.map((node) => part(node, level));
}

/** The print button: the browser's own printing; the print style leaves out the header, menus and buttons. */
function printButton(id, text = t("data.print")) {
  return button(text, { id, class: "secondary no-print", on: { click: () => window.print() } });
}

/** Print only `part` of the screen (one caller's data on the coordinator's screen): the print style hides the rest. */
export function printPart(part) {
  document.body.classList.add("print-part");
  part.classList.add("print-here");
  const done = () => {
    document.body.classList.remove("print-part");
    part.classList.remove("print-here");
  };
  window.addEventListener("afterprint", done, { once: true });
  window.print();
}

/** Signed in, or on the way to sign in (back here afterwards), or told that we are offline. */
async function signedIn(view, title, id) {
  await store.sessionChecked;
  if (store.session) return true;
  if (store.offlineAtStart) {
    const root = screen({ title, back: "#/", id });
    view.append(root);
    const retry = button(t("tryAgain"), { on: { click: () => checkSession().then(again) } });
    problem(root, t("offline"), { actions: [retry], focus: false });
    return false;
  }
  store.signIn.purpose = "sign-in";
  store.signIn.returnTo = path();
  go("/kirjaudu", { replace: true });
  return false;
}

/** The sign-in has ended meanwhile (401): to the sign-in, and back here after it. */
function signInAgain(error) {
  if (!(error instanceof ApiError) || error.status !== 401) return false;
  store.session = null;
  store.signIn.purpose = "sign-in";
  store.signIn.returnTo = path();
  go("/kirjaudu", { replace: true });
  return true;
}

export async function myDataScreen(view, _params, token) {
  const title = t("data.title");
  if (!(await signedIn(view, title, "my-data")) || !stillOn(token)) return null;
  const root = screen(
    { title, back: "#/", id: "my-data" },
    h("p", {}, t("data.intro")),
    h("p", {}, t("data.introFile")),
    h("p", {}, t("data.introOther")),
    h("p", { class: "no-print" }, t("data.helpline"), " ", helplineLink()),
    loading(),
  );
  view.append(root);
  root.ready = fillMyData(root, token);
  return root;
}

async function fillMyData(root, token) {
  let failed = null;
  const answer = await load(root, () =>
    api("GET", "/me/data").catch((error) => {
      failed = error;
      throw error;
    }),
  );
  if (!stillOn(token)) return;
  if (!answer) {
    signInAgain(failed);
    return;
  }
  root.querySelector(".loading")?.remove();
  const download = h(
    "a",
    { id: "data-download", class: "button primary", href: "/api/v1/me/data/download", attrs: { download: "" } },
    t("data.download"),
  );
  root.append(
    h("div", { class: "actions no-print" }, download, printButton("data-print")),
    h("p", { class: "hint" }, t("data.generated", dated(answer.generated_at))),
    h("h2", { id: "h-saved" }, t("data.savedTitle")),
    h("div", { class: "data" }, ...dataSections(answer, 3)),
    h(
      "section",
      { class: "no-print" },
      h("h2", { id: "h-erase" }, t("data.eraseTitle")),
      h("p", {}, t("data.eraseIntro")),
      linkButton("#/omat-tiedot/poista", t("data.eraseLink")),
    ),
    h("p", { class: "no-print" }, h("a", { href: "#/tietosuoja" }, t("data.privacyLink"))),
  );
}

/** An upcoming session or request that erasing would cancel: its time, topic and place. */
function upcomingItem(item) {
  if (item.kind === "session" && item.starts_at) {
    const where = item.place ? `, ${item.place}` : "";
    return h("li", { attrs: { "data-upcoming": item.id } }, h("strong", {}, when(item.starts_at, language())), ` – ${item.topic}${where}`);
  }
  return h("li", { attrs: { "data-upcoming": item.id } }, t("data.upcomingRequest", item.topic));
}

/** What the preview (GET /me/data/erasure or the coordinator's POST /residents/erasure/preview) will cancel. */
export function upcomingList(preview, { id, empty }) {
  return preview.upcoming.length
    ? h("ul", { id, class: "upcoming" }, ...preview.upcoming.map(upcomingItem))
    : h("p", { id, class: "empty" }, empty);
}

/** A wrong or expired code in words (the server's own words for a refusal we have no text for). */
function codeProblem(error) {
  if (error instanceof ApiError && error.code === "code_wrong" && typeof error.problem.attempts_left !== "number") {
    return t("data.codeWrong");
  }
  const plain = explain(error);
  if (error instanceof ApiError && error.status >= 400 && error.status < 500 && plain === t("errors.unexpected")) {
    return error.problem.detail || plain;
  }
  return plain;
}

export async function eraseScreen(view, _params, token) {
  const title = t("data.eraseScreenTitle");
  if (!(await signedIn(view, title, "erase")) || !stillOn(token)) return null;
  const root = screen({ title, back: "#/omat-tiedot", id: "erase" }, loading());
  view.append(root);
  root.ready = fillErase(root, token);
  return root;
}

async function fillErase(root, token) {
  let failed = null;
  const preview = await load(root, () =>
    api("GET", "/me/data/erasure").catch((error) => {
      failed = error;
      throw error;
    }),
  );
  if (!stillOn(token)) return;
  if (!preview) {
    signInAgain(failed);
    return;
  }
  root.querySelector(".loading")?.remove();
  root.append(
    h("h2", { id: "h-erase-cancelled" }, t("data.cancelledTitle")),
    upcomingList(preview, { id: "erase-upcoming", empty: t("data.noUpcoming") }),
    h("h2", {}, t("data.erasedListTitle")),
    list(t("data.erasedList")),
    h("h2", {}, t("data.keptTitle")),
    list(t("data.keptList")),
    h("p", { class: "warning" }, t("data.eraseFinal")),
  );
  if (preview.blockers.length) {
    const words = preview.blockers.map((code) => known(`data.blockers.${code}`, t("data.blockerOther")));
    problem(root, [...new Set(words)].join(" "), { actions: [linkButton("#/omat-tiedot", t("data.keep"))], focus: false });
    return;
  }
  root.append(codeStep(root));
}

/** Send a code, type it, erase: as the sign-in's code screen (a numeric one-time-code field, errors beside it). */
function codeStep(root) {
  let challenge = null;
  const send = button(t("data.sendCode"), { id: "erase-send", class: "primary" });
  const code = field({ id: "erase-code", label: t("codeLabel"), inputmode: "numeric", autocomplete: "one-time-code", maxlength: "6" });
  const confirm = h("button", { type: "submit", id: "erase-confirm", class: "primary danger" }, t("data.confirm"));
  const form = h("form", { id: "erase-form", novalidate: true, hidden: true }, ...code.nodes, confirm);
  const step = h(
    "section",
    {},
    h("h2", { id: "h-erase-code" }, t("data.codeTitle")),
    h("p", {}, t("data.codeExplain")),
    h("p", { id: "erase-send-error", class: "error", hidden: true }),
    send,
    form,
    linkButton("#/omat-tiedot", t("data.keep")),
  );
  guard(send, async () => {
    const error = step.querySelector("#erase-send-error");
    error.hidden = true;
    try {
      challenge = (await api("POST", "/me/data/erasure/code")).challenge_id;
    } catch (failure) {
      if (signInAgain(failure)) return;
      error.textContent = codeProblem(failure);
      error.hidden = false;
      send.focus();
      alertNow(error.textContent);
      return;
    }
    form.hidden = false;
    send.textContent = t("data.sendAgain");
    send.className = "secondary";
    code.input.value = "";
    clearFieldError(code.input);
    code.input.focus();
    say(t("codeSent"));
  });
  guard(confirm, async () => {
    clearFieldError(code.input);
    const typed = code.input.value.trim();
    if (!typed) return fieldError(code.input, t("needCode"));
    let result;
    try {
      result = await api("POST", "/me/data/erasure", { challenge_id: challenge, code: typed });
    } catch (failure) {
      return fieldError(code.input, codeProblem(failure));
    }
    // The server ended the sign-in with the data: nothing of it stays in this app either.
    store.session = null;
    store.erased = result;
    await forgetAll().catch(() => null);
    await go("/omat-tiedot/poistettu", { replace: true });
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    confirm.click();
  });
  return step;
}

export function erasedScreen(view) {
  const result = store.erased;
  const root = screen(
    { title: t("data.erasedTitle"), id: "erased" },
    h("p", {}, t("data.erasedText")),
    result ? h("p", { id: "erased-cancelled" }, t("data.erasedCancelled", result.cancelled_sessions, result.cancelled_requests)) : null,
    h("p", {}, t("data.erasedLater"), " ", helplineLink()),
    linkButton("#/", t("data.toStart"), "primary"),
  );
  view.append(root);
  return root;
}
