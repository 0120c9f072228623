"""Organisations and help points, scoped to the coordinator asking."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from server.adapters.clock import Clock
from server.db import network as q
from server.db.engine import AnyEngine, write_transaction
from server.domain import network
from server.domain.errors import Forbidden, NotFound
from server.domain.municipalities import finnish_name
from server.domain.paging import Page, PageRequest
from server.domain.phone import parse_any
from server.domain.roles import Principal
from server.services.audit import AuditService


class NetworkService:
    def __init__(self, *, clock: Clock, engine: AnyEngine, audit: AuditService) -> None:
        self._clock = clock
        self._engine = engine
        self._audit = audit

    # ---- organisations -----------------------------------------------------------------------------------

    async def organisations(self, caller: Principal, page: PageRequest) -> Page[network.Organisation]:
        return await q.list_organisations(page, within=caller.oversees)

    async def partners(self, page: PageRequest) -> Page[network.Organisation]:
        """Every organisation of the network by name (names and numbers are public: a coordinator refers a
        request to any of them)."""
        return await q.list_organisations(page, within=None)

    async def organisation(self, caller: Principal, organisation_id: uuid.UUID) -> network.Organisation:
        if not caller.coordinates(organisation_id):
            raise NotFound("No such organisation.", code="organisation_not_found")
        found = await q.get_organisation(organisation_id)
        if found is None:
            raise NotFound("No such organisation.", code="organisation_not_found")
        return found

    async def create_organisation(
        self,
        caller: Principal,
        *,
        name: str,
        kind: network.OrganisationKind,
        municipality: str,
        phone: str | None,
        description: str = "",
        translations: Mapping[str, Mapping[str, str | None]] | None = None,
    ) -> network.Organisation:
        if not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator adds organisations.", code="network_only")
        async with write_transaction(self._engine):
            organisation_id = await q.insert_organisation(
                name=name,
                kind=kind,
                municipality=finnish_name(municipality),
                phone=parse_any(phone),
                now=self._clock.now(),
                description=description.strip(),
                translations=network.clean_translations(translations or {}, network.PARTNER_FIELDS),
            )
            await self._audit.record(
                caller, "organisation.create", "organisation", str(organisation_id), organisation_id=organisation_id
            )
        return await self.organisation(caller, organisation_id)

    async def update_organisation(
        self, caller: Principal, organisation_id: uuid.UUID, changes: dict[str, Any]
    ) -> network.Organisation:
        await self.organisation(caller, organisation_id)
        if "active" in changes and not caller.is_network_coordinator:
            raise Forbidden("Only the network coordinator deactivates organisations.", code="network_only")
        if "phone" in changes:
            changes["phone"] = parse_any(changes["phone"])
        if "kind" in changes:
            changes["kind"] = network.OrganisationKind(changes["kind"]).value
        if "municipality" in changes:
            changes["municipality"] = finnish_name(changes["municipality"])
        if "translations" in changes:
            changes["translations"] = network.clean_translations(changes["translations"], network.PARTNER_FIELDS)
        async with write_transaction(self._engine):
            await q.update_organisation(organisation_id, changes)
            await self._audit.record(
                caller,
                "organisation.update",
                "organisation",
                str(organisation_id),
                organisation_id=organisation_id,
                detail={"fields": sorted(changes)},
            )
        return await self.organisation(caller, organisation_id)

    # ---- help points -------------------------------------------------------------------------------------

    async def public_help_points(self, page: PageRequest, municipality: str | None) -> Page[network.HelpPoint]:
        """Active help points of active organisations: public information residents choose from. The municipality
        may be named in Finnish or Swedish ("Kajana")."""
        named = finnish_name(municipality) if municipality is not None else None
        return await q.list_help_points(page, within=None, active_only=True, municipality=named)

    async def public_help_point(self, help_point_id: uuid.UUID) -> network.HelpPoint:
        found = await q.get_help_point(help_point_id)
        if found is None or not found.active:
            raise NotFound("No such help point.", code="help_point_not_found")
        organisation = await q.get_organisation(found.organisation_id)
        if organisation is None or not organisation.active:
            raise NotFound("No such help point.", code="help_point_not_found")
        return found

    async def managed_help_points(
        self, caller: Principal, organisation_id: uuid.UUID, page: PageRequest
    ) -> Page[network.HelpPoint]:
        """The help points of one organisation the caller coordinates, open or not."""
        await self.organisation(caller, organisation_id)
        return await q.list_help_points(page, within={organisation_id}, active_only=False)

    async def managed_help_point(self, caller: Principal, help_point_id: uuid.UUID) -> network.HelpPoint:
        found = await q.get_help_point(help_point_id)
        if found is None or not caller.coordinates(found.organisation_id):
            raise NotFound("No such help point.", code="help_point_not_found")
        return found

    async def create_help_point(
        self,
        caller: Principal,
        organisation_id: uuid.UUID,
        values: dict[str, Any],
        opening_hours: list[network.OpeningPeriod],
    ) -> network.HelpPoint:
        await self.organisation(caller, organisation_id)
        network.validate_coordinates(values.get("latitude"), values.get("longitude"))
        periods = network.validate_opening_hours(opening_hours)
        values = _place_values(values)
        async with write_transaction(self._engine):
            help_point_id = await q.insert_help_point(
                organisation_id=organisation_id, values=values, now=self._clock.now()
            )
            await q.replace_opening_hours(help_point_id, periods)
            await self._audit.record(
                caller, "help_point.create", "help_point", str(help_point_id), organisation_id=organisation_id
            )
        return await self.managed_help_point(caller, help_point_id)

    async def update_help_point(
        self,
        caller: Principal,
        help_point_id: uuid.UUID,
        changes: dict[str, Any],
        opening_hours: list[network.OpeningPeriod] | None,
    ) -> network.HelpPoint:
        current = await self.managed_help_point(caller, help_point_id)
        network.validate_coordinates(
            changes.get("latitude", current.latitude), changes.get("longitude", current.longitude)
        )
        periods = network.validate_opening_hours(opening_hours) if opening_hours is not None else None
        changes = _place_values(changes)
        async with write_transaction(self._engine):
            await q.update_help_point(help_point_id, changes)
            if periods is not None:
                await q.replace_opening_hours(help_point_id, periods)
            await self._audit.record(
                caller,
                "help_point.update",
                "help_point",
                str(help_point_id),
                organisation_id=current.organisation_id,
                detail={"fields": sorted(changes) + (["opening_hours"] if periods is not None else [])},
            )
        return await self.managed_help_point(caller, help_point_id)


def _place_values(values: dict[str, Any]) -> dict[str, Any]:
    """A help point's fields as kept: the municipality by its Finnish name, only the translations filled in."""
    values = dict(values)
    if "municipality" in values:
        values["municipality"] = finnish_name(values["municipality"])
    if "translations" in values:
        values["translations"] = network.clean_translations(values["translations"], network.PLACE_FIELDS)
    return values
