"""Every error leaves as RFC 9457 problem details; unexpected ones as a generic 500 with a reference id,
never a stack trace."""

from __future__ import annotations

import logging
import secrets
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, InternalServerException, ValidationException

from server.domain.errors import DomainError, TooManyRequests

log = logging.getLogger("apuri.http")
PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    detail: str,
    *,
    code: str = "",
    title: str | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if extra:
        body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
    code = exc.code or HTTPStatus(exc.status).name.lower()
    return problem(exc.status, exc.detail, code=code, title=exc.title, extra=exc.extra, headers=headers)


# What Litestar raises when the client goes away while its request body is still arriving (no exception type of
# its own in Litestar 2).
_CLIENT_GONE = "client disconnected prematurely"


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    if status >= 500 and isinstance(exc, InternalServerException) and exc.detail == _CLIENT_GONE:
        # A phone on a weak signal, or a load generator closing its connections: the network, not a fault here.
        # One line, no traceback; the answer goes nowhere, and nothing was done.
        log.info("client closed the connection before its request arrived: %s %s", request.method, request.url.path)
        return problem(400, "The request did not arrive in full. Please try again.", code="bad_request")
    if status >= 500:
        return internal_error(request, exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, ValidationException):
        errors = exc.extra if isinstance(exc.extra, list) else []
        extra["errors"] = [
            {k: e.get(k) for k in ("key", "message", "source") if k in e} for e in errors if isinstance(e, dict)
        ]
        detail = (
            "; ".join(f"{e.get('key') or 'body'}: {e.get('message')}" for e in extra["errors"])
            or "The request could not be read. Check that it is valid JSON with the expected fields."
        )
        return problem(400, detail, code="validation_failed", extra=extra)
    detail = exc.detail if exc.detail and exc.detail != HTTPStatus(status).phrase else _DEFAULT_DETAIL.get(status, "")
    headers = dict(exc.headers or {})
    if status == 429:
        headers["Retry-After"] = _retry_after(headers)
    return problem(status, detail or HTTPStatus(status).phrase, code=_framework_code(exc), headers=headers or None)


_DEFAULT_DETAIL = {
    401: "Please sign in.",
    403: "You are not allowed to do this.",
    404: "Nothing here. Check the address.",
    405: "This method is not allowed here.",
    413: "The request is too large.",
    429: "Too many requests. Please wait a moment and try again.",
}
# The framework's own errors get a `code` like every other problem, so the PWA can say something useful.
_DEFAULT_CODE = {
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "too_many_requests",
}


# Every (status, code) the framework's own errors above can carry, on any route (bad_request: a body or header the
# framework cannot read).
FRAMEWORK_CODES = frozenset({*_DEFAULT_CODE.items(), (403, "csrf_failed"), (400, "bad_request")})


def _framework_code(exc: HTTPException) -> str:
    status = exc.status_code
    if status == 403 and "csrf" in str(exc.detail).lower():
        return "csrf_failed"
    return _DEFAULT_CODE.get(status) or HTTPStatus(status).name.lower()


def _retry_after(headers: dict[str, str]) -> str:
    """Litestar's rate limiter says when its window resets (RateLimit-Reset, in seconds) but sends no
    Retry-After; every 429 here has one."""
    try:
        seconds = int(headers.get("RateLimit-Reset", "60"))
    except ValueError:
        seconds = 60
    return str(max(seconds, 1))


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    reference = secrets.token_hex(6)
    log.error("unhandled error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Something went wrong on our side. Please try again; if it happens again, "
        f"give the helpline this reference: {reference}.",
        code="internal_error",
        extra={"reference": reference},
    )
