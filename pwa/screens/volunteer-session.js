// One of the volunteer's sessions: where, when, with whom, what to bring; check in, record it as done (minutes,
// what the resident can now do alone, a note without secrets), the resident did not come, or "I can't come"; and
// refer what the resident needs to the partner whose job it is (the resident agreeing that the partner contacts
// them), on a screen of its own so that nothing typed is lost when the session is drawn again.
import { api, apiAll, ApiError } from "../api.js";
import { definitions, h, linkButton, list } from "../dom.js";
import { clock, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, redraw, stillOn } from "../router.js";
import { loadTopics, store, topicByCode } from "../state.js";
import {
  clearErrors,
  clearFieldError,
  clearProblem,
  explain,
  fieldError,
  groupError,
  guard,
  load,
  loading,
  ownWords,
  problem,
  say,
  screen,
} from "../ui.js";
import { ACTIVE, checkIn, myQueue, volunteerSessions } from "../volunteer.js";
import {
  HOME,
  languageName,
  needsText,
  offlineCopyNotice,
  sessionPlace,
  telLink,
  volunteerGate,
} from "./volunteer-common.js";
import { topicName } from "./where.js";

const HOUR = 3600000;
// A session whose resident can still be referred to a partner (server/services/referrals.py).
const REFERABLE = new Set(["scheduled", "checked_in", "done"]);

async function findSession(root, id) {
  const data = await load(root, volunteerSessions);
  if (!data) return null;
  root.querySelector(".loading")?.remove();
  const session = data.sessions.find((s) => s.id === id);
  if (!session) {
    problem(root, t("vol.sessionGone"), { actions: [linkButton(`#${HOME}`, t("vol.homeLink"))], focus: false });
    return null;
  }
  return { session, savedAt: data.savedAt };
}

function outcomeName(topic, code) {
  const outcome = topicByCode(topic)?.outcomes.find((o) => o.code === code);
  return outcome ? outcome.names[language()] || outcome.names.fi : code;
}

function bringFor(topic) {
  const items = topicByCode(topic)?.bring[language()] || [];
  if (!items.length) return null;
  return h("div", { class: "bring" }, h("h2", {}, t("vol.bringTitle")), list(items));
}

export async function volunteerSessionScreen(view, { id }, token) {
  const title = t("vol.sessionTitle");
  const gate = await volunteerGate(view, { title, id: "vsession", offlineOk: true });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vsession" }, loading());
  view.append(root);
  root.ready = fillSession(root, id, token);
  return root;
}

async function fillSession(root, id, token) {
  const found = await findSession(root, id);
  if (!found || !stillOn(token)) return;
  const { session, savedAt } = found;
  let home = null;
  if (session.modality === "home_visit" && store.session) {
    // Sessions do not carry the home's address; the request the volunteer took does.
    const accepted = await apiAll("/me/offers/accepted").catch(() => []);
    home = accepted.find((offer) => offer.request_id === session.request_id)?.home_address || null;
  }
  const waiting = (await myQueue()).some((i) => i.kind === "check_in" && i.target === id && i.state === "pending");
  if (!stillOn(token)) return;
  const done = session.state === "done";
  root.append(
    savedAt ? offlineCopyNotice(savedAt) : "",
    definitions([
      [t("timeLabel"), `${when(session.starts_at, language())}–${clock(session.ends_at)}`],
      [t("placeLabel"), sessionPlace(session, home)],
      [t("topicLabel"), topicName(session.topic)],
      session.resident_first_name ? [t("vol.residentLabel"), session.resident_first_name] : null,
      session.resident_phone ? [t("vol.phoneLabel"), telLink(session.resident_phone, "session-phone")] : null,
      [t("vol.languageLabel"), languageName(session.language)],
      needsText(session.needs) ? [t("vol.needsLabel"), needsText(session.needs)] : null,
      [t("vol.stateLabel"), t(`vol.sessionState.${session.state}`)],
      done && session.minutes_spent ? [t("vol.minutesSpent"), t("minutes", session.minutes_spent)] : null,
      done && session.outcomes.length
        ? [t("vol.outcomesLabel"), session.outcomes.map((code) => outcomeName(session.topic, code)).join(", ")]
        : null,
    ]),
  );
  if (ACTIVE.has(session.state)) root.append(actions(root, session, waiting));
  if (REFERABLE.has(session.state)) root.append(referPart(session));
  root.append(bringFor(session.topic) || "");
}

