"""Every message template has a name in words on the templates screen, in Finnish, Swedish and English, so the
network coordinator never picks from raw keys like `reply.confirmed`. The keys come from the server
(server.domain.messages.DEFAULTS: SMS, notifications and the voice menu); the names from the coordinator's i18n
modules as the browser loads them (node imports them). A template "resident.confirmation" is named by
`coord.template.resident.confirmation`, and its audience ("resident") by `coord.templateGroup.resident` (the
picker's <optgroup>). A new template without a name fails here."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.domain.messages import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("fi", "sv", "en")

# Each language's template names and audience names, as plain JSON (a function would be dropped: it counts as none).
READ_NAMES = """
const names = {};
for (const lang of %s) {
  const coord = (await import(`./pwa/i18n/coordinator-${lang}.js`)).default;
  names[lang] = { template: coord.template ?? {}, templateGroup: coord.templateGroup ?? {} };
}
console.log(JSON.stringify(names));
"""

Names = dict[str, dict[str, dict[str, object]]]


@pytest.fixture(scope="module")
def names() -> Names:
    node = shutil.which("node")
    assert node, "node is needed to read the PWA's texts"
    answer = subprocess.run(  # noqa: S603 - our own script, no outside input
        [node, "--no-warnings", "--input-type=module", "-e", READ_NAMES % json.dumps(LANGUAGES)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr
    read: Names = json.loads(answer.stdout)
    return read


def _name(names: Names, language: str, key: str) -> object:
    audience, _, rest = key.partition(".")
    table = names[language]["template"].get(audience)
    return table.get(rest) if isinstance(table, dict) else None


def _written(text: object) -> bool:
    return isinstance(text, str) and text.strip() != ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_has_a_name(names: Names, language: str) -> None:
    missing = sorted(key for key in DEFAULTS if not _written(_name(names, language, key)))
    assert not missing, f"{language}: no name for {len(missing)} templates: {', '.join(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_audience_has_a_group_name(names: Names, language: str) -> None:
    audiences = {key.partition(".")[0] for key in DEFAULTS}
    missing = sorted(a for a in audiences if not _written(names[language]["templateGroup"].get(a)))
    assert not missing, f"{language}: no group name for {', '.join(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_name_for_a_template_that_does_not_exist(names: Names, language: str) -> None:
    named = {
        f"{audience}.{rest}"
        for audience, table in names[language]["template"].items()
        for rest in (table if isinstance(table, dict) else {})
    }
    assert not named - set(DEFAULTS), sorted(named - set(DEFAULTS))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_names_are_told_apart(names: Names, language: str) -> None:
    """Two messages with the same name could not be told apart in the picker."""
    worded = [_name(names, language, key) for key in DEFAULTS]
    repeated = sorted({str(n) for n in worded if worded.count(n) > 1})
    assert not repeated, f"{language}: the same name for more than one template: {repeated}"
