// The app's start: language, the screens and their addresses, the helpline number, the service worker.
import { api } from "./api.js";
import { path, redraw, route, start } from "./router.js";
import { checkSession, store } from "./state.js";
import { $, button } from "./dom.js";
import { t } from "./i18n.js";
import { again, applyLanguage, chooseLanguage, problem, say, screen, showOffline } from "./ui.js";
import { queueMessage, sendQueued } from "./volunteer.js";
import { startScreen } from "./screens/start.js";
import { topicScreen } from "./screens/topic.js";
import { homeAddressScreen, howScreen, municipalityScreen, helpPointScreen } from "./screens/where.js";
import { timeScreen } from "./screens/time.js";
import { nameScreen, reviewScreen } from "./screens/review.js";
import { doneScreen } from "./screens/done.js";
import { mineScreen, cancelScreen, cancelRequestScreen, moveScreen, moveConfirmScreen } from "./screens/mine.js";
import { statementScreen } from "./screens/statement.js";
import { codeScreen, homeScreen, passwordScreen, phoneScreen, wireSignIn } from "./screens/sign-in.js";

/**
 * A screen whose module is fetched when it is first opened: the volunteer's and the coordinator's screens, which
 * a resident never needs, and the personal-data screens, which few open (the service worker has them all, so they
 * open offline too once installed).
 */
const later = (load, name) => async (view, params, token) => {
  let module;
  try {
    module = await load();
  } catch {
    return offlineScreen(view);
  }
  return module[name](view, params, token);
};
const volunteerHome = () => import("./screens/volunteer-home.js");
const offer = () => import("./screens/offer.js");
const session = () => import("./screens/volunteer-session.js");
const myData = () => import("./screens/my-data.js");
const groups = () => import("./screens/events.js");
// The dashboard's texts (coordinator.js) come first, then the one screen asked for.
const desk = (file) => () => import("./screens/coordinator.js").then(() => import(`./screens/coordinator-${file}.js`));

route("/", startScreen);
route("/aihe", topicScreen);
route("/tapa", howScreen);
route("/kunta", municipalityScreen);
route("/apupiste", helpPointScreen);
route("/koti", homeAddressScreen);
route("/aika", timeScreen);
route("/nimi", nameScreen);
route("/puhelin", () => phoneScreen());
route("/koodi", codeScreen);
route("/tarkista", reviewScreen);
route("/vahvistus", doneScreen);
route("/omat", mineScreen);
route("/omat/siirra/:id", moveScreen);
route("/omat/siirra/:id/vahvista", moveConfirmScreen);
route("/omat/peru/:id", cancelScreen);
route("/omat/peru-pyynto/:id", cancelRequestScreen);
route("/saavutettavuus", statementScreen);
route("/ilman-ajanvarausta", later(() => import("./screens/drop-in.js"), "dropInScreen"));
route("/ilman-ajanvarausta/:municipality", later(() => import("./screens/drop-in.js"), "dropInScreen"));
route("/kumppanit", later(() => import("./screens/catalogue.js"), "catalogueScreen"));
route("/kumppanit/:municipality", later(() => import("./screens/catalogue.js"), "catalogueScreen"));
route("/ryhmat", later(groups, "eventsScreen"));
route("/ryhmat/:municipality", later(groups, "eventsScreen"));
route("/ryhma/:id", later(groups, "eventScreen"));
route("/omat/peru-ryhma/:id", later(groups, "cancelSignupScreen"));
route("/omat-tiedot", later(myData, "myDataScreen"));
route("/omat-tiedot/poista", later(myData, "eraseScreen"));
route("/omat-tiedot/poistettu", later(myData, "erasedScreen"));
route("/tietosuoja", later(() => import("./screens/privacy.js"), "privacyScreen"));
route("/kirjaudu", () => phoneScreen("sign-in"));
route("/kirjaudu/koodi", codeScreen);
route("/kirjaudu/salasana", passwordScreen);
route("/kirjaudu/koti", homeScreen);
route("/vapaaehtoinen", later(volunteerHome, "volunteerHomeScreen"));
route("/vapaaehtoinen/pyynto/:id", later(offer, "callScreen"));
route("/vapaaehtoinen/pyynto/:id/aika", later(offer, "agreedTimeScreen"));
route("/vapaaehtoinen/aika/:id", later(session, "volunteerSessionScreen"));
route("/vapaaehtoinen/aika/:id/valmis", later(session, "doneScreen"));
route("/vapaaehtoinen/aika/:id/ei-tullut", later(session, "noShowScreen"));
route("/vapaaehtoinen/aika/:id/en-paase", later(session, "giveBackScreen"));
route("/vapaaehtoinen/aika/:id/ohjaa", later(session, "referScreen"));
route("/vapaaehtoinen/profiili", later(() => import("./screens/volunteer-profile.js"), "profileScreen"));
route("/vapaaehtoinen/saatavuus", later(() => import("./screens/availability.js"), "availabilityScreen"));
route("/vapaaehtoinen/ilmoitukset", later(() => import("./screens/notifications.js"), "notificationsScreen"));
route("/vapaaehtoinen/paivystykset", later(() => import("./screens/drop-in-shifts.js"), "shiftsScreen"));
route("/vapaaehtoinen/ryhmat", later(() => import("./screens/event-duties.js"), "dutiesScreen"));
route("/vapaaehtoinen/kalenteri", later(() => import("./screens/calendar.js"), "calendarScreen"));
route("/koordinaattori", later(desk("queues"), "queuesScreen"));
route("/koordinaattori/pyynto/:id", later(desk("request"), "requestScreen"));
route("/koordinaattori/aika/:id", later(desk("ledger"), "ledgerScreen"));
route("/koordinaattori/varaa", later(desk("on-behalf"), "onBehalfScreen"));
route("/koordinaattori/varaa/:callback", later(desk("on-behalf"), "onBehalfScreen"));
route("/koordinaattori/soittaja", later(desk("caller"), "callerScreen"));
route("/koordinaattori/vapaaehtoiset", later(desk("people"), "peopleScreen"));
route("/koordinaattori/vapaaehtoiset/:organisation", later(desk("people"), "peopleScreen"));
route("/koordinaattori/vapaaehtoinen/:id", later(desk("volunteer"), "volunteerScreen"));
route("/koordinaattori/apupisteet", later(desk("places"), "placesScreen"));
route("/koordinaattori/apupisteet/:organisation", later(desk("places"), "placesScreen"));
route("/koordinaattori/apupiste/:id", later(desk("places"), "placeScreen"));
route("/koordinaattori/kumppani/:id", later(desk("places"), "organisationScreen"));
route("/koordinaattori/suljetut", later(desk("closures"), "closuresScreen"));
route("/koordinaattori/paiva", later(desk("desk"), "deskDayScreen"));
route("/koordinaattori/paiva/:place/:day/:span", later(desk("desk"), "deskDayScreen"));
route("/koordinaattori/palaute", later(desk("feedback"), "feedbackScreen"));
route("/koordinaattori/aiheet", later(desk("topics"), "topicsScreen"));
route("/koordinaattori/aihe/:code", later(desk("topics"), "topicScreen"));
route("/koordinaattori/viestit", later(desk("messages"), "messagesScreen"));
route("/koordinaattori/viestit/:name", later(desk("messages"), "messagesScreen"));
route("/koordinaattori/ryhmat", later(desk("events"), "eventsScreen"));
route("/koordinaattori/ryhma/:id", later(desk("events"), "eventScreen"));
route("/koordinaattori/tilastot", later(desk("statistics"), "statisticsScreen"));
route("/koordinaattori/tilastot/:by/:from/:to", later(desk("statistics"), "statisticsScreen"));
// The addresses the server's pushes open (server/services/notifications.py).
route("/offers", later(volunteerHome, "volunteerHomeScreen"));
route("/sessions/:id", later(session, "volunteerSessionScreen"));

