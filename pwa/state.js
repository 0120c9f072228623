// What the app holds in memory while it runs: who is signed in, the booking being made, and the lists
// loaded from the server. Nothing here is written to storage.
import { api, apiAll, ApiError } from "./api.js";
import { language } from "./i18n.js";

export const store = {
  session: null, // GET /auth/session, or null when nobody is signed in
  sessionChecked: null, // a promise: resolves once we know whether someone is signed in
  offlineAtStart: false,
  topics: [],
  helpPoints: [], // in the language of the screen when they were loaded (helpPointsIn)
  helpPointsIn: null,
  about: null,
  draft: newDraft(),
  result: null, // the last booking or request made, for the confirmation screen
  move: null, // { sessionId, slot } while moving a session
  joining: null, // { eventId, path, firstName } while signing in to sign up for a group session
  signIn: { challengeId: null, phone: "", purpose: "sign-in", returnTo: null },
  listsPartial: false, // the lists hold only what an offline copy of the volunteer's sessions brought along
};

export function newDraft() {
  return {
    kind: "book", // "book": a fixed time; "ask": "call me when someone can help"
    topic: null,
    modality: null,
    municipality: null,
    helpPointId: null,
    home: null, // a home visit's { address, latitude, longitude } and what was typed
    slot: null, // { starts_at, ends_at } as the server sent it
    language: null, // the language the times were searched in ("fi-plain": plain Finnish)
    plain: false, // chose plain Finnish (selkosuomi) at the start
    needs: [], // hearing, sight, mobility, memory: what the helper should know
    firstName: "",
    phone: "",
    idempotencyKey: null,
  };
}

/**
 * The language the resident wants help in: the one the booking started in (kept when the screen's language is
 * switched later), else the screen's; plain Finnish when chosen at the start (and in Finnish).
 */
export function helpLanguage(current) {
  if (store.draft.language) return store.draft.language;
  return store.draft.plain && current === "fi" ? "fi-plain" : current;
}

export function resetDraft() {
  store.draft = newDraft();
}

export function checkSession() {
  store.sessionChecked = api("GET", "/auth/session")
    .then((session) => {
      store.session = session;
      store.offlineAtStart = false;
    })
    .catch((error) => {
      store.session = null;
      store.offlineAtStart = error instanceof ApiError && error.status === 0;
    });
  return store.sessionChecked;
}

export function isResident() {
  return Boolean(store.session?.roles?.some((grant) => grant.role === "resident"));
}

export function isVolunteer() {
  return Boolean(store.session?.roles?.some((grant) => grant.role === "volunteer"));
}

export function isCoordinator() {
  return Boolean(store.session?.roles?.some((grant) => grant.role.endsWith("_coordinator")));
}

export async function loadTopics() {
  store.topics = await api("GET", "/topics");
  return store.topics;
}

/**
 * The help points in the screen's language: names, streets and notes translated where they can be (`in_finnish`
 * says where not), the municipality by its Swedish name in Swedish. Each also keeps the municipality's Finnish
 * name (`municipality_fi`), the one the times are searched by and addresses keep; in Swedish the Finnish list is
 * fetched alongside for it.
 */
export async function loadHelpPoints() {
  const shown = language();
  const [points, finnish] = await Promise.all([
    apiAll(`/help-points?language=${shown}`),
    shown === "sv" ? apiAll("/help-points?language=fi") : null,
  ]);
  const towns = new Map((finnish || points).map((point) => [point.id, point.municipality]));
  for (const point of points) {
    point.municipality_fi = towns.get(point.id) || point.municipality;
    point.shown_in = shown; // kept with a volunteer's offline copy, which may be read in another language later
  }
  store.helpPoints = points;
  store.helpPointsIn = shown;
  return points;
}

/** The help points, loaded again if they were loaded in another language. */
export async function ensureHelpPoints() {
  if (!store.helpPoints.length || store.listsPartial || store.helpPointsIn !== language()) await loadHelpPoints();
  return store.helpPoints;
}

/** A municipality known by its Finnish name, as the screen's language calls it ("Kajaani" is "Kajana" in Swedish). */
export function municipalityName(finnish) {
  return store.helpPoints.find((point) => point.municipality_fi === finnish)?.municipality || finnish;
}

const firstFree = new Map(); // query -> { at, answer }: a hint on the tiles, kept a minute as the server keeps it

/**
 * The next free time of each way of meeting, municipality and (with `municipality`) help point, for a topic in
 * the language of help: GET /slots/first. Shown on each choice before it is made.
 */
export function loadFirstFree(topic, helpIn, municipality = null) {
  const params = new URLSearchParams({ topic, language: helpIn });
  if (municipality) params.set("municipality", municipality);
  const key = params.toString();
  const kept = firstFree.get(key);
  if (kept && Date.now() - kept.at < 60000) return kept.answer;
  const answer = api("GET", `/slots/first?${key}`);
  firstFree.set(key, { at: Date.now(), answer });
  answer.catch(() => firstFree.delete(key));
  return answer;
}

export function topicByCode(code) {
  return store.topics.find((topic) => topic.code === code) || null;
}

export function helpPointById(id) {
  return store.helpPoints.find((point) => point.id === id) || null;
}

/** Lists the screens need for names and places, loaded once if missing. */
export async function ensureLists() {
  const waits = [];
  if (!store.topics.length || store.listsPartial) waits.push(loadTopics());
  const stale = store.helpPointsIn !== language();
  if (!store.helpPoints.length || store.listsPartial || stale) waits.push(loadHelpPoints());
  await Promise.all(waits);
  store.listsPartial = false;
}
