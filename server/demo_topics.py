"""The demo network's topic list: what residents most often ask help with, in Finnish, Swedish and English.
Bring-with-you lists never ask for codes: residents keep and type their own credentials."""

from __future__ import annotations

from server.domain.topics import Outcome, Topic


def _t(
    code: str,
    order: int,
    names: tuple[str, str, str],
    bring: list[tuple[str, str, str]],
    outcomes: list[tuple[str, str, str, str]],
) -> Topic:
    return Topic(
        code=code,
        names=dict(zip(("fi", "sv", "en"), names, strict=True)),
        bring={lang: [item[i] for item in bring] for i, lang in enumerate(("fi", "sv", "en"))},
        outcomes=[Outcome(o[0], dict(zip(("fi", "sv", "en"), o[1:], strict=True))) for o in outcomes],
        partner_only_organisation_id=None,
        sort_order=order,
        active=True,
    )


PHONE_AND_CHARGER = ("Oma puhelin ja laturi", "Egen telefon och laddare", "Your own phone and charger")

TOPICS = [
    _t(
        "smartphone",
        10,
        ("Älypuhelimen käyttö", "Att använda smarttelefon", "Using a smartphone"),
        [
            PHONE_AND_CHARGER,
            (
                "Puhelimen PIN-koodi muistissa – näppäilet sen itse",
                "Kom ihåg telefonens PIN-kod – du knappar in den själv",
                "Know your phone's PIN – you type it yourself",
            ),
        ],
        [
            ("answer_call", "Vastata puheluun", "Svara i telefon", "Answer a call"),
            ("send_message", "Lähettää viestin", "Skicka ett meddelande", "Send a message"),
            ("install_app", "Asentaa sovelluksen", "Installera en app", "Install an app"),
        ],
    ),
    _t(
        "e_identification",
        20,
        ("Vahva sähköinen tunnistautuminen", "Stark elektronisk identifiering", "Strong electronic identification"),
        [PHONE_AND_CHARGER, ("Henkilökortti tai passi", "Identitetskort eller pass", "Identity card or passport")],
        [("log_in_suomi_fi", "Kirjautua Suomi.fi-palveluun", "Logga in på Suomi.fi", "Log in to Suomi.fi")],
    ),
    _t(
        "online_banking",
        30,
        ("Verkkopankki ja mobiilipankki", "Nätbank och mobilbank", "Online and mobile banking"),
        [
            PHONE_AND_CHARGER,
            (
                "Omat pankkitunnukset – näppäilet ne itse, emme kysy niitä",
                "Egna bankkoder – du knappar in dem själv, vi frågar aldrig efter dem",
                "Your own bank codes – you type them yourself; we never ask for them",
            ),
        ],
        [
            ("pay_bill", "Maksaa laskun", "Betala en räkning", "Pay a bill"),
            ("check_balance", "Katsoa tilin saldon", "Se kontots saldo", "Check the balance"),
        ],
    ),
    _t(
        "health_records",
        40,
        ("OmaKanta ja terveyspalvelut", "MittKanta och hälsotjänster", "OmaKanta and health services"),
        [PHONE_AND_CHARGER],
        [
            ("renew_prescription", "Uusia reseptin", "Förnya ett recept", "Renew a prescription"),
            ("read_records", "Lukea omia tietojaan", "Läsa sina uppgifter", "Read one's own records"),
        ],
    ),
    _t(
        "kela_tax",
        50,
        ("Kela- ja veroasiat verkossa", "FPA- och skatteärenden på nätet", "Kela and tax online"),
        [
            PHONE_AND_CHARGER,
            (
                "Kelan tai verottajan kirje, jos sellainen on tullut",
                "Brev från FPA eller Skatteförvaltningen, om du fått ett",
                "A letter from Kela or the tax office, if you got one",
            ),
        ],
        [
            ("file_tax_return", "Tarkistaa veroilmoituksen", "Granska skattedeklarationen", "Check the tax return"),
            ("apply_benefit", "Hakea etuutta", "Ansöka om en förmån", "Apply for a benefit"),
        ],
    ),
    _t(
        "video_calls",
        60,
        ("Videopuhelut läheisille", "Videosamtal med närstående", "Video calls with family"),
        [
            (
                "Oma puhelin tai tabletti ja laturi",
                "Egen telefon eller surfplatta och laddare",
                "Your own phone or tablet and charger",
            )
        ],
        [("call_family", "Soittaa videopuhelun", "Ringa ett videosamtal", "Make a video call")],
    ),
    _t(
        "scams",
        70,
        ("Huijausviestien tunnistaminen", "Känna igen bedrägerier", "Spotting scam messages"),
        [PHONE_AND_CHARGER],
        [("spot_scam", "Tunnistaa huijausviestin", "Känna igen ett bedrägeri", "Recognise a scam message")],
    ),
    _t(
        "email",
        80,
        ("Sähköposti", "E-post", "Email"),
        [PHONE_AND_CHARGER],
        [("read_email", "Lukea ja lähettää sähköpostia", "Läsa och skicka e-post", "Read and send email")],
    ),
]

SERVED = {
    "city": ["e_identification", "kela_tax"],
    "library": ["smartphone", "email", "video_calls", "scams"],
    "seniors": ["smartphone", "scams", "video_calls"],
    "college": [t.code for t in TOPICS],
}
