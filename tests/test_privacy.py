"""The CPR guard catches what people actually paste, and leaves ordinary numbers alone.

Each positive row is (text, what ``find_cpr`` must report): the ORIGINAL substring,
invisible characters and odd dashes included, from its first to its last digit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator import validation as v
from facilitator.privacy import find_cpr

FW = "\uff10\uff11\uff10\uff12\uff10\uff13\uff0d\uff11\uff12\uff13\uff14"  # 010203-1234
AI = "\u0660\u0661\u0660\u0662\u0660\u0663-\u0661\u0662\u0663\u0664"  # 010203-1234

POSITIVES: list[tuple[str, str]] = [
    # The classic forms.
    ("010203-1234", "010203-1234"),
    ("0102031234", "0102031234"),
    ("010203 1234", "010203 1234"),
    ("Borger 311299-4321 ringede", "311299-4321"),
    ("cpr: 290204 1234", "290204 1234"),
    ("(150575-0001)", "150575-0001"),
    ("cpr.nr.010203-1234.", "010203-1234"),
    # Every kind of dash and minus.
    ("010203\u20131234", "010203\u20131234"),  # en dash (Word)
    ("010203\u20141234", "010203\u20141234"),  # em dash
    ("010203\u22121234", "010203\u22121234"),  # minus sign
    ("010203\u20111234", "010203\u20111234"),  # non-breaking hyphen
    ("010203\u20121234", "010203\u20121234"),  # figure dash
    ("010203\u20101234", "010203\u20101234"),  # hyphen
    ("010203\ufe631234", "010203\ufe631234"),  # small hyphen-minus
    ("010203\uff0d1234", "010203\uff0d1234"),  # full-width hyphen-minus
    ("010203\u2e3a1234", "010203\u2e3a1234"),  # two-em dash (category Pd)
    # Spaced dashes, dots, slashes, spaces between every group.
    ("010203 - 1234", "010203 - 1234"),
    ("010203 \u2013 1234", "010203 \u2013 1234"),
    ("01.02.03-1234", "01.02.03-1234"),
    ("01.02.03 1234", "01.02.03 1234"),
    ("01. 02. 03 - 1234", "01. 02. 03 - 1234"),
    ("01 02 03 1234", "01 02 03 1234"),
    ("01-02-03-1234", "01-02-03-1234"),
    ("010203/1234", "010203/1234"),
    ("01/02/03-1234", "01/02/03-1234"),
    ("010203\uff0f1234", "010203\uff0f1234"),  # full-width slash
    # Line breaks and tabs.
    ("010203-\n1234", "010203-\n1234"),
    ("010203\n1234", "010203\n1234"),
    ("010203-\r\n1234", "010203-\r\n1234"),
    ("010203\u2028 1234", "010203\u2028 1234"),  # line separator
    ("010203\t1234", "010203\t1234"),
    # Spaces of every kind.
    ("010203\u00a01234", "010203\u00a01234"),  # no-break space
    ("010203\u2009-\u20091234", "010203\u2009-\u20091234"),  # thin spaces
    ("010203\u202f1234", "010203\u202f1234"),  # narrow no-break space
    ("010203\u30001234", "010203\u30001234"),  # ideographic space
    # Invisible characters inside the number.
    ("0102\u200d03-1234", "0102\u200d03-1234"),  # zero-width joiner
    ("010203\u200e-1234", "010203\u200e-1234"),  # left-to-right mark
    ("\u200f010203-1234", "010203-1234"),  # right-to-left mark before it
    ("01\u200b0203-1234", "01\u200b0203-1234"),  # zero-width space
    ("010203-12\u00ad34", "010203-12\u00ad34"),  # soft hyphen
    ("010203\u2060-1234", "010203\u2060-1234"),  # word joiner
    ("\ufeff010203-1234", "010203-1234"),  # byte order mark
    ("0102\u202e03-1234", "0102\u202e03-1234"),  # right-to-left override
    ("010203\u2066-1234\u2069", "010203\u2066-1234"),  # isolates
    ("01\u200d02\u200d03\u200d-\u200d1234", "01\u200d02\u200d03\u200d-\u200d1234"),
    # Other digits.
    (FW, FW),  # full-width digits and dash
    (FW.replace("\uff0d", ""), FW.replace("\uff0d", "")),
    (AI, AI),  # Arabic-Indic digits
    # Replacement numbers (erstatningspersonnumre): the day plus 60.
    ("610203-1234", "610203-1234"),
    ("910103-1234", "910103-1234"),
]

NEGATIVES = [
    "",
    "Ingen tal her",
    # Phone numbers.
    "12345678",
    "tlf 12345678",
    "12 34 56 78",
    "+45 12 34 56 78",
    "+45 31 01 02 03",
    "1234 5678",
    "+45 1234 5678",
    "0045 12345678",
    "+4512345678",
    "tlf. 12345678, mobil 87654321",
    "12345678 87654321",
    # Dates and times.
    "01.02.2003",
    "01-02-2003",
    "1.2.2003",
    "2026-11-27",
    "27/11/2026",
    "01.02.2003 kl. 12.34",
    "Mødet 22.11.2026 kl. 10",
    "12.03.2024 13.00-14.30",
    "2026-11-27 12:34",
    "kl. 10.00-12.00",
    "10:30",
    "01.02.03-04.05.06",
    "01.02.2003-04.05.2006",
    # Amounts, ranges, case numbers, postal codes.
    "1.234.567 kr.",
    "1 234 567 890 kr.",
    "12.345.678,90 kr.",
    "2016-2018",
    "2016\u20132018",
    "uge 12-14",
    "sag 2024-01-1234",
    "case 10, 3 spørgsmål",
    "postnr. 8000 og 2100",
    "EAN 5798000000000",
    "12345678901",
    # Ten digits that are not a date.
    "3213451234",
    "321299-1234",
    "011399-1234",
    "300299-1234",
    "000199-1234",
    "010003-1234",
    "601299-1234",
    "921299-1234",
    # Too many separators between the groups.
    "010203 -  - 1234",
]


@pytest.mark.parametrize(("text", "found"), POSITIVES)
def test_cpr_numbers_are_found_as_typed(text: str, found: str) -> None:
    assert find_cpr(text) == [found]
    assert find_cpr(f"Borgeren har nummer {text} og ringede i går.") == [found]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_numbers_are_not_flagged(text: str) -> None:
    assert find_cpr(text) == []


def test_every_number_in_the_text_is_found() -> None:
    text = "Anne 010203\u20131234 og Bo 02.03.04 5678, ikke 12 34 56 78."
    assert find_cpr(text) == ["010203\u20131234", "02.03.04 5678"]


def test_an_invalid_number_does_not_hide_a_real_one_next_to_it() -> None:
    assert find_cpr("12 34 010203 1234") == ["010203 1234"]


ODD = "Ring til 01.02.03\u2013\u200d1234 i morgen"
MASKED = "»01.02.03\u2013••••«"
END = "Den er ikke gemt. Fjern nummeret – her må ikke stå personoplysninger om borgere."


def _message(field: str, shown: str = MASKED) -> str:
    return f"{field}: Teksten ser ud til at indeholde et CPR-nummer ({shown}). {END}"


FIELDS: list[tuple[Callable[[str], object], str]] = [
    (v.team_name, "Teamets navn"),
    (lambda text: v.participants(f"Anne\n{text}\nBo"), "Deltagere"),
    (v.note, "Noten"),
    (lambda text: v.note(text, "1. Hvad, tænker I?"), "1. Hvad, tænker I?"),
    (lambda text: v.follow_up(text, "Noget", None, date(2026, 1, 1)), "Hvem"),
    (lambda text: v.follow_up("Anne", text, None, date(2026, 1, 1)), "Hvad"),
]
FIELD_IDS = [field for _, field in FIELDS]


@pytest.mark.parametrize(("check", "field"), FIELDS, ids=FIELD_IDS)
def test_every_field_refuses_a_cpr_number_and_says_which(
    check: Callable[[str], object], field: str
) -> None:
    with pytest.raises(v.InputError) as err:
        check(ODD)
    assert str(err.value) == _message(field)


@pytest.mark.parametrize(("check", "field"), FIELDS, ids=FIELD_IDS)
@pytest.mark.parametrize(
    "odd",
    ["010203 \u2013 1234", "01.02.03-1234", "010203/1234", FW, "0102\u200e03\u2009-\u20091234"],
)
def test_every_field_refuses_odd_formats(
    check: Callable[[str], object], field: str, odd: str
) -> None:
    with pytest.raises(v.InputError, match=f"^{re.escape(field)}: .*CPR-nummer"):
        check(f"Borger {odd}")


def test_message_masks_the_last_four_digits() -> None:
    with pytest.raises(v.InputError) as err:
        v.note("cpr 010203-1234")
    assert str(err.value) == _message("Noten", "»010203-••••«")


def test_message_shows_a_broken_number_on_one_line_without_invisible_characters() -> None:
    with pytest.raises(v.InputError) as err:
        v.note("cpr 0102\u200e03-\n1234 slut")
    assert str(err.value) == _message("Noten", "»010203- ••••«")


def test_message_names_every_number() -> None:
    with pytest.raises(v.InputError) as err:
        v.note("010203-1234 og 020304 5678 og 010203-1234")
    assert str(err.value) == (
        "Noten: Teksten ser ud til at indeholde CPR-numre (»010203-••••«, »020304 ••••«). "
        "Den er ikke gemt. Fjern numrene – her må ikke stå personoplysninger om borgere."
    )


def test_a_number_split_over_two_participant_lines_is_refused() -> None:
    with pytest.raises(v.InputError, match="CPR-nummer"):
        v.participants("Anne 010203-\n1234")


def test_too_long_note_message_keeps_the_label_and_text_as_written() -> None:
    with pytest.raises(v.InputError) as err:
        v.note("x" * (v.MAX_NOTE + 1), "1. Hvad, tænker I?")
    assert str(err.value) == (
        "1. Hvad, tænker I? er for lang (20.001 tegn; højst 20.000). "
        "Den er ikke gemt – det, der allerede var gemt, er uændret."
    )


def test_direction_marks_are_not_stored_but_emoji_joiners_are() -> None:
    assert v.note("Anne\u200e \u200fBo\u202e") == "Anne Bo"
    assert v.participants("Zoë 👩🏽\u200d💼") == ["Zoë 👩🏽\u200d💼"]
    with pytest.raises(v.InputError, match="to gange"):
        v.participants("Anne\nAnne\u200e")


# --- Properties -----------------------------------------------------------------------

SEPARATORS = [
    " ",
    "\u00a0",
    "\u2009",
    "\u202f",
    "\u3000",
    "\t",
    "\n",
    "\r\n",
    "\u2028",
    ".",
    "\uff0e",
    "/",
    "\uff0f",
    "-",
    "\u2010",
    "\u2011",
    "\u2012",
    "\u2013",
    "\u2014",
    "\u2212",
    "\ufe63",
    "\uff0d",
]
INVISIBLE = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2060",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\ufeff",
    "\u00ad",
]
FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}

separator_runs = st.lists(st.sampled_from(SEPARATORS), max_size=3).map("".join)
invisible_runs = st.lists(st.sampled_from(INVISIBLE), max_size=2).map("".join)
surrounding = st.text(alphabet="abcæøå ()?:,", max_size=8)


@st.composite
def disguised_cpr(draw: st.DrawFn) -> str:
    born = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)))
    day = born.day + draw(st.sampled_from([0, 60]))
    groups = [f"{day:02d}", f"{born.month:02d}", f"{draw(st.integers(0, 99)):02d}"]
    groups.append(draw(st.from_regex(r"[0-9]{4}", fullmatch=True)))
    digits_out = []
    for group in groups:
        chars = []
        for i, digit in enumerate(group):
            if draw(st.booleans()) and draw(st.booleans()):
                digit = FULL_WIDTH[digit]
            chars.append(digit if i == 0 else draw(invisible_runs) + digit)
        digits_out.append("".join(chars))
    out = digits_out[0]
    for group in digits_out[1:]:
        out += draw(invisible_runs) + draw(separator_runs) + draw(invisible_runs) + group
    return out


@given(disguised_cpr(), surrounding, surrounding)
def test_any_disguised_cpr_number_is_found(number: str, before: str, after: str) -> None:
    assert find_cpr(before + number + after) == [number]


@given(
    st.lists(st.integers(0, 9), min_size=8, max_size=8),
    st.lists(st.one_of(separator_runs, invisible_runs), min_size=8, max_size=8),
    surrounding,
    surrounding,
)
def test_no_eight_digit_number_is_flagged(
    digits: list[int], gaps: list[str], before: str, after: str
) -> None:
    plain = "".join(map(str, digits))
    assert find_cpr(plain) == []
    spread = "".join(gap + str(d) for gap, d in zip(gaps, digits, strict=True))
    assert find_cpr(before + spread + after) == []


@given(st.text())
def test_any_text_gives_substrings_of_itself(text: str) -> None:
    assert all(found in text for found in find_cpr(text))
