"""Indexes and rules of the notification tables.

The dispatcher asks one question every few seconds, "which rows need me now", answered by one partial index
on `next_attempt_at` over the rows still in play. A template exists once per kind and language.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T07:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notification due index, one template per kind and language"

STATEMENTS = [
    "CREATE INDEX notification_due ON notification (next_attempt_at) WHERE state IN ('scheduled', 'sending')",
    "CREATE INDEX notification_recent_failures ON notification (updated_at) WHERE state = 'failed'",
    "CREATE UNIQUE INDEX message_template_kind_language ON message_template (kind, language)",
    "CREATE INDEX inbound_message_open ON inbound_message (received_at) WHERE state = 'open'",
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
