// The coordinator's queues on one screen: requests nobody has yet (longest waiting first), requests routed to
// their organisation, people who phoned and wait for a call, sessions at risk, drop-in hours and group sessions
// short of volunteers, and SMS replies that need a person. Each item says what to do next; handling one keeps the focus on its list.
import { api, apiAll } from "../api.js";
import { button, h } from "../dom.js";
import { clock, phoneDisplay, when } from "../format.js";
import { language, t } from "../i18n.js";
import { stillOn } from "../router.js";
import { ensureLists, helpPointById } from "../state.js";
import { clearErrors, clearProblem, fieldError, guard, problem, say } from "../ui.js";
import { HOME, confirmFirst, coordExplain, deskScreen, waited, word } from "./coordinator-common.js";
import { helpPointText, languageName } from "./volunteer-common.js";
import { topicName } from "./where.js";

const LISTS = [
  ["unmatched", "/queues/unmatched", requestCard],
  ["routed", "/queues/routed", requestCard],
  ["callbacks", "/queues/callbacks", callbackCard],
  ["atRisk", "/queues/at-risk", riskCard],
  ["unstaffed", "/drop-in-hours/unstaffed", unstaffedCard],
  ["unstaffedEvents", "/events/unstaffed", unstaffedEventCard],
  ["inbox", "/inbox", inboxCard],
];

export async function queuesScreen(view, _params, token) {
  const refresh = button(t("coord.refresh"), { id: "refresh" });
  return deskScreen(view, token, { title: t("coord.queuesTitle"), id: "queues", intro: refresh }, (root) => {
    guard(refresh, async () => {
      if (await fill(root, token)) say(t("coord.refreshed"));
    });
    return fill(root, token);
  });
}

