"""Every list pages: the one convention, as pure rules.

A page is asked for with a `limit` (1..500, default 100) and the `cursor` the previous page ended with. The cursor
is opaque to clients: base64url (no padding) of a JSON list, the last item's sort key followed by its id, so the
next page starts strictly after that item (keyset paging: no OFFSET, no item twice or missed when rows are added
meanwhile). A cursor that cannot be read, or does not fit the list, is a 422 `invalid_cursor` (one that is not
even base64url text is refused at the edge, with a 400).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from server.domain.errors import InvalidInput

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_CURSOR = 600  # characters: a few datetimes, ids and names of up to 200 characters fit with room
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"
_CURSOR = re.compile(CURSOR_PATTERN)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

T = TypeVar("T")
U = TypeVar("U")
KeyValue = str | int | bool | datetime | uuid.UUID
KeyType = type[str] | type[int] | type[bool] | type[datetime] | type[uuid.UUID]


def _bad(detail: str = "This cursor cannot be read: start again from the first page.") -> InvalidInput:
    """A cursor the server did not make (or made for another list)."""
    return InvalidInput(detail, code="invalid_cursor")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page: at most `limit` items, after the item `cursor` names (None: the first page)."""

    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit is 1 to {MAX_LIMIT}")  # the HTTP edge refuses others with a 400

    def after(self, types: Sequence[KeyType]) -> tuple[KeyValue, ...] | None:
        """The sort key (and id) of the item this page starts after, typed as `types`; None on the first page."""
        return None if self.cursor is None else decode_cursor(self.cursor, types)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list, and how to ask for the next one (None: this is the last page)."""

    items: tuple[T, ...]
    next: PageRequest | None = None

    def map(self, convert: Callable[[T], U]) -> Page[U]:
        return Page(tuple(convert(item) for item in self.items), self.next)


def page_of(found: Sequence[T], asked: PageRequest, key: Callable[[T], Sequence[KeyValue]]) -> Page[T]:
    """The page from `found`, fetched in order with one item more than asked (that extra item says that a next
    page exists); the next page starts after the last item kept."""
    if len(found) <= asked.limit:
        return Page(tuple(found))
    items = tuple(found[: asked.limit])
    return Page(items, PageRequest(asked.limit, encode_cursor(key(items[-1]))))


def _plain(value: KeyValue) -> str | int | bool:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a cursor keeps only times with an offset")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def encode_cursor(key: Sequence[KeyValue]) -> str:
    text = json.dumps([_plain(v) for v in key], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _typed(value: object, wanted: KeyType) -> KeyValue:
    if wanted is bool:
        if isinstance(value, bool):
            return value
    elif wanted is int:
        # Within a 64-bit integer: anything bigger no database column holds.
        if isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63:
            return value
    elif wanted is str:
        # No control characters (PostgreSQL cannot even hold NUL) and nothing that is not UTF-8.
        if isinstance(value, str) and len(value) <= 400 and not _CONTROL.search(value):
            value.encode("utf-8")
            return value
    elif wanted is uuid.UUID:
        if isinstance(value, str) and len(value) == 36:
            return uuid.UUID(value)
    elif wanted is datetime and isinstance(value, str) and len(value) <= 40:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is not None:
            return moment.astimezone(UTC)
    raise ValueError(f"not a {wanted.__name__}")


def decode_cursor(token: str, types: Sequence[KeyType]) -> tuple[KeyValue, ...]:
    """The key a cursor holds, each part of the type asked for; 422 `invalid_cursor` if it holds anything else."""
    if len(token) > MAX_CURSOR or not _CURSOR.fullmatch(token):
        raise _bad()
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _bad() from error
    if not isinstance(values, list) or len(values) != len(types):
        raise _bad("This cursor belongs to another list: start again from the first page.")
    try:
        return tuple(_typed(v, t) for v, t in zip(values, types, strict=True))
    except (ValueError, OverflowError, UnicodeEncodeError) as error:
        raise _bad() from error
