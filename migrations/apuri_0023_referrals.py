"""Referral: a request passed to a partner organisation, and a routed request the partner handled itself.

request_referral: one row per referral (from which partner, to which, a note for them, by whom, when).
help_request.handled_outcome: what the partner's own staff did with a routed request (helped | not_reached |
not_needed); empty until then.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T20:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "referrals to partners, routed requests handled by the partner"

STATEMENTS = [
    "CREATE TABLE request_referral ("
    " id UUID PRIMARY KEY NOT NULL,"
    " request UUID NOT NULL REFERENCES help_request (id) ON DELETE CASCADE,"
    " from_organisation UUID NULL DEFAULT NULL,"
    " to_organisation UUID NOT NULL REFERENCES organisation (id) ON DELETE RESTRICT,"
    " note TEXT NOT NULL DEFAULT '',"
    " referred_by UUID NULL DEFAULT NULL,"
    " referred_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX request_referral_request ON request_referral (request)",
    "CREATE INDEX request_referral_to ON request_referral (to_organisation)",
    "CREATE INDEX request_referral_at ON request_referral (referred_at)",
    "ALTER TABLE help_request ADD COLUMN handled_outcome VARCHAR(32) NOT NULL DEFAULT ''",
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
