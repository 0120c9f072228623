// The volunteer's data: their sessions (with the offline copy), offers, and the two actions that may be made
// without a signal (accepting an offer, checking in), which wait in a queue and are sent when the network is back.
import { api, apiAll, ApiError } from "./api.js";
import { when } from "./format.js";
import { language, t } from "./i18n.js";
import { enqueue, queued, readSnapshot, removeQueued, saveSnapshot, updateQueued } from "./offline.js";
import { ensureLists, isVolunteer, store } from "./state.js";
import { explain } from "./ui.js";
import { topicName } from "./screens/where.js";

const SESSIONS = "volunteer-sessions";
export const ACTIVE = new Set(["scheduled", "checked_in"]);

function offline(error) {
  return error instanceof ApiError && error.status === 0;
}

/**
 * The volunteer's sessions: fresh from the server (and kept for offline use), or, without a network, the copy
 * kept last time: `{ sessions, savedAt }`, where `savedAt` is set only for an offline copy. The copy carries
 * the names of its topics and help points too, or it could not be read offline.
 */
export async function volunteerSessions() {
  try {
    const [sessions] = await Promise.all([apiAll("/me/sessions?as=volunteer"), ensureLists().catch(() => null)]);
    const topics = new Set(sessions.map((s) => s.topic));
    const points = new Set(sessions.map((s) => s.help_point_id));
    const copy = {
      personId: store.session?.person_id || null,
      savedAt: new Date().toISOString(),
      sessions,
      topics: store.topics.filter((topic) => topics.has(topic.code)),
      helpPoints: store.helpPoints.filter((point) => points.has(point.id)),
    };
    await saveSnapshot(SESSIONS, copy).catch(() => null);
    return { sessions, savedAt: null };
  } catch (error) {
    if (!offline(error)) throw error;
    const copy = await readSnapshot(SESSIONS).catch(() => null);
    const someoneElse = copy && store.session && copy.personId !== store.session.person_id;
    if (!copy || someoneElse) throw error;
    if (!store.topics.length || store.listsPartial) {
      store.topics = copy.topics || [];
      store.helpPoints = copy.helpPoints || [];
      store.listsPartial = true;
    }
    return { sessions: copy.sessions, savedAt: copy.savedAt };
  }
}

/** True when this device keeps a volunteer's sessions (someone signed in as a volunteer here). */
export async function hasOfflineCopy() {
  return Boolean(await readSnapshot(SESSIONS).catch(() => null));
}

async function orQueue(item, send) {
  if (navigator.onLine !== false) {
    try {
      return { sent: await send() };
    } catch (error) {
      if (!offline(error)) throw error;
    }
  }
  await enqueue({
    ...item,
    personId: store.session?.person_id || null,
    queuedAt: new Date().toISOString(),
    state: "pending",
  });
  return { queued: true };
}

/** Accept an offer; offline, the acceptance waits in the queue. `{ sent: offer }` or `{ queued: true }`. */
export function acceptOffer(offer) {
  const item = { kind: "accept", target: offer.id, topic: offer.topic, requestId: offer.request_id };
  return orQueue(item, () => api("POST", `/offers/${offer.id}/accept`));
}

/** Check in to a session; offline, the check-in waits in the queue. */
export function checkIn(session) {
  const item = { kind: "check_in", target: session.id, topic: session.topic, startsAt: session.starts_at };
  return orQueue(item, () => api("POST", `/sessions/${session.id}/check-in`));
}

/** The queued actions of the person signed in (others' are dropped: they signed out without a network). */
export async function myQueue() {
  const items = await queued();
  const mine = [];
  for (const item of items) {
    if (store.session && item.personId && item.personId !== store.session.person_id) await removeQueued(item.id);
    else mine.push(item);
  }
  return mine;
}

let sending = null;

/** Send what waits in the queue, in order. Resolves with the items that got an answer (sent or refused). */
export function sendQueued() {
  if (!sending) sending = send().finally(() => (sending = null));
  return sending;
}

async function send() {
  if (!store.session || !isVolunteer()) return [];
  const finished = [];
  for (const item of await myQueue()) {
    if (item.state !== "pending") continue;
    const path = item.kind === "accept" ? `/offers/${item.target}/accept` : `/sessions/${item.target}/check-in`;
    try {
      await api("POST", path);
      item.state = "done";
    } catch (error) {
      if (offline(error)) break; // still no network: everything stays queued
      item.state = "failed";
      item.code = error instanceof ApiError ? error.code : "";
      item.message = explain(error);
    }
    await updateQueued(item).catch(() => null);
    finished.push(item);
  }
  return finished;
}

/** Forget the answered items once the volunteer has seen them. */
export async function dismissFinished() {
  for (const item of await myQueue()) if (item.state !== "pending") await removeQueued(item.id);
}

/** What a queued item's state means, in words. */
export function queueMessage(item) {
  const topic = topicName(item.topic);
  if (item.kind === "accept") {
    if (item.state === "pending") return t("vol.queue.acceptPending", topic);
    if (item.state === "done") return t("vol.queue.acceptDone", topic);
    if (item.code === "offer_taken") return t("vol.queue.acceptTaken", topic);
    if (item.code === "offer_expired") return t("vol.queue.acceptExpired", topic);
    return t("vol.queue.acceptFailed", topic, item.message || "");
  }
  const time = when(item.startsAt, language());
  if (item.state === "pending") return t("vol.queue.checkInPending", time);
  if (item.state === "done") return t("vol.queue.checkInDone", time);
  if (item.code === "too_early") return t("vol.queue.checkInTooEarly", time);
  return t("vol.queue.checkInFailed", time, item.message || "");
}
