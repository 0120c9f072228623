"""The desk's day: walk-in visitors.

walk_in: a visitor helped at a help point's desk without a booking (topic, minutes, outcomes, language). No
name or number is kept: it is a count for the statistics (channel "walk-in"). `recorded_by` is the staff
member's id, like the audit trail's.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "walk-in visitors recorded at the desk"

STATEMENTS = [
    "CREATE TABLE walk_in ("
    " id UUID PRIMARY KEY NOT NULL,"
    " help_point UUID NOT NULL REFERENCES help_point (id) ON DELETE CASCADE,"
    " topic VARCHAR(40) NOT NULL REFERENCES topic (code) ON DELETE RESTRICT,"
    " language VARCHAR(8) NOT NULL DEFAULT 'fi',"
    " minutes SMALLINT NOT NULL,"
    " outcomes JSON NOT NULL DEFAULT '[]',"
    " recorded_at TIMESTAMPTZ NOT NULL,"
    " recorded_by UUID NULL DEFAULT NULL)",
    "CREATE INDEX walk_in_help_point ON walk_in (help_point, recorded_at)",
    "CREATE INDEX walk_in_recorded_at ON walk_in (recorded_at)",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
