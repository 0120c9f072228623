"""Apply Piccolo migrations programmatically to the bound engine (used by `apuri migrate` and the tests)."""

from __future__ import annotations

import contextlib
import io
import os
import warnings

from server.db.engine import AnyEngine, bind


class MigrationError(RuntimeError):
    pass


async def migrate(engine: AnyEngine, *, quiet: bool = True) -> None:
    bind(engine)
    os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
    from piccolo.apps.migrations.commands.forwards import run_forwards

    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext(), warnings.catch_warnings():
        # Widening a varchar is a no-op on SQLite (it does not enforce lengths); Piccolo warns about it.
        warnings.filterwarnings("ignore", message=".*SQLITE doesn't support changes in length")
        result = await run_forwards("all")
    if not result.success:
        raise MigrationError(f"{result.message}\n{out.getvalue()}")
