// A hash router (#/aihe, #/omat/peru/<id>): one render function per screen. A screen gets the view element
// and the route's parameters and returns the element whose <h1> gets the focus after navigation. A screen that
// fills itself after loading may set `ready` (a promise) on that element: go() and redraw() resolve after it.
import { $ } from "./dom.js";

const routes = [];
let generation = 0;
let first = true;

/** `pattern` like "/omat/peru/:id". */
export function route(pattern, render) {
  const names = [];
  const source = pattern.replace(/:([a-z]+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}$`), names, render });
}

export function path() {
  const hash = location.hash.replace(/^#/, "");
  return hash.startsWith("/") ? hash : "/";
}

/** Go to a screen (pushes history so the browser's back button works). Resolves once it is shown. */
export async function go(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", `#${to}`);
  else if (path() !== to) history.pushState(null, "", `#${to}`);
  await show({ focus: true });
}

/** Draw the current screen again (after a language change) without moving the focus. */
export function redraw() {
  return show({ focus: false });
}

/** True while the screen that asked is still the one on show (answers that come late are dropped). */
export function stillOn(token) {
  return token === generation;
}

async function show({ focus }) {
  const token = ++generation;
  const current = path();
  let match = null;
  let params = {};
  for (const candidate of routes) {
    const found = current.match(candidate.regex);
    if (found) {
      match = candidate;
      params = Object.fromEntries(candidate.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]));
      break;
    }
  }
  if (!match) match = routes.find((r) => r.regex.test("/"));
  // The coordinator's desk screens use the width of a desktop; the others stay one narrow column.
  document.body.classList.toggle("wide", current.startsWith("/koordinaattori"));
  const view = $("view");
  for (const section of document.querySelectorAll("[data-screen]")) section.hidden = true;
  view.hidden = false;
  view.replaceChildren();
  if (focus) {
    $("status").textContent = "";
    $("alert").textContent = "";
  }
  const shown = await match.render(view, params, token);
  if (shown?.ready) await shown.ready.catch(() => null);
  if (!stillOn(token) || !shown) return;
  const heading = shown.querySelector("h1");
  if (heading) {
    heading.tabIndex = -1;
    document.title = `${heading.textContent} – Apuri`;
    // The first screen after loading leaves the focus at the top (the skip link comes first).
    if (focus && !first) heading.focus();
  }
  first = false;
}

export function start() {
  window.addEventListener("hashchange", () => show({ focus: true }));
  return show({ focus: true });
}
