"""Reading the topic of a resident's text message: a corpus of realistic messages (written for this test, in
Finnish, Swedish and English, with the typos, missing å/ä/ö and compounds people send) each labelled with its topic
or "unclear" (None). The test reports the accuracy and holds two rules: at least 90 % read right, and a confident
wrong topic at most twice (a wrong topic books the wrong help; "unclear" only costs a person's call)."""

from __future__ import annotations

from server.domain.text_booking import DEFAULT_LEXICON, choice_of, lexicon_with, read, wants_call, words_of

CORPUS: list[tuple[str, str | None]] = [
    # Finnish
    ("tarvitsisin apua pankkisovelluksen kanssa", "online_banking"),
    ("En osaa maksaa laskuja verkkopankissa", "online_banking"),
    ("hei, miten saan mobiilipankin toimimaan uudessa puhelimessa?", "online_banking"),
    ("Verkkopankki ei aukea", "online_banking"),
    ("tarviisin apua e-laskun kanssa", "online_banking"),
    ("pankkitunnukset hukassa, miten maksan laskun", "online_banking"),
    ("Haluaisin oppia katsomaan tilin saldon", "online_banking"),
    ("olen yrittänyt tehdä tilisiirron mutta ei onnistu", "online_banking"),
    ("pankin sovellus kaatuu koko ajan", "online_banking"),
    ("uusi älypuhelin, en osaa käyttää", "smartphone"),
    ("puhelimen käytössä apua", "smartphone"),
    ("sain lahjaksi kännykän enkä osaa vastata puheluun", "smartphone"),
    ("Miten lähetän tekstiviestin", "smartphone"),
    ("whatsappin asentaminen", "smartphone"),
    ("kosketusnäyttö on vaikea", "smartphone"),
    ("puhelimeni näyttö on liian pieni, voiko fonttia suurentaa", "smartphone"),
    ("Alypuhelimen kaytto", "smartphone"),
    ("puheliemn kanssa ongelmia", "smartphone"),
    ("vahva tunnistautuminen ei onnistu", "e_identification"),
    ("miten saan mobiilivarmenteen", "e_identification"),
    ("tunistautuminen suomi.fi palveluun", "e_identification"),
    ("en pääse kirjautumaan suomi.fi:hin", "e_identification"),
    ("tunnistaudu pankkitunnuksilla ei toimi", "e_identification"),
    ("Tunnistautumisessa ongelmia", "e_identification"),
    ("mobiilivarmenne kysyy koodia", "e_identification"),
    ("omakanta reseptin uusiminen", "health_records"),
    ("haluan uusia reseptin netissä", "health_records"),
    ("miten katson omat tietoni omakannasta", "health_records"),
    ("Terveyskeskuksen ajanvaraus netissä", "health_records"),
    ("lääkärin vastaanoton varaaminen verkossa", "health_records"),
    ("rokotustiedot omakanta", "health_records"),
    ("omakannasa en löydä reseptejä", "health_records"),
    ("kela hakemus netissä", "kela_tax"),
    ("veroilmoituksen tarkistaminen", "kela_tax"),
    ("Asumistuen hakeminen verkossa", "kela_tax"),
    ("verokortin muuttaminen", "kela_tax"),
    ("kelan etuuden haku", "kela_tax"),
    ("eläkkeen hakeminen kelasta", "kela_tax"),
    ("haluan soittaa videopuhelun lapsenlapsille", "video_calls"),
    ("videopuhelu ei toimi", "video_calls"),
    ("miten käytän zoomia", "video_calls"),
    ("teams palaveriin liittyminen", "video_calls"),
    ("kuvapuhelu tyttären kanssa", "video_calls"),
    ("Sain epäilyttävän viestin", "scams"),
    ("onko tämä huijaus", "scams"),
    ("huijausviesti pankin nimissä", "scams"),
    ("joku huijari soitti", "scams"),
    ("tietojenkalastelu sähköpostissa", "scams"),
    ("sähköpostin lähettäminen", "email"),
    ("en osaa avata sähköpostia", "email"),
    ("sahkopostin liitteet", "email"),
    ("gmail salasana unohtui", "email"),
    ("meilin lähettäminen kuvien kanssa", "email"),
    ("sähköpstin kanssa apua", "email"),
    ("Hei, voisitteko soittaa minulle", None),
    ("kiitos viimeisestä kerrasta!", None),
    ("tietokone on hidas", None),
    ("apua", None),
    ("Mitä kuuluu", None),
    ("tarvitsen apua", None),
    ("onko teillä aukiolo huomenna", None),
    # Swedish
    ("jag behöver hjälp med nätbanken", "online_banking"),
    ("hur betalar jag en räkning i mobilbanken", "online_banking"),
    ("Banken app fungerar inte", "online_banking"),
    ("rakning betalning hjalp", "online_banking"),
    ("ny telefon, vet inte hur den fungerar", "smartphone"),
    ("hur skickar jag sms från min smarttelefon", "smartphone"),
    ("telefonen är svår att använda", "smartphone"),
    ("mobilcertifikat hjälp", "e_identification"),
    ("stark identifiering fungerar inte", "e_identification"),
    ("inloggning till suomi.fi", "e_identification"),
    ("förnya recept i MittKanta", "health_records"),
    ("boka tid till läkare på nätet", "health_records"),
    ("mittkanta hjälp", "health_records"),
    ("FPA ansökan på nätet", "kela_tax"),
    ("skattedeklarationen hjälp", "kela_tax"),
    ("bostadsbidrag ansökan", "kela_tax"),
    ("videosamtal med barnbarn", "video_calls"),
    ("hur ringer man video", "video_calls"),
    ("jag fick ett konstigt meddelande, är det bedrägeri", "scams"),
    ("bluff sms", "scams"),
    ("e-post hjälp", "email"),
    ("hur skickar jag mejl", "email"),
    ("hej, kan ni ringa mig", None),
    ("tack för hjälpen", None),
    ("datorn fungerar inte", None),
    # English
    ("I need help with my online bank", "online_banking"),
    ("how do I pay a bill with the banking app", "online_banking"),
    ("bank app not working", "online_banking"),
    ("new smartphone, need help", "smartphone"),
    ("how to use my phone", "smartphone"),
    ("touchscreen is hard to use", "smartphone"),
    ("strong identification problem", "e_identification"),
    ("cant get mobile certificate", "e_identification"),
    ("renew prescription online", "health_records"),
    ("book a doctor appointment online", "health_records"),
    ("help with my tax return", "kela_tax"),
    ("apply for kela benefit", "kela_tax"),
    ("video call with grandchildren", "video_calls"),
    ("zoom help please", "video_calls"),
    ("is this a scam message", "scams"),
    ("got a suspicious text", "scams"),
    ("phishing email", "scams"),
    ("how do i send an email", "email"),
    ("gmail password forgotten", "email"),
    ("emial attachments", "email"),
    ("hello can you call me", None),
    ("thanks", None),
    ("my computer is slow", None),
]


