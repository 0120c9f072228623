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
import { volunteerHomeScreen } from "./screens/volunteer-home.js";
import { agreedTimeScreen, callScreen } from "./screens/offer.js";
import {
  doneScreen as recordScreen,
  giveBackScreen,
  noShowScreen,
  volunteerSessionScreen,
} from "./screens/volunteer-session.js";
import { profileScreen } from "./screens/volunteer-profile.js";
import { availabilityScreen } from "./screens/availability.js";
import { notificationsScreen } from "./screens/notifications.js";
import { calendarScreen } from "./screens/calendar.js";

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
route("/kirjaudu", () => phoneScreen("sign-in"));
route("/kirjaudu/koodi", codeScreen);
route("/kirjaudu/salasana", passwordScreen);
route("/kirjaudu/koti", homeScreen);
route("/vapaaehtoinen", volunteerHomeScreen);
route("/vapaaehtoinen/pyynto/:id", callScreen);
route("/vapaaehtoinen/pyynto/:id/aika", agreedTimeScreen);
route("/vapaaehtoinen/aika/:id", volunteerSessionScreen);
route("/vapaaehtoinen/aika/:id/valmis", recordScreen);
route("/vapaaehtoinen/aika/:id/ei-tullut", noShowScreen);
route("/vapaaehtoinen/aika/:id/en-paase", giveBackScreen);
route("/vapaaehtoinen/profiili", profileScreen);
route("/vapaaehtoinen/saatavuus", availabilityScreen);
route("/vapaaehtoinen/ilmoitukset", notificationsScreen);
route("/vapaaehtoinen/kalenteri", calendarScreen);
// The coordinator's dashboard comes as a module of its own, fetched when one of its screens is first opened.
const coordinator = (name) => async (view, params, token) => {
  let screens;
  try {
    screens = await import("./screens/coordinator.js");
  } catch {
    return offlineScreen(view);
  }
  return screens[name](view, params, token);
};
route("/koordinaattori", coordinator("queuesScreen"));
route("/koordinaattori/pyynto/:id", coordinator("requestScreen"));
route("/koordinaattori/aika/:id", coordinator("ledgerScreen"));
route("/koordinaattori/varaa", coordinator("onBehalfScreen"));
route("/koordinaattori/varaa/:callback", coordinator("onBehalfScreen"));
route("/koordinaattori/vapaaehtoiset", coordinator("peopleScreen"));
route("/koordinaattori/vapaaehtoiset/:organisation", coordinator("peopleScreen"));
route("/koordinaattori/apupisteet", coordinator("placesScreen"));
route("/koordinaattori/apupisteet/:organisation", coordinator("placesScreen"));
route("/koordinaattori/apupiste/:id", coordinator("placeScreen"));
route("/koordinaattori/palaute", coordinator("feedbackScreen"));
route("/koordinaattori/aiheet", coordinator("topicsScreen"));
route("/koordinaattori/aihe/:code", coordinator("topicScreen"));
route("/koordinaattori/viestit", coordinator("messagesScreen"));
route("/koordinaattori/viestit/:name", coordinator("messagesScreen"));
route("/koordinaattori/tilastot", coordinator("statisticsScreen"));
route("/koordinaattori/tilastot/:by/:from/:to", coordinator("statisticsScreen"));
// The addresses the server's pushes open (server/services/notifications.py).
route("/offers", volunteerHomeScreen);
route("/sessions/:id", volunteerSessionScreen);

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