/** A screen whose code could not be fetched (no network the first time it is opened). */
function offlineScreen(view) {
  const root = screen({ title: t("offlineTitle"), back: "#/", id: "offline-screen" });
  view.append(root);
  problem(root, t("offline"), { actions: [button(t("tryAgain"), { on: { click: again } })], focus: false });
  return root;
}

async function showHelpline() {
  const about = await api("GET", "/about").catch(() => null);
  if (!about) return; // index.html carries the number too, for the first paint and offline
  store.about = about;
  $("helpline").textContent = about.helpline_display;
  $("helpline").href = `tel:${about.helpline_phone}`;
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/sw.js").catch(() => null);
}

// The volunteer's screens that show what the queue and the offline copy change (no forms: typing is not lost).
const REFRESHABLE = /^\/(vapaaehtoinen(\/aika\/[^/]+)?|offers|sessions\/[^/]+)$/;

/** Back online (or started): what a volunteer did offline goes out, and they hear how it went. */
async function sendWaiting({ stale = false } = {}) {
  const finished = await sendQueued().catch(() => []);
  const oldCopy = stale || document.getElementById("offline-copy");
  if (REFRESHABLE.test(path()) && (finished.length || oldCopy)) await redraw();
  if (finished.length) say(finished.map(queueMessage).join(" "));
}

async function backOnline() {
  showOffline(false);
  if (!store.about) showHelpline();
  const unknown = store.offlineAtStart; // we could not tell who was signed in
  if (unknown) await checkSession();
  await sendWaiting({ stale: unknown });
}

function main() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      chooseLanguage(button.dataset.lang);
      redraw();
    });
  }
  window.addEventListener("apuri:network", (event) => showOffline(!event.detail.online));
  window.addEventListener("offline", () => showOffline(true));
  window.addEventListener("online", backOnline);
  // Back to the app (from a notification, another app): offers and sessions may have changed meanwhile.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && REFRESHABLE.test(path())) redraw();
  });
  if (!navigator.onLine) showOffline(true);
  wireSignIn();
  applyLanguage();
  checkSession().then(() => sendWaiting());
  showHelpline();
  registerServiceWorker();
  start();
}

main();
