"""The CPR guard catches what people actually paste, and leaves ordinary numbers alone.

Each positive row is (text, what ``find_cpr`` must report): the ORIGINAL substring,
invisible characters and odd dashes included, from its first to its last digit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator import participation as pa
from facilitator import timer as tm
from facilitator import validation as v
from facilitator.notes import merge
from facilitator.privacy import find_cpr
from facilitator.records import StorageError
from facilitator.validation import CprRefused

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
    # Issue 20: the bypasses found on main. Invisible marks.
    ("01\U000e01000203-1234", "01\U000e01000203-1234"),  # variation selector-17
    ("010203\U000e01ef-1234", "010203\U000e01ef-1234"),  # variation selector-256
    ("0102\u180b03-1234", "0102\u180b03-1234"),  # Mongolian free variation selector
    ("0102\u180f03-1234", "0102\u180f03-1234"),
    ("0102\u180e031234", "0102\u180e031234"),  # Mongolian vowel separator
    ("0\u17b4102031234", "0\u17b4102031234"),  # Khmer inherent vowel
    ("010203\u17b5 1234", "010203\u17b5 1234"),
    ("010203\U000e0041-1234", "010203\U000e0041-1234"),  # tag letter
    ("01\u034f02\u061c03-1234", "01\u034f02\u061c03-1234"),
    # Blank-looking letters and signs.
    ("010203\u31641234", "010203\u31641234"),  # Hangul filler
    ("01\u31640203-1234", "01\u31640203-1234"),
    ("010203\u28001234", "010203\u28001234"),  # braille blank
    ("01\u28000203\u28001234", "01\u28000203\u28001234"),
    ("0102\u115f03-1234", "0102\u115f03-1234"),
    ("0102\u116003-1234", "0102\u116003-1234"),
    ("010203\uffa01234", "010203\uffa01234"),
    # Combining marks on digits.
    ("0\u03011\u03080203-1234", "0\u03011\u03080203-1234"),
    ("010203-1\u20dd234", "010203-1\u20dd234"),  # enclosing circle (Me)
    ("0\u033610\u0336203\u0336-1234", "0\u033610\u0336203\u0336-1234"),  # strike-through
    ("01\u09030203-1234", "01\u09030203-1234"),  # spacing mark (Mc)
    # Separators nobody checked: · _ , : and others, and four or more of them.
    ("010203\u00b71234", "010203\u00b71234"),
    ("01\u00b702\u00b703\u00b71234", "01\u00b702\u00b703\u00b71234"),
    ("010203_1234", "010203_1234"),
    ("01_02_03_1234", "01_02_03_1234"),
    ("010203,1234", "010203,1234"),
    ("01,02,03,1234", "01,02,03,1234"),
    ("010203:1234", "010203:1234"),
    ("01:02:03:1234", "01:02:03:1234"),
    ("010203 -  - 1234", "010203 -  - 1234"),
    ("010203----1234", "010203----1234"),
    ("01 . . 02 . . 03 . . 1234", "01 . . 02 . . 03 . . 1234"),
    ("010203\n\n\n\n1234", "010203\n\n\n\n1234"),
    ("010203 * 1234", "010203 * 1234"),
    ("010203+1234", "010203+1234"),
    ("010203|1234", "010203|1234"),
    ("01|02|03|1234", "01|02|03|1234"),
    ("010203\u2022 1234", "010203\u2022 1234"),  # bullet
    ("010203\u27281234", "010203\u27281234"),  # emoji
    ("01#02#03#1234", "01#02#03#1234"),
    ("(01)(02)(03)(1234)", "01)(02)(03)(1234"),
    ("01\u300102\u300103\u30011234", "01\u300102\u300103\u30011234"),  # ideographic comma
    # Letters for digits.
    ("O1O2O3-1234", "O1O2O3-1234"),
    ("o1o2o3-l234", "o1o2o3-l234"),
    ("010203-I234", "010203-I234"),
    ("lO O2 O3 lOOO", "lO O2 O3 lOOO"),
    ("\u041e1\u03bf203-1234", "\u041e1\u03bf203-1234"),  # Cyrillic O, Greek o
    ("0102\uff2f3-1234", "0102\uff2f3-1234"),  # full-width O
    ("01\u00ba203-1234", "01\u00ba203-1234"),  # masculine ordinal º
    ("0102031\u0406\u04cf\u0399", "0102031\u0406\u04cf\u0399"),  # Cyrillic/Greek I
    # Everything at once, and the copy case's final text.
    (
        "O\u200b1\u0301\u00b70\u31642\u00b70\U000e01003 _ l\u180b234",
        "O\u200b1\u0301\u00b70\u31642\u00b70\U000e01003 _ l\u180b234",
    ),
    ("Borgeren er født 010203-\n1234 og bor i Aarhus", "010203-\n1234"),
    # Account or P-numbers whose first six digits make a date cannot be told from a CPR number.
    ("konto 0102031234", "0102031234"),
    ("P-nr. 1003388394", "1003388394"),
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
    # A job centre's day: numbers that are no CPR number (issue 20). Case and journal numbers
    # are grouped 4-2-4, nobody writes a CPR number so.
    "Sag 2011-03-0042",
    "sagsnr. 2011-03-0042 og 2012-11-1234",
    "J.nr. 2024-05-0107",
    "journal 2026-01-2345",
    "Sag 2011/03/0042",
    "Sag 2011.03.0042",
    "sag 2011 03 0042",
    # Groupings nobody writes a CPR number in: 2-4-4, 3-3-4, 4-2-4, 2-2-2-2-2, 4-3-3.
    "ref. 01 0203 1234",
    "010 203 1234",
    "0102 03 1234",
    "01 02 03 12 34",
    "1003 388 394",
    # P-numbers (10 digits) whose first digits make no date; CVR numbers (8 digits).
    "P-nr. 1017845512",
    "P-nummer 1013456789",
    "CVR 12345678",
    "CVR-nr. 29 18 84 16",
    "cvr 31012345",
    # Amounts.
    "kr. 12.345,00",
    "Ydelsen er 12.345,00 kr. om måneden",
    "kr. 1.234.567,89",
    "11.234 kr. og 2.345 kr.",
    "DKK 250.000",
    # Phone numbers.
    "+45 12 34 56 78",
    "tlf. 1234 5678",
    "tlf.: 12 34 56 78 / 87 65 43 21",
    "Ring på 7020 1234 kl. 9-15",
    "mobil +45 3101 0203",
    # Dates and times.
    "01.02.2026",
    "1. feb. 2026 kl. 10.30",
    "mandag d. 02.03.2026 kl. 09:00-10:30",
    "Møde 12/03/2026 kl. 13.15",
    "fra 01.01.2026 til 31.12.2026",
    "uge 5 2026",
    "2026-11-27T12:34:56",
    "kl. 8.30, 10.15 og 14.00",
    # Postal codes, addresses, counts.
    "8000 Aarhus C, 2100 København Ø",
    "Jobcenter, Vestergade 12, 1. tv., 8000 Aarhus C",
    "3 ud af 12 borgere, 45 %",
    "Uge 12: 34 samtaler, 56 aktiveringer",
    # Account numbers: a ten-digit account whose first digits make no date.
    "reg. 1234 konto 1234567890",
    "reg.nr. 9570 kontonr. 4567891234",
    # Words and look-alike letters that are words, not digits.
    "Protokol 12.01.2026",
    "Troll 12 03 1234 meter",
    "Ole og Bo mødes 12.03.2026",
    "OK, I ringer kl. 10.30",
    "Hallo 01.02.2026 – 1.234 kr.",
    "lol 01.02.2026",
    # Too many digits, or letters between the groups.
    "010203 nr 1234",
    "ordrenr. 01020312345",
    "EAN 5790000000000",
    "Ledighedsydelse fra 01.03.2026, 18.000 kr. før skat",
    "Samtale nr. 3 af 6, næste 15.04.2026 kl. 13:30",
    "Virksomhedspraktik 13 uger, 37 timer om ugen",
    "Ring til A-kassen på 70 10 20 30 mellem 10 og 14",
    "Jobnet-id 2026-04-012345",
    "Kursus 02.03.2026-06.03.2026, lokale 1.12",
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

SEPARATORS += ["\u00b7", "_", ",", ":", "*", "\u2022", "+", "#", "\u3001", "|"]
separator_runs = st.lists(st.sampled_from(SEPARATORS), min_size=1, max_size=6).map("".join)
invisible_runs = st.lists(st.sampled_from(INVISIBLE), max_size=2).map("".join)
surrounding = st.text(alphabet="abcæøå ()?:,", max_size=8)
# The groupings a CPR number is written in: where the separators go (after which group of
# dd, mm, yy, xxxx). Other groupings (4-2-4, 2-4-4 …) are case or phone numbers and pass.
SHAPES = {"10": (), "6+4": (2,), "2+2+2+4": (0, 1, 2)}


def _valid_groups(draw: st.DrawFn) -> list[str]:
    born = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2000, 12, 31)))
    day = born.day + draw(st.sampled_from([0, 60]))
    groups = [f"{day:02d}", f"{born.month:02d}", f"{draw(st.integers(0, 99)):02d}"]
    groups.append(draw(st.from_regex(r"[0-9]{4}", fullmatch=True)))
    return groups


@st.composite
def disguised_cpr(draw: st.DrawFn) -> str:
    groups = _valid_groups(draw)
    gaps = SHAPES[draw(st.sampled_from(list(SHAPES)))]
    digits_out = []
    for group in groups:
        chars = []
        for i, digit in enumerate(group):
            if draw(st.booleans()) and draw(st.booleans()):
                digit = FULL_WIDTH[digit]
            chars.append(digit if i == 0 else draw(invisible_runs) + digit)
        digits_out.append("".join(chars))
    out = digits_out[0]
    for i, group in enumerate(digits_out[1:]):
        sep = draw(separator_runs) if i in gaps else ""
        out += draw(invisible_runs) + sep + draw(invisible_runs) + group
    return out


@given(disguised_cpr(), surrounding, surrounding)
def test_any_disguised_cpr_number_is_found(number: str, before: str, after: str) -> None:
    assert find_cpr(before + number + after) == [number]


# Everything that is invisible or blank: dropped wherever it stands, also inside a group.
BLANK_LETTERS = ["\u3164", "\u115f", "\u1160", "\uffa0", "\u2800"]
invisible_anywhere = st.one_of(
    st.characters(categories=["Mn", "Me", "Cf"]),
    st.sampled_from(BLANK_LETTERS),
    st.characters(min_codepoint=0xE0000, max_codepoint=0xE0FFF),  # tags, selectors
    st.characters(min_codepoint=0x180B, max_codepoint=0x180F),  # Mongolian selectors
    st.sampled_from(["\u17b4", "\u17b5", "\u034f", "\u061c", "\u2065", "\ufff0"]),
)
# Spaces stand between groups (a space inside a group makes another grouping: 01 0203 1234).
spaces = st.lists(st.characters(categories=["Zs"]), min_size=1, max_size=4).map("".join)
LOOKALIKES = {"0": "Oo\u039f\u03bf\u041e\u043e\uff2f\u00ba", "1": "lI\u0399\u0406\u04cf"}


@st.composite
def cpr_with_insertions(draw: st.DrawFn) -> str:
    groups = _valid_groups(draw)
    gaps = SHAPES[draw(st.sampled_from(["6+4", "2+2+2+4"]))]
    chars: list[str] = []
    for g, group in enumerate(groups):
        for i, digit in enumerate(group):
            if digit in LOOKALIKES and draw(st.booleans()):
                digit = draw(st.sampled_from(LOOKALIKES[digit]))
            chars.append(digit)
            if not (g == 3 and i == 3):  # after every character but the last
                chars.append("".join(draw(st.lists(invisible_anywhere, max_size=2))))
        if g in gaps:
            chars.append(draw(spaces))
    return "".join(chars)


@given(cpr_with_insertions(), surrounding, surrounding)
def test_invisible_combining_blank_and_look_alike_characters_do_not_hide_a_number(
    number: str, before: str, after: str
) -> None:
    # A space around the number: look-alike letters glued to a word are read as letters.
    assert find_cpr(f"{before} {number} {after}") == [number]


# A job centre's day: numbers that must pass, joined by words (any two of them side by side
# with only separators between could make a 2+2+2+4 grouping: see the module docstring).
def _two(draw: st.DrawFn, low: int = 0, high: int = 99) -> str:
    return f"{draw(st.integers(low, high)):02d}"


@st.composite
def job_centre_number(draw: st.DrawFn) -> str:
    d = lambda low=0, high=99: _two(draw, low, high)  # noqa: E731
    n = lambda digits: draw(st.from_regex(rf"[0-9]{{{digits}}}", fullmatch=True))  # noqa: E731
    year = str(draw(st.integers(1990, 2035)))
    return draw(
        st.sampled_from(
            [
                f"+45 {d()} {d()} {d()} {d()}",  # phone numbers
                f"tlf. {n(4)} {n(4)}",
                f"tlf. {n(8)}",
                f"{d(1, 31)}.{d(1, 12)}.{year}",  # dates and times
                f"{int(d(1, 28))}. feb. {year} kl. {d(0, 23)}.{d(0, 59)}",
                f"kl. {d(0, 23)}:{d(0, 59)}-{d(0, 23)}:{d(0, 59)}",
                f"{year}-{d(1, 12)}-{d(1, 28)}",
                f"sag {year}-{d(1, 12)}-{n(4)}",  # case numbers, 4-2-4
                f"J.nr. {year}/{d(1, 12)}/{n(4)}",
                f"kr. {draw(st.integers(1, 999))}.{n(3)},{d()}",  # amounts
                f"CVR {n(8)}",
                f"postnr. {n(4)}",
                f"P-nr. 10{draw(st.integers(13, 99))}{n(6)}",  # no month 13-99
                f"reg. {n(4)} konto {draw(st.integers(32, 59))}{n(8)}",  # no day 32-59
            ]
        )
    )


words = st.sampled_from([" og ", " ring på ", " hos borgeren, ", ". Næste møde ", " fra "])


@given(st.lists(st.tuples(job_centre_number(), words), min_size=1, max_size=6))
def test_a_job_centre_day_is_not_flagged(parts: list[tuple[str, str]]) -> None:
    text = "".join(number + word for number, word in parts)
    assert find_cpr(text) == []


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


# --- The guard on what is stored: every write path, the UI's checks bypassed ---------------

TODAY = date(2026, 11, 22)
DISGUISED = "O1\u00b702\u00b703\u00b71\u31642\U000e010034"  # 01·02·03·1234 in disguise


def _meeting(store: Any) -> tuple[Any, str]:
    team = store.__dict__.get("_cpr_team") or store.create_team("Team Nord")[0]
    store.__dict__["_cpr_team"] = team
    return team, store.create_meeting(team, TODAY, 9, ["Anne", "Bo"], [60, 180, 360, 180, 120])


def _refused(call: Callable[[], object], field: str) -> None:
    with pytest.raises(CprRefused) as err:
        call()
    assert str(err.value).startswith(f"{field}: Teksten ser ud til at indeholde et CPR-nummer")
    # Both kinds of refusal the views already show: under a field, or as a storage error.
    assert isinstance(err.value, v.InputError) and isinstance(err.value, StorageError)


def _at(store: Any, team: Any, mid: str, step: int) -> str:
    store.update_timer(team.id, mid, lambda s: tm.go_to(s, step, 1000.0))
    return str(store.join_code(team.id, mid))


def test_storage_refuses_a_team_name_with_a_cpr_number(store: Any) -> None:
    _refused(lambda: store.create_team(f"Team {DISGUISED}"), "Teamets navn")


def test_storage_refuses_participants_with_a_cpr_number(store: Any) -> None:
    team, _ = _meeting(store)
    plan = [60, 180, 360, 180, 120]
    _refused(lambda: store.create_meeting(team, TODAY, 9, ["Anne", DISGUISED], plan), "Deltagere")
    # Split over two names, it is still one number.
    _refused(
        lambda: store.create_meeting(team, TODAY, 9, ["Anne 010203-", "1234"], plan), "Deltagere"
    )


def test_storage_refuses_a_moderator_with_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    _refused(lambda: store.set_moderator(team.id, mid, DISGUISED), "Ordstyreren")
    assert store.get_meeting(mid).moderator is None


def test_storage_refuses_a_note_with_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    _refused(lambda: store.save_note(team.id, mid, "q0", f"Borger {DISGUISED}", 0), "Noten")
    _refused(lambda: store.save_note(team.id, mid, "q0", "Sag 010203 -  - 1234"), "Noten")
    assert store.notes(mid) == {}
    store.save_note(team.id, mid, "q0", "Sag 2011-03-0042", 0)  # a case number is fine
    assert store.notes(mid) == {"q0": "Sag 2011-03-0042"}


def test_storage_refuses_follow_ups_with_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    meeting = store.get_meeting(mid)
    _refused(lambda: store.add_follow_up(meeting, DISGUISED, "Ring", None, 9), "Hvem")
    _refused(lambda: store.add_follow_up(meeting, "Anne", f"Ring {DISGUISED}", None, 9), "Hvad")
    assert store.follow_ups(team.id, meeting_id=mid) == []


def test_storage_refuses_thoughts_and_proposals_with_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    code = _at(store, team, mid, pa.DISCUSS)
    _refused(lambda: store.add_thought(code, 0, f"født {DISGUISED}"), "Tanken")
    assert store.thoughts(team.id, mid) == []
    code = _at(store, team, mid, pa.FOLLOW_UP)
    _refused(lambda: store.add_proposal(code, DISGUISED, "Ring", None), "Navn")
    _refused(lambda: store.add_proposal(code, None, f"Ring {DISGUISED}", None), "Hvad")
    assert store.proposals(team.id, mid) == []


def test_storage_refuses_an_accepted_proposal_with_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    code = _at(store, team, mid, pa.FOLLOW_UP)
    proposal = store.add_proposal(code, None, "Ring til borgeren", None)
    meeting = store.get_meeting(mid)
    # The facilitator may edit the proposal before accepting it: what is stored is checked.
    _refused(lambda: store.accept_proposal(meeting, proposal, "Anne", DISGUISED, None), "Hvad")
    _refused(lambda: store.accept_proposal(meeting, proposal, DISGUISED, "Ring", None), "Hvem")
    assert [p.id for p in store.proposals(team.id, mid)] == [proposal]  # nothing lost
    assert store.follow_ups(team.id, meeting_id=mid) == []


def test_two_thoughts_copied_into_one_note_cannot_make_a_cpr_number(store: Any) -> None:
    team, mid = _meeting(store)
    code = _at(store, team, mid, pa.DISCUSS)
    first = store.add_thought(code, 0, "Borgeren er født 010203-")  # each passes alone
    second = store.add_thought(code, 0, "1234 er resten")
    store.copy_thought_to_note(team.id, mid, first, "q0")
    with pytest.raises(CprRefused) as err:
        store.copy_thought_to_note(team.id, mid, second, "q0")
    assert str(err.value) == (
        "Noten med tanken: Teksten ser ud til at indeholde et CPR-nummer (»010203- ••••«). "
        "Den er ikke gemt. Fjern nummeret – her må ikke stå personoplysninger om borgere."
    )
    assert store.notes(mid) == {"q0": "Borgeren er født 010203-"}
    assert [t.copied for t in store.thoughts(team.id, mid)] == [True, False]


def test_merging_two_screens_notes_cannot_make_a_cpr_number(store: Any) -> None:
    """»Sæt teksterne sammen« saves the other screen's note and this one's, one after the other."""
    team, mid = _meeting(store)
    store.save_note(team.id, mid, "q0", "født 010203-", 0)
    _refused(lambda: store.save_note(team.id, mid, "q0", "født 010203-\n\n1234", 1), "Noten")
    merged = merge("", "1234", "født 010203-")
    assert merged == "født 010203-\n1234"
    _refused(lambda: store.save_note(team.id, mid, "q0", merged, 1), "Noten")
    assert store.notes(mid) == {"q0": "født 010203-"}
