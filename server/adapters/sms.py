"""The SMS port and its adapters: `outbox` (dev phone table), `memory` (tests) and `twilio` (async client)."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import aiohttp

from server.adapters.clock import Clock
from server.adapters.retry import parse_retry_after
from server.db import dev_phone
from server.db.tables import DevSmsMessage
from server.domain.phone import mask
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    provider_id: str
    status: str


class SmsError(Exception):
    """Sending failed. `permanent` errors (invalid number, opted out) must not be retried; `retry_after` is the
    provider's Retry-After in seconds, when it gave one; `maybe_sent` when the request may have reached the
    provider before it failed (a timeout, a dropped connection): the message may be on its way."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: str = "",
        retry_after: float | None = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class SmsSender(Protocol):
    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt: ...

    async def find(self, *, to: str, body: str, since: datetime) -> list[SmsReceipt]:
        """The provider's record of messages with this body to this number created since `since` (newest first):
        whether a send whose outcome is unknown went out after all."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class MemorySms:
    """Keeps what was sent, for tests to read; `fail_next` makes the next sends fail with those errors, `fail_to`
    the next sends to one number."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    validity: list[int | None] = field(default_factory=list)
    fail_next: list[SmsError] = field(default_factory=list)
    fail_to: dict[str, list[SmsError]] = field(default_factory=dict)  # failures for one number only
    attempts: int = 0
    provider_ids: list[str] = field(default_factory=list)  # of each message in `sent`
    # Called with (to, body, provider id) once a message is taken, before the answer: a provider whose delivery
    # report overtakes its own answer.
    before_answer: Callable[[str, str, str], Awaitable[None]] | None = None

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        self.attempts += 1
        if self.fail_next:
            raise self.fail_next.pop(0)
        if self.fail_to.get(to):
            raise self.fail_to[to].pop(0)
        self.sent.append((to, body))
        self.validity.append(validity_seconds)
        sid = f"memory-{self.attempts}"
        self.provider_ids.append(sid)
        if self.before_answer is not None:
            await self.before_answer(to, body, sid)
        return SmsReceipt(provider_id=sid, status="queued")

    def to(self, phone: str) -> list[str]:
        return [body for number, body in self.sent if number == phone]

    async def find(self, *, to: str, body: str, since: datetime) -> list[SmsReceipt]:
        return [
            SmsReceipt(provider_id=sid, status="queued")
            # From the newest: tests may clear `sent`, and both lists grow at the end.
            for sid, sent in zip(reversed(self.provider_ids), reversed(self.sent), strict=False)
            if sent == (to, body)
        ]

    async def aclose(self) -> None:
        return None


