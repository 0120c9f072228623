"""A version number for what matching reads about volunteers, so it can keep that part between requests.

Who may take a request (topic, profile, person and membership active, organisation active, help point) and
their weekly hours change rarely, but joining them is most of what matching costs. `matching_version.n` goes up
in every transaction that changes one of those rows, inside that transaction: a reader that finds the number it
read together with a cached answer knows the answer is still what the query would return (and it works across
instances, each with its own cache). Overrides and sessions are not covered; matching reads them every time.

PostgreSQL: deferred constraint triggers bump the number once per transaction, at commit, so the row is locked
only for the end of the commit (a writer never holds it while it waits for other locks). SQLite: plain
triggers, since SQLite runs one writer at a time anyway. Person and organisation count only when `active` or the
id changes, or a row goes; other changes to them (names, phones, sign-ups) do not touch matching.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-26T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "matching version: bumped by changes to who may be matched and their weekly hours"

# Every row change counts.
WHOLE = ["volunteer_topic", "volunteer_profile", "volunteer_help_point", "availability_rule", "membership"]
# Only what eligibility reads (a new person or organisation has no volunteer rows yet).
ACTIVE_ONLY = ["person", "organisation"]

COMMON = [
    "CREATE TABLE matching_version (id INTEGER PRIMARY KEY CHECK (id = 1), n BIGINT NOT NULL)",
    "INSERT INTO matching_version (id, n) VALUES (1, 0)",
]

POSTGRES = [
    """CREATE FUNCTION matching_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('apuri.matching_changed', true) IS DISTINCT FROM 'yes' THEN
    UPDATE matching_version SET n = n + 1 WHERE id = 1;
    PERFORM set_config('apuri.matching_changed', 'yes', true);
  END IF;
  RETURN NULL;
END
$$""",
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_matching AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION matching_changed()"
        for table in WHOLE
    ),
    *(
        f"CREATE CONSTRAINT TRIGGER {table}_matching AFTER UPDATE OF id, active OR DELETE ON {table} "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION matching_changed()"
        for table in ACTIVE_ONLY
    ),
    # Row triggers do not see TRUNCATE.
    *(
        f"CREATE TRIGGER {table}_matching_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION matching_changed()"
        for table in WHOLE + ACTIVE_ONLY
    ),
]

_BUMP = "BEGIN UPDATE matching_version SET n = n + 1 WHERE id = 1; END"
SQLITE = [
    *(
        f"CREATE TRIGGER {table}_matching_{event.lower()} AFTER {event} ON {table} FOR EACH ROW {_BUMP}"
        for table in WHOLE
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    *(
        f"CREATE TRIGGER {table}_matching_{name} AFTER {event} ON {table} FOR EACH ROW {_BUMP}"
        for table in ACTIVE_ONLY
        for name, event in (("update", "UPDATE OF id, active"), ("delete", "DELETE"))
    ),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        for statement in COMMON + (POSTGRES if engine.engine_type == "postgres" else SQLITE):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
