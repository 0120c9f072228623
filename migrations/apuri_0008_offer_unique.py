"""A volunteer is offered a request at most once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T15:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one offer per request and volunteer"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("CREATE UNIQUE INDEX offer_request_volunteer ON offer (request, volunteer)")

    manager.add_raw(run)
    return manager
