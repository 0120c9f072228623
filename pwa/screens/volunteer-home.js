// The volunteer's home: what waits for an answer, whom to call, today's sessions and the coming ones, and the
// way to their settings. Offline it shows the copy of the sessions kept last time, and says so.
import { api, apiAll, ApiError } from "../api.js";
import { button, definitions, h, linkButton } from "../dom.js";
import { clock, localDate, when } from "../format.js";
import { language, t } from "../i18n.js";
import { go, redraw, stillOn } from "../router.js";
import { ensureLists, isResident, store } from "../state.js";
import { clearProblem, explain, guard, loading, problem, say, screen } from "../ui.js";
import { ACTIVE, acceptOffer, dismissFinished, myQueue, queueMessage, volunteerSessions } from "../volunteer.js";
import { signOut } from "./sign-in.js";
import { HOME, languageName, offerPlace, offlineCopyNotice, sessionCard, volunteerGate } from "./volunteer-common.js";
import { topicName } from "./where.js";

export async function volunteerHomeScreen(view, _params, token) {
  const gate = await volunteerGate(view, { title: t("vol.homeTitle"), id: "vhome", back: null, offlineOk: true });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const greeting = store.session?.first_name
    ? h("p", { class: "greeting" }, t("hello", store.session.first_name))
    : null;
  const root = screen({ title: t("vol.homeTitle"), id: "vhome" }, greeting, loading());
  view.append(root);
  root.ready = fill(root, token);
  return root;
}

