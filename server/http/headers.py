"""Security headers on every response, including static files and errors."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


def security_headers(*, hsts: bool) -> type:
    class SecurityHeaders:
        def __init__(self, app: ASGIApp) -> None:
            self.app = app

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            docs = scope["path"].startswith(("/schema", "/docs-assets"))

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    # A route may send a policy of its own (the SVG charts: inline style only, nothing else).
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
                await send(message)

            await self.app(scope, receive, send_with_headers)

    return SecurityHeaders
