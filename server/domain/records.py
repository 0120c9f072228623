"""Plain records the database hands back and the services and the API use: what the API returns is built from
these (never from table rows), so handlers talk to services only. No I/O here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SessionRow:
    """A help session (a meeting or a call between a resident and a volunteer) as the services and the API read it."""

    id: uuid.UUID
    request_id: uuid.UUID
    resident_id: uuid.UUID
    volunteer_id: uuid.UUID | None
    help_point_id: uuid.UUID | None
    modality: str
    starts_at: datetime
    ends_at: datetime
    state: str
    version: int
    topic: str
    resident_first_name: str
    resident_phone: str
    volunteer_first_name: str | None
    minutes_spent: int | None = None
    outcomes: tuple[str, ...] = ()
    note: str = ""
    language: str = "fi"
    needs: tuple[str, ...] = ()
    home_address: str = ""


@dataclass(frozen=True, slots=True)
class OfferRow:
    """A request offered to one volunteer; the resident's name, number and address only matter once accepted."""

    id: uuid.UUID
    request_id: uuid.UUID
    volunteer_id: uuid.UUID
    round: int
    state: str
    created_at: datetime
    expires_at: datetime
    topic: str
    language: str
    modality: str
    help_point_id: uuid.UUID | None
    request_state: str
    resident_id: uuid.UUID
    resident_first_name: str
    resident_phone: str
    home_address: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QueuedRequest:
    """A request waiting in a coordinators' queue: nobody has it yet, or it was routed to a partner."""

    id: uuid.UUID
    state: str
    topic: str
    language: str
    modality: str
    channel: str
    help_point_id: uuid.UUID | None
    routed_to: uuid.UUID | None
    resident_first_name: str
    created_at: datetime
    pending_offers: int
    needs: tuple[str, ...] = ()
    referral_note: str | None = None  # the latest referral's note for the partner (None: never referred)


@dataclass(frozen=True, slots=True)
class InboxItem:
    """An SMS reply that needs a person, with the session it is about."""

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
    suggested_topic: str = ""  # a text read for a topic that was not clear: the likeliest one ("" none)


@dataclass(frozen=True, slots=True)
class Callback:
    """A caller waiting to be called back (from the voice menu), with the keys they pressed."""

    id: uuid.UUID
    phone: str
    person_id: uuid.UUID | None
    first_name: str
    language: str
    reason: str
    tried: list[str]
    session_id: uuid.UUID | None
    state: str
    created_at: datetime
    outcome: str


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """Someone's application to volunteer with an organisation, as its coordinator sees it."""

    id: uuid.UUID
    person_id: uuid.UUID
    organisation_id: uuid.UUID
    organisation_name: str
    first_name: str
    last_name: str
    phone: str
    language: str
    message: str
    state: str
    created_at: datetime
    decided_at: datetime | None


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """Accessibility feedback as sent, and whether and when it was answered."""

    id: uuid.UUID
    message: str
    contact: str
    language: str
    page: str
    created_at: datetime
    answered_at: datetime | None
    answer_note: str


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit trail: ids, never names, numbers or addresses."""

    id: int
    at: datetime
    actor_id: uuid.UUID | None
    actor_role: str
    action: str
    object_type: str
    object_id: str
    organisation_id: uuid.UUID | None
    subject_id: uuid.UUID | None
    detail: dict[str, Any]
