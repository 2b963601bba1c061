"""Confidentiality guards: notes are about the case, never about real citizens.

A Danish CPR number (ddmmyy-xxxx) in any text is found here. ``validation`` runs the
guard on what people type, and the storage runs it again on the final text of every
write (a note after »Kopiér til noten« or »Sæt teksterne sammen«, an accepted
proposal, a follow-up, a name, a thought), so text that passes in pieces is refused
when the pieces are put together. People paste numbers from Word, mails and case
systems, and a determined user can disguise one, so the text is normalised first:

* NFKC, so full-width digits and punctuation count; every other decimal digit
  (Arabic-Indic …) is read as its digit;
* dropped, as if not there: every invisible character – categories Cf (zero-width
  spaces and joiners, bidi controls, soft hyphen, BOM …), Cc except spaces and line
  breaks, all combining marks (Mn, Mc, Me: a mark on a digit still reads as the
  digit), Unicode's whole Default_Ignorable_Code_Point set (``_DEFAULT_IGNORABLE``:
  variation selectors incl. U+E0100-E01EF, Mongolian free variation selectors, Khmer
  U+17B4/U+17B5, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, tag characters …) and
  the blank-looking braille blank U+2800;
* letters that read as digits count as digits – O, o and their Greek, Cyrillic and
  Armenian twins (and º, 〇) as 0, l, I and their Greek/Cyrillic twins as 1 – but
  only in a word made of nothing but digits and such letters (»O1O2O3-l234«), so
  »Protokol 12.01.2026« or »Troll 12 03« stay words. Ø is not read as 0 (a Danish
  letter and a word of its own, »øl«), nor | as 1 (it is a separator as often);
  letters that resemble other digits (S, Z, B, G) read as letters in ordinary fonts.

A number is a CPR number in three groupings, whatever stands between the groups –
any run of characters that are neither letters nor digits: spaces of every kind,
line breaks, dashes, dots, slashes, ``· _ , :``, emoji, any number of them:

* 10 digits in a row (0102031234),
* 6 + 4 (010203-1234, 010203 – 1234, 010203-<line break>1234),
* 2 + 2 + 2 + 4 (01.02.03-1234, 01 02 03 1234).

Other groupings pass, because case, journal, phone and account numbers are written
so and nobody writes a CPR number that way: 4-2-4 (»sag 2011-03-0042«), 2-4-4,
3-3-4, 2-2-2-2-2 and 4-4 (phone numbers) … A number glued to further digits is no
CPR number (11 digits, an EAN). Day and month must make a date. The day may also be
61-91: the CPR office's recommended form of an *erstatningspersonnummer*
(replacement number) adds 6 to the first digit of the day, and such a number
identifies a person just as well. The modulus 11 check is not used; numbers without
it have been issued since 2007. So a ten-digit account or P-number whose first six
digits make a date (»konto 0102031234«) is refused too: it cannot be told from a CPR
number, and Danish banks have long used CPR numbers as account numbers. A short date
followed by a four-digit number (»01.02.03 1400«) is flagged for the same reason.
Phone numbers, dates with a four-digit year, times, amounts, CVR numbers and postal
codes are not.

A mapping from the normalised text back to the original lets ``find_cpr`` report
the substring exactly as it was typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

REMINDER = (
    "Noterne handler om casen og om jeres praksis – ikke om rigtige borgere. "
    "Skriv ikke navne, CPR-numre eller andre personoplysninger om borgere."
)

# Between two groups: any run of characters that are neither letters nor digits (after
# normalisation). Possessive, so a long run is scanned once.
_SEP = r"[\W_]++"
# A lookahead, so a run of digits that is no CPR number cannot hide one that starts inside
# it ("12 34 010203 1234"): every start is tried and checked.
_CPR = re.compile(
    r"(?<![0-9])(?=("
    r"[0-9]{10}"
    rf"|[0-9]{{6}}{_SEP}[0-9]{{4}}"
    rf"|[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{4}}"
    r")(?![0-9]))"
)
_NOT_DIGIT = re.compile(r"[^0-9]")

# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15.1), in full:
# invisible by definition, also where they are unassigned today.
_DEFAULT_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian free variation selectors, vowel separator
    (0x200B, 0x200F),  # zero-width space, (non-)joiner, direction marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, isolates, deprecated formats
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # byte order mark
    (0xFFA0, 0xFFA0),  # half-width Hangul filler
    (0xFFF0, 0xFFF8),  # unassigned
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical formatting
    (0xE0000, 0xE0FFF),  # tags, variation selectors supplement (E0100-E01EF), unassigned
)
_DEFAULT_IGNORABLE = frozenset(
    chr(c) for low, high in _DEFAULT_IGNORABLE_RANGES for c in range(low, high + 1)
)
# Blank-looking though not default-ignorable.
_BLANK = frozenset("\u2800")  # braille pattern blank

# Letters that read as a digit (after NFKC, so full-width and mathematical forms count too).
_LOOKALIKES = {
    "0": "Oo\u039f\u03bf\u041e\u043e\u0555\u0585\u3007\u1d0f",  # Latin, Greek, Cyrillic, Armenian
    "1": "lI\u0399\u0406\u04c0\u04cf\u01c0",  # Latin, Greek, Cyrillic, dental click
}
_AS_DIGIT = str.maketrans({ch: d for d, chars in _LOOKALIKES.items() for ch in chars})
_LOOK = "".join(_LOOKALIKES.values())
# A word of digits and look-alike letters only; _fold_lookalikes turns it into digits.
_LOOKALIKE_WORD = re.compile(rf"(?<![^\W_])[0-9{_LOOK}]++(?![^\W_])")

# Longest month lengths; the century is unknown, so 29 February is always allowed.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _valid_cpr_date(day: int, month: int) -> bool:
    """A real birth date, or one with 60 added to the day (a replacement number)."""
    return _valid_date(day, month) or _valid_date(day - 60, month)


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return (
        category in ("Cf", "Mn", "Mc", "Me")
        or (category == "Cc" and not ch.isspace())
        or ch in _DEFAULT_IGNORABLE
        or ch in _BLANK
    )


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What one original character becomes in the text that is matched (before look-alike
    letters are read as digits, which depends on the word they stand in)."""
    if _invisible(ch):
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        digit = unicodedata.decimal(c, None)
        if digit is not None:
            out.append(str(digit))
        elif c.isspace():
            out.append(" ")
        elif not _invisible(c):
            out.append(c)
    return "".join(out)


