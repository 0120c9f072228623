"""The topic list (network coordinator) and the topics each partner serves (its coordinators)."""

from __future__ import annotations

import uuid

from server.adapters.clock import Clock
from server.db import network as network_q
from server.db import topics as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.domain.roles import Principal
from server.domain.topics import Topic, validate_topic
from server.services.audit import AuditService


class TopicService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    async def topics(self, caller: Principal | None, *, include_inactive: bool) -> list[Topic]:
        if include_inactive and not (caller and caller.is_network_coordinator and caller.second_factor):
            raise Forbidden("Only the network coordinator sees retired topics.", code="network_only")
        return await q.list_topics(active_only=not include_inactive)

    async def topic(self, code: str) -> Topic:
        found = await q.get_topic(code)
        if found is None or not found.active:
            raise NotFound("No such topic.", code="topic_not_found")
        return found

    async def _check_partner(self, topic: Topic) -> None:
        if topic.partner_only_organisation_id is not None:
            organisation = await network_q.get_organisation(topic.partner_only_organisation_id)
            if organisation is None:
                raise InvalidInput("The partner organisation does not exist.", code="organisation_not_found")

    async def create(self, caller: Principal, topic: Topic) -> Topic:
        topic = validate_topic(topic)
        await self._check_partner(topic)
        async with write_transaction(self._engine):
            if await q.get_topic(topic.code) is not None:
                raise Conflict(f"Topic {topic.code} exists already.", code="topic_exists")
            await q.insert_topic(topic)
            await self._audit.record(caller, "topic.create", "topic", topic.code)
        return topic

    async def update(self, caller: Principal, topic: Topic) -> Topic:
        topic = validate_topic(topic)
        await self._check_partner(topic)
        async with write_transaction(self._engine):
            if await q.get_topic(topic.code) is None:
                raise NotFound("No such topic.", code="topic_not_found")
            await q.update_topic(topic)
            await self._audit.record(caller, "topic.update", "topic", topic.code)
        return topic

    async def served_by(self, caller: Principal, organisation_id: uuid.UUID) -> list[str]:
        if not caller.coordinates(organisation_id) or await network_q.get_organisation(organisation_id) is None:
            raise NotFound("No such organisation.", code="organisation_not_found")
        return await q.organisation_topics(organisation_id)

    async def set_served_by(self, caller: Principal, organisation_id: uuid.UUID, codes: list[str]) -> list[str]:
        await self.served_by(caller, organisation_id)
        unknown = sorted(set(codes) - await q.active_codes())
        if unknown:
            raise InvalidInput(f"Unknown topic: {', '.join(unknown)}.", code="topic_unknown")
        async with write_transaction(self._engine):
            await q.replace_organisation_topics(organisation_id, codes)
            await self._audit.record(
                caller,
                "organisation.topics",
                "organisation",
                str(organisation_id),
                organisation_id=organisation_id,
                detail={"topics": sorted(set(codes))},
            )
        return await q.organisation_topics(organisation_id)
