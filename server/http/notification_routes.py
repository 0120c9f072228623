"""Messages: the reminder ledger of a session and the reply inbox (coordinators), templates (the network
coordinator), push subscriptions and one's own message settings (everyone signed in)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, JSONBody, QueryParameter

from server.domain.paging import DEFAULT_LIMIT
from server.domain.records import InboxItem
from server.http.paging import NEXT_LINK, AnyRequest, Cursor, Limit, page_request, paged
from server.http.schemas import MULTI_LINE, SINGLE_LINE, Input, Language
from server.http.security import COORDINATORS, NETWORK, PUBLIC, SIGNED_IN, Me, Svc, caller, roles
from server.services.messaging import TemplateView

TemplateName = Annotated[str, msgspec.Meta(pattern=r"^[a-z]+\.[a-z0-9_]{2,30}$", max_length=40)]


class LedgerLine(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    channel: str
    to: str  # "resident" | "volunteer" | "other", never a number
    due_at: datetime
    not_after: datetime | None
    state: str
    attempts: int
    provider_status: str
    last_error: str
    sent_at: datetime | None
    updated_at: datetime
    body: str

    @classmethod
    def of(cls, r: dict[str, Any], to: str) -> LedgerLine:
        return cls(
            id=r["id"],
            kind=r["kind"],
            channel=r["channel"],
            to=to,
            due_at=r["due_at"],
            not_after=r["not_after"],
            state=r["state"],
            attempts=r["attempts"],
            provider_status=r["provider_status"],
            last_error=r["last_error"],
            sent_at=r["sent_at"],
            updated_at=r["updated_at"],
            body=r["body"],
        )


class TemplateOut(msgspec.Struct, kw_only=True):
    name: str
    language: str
    body: str
    default_body: str
    customised: bool
    link_free: bool
    placeholders: list[str]
    # What one message costs, filled with realistic long values: GSM-7 or UCS-2, characters, segments.
    encoding: str
    characters: int
    segments: int
    non_gsm: list[str]

    @classmethod
    def of(cls, t: TemplateView) -> TemplateOut:
        return cls(
            name=t.name,
            language=t.language,
            body=t.body,
            default_body=t.default_body,
            customised=t.customised,
            link_free=t.link_free,
            placeholders=sorted(t.placeholders),
            encoding=t.size.encoding,
            characters=t.size.units,
            segments=t.size.segments,
            non_gsm=list(t.size.non_gsm),
        )


class TemplateIn(Input):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=480, pattern=MULTI_LINE)]
    link_free: bool = True


class InboxOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    phone: str
    person_id: uuid.UUID | None
    first_name: str
    body: str
    received_at: datetime
    session_id: uuid.UUID | None
    session_starts_at: datetime | None
    session_state: str | None
    state: str
    outcome: str
    suggested_topic: str  # a text that may be a request for help: the topic it most likely is about ("" none)

    @classmethod
    def of(cls, i: InboxItem) -> InboxOut:
        return cls(**{f: getattr(i, f) for f in cls.__struct_fields__})


class HandleIn(Input):
    outcome: Literal["called_back", "no_answer", "noted", "confirmed", "cancelled"]


class PushKeys(Input):
    p256dh: Annotated[str, msgspec.Meta(min_length=20, max_length=200, pattern=r"^[A-Za-z0-9_\-=]+$")]
    auth: Annotated[str, msgspec.Meta(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_\-=]+$")]


class SubscriptionIn(Input):
    """As the browser's PushSubscription.toJSON() gives it (expirationTime is ignored)."""

    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1000, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]
    keys: PushKeys
    expirationTime: int | None = None  # noqa: N815 - the browser's own name


class EndpointIn(Input):
    endpoint: Annotated[str, msgspec.Meta(min_length=10, max_length=1000, pattern=r"^https?://[^\s\x00-\x1f\x7f]+$")]


class PushKeyOut(msgspec.Struct, kw_only=True):
    public_key: str | None  # the VAPID applicationServerKey; None when web push is not set up


class SubscribedOut(msgspec.Struct, kw_only=True):
    subscriptions: int


class MessageSettings(msgspec.Struct, kw_only=True):
    code_word: str
    sms: bool  # False after the person replied STOP


class MessageSettingsIn(Input):
    code_word: Annotated[str, msgspec.Meta(max_length=20, pattern=SINGLE_LINE)] | None = None
    sms: bool | None = None


