"""Accessibility feedback: sent by anyone, answered by the network coordinator."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody

from server.domain.paging import DEFAULT_LIMIT
from server.domain.records import FeedbackRow
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import MULTI_LINE, SINGLE_LINE, Input, Language
from server.http.security import NETWORK, PUBLIC, Me, Svc, caller, roles


class FeedbackIn(Input):
    message: Annotated[str, msgspec.Meta(min_length=3, max_length=2000, pattern=MULTI_LINE)]
    contact: Annotated[str, msgspec.Meta(max_length=200, pattern=SINGLE_LINE)] = ""
    language: Language = "fi"
    page: Annotated[str, msgspec.Meta(max_length=200, pattern=SINGLE_LINE)] = ""


class FeedbackSent(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    answer_within_days: int = 14


class FeedbackOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    message: str
    contact: str
    language: str
    page: str
    created_at: datetime
    answered_at: datetime | None
    answer_note: str
    overdue: bool  # over 14 days without an answer

    @classmethod
    def of(cls, f: FeedbackRow, overdue: bool) -> FeedbackOut:
        return cls(
            id=f.id,
            message=f.message,
            contact=f.contact,
            language=f.language,
            page=f.page,
            created_at=f.created_at,
            answered_at=f.answered_at,
            answer_note=f.answer_note,
            overdue=overdue,
        )


class AnswerIn(Input):
    note: Annotated[str, msgspec.Meta(max_length=2000, pattern=MULTI_LINE)] = ""


class FeedbackController(Controller):
    path = "/api/v1/accessibility-feedback"
    tags = ["accessibility"]

    @post("/", opt=PUBLIC, status_code=201, summary="Tell us what does not work for you")
    async def give(self, data: JSONBody[FeedbackIn], request: Request[Any, Any, Any], services: Svc) -> FeedbackSent:
        """No sign-in needed. Give a phone number or e-mail if you want an answer; we answer within 14 days."""
        client = services.auth.client_hash(request.client.host if request.client else "")
        feedback_id = await services.feedback.give(
            message=data.message, contact=data.contact, language=data.language, page=data.page, client_hash=client
        )
        return FeedbackSent(id=feedback_id)

    @get(
        "/",
        opt=roles(*NETWORK),
        response_headers=NEXT_LINK,
        summary="Accessibility feedback: unanswered oldest first, answered newest first",
        dependencies={"me": Provide(caller, sync_to_thread=False)},
    )
    async def listed(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        answered: FromQuery[bool] = False,
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[FeedbackOut]]:
        found = await services.feedback.listed(me, page_request(limit, cursor), answered=answered)
        return paged(request, found.map(lambda item: FeedbackOut.of(*item)))

    @post(
        "/{feedback_id:uuid}/answered",
        opt=roles(*NETWORK),
        status_code=200,
        summary="Mark answered",
        dependencies={"me": Provide(caller, sync_to_thread=False)},
    )
    async def answered(
        self, feedback_id: FromPath[uuid.UUID], data: JSONBody[AnswerIn], me: Me, services: Svc
    ) -> FeedbackOut:
        return FeedbackOut.of(await services.feedback.answered(me, feedback_id, data.note), False)
