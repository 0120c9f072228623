// The one module that talks to the server. State-changing requests carry the CSRF token from its cookie.
// Nothing here is cached: an answer is either fresh from the server or an error (status 0 when offline).

const CSRF_COOKIE = "apuri_csrf";

function csrfToken() {
  const match = document.cookie.split("; ").find((c) => c.startsWith(`${CSRF_COOKIE}=`));
  return match ? decodeURIComponent(match.slice(CSRF_COOKIE.length + 1)) : "";
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }

  get code() {
    return this.problem.code || "";
  }
}

function reachable(online) {
  // The screens show or hide the offline notice from this; api.js itself never touches the page.
  window.dispatchEvent(new CustomEvent("apuri:network", { detail: { online } }));
}

async function send(method, url, body, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  let response;
  try {
    if (method !== "GET") {
      if (!csrfToken()) await fetch("/healthz", { credentials: "same-origin", cache: "no-store" });
      headers["x-csrftoken"] = csrfToken();
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    reachable(false);
    throw new ApiError(0, { code: "offline" });
  }
  reachable(true);
  if (response.status === 204) return { data: null, response };
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, response };
}

/** `options.headers` adds request headers (the booking's Idempotency-Key). */
export async function api(method, path, body, options = {}) {
  return (await send(method, `/api/v1${path}`, body, options)).data;
}

// Every list pages: the server sends at most `limit` items (500 at most) and the next page's address in
// `Link: <…>; rel="next"`, none on the last page.
const PAGE_SIZE = 500;
const MAX_PAGES = 20;

function nextPage(response) {
  const link = response.headers.get("Link") || "";
  const found = link.match(/<([^>]*)>\s*;\s*rel="?next"?/);
  // Only ever the API on this origin: the address is the server's, but a page never leads elsewhere.
  return found && found[1].startsWith("/api/v1/") ? found[1] : null;
}

/**
 * The whole list at `path` (a GET that pages): follows rel="next" for at most MAX_PAGES pages of PAGE_SIZE.
 * A list cut short by that cap says so in `more` (true) on the array it returns.
 */
export async function apiAll(path) {
  const separator = path.includes("?") ? "&" : "?";
  let url = `/api/v1${path}${separator}limit=${PAGE_SIZE}`;
  const items = [];
  for (let page = 0; url && page < MAX_PAGES; page += 1) {
    const { data, response } = await send("GET", url);
    items.push(...data);
    url = nextPage(response);
  }
  items.more = Boolean(url);
  return items;
}

/** One page of a list at `path` (a GET that pages) and the address of the next page (null on the last). */
export async function apiPage(path) {
  const url = path.startsWith("/api/v1/") ? path : `/api/v1${path}`;
  const { data, response } = await send("GET", url);
  return { items: data, next: nextPage(response) };
}

/** A fresh key for one attempt to book: a retry of the same attempt sends the same key. */
export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