async function fill(root, token) {
  clearProblem(root);
  const answers = await Promise.all(
    LISTS.map(([, path]) => apiAll(path).then((value) => ({ value }), (error) => ({ error }))),
  );
  await ensureLists().catch(() => null);
  if (!stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  for (const old of root.querySelectorAll(".queue")) old.remove();
  const failed = answers.find((answer) => answer.error);
  if (failed) problem(root, coordExplain(failed.error), { focus: false });
  LISTS.forEach(([name, , card], index) => {
    const items = answers[index].value;
    if (items) root.append(queueSection(name, items, card));
  });
  return !failed;
}

function queueSection(name, items, card) {
  const id = `q-${name}`;
  const heading = h("h2", { id, tabIndex: -1 }, t(`coord.${name}Title`), " ", h("span", { class: "count" }, t("coord.count", items.length)));
  const section = h("section", { class: "queue", id: `queue-${name}`, attrs: { "aria-labelledby": id } }, heading);
  const list = h("ul", { class: "cards", attrs: { "aria-labelledby": id } });
  const empty = h("p", { class: "empty", hidden: items.length > 0 }, t("coord.none"));
  for (const item of items) list.append(card(item, () => handled(section, list, empty)));
  section.append(list, empty);
  return section;
}

/** After an item is handled: it leaves its list, the count follows, the focus goes to the list's heading. */
function handled(section, list, empty) {
  const count = section.querySelector(".count");
  count.textContent = t("coord.count", list.children.length);
  empty.hidden = list.children.length > 0;
  section.querySelector("h2").focus();
}

function placeOf(item) {
  if (item.modality === "help_point" && item.help_point_id) return helpPointText(item.help_point_id);
  return t(`modality.${item.modality}`);
}

function requestCard(item, done) {
  const topic = topicName(item.topic);
  const card = h(
    "li",
    { class: "card", attrs: { "data-request": item.id } },
    h("h3", {}, topic),
    h("p", {}, t("coord.resident", item.resident_first_name)),
    item.referral_note ? h("p", { class: "referral-note" }, t("coord.referralNote", item.referral_note)) : null,
    h("p", {}, `${placeOf(item)} · ${languageName(item.language)} · ${word("channel", item.channel)}`),
    h("p", { class: "waited" }, t("coord.waited", waited(item.waiting_minutes))),
    h("p", {}, item.pending_offers ? t("coord.offersPending", item.pending_offers) : t("coord.noOffersPending")),
    h(
      "a",
      {
        class: "button primary",
        href: `#${HOME}/pyynto/${item.id}`,
        attrs: { "aria-label": t("coord.chooseVolunteerFor", topic, item.resident_first_name) },
      },
      t("coord.chooseVolunteer"),
    ),
  );
  const name = item.resident_first_name || topic;
  if (item.state === "routed") {
    card.append(outcomeButtons(item, `/requests/${item.id}/handled`, ["helped", "not_reached", "not_needed"], name, done));
  }
  card.append(referral(item, topic, done));
  return card;
}

/** Pass the request to a partner, with a note for them (what the resident needs; never their codes). */
function referral(item, topic, done) {
  const box = h("div", { class: "actions" });
  const open = button(t("coord.refer"), { attrs: { "aria-label": t("coord.referFor", topic), "data-refer": item.id } });
  open.addEventListener("click", async () => {
    let partners;
    try {
      partners = (await apiAll("/organisations/partners")).filter((o) => o.active && o.id !== item.routed_to_organisation_id);
    } catch (error) {
      problem(box.closest(".screen"), coordExplain(error));
      return;
    }
    box.replaceChildren(referForm(item, partners, box, open, done));
    box.querySelector("select").focus();
  });
  box.append(open);
  return box;
}

function referForm(item, partners, box, open, done) {
  const id = `refer-${item.id}`;
  const partner = h(
    "select",
    { id, name: id, attrs: { "aria-describedby": `${id}-error` } },
    ...partners.map((o) => h("option", { value: o.id }, o.phone ? `${o.name} (${o.municipality}, ${phoneDisplay(o.phone)})` : `${o.name} (${o.municipality})`)),
  );
  const note = h("textarea", { id: `${id}-note`, name: `${id}-note`, rows: 3, maxLength: 500, attrs: { "aria-describedby": `${id}-note-hint ${id}-note-error` } });
  const submit = h("button", { type: "submit", class: "primary" }, t("coord.referSend"));
  const cancel = button(t("coord.cancel"), {
    on: {
      click: () => {
        box.replaceChildren(open);
        open.focus();
      },
    },
  });
  const form = h(
    "form",
    { class: "refer-form", novalidate: true },
    h("label", { for: id }, t("coord.referTo")),
    h("p", { id: `${id}-error`, class: "error", hidden: true }),
    partner,
    h("label", { for: `${id}-note` }, t("coord.referNote")),
    h("p", { id: `${id}-note-hint`, class: "hint" }, t("coord.referNoteHint")),
    h("p", { id: `${id}-note-error`, class: "error", hidden: true }),
    note,
    submit,
    cancel,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.dataset.busy) return;
    clearErrors(form);
    if (!partner.value) return fieldError(partner, t("coord.referChoose"));
    submit.dataset.busy = "true";
    try {
      await api("POST", `/requests/${item.id}/refer`, { organisation_id: partner.value, note: note.value });
    } catch (error) {
      if (error?.code === "note_looks_secret" || error?.code === "note_too_long") return fieldError(note, coordExplain(error));
      return fieldError(partner, coordExplain(error));
    } finally {
      delete submit.dataset.busy;
    }
    const card = box.closest("li");
    const list = card.parentElement;
    card.remove();
    say(t("coord.referred", partner.selectedOptions[0]?.textContent || ""));
    done(list);
  });
  return form;
}

function phoneLink(phone) {
  return h("a", { class: "tel", href: `tel:${phone}` }, phoneDisplay(phone));
}

/** Buttons that mark the item handled with one of `outcomes` (POST `path`), then take it off its list. One
 * press at a time; cancelling a resident's session asks first (it texts them at once). */