/** On the session: what referring is, and the way to the form. */
function referPart(session) {
  return h(
    "section",
    { id: "refer", attrs: { "aria-labelledby": "h-refer" } },
    h("h2", { id: "h-refer" }, t("vol.referTitle")),
    h("p", {}, t("vol.referIntro")),
    h("div", { class: "actions" }, linkButton(`#${HOME}/aika/${session.id}/ohjaa`, t("vol.referOpen"))),
  );
}

function actions(root, session, waiting) {
  const box = h("div", { class: "session-actions" });
  const base = `#${HOME}/aika/${session.id}`;
  if (session.state === "scheduled") {
    if (waiting) {
      box.append(h("p", { class: "pending", tabIndex: -1 }, t("vol.checkInWaiting")));
    } else {
      const start = h("button", { type: "button", class: "primary", id: "check-in" }, t("vol.checkIn"));
      guard(start, () => checkingIn(root, session));
      box.append(h("p", { class: "hint" }, t("vol.checkInHint")), start);
    }
  }
  const links = [
    linkButton(`${base}/valmis`, t("vol.recordDone"), session.state === "checked_in" ? "primary" : "secondary"),
  ];
  if (session.state === "scheduled") {
    links.push(linkButton(`${base}/ei-tullut`, t("vol.noShow")), linkButton(`${base}/en-paase`, t("vol.giveBack")));
  }
  box.append(h("div", { class: "actions" }, ...links));
  return box;
}

async function checkingIn(root, session) {
  clearProblem(root);
  const time = when(session.starts_at, language());
  try {
    const result = await checkIn(session);
    await redraw();
    if (result.queued) {
      document.querySelector("#vsession .pending")?.focus();
      say(t("vol.queue.checkInPending", time));
      return;
    }
    document.querySelector("#vsession .session-actions a")?.focus();
    say(t("vol.checkedIn"));
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    const earliest = clock(Date.parse(session.starts_at) - HOUR);
    problem(root, code === "too_early" ? t("vol.errors.too_early", earliest) : explain(error));
  }
}

/** A form screen about one session: loads it, checks it is still open, then `build(root, session)`. */
async function sessionStep(view, id, token, { title, screenId, build }) {
  const gate = await volunteerGate(view, { title, id: screenId, back: `#${HOME}/aika/${id}` });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}/aika/${id}`, id: screenId }, loading());
  view.append(root);
  root.ready = findSession(root, id).then((found) => {
    if (!found || !stillOn(token)) return;
    if (!ACTIVE.has(found.session.state)) {
      problem(root, t("vol.alreadyRecorded"), {
        actions: [linkButton(`#${HOME}/aika/${id}`, t("vol.backToSession"))],
        focus: false,
      });
      return;
    }
    build(root, found.session);
  });
  return root;
}

export function doneScreen(view, { id }, token) {
  return sessionStep(view, id, token, { title: t("vol.doneTitle"), screenId: "vdone", build: doneForm });
}

function doneForm(root, session) {
  const length = Math.round((Date.parse(session.ends_at) - Date.parse(session.starts_at)) / 60000);
  const minutes = h("input", {
    id: "minutes",
    name: "minutes",
    type: "text",
    inputmode: "numeric",
    autocomplete: "off",
    class: "short",
    attrs: { "aria-describedby": "minutes-error" },
  });
  minutes.value = String(length);
  const outcomes = topicByCode(session.topic)?.outcomes || [];
  const checks = outcomes.map((outcome) =>
    h(
      "li",
      {},
      h("input", { type: "checkbox", id: `outcome-${outcome.code}`, name: "outcomes", value: outcome.code }),
      h("label", { for: `outcome-${outcome.code}` }, outcome.names[language()] || outcome.names.fi),
    ),
  );
  const name = session.resident_first_name || t("vol.theResident");
  const outcomeBox = outcomes.length
    ? h(
        "fieldset",
        { id: "outcomes", attrs: { "aria-describedby": "outcomes-error" } },
        h("legend", {}, t("vol.outcomesQuestion", name)),
        h("p", { id: "outcomes-error", class: "error", hidden: true }),
        h("ul", { class: "checks" }, ...checks),
      )
    : null;
  const note = h("textarea", {
    id: "note",
    name: "note",
    rows: 4,
    maxLength: 2000,
    attrs: { "aria-describedby": "note-warning note-error" },
  });
  const submit = h("button", { type: "submit", class: "primary", id: "save-done" }, t("vol.saveDone"));
  const form = h(
    "form",
    { id: "form-done", novalidate: true },
    h("label", { for: "minutes" }, t("vol.minutesQuestion")),
    h("p", { id: "minutes-error", class: "error", hidden: true }),
    minutes,
    outcomeBox,
    h("label", { for: "note" }, t("vol.noteLabel")),
    h("p", { id: "note-warning", class: "warning" }, t("vol.noteWarning")),
    h("p", { id: "note-error", class: "error", hidden: true }),
    note,
    submit,
  );
  guard(submit, () => saveDone(root, session, { minutes, note, form }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.click();
  });
  root.append(h("p", {}, `${when(session.starts_at, language())} – ${topicName(session.topic)} – ${name}`), form);
}

