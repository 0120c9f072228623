"""Messages people can trust (issue: a production that starts, and messages people can trust).

notification:
- `anytime`: may go out in quiet hours (a sign-in code, the answer to the person's own text, the confirmation of
  what the person just did themselves); everything else waits for the morning.
- `sms_body`: for a push, the SMS to send instead when no subscription takes it (its own wording: no topic or
  name, with the code word).
- `in_doubt`: a send whose outcome is unknown (the worker died mid-send, or Twilio did not answer in time); the
  next attempt first asks Twilio whether it already took the message.
- `choices`: for a "which time?" question, the sessions the resident's numbered answer picks from (JSON).

provider_report: a Twilio delivery report that arrived before the worker recorded the message's sid; applied
when the sid is recorded. And a unique index: one SMS or call sid belongs to one row.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outbox: quiet hours for all, SMS instead of push, sends in doubt, reply choices, early reports"

STATEMENTS = [
    "ALTER TABLE notification ADD COLUMN anytime BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE notification ADD COLUMN sms_body TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE notification ADD COLUMN in_doubt BOOLEAN NOT NULL DEFAULT false",
    "ALTER TABLE notification ADD COLUMN choices TEXT NOT NULL DEFAULT ''",
    "CREATE TABLE provider_report ("
    " id UUID PRIMARY KEY NOT NULL,"
    " provider_id VARCHAR(64) NOT NULL UNIQUE,"
    " status VARCHAR(16) NOT NULL DEFAULT '',"
    " error_code VARCHAR(16) NOT NULL DEFAULT '',"
    " received_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX provider_report_received_at ON provider_report (received_at)",
    # One SMS or call is one row's: a send in doubt that finds a message at Twilio cannot take another row's.
    "CREATE UNIQUE INDEX notification_provider_id_unique ON notification (provider_id) "
    "WHERE provider_id IS NOT NULL AND channel IN ('sms', 'voice')",
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
