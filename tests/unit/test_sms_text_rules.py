"""What an SMS costs under GSM 03.38, and how templates are kept in GSM-7."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain.sms_text import SmsSize, sms_size, to_gsm

# The GSM 03.38 tables written out independently of the module, as the specification.
GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "\f^{}\\[~]|€"
LOOKALIKES = "\u2019\u2018\u201b\u2032\u201c\u201d\u201e\u2033\u2013\u2014\u2212\u2026\u00a0\u2007\u202f\u3000"
MIXED = GSM_BASIC + GSM_EXTENSION + LOOKALIKES + "😀👍🏽ç`\t"


def test_the_gsm_tables_are_complete() -> None:
    assert len(set(GSM_BASIC)) == 127  # 128 positions less the escape
    assert len(set(GSM_EXTENSION)) == 10


def test_the_empty_text_costs_nothing() -> None:
    assert sms_size("") == SmsSize(encoding="GSM-7", units=0, segments=0, non_gsm=())


def test_finnish_and_swedish_letters_stay_in_gsm7() -> None:
    size = sms_size("Hyvää päivää! Åbo, Öljy, Ärrä, Malmö & Växjö.")
    assert size.encoding == "GSM-7" and size.non_gsm == ()
    assert size.units == len("Hyvää päivää! Åbo, Öljy, Ärrä, Malmö & Växjö.")


def test_a_single_euro_sign_costs_two_septets() -> None:
    assert sms_size("€").units == 2
    assert sms_size("Hinta 5 €").units == len("Hinta 5 €") + 1


@pytest.mark.parametrize("ch", list(GSM_EXTENSION))
def test_every_extension_character_costs_two_septets_and_stays_gsm7(ch: str) -> None:
    assert sms_size(ch) == SmsSize(encoding="GSM-7", units=2, segments=1, non_gsm=())


@pytest.mark.parametrize(("septets", "segments"), [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3)])
def test_160_septets_fit_one_segment_and_longer_texts_go_in_parts_of_153(septets: int, segments: int) -> None:
    assert sms_size("a" * septets).segments == segments


def test_an_extension_character_is_never_split_across_segments() -> None:
    # 306 septets would fit two parts of 153, but the euro sign cannot straddle the boundary after 152.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_size(text).units == 306 and sms_size(text).segments == 3


def test_eighty_euro_signs_still_fit_one_segment() -> None:
    assert sms_size("€" * 80).segments == 1 and sms_size("€" * 81).segments == 2


@pytest.mark.parametrize(
    "ch",
    ["\u2019", "\u2018", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026", "\u00a0", "😀", "`", "ç", "\t", "õ"],
)
def test_a_character_outside_gsm_forces_ucs2(ch: str) -> None:
    size = sms_size(f"Tervetuloa{ch}")
    assert size.encoding == "UCS-2" and size.non_gsm == (ch,)


def test_non_gsm_lists_each_offending_character_once_in_order_of_appearance() -> None:
    assert sms_size("“Hei” – 😀 “kiitos”").non_gsm == ("“", "”", "–", "😀")


def test_one_curly_apostrophe_makes_a_one_segment_reminder_cost_three() -> None:
    plain, curly = "a" * 149 + "'", "a" * 149 + "\u2019"
    assert sms_size(plain).segments == 1
    assert sms_size(curly).encoding == "UCS-2" and sms_size(curly).segments == 3


@pytest.mark.parametrize(("units", "segments"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_70_ucs2_units_fit_one_segment_and_longer_texts_go_in_parts_of_67(units: int, segments: int) -> None:
    assert sms_size("\u2019" * units).segments == segments


def test_an_emoji_counts_two_utf16_units() -> None:
    assert sms_size("😀").units == 2
    assert sms_size("😀" * 35).segments == 1 and sms_size("😀" * 36).segments == 2


def test_a_surrogate_pair_is_never_split_across_segments() -> None:
    text = "\u2019" * 66 + "😀" + "\u2019" * 66
    assert sms_size(text).units == 134 and sms_size(text).segments == 3


@pytest.mark.parametrize(
    ("lookalike", "gsm"),
    [
        ("\u2019", "'"),
        ("\u2018", "'"),
        ("\u201b", "'"),
        ("\u2032", "'"),
        ("\u201c", '"'),
        ("\u201d", '"'),
        ("\u201e", '"'),
        ("\u2033", '"'),
        ("\u2013", "-"),
        ("\u2014", "-"),
        ("\u2212", "-"),
        ("\u2026", "..."),
        ("\u00a0", " "),
        ("\u202f", " "),
        ("\u2009", " "),
        ("\u3000", " "),
    ],
)
def test_to_gsm_replaces_typographic_lookalikes(lookalike: str, gsm: str) -> None:
    assert to_gsm(lookalike) == gsm


def test_to_gsm_keeps_a_pasted_finnish_template_in_gsm7() -> None:
    template = (
        "Muistutus: \u201eDigituki\u201d huomenna klo 10\u201312 \u2026 Tervetuloa!\u00a0Peru: vastaa \u2019ei\u2019"
    )
    assert sms_size(template).encoding == "UCS-2"
    assert sms_size(to_gsm(template)).encoding == "GSM-7"
    assert to_gsm(template) == "Muistutus: \"Digituki\" huomenna klo 10-12 ... Tervetuloa! Peru: vastaa 'ei'"


def test_to_gsm_leaves_everything_else_alone() -> None:
    assert to_gsm("Hyvää päivää 😀 ç\t€") == "Hyvää päivää 😀 ç\t€"


@given(st.text(alphabet=GSM_BASIC, max_size=500))
def test_text_of_basic_gsm_characters_is_gsm7_one_septet_each(text: str) -> None:
    size = sms_size(text)
    assert size.encoding == "GSM-7" and size.units == len(text) and size.non_gsm == ()


@given(st.text(alphabet=MIXED, max_size=400), st.text(alphabet=MIXED, min_size=1, max_size=40))
def test_a_longer_text_never_costs_fewer_segments(text: str, more: str) -> None:
    assert sms_size(text).segments <= sms_size(text + more).segments


@given(st.text(alphabet=MIXED, max_size=500))
def test_the_segments_hold_every_unit_and_no_more_are_billed_than_needed(text: str) -> None:
    size = sms_size(text)
    single, part = (160, 153) if size.encoding == "GSM-7" else (70, 67)
    if size.units == 0:
        assert size.segments == 0
    elif size.units <= single:
        assert size.segments == 1
    else:
        # Each part is filled to within one unit (an escape or a surrogate pair cannot straddle the boundary).
        assert (size.segments - 1) * (part - 1) < size.units <= size.segments * part


@given(st.text(alphabet=GSM_BASIC + GSM_EXTENSION + LOOKALIKES, max_size=300))
def test_to_gsm_of_lookalikes_and_gsm_characters_is_gsm7(text: str) -> None:
    assert sms_size(to_gsm(text)).encoding == "GSM-7"


@given(st.text(alphabet=GSM_BASIC + GSM_EXTENSION, max_size=300))
def test_to_gsm_does_not_change_text_that_is_already_gsm(text: str) -> None:
    assert to_gsm(text) == text


@given(st.text())
def test_non_gsm_is_empty_exactly_when_the_text_is_gsm7(text: str) -> None:
    size = sms_size(text)
    assert (size.encoding == "GSM-7") == (size.non_gsm == ())
    assert len(set(size.non_gsm)) == len(size.non_gsm) and all(ch in text for ch in size.non_gsm)
