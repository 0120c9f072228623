"""Booking by text message: which topic a resident's free-form SMS is about ("tarvitsisin apua pankkisovelluksen
kanssa"), and the numbered answers of the conversation that follows.

The reading is deliberately simple and reviewable: each topic has a small lexicon of word stems per language
(Finnish, Swedish, English), matched inside words (Finnish compounds: "mobiilipankkiin" holds "pank"), without
case or å/ä/ö ("sahkoposti" is "sähköposti"), and forgiving one wrong, missing or extra letter (or two swapped) in
stems of five letters or more ("tunistautuminen", "emial"). A stem is strong (it names the topic: "pank"), a
device word (it names the smartphone topic only when nothing else is named: "puhelin") or weak (it only leans:
"sovellus", "maksa"); a text is about the topic with the highest score only if that score is at least a device
word's and no other topic ties it. Anything else is unclear and goes to a person, with the best guess shown.
The network coordinator adds stems for any topic (strong ones) in the app; the defaults below cover the usual
topic codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

STRONG = 3
WEAK = 1
# Words for the device itself name the smartphone topic only when no other topic is named ("the bank app on my new
# phone" is about the bank), and a scam is about the scam whatever it came through ("a phishing email").
DEVICE = 2
_DEVICE_STEMS = frozenset({"puhelin", "puhelim", "kannyk", "telefon", "phone", "cellphone"})
_FIRST = {"scams": 1}
CHOICES = 3  # times offered in one message
CONVERSATION_HOURS = 24  # a conversation left half-way expires without side effects

# Folded (casefold, å→a, ä→a, ö→o) stems: strong ones name the topic, weak ones lean towards it.
DEFAULT_LEXICON: Mapping[str, Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "smartphone": {
        "fi": (
            ("puhelin", "puhelim", "kannyk", "alypuhel", "kosketusnayt", "tekstiviest", "whatsap", "nayton"),
            ("sovellu", "asenna", "lataa", "soitta", "viesti"),
        ),
        "sv": (("telefon", "smarttelefon", "pekskarm"), ("mobil", "appen", "appar", "installera", "ladda", "sms")),
        "en": (("phone", "smartphone", "touchscreen", "cellphone"), ("app", "install", "mobile", "texting")),
    },
    "e_identification": {
        "fi": (("tunnistau", "tunnistus", "tunnistaut", "mobiilivarm", "varmenne", "suomifi", "vahvatunn"), ()),
        "sv": (("identifier", "mobilcertifikat", "inloggning"), ("logga",)),
        "en": (("identification", "identify", "verification", "certificate", "login"), ("log",)),
    },
    "online_banking": {
        "fi": (("pank", "verkkopank", "mobiilipank", "tilisiirt", "laskun", "elasku", "saldo"), ("maksa", "lasku")),
        "sv": (("bank", "rakning", "betalning"), ("betala", "saldot")),
        "en": (("bank", "banking", "bill"), ("pay", "balance", "transfer")),
    },
    "health_records": {
        "fi": (("omakanta", "resept", "terveyskesk", "laakari", "rokotu", "terveystie", "laborator"), ("kanta",)),
        "sv": (("mittkanta", "recept", "lakare", "halsocentral", "vaccin"), ("kanta", "halsa")),
        "en": (("prescription", "doctor", "vaccinat", "medical", "health record"), ("health", "kanta")),
    },
    "kela_tax": {
        "fi": (("kela", "veroilm", "verotto", "verokort", "asumistu", "etuude", "etuuks", "elake"), ("vero",)),
        "sv": (("fpa", "skatt", "deklaration", "forman", "bostadsbidrag"), ("pension",)),
        "en": (("tax", "benefit", "pension", "kela"), ()),
    },
    "video_calls": {
        "fi": (("videopuhel", "kuvapuhel", "video", "lapsenlap", "skype", "zoom", "teams"), ()),
        "sv": (("videosamtal", "video", "barnbarn"), ()),
        "en": (("video", "videocall", "grandchild", "facetime", "skype", "zoom"), ()),
    },
    "scams": {
        "fi": (("huijau", "huijar", "huijaus", "epailyttav", "kalastel", "huijas"), ()),
        "sv": (("bedrag", "bluff", "falsk", "natfiske"), ()),
        "en": (("scam", "fraud", "phishing", "suspicious"), ()),
    },
    "email": {
        "fi": (("sahkopost", "sahkopos", "gmail", "outlook", "meili", "maili"), ("posti",)),
        "sv": (("epost", "mejl", "gmail", "outlook"), ()),
        "en": (("email", "gmail", "outlook", "inbox"), ("mail",)),
    },
}

# Words that only say which language a text is in (for the answer), folded.
_LANGUAGE_WORDS = {
    "fi": {
        "apua",
        "tarvitsen",
        "tarvitsisin",
        "haluan",
        "minun",
        "kanssa",
        "en",
        "osaa",
        "miten",
        "hei",
    },
    "sv": {"hjalp", "behover", "jag", "min", "mitt", "med", "kan", "inte", "hur", "hej", "vill"},
    "en": {"help", "need", "my", "with", "how", "the", "i", "cannot", "hello", "want"},
}
_PLAIN = str.maketrans({"å": "a", "ä": "a", "ö": "o"})
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().translate(_PLAIN)


def words_of(text: str) -> list[str]:
    """The words of a text, folded; "e-post" and "suomi.fi" become one word each, as people mean them."""
    folded = fold(text)
    folded = re.sub(r"(?<=[^\W_])[-.](?=[^\W_])", "", folded)
    return _WORD.findall(folded)


def _within_one(a: str, b: str) -> bool:
    """One edit apart at most: a letter wrong, missing or extra, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        # one letter wrong, or two neighbours swapped ("emial")
        return len(differ) <= 1 or (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def _in_word(stem: str, word: str) -> int:
    """2: the stem is in the word; 1: it is, but for one edit (stems of five letters or more); 0: it is not."""
    if stem in word:
        return 2
    size = len(stem)
    if size < 5 or len(word) < size - 1:
        return 0
    for length in (size - 1, size, size + 1):
        for start in range(0, len(word) - length + 1):
            if _within_one(stem, word[start : start + length]):
                return 1
    return 0


@dataclass(frozen=True, slots=True)
class Reading:
    """What a text is about: `topic` when clear, else None with the best `guess` (or None) for the person who
    reads it; `language` the language it seems to be in (None: no sign)."""

    topic: str | None
    guess: str | None
    language: str | None
    scores: Mapping[str, int]


Lexicon = Mapping[str, Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]]


