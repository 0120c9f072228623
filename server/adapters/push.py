"""The Web Push port and its adapters: `outbox` (dev phone table), `memory` (tests) and `webpush` (pywebpush).

A push is a small JSON object (title, body, url, tag…) encrypted for one browser subscription (RFC 8291) and
handed to that browser's push service with a VAPID signature (RFC 8292). Error messages name an endpoint only by
its scheme and host: the rest of the URL is the subscription's secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.adapters.clock import Clock
from server.adapters.retry import parse_retry_after
from server.db import dev_phone
from server.settings import Settings, SettingsError

# Plaintext JSON. Push services must accept 4096 bytes of encrypted body and aes128gcm adds about 103.
MAX_PAYLOAD_BYTES = 3000
URGENCIES = ("very-low", "low", "normal", "high")
DEFAULT_TIMEOUT_SECONDS = 10.0

_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")
# Stricter than py_vapid's own check (which would fail every send): Apple refuses `@localhost` and made-up
# subjects, and py_vapid accepts an https subject only as a bare origin without port or path.
_SUBJECT = re.compile(r"mailto:[^@\s]+@[\w-]+(\.[\w-]+)+|https://[\w-]+(\.[\w-]+)+")


@dataclass(frozen=True, slots=True)
class PushTarget:
    endpoint: str
    p256dh: str  # base64url, as the browser's PushSubscription.toJSON().keys gives it
    auth: str


@dataclass(frozen=True, slots=True)
class PushReceipt:
    provider_id: str  # the push service's Location header (its message id), '' when none


class PushError(Exception):
    """Sending failed.

    `gone` (404/410): the subscription no longer exists; the caller deletes it and falls back to SMS.
    `permanent`: retrying this message to this subscription cannot help. `retry_after`: seconds the push service
    asked us to wait (429/503), else None.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        gone: bool = False,
        status: int = 0,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.gone = gone
        self.status = status
        self.retry_after = retry_after


class PushSender(Protocol):
    async def send(
        self,
        *,
        target: PushTarget,
        payload: dict[str, str],
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
        recipient_phone: str = "",
    ) -> PushReceipt: ...

    async def aclose(self) -> None: ...


def encode_payload(payload: dict[str, str], *, ttl: int, urgency: str) -> bytes:
    """Validate a send and return the compact UTF-8 JSON; too large a payload is a permanent PushError."""
    if ttl < 0:
        raise ValueError(f"ttl must be at least 0 seconds (got {ttl})")
    if urgency not in URGENCIES:
        raise ValueError(f"urgency must be one of {', '.join(URGENCIES)} (got {urgency!r})")
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PushError(
            f"push payload is {len(data)} bytes; at most {MAX_PAYLOAD_BYTES} fit a push message", permanent=True
        )
    return data


def topic_header(topic: str | None) -> str | None:
    """The RFC 8030 Topic header for `topic`: kept when already valid (≤ 32 base64url characters), otherwise a
    stable digest of it, so the same topic still replaces the older message and an invalid one never goes out."""
    if not topic:
        return None
    if _TOPIC.fullmatch(topic):
        return topic
    digest = hashlib.sha256(topic.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:32]


def validate_target(target: PushTarget) -> None:
    """Raise ValueError unless the subscription has an http(s) endpoint, a P-256 `p256dh` and a 16-byte `auth`."""
    parts = urlsplit(target.endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("push endpoint must be an absolute http(s) URL")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(target.p256dh))
        auth = b64url_decode(target.auth)
    except ValueError:
        raise ValueError("push subscription keys are not valid base64url P-256 keys") from None
    if len(auth) != 16:
        raise ValueError("push subscription auth secret must be 16 bytes")


def origin_of(endpoint: str) -> str:
    """The loggable part of an endpoint: scheme and host."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.hostname or '?'}"


# --- VAPID keys ------------------------------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def generate_vapid_keys() -> tuple[str, str]:
    """A new P-256 pair as (public, private): the public key is the browser's applicationServerKey (base64url
    uncompressed point), the private key its 32-byte secret in base64url (the `web-push` tools' format)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return vapid_public_key_of(key), b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def vapid_public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    point = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return b64url(point)


def load_vapid_private_key(text: str) -> ec.EllipticCurvePrivateKey:
    """Read the private key as `apuri vapid-keys` prints it (base64url of the 32-byte secret); a PEM or
    base64 DER key (what `vapid --gen` writes) is accepted too."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key: object = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise SettingsError(
            "APURI_VAPID_PRIVATE_KEY must be a P-256 private key in base64url (generate a pair: apuri vapid-keys)"
        )
    return key


# --- adapters --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SentPush:
    target: PushTarget
    payload: dict[str, str]
    ttl: int
    urgency: str
    topic: str | None


@dataclass
class MemoryPush:
    """Keeps what was sent, for tests to read; endpoints can be made gone and sends made to fail."""

    sent: list[SentPush] = field(default_factory=list)
    gone: dict[str, int] = field(default_factory=dict)  # endpoint -> 404 or 410
    failures: list[PushError] = field(default_factory=list)  # raised by the next sends, first one first

    async def send(
        self,
        *,
        target: PushTarget,
        payload: dict[str, str],
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
        recipient_phone: str = "",
    ) -> PushReceipt:
        encode_payload(payload, ttl=ttl, urgency=urgency)
        if self.failures:
            raise self.failures.pop(0)
        if target.endpoint in self.gone:
            status = self.gone[target.endpoint]
            raise PushError(f"push subscription is gone ({status})", permanent=True, gone=True, status=status)
        self.sent.append(SentPush(target, dict(payload), ttl, urgency, topic))
        return PushReceipt(provider_id=f"memory-push-{len(self.sent)}")

    def mark_gone(self, endpoint: str, status: int = 410) -> None:
        self.gone[endpoint] = status

    def fail_next(self, *errors: PushError) -> None:
        self.failures.extend(errors)

    def to(self, endpoint: str) -> list[dict[str, str]]:
        return [push.payload for push in self.sent if push.target.endpoint == endpoint]

    async def aclose(self) -> None:
        return None


class OutboxPush:
    """Shows each push on the recipient's `/dev/phone` thread, as a row of the dev outbox table."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def send(
        self,
        *,
        target: PushTarget,
        payload: dict[str, str],
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
        recipient_phone: str = "",
    ) -> PushReceipt:
        encode_payload(payload, ttl=ttl, urgency=urgency)
        body = f"{payload.get('title', '')}\n{payload.get('body', '')}"
        row_id = await dev_phone.write(phone=recipient_phone, direction="push", body=body, at=self._clock.now())
        return PushReceipt(provider_id=f"outbox-push-{row_id}")

    async def aclose(self) -> None:
        return None


