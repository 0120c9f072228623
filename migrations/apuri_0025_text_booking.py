"""Booking by text message.

text_conversation: a resident's booking by SMS while it is under way: the topic read from their text, the help
point, the times offered (JSON list of instants), and when it expires (a day: left half-way, it does nothing).
topic_word: the network's own stems for reading a topic from a text (added to the built-in lexicon).
inbound_message.suggested_topic: for a text a person must read, the topic it most likely is about.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T23:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "booking by text message"

STATEMENTS = [
    "CREATE TABLE text_conversation ("
    " id UUID PRIMARY KEY NOT NULL,"
    " phone VARCHAR(16) NOT NULL,"
    " person UUID NULL DEFAULT NULL REFERENCES person (id) ON DELETE CASCADE,"
    " language VARCHAR(2) NOT NULL DEFAULT 'fi',"
    " topic VARCHAR(40) NOT NULL,"
    " state VARCHAR(16) NOT NULL,"
    " help_point UUID NULL DEFAULT NULL REFERENCES help_point (id) ON DELETE CASCADE,"
    " offered JSON NOT NULL DEFAULT '[]',"
    " created_at TIMESTAMPTZ NOT NULL,"
    " updated_at TIMESTAMPTZ NOT NULL,"
    " expires_at TIMESTAMPTZ NOT NULL)",
    "CREATE INDEX text_conversation_phone ON text_conversation (phone, updated_at)",
    "CREATE INDEX text_conversation_person ON text_conversation (person)",
    "CREATE TABLE topic_word ("
    " id UUID PRIMARY KEY NOT NULL,"
    " topic VARCHAR(40) NOT NULL REFERENCES topic (code) ON DELETE CASCADE,"
    " word VARCHAR(40) NOT NULL,"
    " created_at TIMESTAMPTZ NOT NULL)",
    "CREATE UNIQUE INDEX topic_word_one ON topic_word (topic, word)",
    "ALTER TABLE inbound_message ADD COLUMN suggested_topic VARCHAR(40) NOT NULL DEFAULT ''",
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
