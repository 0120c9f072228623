"""A loopback Web Push service speaking RFC 8030 (push), RFC 8291 (aes128gcm payload encryption) and RFC 8292
(VAPID), for testing the real WebPush adapter without the internet:

    async with PushService() as push:
        target = push.subscribe()            # plays the browser: a P-256 key pair and an auth secret
        await sender.send(target=target, ...)
        [delivery] = push.received           # the decrypted payload, headers and VAPID claims

Like real services it refuses a missing or invalid VAPID token (401/403), a missing TTL (400), another content
encoding (415) and a body over 4096 bytes (413). It can be told to answer 404, 410, 413, 429, 500… or to hang.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import http_ece
import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.adapters.push import PushTarget

MAX_BODY_BYTES = 4096
HANG = 0  # an `answer` status that makes the service never answer (until it stops)
_TOPIC = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Delivery:
    subscription_id: str
    payload: dict[str, Any]
    ttl: int
    urgency: str
    topic: str | None
    claims: dict[str, Any]
    vapid_key: str  # the `k` of the Authorization header: the sender's public key


@dataclass
class _Browser:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    application_server_key: str | None


@dataclass(frozen=True)
class _Answer:
    status: int
    retry_after: str | None


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class PushService:
    def __init__(self) -> None:
        self.received: list[Delivery] = []
        self.refused: list[tuple[int, str]] = []  # protocol errors: (status, why)
        self.requests = 0  # every POST that reached the service
        self.origin = ""  # http://127.0.0.1:<port>, the `aud` a VAPID token must carry
        self._browsers: dict[str, _Browser] = {}
        self._answers: dict[str | None, _Answer] = {}  # by subscription id; None for all
        self._runner: web.AppRunner | None = None
        self._release = asyncio.Event()

    async def __aenter__(self) -> PushService:
        app = web.Application()
        app.router.add_post("/push/{id}", self._push)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.origin = f"http://{host}:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._release.set()  # let hanging requests finish so the server can stop
        if self._runner is not None:
            await self._runner.cleanup()

    def subscribe(self, *, application_server_key: str | None = None) -> PushTarget:
        """What the browser's pushManager.subscribe() gives the page; with `application_server_key` the service
        accepts only pushes signed by that key (403 otherwise), as real ones do."""
        subscription_id = uuid.uuid4().hex
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self._browsers[subscription_id] = _Browser(private_key, auth, application_server_key)
        point = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return PushTarget(endpoint=f"{self.origin}/push/{subscription_id}", p256dh=_b64url(point), auth=_b64url(auth))

    def answer(self, status: int, *, target: PushTarget | None = None, retry_after: str | None = None) -> None:
        """Answer valid pushes (to `target`, or to all) with `status` instead of 201; HANG never answers."""
        self._answers[self._id_of(target) if target else None] = _Answer(status, retry_after)

    def to(self, target: PushTarget) -> list[dict[str, Any]]:
        subscription_id = self._id_of(target)
        return [d.payload for d in self.received if d.subscription_id == subscription_id]

    @staticmethod
    def _id_of(target: PushTarget) -> str:
        return urlsplit(target.endpoint).path.rsplit("/", 1)[-1]

    async def _push(self, request: web.Request) -> web.Response:
        self.requests += 1
        subscription_id = request.match_info["id"]
        body = await request.read()
        try:
            browser = self._browsers.get(subscription_id)
            if browser is None:
                raise _Refused(404, "no such subscription")
            ttl, urgency, topic = self._check_headers(request, body)
            claims, vapid_key = self._check_vapid(request.headers.get("Authorization", ""), browser)
            answer = self._answers.get(subscription_id) or self._answers.get(None)
            if answer and answer.status == HANG:
                await self._release.wait()
                return web.Response(status=503)
            if answer and answer.status != 201:
                headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
                return web.Response(status=answer.status, headers=headers, text="told to refuse")
            try:
                plain = http_ece.decrypt(
                    body, private_key=browser.private_key, auth_secret=browser.auth, version="aes128gcm"
                )
                payload = json.loads(plain)
            except Exception as exc:
                raise _Refused(400, f"cannot decrypt the payload: {exc!r}") from None
        except _Refused as refused:
            self.refused.append((refused.status, refused.reason))
            return web.Response(status=refused.status, text=refused.reason)
        self.received.append(Delivery(subscription_id, payload, ttl, urgency, topic, claims, vapid_key))
        return web.Response(status=201, headers={"Location": f"{self.origin}/m/{uuid.uuid4().hex}"})

    @staticmethod
    def _check_headers(request: web.Request, body: bytes) -> tuple[int, str, str | None]:
        ttl = request.headers.get("TTL", "")
        if not ttl.isdigit():
            raise _Refused(400, f"TTL header missing or not a number: {ttl!r}")
        if request.headers.get("Content-Encoding") != "aes128gcm":
            raise _Refused(415, "Content-Encoding must be aes128gcm")
        if len(body) > MAX_BODY_BYTES:
            raise _Refused(413, f"body of {len(body)} bytes is over {MAX_BODY_BYTES}")
        urgency = request.headers.get("Urgency", "normal")
        if urgency not in ("very-low", "low", "normal", "high"):
            raise _Refused(400, f"invalid Urgency {urgency!r}")
        topic = request.headers.get("Topic")
        if topic is not None and not _TOPIC.fullmatch(topic):
            raise _Refused(400, f"invalid Topic {topic!r}")
        return int(ttl), urgency, topic

    def _check_vapid(self, authorization: str, browser: _Browser) -> tuple[dict[str, Any], str]:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise _Refused(401, "Authorization must be `vapid t=<jwt>, k=<key>`")
        fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
        if "t" not in fields or "k" not in fields:
            raise _Refused(401, "Authorization lacks t= or k=")
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(fields["k"]))
            claims: dict[str, Any] = jwt.decode(
                fields["t"],
                public_key,
                algorithms=["ES256"],
                audience=self.origin,
                options={"require": ["aud", "exp", "sub"]},
            )
        except (ValueError, jwt.InvalidTokenError) as exc:
            raise _Refused(403, f"invalid VAPID token: {exc}") from None
        if claims["exp"] > time.time() + 24 * 3600:
            raise _Refused(403, "VAPID exp is more than 24 hours ahead")
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise _Refused(403, f"VAPID sub must be mailto: or https: (got {claims['sub']!r})")
        if browser.application_server_key and fields["k"].rstrip("=") != browser.application_server_key.rstrip("="):
            raise _Refused(403, "VAPID key differs from the subscription's applicationServerKey")
        return claims, fields["k"]
