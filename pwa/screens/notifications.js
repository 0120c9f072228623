// "Allow notifications": a push subscription with the server's VAPID key on this device, or, where that cannot
// work, why not (not set up on this service: SMS instead; iPhone outside the home screen; a browser without push).
import { api, ApiError } from "../api.js";
import { button, h } from "../dom.js";
import { t } from "../i18n.js";
import { redraw, stillOn } from "../router.js";
import { again, clearProblem, explain, guard, load, loading, problem, say, screen } from "../ui.js";
import { HOME, volunteerGate } from "./volunteer-common.js";

const WORKER_WAIT = 10000;

function isIos() {
  const platform = navigator.userAgentData?.platform || navigator.platform || "";
  return /iPad|iPhone|iPod/.test(navigator.userAgent) || (platform === "MacIntel" && navigator.maxTouchPoints > 1);
}

function installed() {
  return matchMedia("(display-mode: standalone)").matches || navigator.standalone === true;
}

/** The service worker's registration, or null if there is none (in time). */
function registration() {
  if (!("serviceWorker" in navigator)) return Promise.resolve(null);
  const timeout = new Promise((resolve) => setTimeout(() => resolve(null), WORKER_WAIT));
  return Promise.race([navigator.serviceWorker.ready, timeout]);
}

/** "AbC-_…" (base64url) → the bytes PushManager.subscribe wants. */
function keyBytes(base64url) {
  const base64 = base64url
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(base64url.length / 4) * 4, "=");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function where() {
  const { public_key: key } = await api("GET", "/push/key");
  if (!key) return { kind: "not_set_up" };
  const capable = "PushManager" in window && "Notification" in window && "serviceWorker" in navigator;
  if (!capable || (isIos() && !installed())) return { kind: "install_first", ios: isIos() };
  const worker = await registration();
  if (!worker) return { kind: "install_first", ios: isIos() };
  if (Notification.permission === "denied") return { kind: "denied" };
  const subscription = await worker.pushManager.getSubscription();
  const on = subscription && Notification.permission === "granted";
  return { kind: on ? "on" : "off", key, worker, subscription };
}

export async function notificationsScreen(view, _params, token) {
  const title = t("vol.notificationsTitle");
  const gate = await volunteerGate(view, { title, id: "vpush" });
  if (!gate.pass || !stillOn(token)) return gate.shown || null;
  const root = screen({ title, back: `#${HOME}`, id: "vpush" }, h("p", {}, t("vol.pushIntro")), loading());
  view.append(root);
  root.ready = load(root, where).then((state) => {
    if (!state || !stillOn(token)) return;
    root.querySelector(".loading")?.remove();
    root.append(...content(root, state));
  });
  return root;
}

function content(root, state) {
  const status = (text) => h("p", { class: "push-state", id: "push-state", tabIndex: -1 }, text);
  if (state.kind === "not_set_up") return [status(t("vol.pushNotSetUp"))];
  if (state.kind === "install_first") {
    return [
      status(t("vol.pushInstallFirst")),
      h("p", {}, state.ios ? t("vol.pushIosSteps") : t("vol.pushOtherSteps")),
      h("p", {}, t("vol.pushSmsMeanwhile")),
    ];
  }
  if (state.kind === "denied") return [status(t("vol.pushDenied")), h("p", {}, t("vol.pushSmsMeanwhile"))];
  if (state.kind === "on") {
    const off = button(t("vol.pushTurnOff"), { id: "push-off" });
    guard(off, () => turnOff(root, state));
    return [status(t("vol.pushOn")), off];
  }
  const allow = button(t("vol.pushAllow"), { class: "primary", id: "push-allow" });
  guard(allow, () => turnOn(root, state));
  return [status(t("vol.pushOff")), h("p", {}, t("vol.pushAllowHint")), allow];
}

async function turnOn(root, state) {
  clearProblem(root);
  // Asked on the press of a button: browsers refuse (or hide) the question when no one pressed anything.
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    await redraw();
    return;
  }
  try {
    const subscription =
      (await state.worker.pushManager.getSubscription()) ||
      (await state.worker.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(state.key) }));
    const { endpoint, keys } = subscription.toJSON();
    await api("POST", "/push/subscriptions", { endpoint, keys });
    await redraw();
    document.getElementById("push-state")?.focus();
    say(t("vol.pushTurnedOn"));
  } catch (error) {
    problem(root, error instanceof ApiError ? explain(error) : t("vol.pushFailed"), {
      actions: [button(t("tryAgain"), { on: { click: again } })],
    });
  }
}

async function turnOff(root, state) {
  clearProblem(root);
  try {
    const endpoint = state.subscription.endpoint;
    await api("POST", "/push/subscriptions/remove", { endpoint });
    await state.subscription.unsubscribe();
    await redraw();
    say(t("vol.pushTurnedOff"));
  } catch (error) {
    problem(root, explain(error));
  }
}
