"""The words of every SMS and push: default templates, how times and places are written, rendering, checking."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.clocktime import HELSINKI
from server.domain.messages import (
    DEFAULTS,
    LANGUAGES,
    MAX_TEMPLATE_LENGTH,
    RESIDENT_FIELDS,
    TEMPLATE_NAMES,
    PlaceInfo,
    check_template,
    fields_of,
    place_text,
    placeholders,
    render,
    when_text,
)
from server.domain.sms_text import sms_size

# Realistic long values: the longest help-point name in the pilot, a mobile helpline, the public address.
LONG = {
    "place": "Kuusamon kaupunginkirjasto, Kaiterantie 22, Kuusamo",
    "helpline": "040 1234000",
    "link": "https://apuri.kuusamo.fi/",
    "volunteer": "Maija-Liisa",
    "resident": "Maija-Liisa Virtanen",
    "topic": "Pankkitunnukset ja mobiilivarmenne",
    "organisation": "Kuusamon kaupungin asiointipiste",
    "name": "Verkkopankki",
    "digit": "1",
    "options": "Älypuhelin, paina 1. Verkkopankki, paina 2.",
    "position": "125",  # on a group session's waiting list
    "until": "ke 30.12. klo 19.45",  # a freed place held until then
}
# Two-digit day, month and hour, and September (abbreviated "Sept" in British English).
LONG_TIMES = (datetime(2026, 12, 30, 17, 45, tzinfo=UTC), datetime(2026, 9, 30, 16, 45, tzinfo=UTC))
CODE_WORD = "Mustikkapiirakka"
SMS_TEMPLATES = [n for n in TEMPLATE_NAMES if n.startswith(("resident.", "reply.")) or n == "volunteer.offer_sms"]
TUESDAY_9 = datetime(2026, 12, 1, 7, tzinfo=UTC)
VALUES = LONG | {"when": "ti 1.12. klo 9.00"}


def filled(name: str, language: str, when: datetime, **options: object) -> str:
    values = {**LONG, "when": when_text(when, language)}
    return render(DEFAULTS[name][language], values, language=language, **options)  # type: ignore[arg-type]


def refusal(name: str, text: str) -> str:
    with pytest.raises(ValueError, match=r"\w") as refused:
        check_template(name, text)
    return str(refused.value)


def test_every_default_message_exists_in_finnish_swedish_and_english() -> None:
    assert LANGUAGES == ("fi", "sv", "en")
    for name in TEMPLATE_NAMES:
        assert set(DEFAULTS[name]) == set(LANGUAGES), name
        assert all(text.strip() for text in DEFAULTS[name].values()), name


def test_every_default_uses_only_the_placeholders_its_message_allows() -> None:
    for name in TEMPLATE_NAMES:
        for language, text in DEFAULTS[name].items():
            assert placeholders(text) <= fields_of(name), (name, language)
            check_template(name, text)


def test_a_language_version_uses_the_same_placeholders_as_the_finnish_one() -> None:
    for name in TEMPLATE_NAMES:
        finnish = placeholders(DEFAULTS[name]["fi"])
        assert all(placeholders(text) == finnish for text in DEFAULTS[name].values()), name


def test_messages_to_residents_can_never_name_the_topic() -> None:
    for name in TEMPLATE_NAMES:
        if not name.startswith("volunteer."):
            assert "topic" not in fields_of(name), name
    assert fields_of("resident.confirmation") == RESIDENT_FIELDS


def test_every_default_stays_in_gsm7_with_long_real_values() -> None:
    for name in TEMPLATE_NAMES:
        for language in LANGUAGES:
            for when in LONG_TIMES:
                for link_free in (False, True):
                    for code_word in ("", CODE_WORD):
                        text = filled(name, language, when, link_free=link_free, code_word=code_word)
                        size = sms_size(text)
                        assert size.encoding == "GSM-7" and size.non_gsm == (), (name, language, text)


def test_every_sms_fits_in_two_segments_with_the_link_and_a_code_word() -> None:
    for name in SMS_TEMPLATES:
        for language in LANGUAGES:
            for when in LONG_TIMES:
                text = filled(name, language, when, link_free=False, code_word=CODE_WORD)
                assert sms_size(text).segments <= 2, (name, language, sms_size(text), text)


def test_times_are_written_one_way_per_language() -> None:
    assert when_text(TUESDAY_9, "fi") == "ti 1.12. klo 9.00"
    assert when_text(TUESDAY_9, "sv") == "tis 1.12. kl. 9.00"
    assert when_text(TUESDAY_9, "en") == "Tue 1 Dec at 9.00"
    assert when_text(TUESDAY_9, "de") == "ti 1.12. klo 9.00", "an unknown language falls back to Finnish"


def test_times_are_helsinki_clock_times_on_both_daylight_saving_sundays() -> None:
    assert [when_text(datetime(2026, 3, 29, 7, tzinfo=UTC), lang) for lang in LANGUAGES] == [
        "su 29.3. klo 10.00",
        "sön 29.3. kl. 10.00",
        "Sun 29 Mar at 10.00",
    ]
    assert [when_text(datetime(2026, 10, 25, 7, tzinfo=UTC), lang) for lang in LANGUAGES] == [
        "su 25.10. klo 9.00",
        "sön 25.10. kl. 9.00",
        "Sun 25 Oct at 9.00",
    ]


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)))
def test_a_written_time_shows_the_local_date_and_clock(instant: datetime) -> None:
    clock = instant.astimezone(HELSINKI)
    finnish = when_text(instant, "fi")
    assert finnish.endswith(f" {clock.day}.{clock.month}. klo {clock.hour}.{clock.minute:02d}"), finnish
    assert when_text(instant, "sv").endswith(f" {clock.day}.{clock.month}. kl. {clock.hour}.{clock.minute:02d}")
    assert when_text(instant, "en").endswith(f" at {clock.hour}.{clock.minute:02d}")
    assert all(sms_size(when_text(instant, lang)).encoding == "GSM-7" for lang in LANGUAGES)


def test_a_help_point_is_named_with_its_address_and_town_in_every_language() -> None:
    library = PlaceInfo("help_point", "Kuusamon kaupunginkirjasto", "Kaiterantie 22", "Kuusamo")
    assert {place_text(library, lang) for lang in LANGUAGES} == {"Kuusamon kaupunginkirjasto, Kaiterantie 22, Kuusamo"}
    assert place_text(PlaceInfo("help_point", "Kirjasto", "", "Kuusamo"), "fi") == "Kirjasto, Kuusamo"


def test_a_remote_session_is_described_in_the_recipients_language() -> None:
    phone = PlaceInfo("phone")
    assert [place_text(phone, lang) for lang in LANGUAGES] == [
        "puhelimitse: avustaja soittaa sinulle",
        "per telefon: hjälparen ringer dig",
        "by phone: your helper calls you",
    ]
    assert place_text(PlaceInfo("video"), "sv") == "som videosamtal"
    assert place_text(PlaceInfo("home_visit"), "en") == "home visit"


def test_the_helper_is_told_that_by_phone_it_is_they_who_call() -> None:
    phone = PlaceInfo("phone")
    assert [place_text(phone, lang, helper=True) for lang in LANGUAGES] == [
        "puhelimitse: soitat asukkaalle",
        "per telefon: du ringer invånaren",
        "by phone: you call the resident",
    ]
    assert place_text(PlaceInfo("video"), "fi", helper=True) == "videopuheluna"


def test_link_free_drops_exactly_the_lines_with_the_link() -> None:
    template = DEFAULTS["resident.confirmation"]["fi"]
    with_link = render(template, LONG, link_free=False).split("\n")
    without = render(template, LONG, link_free=True).split("\n")
    assert with_link[-1] == "Omat aikasi: https://apuri.kuusamo.fi/"
    assert without == with_link[:-1]


lines = st.lists(
    st.sampled_from(["Hei {when}.", "Paikka: {place}", "Omat aikasi: {link}", "Soita {helpline}", "{link} ja {place}"]),
    min_size=1,
    max_size=6,
)


@given(lines)
def test_link_free_keeps_every_line_without_the_link_and_no_line_with_it(template_lines: list[str]) -> None:
    text = "\n".join(template_lines)
    kept = [line.format_map(VALUES) for line in template_lines if "{link}" not in line]
    assert render(text, VALUES, link_free=True) == "\n".join(kept).strip()
    assert render(text, VALUES, link_free=False) == "\n".join(line.format_map(VALUES) for line in template_lines)


def test_a_code_word_is_the_last_line_in_the_recipients_language() -> None:
    expected = {"fi": "Tunnussanasi: Mustikka", "sv": "Ditt kodord: Mustikka", "en": "Your code word: Mustikka"}
    for language, line in expected.items():
        body = render(DEFAULTS["resident.reminder_2h"][language], LONG, link_free=True, language=language)
        with_code = render(
            DEFAULTS["resident.reminder_2h"][language], LONG, link_free=True, code_word="Mustikka", language=language
        )
        assert with_code == body + "\n" + line
        assert "Mustikka" not in body
    assert render("Hei", {}, link_free=True, code_word="{link}", language="en") == "Hei\nYour code word: {link}"


def test_values_go_in_as_they_are_and_a_missing_one_is_left_blank() -> None:
    assert render("Paikka: {place}.", {"place": "{link} {0}"}, link_free=True) == "Paikka: {link} {0}."
    assert render("Avustaja: {volunteer}.", {}, link_free=False) == "Avustaja: ."


def test_placeholders_lists_each_name_once_and_ignores_doubled_braces() -> None:
    assert placeholders("Hei {when}, {place}. Taas {when}.") == {"when", "place"}
    assert placeholders("Hinta {{5}} euroa") == set()
    assert render("Hinta {{5}} euroa", {}, link_free=True) == "Hinta {5} euroa"


def test_an_empty_template_is_refused() -> None:
    for blank in ("", "   ", "\n \n"):
        assert "empty" in refusal("resident.confirmation", blank)


def test_a_template_for_an_unknown_message_is_refused() -> None:
    assert "resident.birthday" in refusal("resident.birthday", "Hyvää syntymäpäivää!")


def test_an_unknown_placeholder_is_refused_with_the_ones_allowed() -> None:
    message = refusal("resident.reminder_24h", "Aihe: {topic}, aika {wehn}")
    assert "topic" in message and "wehn" in message
    assert all(f"{{{field}}}" in message for field in RESIDENT_FIELDS)
    assert "topic" in refusal("reply.cancelled", "Peruttu: {topic}")


def test_positional_and_indexed_fields_are_refused_showing_the_name_form() -> None:
    for field in ("{}", "{0}", "{when.year}", "{place[0]}", "{ when }"):
        message = refusal("resident.confirmation", f"Aika {field}")
        assert "{name}" in message and field in message, message


def test_format_specs_and_conversions_are_refused_quoting_what_was_typed() -> None:
    for field in ("{when:>10}", "{when!r}"):
        message = refusal("resident.confirmation", f"Aika {field}")
        assert "{name}" in message and field in message, message


def test_unbalanced_braces_are_refused_in_words_a_coordinator_understands() -> None:
    for text in ("Aika {when", "Aika when}", "Aika {when}}", "Aika {{when}"):
        assert "has no pair" in refusal("resident.confirmation", text), text


def test_every_default_still_says_something_without_its_link() -> None:
    for name in TEMPLATE_NAMES:
        for language in LANGUAGES:
            text = filled(name, language, TUESDAY_9, link_free=True)
            assert len(text) >= 10 and "{" not in text, (name, language, text)


def test_a_template_over_the_length_limit_is_refused() -> None:
    check_template("reply.feedback", "x" * MAX_TEMPLATE_LENGTH)
    assert str(MAX_TEMPLATE_LENGTH) in refusal("reply.feedback", "x" * (MAX_TEMPLATE_LENGTH + 1))


words = st.text(st.characters(exclude_characters="{}", codec="utf-8"), max_size=30)


@given(st.sampled_from(TEMPLATE_NAMES), st.data())
def test_any_text_using_only_allowed_placeholders_is_accepted_and_renders_them_all(
    name: str, data: st.DataObject
) -> None:
    fields = st.sampled_from(sorted(fields_of(name))).map(lambda f: f"{{{f}}}")
    text = "x" + "".join(data.draw(st.lists(words | fields, max_size=12)))
    check_template(name, text)
    rendered = render(text, VALUES, link_free=False)
    assert not re.search(r"\{\w+\}", rendered)
