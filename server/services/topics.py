"""The topic list (network coordinator) and the topics each partner serves (its coordinators)."""

from __future__ import annotations

import uuid

from server.adapters.clock import Clock
from server.db import network as network_q
from server.db import text_booking as text_q
from server.db import topics as q
from server.db.engine import AnyEngine, write_transaction
from server.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from server.domain.roles import Principal
from server.domain.text_booking import DEFAULT_LEXICON, Lexicon, Reading, lexicon_with, read, words_of
from server.domain.topics import Topic, validate_topic
from server.services.audit import AuditService

MIN_WORD = 3  # shorter stems would match inside too many words


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

    # ---- reading texts (booking by text message) ----------------------------------------------------------------

    async def words(self, code: str) -> tuple[list[str], Lexicon]:
        """The network's own stems for a topic, and the built-in ones (by language: strong, weak). Public, like
        the topics: only the network coordinator changes them."""
        await self.topic(code)
        return (await text_q.words()).get(code, []), {code: DEFAULT_LEXICON.get(code, {})}

    async def set_words(self, caller: Principal, code: str, stems: list[str]) -> list[str]:
        """Replace the network's own stems for a topic (folded: no case, å/ä/ö as a/a/o; duplicates dropped)."""
        self._network_only(caller)
        await self.topic(code)
        clean = list(dict.fromkeys(w for w in (" ".join(words_of(s)) for s in stems) if len(w) >= MIN_WORD))
        async with write_transaction(self._engine):
            await text_q.replace_words(code, clean, self._clock.now())
            await self._audit.record(caller, "topic.words", "topic", code, detail={"words": len(clean)})
        return clean

    async def read_text(self, caller: Principal, body: str) -> Reading:
        """How a text would be read (for the network coordinator trying the lexicon out)."""
        self._network_only(caller)
        topics = await q.list_topics(active_only=True)
        return read(body, lexicon_with(await text_q.words(), [t.code for t in topics]))

    @staticmethod
    def _network_only(caller: Principal) -> None:
        if not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator keeps the words topics are read by.", code="network_only")
