"""Topics: public list for residents; the network coordinator edits; partners choose the topics they serve."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.di import Provide
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter

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