async function settled(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

async function fill(root, token) {
  const signedIn = Boolean(store.session);
  const [sessions, offers, accepted, queue] = await Promise.all([
    settled(volunteerSessions()),
    signedIn ? settled(api("GET", "/me/offers")) : { error: new ApiError(0, { code: "offline" }) },
    signedIn ? settled(apiAll("/me/offers/accepted")) : { value: [] },
    myQueue(),
    ensureLists().catch(() => null),
  ]);
  if (!stillOn(token)) return;
  root.querySelector(".loading")?.remove();
  const waiting = queue.filter((item) => item.state === "pending");
  const pending = new Set(waiting.map((item) => item.target));
  const finished = queue.filter((item) => item.state !== "pending");
  if (waiting.length) root.append(waitingBox(waiting));
  if (finished.length) root.append(finishedBox(finished));

  root.append(h("h2", { id: "h-offers", tabIndex: -1 }, t("vol.offersTitle")));
  if (offers.error) {
    const why = offers.error.status === 0 ? t("vol.offersOffline") : explain(offers.error);
    root.append(h("p", { class: "empty" }, why));
  } else if (!offers.value.length) {
    root.append(h("p", { class: "empty" }, t("vol.noOffers")));
  } else {
    root.append(
      h(
        "ul",
        { class: "cards", attrs: { "aria-labelledby": "h-offers" } },
        ...offers.value.map((offer) => offerCard(root, offer, pending.has(offer.id))),
      ),
    );
  }

  const active = sessions.value ? sessions.value.sessions.filter((s) => ACTIVE.has(s.state)) : [];
  const scheduled = new Set(active.map((s) => s.request_id));
  const toCall = (accepted.value || []).filter((offer) => !scheduled.has(offer.request_id));
  if (toCall.length) {
    root.append(
      h("h2", { id: "h-to-call" }, t("vol.toCallTitle")),
      h("ul", { class: "cards", attrs: { "aria-labelledby": "h-to-call" } }, ...toCall.map(toCallCard)),
    );
  }

  if (sessions.error) {
    root.append(h("h2", {}, t("vol.todayTitle")), h("p", { class: "problem-inline" }, explain(sessions.error)));
  } else {
    if (sessions.value.savedAt) root.append(offlineCopyNotice(sessions.value.savedAt));
    const today = localDate();
    const now = active.filter((s) => localDate(s.starts_at) <= today);
    const later = active.filter((s) => localDate(s.starts_at) > today);
    root.append(sessionList("h-today", t("vol.todayTitle"), now, t("vol.noToday"), pending));
    root.append(sessionList("h-upcoming", t("vol.upcomingTitle"), later, t("vol.noUpcoming"), pending));
    // On paper for the day (the print view leaves out the menus and buttons).
    const print = button(t("vol.printDay"), { id: "vol-print", class: "secondary no-print", on: { click: () => window.print() } });
    if (active.length) root.append(print);
  }
  root.append(...menu());
}

function sessionList(id, title, sessions, empty, pending) {
  const box = h("section", { attrs: { "aria-labelledby": id } }, h("h2", { id }, title));
  if (!sessions.length) {
    box.append(h("p", { class: "empty" }, empty));
    return box;
  }
  const cards = sessions.map((session) => {
    const card = sessionCard(session);
    if (pending.has(session.id)) card.append(h("p", { class: "pending" }, t("vol.queue.waitingShort")));
    return card;
  });
  box.append(h("ul", { class: "cards" }, ...cards));
  return box;
}

/** What was done offline and waits for the network: said plainly, so nobody thinks it went already. */
function waitingBox(items) {
  return h(
    "section",
    { class: "waiting", attrs: { "aria-labelledby": "h-waiting" } },
    h("h2", { id: "h-waiting", tabIndex: -1 }, t("vol.queue.waitingTitle")),
    h("ul", {}, ...items.map((item) => h("li", {}, queueMessage(item)))),
  );
}

function finishedBox(items) {
  const ok = button(t("vol.queue.dismiss"), { id: "queue-dismiss" });
  guard(ok, async () => {
    await dismissFinished();
    await redraw();
    document.getElementById("h-offers")?.focus();
  });
  const lines = items.map((item) => {
    const line = h("li", {}, queueMessage(item));
    if (item.kind === "accept" && item.state === "done") {
      line.append(" ", h("a", { href: `#${HOME}/pyynto/${item.requestId}` }, t("vol.callNow")));
    }
    return line;
  });
  return h(
    "section",
    { class: "sent", attrs: { "aria-labelledby": "h-sent" } },
    h("h2", { id: "h-sent" }, t("vol.queue.sentTitle")),
    h("ul", {}, ...lines),
    ok,
  );
}

function offerCard(root, offer, isPending) {
  const name = topicName(offer.topic);
  const card = h(
    "li",
    { class: "card", attrs: { "data-offer": offer.id } },
    h("h3", {}, name),
    definitions([
      [t("howLabel"), t(`modality.${offer.modality}`)],
      [t("placeLabel"), offerPlace(offer)],
      [t("vol.languageLabel"), languageName(offer.language)],
      [t("vol.answerBy"), answerBy(offer.expires_at)],
    ]),
  );
  if (isPending) {
    card.append(h("p", { class: "pending" }, t("vol.queue.waitingShort")));
    return card;
  }
  const hidden = h("span", { class: "visually-hidden" }, ` ${name}`);
  const yes = button(t("vol.accept"), { class: "primary", attrs: { "data-accept": offer.id } });
  yes.append(hidden);
  const no = button(t("vol.decline"), { attrs: { "data-decline": offer.id } });
  no.append(hidden.cloneNode(true));
  guard(yes, () => accept(root, offer));
  guard(no, () => decline(root, offer));
  card.append(h("div", { class: "actions" }, yes, no));
  return card;
}

/** "klo 14.35 (28 min)": when the offer goes to the next helper. */
function answerBy(expiresAt) {
  const minutes = Math.max(0, Math.round((Date.parse(expiresAt) - Date.now()) / 60000));
  const time = localDate(expiresAt) === localDate() ? t("vol.atClock", clock(expiresAt)) : when(expiresAt, language());
  return t("vol.answerByTime", time, minutes);
}

function toCallCard(offer) {
  const name = topicName(offer.topic);
  return h(
    "li",
    { class: "card", attrs: { "data-request": offer.request_id } },
    h("h3", {}, name),
    h("p", {}, t("vol.callAndAgree", offer.resident_first_name || "")),
    linkButton(`#${HOME}/pyynto/${offer.request_id}`, t("vol.callNow"), "primary"),
  );
}

async function accept(root, offer) {
  clearProblem(root);
  const name = topicName(offer.topic);
  try {
    const result = await acceptOffer(offer);
    if (result.queued) {
      await redraw();
      document.getElementById("h-waiting")?.focus();
      say(t("vol.queue.acceptPending", name));
      return;
    }
    await go(`${HOME}/pyynto/${offer.request_id}`);
    say(t("vol.acceptedSay", name));
  } catch (error) {
    await afterRefusal(error);
  }
}

async function decline(root, offer) {
  clearProblem(root);
  try {
    await api("POST", `/offers/${offer.id}/decline`);
    await redraw();
    document.getElementById("h-offers")?.focus();
    say(t("vol.declinedSay", topicName(offer.topic)));
  } catch (error) {
    await afterRefusal(error);
  }
}

/** Someone else took it, or it expired: said kindly, on the list drawn again without it. */
async function afterRefusal(error) {
  const message = explain(error); // "someone else took it" and "it expired" have their own kind words
  if (error instanceof ApiError && error.status !== 0) await redraw();
  const root = document.querySelector("#view .screen");
  if (root) problem(root, message);
}

function menu() {
  const links = [
    ["profiili", "vol.profileLink"],
    ["saatavuus", "vol.availabilityLink"],
    ["paivystykset", "vol.shiftsLink"],
    ["ryhmat", "vol.eventsLink"],
    ["ilmoitukset", "vol.notificationsLink"],
    ["kalenteri", "vol.calendarLink"],
  ].map(([where, key]) => h("li", {}, linkButton(`#${HOME}/${where}`, t(key))));
  const nav = h(
    "nav",
    { class: "menu", attrs: { "aria-labelledby": "h-settings" } },
    h("h2", { id: "h-settings" }, t("vol.settingsTitle")),
    h("ul", { class: "link-list" }, ...links),
  );
  const parts = [nav];
  if (isResident()) {
    parts.push(
      h(
        "section",
        { attrs: { "aria-labelledby": "h-as-resident" } },
        h("h2", { id: "h-as-resident" }, t("vol.asResidentTitle")),
        h("div", { class: "actions" }, linkButton("#/aihe", t("bookHelp")), linkButton("#/omat", t("mySessions"))),
      ),
    );
  }
  if (store.session) parts.push(button(t("signOut"), { id: "vol-sign-out", on: { click: signOut } }));
  return parts;
}
