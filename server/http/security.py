"""Authentication (a Litestar authentication middleware over server-side sessions) and the access guard.

Every route declares who may call it in `opt`: `public=True`, `signed_in=True`, or `roles={...}`. A route
that declares nothing is refused (deny by default), and a test walks every route to check the declaration.
Routes for coordinators also need the password second factor in the current session.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from server.domain.errors import Forbidden, NotAuthenticated
from server.domain.roles import STAFF_ROLES, Principal, Role
from server.services.auth import AuthService
from server.services.registry import Services
from server.settings import Settings

COORDINATORS = frozenset({Role.PARTNER_COORDINATOR, Role.NETWORK_COORDINATOR})
NETWORK = frozenset({Role.NETWORK_COORDINATOR})
VOLUNTEERS = frozenset({Role.VOLUNTEER})

PUBLIC: dict[str, Any] = {"public": True}
SIGNED_IN: dict[str, Any] = {"signed_in": True}


def roles(*allowed: Role) -> dict[str, Any]:
    return {"roles": frozenset(allowed)}


def session_cookie_name(settings: Settings) -> str:
    # The __Host- prefix pins the cookie to this host, path / and https; browsers refuse it over http.
    return "__Host-apuri_session" if settings.secure_cookies else "apuri_session"


class SignInMiddleware(AbstractAuthenticationMiddleware):
    """Resolves the session cookie to a Principal (or None); it never refuses a request itself."""

    def __init__(self, app: ASGIApp, cookie_name: str, exclude: list[str]) -> None:
        super().__init__(app, exclude=exclude)
        self._cookie = cookie_name

    async def authenticate_request(self, connection: ASGIConnection[Any, Any, Any, Any]) -> AuthenticationResult:
        token = connection.cookies.get(self._cookie, "")
        if not token:
            return AuthenticationResult(user=None, auth=None)
        auth: AuthService = connection.app.state["services"].auth
        return AuthenticationResult(user=await auth.authenticate(token), auth=None)


def access_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    opt = handler.opt
    if opt.get("public"):
        return
    principal: Principal | None = connection.scope.get("user")
    required: frozenset[Role] | None = opt.get("roles")
    if not opt.get("signed_in") and required is None:
        raise Forbidden("This route has no access rule.", code="no_access_rule")
    if principal is None:
        raise NotAuthenticated("Please sign in.", code="not_signed_in")
    if required is None:
        return
    if not principal.roles & required:
        raise Forbidden("Your role does not allow this.", code="role_required")
    if required <= STAFF_ROLES and not principal.second_factor:
        raise Forbidden(
            "Coordinators confirm their password before managing the network.", code="second_factor_required"
        )


def caller(request: Request[Any, Any, Any]) -> Principal:
    """Dependency: the signed-in principal (the guard has already made sure there is one)."""
    principal: Principal | None = request.scope.get("user")
    if principal is None:
        raise NotAuthenticated("Please sign in.", code="not_signed_in")
    return principal


def with_session_cookie(response: Response[Any], settings: Settings, token: str, max_age: int) -> Response[Any]:
    response.set_cookie(
        Cookie(
            key=session_cookie_name(settings),
            value=token,
            max_age=max_age,
            path="/",
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
        )
    )
    return response


def without_session_cookie(response: Response[Any], settings: Settings) -> Response[Any]:
    """Delete the cookie with the attributes it was set with: a browser ignores a deletion of a __Host- cookie
    that is not itself Secure with path /, and would keep sending a token that no longer works."""
    response.set_cookie(
        Cookie(
            key=session_cookie_name(settings),
            value="",
            max_age=0,
            expires=0,
            path="/",
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
        )
    )
    return response


# Explicit injection markers (Litestar 3 drops inferred parameters).
Me = NamedDependency[Principal]
Svc = NamedDependency[Services]
