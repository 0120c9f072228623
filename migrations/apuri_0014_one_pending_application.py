"""One waiting application per person and organisation: a second one would only duplicate the coordinator's
work (a decided or withdrawn one may be followed by a new one)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T08:18:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one pending volunteer application per organisation"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "CREATE UNIQUE INDEX volunteer_application_pending ON volunteer_application (person, organisation) "
            "WHERE state = 'pending'"
        )

    manager.add_raw(run)
    return manager
