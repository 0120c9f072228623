"""Roles and the signed-in principal. Scoping decisions are made from these, never from request data."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field


class Role(enum.StrEnum):
    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    PARTNER_COORDINATOR = "partner_coordinator"
    NETWORK_COORDINATOR = "network_coordinator"


STAFF_ROLES = frozenset({Role.PARTNER_COORDINATOR, Role.NETWORK_COORDINATOR})
ORG_SCOPED_ROLES = frozenset({Role.VOLUNTEER, Role.PARTNER_COORDINATOR})


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    organisation_id: uuid.UUID | None


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: loaded from the session on every request, so role changes apply at once."""

    person_id: uuid.UUID
    sign_in_id: uuid.UUID  # the sign-in this request came with (not a help session)
    first_name: str
    language: str
    grants: frozenset[Grant] = field(default_factory=frozenset)
    # Coordinators must have entered their password in this session (second factor).
    second_factor: bool = False

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_network_coordinator(self) -> bool:
        return self.has(Role.NETWORK_COORDINATOR)

    @property
    def is_coordinator(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def coordinated_organisations(self) -> frozenset[uuid.UUID]:
        return frozenset(
            g.organisation_id
            for g in self.grants
            if g.role is Role.PARTNER_COORDINATOR and g.organisation_id is not None
        )

    @property
    def oversees(self) -> frozenset[uuid.UUID] | None:
        """The organisations whose requests, sessions and people a coordinator sees; None: the whole network."""
        return None if self.is_network_coordinator else self.coordinated_organisations

    def coordinates(self, organisation_id: uuid.UUID) -> bool:
        """True if this caller may manage `organisation_id` (network coordinators manage all)."""
        return self.is_network_coordinator or organisation_id in self.coordinated_organisations


def lifetime_class(roles: frozenset[Role]) -> str:
    """Which idle/absolute lifetime a new session gets: the strictest of the person's roles."""
    if roles & STAFF_ROLES:
        return "coordinator"
    if Role.VOLUNTEER in roles:
        return "volunteer"
    return "resident"


_STRICTNESS = {"resident": 0, "volunteer": 1, "coordinator": 2}


def stricter(a: str, b: str) -> str:
    """Of two lifetime classes, the one with the shorter lifetimes."""
    return a if _STRICTNESS[a] >= _STRICTNESS[b] else b


@dataclass(frozen=True, slots=True)
class ForResident:
    """Staff acting on a resident's word (on the phone, or in an SMS reply a coordinator read): who acts, for whom,
    and which check found the resident's session within what the actor oversees. Services that act for a resident
    take this instead of the resident's own principal, so a reader sees where the scope was checked."""

    actor: Principal
    resident_id: uuid.UUID
    scope_checked_by: str  # the check that put the resident's session within the actor's scope
