// Apuri's service worker (a classic script, served from the root so that it controls the whole app).
// The shell comes from a versioned cache, so the app opens without a network. API answers never come from
// here: /api/ goes to the network only, and when it fails the page says it is offline instead of showing
// anything old. VERSION is a hash of the shell files (tests/e2e/test_installable_offline.py checks it):
// change a shell file, and the test tells the new value; a new VERSION makes browsers fetch the new shell.
const VERSION = "96b69fa094a9";
const CACHE = `apuri-shell-${VERSION}`;
const SHELL = [
  "/",
  "/app.css",
  "/app.js",
  "/api.js",
  "/dom.js",
  "/format.js",
  "/i18n.js",
  "/router.js",
  "/state.js",
  "/ui.js",
  "/i18n/fi.js",
  "/i18n/sv.js",
  "/i18n/en.js",
  "/i18n/statement-fi.js",
  "/i18n/statement-sv.js",
  "/i18n/statement-en.js",
  "/screens/done.js",
  "/screens/mine.js",
  "/screens/review.js",
  "/screens/sign-in.js",
  "/screens/start.js",
  "/screens/statement.js",
  "/screens/time.js",
  "/screens/topic.js",
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
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
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
