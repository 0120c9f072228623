"""Column values as Piccolo hands them back, made the same on SQLite and PostgreSQL. Raw SQL on SQLite can return
a uuid as text (where the value has lost its column's declared type) while asyncpg returns `uuid.UUID`; a JSON
column comes back as its stored text (on both engines: no JSON codec is registered with either driver), NULL as
None, and a value already decoded is accepted too. Queries pass such values through these functions instead of
each decoding them its own way."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from typing import Any


def as_uuid(value: object) -> uuid.UUID:
    """A uuid column's value, text or `uuid.UUID`."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def as_uuid_or_none(value: object) -> uuid.UUID | None:
    """A nullable uuid column's value."""
    return None if value is None else as_uuid(value)


def as_json(value: object, empty: Any) -> Any:
    """A JSON column's value as Python data: the text decoded, an already decoded value as it is, `empty` for
    NULL and for an empty text."""
    if isinstance(value, str):
        return json.loads(value) if value else empty
    return empty if value is None else value


def as_list(value: Any) -> tuple[Any, ...]:
    """A JSON list column (languages, needs, outcomes) as a tuple."""
    if isinstance(value, str):
        return _list_of_text(value)
    return tuple(value or ())


@lru_cache(maxsize=1024)
def _list_of_text(text: str) -> tuple[Any, ...]:
    """Each distinct text decoded once: matching reads the same handful of lists for every volunteer."""
    return tuple(as_json(text, ()))


def as_dict(value: object) -> dict[str, Any]:
    """A JSON object column; {} for NULL or anything that is not an object."""
    found = as_json(value, {})
    return found if isinstance(found, dict) else {}


def as_names(value: object) -> dict[str, str]:
    """A JSON object of texts by language (a topic's names) as text to text."""
    return {str(k): str(v) for k, v in as_dict(value).items()}
