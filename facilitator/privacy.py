"""Confidentiality guards: notes are about the case, never about real citizens.

A Danish CPR number (ddmmyy-xxxx, with or without the dash) in any field is
found here before the text is saved, so the view can refuse to store it.
"""

from __future__ import annotations

import re

_CPR = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})[\s-]?(\d{4})(?!\d)")

REMINDER = (
    "Noterne handler om casen og om jeres praksis – ikke om rigtige borgere. "
    "Skriv ikke navne, CPR-numre eller andre personoplysninger om borgere."
)


# Longest month lengths; the century is unknown, so 29 February is always allowed.
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(day: int, month: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month - 1]


def find_cpr(text: str) -> list[str]:
    """The CPR-like numbers in ``text`` (a valid day and month, then four digits)."""
    found = []
    for m in _CPR.finditer(text or ""):
        if _valid_date(int(m.group(1)), int(m.group(2))):
            found.append(m.group(0))
    return found


def contains_cpr(*texts: str) -> bool:
    return any(find_cpr(t) for t in texts)


CPR_MESSAGE = (
    "Teksten ser ud til at indeholde et CPR-nummer. Den er ikke gemt. "
    "Fjern nummeret – noter må ikke indeholde personoplysninger om borgere."
)
