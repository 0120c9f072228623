"""Sign-in: ask for a code, exchange it for a session, the coordinators' password, sign-out."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import JSONBody

from server.domain.roles import Principal, lifetime_class
from server.http.schemas import ChallengeOut, CodeRequest, PasswordRequest, SignedInOut, VerifyRequest
from server.http.security import PUBLIC, SIGNED_IN, Me, Svc, caller, with_session_cookie, without_session_cookie


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["sign-in"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/code", opt=PUBLIC, status_code=202, summary="Send a sign-in code by SMS")
    async def request_code(
        self, data: JSONBody[CodeRequest], request: Request[Any, Any, Any], services: Svc
    ) -> ChallengeOut:
        """The same answer whether or not the number belongs to anyone. Limited per number, per client
        and by a daily budget (429 with Retry-After)."""
        client = request.client.host if request.client else "unknown"
        issued = await services.auth.request_code(phone=data.phone, language=data.language, client_address=client)
        return ChallengeOut(challenge_id=issued.challenge_id, expires_in=issued.expires_in)

    @post("/verify", opt=PUBLIC, status_code=200, summary="Exchange the code for a sign-in")
    async def verify(
        self, data: JSONBody[VerifyRequest], request: Request[Any, Any, Any], services: Svc
    ) -> Response[SignedInOut]:
        previous: Principal | None = request.scope.get("user")
        session = await services.auth.verify_code(
            challenge_id=data.challenge_id, code=data.code, language=data.language
        )
        if previous is not None:
            await services.auth.sign_out(previous)
        body = SignedInOut.of(session.principal, password_set=session.password_set)
        return with_session_cookie(Response(body), services.settings, session.token, session.max_age)

    @post("/password", opt=SIGNED_IN, status_code=200, summary="Coordinators: confirm (or first set) the password")
    async def password(self, data: JSONBody[PasswordRequest], me: Me, services: Svc) -> Response[SignedInOut]:
        token, elevated = await services.auth.second_factor(me, data.password)
        lifetime = services.auth.lifetime("coordinator")
        return with_session_cookie(
            Response(SignedInOut.of(elevated, password_set=True)),
            services.settings,
            token,
            lifetime.absolute_hours * 3600,
        )

    @post("/sign-out", opt=SIGNED_IN, status_code=204, summary="Sign out (end this sign-in)")
    async def sign_out(self, me: Me, services: Svc) -> Response[None]:
        await services.auth.sign_out(me)
        return without_session_cookie(Response(None, status_code=204), services.settings)

    @get("/session", opt=SIGNED_IN, summary="Who is signed in")
    async def session(self, me: Me, services: Svc) -> SignedInOut:
        idle = services.auth.lifetime(lifetime_class(me.roles)).idle_minutes
        return SignedInOut.of(me, idle_minutes=idle)