def test_the_corpus_is_large_and_covers_every_default_topic_and_unclear() -> None:
    assert len(CORPUS) >= 100
    labels = {label for _, label in CORPUS}
    assert set(DEFAULT_LEXICON) | {None} == labels


def test_the_lexicon_reads_the_corpus_right() -> None:
    lexicon = lexicon_with({})
    right, wrong_topic, missed = 0, [], []
    for text, label in CORPUS:
        found = read(text, lexicon).topic
        if found == label:
            right += 1
        elif found is not None:
            wrong_topic.append((text, label, found))
        else:
            missed.append((text, label))
    accuracy = right / len(CORPUS)
    print(  # noqa: T201 - the accuracy is the figure this test reports
        f"\ntext booking corpus: {right}/{len(CORPUS)} right ({accuracy:.1%}); wrong topic: {wrong_topic}; "
        f"unclear instead of a topic: {missed}"
    )
    assert accuracy >= 0.9, (wrong_topic, missed)
    assert len(wrong_topic) <= 2, wrong_topic


def test_an_unclear_text_keeps_the_best_guess_for_the_person_who_reads_it() -> None:
    reading = read("maksa", lexicon_with({}))
    assert reading.topic is None and reading.guess == "online_banking", "a weak stem alone leans, does not decide"
    assert read("pankki ja sähköposti", lexicon_with({})).topic is None, "two topics as strong: a person decides"


def test_the_network_adds_its_own_words_and_topics() -> None:
    assert read("digikahvila", lexicon_with({})).topic is None
    assert read("Digikahvilaan ilmoittautuminen", lexicon_with({"groups": ["digikahvila"]})).topic == "groups"
    only = lexicon_with({}, topics=["email"])
    assert read("verkkopankki", only).topic is None, "a topic not in use is not offered"


def test_the_language_of_the_text() -> None:
    lexicon = lexicon_with({})
    assert read("jag behöver hjälp med nätbanken", lexicon).language == "sv"
    assert read("I need help with my online bank", lexicon).language == "en"
    assert read("tarvitsisin apua pankkisovelluksen kanssa", lexicon).language == "fi"


def test_numbered_choices_and_call_me() -> None:
    assert choice_of("2", 3) == 2 and choice_of(" 3. kiitos", 3) == 3 and choice_of("nro 1", 3) == 1
    assert choice_of("4", 3) is None and choice_of("1 tai 2", 3) is None and choice_of("ok", 3) is None
    assert wants_call("SOITA") and wants_call("soita kiitos") and wants_call("Ring") and wants_call("call me")
    assert not wants_call("en osaa soittaa videopuhelua")
    assert words_of("e-post ja suomi.fi") == ["epost", "ja", "suomifi"]
