"""No double booking, enforced by the database.

PostgreSQL: exclusion constraints over [starts_at, blocked_until) per volunteer and per resident for active
sessions (btree_gist lets the uuid equality share the GiST index with the range). SQLite has no exclusion
constraints: the booking service checks and inserts in one IMMEDIATE transaction instead. Both engines get the
idempotency index and the indexes the overlap checks use.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T15:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "no double booking; idempotency keys"

COMMON = [
    "CREATE UNIQUE INDEX help_request_idempotency ON help_request (resident, idempotency_key)",
    "CREATE INDEX help_session_volunteer_time ON help_session (volunteer, starts_at)",
    "CREATE INDEX help_session_resident_time ON help_session (resident, starts_at)",
]

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE help_session ADD CONSTRAINT help_session_volunteer_no_overlap EXCLUDE USING gist "
    "(volunteer WITH =, tstzrange(starts_at, blocked_until, '[)') WITH &&) "
    "WHERE (state IN ('scheduled', 'checked_in') AND volunteer IS NOT NULL)",
    "ALTER TABLE help_session ADD CONSTRAINT help_session_resident_no_overlap EXCLUDE USING gist "
    "(resident WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
    "WHERE (state IN ('scheduled', 'checked_in'))",
    "ALTER TABLE help_session ADD CONSTRAINT help_session_times CHECK (starts_at < ends_at AND ends_at <= blocked_until)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMMON + (POSTGRES if engine.engine_type == "postgres" else []):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
