"""Confidentiality guards: notes are about the case, never about real citizens.

A Danish CPR number (ddmmyy-xxxx) in any field is found here before the text is
saved, so the view can refuse to store it. People paste numbers from Word, mails
and case systems, so the text is normalised before matching:

* NFKC, so full-width digits and punctuation count (other decimal digits, e.g.
  Arabic-Indic, are read as digits too);
* every dash and minus (category Pd, U+2212 and friends) is a dash, every kind of
  space and line break a space, full stops and slashes (also full-width) are kept;
* invisible characters (category Cf: zero-width spaces and joiners, bidi marks,
  soft hyphen, BOM …) are dropped, so they can neither split nor hide a number.

The pattern is dd, mm, yy and four digits, with at most ``_MAX_SEPARATOR`` of the
characters above between the groups, not glued to other digits. Day and month
must make a date. The day may also be 61-91: the CPR office's recommended form
of an *erstatningspersonnummer* (replacement number) adds 6 to the first digit of
the day, and such a number identifies a person just as well. The modulus 11
check is not used; numbers without it have been issued since 2007.

A mapping from the normalised text back to the original lets ``find_cpr`` report
the substring exactly as it was typed.

A short date followed by a four-digit number (»01.02.03 1400«) is flagged too: it
cannot be told from a CPR number. Phone numbers (eight digits), dates with a
four-digit year, times and amounts are not.
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

# At most this many separator characters between two groups of digits (after
# normalisation): enough for "010203 – 1234" and "010203-" + line break + "1234",
# few enough that numbers far apart are not joined.
_MAX_SEPARATOR = 3
_SEP = rf"[ .\-/]{{0,{_MAX_SEPARATOR}}}"
# A lookahead, so a run of digits that is no CPR number cannot hide one that starts
# inside it ("12 34 010203 1234"): every start is tried and checked.
_CPR = re.compile(
    rf"(?<![0-9])(?=(([0-9]{{2}}){_SEP}([0-9]{{2}}){_SEP}([0-9]{{2}}){_SEP}[0-9]{{4}})(?![0-9]))"
)

# Dashes and minus signs outside category Pd.
_DASHES = frozenset("\u2212\u02d7\u2043\u2796")
_SLASHES = frozenset("/\\\u2044\u2215\u29f8")
# Invisible though not in category Cf: combining grapheme joiner, variation selectors.
_INVISIBLE = frozenset("\u034f" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))

# Longest month lengths; the century is unknown, so 29 February is always allowed.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def _valid_cpr_date(day: int, month: int) -> bool:
    """A real birth date, or one with 60 added to the day (a replacement number)."""
    return _valid_date(day, month) or _valid_date(day - 60, month)


def _invisible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category == "Cf" or (category == "Cc" and not ch.isspace()) or ch in _INVISIBLE


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """What one original character becomes in the text that is matched."""
    if _invisible(ch):
        return ""
    out = []
    for c in unicodedata.normalize("NFKC", ch):
        digit = unicodedata.decimal(c, None)
        if digit is not None:
            out.append(str(digit))
        elif c.isspace():
            out.append(" ")
        elif unicodedata.category(c) == "Pd" or c in _DASHES:
            out.append("-")
        elif c in _SLASHES:
            out.append("/")
        elif not _invisible(c):
            out.append(c)
    return "".join(out)


# ASCII text needs only its spaces unified, unless it has control characters to drop.
_ASCII_SPACES = str.maketrans({ch: " " for ch in map(chr, range(128)) if ch.isspace()})
_ASCII_SLOW = re.compile(r"[\x00-\x08\x0e-\x1b\x7f\\]|\r\n")


def _normalise(text: str) -> tuple[str, Sequence[int]]:
    """The text to match, and for each of its characters the index it came from."""
    if text.isascii() and not _ASCII_SLOW.search(text):
        return text.translate(_ASCII_SPACES), range(len(text))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch == "\r" and text[i + 1 : i + 2] == "\n":
            continue  # one line break, not two
        folded = _fold(ch)
        chars.append(folded)
        origin.extend([i] * len(folded))
    return "".join(chars), origin


def find_cpr(text: str) -> list[str]:
    """The CPR-like numbers in ``text``, each exactly as it was typed there."""
    text = text or ""
    normalised, origin = _normalise(text)
    found = []
    end = 0  # matches do not overlap
    for m in _CPR.finditer(normalised):
        if m.start(1) < end or not _valid_cpr_date(int(m.group(2)), int(m.group(3))):
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
        if left and _fold(chars[i]).isdigit():
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
