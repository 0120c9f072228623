"""Rules the ORM cannot declare: one membership per (person, role, organisation), and an append-only audit log.

Both engines understand expression indexes and triggers; only the syntax differs, so each statement has an
SQLite and a PostgreSQL form.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-22T14:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "membership uniqueness, append-only audit log"

NO_ORG = "00000000-0000-0000-0000-000000000000"

SQLITE = [
    f"CREATE UNIQUE INDEX membership_person_role_org ON membership (person, role, COALESCE(organisation, '{NO_ORG}'))",
    "CREATE INDEX sign_in_challenge_client_created ON sign_in_challenge (client_hash, created_at)",
    "CREATE INDEX sign_in_challenge_phone_created ON sign_in_challenge (phone, created_at)",
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]

POSTGRES = [
    f"CREATE UNIQUE INDEX membership_person_role_org ON membership "
    f"(person, role, COALESCE(organisation, '{NO_ORG}'::uuid))",
    "CREATE INDEX sign_in_challenge_client_created ON sign_in_challenge (client_hash, created_at)",
    "CREATE INDEX sign_in_challenge_phone_created ON sign_in_challenge (phone, created_at)",
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in SQLITE if engine.engine_type == "sqlite" else POSTGRES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
