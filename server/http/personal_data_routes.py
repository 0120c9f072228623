"""Personal data at the edge: one's own data (see, download, erase with an SMS code), a caller's on their word
(coordinators), the municipality's profile GDPR API, and the facts the privacy notice shows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.errors import Forbidden, NotFound
from server.domain.personal_data import Node, Upcoming
from server.domain.phone import display
from server.http.schemas import SINGLE_LINE, ChallengeOut, Input, PhoneInput
from server.http.security import COORDINATORS, PUBLIC, SIGNED_IN, Me, Svc, caller, roles, without_session_cookie
from server.services.personal_data import ErasurePreview, PersonalData

Purpose = Literal["data_request", "erasure_request"]


class PersonalDataOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID
    generated_at: datetime
    data: Node

    @classmethod
    def of(cls, found: PersonalData) -> PersonalDataOut:
        return cls(person_id=found.person_id, generated_at=found.generated_at, data=found.data)


class UpcomingOut(msgspec.Struct, kw_only=True):
    kind: Literal["session", "request"]
    id: uuid.UUID
    topic: str
    starts_at: datetime | None
    place: str

    @classmethod
    def of(cls, u: Upcoming) -> UpcomingOut:
        kind: Literal["session", "request"] = "session" if u.kind == "session" else "request"
        return cls(kind=kind, id=u.id, topic=u.topic, starts_at=u.starts_at, place=u.place)


class ErasurePreviewOut(msgspec.Struct, kw_only=True):
    upcoming: list[UpcomingOut]
    blockers: list[str]

    @classmethod
    def of(cls, p: ErasurePreview) -> ErasurePreviewOut:
        return cls(upcoming=[UpcomingOut.of(u) for u in p.upcoming], blockers=p.blockers)


class EraseIn(Input):
    challenge_id: uuid.UUID
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=12, pattern=SINGLE_LINE)]


class ErasedOut(msgspec.Struct, kw_only=True):
    erased: bool
    cancelled_sessions: int
    cancelled_requests: int
    told_by_sms: bool | None = None


class CallerDataIn(Input):
    phone: PhoneInput
    purpose: Purpose = "data_request"


class CallerEraseIn(Input):
    phone: PhoneInput
    confirm: Annotated[bool, msgspec.Meta(description="The resident asked for erasure on this call.")]
    purpose: Purpose = "erasure_request"


class MyDataController(Controller):
    dependencies = {"me": Provide(caller, sync_to_thread=False)}
    path = "/api/v1/me/data"
    tags = ["personal data"]

    @get("/", opt=SIGNED_IN, summary="Everything Apuri holds about me")
    async def mine(self, me: Me, services: Svc) -> PersonalDataOut:
        return PersonalDataOut.of(await services.personal_data.mine(me))

    @get("/download", opt=SIGNED_IN, summary="The same, as a JSON file to keep (portability)")
    async def download(self, me: Me, services: Svc) -> Response[PersonalDataOut]:
        found = await services.personal_data.mine(me)
        name = f"apuri-my-data-{found.generated_at.date().isoformat()}.json"
        return Response(
            PersonalDataOut.of(found),
            headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
        )

    @get("/erasure", opt=SIGNED_IN, summary="What erasing my data would cancel first")
    async def preview(self, me: Me, services: Svc) -> ErasurePreviewOut:
        return ErasurePreviewOut.of(await services.personal_data.preview_mine(me))

    @post("/erasure/code", opt=SIGNED_IN, status_code=201, summary="Send the SMS code that confirms erasure")
    async def erase_code(self, request: Request[Any, Any, Any], me: Me, services: Svc) -> ChallengeOut:
        client = request.client.host if request.client else "unknown"
        issued = await services.personal_data.erase_code(me, client)
        return ChallengeOut(challenge_id=issued.challenge_id, expires_in=issued.expires_in)

    @post("/erasure", opt=SIGNED_IN, status_code=200, summary="Erase my data (with the SMS code)")
    async def erase(self, data: JSONBody[EraseIn], me: Me, services: Svc) -> Response[ErasedOut]:
        """Upcoming sessions and open requests are cancelled in the same step; the sign-in ends. A wrong or
        expired code changes nothing (422)."""
        done = await services.personal_data.erase_mine(me, challenge_id=data.challenge_id, code=data.code)
        body = ErasedOut(
            erased=True, cancelled_sessions=done.cancelled_sessions, cancelled_requests=done.cancelled_requests
        )
        return without_session_cookie(Response(body), services.settings)


class ResidentDataController(Controller):
    dependencies = {"me": Provide(caller, sync_to_thread=False)}
    path = "/api/v1/residents"
    tags = ["personal data"]

    @post("/data", opt=roles(*COORDINATORS), status_code=200, summary="A caller's data, on their request")
    async def data(self, data: JSONBody[CallerDataIn], me: Me, services: Svc) -> PersonalDataOut:
        """The number goes in the body, not the URL; audited with the purpose. 404 for a resident the
        coordinator does not oversee."""
        return PersonalDataOut.of(await services.personal_data.for_caller(me, phone=data.phone, purpose=data.purpose))

    @post("/erasure/preview", opt=roles(*COORDINATORS), status_code=200, summary="What erasing a caller cancels")
    async def preview(self, data: JSONBody[CallerDataIn], me: Me, services: Svc) -> ErasurePreviewOut:
        return ErasurePreviewOut.of(
            await services.personal_data.preview_for_caller(me, phone=data.phone, purpose=data.purpose)
        )

    @post("/erasure", opt=roles(*COORDINATORS), status_code=200, summary="Erase a caller's data on their word")
    async def erase(self, data: JSONBody[CallerEraseIn], me: Me, services: Svc) -> ErasedOut:
        """They are told by SMS; for a landline `told_by_sms` is false and the coordinator tells them on the
        call."""
        if not data.confirm:
            raise Forbidden("Confirm that the resident asked for erasure.", code="confirm_required")
        done = await services.personal_data.erase_for_caller(me, phone=data.phone, purpose=data.purpose)
        return ErasedOut(
            erased=True,
            cancelled_sessions=done.erased.cancelled_sessions,
            cancelled_requests=done.erased.cancelled_requests,
            told_by_sms=done.told_by_sms,
        )


class GdprApiController(Controller):
    """The profile GDPR API (the City of Helsinki's convention): one URL per person, authorised by a bearer
    token whose sha256 is APURI_GDPR_API_TOKEN_HASH. Without it configured, the routes answer 404."""

    path = "/gdpr-api/v1/profiles"
    tags = ["profile GDPR API"]

    @staticmethod
    def _authorise(request: Request[Any, Any, Any], services: Svc) -> None:
        if not services.personal_data.api_enabled():
            raise NotFound("Nothing here. Check the address.", code="not_found")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not services.personal_data.api_token_ok(token.strip()):
            raise Forbidden("A valid bearer token is needed.", code="token_invalid")

    @get("/{person_id:uuid}", opt=PUBLIC, summary="A person's data as a tree of {key, value | children}")
    async def profile(self, request: Request[Any, Any, Any], person_id: FromPath[uuid.UUID], services: Svc) -> Node:
        self._authorise(request, services)
        return await services.personal_data.api_profile(person_id)

    @delete("/{person_id:uuid}", opt=PUBLIC, exclude_from_csrf=True, status_code=204, summary="Erase a person")
    async def erase(
        self,
        request: Request[Any, Any, Any],
        person_id: FromPath[uuid.UUID],
        services: Svc,
        dry_run: Annotated[bool, QueryParameter(description="Only say whether erasure is possible")] = False,
    ) -> None:
        """204 when erased (or erasable on a dry run, or erased before); 403 with the reasons when something
        blocks it (a volunteer or staff role still held)."""
        self._authorise(request, services)
        blockers = await services.personal_data.api_erase(person_id, dry_run=dry_run)
        if blockers:
            raise Forbidden(
                "Something blocks erasure: see errors.",
                code="erasure_blocked",
                extra={"errors": [{"code": b, "message": {"en": _BLOCKER_TEXT.get(b, b)}} for b in blockers]},
            )


_BLOCKER_TEXT = {"staff_role": "The person holds a volunteer or staff role; their organisation ends it first."}


class PeriodsOut(msgspec.Struct, kw_only=True):
    inactive_resident_days: int
    note_days: int
    message_days: int
    staff_days: int


class PrivacyOut(msgspec.Struct, kw_only=True):
    controller: str
    contact: str
    helpline_display: str
    periods: PeriodsOut
    processors: list[str]


@get("/api/v1/about/privacy", opt=PUBLIC, tags=["about"], summary="The facts the privacy notice shows")
async def privacy(services: Svc) -> PrivacyOut:
    p = services.personal_data.periods
    s = services.settings
    return PrivacyOut(
        controller=s.controller_name,
        contact=s.privacy_contact or display(s.helpline_phone),
        helpline_display=display(s.helpline_phone),
        periods=PeriodsOut(
            inactive_resident_days=p.inactive_resident_days,
            note_days=p.note_days,
            message_days=p.message_days,
            staff_days=p.staff_days,
        ),
        processors=["Twilio"],
    )
