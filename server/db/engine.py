"""The engine seam: the few places where SQLite and PostgreSQL differ live here, one function each."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any, TypeAlias
from urllib.parse import urlsplit

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from server.db.tables import ALL_TABLES

AnyEngine: TypeAlias = Engine[Any]
_bound: AnyEngine | None = None


def make_engine(database_url: str) -> AnyEngine:
    """Build (not connect) the engine for a `sqlite:///path` or `postgresql://…` URL."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: writers queue behind SQLite's single write lock instead of failing.
        return SQLiteEngine(path=str(path), timeout=30)
    return PostgresEngine(config={"dsn": _normalise_pg(database_url)})


def _normalise_pg(url: str) -> str:
    parts = urlsplit(url)
    return url if parts.scheme == "postgresql" else url.replace(parts.scheme + "://", "postgresql://", 1)


def bind(engine: AnyEngine) -> None:
    """Point every table (and Piccolo's migration tooling) at `engine`."""
    global _bound  # noqa: PLW0603 - the one process-wide binding Piccolo's table metadata needs
    _bound = engine
    for table in ALL_TABLES:
        table._meta.db = engine
    from piccolo.apps.migrations.tables import Migration

    Migration._meta.db = engine


def current_engine() -> AnyEngine:
    if _bound is None:
        from server.settings import Settings

        bind(make_engine(Settings.from_env().database_url))
    assert _bound is not None
    return _bound


def is_sqlite(engine: AnyEngine) -> bool:
    return isinstance(engine, SQLiteEngine)


async def start(engine: AnyEngine) -> None:
    """Open the PostgreSQL pool, or switch SQLite to WAL (a property of the file, so once is enough)."""
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(
            min_size=1,
            max_size=int(os.environ.get("APURI_DB_POOL_SIZE", "10")),
            # The JIT compiler pays ~300 ms to compile a big report's plan that then runs in about a second: never
            # worth it for answers meant to come within 100 ms. asyncpg prepares every statement, and after five
            # runs PostgreSQL may keep a generic plan that cannot see the values, and so cannot use an index made
            # for some of them: the queues' `state IN ($1, $2)` and the index of the waiting requests (migration
            # 0029). A plan made for the values costs well under a millisecond to make.
            server_settings={"jit": "off", "plan_cache_mode": "force_custom_plan"},
            reset=_keep_session,
        )
    else:
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def _keep_session(_: Any) -> None:
    """What a pooled connection needs before its next query: nothing beyond what asyncpg always does (roll back an
    open transaction). Apuri keeps no session state on a connection (no SET, LISTEN, cursors or session-level
    advisory locks: its locks end with their transaction), so the default reset (`SELECT
    pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`) was a round trip after every query for nothing."""


async def stop(engine: AnyEngine) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


CHUNK_ROWS = 2_000


async def fetch_many(engine: AnyEngine, sql: str, *args: Any) -> list[Any]:
    """All rows of a read that may return tens of thousands (a year of a network's requests for a report), without
    holding up the event loop: on PostgreSQL through a cursor, a chunk of rows at a time, so that other requests
    are answered between chunks (decoding 60,000 rows at once kept the loop for 0.3-0.8 s, and a year's for 3 s);
    on SQLite as one read (its driver reads in a thread of its own). `sql` takes `{}` placeholders as `raw` does.
    The rows are mappings by column name; turn them into objects off the loop (`anyio.to_thread`)."""
    from piccolo.querystring import QueryString

    from server.db.tables import HelpRequest

    if not isinstance(engine, PostgresEngine) or engine.pool is None:
        return list(await HelpRequest.raw(sql, *args))
    compiled, values = QueryString(sql, *args).compile_string("postgres")
    found: list[Any] = []
    async with engine.pool.acquire() as connection, connection.transaction(readonly=True):
        cursor = await connection.cursor(compiled, *values)
        while chunk := await cursor.fetch(CHUNK_ROWS):
            found += chunk
            await asyncio.sleep(0)  # let the loop answer what came in meanwhile
    return found


def write_transaction(engine: AnyEngine) -> Any:
    """A transaction that will write. On SQLite it takes the write lock up front (BEGIN IMMEDIATE), so a
    read-then-write inside it cannot be interleaved with another writer; PostgreSQL uses row/advisory locks."""
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def serialise(engine: AnyEngine, key: str) -> None:
    """Inside a write transaction: make concurrent transactions with the same key run one after another.
    SQLite already serialises writers (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if isinstance(engine, PostgresEngine):
        from server.db.tables import AuditEvent

        await AuditEvent.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)


async def try_serialise(engine: AnyEngine, key: str) -> bool:
    """As `serialise`, without waiting: False when another transaction holds `key` now (SQLite: always True, its
    writers already run one at a time)."""
    if isinstance(engine, PostgresEngine):
        from server.db.tables import AuditEvent

        rows = await AuditEvent.raw("SELECT pg_try_advisory_xact_lock(hashtext({})) AS held", key)
        return bool(rows[0]["held"])
    return True


def is_unique_violation(exc: BaseException) -> bool:
    """A unique index refused a row: SQLSTATE 23505 on PostgreSQL, an IntegrityError naming UNIQUE on SQLite."""
    return getattr(exc, "sqlstate", None) == "23505" or (
        type(exc).__name__ == "IntegrityError" and "UNIQUE constraint failed" in str(exc)
    )


def is_overlap_violation(exc: BaseException) -> bool:
    """A PostgreSQL exclusion constraint refused overlapping rows (SQLSTATE 23P01). SQLite has none: there the
    check-and-insert runs in one IMMEDIATE transaction instead."""
    return getattr(exc, "sqlstate", None) == "23P01"