# ASCII text is matched as it is, unless it has control characters to drop.
_ASCII_SLOW = re.compile(r"[\x00-\x08\x0e-\x1b\x7f]")
_HAS_LOOKALIKE = re.compile(rf"[{_LOOK}]")


def _fold_lookalikes(text: str) -> str:
    """Look-alike letters as digits, in words of digits and such letters only (one for one,
    so the mapping back to the original is unchanged)."""
    if not _HAS_LOOKALIKE.search(text):
        return text
    return _LOOKALIKE_WORD.sub(lambda m: m.group().translate(_AS_DIGIT), text)


def _normalise(text: str) -> tuple[str, Sequence[int]]:
    """The text to match, and for each of its characters the index it came from."""
    if text.isascii() and not _ASCII_SLOW.search(text):
        return _fold_lookalikes(text), range(len(text))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    return _fold_lookalikes("".join(chars)), origin


def find_cpr(text: str) -> list[str]:
    """The CPR-like numbers in ``text``, each exactly as it was typed there."""
    text = text or ""
    normalised, origin = _normalise(text)
    found = []
    end = 0  # matches do not overlap
    for m in _CPR.finditer(normalised):
        if m.start(1) < end:
            continue
        digits = _NOT_DIGIT.sub("", m.group(1))
        if not _valid_cpr_date(int(digits[:2]), int(digits[2:4])):
            continue
        end = m.end(1)
        found.append(text[origin[m.start(1)] : origin[end - 1] + 1])
    return found


def contains_cpr(*texts: str) -> bool:
    return any(find_cpr(t) for t in texts)


def mask_cpr(found: str) -> str:
    """``found`` fit to show: invisible characters dropped, spaces and line breaks
    as one space, the last four digits as dots (»010203-••••«)."""
    shown = re.sub(r"\s+", " ", "".join(ch for ch in found if not _invisible(ch)))
    chars = list(shown)
    left = 4
    for i in range(len(chars) - 1, -1, -1):
        folded = _fold(chars[i]).translate(_AS_DIGIT)
        if left and folded.isdigit():
            chars[i] = "•"
            left -= 1
    return "".join(chars)


def cpr_message(found: Sequence[str]) -> str:
    """The Danish message for text with these CPR numbers in it (see ``find_cpr``)."""
    numbers = list(dict.fromkeys(found))
    shown = ", ".join(f"»{m}«" for m in dict.fromkeys(mask_cpr(n) for n in numbers))
    if len(numbers) == 1:
        what, them = "et CPR-nummer", "nummeret"
    else:
        what, them = "CPR-numre", "numrene"
    return (
        f"Teksten ser ud til at indeholde {what} ({shown}). Den er ikke gemt. "
        f"Fjern {them} – her må ikke stå personoplysninger om borgere."
    )
