// Sign-in with a mobile number and an SMS code: on its own (#/kirjaudu, every role) and inside the resident's
// journeys (#/puhelin, #/koodi), where the same screens ask for the number the confirmation goes to.
import { api, ApiError } from "../api.js";
import { $, h } from "../dom.js";
import { language, t } from "../i18n.js";
import { go } from "../router.js";
import { forgetAll } from "../offline.js";
import { isCoordinator, isResident, isVolunteer, store } from "../state.js";
import { clearFieldError, explain, fieldError, say, translateStatic } from "../ui.js";

const STANDALONE = { phone: "/kirjaudu", code: "/kirjaudu/koodi", password: "/kirjaudu/salasana" };
const IN_JOURNEY = { phone: "/puhelin", code: "/koodi", password: "/kirjaudu/salasana" };
// What the phone step says, by why we ask: signing in, or the number for a booking or a request.
const PHONE_TEXTS = {
  "sign-in": ["signInTitle", "signInIntro"],
  book: ["phoneTitleBook", "phoneIntroBook"],
  ask: ["phoneTitleAsk", "phoneIntroAsk"],
  mine: ["phoneTitleMine", "signInIntro"],
  event: ["phoneTitleEvent", "phoneIntroEvent"],
};
const BACK = { book: "#/nimi", ask: "#/nimi", mine: "#/" };
// A group session's sign-up goes back to its page, which finishes the sign-up (screens/events.js).
const eventPage = () => store.joining?.path || "/ryhmat";

function paths() {
  return store.signIn.purpose === "sign-in" ? STANDALONE : IN_JOURNEY;
}

function reveal(id) {
  $("view").hidden = true;
  const section = $(id);
  section.hidden = false;
  translateStatic();
  return section;
}

function backLink(section, href) {
  section.querySelector(".back")?.remove();
  if (href) section.prepend(h("a", { class: "back", href }, t("back")));
}

/** The first name typed before signing in, kept (a courtesy for the helper: nothing waits for it if it fails). */
async function rename(typed) {
  const name = (typed || "").trim();
  if (!name || name === store.session.first_name) return;
  await api("PATCH", "/me", { first_name: name })
    .then(() => (store.session.first_name = name))
    .catch(() => null);
}

/** Where a signed-in person goes next, by why they signed in. */
async function onward() {
  const purpose = store.signIn.purpose;
  if (store.session.second_factor_required) return go(STANDALONE.password);
  if (purpose === "book" || purpose === "ask") {
    await rename(store.draft.firstName);
    return go("/tarkista", { replace: true });
  }
  if (purpose === "mine") return go("/omat", { replace: true });
  if (purpose === "event") {
    await rename(store.joining?.firstName);
    return go(eventPage(), { replace: true });
  }
  // Back where a link (a push, say) was taking them, else to the home of their role.
  const back = store.signIn.returnTo;
  store.signIn.returnTo = null;
  if (back) return go(back, { replace: true });
  if (isCoordinator()) return go("/koordinaattori", { replace: true });
  if (isVolunteer()) return go("/vapaaehtoinen", { replace: true });
  return go("/kirjaudu/koti", { replace: true });
}

export async function phoneScreen(purpose) {
  if (purpose) store.signIn.purpose = purpose;
  await store.sessionChecked;
  if (store.session) {
    if (store.signIn.purpose === "book" || store.signIn.purpose === "ask") return void go("/nimi", { replace: true });
    if (store.signIn.purpose === "mine") return void go("/omat", { replace: true });
    if (store.signIn.purpose === "event") return void go(eventPage(), { replace: true });
    return void onward();
  }
  const [title, intro] = PHONE_TEXTS[store.signIn.purpose] || PHONE_TEXTS["sign-in"];
  $("h-phone").dataset.t = title;
  $("phone-intro").dataset.t = intro;
  const section = reveal("step-phone");
  backLink(section, store.signIn.purpose === "event" ? `#${eventPage()}` : BACK[store.signIn.purpose]);
  if (!$("phone").value) $("phone").value = store.signIn.phone || store.draft.phone || "";
  return section;
}

export async function codeScreen() {
  await store.sessionChecked;
  if (!store.signIn.challengeId) return void go(paths().phone, { replace: true });
  $("form-code").querySelector("button").dataset.t = store.signIn.purpose === "sign-in" ? "signIn" : "continue";
  const section = reveal("step-code");
  backLink(section, `#${paths().phone}`);
  return section;
}

export async function passwordScreen() {
  await store.sessionChecked;
  if (!store.session) return void go(STANDALONE.phone, { replace: true });
  $("password-user").value = store.signIn.phone; // for password managers: whose password this is
  return reveal("step-password");
}

export async function homeScreen() {
  await store.sessionChecked;
  if (!store.session) return void go(STANDALONE.phone, { replace: true });
  if (store.session.second_factor_required) return void go(STANDALONE.password, { replace: true });
  const section = reveal("step-home");
  $("h-home").textContent = t("hello", store.session.first_name);
  $("roles").replaceChildren(...store.session.roles.map((grant) => h("li", {}, t(grant.role))));
  $("home-resident").hidden = !isResident();
  $("home-volunteer").hidden = !isVolunteer();
  $("home-staff").hidden = !isCoordinator();
  return section;
}

async function askCode(event) {
  event?.preventDefault();
  const input = $("phone");
  clearFieldError(input);
  const phone = input.value.trim();
  if (!phone) return fieldError(input, t("needPhone"));
  try {
    const answer = await api("POST", "/auth/code", { phone, language: language() });
    store.signIn.challengeId = answer.challenge_id;
    store.signIn.phone = phone;
    store.draft.phone = phone;
    $("code").value = "";
    clearFieldError($("code"));
    await go(paths().code);
    say(t("codeSent"));
  } catch (error) {
    fieldError(input, explain(error));
  }
}

async function verify(event) {
  event.preventDefault();
  const input = $("code");
  clearFieldError(input);
  const code = input.value.trim();
  if (!code) return fieldError(input, t("needCode"));
  try {
    store.session = await api("POST", "/auth/verify", {
      challenge_id: store.signIn.challengeId,
      code,
      language: language(),
    });
    store.signIn.challengeId = null;
    await onward();
  } catch (error) {
    fieldError(input, explain(error));
  }
}

async function password(event) {
  event.preventDefault();
  const input = $("password");
  clearFieldError(input);
  try {
    store.session = await api("POST", "/auth/password", { password: input.value });
    input.value = "";
    await onward();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      store.session = null;
      await go(STANDALONE.phone);
      return fieldError($("phone"), explain(error));
    }
    fieldError(input, explain(error));
  }
}

export async function signOut() {
  await api("POST", "/auth/sign-out").catch(() => null);
  await forgetAll(); // the offline copy of a volunteer's sessions and anything still queued
  store.session = null;
  store.signIn.purpose = "sign-in";
  await go(STANDALONE.phone);
  say(t("signedOut"));
}

/** Forms are wired once; the screens above only show them. */
export function wireSignIn() {
  $("form-phone").addEventListener("submit", askCode);
  $("form-code").addEventListener("submit", verify);
  $("form-password").addEventListener("submit", password);
  $("again").addEventListener("click", () => go(paths().phone));
  $("sign-out").addEventListener("click", signOut);
  $("phone").addEventListener("input", () => (store.draft.phone = $("phone").value));
}