def lexicon_with(extra: Mapping[str, Iterable[str]], topics: Iterable[str] | None = None) -> Lexicon:
    """The default lexicon with the network's own stems added (strong, any language), for the topics in use."""
    merged: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
        code: dict(by_language) for code, by_language in DEFAULT_LEXICON.items()
    }
    for code, stems in extra.items():
        own = tuple(dict.fromkeys(fold(s).strip() for s in stems if s.strip()))
        if own:
            merged.setdefault(code, {})["*"] = (own, ())
    if topics is not None:
        wanted = set(topics)
        merged = {code: value for code, value in merged.items() if code in wanted}
    return merged


def _hits(
    code: str,
    stems: tuple[str, ...],
    tier: int,
    words: list[str],
    joined: str,
    exact: bool,
    exact_words: set[str],
    best: dict[str, int],
) -> int:
    """Record in `best` (word -> weight) what `stems` find in the words, exactly or one edit off; how many hits."""
    found = 0
    for stem in stems:
        weight = _weight(code, stem, tier)
        for word in [stem] if " " in stem else words:
            if exact:
                hit = (stem in joined) if " " in stem else (stem in word)
            else:
                hit = " " not in stem and word not in exact_words and _in_word(stem, word) == 1
            if not hit:
                continue
            found += 1
            got = weight if exact else max(weight - 1, 1)
            if exact:
                exact_words.add(word)
            best[word] = max(best.get(word, 0), got)
    return found


def _weight(code: str, stem: str, tier: int) -> int:
    if tier != STRONG:
        return tier
    return DEVICE if stem in _DEVICE_STEMS else STRONG + _FIRST.get(code, 0)


def read(text: str, lexicon: Lexicon) -> Reading:
    """Which topic a text is about, if that is clear."""
    words = words_of(text)
    joined = " ".join(words)
    votes: dict[str, int] = {}
    hits: dict[str, dict[str, int]] = {code: {} for code in lexicon}
    exact_words: set[str] = set()
    # Exact hits first: a word that names some topic exactly is not read as a near miss of another one
    # ("bostadsbidrag" is an allowance, not "bedrägeri" misspelt).
    for exact in (True, False):
        for code, by_language in lexicon.items():
            for language, (strong, weak) in by_language.items():
                found = _hits(code, strong, STRONG, words, joined, exact, exact_words, hits[code])
                if exact:  # a weak stem leans only when it is written as it is
                    found += _hits(code, weak, WEAK, words, joined, exact, exact_words, hits[code])
                if found and language != "*":
                    votes[language] = votes.get(language, 0) + found
    scores = {code: sum(best.values()) for code, best in hits.items() if best}
    for language, markers in _LANGUAGE_WORDS.items():
        votes[language] = votes.get(language, 0) + sum(1 for w in words if w in markers)
    said = max(votes, key=lambda k: votes[k]) if votes and max(votes.values()) > 0 else None
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked:
        return Reading(None, None, said, scores)
    best, score = ranked[0]
    tied = len(ranked) > 1 and ranked[1][1] == score
    if score >= DEVICE and not tied:
        return Reading(best, best, said, scores)
    return Reading(None, None if tied else best, said, scores)


def choice_of(text: str, count: int) -> int | None:
    """A reply that picks one of `count` numbered choices ("2", "2.", "nro 2 kiitos"), 1-based; None otherwise."""
    digits = re.findall(r"\d+", text)
    if len(digits) != 1:
        return None
    number = int(digits[0])
    return number if 1 <= number <= count else None


CALL_WORDS = frozenset({"soita", "soittakaa", "ring", "ringa", "call", "phone me", "call me"})


def wants_call(text: str) -> bool:
    """ "SOITA" (or "ring", "call me"): the resident wants a person to call them instead."""
    words = words_of(text)
    return bool(words) and (words[0] in CALL_WORDS or " ".join(words[:2]) in CALL_WORDS)
