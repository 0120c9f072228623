// Apuri's service worker (a classic script, served from the root so that it controls the whole app).
// The shell comes from a versioned cache, so the app opens without a network. API answers never come from
// here: /api/ goes to the network only, and when it fails the page says it is offline instead of showing
// anything old (the volunteer's own offline copy of their sessions is kept by the page, in IndexedDB, and
// shown with its age). Pushes (JSON: title, body, url, tag) become notifications; a tap opens the app there.
// The coordinator's dashboard (screens/coordinator*.js, i18n/coordinator-*.js) is not in the shell: coordinators
// work online at a desk, and residents' and volunteers' phones need not download it.
// VERSION is a hash of the shell files (tests/e2e/test_installable_offline.py checks it): change a shell file,
// and the test tells the new value; a new VERSION makes browsers fetch the new shell.
const VERSION = "de727c9fd04d";
const CACHE = `apuri-shell-${VERSION}`;
const SHELL = [
  "/",
  "/app.css",
  "/app.js",
  "/api.js",
  "/dom.js",
  "/format.js",
  "/i18n.js",
  "/offline.js",
  "/router.js",
  "/state.js",
  "/ui.js",
  "/volunteer.js",
  "/i18n/fi.js",
  "/i18n/sv.js",
  "/i18n/en.js",
  "/i18n/privacy-fi.js",
  "/i18n/privacy-sv.js",
  "/i18n/privacy-en.js",
  "/i18n/statement-fi.js",
  "/i18n/statement-sv.js",
  "/i18n/statement-en.js",
  "/i18n/volunteer-fi.js",
  "/i18n/volunteer-sv.js",
  "/i18n/volunteer-en.js",
  "/screens/availability.js",
  "/screens/calendar.js",
  "/screens/catalogue.js",
  "/screens/drop-in.js",
  "/screens/drop-in-shifts.js",
  "/screens/done.js",
  "/screens/event-duties.js",
  "/screens/events.js",
  "/screens/mine.js",
  "/screens/my-data.js",
  "/screens/notifications.js",
  "/screens/offer.js",
  "/screens/privacy.js",
  "/screens/review.js",
  "/screens/sign-in.js",
  "/screens/start.js",
  "/screens/statement.js",
  "/screens/time.js",
  "/screens/topic.js",
  "/screens/volunteer-common.js",
  "/screens/volunteer-home.js",
  "/screens/volunteer-profile.js",
  "/screens/volunteer-session.js",
  "/screens/where.js",
  "/manifest.webmanifest",
  "/icons/icon-192.png",
  "/icons/icon-512.png",
  "/icons/icon-maskable-512.png",
];
const NETWORK_ONLY = ["/api/", "/dev/", "/schema", "/docs-assets", "/healthz"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "no-cache" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => names.filter((name) => name.startsWith("apuri-shell-") && name !== CACHE))
      .then((old) => Promise.all(old.map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NETWORK_ONLY.some((prefix) => url.pathname.startsWith(prefix))) return; // the browser fetches as usual
  if (request.mode === "navigate") {
    // Every address of the app is the one page; its screens are in the #fragment.
    if (url.pathname !== "/" && url.pathname !== "/index.html") return;
    event.respondWith(caches.match("/", { cacheName: CACHE }).then((cached) => cached || fetch(request)));
    return;
  }
  event.respondWith(
    caches.match(request, { cacheName: CACHE, ignoreSearch: true }).then((cached) => cached || fetch(request)),
  );
});

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  const options = { body: data.body || "", icon: "/icons/icon-192.png", data: { url: data.url || "/" } };
  if (data.tag) options.tag = data.tag; // a newer push about the same thing replaces the older one
  event.waitUntil(self.registration.showNotification(data.title || "Apuri", options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  // Only addresses of this app: a push never sends anyone elsewhere.
  const target = new URL(event.notification.data?.url || "/", self.location.origin);
  const url = target.origin === self.location.origin ? target.href : new URL("/", self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      const open = windows.find((client) => new URL(client.url).origin === self.location.origin);
      if (!open) return self.clients.openWindow(url);
      // navigate() works only on a window this worker controls; otherwise a new window opens there.
      return open
        .focus()
        .then((client) => (client.url === url ? client : client.navigate(url)))
        .catch(() => self.clients.openWindow(url));
    }),
  );
});
