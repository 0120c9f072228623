"""The help request, the product's central noun: a resident's need for help, booked at a time or flexible ("call
me when someone can help"). What a new one says, and a stored one as services read it. Its queries are in
server/db/requests.py; its states in server/domain/states.py."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from server.domain.matching import Modality, Need, Place


@dataclass(frozen=True, slots=True)
class NewRequest:
    """What a new request says, before it has an id or a state: the resident's own, or one a coordinator makes
    for a resident who phoned (`booked_by`, with the resident's consent)."""

    resident_id: uuid.UUID
    topic: str
    language: str
    modality: Modality
    help_point_id: uuid.UUID | None
    needs: frozenset[Need]
    created_at: datetime
    channel: str = "pwa"  # pwa | phone | coordinator
    home_address: str = ""
    home: Place | None = None
    booked_by: uuid.UUID | None = None
    consent_at: datetime | None = None
    idempotency_key: str | None = None
    idempotency_fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class HelpRequestRow:
    id: uuid.UUID
    resident_id: uuid.UUID
    topic: str
    language: str
    modality: Modality
    help_point_id: uuid.UUID | None
    needs: frozenset[Need]
    state: str
    channel: str
    created_at: datetime
    home_address: str = ""
    home: Place | None = None
    routed_to: uuid.UUID | None = None
    booked_by: uuid.UUID | None = None
    consent_at: datetime | None = None
    matched_at: datetime | None = None
    idempotency_key: str | None = None
    idempotency_fingerprint: str | None = None
