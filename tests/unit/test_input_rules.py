"""Every text field a request can carry refuses NUL and other control characters at the edge.

PostgreSQL cannot store NUL at all: a string with one that reaches a query is a 500 on PostgreSQL and
silently different data on SQLite. The generated-request test found one such field once; this test reads
every request shape, so a new field without a pattern fails here, on the first run, on both databases.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator

import msgspec
import pytest
from hypothesis import find
from hypothesis import strategies as st

import server.http
from server.http.schemas import Input


def _shapes() -> list[type[Input]]:
    for module in pkgutil.iter_modules(server.http.__path__):
        importlib.import_module(f"server.http.{module.name}")
    seen: list[type[Input]] = []
    todo: list[type[Input]] = list(Input.__subclasses__())
    while todo:
        shape = todo.pop()
        if shape not in seen:
            seen.append(shape)
            todo.extend(shape.__subclasses__())
    return sorted(seen, key=lambda s: f"{s.__module__}.{s.__qualname__}")


ITEMS = (msgspec.inspect.ListType, msgspec.inspect.SetType, msgspec.inspect.FrozenSetType, msgspec.inspect.VarTupleType)


def _texts(info: msgspec.inspect.Type, where: str) -> Iterator[tuple[str, msgspec.inspect.StrType]]:
    if isinstance(info, msgspec.inspect.StrType):
        yield where, info
    elif isinstance(info, msgspec.inspect.Metadata):
        yield from _texts(info.type, where)
    elif isinstance(info, msgspec.inspect.UnionType):
        for option in info.types:
            yield from _texts(option, where)
    elif isinstance(info, ITEMS):
        yield from _texts(info.item_type, f"{where}[]")
    elif isinstance(info, msgspec.inspect.DictType):
        yield from _texts(info.key_type, f"{where}{{key}}")
        yield from _texts(info.value_type, f"{where}{{}}")
    elif isinstance(info, msgspec.inspect.StructType):
        for field in info.fields:
            yield from _texts(field.type, f"{where}.{field.name}")


def _text_fields() -> list[tuple[str, msgspec.inspect.StrType]]:
    fields: list[tuple[str, msgspec.inspect.StrType]] = []
    for shape in _shapes():
        info = msgspec.inspect.type_info(shape)
        assert isinstance(info, msgspec.inspect.StructType)
        fields.extend(_texts(info, f"{shape.__module__}.{shape.__qualname__}"))
    return fields


FIELDS = _text_fields()


def test_the_walk_finds_the_request_shapes() -> None:
    names = {where for where, _ in FIELDS}
    assert "server.http.notification_routes.EndpointIn.endpoint" in names
    assert "server.http.schemas.CodeRequest.phone" in names
    assert len(names) > 40


@pytest.mark.parametrize(("where", "info"), FIELDS, ids=[where for where, _ in FIELDS])
def test_text_fields_refuse_control_characters(where: str, info: msgspec.inspect.StrType) -> None:
    assert info.pattern, f"{where} takes any text; give it a pattern (schemas.SINGLE_LINE, MULTI_LINE …)"
    pattern = re.compile(info.pattern)
    example = find(st.from_regex(pattern, fullmatch=True), lambda text: len(text) >= 1)
    for bad in ("\x00", "\x1b"):
        for at in range(len(example) + 1):
            spoiled = example[:at] + bad + example[at:]
            assert not pattern.search(spoiled), f"{where} lets {spoiled!r} through"


def _times(info: msgspec.inspect.Type, where: str) -> Iterator[tuple[str, msgspec.inspect.DateTimeType]]:
    if isinstance(info, msgspec.inspect.DateTimeType):
        yield where, info
    elif isinstance(info, msgspec.inspect.Metadata):
        yield from _times(info.type, where)
    elif isinstance(info, msgspec.inspect.UnionType):
        for option in info.types:
            yield from _times(option, where)
    elif isinstance(info, ITEMS):
        yield from _times(info.item_type, f"{where}[]")
    elif isinstance(info, msgspec.inspect.StructType):
        for field in info.fields:
            yield from _times(field.type, f"{where}.{field.name}")


TIMES = [
    found
    for shape in _shapes()
    for found in _times(msgspec.inspect.type_info(shape), f"{shape.__module__}.{shape.__qualname__}")
]


def test_the_walk_finds_the_times() -> None:
    assert "server.http.booking_routes.BookingIn.starts_at" in {where for where, _ in TIMES}


@pytest.mark.parametrize(("where", "info"), TIMES, ids=[where for where, _ in TIMES])
def test_every_time_that_enters_says_its_offset(where: str, info: msgspec.inspect.DateTimeType) -> None:
    """'2026-11-30T09:00' without an offset could be any of two 09:00s a year (and crashed comparisons)."""
    assert info.tz is True, f"{where}: use schemas.AwareDateTime"
