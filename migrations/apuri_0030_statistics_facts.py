"""Each request's statistics facts kept in a table, so a report groups them in SQL instead of working them out.

A report worked out every request's partner, municipality and sessions from five tables each time: 2.3 s for twelve
weeks of a million-resident network. `request_fact` holds that outcome per request (rules in
`server/domain/statistics.py`, written by `server/db/statistics.py`), `request_fact_outcome` the outcomes its done
sessions recorded.

They are kept right this way: every change to something a request's facts are made of writes the request's id into
`statistics_stale`, in the same transaction (triggers, here). A report first brings the stale requests up to date,
then groups; a job in `apuri worker` does the same every half minute, so a report rarely finds much to do. What a
fact is made of:
- the request itself (topic, channel, state, times, help point, routed to);
- its sessions (the latest one's volunteer and start; done and no-show ones, their outcomes and ratings);
- its referrals;
- the volunteer membership of a volunteer who had a session of it (their organisation is the request's partner
  when nothing else is);
- its help point's organisation and municipality.
Organisation names and municipalities, and topic names, are read with the report.

Every request already there is marked stale here: the job fills the table after the upgrade, and until few are left
a report works its figures out the old way (`server/services/statistics.py`).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics facts per request, kept by triggers marking the changed requests"

# The columns a report groups and filters by, in both tables.
_GROUPED_BY = (
    " created_at TIMESTAMPTZ NOT NULL,"
    " week VARCHAR(8) NOT NULL,"  # the ISO week of created_at in Europe/Helsinki, "2026-W48"
    " topic VARCHAR(64) NOT NULL,"
    " channel VARCHAR(16) NOT NULL,"
    " partner UUID NULL DEFAULT NULL,"  # the attributed organisation
    " point_municipality VARCHAR(100) NULL DEFAULT NULL,"  # the help point's, if it has one
)
_FIGURES = "matched, wait_minutes, start_hour, cancelled, referred, done, no_show, rated, rating_sum"
TABLES = [
    "CREATE TABLE request_fact ("
    " request UUID PRIMARY KEY NOT NULL," + _GROUPED_BY + " matched INTEGER NOT NULL,"  # 0 or 1
    " wait_minutes DOUBLE PRECISION NULL DEFAULT NULL,"  # matched, not a walk-in: minutes to a helper
    " start_hour SMALLINT NULL DEFAULT NULL,"  # the Helsinki clock hour (0-23) its latest session starts at
    " cancelled INTEGER NOT NULL,"
    " referred INTEGER NOT NULL,"
    " done INTEGER NOT NULL,"
    " no_show INTEGER NOT NULL,"
    " rated INTEGER NOT NULL,"
    " rating_sum INTEGER NOT NULL)",
    # What the done sessions of a request recorded, with the request's groups (a report reads no other table).
    "CREATE TABLE request_fact_outcome ("
    " request UUID NOT NULL,"
    " outcome VARCHAR(64) NOT NULL,"
    " times INTEGER NOT NULL," + _GROUPED_BY + " PRIMARY KEY (request, outcome))",
    "CREATE INDEX help_request_help_point ON help_request (help_point) WHERE help_point IS NOT NULL",
]
_GROUPS = "partner, topic, channel, week, point_municipality"
# PostgreSQL reads a period's facts from the index alone (a year of a network's requests are 250,000 rows that the
# changes of two years have spread over the table); SQLite has no INCLUDE.
POSTGRES_INDEXES = [
    f"CREATE INDEX request_fact_period ON request_fact (created_at) INCLUDE ({_GROUPS}, {_FIGURES})",
    f"CREATE INDEX request_fact_outcome_period ON request_fact_outcome (created_at) INCLUDE ({_GROUPS}, outcome, times)",
]
SQLITE_INDEXES = [
    "CREATE INDEX request_fact_period ON request_fact (created_at)",
    "CREATE INDEX request_fact_outcome_period ON request_fact_outcome (created_at)",
]

# The marks: PostgreSQL numbers them with an identity, SQLite with its rowid.
POSTGRES = [
    "CREATE TABLE statistics_stale (n BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, request UUID NOT NULL)",
    "INSERT INTO statistics_stale (request) SELECT id FROM help_request ORDER BY created_at",
    """CREATE FUNCTION statistics_request_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO statistics_stale (request) VALUES (NEW.id);
  RETURN NULL;
END
$$""",
    """CREATE FUNCTION statistics_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO statistics_stale (request) VALUES (OLD.request);
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.request IS DISTINCT FROM OLD.request) THEN
    INSERT INTO statistics_stale (request) VALUES (NEW.request);
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE FUNCTION statistics_volunteer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.role = 'volunteer' THEN
    INSERT INTO statistics_stale (request) SELECT DISTINCT request FROM help_session WHERE volunteer = OLD.person;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.role = 'volunteer'
     AND (TG_OP = 'INSERT' OR NEW.person IS DISTINCT FROM OLD.person) THEN
    INSERT INTO statistics_stale (request) SELECT DISTINCT request FROM help_session WHERE volunteer = NEW.person;
  END IF;
  RETURN NULL;
