"""The paging rules (server/domain/paging.py): a cursor gives back exactly the key it was made of, anything else
a client sends as a cursor is a 422 `invalid_cursor`, and a page knows whether another follows."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.errors import InvalidInput
from server.domain.paging import (
    MAX_LIMIT,
    KeyType,
    PageRequest,
    decode_cursor,
    encode_cursor,
    page_of,
)

KEY: tuple[KeyType, ...] = (datetime, str, int, uuid.UUID)
ROW = "5e3a0c1e-7d1b-4f5e-9a0b-2c6d8e1f3a4b"


def _raw(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]),
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=200),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.uuids(),
)
def test_a_cursor_gives_back_its_key(at: datetime, text: str, number: int, row_id: uuid.UUID) -> None:
    token = encode_cursor([at, text, number, row_id])
    assert decode_cursor(token, KEY) == (at, text, number, row_id)
    assert decode_cursor(token, KEY)[0].tzinfo == UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!!",
        "AAAA",
        _raw([]),
        _raw(["2026-11-23T09:00:00+00:00", "a", 1]),
        _raw(["2026-11-23T09:00:00", "a", 1, ROW]),  # a time without its offset
        _raw(["2026-11-23T09:00:00+00:00", "a\x00", 1, ROW]),
        _raw(["2026-11-23T09:00:00+00:00", "\ud800", 1, ROW]),
        _raw(["2026-11-23T09:00:00+00:00", "a", 2**63, ROW]),
        _raw(["2026-11-23T09:00:00+00:00", "a", True, ROW]),
        _raw(["2026-11-23T09:00:00+00:00", "a", 1, "not-a-uuid-but-thirty-six-characters"]),
        _raw(["0001-01-01T00:00:00+01:00", "a", 1, ROW]),
        _raw({"a": 1}),  # type: ignore[arg-type]
        "x" * 700,
    ],
)
def test_anything_else_is_an_invalid_cursor(token: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        decode_cursor(token, KEY)
    assert raised.value.status == 422 and raised.value.code == "invalid_cursor"


def test_a_page_says_whether_another_follows() -> None:
    rows = [(i, uuid.UUID(int=i)) for i in range(5)]
    last = page_of(rows[:3], PageRequest(3), lambda r: r)
    assert last.items == tuple(rows[:3]) and last.next is None
    first = page_of(rows[:4], PageRequest(3), lambda r: r)
    assert first.items == tuple(rows[:3])
    assert first.next is not None and first.next.limit == 3
    assert first.next.after((int, uuid.UUID)) == rows[2]
    assert PageRequest().after(KEY) is None


@pytest.mark.parametrize("limit", [0, -1, MAX_LIMIT + 1])
def test_a_limit_is_one_to_five_hundred(limit: int) -> None:
    with pytest.raises(ValueError, match="limit"):
        PageRequest(limit)
