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


# A corpus in Finnish, Swedish and English: what a volunteer might really write. The secret ones must all be
# refused; the innocent ones (which talk about secrets without holding one) must all pass.
SECRET_NOTES = [
    # fi
    "PIN koodi 1234",
    "pin-koodi: 0451",
    "PIN-koodi on 9 8 7 6",
    "Kortin PIN 4455, muistilappu lompakossa",
    "avainlukulistan luku 0042",
    "Avainluku-sovelluksen tunnusluku 4821",
    "tunnus luku 553311",
    "tunnusluku: 1 2 3 4 5 6",
    "pankkitunnus 12345678",
    "verkkopankkitunnukset 87654321 ja 1234",
    "Salasana: Kissa2024!",
    "salasana on mummola",
    "uusi salasana = Kesä#1955",
    "Salasanaksi tuli Koira123",
    "OmaKannan salasana: Hilkka1940",
    "sähköpostin salasana on talvi2023",
    "turvakoodi 314",
    "CVV 771",
    "kortin numero 4111 1111 1111 1111",
    "Hetu 131052-308T",
    "vahvistuskoodi 551234 tuli tekstiviestinä",
    "tekstiviestikoodi 864209",
    "Avainluvut 1111 2222 3333 4444 5555",
    "P I N 2468",
    "pin 13 57",
    "Tunnusluku oli 0909 ja se vaihdettiin",
    # sv
    "PIN-kod 7788",
    "pinkod: 4321",
    "Lösenord: Sommar2024",
    "lösenordet är blåbär",
    "Nyckeltal 9012",
    "nyckelkod 554433",
    "säkerhetskod 123",
    "engångskod 556677",
    "verifieringskod: 123456",
    "Bankkod 4567",
    "BankID-koden 123456",
    "lösen = Hund!77",
    "kortnummer 5555 5555 5555 4444",
    "Hennes lösenord är Fiskar99",
    "kod till banken: PIN 9911",
    # en
    "PIN 4812",
    "pin code 0000",
    "her password is sunflower",
    "password: Tr0ub4dor&3",
    "new password = Winter#12",
    "passcode 2580",
    "security code 909",
    "CVC: 321",
    "card number 4012888888881881",
    "one-time code (otp) 123 456",
    "The bank's key code: avainluku 7788",
    "pwd Qwerty!1",
]

INNOCENT_NOTES = [
    # fi
    "opeteltiin PIN-koodin vaihto",
    "Harjoiteltiin tunnusluvun vaihtamista sovelluksessa.",
    "Avainlukulista löytyi, ei kirjattu mitään lukuja.",
    "Salasana vaihdettu, asiakas muistaa sen.",
    "Asiakas unohti salasanan, nollattiin pankin kanssa.",
    "Kerrottiin, ettei PIN-koodia saa antaa kenellekään.",
    "Verkkopankkitunnukset tilattiin pankista postitse.",
    "Tunnusluku-sovellus asennettu ja kokeiltu.",
    "Soitetaan 14.12. klo 10, 45 min riitti.",
    "Tapaaminen 131052 huoneessa 308",
    "Puhelinnumero 040 123 4567 päivitetty",
    "Harjoiteltiin OmaKantaa ja reseptien uusimista.",
    "PIN-koodi vaihdettiin 12.3.2024 pankissa.",
    "Salasanan vaihto onnistui klo 14.30.",
    "Neuvottu salasanojen hallintaa, ei kirjattu salasanoja.",
    "Vahvistuskoodi tuli tekstiviestinä ja asiakas syötti sen itse.",
    "Pankkitunnukset toimivat nyt.",
    "Asiakkaan kanssa käytiin läpi 3 tapaa tunnistautua.",
    "Luku 5 oppaasta luettiin yhdessä.",
    "Kortin PIN-koodi on asiakkaan tiedossa, ei kirjattu.",
    "Salasana on nyt kunnossa.",
    "Tulostettiin 2 sivua ohjeita.",
    "Kela-asiat hoidettu, seuraava tapaaminen 3 viikon päästä.",
    "Asennettiin Suomi.fi-sovellus ja kokeiltiin kirjautumista.",
    "Vaihdettiin puhelimen näytön lukituksen koodi, asiakas valitsi sen itse.",
    # sv
    "Vi övade att byta PIN-kod.",
    "Lösenordet ändrat, fungerar nu.",
    "Nyckeltalsappen installerad.",
    "Hon glömt lösenordet, återställt via banken.",
    "BankID fungerar nu på telefonen.",
    "Vi gick igenom 4 steg för att logga in.",
    "Säkerhetskoden skickas med sms, hon matar in den själv.",
    "Träff 14.12 kl. 10.00, 30 min.",
    "Lösenord sparat i lösenordshanteraren av kunden själv.",
    "Vi pratade om att aldrig ge sin PIN-kod till någon.",
    "Engångskoden kom fram och fungerade.",
    "Kortnumret behövs inte, vi betalade med nätbanken.",
    # en
    "changed her password yesterday, all fine",
    "Password manager installed and explained.",
    "We practised changing the PIN code.",
    "Explained never to share a PIN with anyone.",
    "Security code arrives by text; she typed it herself.",
    "Card number not needed, paid via online bank.",
    "Reset password with the bank on 3.12.",
    "The one-time code worked on the second try.",
    "Passcode for the phone set by the resident, not recorded.",
    "Session lasted 45 minutes; 2 apps installed.",
    "Helped with OmaKanta prescriptions, 3 renewed.",
    "Password is now working.",
    "Showed chapter 12 of the guide.",
]


@pytest.mark.parametrize("note", SECRET_NOTES)
def test_the_corpus_of_secret_notes_is_refused(note: str) -> None:
    assert secret_in(note) is not None, note


@pytest.mark.parametrize("note", INNOCENT_NOTES)
def test_the_corpus_of_innocent_notes_passes(note: str) -> None:
    assert secret_in(note) is None, (note, secret_in(note))


def test_the_corpus_is_large_enough() -> None:
    assert len(SECRET_NOTES) >= 50 and len(INNOCENT_NOTES) >= 50
