"""A loopback Twilio speaking the Programmable Messaging REST API, for testing the real TwilioSms adapter (and the
dispatcher through it) without the internet:

    async with TwilioService() as twilio:        # settings: twilio_api_base=twilio.base_url, SID and TOKEN
        twilio.answer(500, times=3)              # the next three calls fail, then 201 again
        twilio.answer(400, code=21614, to="+358401112233")   # this number is refused, every time
        twilio.answer(429, retry_after="30", times=1)         # one 429 with a Retry-After header
        twilio.answer(HANG, accepted=True)       # take each message, never answer: the client times out
        ...
        [message] = twilio.messages              # what was accepted: sid, To, Body, ValidityPeriod, …
        assert twilio.duplicates() == {}         # no Body accepted twice

It serves GET /2010-04-01/Accounts/{AccountSid}/Messages.json (the list, newest first, filtered by To) and
POST /2010-04-01/Accounts/{AccountSid}/Messages.json (form-encoded; HTTP basic auth with the account
SID and auth token; To, Body, From or MessagingServiceSid, ValidityPeriod, StatusCallback) and answers as Twilio
does: 201 with a JSON message resource (sid "SM" + 32 hex, status "queued", or "accepted" through a messaging
service), and errors as {"code", "message", "more_info", "status"}. It refuses wrong credentials (401, 20003), a
path whose account is not the authenticated one (401), a missing To, Body or sender (400: 21604, 21602,
21603) and a ValidityPeriod outside 1-36,000 s (400: 21624).

A message is accepted when the request arrives, before any artificial `latency` and before the answer is written:
like the real service, a client that dies (or times out) mid-request may still have sent it. `in_flight` counts
the requests being answered right now. The service runs in the event loop that entered it, so a worker in another
process can send to it while a test awaits.
"""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from types import TracebackType
from typing import Any

from aiohttp import web

SID = "AC" + "0" * 32
TOKEN = "loopback-auth-token"
HANG = 0  # an `answer` status that makes the service never answer (until it stops): for client timeouts
MAX_VALIDITY = 36_000

# Twilio's codes and wording for the answers a test is most likely to ask for.
DEFAULT_CODES = {400: 21211, 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503}
MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "Internal Server Error",
    20503: "Service Unavailable",
    21211: "The 'To' number is not a valid phone number.",
    21408: "Permission to send an SMS has not been enabled for the region indicated by the 'To' number",
    21602: "Message body is required.",
    21603: "The 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number is not currently reachable via SMS",
    21614: "'To' number is not a valid mobile number",
    21624: "Invalid validity period value",
}


@dataclass(frozen=True)
class Answer:
    status: int
    code: int | None = None  # the Twilio error code of an error answer (a default per status otherwise)
    retry_after: str | None = None  # the Retry-After header, as sent
    accepted: bool = False  # with HANG: take the message, then never answer (did it send? it did)


@dataclass(frozen=True)
class Call:
    """One request that reached the service, whatever it was answered."""

    path: str
    auth: str  # the basic-auth credentials, decoded: "AccountSid:AuthToken"
    form: dict[str, str]
    status: int  # what it was answered (HANG: nothing)
    at: float  # time.monotonic() on arrival


@dataclass(frozen=True)
class Message:
    """An accepted message."""

    sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    validity_period: int | None
    status_callback: str | None
    created: datetime | None = None
    at: float = 0.0  # time.monotonic() when taken