class WebPush:
    """Web Push through pywebpush's `webpush_async`, over one aiohttp session shared by all sends."""

    def __init__(self, settings: Settings, *, timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        from py_vapid import Vapid

        key = load_vapid_private_key(settings.vapid_private_key)
        if vapid_public_key_of(key) != settings.vapid_public_key.strip().rstrip("="):
            raise SettingsError(
                "APURI_VAPID_PUBLIC_KEY does not belong to APURI_VAPID_PRIVATE_KEY; browsers would subscribe with "
                "a key the push services then refuse (set both from one `apuri vapid-keys` run)"
            )
        if not _SUBJECT.fullmatch(settings.vapid_subject):
            raise SettingsError(
                "APURI_VAPID_SUBJECT must be a real mailto: address or a bare https:// origin "
                "(e.g. mailto:digituki@example.fi); Apple refuses made-up and localhost ones"
            )
        self._vapid: Any = Vapid(private_key=key)
        self._subject = settings.vapid_subject
        self._timeout = timeout_seconds
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use so that it belongs to the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def send(
        self,
        *,
        target: PushTarget,
        payload: dict[str, str],
        ttl: int,
        urgency: str = "normal",
        topic: str | None = None,
        recipient_phone: str = "",
    ) -> PushReceipt:
        from pywebpush import WebPushException, webpush_async

        data = encode_payload(payload, ttl=ttl, urgency=urgency)
        origin = origin_of(target.endpoint)
        try:
            validate_target(target)
        except ValueError as exc:
            raise PushError(f"push subscription at {origin} is unusable: {exc}", permanent=True) from None
        headers: dict[str, str | int | float] = {"Urgency": urgency}
        topic_value = topic_header(topic)
        if topic_value:
            headers["Topic"] = topic_value
        try:
            response = await webpush_async(
                subscription_info={"endpoint": target.endpoint, "keys": {"p256dh": target.p256dh, "auth": target.auth}},
                data=data.decode("utf-8"),
                vapid_private_key=self._vapid,
                # A fresh dict every time: pywebpush writes `aud` and `exp` into it (pywebpush#130).
                vapid_claims={"sub": self._subject},
                ttl=ttl,
                headers=headers,
                timeout=self._timeout,
                aiohttp_session=self._client(),
            )
        except WebPushException as exc:
            raise await _error_from(exc, target.endpoint) from None
        except TimeoutError:
            # Nothing is known to have been delivered; the push service may answer next time.
            raise PushError(f"push service {origin} did not answer in {self._timeout:g} s", permanent=False) from None
        except aiohttp.ClientError as exc:
            raise PushError(
                f"push service {origin} could not be reached: {type(exc).__name__}", permanent=False
            ) from None
        return PushReceipt(provider_id=str(response.headers.get("Location", "")))

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


_PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410, 413})


async def _error_from(exc: Any, endpoint: str) -> PushError:
    origin = origin_of(endpoint)
    response = exc.response
    if response is None:
        return PushError(f"push to {origin} was refused before sending: {exc.message}", permanent=True)
    status = int(response.status)
    gone = status in (404, 410)
    permanent = status in _PERMANENT_STATUSES
    retry_after = None if permanent else parse_retry_after(response.headers.get("Retry-After"), now=datetime.now(UTC))
    message = f"push service {origin} answered {status}"
    if status in (400, 401, 403):
        # The body says what was wrong with the VAPID token (e.g. Apple's BadJwtToken); keep the endpoint out.
        text = (await response.text()).replace(endpoint, origin)
        message += f": {' '.join(text.split())[:200]}"
    return PushError(message, permanent=permanent, gone=gone, status=status, retry_after=retry_after)


def build_push(settings: Settings, clock: Clock) -> PushSender:
    if settings.push_backend == "webpush":
        return WebPush(settings)
    if settings.push_backend == "memory":
        return MemoryPush()
    return OutboxPush(clock)
