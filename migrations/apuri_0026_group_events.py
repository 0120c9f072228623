"""Group sessions (a digikahvila, a course) with a capacity and a waitlist, and the volunteers who staff them.

group_event: an event at a help point or remote (help_point NULL), its time, places, volunteers needed, language,
what to bring; cancelled ones stay for the statistics.
event_signup: a resident on an event, one row per event and person (confirmed, waitlisted, offered a freed place
until a time, cancelled, declined), the waitlist ordered by queue_no; attendance marked by the volunteer on duty.
event_duty: a volunteer on an event (keeps their time and counts towards their weekly limit).
notification.event_signup: the sign-up a message is about (a reply to "keep the place?" is read against it).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T01:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "group sessions with capacity and waitlist"

STATEMENTS = [
    "CREATE TABLE group_event ("
    " id UUID PRIMARY KEY NOT NULL,"
    " organisation UUID NOT NULL REFERENCES organisation (id) ON DELETE CASCADE,"
    " help_point UUID NULL DEFAULT NULL REFERENCES help_point (id) ON DELETE CASCADE,"
    " title VARCHAR(120) NOT NULL,"
    " description TEXT NOT NULL DEFAULT '',"
    " topics JSON NOT NULL DEFAULT '[]',"
    " language VARCHAR(2) NOT NULL DEFAULT 'fi',"
    " starts_at TIMESTAMPTZ NOT NULL,"
    " ends_at TIMESTAMPTZ NOT NULL,"
    " capacity SMALLINT NOT NULL,"
    " volunteers_needed SMALLINT NOT NULL DEFAULT 1,"
    " bring TEXT NOT NULL DEFAULT '',"
    " state VARCHAR(16) NOT NULL DEFAULT 'scheduled',"
    " created_by UUID NULL DEFAULT NULL,"
    " created_at TIMESTAMPTZ NOT NULL,"
    " cancelled_at TIMESTAMPTZ NULL DEFAULT NULL)",
    "CREATE INDEX group_event_organisation ON group_event (organisation)",
    "CREATE INDEX group_event_help_point ON group_event (help_point)",
    "CREATE INDEX group_event_starts_at ON group_event (starts_at)",
    "CREATE TABLE event_signup ("
    " id UUID PRIMARY KEY NOT NULL,"
    " event UUID NOT NULL REFERENCES group_event (id) ON DELETE CASCADE,"
    " person UUID NOT NULL REFERENCES person (id) ON DELETE CASCADE,"
    " state VARCHAR(16) NOT NULL,"
    " queue_no INTEGER NOT NULL,"
    " channel VARCHAR(16) NOT NULL DEFAULT 'pwa',"
    " consent_at TIMESTAMPTZ NULL DEFAULT NULL,"
    " offered_until TIMESTAMPTZ NULL DEFAULT NULL,"
    " attendance VARCHAR(8) NOT NULL DEFAULT '',"
    " created_at TIMESTAMPTZ NOT NULL,"
    " updated_at TIMESTAMPTZ NOT NULL)",
    "CREATE UNIQUE INDEX event_signup_one ON event_signup (event, person)",
    "CREATE INDEX event_signup_queue ON event_signup (event, state, queue_no)",
    "CREATE INDEX event_signup_person ON event_signup (person)",
    "CREATE INDEX event_signup_offered ON event_signup (offered_until) WHERE state = 'offered'",
    "CREATE TABLE event_duty ("
    " id UUID PRIMARY KEY NOT NULL,"
    " event UUID NOT NULL REFERENCES group_event (id) ON DELETE CASCADE,"
    " volunteer UUID NOT NULL REFERENCES person (id) ON DELETE CASCADE,"
    " starts_at TIMESTAMPTZ NOT NULL,"
    " ends_at TIMESTAMPTZ NOT NULL,"
    " taken_at TIMESTAMPTZ NOT NULL)",
    "CREATE UNIQUE INDEX event_duty_one ON event_duty (event, volunteer)",
    "CREATE INDEX event_duty_volunteer ON event_duty (volunteer, starts_at)",
    "CREATE INDEX event_duty_starts_at ON event_duty (starts_at)",
    "ALTER TABLE notification ADD COLUMN event_signup UUID NULL DEFAULT NULL"
    " REFERENCES event_signup (id) ON DELETE CASCADE",
    "CREATE INDEX notification_event_signup ON notification (event_signup) WHERE event_signup IS NOT NULL",
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
