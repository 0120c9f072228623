"""An index of the requests still waiting (open, being offered, routed to a partner), by age.

The coordinators' queues list the waiting requests longest-waiting first. With two years of a national network's
history (500,000 requests, 2,500 of them waiting) PostgreSQL read them by walking every request by date, since the
waiting ones are all at the recent end: 0.6 s a page. This index holds only the waiting ones, in queue order.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an index of the waiting requests, by age"

STATEMENTS = [
    "CREATE INDEX help_request_waiting ON help_request (created_at, id) WHERE state IN ('open', 'offering', 'routed')",
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