async function saveDone(root, session, { minutes, note, form }) {
  clearProblem(root);
  clearFieldError(minutes);
  clearFieldError(note);
  const text = minutes.value.trim();
  if (!/^\d{1,3}$/.test(text)) return fieldError(minutes, t("vol.errors.minutes"));
  const outcomes = [...form.querySelectorAll("input[name=outcomes]:checked")].map((box) => box.value);
  try {
    await api("POST", `/sessions/${session.id}/done`, { minutes: Number(text), outcomes, note: note.value });
    await go(`${HOME}/aika/${session.id}`, { replace: true });
    say(t("vol.doneSaved"));
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    const keys = error instanceof ApiError ? (error.problem.errors || []).map((e) => e.key) : [];
    if (code === "note_looks_secret") {
      // The server says why in English; in Finnish and Swedish the same is said by the kind it found.
      const detail = language() === "en" && error.problem.detail;
      fieldError(note, detail || t("vol.errors.note_looks_secret", error.problem.kind));
    } else if (code === "note_too_long") fieldError(note, t("vol.errors.note_too_long"));
    else if (keys.includes("minutes")) fieldError(minutes, t("vol.errors.minutes"));
    else if (code === "session_not_started") problem(root, t("vol.errors.session_not_started"));
    else problem(root, explain(error));
  }
}

export function noShowScreen(view, { id }, token) {
  return sessionStep(view, id, token, {
    title: t("vol.noShowTitle"),
    screenId: "vnoshow",
    build: (root, session) =>
      confirmStep(root, session, {
        text: t("vol.noShowText", session.resident_first_name || t("vol.theResident")),
        yes: t("vol.noShowYes"),
        danger: false,
        send: () => api("POST", `/sessions/${session.id}/no-show`, {}),
        after: () => go(`${HOME}/aika/${session.id}`, { replace: true }).then(() => say(t("vol.noShowSaved"))),
      }),
  });
}

export function giveBackScreen(view, { id }, token) {
  return sessionStep(view, id, token, {
    title: t("vol.giveBackTitle"),
    screenId: "vgiveback",
    build: (root, session) =>
      confirmStep(root, session, {
        text: t("vol.giveBackText", session.resident_first_name || t("vol.theResident")),
        yes: t("vol.giveBackYes"),
        danger: true,
        send: () => api("POST", `/sessions/${session.id}/give-back`),
        after: () => go(HOME, { replace: true }).then(() => say(t("vol.givenBack"))),
      }),
  });
}

function confirmStep(root, session, { text, yes, danger, send, after }) {
  const confirm = h(
    "button",
    { type: "button", class: danger ? "primary danger" : "primary", id: "confirm-step" },
    yes,
  );
  guard(confirm, async () => {
    clearProblem(root);
    try {
      await send();
      await after();
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      problem(root, code === "session_not_started" ? t("vol.errors.session_not_started") : explain(error));
    }
  });
  root.append(
    definitions([
      [t("timeLabel"), when(session.starts_at, language())],
      [t("topicLabel"), topicName(session.topic)],
      [t("placeLabel"), sessionPlace(session)],
    ]),
    h("p", {}, text),
    h("div", { class: "actions" }, confirm, linkButton(`#${HOME}/aika/${session.id}`, t("vol.notNow"))),
  );
}

// ---- refer to a partner ----------------------------------------------------------------------------------------

export async function referScreen(view, { id }, token) {
  const title = t("vol.referTitle");
  const back = `#${HOME}/aika/${id}`;
  const gate = await volunteerGate(view, { title, id: "vrefer", back });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back, id: "vrefer" }, loading());
  view.append(root);
  root.ready = fillRefer(root, id, token);
  return root;
}

