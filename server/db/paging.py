"""Keyset paging of a Piccolo select: the one place that turns a PageRequest into WHERE / ORDER BY / LIMIT.

The key is one or more sort columns of the selected table, the last of them unique (the id), all in one
direction. A page is the rows strictly after the cursor's key, in key order, one more than asked for (which tells
that a next page exists). The comparison is spelled out as (a > x) OR (a = x AND b > y) OR …, which both engines
run the same way, and it uses the same ordering as ORDER BY: on SQLite uuids are stored as lowercase hex text and
times as UTC text of one format (Piccolo converts every aware datetime to UTC), whose text order is the order of
the bytes and of the instants, as PostgreSQL orders uuid and timestamptz (tests/integration/test_paging.py checks
both engines). Sort columns must not be NULL.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from piccolo.columns import (
    UUID,
    BigInt,
    BigSerial,
    Boolean,
    Column,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)

from server.domain.errors import InvalidInput
from server.domain.paging import KeyType, KeyValue, Page, PageRequest, page_of

_INT4 = 2**31


def _type_of(column: Column) -> KeyType:
    if isinstance(column, Timestamptz):
        return datetime
    if isinstance(column, UUID):
        return uuid.UUID
    if isinstance(column, Boolean):
        return bool
    if isinstance(column, Integer | Serial):
        return int
    if isinstance(column, Varchar | Text):
        return str
    raise TypeError(f"{column._meta.name}: no paging by this kind of column")


def _checked(key: Sequence[Column], values: tuple[KeyValue, ...]) -> tuple[KeyValue, ...]:
    for column, value in zip(key, values, strict=True):
        small = isinstance(column, Integer | Serial) and not isinstance(column, BigInt | BigSerial)
        if small and isinstance(value, int) and not -_INT4 <= value < _INT4:
            # PostgreSQL would refuse to compare an int4 column with it (a 500): a cursor we never made.
            raise InvalidInput("This cursor cannot be read: start again from the first page.", code="invalid_cursor")
    return values


def after(key: Sequence[Column], values: Sequence[KeyValue], *, ascending: bool = True) -> Any:
    """The condition "the row's key comes after `values`" (before, when descending)."""
    condition: Any = None
    for i, column in enumerate(key):
        part: Any = column > values[i] if ascending else column < values[i]
        for earlier, value in zip(key[:i], values[:i], strict=True):
            part = (earlier == value) & part
        condition = part if condition is None else condition | part
    return condition


def _name(column: Column) -> str:
    if column._meta.call_chain:
        raise TypeError(f"{column._meta.name}: page by the selected table's own columns")
    return column._meta.name


async def fetch_page(query: Any, asked: PageRequest, *key: Column, ascending: bool = True) -> Page[dict[str, Any]]:
    """One page of `query` (a select of the table `key` belongs to, not yet ordered or limited, selecting the key
    columns), ordered by `key` (the id last)."""
    names = [_name(c) for c in key]
    start = asked.after([_type_of(c) for c in key])
    if start is not None:
        query = query.where(after(key, _checked(key, start), ascending=ascending))
    rows = await query.order_by(*key, ascending=ascending).limit(asked.limit + 1)
    return page_of(rows, asked, lambda row: [row[n] for n in names])
