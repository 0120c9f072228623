"""A year at the help point: days that differ from the weekly hours.

help_point_day: one row per help point and date that is closed (`closed`), open at other hours (`hours`, with
`opens` and `closes`), or explicitly open as every week (`open`: a public holiday the help point chose to keep
open, so the holiday fill does not close it again). `reason` is a name in fi / sv / en ("Joulupäivä");
`source` says whether the holiday calendar or a coordinator set it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "help point days: closures, exceptional hours, public holidays"

STATEMENTS = [
    "CREATE TABLE help_point_day ("
    " id UUID PRIMARY KEY NOT NULL,"
    " help_point UUID NOT NULL REFERENCES help_point (id) ON DELETE CASCADE,"
    " day DATE NOT NULL,"
    " state VARCHAR(8) NOT NULL,"
    " opens TIME NULL DEFAULT NULL,"
    " closes TIME NULL DEFAULT NULL,"
    " reason TEXT NOT NULL DEFAULT '{}',"
    " source VARCHAR(16) NOT NULL DEFAULT 'coordinator',"
    " updated_at TIMESTAMPTZ NOT NULL,"
    " updated_by UUID NULL DEFAULT NULL)",
    "CREATE UNIQUE INDEX help_point_day_unique ON help_point_day (help_point, day)",
    "CREATE INDEX help_point_day_day ON help_point_day (day)",
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