class OutboxSms:
    """Writes each message into the dev outbox table that `/dev/phone` shows."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        row_id = await dev_phone.write(phone=to, direction="out", body=body, at=self._clock.now())
        return SmsReceipt(provider_id=f"outbox-{row_id}", status="delivered")

    async def find(self, *, to: str, body: str, since: datetime) -> list[SmsReceipt]:
        rows = (
            await DevSmsMessage.select(DevSmsMessage.id)
            .where(
                (DevSmsMessage.phone == to)
                & (DevSmsMessage.direction == "out")
                & (DevSmsMessage.body == body)
                & (DevSmsMessage.created_at >= since)
            )
            .order_by(DevSmsMessage.id, ascending=False)
        )
        return [SmsReceipt(provider_id=f"outbox-{r['id']}", status="delivered") for r in rows]

    async def aclose(self) -> None:
        return None


# The Retry-After of the last answer Twilio gave in this task (the SDK's exception does not carry headers).
_retry_after: contextvars.ContextVar[float | None] = contextvars.ContextVar("twilio_retry_after", default=None)


TWILIO_TIMEOUT_SECONDS = 10.0
FIND_PAGE = 50  # the newest messages to one number that `find` looks through

# Twilio error codes that retrying cannot fix: invalid 'To', landline, unsubscribed, not a mobile, geo block.
PERMANENT_TWILIO_CODES = frozenset({21211, 21408, 21610, 21612, 21614, 21635})


class TwilioApi:
    """Twilio's SDK client on its async HTTP client, built on first use. aiohttp makes its session in the running
    event loop, and `apuri serve` builds the app before uvicorn starts its loop: a client made at construction
    stops production from starting. Every request is held to `timeout_seconds`: the SDK keeps the client's timeout
    but calls with timeout=None, which aiohttp reads as "wait forever", and one hung connection would stall the
    dispatcher. `settings.twilio_api_base` (a loopback server in tests) stands in for api.twilio.com. `seen` gets
    each response."""

    def __init__(
        self, settings: Settings, timeout_seconds: float, *, seen: Callable[[Any], None] | None = None
    ) -> None:
        self._settings = settings
        self._timeout = timeout_seconds
        self._seen = seen
        self._client: Any = None
        self._http: Any = None

    def client(self) -> Any:
        if self._client is None:
            self._client, self._http = self._build()
        return self._client

    def _build(self) -> tuple[Any, Any]:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        api_base = self._settings.twilio_api_base.rstrip("/")
        timeout_seconds = self._timeout
        seen = self._seen

        class _Http(AsyncTwilioHttpClient):  # type: ignore[misc]  # the SDK has no type hints
            async def request(self, method: str, uri: str, *args: Any, **kwargs: Any) -> Any:
                if api_base:
                    uri = uri.replace("https://api.twilio.com", api_base, 1)
                async with asyncio.timeout(timeout_seconds):
                    response = await super().request(method, uri, *args, **kwargs)
                if seen is not None:
                    seen(response)
                return response

        http = _Http(timeout=timeout_seconds)
        settings = self._settings
        return Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http), http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._client = self._http = None


def _keep_retry_after(response: Any) -> None:
    _retry_after.set(parse_retry_after((response.headers or {}).get("Retry-After"), now=datetime.now(UTC)))


class TwilioSms:
    """Twilio Programmable Messaging through the SDK's async client (`create_async`)."""

    def __init__(self, settings: Settings, *, timeout_seconds: float = TWILIO_TIMEOUT_SECONDS) -> None:
        self._twilio = TwilioApi(settings, timeout_seconds, seen=_keep_retry_after)
        self._from = settings.twilio_from_number
        self._service = settings.twilio_messaging_service_sid
        # Delivery reports come back to the public address Twilio can reach (checked by signature there).
        self._status_callback = settings.public_base_url.rstrip("/") + "/api/v1/twilio/status"

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        from twilio.base import values
        from twilio.base.exceptions import TwilioRestException

        try:
            message = await self._twilio.client().messages.create_async(
                to=to,
                body=body,
                from_=self._from or values.unset,
                messaging_service_sid=self._service or values.unset,
                validity_period=validity_seconds if validity_seconds else values.unset,
                status_callback=self._status_callback,
            )
        except TwilioRestException as exc:
            code = int(exc.code or 0)
            raise SmsError(
                f"Twilio refused the message to {mask(to)}: {exc.status} {code}",
                permanent=code in PERMANENT_TWILIO_CODES or exc.status in (400, 404),
                code=str(code),
                retry_after=_retry_after.get() if exc.status in (429, 503) else None,
            ) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Twilio unreachable or too slow; trying again may work. Unless the connection was never made, Twilio
            # may have taken the message before the answer was lost.
            raise SmsError(
                f"Twilio could not be reached for {mask(to)}: {type(exc).__name__}",
                permanent=False,
                maybe_sent=not isinstance(exc, aiohttp.ClientConnectorError),
            ) from None
        return SmsReceipt(provider_id=str(message.sid), status=str(message.status))

    async def find(self, *, to: str, body: str, since: datetime) -> list[SmsReceipt]:
        """Twilio's message list for the number (newest first, one page), matched on the body and the time the
        message was created. Not filtered by DateSent: a message still queued has none yet."""
        from twilio.base.exceptions import TwilioRestException

        try:
            messages = await self._twilio.client().messages.list_async(to=to, limit=FIND_PAGE, page_size=FIND_PAGE)
        except TwilioRestException as exc:
            raise SmsError(f"Twilio could not list messages to {mask(to)}: {exc.status}", permanent=False) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SmsError(
                f"Twilio could not be reached to list messages to {mask(to)}: {type(exc).__name__}", permanent=False
            ) from None
        return [
            SmsReceipt(provider_id=str(m.sid), status=str(m.status))
            for m in messages
            if m.body == body and (m.date_created is None or m.date_created >= since)
        ]

    async def aclose(self) -> None:
        await self._twilio.aclose()


def build_sms(settings: Settings, clock: Clock) -> SmsSender:
    if settings.sms_backend == "twilio":
        return TwilioSms(settings)
    if settings.sms_backend == "memory":
        return MemorySms()
    return OutboxSms(clock)
