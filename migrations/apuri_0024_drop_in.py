"""Drop-in hours (päivystys) and the volunteers' shifts on them.

drop_in_hour: a help point's weekly drop-in hour (weekday, local start and end, topics, languages, the longest time
per visitor, how many volunteers it needs). Removed ones stay, inactive, for the shifts already worked.
drop_in_shift: a volunteer on one date's drop-in hour, with its local times resolved to instants (a day with other
hours shortens it); one per volunteer and date of an hour.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop-in hours and volunteers' shifts on them"

STATEMENTS = [
    "CREATE TABLE drop_in_hour ("
    " id UUID PRIMARY KEY NOT NULL,"
    " help_point UUID NOT NULL REFERENCES help_point (id) ON DELETE CASCADE,"
    " weekday SMALLINT NOT NULL,"
    " starts TIME NOT NULL,"
    " ends TIME NOT NULL,"
    " topics JSON NOT NULL DEFAULT '[]',"
    " languages JSON NOT NULL DEFAULT '[\"fi\"]',"
    " minutes_per_visitor SMALLINT NOT NULL DEFAULT 30,"
    " volunteers_needed SMALLINT NOT NULL DEFAULT 1,"
    " active BOOLEAN NOT NULL DEFAULT TRUE,"
    " created_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX drop_in_hour_help_point ON drop_in_hour (help_point)",
    "CREATE TABLE drop_in_shift ("
    " id UUID PRIMARY KEY NOT NULL,"
    " drop_in_hour UUID NOT NULL REFERENCES drop_in_hour (id) ON DELETE CASCADE,"
    " day DATE NOT NULL,"
    " volunteer UUID NOT NULL REFERENCES person (id) ON DELETE CASCADE,"
    " starts_at TIMESTAMPTZ NOT NULL,"
    " ends_at TIMESTAMPTZ NOT NULL,"
    " taken_at TIMESTAMPTZ NOT NULL)",
    "CREATE UNIQUE INDEX drop_in_shift_one ON drop_in_shift (drop_in_hour, day, volunteer)",
    "CREATE INDEX drop_in_shift_volunteer ON drop_in_shift (volunteer, starts_at)",
    "CREATE INDEX drop_in_shift_starts_at ON drop_in_shift (starts_at)",
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
