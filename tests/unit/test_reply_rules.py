"""Residents' SMS replies: understood only when unmistakable, otherwise handed to a person."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.replies import (
    CANCEL_WORDS,
    CONFIRM_WORDS,
    COURTESY_WORDS,
    START_WORDS,
    STOP_WORDS,
    Reply,
    ReplyKind,
    Target,
    parse_reply,
    reply_target,
)

KEYWORDS = {
    ReplyKind.CONFIRM: CONFIRM_WORDS,
    ReplyKind.CANCEL: CANCEL_WORDS,
    ReplyKind.STOP: STOP_WORDS,
    ReplyKind.START: START_WORDS,
}
ALL_KEYWORDS = sorted(word for words in KEYWORDS.values() for word in words)
SURROUNDINGS = st.text(alphabet="!.,;:-()*'\"…👍🙂😊❤️🏽 ", max_size=6)


def kind_of(text: str) -> ReplyKind:
    return parse_reply(text).kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Kyllä!", ReplyKind.CONFIRM),
        (" ok. ", ReplyKind.CONFIRM),
        ("JOO 👍", ReplyKind.CONFIRM),
        ("kylla", ReplyKind.CONFIRM),
        ("Selva", ReplyKind.CONFIRM),
        ("Ja", ReplyKind.CONFIRM),
        ("Y", ReplyKind.CONFIRM),
        ("Peru", ReplyKind.CANCEL),
        ("PERUUTAN.", ReplyKind.CANCEL),
        ("Avboka", ReplyKind.CANCEL),
        ("nej", ReplyKind.CANCEL),
        ("STOP", ReplyKind.STOP),
        ("Lopeta!", ReplyKind.STOP),
        ("stopp", ReplyKind.STOP),
        ("Aloita", ReplyKind.START),
        ("börja", ReplyKind.START),
        ("BORJA", ReplyKind.START),
    ],
)
def test_a_single_keyword_is_understood_in_any_case_and_punctuation(text: str, kind: ReplyKind) -> None:
    assert kind_of(text) is kind


@pytest.mark.parametrize(("word", "kind"), [(word, kind) for kind, words in KEYWORDS.items() for word in sorted(words)])
def test_every_keyword_means_its_kind(word: str, kind: ReplyKind) -> None:
    assert kind_of(word) is kind
    assert kind_of(word.upper()) is kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ei kiitos", ReplyKind.CANCEL),
        ("Ei, kiitos.", ReplyKind.CANCEL),
        ("kyllä kiitos", ReplyKind.CONFIRM),
        ("ok tack", ReplyKind.CONFIRM),
        ("Yes, thank you!", ReplyKind.CONFIRM),
        ("no thanks", ReplyKind.CANCEL),
        ("nej tack", ReplyKind.CANCEL),
        ("joo kiitti 😊", ReplyKind.CONFIRM),
        ("Kyllä kiitos kiitos!", ReplyKind.CONFIRM),
        ("stop thx", ReplyKind.STOP),
    ],
)
def test_thanks_after_a_keyword_do_not_change_its_meaning(text: str, kind: ReplyKind) -> None:
    assert kind_of(text) is kind


@pytest.mark.parametrize(
    ("text", "digit"), [("5", 5), ("4!", 4), ("3 kiitos", 3), (" 1 ", 1), ("2.", 2), ("5 tack", 5), ("5️⃣", 5)]
)
def test_a_lone_digit_from_one_to_five_is_reported_as_that_digit(text: str, digit: int) -> None:
    assert parse_reply(text) == Reply(ReplyKind.DIGIT, digit)


def test_the_caller_decides_what_one_and_two_mean() -> None:
    assert parse_reply("1") == Reply(ReplyKind.DIGIT, 1)
    assert parse_reply("2") == Reply(ReplyKind.DIGIT, 2)


@pytest.mark.parametrize(
    "text",
    [
        "kyllä mutta myöhästyn",
        "en pääse huomenna",
        "ei pääse",
        "ei peru",
        "älä peru",
        "peru ensi viikon aika",
        "no joo",
        "joo joo",
        "kiitos kyllä",
        "kiitos",
        "thank you",
        "ok thank",
        "0",
        "6",
        "10",
        "1 2",
        "3,5",
        "4/5",
        "5 tähteä",
        "kello 3",
        "",
        "   ",
        "👍",
        "!!!",
        "peru?",
        "Ei?",
        "ok?",
        "5?",
    ],
)
def test_anything_else_is_unknown_and_goes_to_a_person(text: str) -> None:
    assert parse_reply(text) == Reply(ReplyKind.UNKNOWN)


def test_no_word_means_two_things() -> None:
    fold = {word: word.casefold().replace("ä", "a").replace("ö", "o").replace("å", "a") for word in ALL_KEYWORDS}
    assert len(set(fold.values())) == len(ALL_KEYWORDS)
    assert not set(fold.values()) & {phrase.casefold() for phrase in COURTESY_WORDS}


def test_a_reply_carries_a_digit_exactly_when_it_is_a_digit_reply() -> None:
    with pytest.raises(ValueError, match="digit"):
        Reply(ReplyKind.CONFIRM, 1)
    with pytest.raises(ValueError, match="digit"):
        Reply(ReplyKind.DIGIT)
    with pytest.raises(ValueError, match="digit"):
        Reply(ReplyKind.DIGIT, 6)


@given(st.text())
def test_any_text_is_parsed_and_only_one_to_five_is_a_digit(text: str) -> None:
    reply = parse_reply(text)
    assert isinstance(reply.kind, ReplyKind)
    assert (reply.kind is ReplyKind.DIGIT) == (reply.digit in {1, 2, 3, 4, 5})


@given(st.sampled_from(ALL_KEYWORDS), SURROUNDINGS, SURROUNDINGS)
def test_surrounding_punctuation_and_emoji_do_not_change_a_keyword(word: str, before: str, after: str) -> None:
    assert kind_of(before + word + after) is kind_of(word)


@given(
    st.sampled_from(sorted(CANCEL_WORDS)),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzäö", min_size=1, max_size=12),
)
def test_an_unclear_reply_is_never_taken_as_a_cancellation(word: str, extra: str) -> None:
    if extra not in COURTESY_WORDS:
        assert kind_of(f"{word} {extra}") is ReplyKind.UNKNOWN
        assert kind_of(f"{extra} {word}") is ReplyKind.UNKNOWN


@given(st.text(alphabet=st.characters(exclude_categories=("L", "N")), max_size=20))
def test_a_reply_without_letters_or_digits_is_unknown(text: str) -> None:
    assert kind_of(text) is ReplyKind.UNKNOWN


A, B, C, D = (uuid.UUID(int=n) for n in range(1, 5))


def test_a_reply_acts_on_the_session_the_reminder_asked_about() -> None:
    assert reply_target(asked=A, asked_on=True, also_asked=(), upcoming=()) == Target(act=A)


def test_a_reply_about_a_session_no_longer_on_never_falls_through_to_the_next_one() -> None:
    assert reply_target(asked=A, asked_on=False, also_asked=(B,), upcoming=(B, C)) == Target(gone=A)


def test_two_sessions_reminded_close_together_are_asked_about_newest_first() -> None:
    assert reply_target(asked=A, asked_on=True, also_asked=(B, A, B), upcoming=()) == Target(ask=(A, B))


def test_with_no_reminder_one_coming_session_is_the_one_and_several_are_asked_about() -> None:
    assert reply_target(asked=None, asked_on=False, also_asked=(), upcoming=(C,)) == Target(act=C)
    assert reply_target(asked=None, asked_on=False, also_asked=(), upcoming=(A, B, C, D)) == Target(ask=(A, B, C))
    assert reply_target(asked=None, asked_on=False, also_asked=(), upcoming=()) == Target()