async function fillRefer(root, id, token) {
  // The partners in the volunteer's language (a name not yet translated is in Finnish, and says so).
  const found = await load(root, () =>
    Promise.all([
      volunteerSessions(),
      apiAll(`/catalogue?language=${language()}`),
      store.topics.length ? store.topics : loadTopics(),
    ]),
  );
  if (!found || !stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  const [{ sessions }, partners] = found;
  const session = sessions.find((s) => s.id === id);
  if (!session || !REFERABLE.has(session.state)) {
    const text = session ? t("vol.errors.session_not_referable") : t("vol.sessionGone");
    problem(root, text, { actions: [linkButton(`#${HOME}/aika/${id}`, t("vol.backToSession"))], focus: false });
    return;
  }
  const name = session.resident_first_name || t("vol.theResident");
  root.append(h("p", {}, `${when(session.starts_at, language())} – ${topicName(session.topic)} – ${name}`));
  if (!partners.length) {
    problem(root, t("vol.referNone"), { actions: [linkButton(`#${HOME}/aika/${id}`, t("vol.backToSession"))], focus: false });
    return;
  }
  root.append(h("p", {}, t("vol.referIntro")), referForm(root, session, partners));
}

/** A partner to choose (with what it helps with), a note for them, and the resident's consent. */
function referForm(root, session, partners) {
  partners.sort((a, b) => a.name.localeCompare(b.name, language()));
  const choices = partners.map((partner) => {
    const id = `refer-partner-${partner.id}`;
    const what = partner.topics.length
      ? t("vol.referHelpsWith", partner.topics.map(topicName).join(", "))
      : partner.description
        ? ownWords(partner, "description")
        : null;
    return h(
      "li",
      {},
      h("input", {
        type: "radio",
        id,
        name: "refer-partner",
        value: partner.id,
        attrs: { "aria-describedby": what ? `${id}-what` : null },
      }),
      h("label", { for: id }, ownWords(partner, "name")),
      what ? h("span", { id: `${id}-what`, class: "choice-detail" }, what) : null,
    );
  });
  const group = h(
    "fieldset",
    { id: "refer-partner" },
    h("legend", {}, t("vol.referPartner")),
    h("p", { id: "refer-partner-error", class: "error", hidden: true }),
    h("ul", { class: "checks choices" }, ...choices),
  );
  const note = h("textarea", {
    id: "refer-note",
    name: "refer-note",
    rows: 4,
    maxLength: 500,
    attrs: { "aria-describedby": "refer-note-hint refer-note-warning refer-note-error" },
  });
  const consent = h("input", {
    type: "checkbox",
    id: "refer-consent",
    name: "refer-consent",
    attrs: { "aria-describedby": "refer-consent-error" },
  });
  const submit = h("button", { type: "submit", class: "primary", id: "refer-send" }, t("vol.referSend"));
  const form = h(
    "form",
    { id: "form-refer", novalidate: true },
    group,
    h("label", { for: "refer-note" }, t("vol.referNote")),
    h("p", { id: "refer-note-hint", class: "hint" }, t("vol.referNoteHint")),
    h("p", { id: "refer-note-warning", class: "warning" }, t("vol.noteWarning")),
    h("p", { id: "refer-note-error", class: "error", hidden: true }),
    note,
    h("p", { id: "refer-consent-error", class: "error", hidden: true }),
    h("ul", { class: "checks single" }, h("li", {}, consent, h("label", { for: "refer-consent" }, t("vol.referConsent")))),
    h("div", { class: "actions" }, submit, linkButton(`#${HOME}/aika/${session.id}`, t("vol.notNow"))),
  );
  guard(submit, () => sendReferral(root, session, partners, { form, group, note, consent }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.click();
  });
  return form;
}

async function sendReferral(root, session, partners, { form, group, note, consent }) {
  clearProblem(root);
  clearErrors(form);
  const chosen = partners.find((p) => p.id === form.querySelector("input[name=refer-partner]:checked")?.value);
  if (!chosen) return groupError(group, t("vol.referChoose"));
  if (!consent.checked) return fieldError(consent, t("vol.referConsentNeeded"));
  try {
    await api("POST", `/sessions/${session.id}/refer`, {
      organisation_id: chosen.id,
      note: note.value.trim(),
      consent: true,
    });
  } catch (error) {
    const code = error instanceof ApiError ? error.code : "";
    if (code === "consent_required") return fieldError(consent, t("vol.referConsentNeeded"));
    if (code === "note_looks_secret") {
      // As on the session's own note: the server's reason in English, the same said by its kind in fi and sv.
      const detail = language() === "en" && error.problem.detail;
      return fieldError(note, detail || t("vol.errors.note_looks_secret", error.problem.kind));
    }
    if (code === "note_too_long") return fieldError(note, t("vol.referNoteTooLong"));
    if (code === "organisation_not_found") return groupError(group, explain(error));
    return problem(root, explain(error));
  }
  await go(`${HOME}/aika/${session.id}`, { replace: true });
  say(t("vol.referred", chosen.name));
}
