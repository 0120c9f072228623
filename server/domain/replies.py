"""What a resident's SMS reply means.

Residents answer reminders and feedback questions by text message, often older people typing on a phone, in
Finnish, Swedish or English. A reply is understood only when it is one keyword ("Kyllä!", "peru", "STOP") or one
digit from 1 to 5, optionally followed by thanks ("ei kiitos", "ok tack", "4 kiitos"). Everything else is
UNKNOWN and goes to a coordinator.

Being conservative is the point. "Kyllä mutta myöhästyn" is a yes with a condition, "en pääse huomenna" is
probably a cancellation but may be a request to move the time, "ei peru" means the opposite of "peru", and
"peru?" is a question. Reading any of these automatically risks the worst outcome: a session cancelled that the
resident still expects, so an older person waits at the library for a volunteer who was told not to come. An
UNKNOWN costs a coordinator a minute of reading; a wrong cancellation costs a resident's trust. For the same
reason a reply containing a question mark is never understood automatically.

Whether a digit means confirm/cancel (1/2 after a reminder), a rating (after a session) or a choice (after "which
time?") depends on what we asked, so the caller decides; this module only reports the digit. Which session a yes
or a cancel acts on is decided by `reply_target`.
"""

from __future__ import annotations

import enum
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass


class ReplyKind(enum.StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    STOP = "stop"
    START = "start"
    DIGIT = "digit"
    DROP_IN = "drop_in"  # "PÄIVYSTYS (Kuusamo)": which drop-in hours are next (changes nothing)
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    digit: int | None = None  # 1-5, only for DIGIT
    rest: str = ""  # DROP_IN: the words after the keyword (a municipality, maybe)
    keyword: str = ""  # DROP_IN: the keyword itself, folded ("paivystys", "jour", "drop-in")

    def __post_init__(self) -> None:
        if (self.kind is ReplyKind.DIGIT) != (self.digit is not None and 1 <= self.digit <= 5):
            raise ValueError(f"a {self.kind} reply cannot carry the digit {self.digit!r}")


CONFIRM_WORDS = frozenset({"kyllä", "joo", "juu", "jep", "ok", "okei", "selvä", "ja", "jo", "yes", "yep", "y"})
CANCEL_WORDS = frozenset({"peru", "peruuta", "peruutan", "peruutus", "ei", "avboka", "avbok", "nej", "cancel", "no"})
STOP_WORDS = frozenset({"stop", "lopeta", "sluta", "stopp", "unsubscribe", "end", "quit"})
START_WORDS = frozenset({"start", "aloita", "börja", "unstop"})
# Asks for the drop-in hours (nothing changes, so a question mark or more words after it do no harm).
DROP_IN_WORDS = frozenset({"päivystys", "päivystykset", "jour", "jourer", "dropin", "drop-in"})
# Thanks that may follow a keyword or digit without changing its meaning; a phrase is words separated by a space.
COURTESY_WORDS = frozenset({"kiitos", "kiitti", "kiitoksia", "tack", "thanks", "thank you", "thx"})

_DIGITS = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
# Residents often type without umlauts: "kylla", "selva", "borja".
_PLAIN_LETTERS = str.maketrans({"ä": "a", "ö": "o", "å": "a"})


def _fold(word: str) -> str:
    return word.casefold().translate(_PLAIN_LETTERS)


_KIND_BY_WORD = {
    _fold(word): kind
    for words, kind in (
        (CONFIRM_WORDS, ReplyKind.CONFIRM),
        (CANCEL_WORDS, ReplyKind.CANCEL),
        (STOP_WORDS, ReplyKind.STOP),
        (START_WORDS, ReplyKind.START),
    )
    for word in words
}
_COURTESY = frozenset(_fold(phrase) for phrase in COURTESY_WORDS)
_DROP_IN = frozenset(_fold(word) for word in DROP_IN_WORDS)
_LONGEST_COURTESY = max(len(phrase.split()) for phrase in COURTESY_WORDS)


def parse_reply(text: str) -> Reply:
    """The meaning of a resident's reply; UNKNOWN unless it is unmistakable."""
    normal = unicodedata.normalize("NFC", text)
    tokens = _fold(normal).split()
    if tokens and _strip(tokens[0]) in _DROP_IN:
        return Reply(ReplyKind.DROP_IN, rest=" ".join(tokens[1:]), keyword=_strip(tokens[0]))
    if "?" in normal or "？" in normal:
        return Reply(ReplyKind.UNKNOWN)
    words = [word for word in (_strip(token) for token in _fold(normal).split()) if word]
    if not words or not _only_courtesy(words[1:]):
        return Reply(ReplyKind.UNKNOWN)
    if words[0] in _DIGITS:
        return Reply(ReplyKind.DIGIT, _DIGITS[words[0]])
    return Reply(_KIND_BY_WORD.get(words[0], ReplyKind.UNKNOWN))


def mentions_reply_word(text: str) -> bool:
    """Whether a text holds a question mark or any word a reply is made of ("peru", "kyllä", "stop"): then it may
    be about the question asked, whatever else it says."""
    normal = unicodedata.normalize("NFC", text)
    if "?" in normal or "？" in normal:
        return True
    return any(_strip(token) in _KIND_BY_WORD for token in _fold(normal).split())


def _strip(token: str) -> str:
    # Punctuation, symbols and emoji (with their joiners, variation selectors and skin tones) around a word.
    start, end = 0, len(token)
    while start < end and not _is_word_char(token[start]):
        start += 1
    while end > start and not _is_word_char(token[end - 1]):
        end -= 1
    return token[start:end]


def _is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN"


def _only_courtesy(words: list[str]) -> bool:
    i = 0
    while i < len(words):
        for size in range(_LONGEST_COURTESY, 0, -1):
            phrase = words[i : i + size]
            if len(phrase) == size and " ".join(phrase) in _COURTESY:
                i += size
                break
        else:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Target:
    """What a yes or a cancel by text acts on: one session (`act`), a question back (`ask`: which of these?), the
    session the resident was asked about when it is no longer on (`gone`: say so, change nothing), or nothing
    (all empty: the resident has no coming sessions)."""

    act: uuid.UUID | None = None
    ask: tuple[uuid.UUID, ...] = ()
    gone: uuid.UUID | None = None


MAX_CHOICES = 3


def reply_target(
    *, asked: uuid.UUID | None, asked_on: bool, also_asked: Sequence[uuid.UUID], upcoming: Sequence[uuid.UUID]
) -> Target:
    """A reply acts only on the session the message it answers was about.

    `asked`: the session of the latest message that asked for an answer (a reminder, a confirmation), if any;
    `asked_on`: whether that session is still on and not started; `also_asked`: other sessions, still on, that
    messages sent shortly before it asked about (the reply may answer either); `upcoming`: the resident's
    sessions still on, soonest first, for a reply to no particular message.

    A reply about a session that has since been cancelled (a second PERU a few seconds after the first) must
    never fall through to the resident's *next* session: that would cancel a time they still want, silently."""
    if asked is not None:
        if not asked_on:
            return Target(gone=asked)
        others = tuple(s for s in dict.fromkeys(also_asked) if s != asked)
        if others:
            return Target(ask=(asked, *others)[:MAX_CHOICES])
        return Target(act=asked)
    if len(upcoming) == 1:
        return Target(act=upcoming[0])
    if upcoming:
        return Target(ask=tuple(upcoming[:MAX_CHOICES]))
    return Target()