function outcomeButtons(item, path, outcomes, name, done) {
  const box = h("div", { class: "actions" });
  const table = path.startsWith("/callbacks") ? "callbackOutcome" : path.endsWith("/handled") ? "handledOutcome" : "inboxOutcome";
  let busy = false;
  const send = async (outcome) => {
    if (busy) return;
    busy = true;
    try {
      await api("POST", path, { outcome });
    } catch (error) {
      problem(box.closest(".screen"), coordExplain(error));
      return;
    } finally {
      busy = false;
    }
    const card = box.closest("li");
    const list = card.parentElement;
    card.remove();
    say(t("coord.handled", name));
    done(list);
  };
  const buttons = outcomes.map((outcome) => {
    const press = button(word(table, outcome), { attrs: { "data-outcome": outcome } });
    const ask = { question: t("coord.cancelConfirm"), yes: t("coord.cancelYes"), onYes: () => send(outcome) };
    if (outcome === "cancelled") press.addEventListener("click", () => confirmFirst(box, { ...ask, restore: buttons, back: press }));
    else guard(press, () => send(outcome));
    return press;
  });
  box.append(...buttons);
  return box;
}

/**
 * One keypress on the voice menu in words: "Valikko: varaamaan aikaa", "Aihe: Verkkopankki". The server records
 * `step:digit`, and for a choice from a spoken list what was chosen (`topic:2=online_banking`).
 */
function traceText(entry) {
  const [pressed, chosen] = entry.split("=");
  const [step, digit] = pressed.split(":");
  const stepName = t(`coord.trace.steps.${step}`);
  const label = stepName.startsWith("coord.") ? step : stepName;
  let what;
  if (digit === "-" || digit === undefined) what = t("coord.trace.silence");
  else if (digit === "*") what = t("coord.trace.back");
  else if (step === "topic" && chosen) what = topicName(chosen);
  else if (step === "place" && chosen) what = helpPointById(chosen)?.name || t("coord.trace.other", digit);
  else {
    const text = t(`coord.trace.${step}.${digit}`);
    what = text.startsWith("coord.") ? t("coord.trace.other", digit) : text;
  }
  return `${label}: ${what}`;
}

function callbackCard(item, done) {
  const name = item.first_name || phoneDisplay(item.phone);
  const tried = item.tried.length ? h("p", { class: "hint" }, t("coord.tried", item.tried.map(traceText).join(", "))) : null;
  return h(
    "li",
    { class: "card", attrs: { "data-callback": item.id } },
    h("h3", {}, name),
    h("p", {}, phoneLink(item.phone)),
    h("p", {}, `${t("coord.calledAt", when(item.created_at, language()))} · ${languageName(item.language)}`),
    h("p", {}, word("reason", item.reason)),
    tried,
    h(
      "p",
      {},
      h("a", { class: "button secondary", href: `#${HOME}/varaa/${item.id}` }, t("coord.bookFor")),
    ),
    outcomeButtons(item, `/callbacks/${item.id}/handle`, ["booked_on_behalf", "advised", "no_answer"], name, done),
  );
}

// The risks where the session needs another volunteer: "keep the time, another volunteer" in one press.
const NEEDS_VOLUNTEER = new Set(["no_volunteer", "volunteer_inactive", "volunteer_left"]);

function riskCard(item, done) {
  const time = when(item.starts_at, language());
  const card = h(
    "li",
    { class: "card", attrs: { "data-session": item.session_id, "data-reason": item.reason } },
    h("h3", {}, `${time}, ${topicName(item.topic)}`),
    h("p", { class: "risk" }, word("risk", item.reason)),
    h("p", {}, t("coord.volunteerName", item.volunteer_first_name)),
    item.help_point_id ? h("p", {}, helpPointText(item.help_point_id)) : null,
    h(
      "a",
      {
        class: "button secondary",
        href: `#${HOME}/aika/${item.session_id}`,
        attrs: { "aria-label": t("coord.ledgerLinkFor", time) },
      },
      t("coord.ledgerLink"),
    ),
  );
  if (NEEDS_VOLUNTEER.has(item.reason)) card.append(anotherVolunteer(item, time, done));
  return card;
}

