"""The SMS port and its adapters: `outbox` (dev phone table), `memory` (tests) and `twilio` (async client)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from server.adapters.clock import Clock
from server.db.tables import DevSmsMessage
from server.domain.phone import mask
from server.settings import Settings


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    provider_id: str
    status: str


class SmsError(Exception):
    """Sending failed. `permanent` errors (invalid number, opted out) must not be retried."""

    def __init__(self, message: str, *, permanent: bool, code: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        self.code = code


class SmsSender(Protocol):
    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt: ...

    async def aclose(self) -> None: ...


@dataclass
class MemorySms:
    """Keeps what was sent, for tests to read."""

    sent: list[tuple[str, str]] = field(default_factory=list)

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        self.sent.append((to, body))
        return SmsReceipt(provider_id=f"memory-{len(self.sent)}", status="sent")

    def to(self, phone: str) -> list[str]:
        return [body for number, body in self.sent if number == phone]

    async def aclose(self) -> None:
        return None


class OutboxSms:
    """Writes each message into the dev outbox table that `/dev/phone` shows."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        rows = await DevSmsMessage.insert(
            DevSmsMessage(phone=to, direction="out", body=body, created_at=self._clock.now())
        ).returning(DevSmsMessage.id)
        return SmsReceipt(provider_id=f"outbox-{rows[0]['id']}", status="delivered")

    async def aclose(self) -> None:
        return None


# Twilio error codes that retrying cannot fix: invalid 'To', landline, unsubscribed, not a mobile, geo block.
PERMANENT_TWILIO_CODES = frozenset({21211, 21408, 21610, 21612, 21614, 21635})


class TwilioSms:
    """Twilio Programmable Messaging through the SDK's async client (`create_async`)."""

    def __init__(self, settings: Settings) -> None:
        from twilio.http.async_http_client import AsyncTwilioHttpClient
        from twilio.rest import Client

        api_base = settings.twilio_api_base.rstrip("/")

        class _Http(AsyncTwilioHttpClient):  # type: ignore[misc]
            async def request(self, method: str, uri: str, *args: Any, **kwargs: Any) -> Any:
                if api_base:
                    uri = uri.replace("https://api.twilio.com", api_base, 1)
                return await super().request(method, uri, *args, **kwargs)

        self._http = _Http(timeout=15)
        self._client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=self._http)
        self._from = settings.twilio_from_number
        self._service = settings.twilio_messaging_service_sid

    async def send(self, *, to: str, body: str, validity_seconds: int | None = None) -> SmsReceipt:
        from twilio.base import values
        from twilio.base.exceptions import TwilioRestException

        try:
            message = await self._client.messages.create_async(
                to=to,
                body=body,
                from_=self._from or values.unset,
                messaging_service_sid=self._service or values.unset,
                validity_period=validity_seconds if validity_seconds else values.unset,
            )
        except TwilioRestException as exc:
            code = int(exc.code or 0)
            raise SmsError(
                f"Twilio refused the message to {mask(to)}: {code}",
                permanent=code in PERMANENT_TWILIO_CODES or exc.status in (400, 404),
                code=str(code),
            ) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            # Twilio unreachable or too slow: nothing is known to have been sent; trying again may work.
            raise SmsError(
                f"Twilio could not be reached for {mask(to)}: {type(exc).__name__}", permanent=False
            ) from None
        return SmsReceipt(provider_id=str(message.sid), status=str(message.status))

    async def aclose(self) -> None:
        await self._http.close()


def build_sms(settings: Settings, clock: Clock) -> SmsSender:
    if settings.sms_backend == "twilio":
        return TwilioSms(settings)
    if settings.sms_backend == "memory":
        return MemorySms()
    return OutboxSms(clock)
