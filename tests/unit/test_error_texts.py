"""Every error code the server can send has a text in the app, in Finnish, Swedish and English, so nobody sees
only "Jokin meni vikaan". The codes come from the server's source (codes_by_status, plus the few built with an
f-string and the framework's own); the texts from the PWA's i18n modules as the browser loads them (node imports
them). The texts are looked up in `errors` (fi/sv/en.js, everyone), `vol.errors` (volunteer-*.js, imported by
fi/sv/en.js) and `coord.errors` (coordinator-*.js, the coordinator's screens): the union counts."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.domain import states
from server.http.errors import _DEFAULT_CODE
from server.http.openapi import codes_by_status

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fi", "sv", "en")

# Read in the browser's way: fi.js imports volunteer-fi.js (its `vol`), screens/coordinator.js adds coordinator-fi.js.
READ_TEXTS = """
const texts = {};
for (const lang of %s) {
  const base = (await import(`./pwa/i18n/${lang}.js`)).default;
  const coord = (await import(`./pwa/i18n/coordinator-${lang}.js`)).default;
  texts[lang] = {};
  const parts = { errors: base.errors, "vol.errors": base.vol.errors, "coord.errors": coord.errors };
  for (const [part, table] of Object.entries(parts)) {
    const written = (text) => typeof text === "function" || (typeof text === "string" && text.trim() !== "");
    texts[lang][part] = Object.fromEntries(Object.entries(table).map(([key, text]) => [key, written(text)]));
  }
}
console.log(JSON.stringify(texts));
"""

# Codes made with an f-string, which codes_by_status cannot read:
# server/services/auth.py, f"too_many_codes_{window.scope}": the scope of a sign-in code limit is "phone" or "client".
TOO_MANY_CODES = {"too_many_codes_phone", "too_many_codes_client"}
# server/domain/states.py, f"{kind}_{event}_not_allowed": a step the state machine refuses. These are the steps a
# person asks for (cancel, move, check in, record, answer an offer, assign).
REFUSED_STEPS = {
    ("request", "cancel"),  # a resident cancels a request
    ("request", "assign"),  # a coordinator gives a request to a volunteer
    ("request", "refer"),  # a coordinator passes a request to a partner
    ("request", "handle"),  # a partner's staff handled a routed request
    ("offer", "accept"),
    ("offer", "decline"),
    ("session", "move"),
    ("session", "cancel"),  # a resident, a coordinator for a caller, or a volunteer giving a session back
    ("session", "check_in"),
    ("session", "done"),
    ("session", "no_show"),
}
# The server's own steps: taken only after checking the state, so never refused to a person (and if one were, the
# app's general errors.not_allowed text answers).
SYSTEM_STEPS = {
    ("request", "offer"),
    ("request", "offers_expired"),
    ("request", "book"),
    ("request", "route"),
    ("request", "close"),
    ("request", "session_cancelled"),
}
NOT_ALLOWED = {f"{kind}_{event}_not_allowed" for kind, event in REFUSED_STEPS}
# The framework's own errors (server/http/errors.py): a code by status (_DEFAULT_CODE: not_signed_in, forbidden,
# not_found, method_not_allowed, body_too_large, too_many_requests), csrf_failed for a refused CSRF token, and the
# status name for another 400 (bad_request: a body or header the framework cannot read).
FRAMEWORK = {*_DEFAULT_CODE.values(), "csrf_failed", "bad_request"}
# internal_error has the generic text (errors.server), with the reference the server gives.
GENERIC = {"internal_error"}


SYSTEM_NOT_ALLOWED = {f"{kind}_{event}_not_allowed" for kind, event in SYSTEM_STEPS}
MADE_WITH_F_STRINGS = {"too_many_codes_{}": TOO_MANY_CODES}  # as server/http/error_codes.py reads them


def server_codes() -> set[str]:
    found = {code for codes in codes_by_status().values() for code in codes}
    templates = {code for code in found if "{}" in code}
    assert templates == set(MADE_WITH_F_STRINGS), "a new code made with an f-string: list what it can be above"
    return (found - GENERIC - templates - SYSTEM_NOT_ALLOWED) | TOO_MANY_CODES | NOT_ALLOWED | FRAMEWORK


@pytest.fixture(scope="module")
def texts() -> dict[str, dict[str, dict[str, bool]]]:
    node = shutil.which("node")
    assert node, "node is needed to read the PWA's texts"
    answer = subprocess.run(  # noqa: S603 - our own script, no outside input
        [node, "--no-warnings", "--input-type=module", "-e", READ_TEXTS % json.dumps(LANGUAGES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    read: dict[str, dict[str, dict[str, bool]]] = json.loads(answer.stdout)
    return read


def _keys(texts: dict[str, dict[str, dict[str, bool]]], language: str) -> set[str]:
    return {key for part in texts[language].values() for key in part}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_server_code_has_a_text(texts: dict[str, dict[str, dict[str, bool]]], language: str) -> None:
    missing = sorted(server_codes() - _keys(texts, language))
    assert not missing, f"{language}: no text for {len(missing)} codes: {', '.join(missing)}"


def test_the_languages_have_the_same_texts(texts: dict[str, dict[str, dict[str, bool]]]) -> None:
    for part in texts["fi"]:
        finnish = set(texts["fi"][part])
        for language in LANGUAGES[1:]:
            other = set(texts[language][part])
            assert other == finnish, (part, language, sorted(finnish - other), sorted(other - finnish))


def test_no_text_is_empty(texts: dict[str, dict[str, dict[str, bool]]]) -> None:
    empty = [
        (language, part, key)
        for language, parts in texts.items()
        for part, keys in parts.items()
        for key, ok in keys.items()
        if not ok
    ]
    assert not empty


def test_the_formatted_codes_are_the_ones_listed() -> None:
    """A new f-string code, or a new step a person can be refused, has to be added above (and given texts)."""
    templates: set[str] = set()
    steps: set[tuple[str, str]] = set()
    after = {"request_after": "request", "offer_after": "offer", "session_after": "session"}
    for path in (ROOT / "server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            templates |= {
                ast.unparse(k.value) for k in node.keywords if k.arg == "code" and isinstance(k.value, ast.JoinedStr)
            }
            name = node.func.id if isinstance(node.func, ast.Name) else ""
            if name in after and len(node.args) == 2 and isinstance(node.args[1], ast.Constant):
                steps.add((after[name], node.args[1].value))
    assert templates == {"f'too_many_codes_{window.scope}'", "f'{kind}_{event}_not_allowed'"}
    assert steps <= REFUSED_STEPS | SYSTEM_STEPS, sorted(steps - REFUSED_STEPS - SYSTEM_STEPS)
    tables = {
        "request": states.REQUEST_TRANSITIONS,
        "offer": states.OFFER_TRANSITIONS,
        "session": states.SESSION_TRANSITIONS,
    }
    known = {(kind, event) for kind, table in tables.items() for _, event in table}
    assert known >= REFUSED_STEPS | SYSTEM_STEPS