class TwilioService:
    def __init__(self, *, account_sid: str = SID, auth_token: str = TOKEN, latency: float = 0.0) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.latency = latency  # seconds added to every answer (settable while running)
        self.base_url = ""  # http://127.0.0.1:<port>, for settings.twilio_api_base
        self.calls: list[Call] = []
        self.messages: list[Message] = []
        self.in_flight = 0
        self.lists = 0  # GET requests for the message list (a sender asking whether a message went out)
        self.hang_one_in = 0  # when > 0, every n-th message request hangs without taking the message
        self.hung = 0
        self._creates = 0
        self._by_body: Counter[str] = Counter()
        self._by_to: Counter[str] = Counter()
        self._default = Answer(201)
        self._next: list[Answer] = []  # for the next calls, first one first
        self._by_number: dict[str, Answer] = {}
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()

    async def __aenter__(self) -> TwilioService:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{account}/Messages.json", self._create)
        app.router.add_get("/2010-04-01/Accounts/{account}/Messages.json", self._list)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release.set()  # let hanging requests finish so the server can stop
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- programming the answers ------------------------------------------------------------------------------

    def answer(
        self,
        status: int,
        *,
        code: int | None = None,
        retry_after: str | None = None,
        times: int | None = None,
        to: str | None = None,
        accepted: bool = False,
    ) -> None:
        """Answer valid requests with `status` (201 accepts; HANG never answers, and with `accepted` takes the
        message first): for every request to the number `to` (until told otherwise), for the next `times`
        requests, or else for all from now on. A number's own answer comes first; the next queued one after that;
        the default last."""
        answer = Answer(status, code, retry_after, accepted)
        if status == HANG and self._release.is_set():
            self._release = asyncio.Event()  # released before: hang again
        if to is not None:
            self._by_number[to] = answer
        elif times is not None:
            self._next.extend([answer] * times)
        else:
            self._default = answer

    def release(self) -> None:
        """Let the hanging requests end (201 if their message was accepted, else 503) and stop hanging."""
        self._release.set()
        self._default = Answer(201) if self._default.status == HANG else self._default

    # ---- what happened ----------------------------------------------------------------------------------------

    def count(self, *, body: str | None = None, to: str | None = None) -> int:
        """How many accepted messages had this Body (or went to this number)."""
        if body is not None:
            return self._by_body[body]
        if to is not None:
            return self._by_to[to]
        return len(self.messages)

    def duplicates(self) -> dict[str, int]:
        """Bodies accepted more than once, with how many times."""
        return {body: n for body, n in self._by_body.items() if n > 1}

    def to(self, number: str) -> list[str]:
        return [m.body for m in self.messages if m.to == number]

    # ---- the API ----------------------------------------------------------------------------------------------

    async def _list(self, request: web.Request) -> web.Response:
        """GET Messages.json: the accepted messages, newest first, filtered by To; one page of PageSize."""
        self.lists += 1
        auth = _basic_auth(request.headers.get("Authorization", ""))
        if auth != f"{self.account_sid}:{self.auth_token}" or request.match_info["account"] != self.account_sid:
            return _error(401, 20003, {})
        to = request.query.get("To")
        size = int(request.query.get("PageSize", "50"))
        found = [m for m in reversed(self.messages) if to is None or m.to == to][:size]
        uri = request.path_qs
        return web.json_response(
            {
                "messages": [self._resource(m) for m in found],
                "end": max(len(found) - 1, 0),
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": size,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            }
        )

    async def _create(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        arrived = time.monotonic()
        form = {k: str(v) for k, v in (await request.post()).items()}
        self._creates += 1
        if self.hang_one_in and self._creates % self.hang_one_in == 0:
            self.hung += 1
            await self._release.wait()  # the client gives up first
            return web.Response(status=503)
        auth = _basic_auth(request.headers.get("Authorization", ""))
        answer = self._choose(request.match_info["account"], auth, form)
        self.calls.append(Call(request.path, auth, form, answer.status, arrived))
        message = self._accept(form) if answer.status == 201 or answer.accepted else None
        if self.latency:
            await asyncio.sleep(self.latency)
        if answer.status == HANG:
            await self._release.wait()
        if message is not None:
            return web.json_response(self._resource(message), status=201)
        if answer.status == HANG:
            return web.Response(status=503)
        headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
        return _error(answer.status, answer.code or DEFAULT_CODES.get(answer.status, 20500), headers)

    def _choose(self, account: str, auth: str, form: dict[str, str]) -> Answer:
        if auth != f"{self.account_sid}:{self.auth_token}" or account != self.account_sid:
            return Answer(401, 20003)
        missing = _missing(form)
        if missing:
            return Answer(400, missing)
        if form["To"] in self._by_number:
            return self._by_number[form["To"]]
        if self._next:
            return self._next.pop(0)
        return self._default

    def _accept(self, form: dict[str, str]) -> Message:
        validity = form.get("ValidityPeriod")
        message = Message(
            sid="SM" + uuid.uuid4().hex,
            to=form["To"],
            body=form["Body"],
            from_=form.get("From"),
            messaging_service_sid=form.get("MessagingServiceSid"),
            validity_period=int(validity) if validity else None,
            status_callback=form.get("StatusCallback"),
            created=datetime.now(UTC),
            at=time.monotonic(),
        )
        self.messages.append(message)
        self._by_body[message.body] += 1
        self._by_to[message.to] += 1
        return message

    def _resource(self, message: Message) -> dict[str, Any]:
        now = format_datetime(message.created or datetime.now(UTC), usegmt=True)
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": message.body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": message.from_,
            "messaging_service_sid": message.messaging_service_sid,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": None,
            "sid": message.sid,
            # Through a messaging service Twilio first answers "accepted" (it picks the sender later).
            "status": "queued" if message.from_ else "accepted",
            "subresource_uris": {"media": uri.replace(".json", "/Media.json")},
            "to": message.to,
            "uri": uri,
        }


def _basic_auth(header: str) -> str:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value).decode()
    except ValueError:
        return ""


def _missing(form: dict[str, str]) -> int | None:
    """The error code of the first required parameter that is missing or invalid, as Twilio checks them."""
    if not form.get("To"):
        return 21604
    if not form.get("From") and not form.get("MessagingServiceSid"):
        return 21603
    if not form.get("Body"):
        return 21602
    validity = form.get("ValidityPeriod")
    if validity is not None and not (validity.isdigit() and 1 <= int(validity) <= MAX_VALIDITY):
        return 21624
    return None


def _error(status: int, code: int, headers: dict[str, str]) -> web.Response:
    body = {
        "code": code,
        "message": MESSAGES.get(code, "Refused by the loopback Twilio"),
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return web.json_response(body, status=status, headers=headers)
