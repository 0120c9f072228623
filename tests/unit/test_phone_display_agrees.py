"""The app writes a number as the server does (SMS, voice menu, coordinator screens): one format everywhere, so a
landline reads "08 8501235", not "088 501235"."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from server.domain.phone import display

PWA = Path(__file__).resolve().parents[2] / "pwa"
NUMBERS = [
    "+358401234567",  # mobile
    "+358501234567",
    "+358457654321",
    "+35888501235",  # Oulu, 08
    "+358931012345",  # Helsinki, 09
    "+35821234567",  # Turku, 02
    "+358142661234",  # Jyväskylä, 014
    "+358207123456",  # service number
    "+35831234567",  # Tampere, 03
]


def test_the_app_and_the_server_write_numbers_alike() -> None:
    script = (
        f"import {{ phoneDisplay }} from {json.dumps((PWA / 'format.js').as_uri())};"
        f"console.log(JSON.stringify({json.dumps(NUMBERS)}.map(phoneDisplay)));"
    )
    node = shutil.which("node")
    assert node, "Node is part of the dev set-up (make lint runs eslint with it)"
    out = subprocess.run(  # noqa: S603 - our own script, no outside input
        [node, "--no-warnings", "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [display(n) for n in NUMBERS]
