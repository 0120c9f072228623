"""A session after booking: the resident moves it; the volunteer checks in, records it, or gives it back."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from server.domain.notes import MAX_NOTE_LENGTH
from server.domain.roles import Role
from server.domain.states import SessionState
from server.http.booking_routes import SessionOut
from server.http.schemas import MULTI_LINE, AwareDateTime, Input
from server.http.security import VOLUNTEERS, Me, Svc, caller, roles
from server.services.sessions import MAX_MINUTES


class MoveIn(Input):
    starts_at: AwareDateTime


OutcomeCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class DoneIn(Input):
    minutes: Annotated[int, msgspec.Meta(ge=1, le=MAX_MINUTES)] | None = None
    outcomes: Annotated[list[OutcomeCode], msgspec.Meta(max_length=20)] = []
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE_LENGTH, pattern=MULTI_LINE)] = ""


class NoShowIn(Input):
    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE_LENGTH, pattern=MULTI_LINE)] = ""


class SessionController(Controller):
    path = "/api/v1/sessions/{session_id:uuid}"
    tags = ["sessions"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @post("/move", opt=roles(Role.RESIDENT), status_code=200, summary="Move my session to another free time")
    async def move(self, session_id: FromPath[uuid.UUID], data: JSONBody[MoveIn], me: Me, services: Svc) -> SessionOut:
        """The same volunteer if they are free then; otherwise the best volunteer who is."""
        return SessionOut.of(await services.sessions.move(me, session_id, data.starts_at), me)

    @post("/check-in", opt=roles(*VOLUNTEERS), status_code=200, summary="We have met (at most an hour early)")
    async def check_in(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> SessionOut:
        return SessionOut.of(await services.sessions.check_in(me, session_id), me)

    @post("/done", opt=roles(*VOLUNTEERS), status_code=200, summary="Record the session as done")
    async def done(self, session_id: FromPath[uuid.UUID], data: JSONBody[DoneIn], me: Me, services: Svc) -> SessionOut:
        """Outcomes are codes from the topic's list. A note that looks like a password, PIN, bank code, card
        number or identity code is refused (422 `note_looks_secret`) and nothing is saved."""
        finished = await services.sessions.finish(
            me, session_id, result=SessionState.DONE, minutes=data.minutes, outcomes=data.outcomes, note=data.note
        )
        return SessionOut.of(finished, me)

    @post("/no-show", opt=roles(*VOLUNTEERS), status_code=200, summary="The resident did not come")
    async def no_show(
        self, session_id: FromPath[uuid.UUID], data: JSONBody[NoShowIn], me: Me, services: Svc
    ) -> SessionOut:
        finished = await services.sessions.finish(
            me, session_id, result=SessionState.NO_SHOW, minutes=None, outcomes=[], note=data.note
        )
        return SessionOut.of(finished, me)

    @post("/give-back", opt=roles(*VOLUNTEERS), status_code=200, summary="I cannot come: back to the coordinators")
    async def give_back(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> SessionOut:
        return SessionOut.of(await services.sessions.give_back(me, session_id), me)
