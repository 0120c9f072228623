"""Volunteering by application: anyone signed in asks to volunteer with an organisation; its coordinator (or the
network coordinator) approves, which grants the volunteer role there, or declines. The applicant is told by
SMS either way. Applicants' details are personal data: coordinators' reads are audited."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.adapters.clock import Clock
from server.db import applications as q
from server.db import network as network_q
from server.db import outbox
from server.db import people as people_q
from server.db.engine import AnyEngine, serialise, write_transaction
from server.domain.errors import Conflict, InvalidInput, NotFound
from server.domain.paging import Page, PageRequest
from server.domain.records import ApplicationRow
from server.domain.roles import Principal, Role
from server.services.audit import AuditService
from server.services.notifications import NotificationService

MAX_MESSAGE = 1000


class ApplicationService:
    def __init__(
        self, *, clock: Clock, engine: AnyEngine, audit: AuditService, notifications: NotificationService
    ) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit
        self._notifications = notifications

    async def apply(
        self, caller: Principal, organisation_id: uuid.UUID, *, message: str, first_name: str | None
    ) -> ApplicationRow:
        organisation = await network_q.get_organisation(organisation_id)
        if organisation is None or not organisation.active:
            raise NotFound("No such organisation.", code="organisation_not_found")
        if any(g.role is Role.VOLUNTEER and g.organisation_id == organisation_id for g in caller.grants):
            raise Conflict("You already volunteer with this organisation.", code="already_member")
        name = (first_name or "").strip() or caller.first_name
        if not name:
            raise InvalidInput("Tell us your first name, so the coordinator knows who is asking.", code="name_required")
        now = self._clock.now()
        async with write_transaction(self._engine):
            await serialise(self._engine, f"application:{caller.person_id}")
            if await q.pending_exists(caller.person_id, organisation_id):
                raise Conflict("You have already asked; the coordinator will answer.", code="application_pending")
            if first_name:
                await people_q.update_person(caller.person_id, {"first_name": name})
            application_id = await q.insert(
                person_id=caller.person_id, organisation_id=organisation_id, message=message.strip(), now=now
            )
            await self._audit.record(
                caller,
                "application.create",
                "volunteer_application",
                str(application_id),
                organisation_id=organisation_id,
                subject_id=caller.person_id,
            )
        return await self._reread(application_id)

    async def mine(self, caller: Principal, page: PageRequest) -> Page[ApplicationRow]:
        return await q.of_person(caller.person_id, page)

    async def withdraw(self, caller: Principal, application_id: uuid.UUID) -> ApplicationRow:
        found = await q.get(application_id)
        if found is None or found.person_id != caller.person_id:
            raise NotFound("No such application.", code="application_not_found")
        async with write_transaction(self._engine):
            if not await q.decide(application_id, state="withdrawn", by=caller.person_id, now=self._clock.now()):
                raise Conflict("This application has already been answered.", code="application_decided")
            await self._audit.record(caller, "application.withdraw", "volunteer_application", str(application_id))
        return await self._reread(application_id)

    async def waiting(self, caller: Principal, page: PageRequest, *, state: str) -> Page[ApplicationRow]:
        found = await q.of_organisations(caller.oversees, state, page)
        n = len(found.items)
        await self._audit.record(caller, "application.read", "volunteer_application", state, detail={"n": n})
        return found

    async def _visible(self, caller: Principal, application_id: uuid.UUID) -> ApplicationRow:
        found = await q.get(application_id)
        if found is None or not caller.coordinates(found.organisation_id):
            raise NotFound("No such application.", code="application_not_found")
        return found

    async def decide(self, caller: Principal, application_id: uuid.UUID, *, approve: bool) -> ApplicationRow:
        """Approve (the volunteer role in that organisation) or decline; the applicant gets an SMS."""
        found = await self._visible(caller, application_id)
        now = self._clock.now()
        state = "approved" if approve else "declined"
        async with write_transaction(self._engine):
            if not await q.decide(application_id, state=state, by=caller.person_id, now=now):
                raise Conflict("This application has already been answered or withdrawn.", code="application_decided")
            if approve:
                await people_q.grant(
                    person_id=found.person_id, role=Role.VOLUNTEER, organisation_id=found.organisation_id, now=now
                )
            language = found.language if found.language in ("fi", "sv", "en") else "fi"
            text = self._notifications.text(
                await self._notifications.templates(),
                f"applicant.{state}",
                language,
                {"organisation": found.organisation_name},
            )
            await outbox.insert(
                [
                    outbox.Draft(
                        key=f"application:{application_id}:{state}",
                        kind=f"application_{state}",
                        channel="sms",
                        body=text,
                        due_at=now,
                        not_after=now + timedelta(days=2),
                        person_id=found.person_id,
                        phone=found.phone,
                        language=language,
                    )
                ],
                now,
            )
            await self._audit.record(
                caller,
                f"application.{'approve' if approve else 'decline'}",
                "volunteer_application",
                str(application_id),
                organisation_id=found.organisation_id,
                subject_id=found.person_id,
            )
        return await self._reread(application_id)

    async def _reread(self, application_id: uuid.UUID) -> ApplicationRow:
        found = await q.get(application_id)
        assert found is not None
        return found
