// Sign-in screens: one question per screen, errors announced and linked to their field.
import { api, ApiError } from "./api.js";
import { TEXT, chosenLanguage, rememberLanguage } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const STEPS = ["step-phone", "step-code", "step-password", "step-home"];
const state = { language: chosenLanguage(), challengeId: null, phone: "", session: null, step: "step-phone" };

function t(key, ...args) {
  const value = TEXT[state.language][key];
  return typeof value === "function" ? value(...args) : value;
}

function applyLanguage() {
  document.documentElement.lang = state.language;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  for (const node of document.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", t(node.dataset.tLabel));
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.language));
  }
  if (state.session) renderHome();
}

function show(step) {
  state.step = step;
  for (const id of STEPS) $(id).hidden = id !== step;
  const heading = $(step).querySelector("h1");
  heading.focus();
}

function say(message) {
  $("alert").textContent = "";
  $("status").textContent = message;
}

function alertNow(message) {
  // Errors are shown next to their field; this hidden region makes screen readers announce them at once.
  $("status").textContent = "";
  $("alert").textContent = message;
}

function clearError(field) {
  const input = $(field);
  const error = $(`${field}-error`);
  input.removeAttribute("aria-invalid");
  error.hidden = true;
  error.textContent = "";
}

function showError(field, message) {
  const input = $(field);
  const error = $(`${field}-error`);
  error.textContent = message;
  error.hidden = false;
  input.setAttribute("aria-invalid", "true");
  input.focus();
  alertNow(message);
}

function explain(error) {
  if (!(error instanceof ApiError)) return String(error);
  if (error.status === 0) return t("offline");
  const code = error.problem.code || "";
  const errors = TEXT[state.language].errors;
  if (code === "code_wrong") return errors.code_wrong(error.problem.attempts_left);
  if (code.startsWith("too_many") || error.status === 429) return errors.too_many;
  return errors[code] || error.message;
}

function renderHome() {
  const session = state.session;
  $("h-home").textContent = t("hello", session.first_name);
  const list = $("roles");
  list.replaceChildren(
    ...session.roles.map((grant) => {
      const item = document.createElement("li");
      item.textContent = t(grant.role);
      return item;
    }),
  );
}

async function askCode(event) {
  event?.preventDefault();
  clearError("phone");
  const phone = $("phone").value.trim();
  if (!phone) return showError("phone", t("needPhone"));
  try {
    const answer = await api("POST", "/auth/code", { phone, language: state.language });
    state.challengeId = answer.challenge_id;
    state.phone = phone;
    $("code").value = "";
    show("step-code");
    say(t("codeSent"));
  } catch (error) {
    if (state.step !== "step-phone") show("step-phone");
    showError("phone", explain(error));
  }
}

async function verify(event) {
  event.preventDefault();
  clearError("code");
  const code = $("code").value.trim();
  if (!code) return showError("code", t("needCode"));
  try {
    state.session = await api("POST", "/auth/verify", { challenge_id: state.challengeId, code, language: state.language });
    say("");
    next();
  } catch (error) {
    showError("code", explain(error));
  }
}

async function password(event) {
  event.preventDefault();
  clearError("password");
  try {
    state.session = await api("POST", "/auth/password", { password: $("password").value });
    $("password").value = "";
    next();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      state.session = null;
      show("step-phone");
      return showError("phone", explain(error));
    }
    showError("password", explain(error));
  }
}

function next() {
  if (state.session.second_factor_required) return show("step-password");
  renderHome();
  show("step-home");
}

async function signOut() {
  await api("POST", "/auth/sign-out").catch(() => null);
  state.session = null;
  show("step-phone");
  say(t("signedOut"));
}

async function start() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () => {
      state.language = button.dataset.lang;
      rememberLanguage(state.language);
      applyLanguage();
    });
  }
  $("form-phone").addEventListener("submit", askCode);
  $("form-code").addEventListener("submit", verify);
  $("form-password").addEventListener("submit", password);
  $("again").addEventListener("click", () => show("step-phone"));
  $("sign-out").addEventListener("click", signOut);
  applyLanguage();
  const about = await api("GET", "/about").catch(() => null);
  if (about) {
    $("helpline").textContent = about.helpline_display;
    $("helpline").href = `tel:${about.helpline_phone}`;
  }
  try {
    state.session = await api("GET", "/auth/session");
    state.session.roles.length && next();
  } catch {
    state.session = null;
  }
}

start();
