"""What Apuri holds about a person, as the tree the Helsinki profile GDPR API uses, and the rules of erasure
and retention.

A node is `{"key": "FIRST_NAME", "value": "Aino"}` or `{"key": "SESSIONS", "children": [...]}`. The same tree is
the resident's "My data" screen, their JSON download (GDPR art. 15 and 20) and the GDPR API's answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import msgspec

from server.domain.phone import display

Value = str | float | bool | None  # numbers as one type: "oneOf" integer and number would both match 45


class Node(msgspec.Struct, kw_only=True, omit_defaults=True):
    key: str
    value: Value = None
    children: list[Node] | None = None


def leaf(key: str, value: object) -> Node:
    if isinstance(value, (datetime, date)):
        return Node(key=key, value=value.isoformat())
    if isinstance(value, uuid.UUID):
        return Node(key=key, value=str(value))
    if isinstance(value, (list, tuple)):
        return Node(key=key, value=", ".join(str(v) for v in value))
    if value is None or isinstance(value, (str, int, float, bool)):
        return Node(key=key, value=value)
    return Node(key=key, value=str(value))


def record(key: str, fields: Mapping[str, object]) -> Node:
    """One record (a session, a message …): its non-empty fields as leaves, keys upper-cased."""
    return Node(
        key=key,
        children=[leaf(name.upper(), value) for name, value in fields.items() if value not in (None, "", [], {})],
    )


def group(key: str, item_key: str, items: Sequence[Mapping[str, object]]) -> Node:
    return Node(key=key, children=[record(item_key, item) for item in items])


def values(node: Node) -> list[str]:
    """Every value in the tree, as text (what a reader of the export sees)."""
    found = [] if node.value is None else [str(node.value)]
    for child in node.children or []:
        found.extend(values(child))
    return found


def phone_forms(e164: str) -> list[str]:
    """Every way Apuri writes a number: +358401234567, 0401234567, 040 123 4567."""
    if not e164.startswith("+358"):
        return [e164] if e164 else []
    national = "0" + e164[4:]
    return sorted({e164, national, display(e164)})


def erased_phone(person_id: uuid.UUID) -> str:
    """The number column is unique and required: an erased person gets a placeholder no input can match
    (every number Apuri takes in is parsed to +358…)."""
    return "erased-" + person_id.hex[:9]


@dataclass(frozen=True, slots=True)
class Periods:
    """Retention periods in days (settings, README "Personal data")."""

    inactive_resident_days: int
    note_days: int
    message_days: int
    staff_days: int

    def cutoffs(self, now: datetime) -> Cutoffs:
        return Cutoffs(
            inactive_before=now - timedelta(days=self.inactive_resident_days),
            notes_before=now - timedelta(days=self.note_days),
            messages_before=now - timedelta(days=self.message_days),
            staff_before=now - timedelta(days=self.staff_days),
        )


@dataclass(frozen=True, slots=True)
class Cutoffs:
    inactive_before: datetime
    notes_before: datetime
    messages_before: datetime
    staff_before: datetime


@dataclass(frozen=True, slots=True)
class Upcoming:
    """Something erasure cancels first: a coming session or an open request."""

    kind: str  # session | request
    id: uuid.UUID
    topic: str
    starts_at: datetime | None
    place: str


@dataclass(frozen=True, slots=True)
class Erased:
    person_id: uuid.UUID
    cancelled_sessions: int
    cancelled_requests: int
    already: bool = False


def removed_total(removed: Mapping[str, Any]) -> int:
    return sum(int(v) for v in removed.values())
