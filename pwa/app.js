// The app's start: language, the screens and their addresses, the helpline number, the service worker.
import { api } from "./api.js";
import { $ } from "./dom.js";
import { redraw, route, start } from "./router.js";
import { checkSession, store } from "./state.js";
import { applyLanguage, chooseLanguage, showOffline } from "./ui.js";
import { startScreen } from "./screens/start.js";
import { topicScreen } from "./screens/topic.js";
import { howScreen, municipalityScreen, helpPointScreen } from "./screens/where.js";
import { timeScreen } from "./screens/time.js";
import { nameScreen, reviewScreen } from "./screens/review.js";
import { doneScreen } from "./screens/done.js";
import { mineScreen, cancelScreen, cancelRequestScreen, moveScreen, moveConfirmScreen } from "./screens/mine.js";
import { statementScreen } from "./screens/statement.js";
import { codeScreen, homeScreen, passwordScreen, phoneScreen, wireSignIn } from "./screens/sign-in.js";

route("/", startScreen);
route("/aihe", topicScreen);
route("/tapa", howScreen);
route("/kunta", municipalityScreen);
route("/apupiste", helpPointScreen);
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

function main() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      chooseLanguage(button.dataset.lang);
      redraw();
    });
  }
  window.addEventListener("apuri:network", (event) => showOffline(!event.detail.online));
  window.addEventListener("offline", () => showOffline(true));
  window.addEventListener("online", () => {
    showOffline(false);
    if (store.offlineAtStart) checkSession(); // we could not tell who was signed in
    if (!store.about) showHelpline();
  });
  if (!navigator.onLine) showOffline(true);
  wireSignIn();
  applyLanguage();
  checkSession();
  showHelpline();
  registerServiceWorker();
  start();
}

main();