END
$$""",
    """CREATE FUNCTION statistics_point_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO statistics_stale (request) SELECT id FROM help_request WHERE help_point = NEW.id;
  RETURN NULL;
END
$$""",
    "CREATE TRIGGER help_request_statistics AFTER INSERT OR UPDATE OF topic, channel, state, created_at, matched_at,"
    " help_point, routed_to ON help_request FOR EACH ROW EXECUTE FUNCTION statistics_request_changed()",
    "CREATE TRIGGER help_session_statistics AFTER INSERT OR DELETE OR UPDATE OF request, volunteer, starts_at, state,"
    " outcomes, feedback, created_at ON help_session FOR EACH ROW EXECUTE FUNCTION statistics_part_changed()",
    "CREATE TRIGGER request_referral_statistics AFTER INSERT OR DELETE OR UPDATE OF request ON request_referral"
    " FOR EACH ROW EXECUTE FUNCTION statistics_part_changed()",
    "CREATE TRIGGER membership_statistics AFTER INSERT OR DELETE OR UPDATE OF person, role, organisation, active,"
    " created_at ON membership FOR EACH ROW EXECUTE FUNCTION statistics_volunteer_changed()",
    "CREATE TRIGGER help_point_statistics AFTER UPDATE OF organisation, municipality ON help_point"
    " FOR EACH ROW EXECUTE FUNCTION statistics_point_changed()",
]

_SESSION_COLUMNS = "request, volunteer, starts_at, state, outcomes, feedback, created_at"
_MEMBERSHIP_COLUMNS = "person, role, organisation, active, created_at"
_HELPED_BY = "INSERT INTO statistics_stale (request) SELECT DISTINCT request FROM help_session WHERE volunteer = {}.person;"
SQLITE = [
    "CREATE TABLE statistics_stale (n INTEGER PRIMARY KEY AUTOINCREMENT, request UUID NOT NULL)",
    "INSERT INTO statistics_stale (request) SELECT id FROM help_request ORDER BY created_at",
    "CREATE TRIGGER help_request_statistics_insert AFTER INSERT ON help_request FOR EACH ROW"
    " BEGIN INSERT INTO statistics_stale (request) VALUES (NEW.id); END",
    "CREATE TRIGGER help_request_statistics_update AFTER UPDATE OF topic, channel, state, created_at, matched_at,"
    " help_point, routed_to ON help_request FOR EACH ROW"
    " BEGIN INSERT INTO statistics_stale (request) VALUES (NEW.id); END",
    *(
        statement
        for table, columns in (("help_session", _SESSION_COLUMNS), ("request_referral", "request"))
        for statement in (
            f"CREATE TRIGGER {table}_statistics_insert AFTER INSERT ON {table} FOR EACH ROW"
            " BEGIN INSERT INTO statistics_stale (request) VALUES (NEW.request); END",
            f"CREATE TRIGGER {table}_statistics_delete AFTER DELETE ON {table} FOR EACH ROW"
            " BEGIN INSERT INTO statistics_stale (request) VALUES (OLD.request); END",
            f"CREATE TRIGGER {table}_statistics_update AFTER UPDATE OF {columns} ON {table} FOR EACH ROW"
            " BEGIN INSERT INTO statistics_stale (request) VALUES (OLD.request);"
            " INSERT INTO statistics_stale (request) SELECT NEW.request WHERE NEW.request IS NOT OLD.request; END",
        )
    ),
    "CREATE TRIGGER membership_statistics_insert AFTER INSERT ON membership FOR EACH ROW"
    f" WHEN NEW.role = 'volunteer' BEGIN {_HELPED_BY.format('NEW')} END",
    "CREATE TRIGGER membership_statistics_delete AFTER DELETE ON membership FOR EACH ROW"
    f" WHEN OLD.role = 'volunteer' BEGIN {_HELPED_BY.format('OLD')} END",
    f"CREATE TRIGGER membership_statistics_update AFTER UPDATE OF {_MEMBERSHIP_COLUMNS} ON membership FOR EACH ROW"
    f" WHEN OLD.role = 'volunteer' OR NEW.role = 'volunteer' BEGIN {_HELPED_BY.format('OLD')}"
    f" {_HELPED_BY.format('NEW')} END",
    "CREATE TRIGGER help_point_statistics_update AFTER UPDATE OF organisation, municipality ON help_point"
    " FOR EACH ROW BEGIN INSERT INTO statistics_stale (request) SELECT id FROM help_request WHERE help_point = NEW.id;"
    " END",
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="apuri", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None
        postgres = engine.engine_type == "postgres"
        for statement in TABLES + (POSTGRES_INDEXES + POSTGRES if postgres else SQLITE_INDEXES + SQLITE):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
