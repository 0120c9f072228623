"""Every table class is in ALL_TABLES, the list `bind` points at the app's engine (a table left out would read
and write the default engine's database instead)."""

from __future__ import annotations

from piccolo.table import Table

from server.db import tables


def test_every_table_is_bound() -> None:
    defined = {
        value
        for value in vars(tables).values()
        if isinstance(value, type) and issubclass(value, Table) and value.__module__ == tables.__name__
    }
    assert defined == set(tables.ALL_TABLES)
