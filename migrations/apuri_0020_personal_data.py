"""Personal data: erasure, retention that runs, and codes that say what they are for.

person:
- `erased_at`: the person's data was erased (on request or by retention); the row stays, anonymous, so the
  requests and sessions that statistics count keep their foreign keys.
- `signed_in_at`: the last sign-in (sign-ins themselves are deleted when they end), one of the activities that
  keep an account within the retention period.

sign_in_challenge.purpose: `sign_in` or `erase` (an SMS code confirming "erase my data" cannot sign anyone in,
and a sign-in code cannot erase).

retention_run: one row per day the retention job ran; the unique day makes a second worker skip the run.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T10:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "personal data: erasure, retention runs, code purposes"

STATEMENTS = [
    "ALTER TABLE person ADD COLUMN erased_at TIMESTAMPTZ NULL DEFAULT NULL",
    "ALTER TABLE person ADD COLUMN signed_in_at TIMESTAMPTZ NULL DEFAULT NULL",
    "ALTER TABLE sign_in_challenge ADD COLUMN purpose VARCHAR(16) NOT NULL DEFAULT 'sign_in'",
    "CREATE TABLE retention_run ("
    " id UUID PRIMARY KEY NOT NULL,"
    " day VARCHAR(10) NOT NULL UNIQUE,"
    " started_at TIMESTAMPTZ NOT NULL,"
    " finished_at TIMESTAMPTZ NULL DEFAULT NULL,"
    " removed TEXT NOT NULL DEFAULT '{}')",
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
