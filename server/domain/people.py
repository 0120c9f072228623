"""People as the rest of the system sees them: a name, a number, a language and their roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from server.domain.roles import Grant

LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True, slots=True)
class PersonView:
    id: uuid.UUID
    first_name: str
    last_name: str
    phone: str
    language: str
    active: bool
    created_at: datetime
    grants: frozenset[Grant]
