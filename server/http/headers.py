"""Security headers on every response, including static files and errors."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

# Strict by default: no inline script or style, nothing from other origins.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Litestar's API docs page starts Swagger UI with an inline script; its assets still come from this server.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def security_headers(*, hsts: bool) -> BeforeMessageSendHookHandler:
    """A hook on the app's own `send`, not a middleware: Litestar runs middleware per route, so the answers the
    framework gives before or around a route (an unknown route, a wrong method, the CSRF check, the rate limiter)
    never passed through one. The hook sees every message the app sends."""

    async def add_security_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope["type"] != ScopeType.HTTP:
            return
        headers = MutableScopeHeaders.from_message(message)
        # A route may send a policy of its own (the SVG charts: inline style only, nothing else).
        docs = scope["path"].startswith(("/schema", "/docs-assets"))
        headers.setdefault("Content-Security-Policy", DOCS_CSP if docs else STRICT_CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "no-referrer"
        headers["X-Frame-Options"] = "DENY"
        # Location only for this app itself: a resident may give it for a home visit.
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(self)"
        if hsts:
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if scope["path"].startswith("/api/"):
            headers.setdefault("Cache-Control", "no-store")

    return add_security_headers
