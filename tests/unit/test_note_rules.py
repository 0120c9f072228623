"""Volunteers' notes refuse what looks like a resident's secret, and let ordinary notes through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.notes import secret_in


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("Salasana: kissa123", "password"),
        ("salasana on kesäpäivä", "password"),
        ("password = Tr0ub4dor&3", "password"),
        ("Lösenord: sommar2024", "password"),
        ("her password is sunflower", "password"),
        ("PIN 4812", "pin_or_code"),
        ("pin-koodi on 0451", "pin_or_code"),
        ("tunnusluku 123456 muistiin", "pin_or_code"),
        ("Avainluku: 2231", "pin_or_code"),
        ("CVC 123", "pin_or_code"),
        ("Hetu 131052-308T kirjattu", "identity_code"),
        ("kortti 4111 1111 1111 1111", "card_number"),
        ("koodit 1234 5678 9012 3456 7890", "code_list"),
    ],
)
def test_secrets_are_found(note: str, kind: str) -> None:
    found = secret_in(note)
    assert found is not None and found.kind == kind, (note, found)


@pytest.mark.parametrize(
    "note",
    [
        "Autoin vaihtamaan PIN-koodin, hän vaihtoi sen itse.",
        "Salasana vaihdettu, asiakas muistaa sen.",
        "changed her password yesterday, all fine",
        "Password manager installed and explained.",
        "Lösenordet ändrat, fungerar nu.",
        "Soitetaan 14.12. klo 10, 45 min riitti.",
        "Harjoiteltiin OmaKantaa ja reseptien uusimista.",
        "Tapaaminen 131052 huoneessa 308",  # six digits but no identity code
        "Puhelinnumero 040 123 4567 päivitetty",  # not a Luhn-valid card, not a list of 4-digit codes
        "",
    ],
)
def test_ordinary_notes_pass(note: str) -> None:
    assert secret_in(note) is None, note


@given(st.text(alphabet=st.characters(whitelist_categories=("L", "Zs", "P")), max_size=200))
def test_text_without_digits_or_secret_words_passes(note: str) -> None:
    lowered = note.lower()
    words = ("salasan", "passw", "pwd", "lösen", "losen", "tunnussan")
    if not any(w in lowered for w in words):
        assert secret_in(note) is None
