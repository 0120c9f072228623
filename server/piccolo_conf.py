"""Piccolo's configuration module (selected with PICCOLO_CONF=server.piccolo_conf).

`DB` is resolved on access: the engine the running app bound (`server.db.engine.bind`), or else one built
from APURI_DATABASE_URL. That keeps Piccolo's own tooling (migrations) on the same database as the app
without building anything at import time.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import AppRegistry

APP_REGISTRY = AppRegistry(apps=["server.db.piccolo_app"])


def __getattr__(name: str) -> Any:
    if name == "DB":
        from server.db.engine import current_engine

        return current_engine()
    raise AttributeError(name)
