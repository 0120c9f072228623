"""One row per (organisation, topic), (volunteer, topic) and (volunteer, help point)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T15:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique topic and help point links"

STATEMENTS = [
    "CREATE UNIQUE INDEX organisation_topic_unique ON organisation_topic (organisation, topic)",
    "CREATE UNIQUE INDEX volunteer_topic_unique ON volunteer_topic (person, topic)",
    "CREATE UNIQUE INDEX volunteer_help_point_unique ON volunteer_help_point (person, help_point)",
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