/** A drop-in hour in the next few days short of volunteers: when, where, how many; its help point's page. */
function unstaffedCard(item) {
  const time = `${when(item.starts_at, language())}–${clock(item.ends_at)}`;
  return h(
    "li",
    { class: "card", attrs: { "data-drop-in": `${item.hour_id}:${item.day}` } },
    h("h3", {}, `${time}, ${item.help_point_name}`),
    h("p", { class: "risk" }, t("coord.unstaffedCount", item.staffed, item.volunteers_needed)),
    h(
      "a",
      {
        class: "button secondary",
        href: `#${HOME}/apupiste/${item.help_point_id}`,
        attrs: { "aria-label": t("coord.placeLinkFor", item.help_point_name) },
      },
      t("coord.placeLink"),
    ),
  );
}

/**
 * A group session short of volunteers (within three days, or left by a volunteer who has gone): when, where, how
 * many; the session's page.
 */
function unstaffedEventCard(item) {
  const time = `${when(item.starts_at, language())}–${clock(item.ends_at)}`;
  const place = item.remote ? t("coord.eventRemote") : [item.help_point_name, item.municipality].filter(Boolean).join(", ");
  return h(
    "li",
    { class: "card", attrs: { "data-event": item.id } },
    h("h3", {}, h("span", { lang: item.language }, item.title)),
    h("p", {}, time),
    h("p", {}, place),
    h("p", { class: "risk" }, t("coord.unstaffedCount", item.staffed, item.volunteers_needed)),
    item.volunteers_gone ? h("p", { class: "risk" }, t("coord.eventVolunteersGone", item.volunteers_gone)) : null,
    h(
      "a",
      {
        class: "button secondary",
        href: `#${HOME}/ryhma/${item.id}`,
        attrs: { "aria-label": t("coord.eventLinkFor", item.title) },
      },
      t("coord.eventLink"),
    ),
  );
}

/** Keep the time, give the session to the best other volunteer free then; the resident is not told. */
function anotherVolunteer(item, time, done) {
  const box = h("div", { class: "actions" });
  const press = button(t("coord.anotherVolunteer"), {
    attrs: { "aria-label": t("coord.anotherVolunteerFor", time), "data-another": item.session_id },
  });
  guard(press, async () => {
    let given;
    try {
      given = await api("POST", `/sessions/${item.session_id}/another-volunteer`);
    } catch (error) {
      problem(box.closest(".screen"), coordExplain(error));
      return;
    }
    // Every risk of this session that a new volunteer settles leaves the list.
    const list = box.closest("ul");
    for (const other of list.querySelectorAll(`li[data-session="${item.session_id}"]`)) {
      if (NEEDS_VOLUNTEER.has(other.dataset.reason)) other.remove();
    }
    say(t("coord.anotherVolunteerDone", time, given.volunteer_first_name));
    done(list);
  });
  box.append(press);
  return box;
}

function inboxCard(item, done) {
  const name = item.first_name || phoneDisplay(item.phone);
  const outcomes = item.session_id
    ? ["confirmed", "cancelled", "called_back", "noted"]
    : ["called_back", "noted", "no_answer"];
  const about = item.session_starts_at
    ? h("p", {}, t("coord.aboutSession", when(item.session_starts_at, language()), t(`vol.sessionState.${item.session_state}`)))
    : null;
  return h(
    "li",
    { class: "card", attrs: { "data-inbox": item.id } },
    h("h3", {}, name),
    h("p", {}, phoneLink(item.phone), ` · ${t("coord.receivedAt", when(item.received_at, language()))}`),
    h("blockquote", {}, item.body),
    about,
    item.suggested_topic ? h("p", {}, t("coord.suggestedTopic", topicName(item.suggested_topic))) : null,
    outcomeButtons(item, `/inbox/${item.id}/handle`, outcomes, name, done),
  );
}
