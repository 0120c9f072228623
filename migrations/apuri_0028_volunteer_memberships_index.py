"""An index of the active volunteers' memberships only.

Who may take a request is checked against the volunteers' memberships; the membership table also holds every
resident's, a million at a national network's size, and its index by person answers the check by walking the
residents' entries too. The active volunteer memberships alone are a few per cent of the rows.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T03:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "an index of the active volunteers' memberships"

STATEMENTS = [
    "CREATE INDEX membership_active_volunteer ON membership (person, organisation) "
    "WHERE role = 'volunteer' AND active",
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
