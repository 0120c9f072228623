"""Piccolo app config: the tables and the top-level `migrations/` folder."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

import migrations
from server.db.tables import ALL_TABLES

APP_CONFIG = AppConfig(
    app_name="apuri",
    migrations_folder_path=str(Path(migrations.__file__).parent),
    table_classes=list(ALL_TABLES),
    migration_dependencies=[],
    commands=[],
)
