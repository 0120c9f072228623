"""Topics: public list for residents; the network coordinator edits; partners choose the topics they serve."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter

from server.http.schemas import MULTI_LINE, SINGLE_LINE, Input
from server.http.security import COORDINATORS, NETWORK, PUBLIC, Me, Svc, caller, roles
from server.http.topic_volunteer_schemas import ServedTopics, ServedTopicsOut, TopicCreate, TopicIn, TopicOut

CodeParam = Annotated[str, PathParameter(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class TopicsController(Controller):
    path = "/api/v1/topics"
    tags = ["topics"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=PUBLIC, summary="Topics residents can ask help with")
    async def list_(
        self, request: Request[Any, Any, Any], services: Svc, include_inactive: FromQuery[bool] = False
    ) -> list[TopicOut]:
        """`include_inactive` is for the network coordinator."""
        found = await services.topics.topics(request.scope.get("user"), include_inactive=include_inactive)
        return [TopicOut.of(t) for t in found]

    @get("/{code:str}", opt=PUBLIC, summary="One topic with its bring-with-you list")
    async def show(self, code: CodeParam, services: Svc) -> TopicOut:
        return TopicOut.of(await services.topics.topic(code))

    @post("/", opt=roles(*NETWORK), summary="Add a topic")
    async def create(self, data: JSONBody[TopicCreate], me: Me, services: Svc) -> TopicOut:
        return TopicOut.of(await services.topics.create(me, data.domain(data.code)))

    @put("/{code:str}", opt=roles(*NETWORK), summary="Change a topic (or retire it with active=false)")
    async def replace(self, code: CodeParam, data: JSONBody[TopicIn], me: Me, services: Svc) -> TopicOut:
        return TopicOut.of(await services.topics.update(me, data.domain(code)))


Stem = Annotated[str, msgspec.Meta(min_length=3, max_length=40, pattern=SINGLE_LINE)]


class TopicWordsIn(Input):
    words: Annotated[list[Stem], msgspec.Meta(max_length=100)]


class BuiltInWords(msgspec.Struct, kw_only=True):
    strong: list[str]
    weak: list[str]


class TopicWordsOut(msgspec.Struct, kw_only=True):
    """How texts are read for this topic: the network's own stems (strong: each names the topic) and the built-in
    ones by language. Stems match inside words, without case or å/ä/ö, one letter off in long ones."""

    topic: str
    words: list[str]
    built_in: dict[str, BuiltInWords]


class TextIn(Input):
    text: Annotated[str, msgspec.Meta(min_length=1, max_length=1600, pattern=MULTI_LINE)]


class ReadingOut(msgspec.Struct, kw_only=True):
    topic: str | None  # clear: what the text books
    guess: str | None  # unclear: the likeliest topic shown in the inbox
    language: str | None
    scores: dict[str, int]


async def _words_out(code: str, services: Svc) -> TopicWordsOut:
    own, built_in = await services.topics.words(code)
    languages = built_in.get(code, {})
    return TopicWordsOut(
        topic=code,
        words=own,
        built_in={lang: BuiltInWords(strong=list(s), weak=list(w)) for lang, (s, w) in languages.items()},
    )


class TopicWordsController(Controller):
    path = "/api/v1/topics"
    tags = ["topics"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/{code:str}/words", opt=PUBLIC, summary="The words a text is read for this topic by")
    async def words(self, code: CodeParam, services: Svc) -> TopicWordsOut:
        return await _words_out(code, services)

    @put("/{code:str}/words", opt=roles(*NETWORK), summary="Set the network's own words for this topic")
    async def set_words(self, code: CodeParam, data: JSONBody[TopicWordsIn], me: Me, services: Svc) -> TopicWordsOut:
        await services.topics.set_words(me, code, data.words)
        return await _words_out(code, services)

    @post("/read", opt=roles(*NETWORK), status_code=200, summary="Try how a text message would be read")
    async def read_text(self, data: JSONBody[TextIn], me: Me, services: Svc) -> ReadingOut:
        found = await services.topics.read_text(me, data.text)
        return ReadingOut(topic=found.topic, guess=found.guess, language=found.language, scores=dict(found.scores))


class OrganisationTopicsController(Controller):
    path = "/api/v1/organisations/{organisation_id:uuid}/topics"
    tags = ["topics"]
    dependencies = {"me": Provide(caller, sync_to_thread=False)}

    @get("/", opt=roles(*COORDINATORS), summary="Topics this organisation serves with its own staff")
    async def show(self, organisation_id: FromPath[uuid.UUID], me: Me, services: Svc) -> ServedTopicsOut:
        return ServedTopicsOut(topics=await services.topics.served_by(me, organisation_id))

    @put("/", opt=roles(*COORDINATORS), summary="Set the topics this organisation serves")
    async def replace(
        self, organisation_id: FromPath[uuid.UUID], data: JSONBody[ServedTopics], me: Me, services: Svc
    ) -> ServedTopicsOut:
        return ServedTopicsOut(topics=await services.topics.set_served_by(me, organisation_id, data.topics))
