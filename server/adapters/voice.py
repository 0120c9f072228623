"""The voice-call port (reminder calls to landlines) and its adapters: `twilio` (the SDK's async client),
`outbox` (the dev phone) and `memory` (tests). Chosen with the SMS backend: the same Twilio account does both."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import aiohttp

from server.adapters.clock import Clock
from server.adapters.sms import TWILIO_TIMEOUT_SECONDS, SmsError, TwilioApi
from server.db import dev_phone
from server.domain.phone import mask
from server.settings import Settings

RING_SECONDS = 30  # how long the phone rings before "no-answer"


@dataclass(frozen=True, slots=True)
class PlacedCall:
    provider_id: str


class VoiceCaller(Protocol):
    async def call(self, *, to: str, text: str) -> PlacedCall:
        """Start a call to `to`; when answered, Twilio fetches the reminder's TwiML from our webhook. `text` is
        what will be said (for the dev outbox: the real call builds it when answered). Raises SmsError."""
        ...

    async def aclose(self) -> None: ...


@dataclass
class MemoryVoice:
    calls: list[tuple[str, str]] = field(default_factory=list)
    fail_next: list[SmsError] = field(default_factory=list)

    async def call(self, *, to: str, text: str) -> PlacedCall:
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.calls.append((to, text))
        return PlacedCall(provider_id=f"CAmemory{len(self.calls):026d}")

    async def aclose(self) -> None:
        return None


class OutboxVoice:
    """Shows the call on the dev phone (answer it there with the pretend-call keypad)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def call(self, *, to: str, text: str) -> PlacedCall:
        row_id = await dev_phone.write(phone=to, direction="call", body=text, at=self._clock.now())
        return PlacedCall(provider_id=f"CAoutbox{row_id:026d}")

    async def aclose(self) -> None:
        return None


class TwilioVoice:
    """Outbound calls with Twilio's Calls API (`create_async`); the TwiML comes from our reminder webhook."""

    def __init__(self, settings: Settings, *, timeout_seconds: float = TWILIO_TIMEOUT_SECONDS) -> None:
        self._twilio = TwilioApi(settings, timeout_seconds)
        self._from = settings.twilio_from_number
        base = settings.public_base_url.rstrip("/")
        self._url = f"{base}/api/v1/twilio/voice/reminder"
        self._status = f"{base}/api/v1/twilio/voice/status"

    async def call(self, *, to: str, text: str) -> PlacedCall:
        from twilio.base.exceptions import TwilioRestException

        if not self._from:
            raise SmsError("calls need APURI_TWILIO_FROM_NUMBER (a Messaging Service cannot call)", permanent=True)
        try:
            placed = await self._twilio.client().calls.create_async(
                to=to,
                from_=self._from,
                url=self._url,
                method="POST",
                status_callback=self._status,
                status_callback_event=["completed"],
                status_callback_method="POST",
                timeout=RING_SECONDS,
            )
        except TwilioRestException as exc:
            code = int(exc.code or 0)
            raise SmsError(
                f"Twilio refused the call to {mask(to)}: {exc.status} {code}",
                permanent=exc.status in (400, 404),
                code=str(code),
            ) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SmsError(
                f"Twilio could not be reached to call {mask(to)}: {type(exc).__name__}", permanent=False
            ) from None
        return PlacedCall(provider_id=str(placed.sid))

    async def aclose(self) -> None:
        await self._twilio.aclose()


def build_voice(settings: Settings, clock: Clock) -> VoiceCaller:
    if settings.sms_backend == "twilio":
        return TwilioVoice(settings)
    if settings.sms_backend == "memory":
        return MemoryVoice()
    return OutboxVoice(clock)