class MessagingController(Controller):
    path = "/api/v1"
    tags = ["messages"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get(
        "/sessions/{session_id:uuid}/notifications",
        opt=roles(*COORDINATORS),
        summary="The reminder ledger of a session",
    )
    async def ledger(self, session_id: FromPath[uuid.UUID], me: Me, services: Svc) -> list[LedgerLine]:
        """Every message planned for the session: when it was due, what happened, and why not if it was not
        sent (cancelled, too late, failed, with the provider's answer)."""
        lines = await services.messaging.ledger(me, session_id)
        return [LedgerLine.of(row, to) for row, to in lines]

    @get("/templates", opt=roles(*NETWORK), summary="Message templates with their SMS cost")
    async def templates(self, me: Me, services: Svc) -> list[TemplateOut]:
        return [TemplateOut.of(t) for t in await services.messaging.templates()]

    @put("/templates/{name:str}/{language:str}", opt=roles(*NETWORK), summary="Reword a message")
    async def save_template(
        self,
        name: FromPath[TemplateName],
        language: FromPath[Language],
        data: JSONBody[TemplateIn],
        me: Me,
        services: Svc,
    ) -> TemplateOut:
        """Placeholders are checked; the answer shows the cost in characters and SMS segments."""
        return TemplateOut.of(await services.messaging.save_template(me, name, language, data.body, data.link_free))

    @post(
        "/templates/{name:str}/{language:str}/preview",
        opt=roles(*NETWORK),
        status_code=200,
        summary="What a wording would cost (nothing is saved)",
    )
    async def preview_template(
        self, name: FromPath[TemplateName], language: FromPath[Language], data: JSONBody[TemplateIn], services: Svc
    ) -> TemplateOut:
        """The same checks and cost as saving, while the coordinator types: the dearer wording is seen before it
        is live."""
        return TemplateOut.of(services.messaging.preview_template(name, language, data.body, data.link_free))

    @delete("/templates/{name:str}/{language:str}", opt=roles(*NETWORK), status_code=200, summary="Back to default")
    async def reset_template(
        self, name: FromPath[TemplateName], language: FromPath[Language], me: Me, services: Svc
    ) -> TemplateOut:
        return TemplateOut.of(await services.messaging.reset_template(me, name, language))

    @get(
        "/inbox",
        opt=roles(*COORDINATORS),
        response_headers=NEXT_LINK,
        summary="SMS replies that need a person: open ones oldest first, handled ones newest first",
    )
    async def inbox(
        self,
        request: AnyRequest,
        me: Me,
        services: Svc,
        which: Annotated[Literal["open", "handled"], QueryParameter(name="state")] = "open",
        limit: Limit = DEFAULT_LIMIT,
        cursor: Cursor = None,
    ) -> Response[list[InboxOut]]:
        found = await services.inbox.items(me, page_request(limit, cursor), state=which)
        return paged(request, found.map(InboxOut.of))

    @post("/inbox/{item_id:uuid}/handle", opt=roles(*COORDINATORS), status_code=200, summary="Mark a reply handled")
    async def handle(self, item_id: FromPath[uuid.UUID], data: JSONBody[HandleIn], me: Me, services: Svc) -> InboxOut:
        """`confirmed` and `cancelled` also confirm or cancel the session the reply is about."""
        return InboxOut.of(await services.inbox.handle(me, item_id, data.outcome))

    @get("/push/key", opt=PUBLIC, summary="The key browsers subscribe to push with")
    async def push_key(self, services: Svc) -> PushKeyOut:
        settings = services.settings
        return PushKeyOut(public_key=settings.vapid_public_key if settings.vapid_configured else None)

    @post("/push/subscriptions", opt=SIGNED_IN, status_code=201, summary="Get pushes on this device")
    async def subscribe(self, data: JSONBody[SubscriptionIn], me: Me, services: Svc) -> SubscribedOut:
        count = await services.messaging.subscribe(me, data.endpoint, data.keys.p256dh, data.keys.auth)
        return SubscribedOut(subscriptions=count)

    @post("/push/subscriptions/remove", opt=SIGNED_IN, status_code=200, summary="No more pushes on this device")
    async def unsubscribe(self, data: JSONBody[EndpointIn], me: Me, services: Svc) -> SubscribedOut:
        return SubscribedOut(subscriptions=await services.messaging.unsubscribe(me, data.endpoint))

    @get("/me/messages", opt=SIGNED_IN, summary="My code word and whether I get SMS")
    async def my_settings(self, me: Me, services: Svc) -> MessageSettings:
        code_word, sms = await services.messaging.my_settings(me)
        return MessageSettings(code_word=code_word, sms=sms)

    @put("/me/messages", opt=SIGNED_IN, summary="Set my code word, or turn SMS back on or off")
    async def update_settings(self, data: JSONBody[MessageSettingsIn], me: Me, services: Svc) -> MessageSettings:
        """The code word is in every SMS Apuri sends you, so you can tell a real message from a scam."""
        code_word, sms = await services.messaging.update_settings(me, code_word=data.code_word, sms=data.sms)
        return MessageSettings(code_word=code_word, sms=sms)
