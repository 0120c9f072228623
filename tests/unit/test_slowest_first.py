"""The slowest test modules go out first (tests/conftest.py): a renamed or removed one must leave the list, or it
would silently go back to the end of the run."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SLOWEST_FIRST

ROOT = Path(__file__).resolve().parents[2]


def test_every_module_named_slowest_first_exists() -> None:
    assert [p for p in SLOWEST_FIRST if not (ROOT / p).is_file()] == []
    assert len(set(SLOWEST_FIRST)) == len(SLOWEST_FIRST)
