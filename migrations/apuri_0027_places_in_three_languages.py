"""Places and partners in three languages.

help_point.translations: the help point's name, street address and accessibility notes in Swedish and English
(JSON {"sv": {"name", "street_address", "accessibility_notes"}, "en": {…}}; Finnish stays in the columns and is the
fallback).
organisation.description: what the partner helps with, in Finnish; organisation.translations: its name and
description in Swedish and English (JSON like the help point's).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "places and partners in three languages"

STATEMENTS = [
    "ALTER TABLE help_point ADD COLUMN translations JSON NOT NULL DEFAULT '{}'",
    "ALTER TABLE organisation ADD COLUMN description TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE organisation ADD COLUMN translations JSON NOT NULL DEFAULT '{}'",
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
