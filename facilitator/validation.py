"""Checks on what people type, with clear Danish messages. Pure functions, no UI."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from facilitator.privacy import cpr_message, find_cpr
from facilitator.records import StorageError

MAX_NAME = 80
MAX_PARTICIPANTS = 40
MAX_NOTE = 20_000
MAX_FOLLOW_UP = 1_000
# The participants field: MAX_PARTICIPANTS names of MAX_NAME characters, one a line.
MAX_PARTICIPANTS_TEXT = MAX_PARTICIPANTS * (MAX_NAME + 1)
MAX_TEAM_CODE = 40  # a typed team code, with spaces and dashes
MAX_STEP_MINUTES = 60


class InputError(ValueError):
    """Bad input; ``str(err)`` is a Danish message fit for the screen."""


class CprRefused(InputError, StorageError):
    """Text with a CPR number in it; nothing was stored. Raised by the checks here and by the
    storage, which runs the same guard on the final text of every write: whoever catches
    input errors or storage errors shows the Danish message."""


class TooLong(InputError, StorageError):
    """Text longer than its field allows; nothing was stored. Raised by the storage for every
    write, whoever calls (the screens' fields stop at the same limits with ``max_chars``)."""


def stored(text: str | None, field: str, limit: int) -> None:
    """What the storage checks on the final text of every write: its length and CPR numbers."""
    max_length(text, field, limit)
    no_cpr(text or "", field)


def max_length(text: str | None, field: str, limit: int) -> None:
    """The storage's length check: a Danish refusal naming the field and its limit."""
    text = text or ""
    if len(text) > limit:
        raise TooLong(
            f"»{field}« må højst have {_number(limit)} tegn (her er {_number(len(text))}). "
            "Intet er gemt – det, der allerede var gemt, er uændret."
        )


def clean_text(text: str | None) -> str:
    """Normalise Unicode, drop control and invisible characters (keeps newlines, tabs
    and the zero-width joiner), trim.

    The joiner holds emoji sequences together (👩🏽‍💼). Direction marks (U+200E/U+200F)
    are dropped like the other bidi controls: names are shown one per line, where the
    bidi algorithm places them without help, and an invisible mark would make »Anne«
    and »Anne« two different participants. The CPR check does not depend on this.
    """
    text = unicodedata.normalize("NFC", text or "")
    text = "".join(ch for ch in text if ch in "\n\t\u200d" or unicodedata.category(ch)[0] != "C")
    return text.strip()


def _number(n: int) -> str:
    """An integer with Danish thousands separators: 20.000."""
    return f"{n:,}".replace(",", ".")


def no_cpr(text: str, field: str) -> None:
    found = find_cpr(text)
    if found:
        raise CprRefused(f"{field}: {cpr_message(found)}")


def team_name(raw: str | None) -> str:
    name = re.sub(r"\s+", " ", clean_text(raw))
    if not name:
        raise InputError("Skriv teamets navn.")
    if len(name) > MAX_NAME:
        raise InputError(f"Teamets navn må højst have {MAX_NAME} tegn.")
    no_cpr(name, "Teamets navn")
    return name


def participants(raw: str | None) -> list[str]:
    """One name per line (or separated by commas). Empty lines are skipped; duplicates refused."""
    names = [re.sub(r"\s+", " ", clean_text(part)) for part in re.split(r"[\n,;]", raw or "")]
    names = [n for n in names if n]
    if len(names) > MAX_PARTICIPANTS:
        raise InputError(f"Højst {MAX_PARTICIPANTS} deltagere.")
    # The whole list, so a number broken over two lines (or names) is found too.
    no_cpr(clean_text(raw), "Deltagere")
    seen: dict[str, str] = {}
    for name in names:
        if len(name) > MAX_NAME:
            raise InputError(f"Navnet »{name[:20]}…« er for langt (højst {MAX_NAME} tegn).")
        key = name.casefold()
        if key in seen:
            raise InputError(f"»{name}« står to gange på deltagerlisten. Skriv hvert navn én gang.")
        seen[key] = name
    return names


def step_minutes(values: list[float | int | None]) -> list[int]:
    out = []
    for i, v in enumerate(values, 1):
        if v is None or v != v:  # None or NaN
            raise InputError(f"Trin {i}: skriv en varighed i minutter.")
        if v <= 0:
            raise InputError(f"Trin {i}: varigheden skal være mindst 1 minut.")
        if v > MAX_STEP_MINUTES:
            raise InputError(f"Trin {i}: varigheden må højst være {MAX_STEP_MINUTES} minutter.")
        if int(v) != v:
            raise InputError(f"Trin {i}: skriv hele minutter.")
        out.append(int(v))
    return out


def note_length(text: str, field: str = "Noten") -> None:
    """The longest note (MAX_NOTE); storage checks it again on every write."""
    if len(text) > MAX_NOTE:
        raise TooLong(
            f"{field} er for lang ({_number(len(text))} tegn; højst {_number(MAX_NOTE)}). "
            "Den er ikke gemt – det, der allerede var gemt, er uændret."
        )


def note(raw: str | None, field: str = "Noten") -> str:
    text = clean_text(raw)
    note_length(text, field)
    no_cpr(text, field)
    return text


def follow_up(who: str | None, what: str | None, due: date | None, today: date) -> tuple[str, str]:
    who_clean = re.sub(r"\s+", " ", clean_text(who))
    what_clean = clean_text(what)
    if not who_clean:
        raise InputError("Skriv, hvem der følger op.")
    if not what_clean:
        raise InputError("Skriv, hvad der skal følges op på.")
    if len(who_clean) > MAX_NAME:
        raise InputError(f"»Hvem« må højst have {MAX_NAME} tegn.")
    if len(what_clean) > MAX_FOLLOW_UP:
        raise InputError(f"»Hvad« må højst have {MAX_FOLLOW_UP} tegn.")
    no_cpr(who_clean, "Hvem")
    no_cpr(what_clean, "Hvad")
    if due is not None and due < today:
        raise InputError("Fristen ligger i fortiden. Vælg i dag eller en senere dato.")
    return who_clean, what_clean


def thought(raw: str | None, limit: int) -> str:
    """A participant's anonymous thought: the notes' rules, a shorter limit."""
    text = clean_text(raw)
    if not text:
        raise InputError("Skriv en tanke, før du sender.")
    if len(text) > limit:
        raise InputError(
            f"Tanken er for lang ({_number(len(text))} tegn; højst {_number(limit)}). "
            "Den er ikke sendt – teksten står stadig i feltet."
        )
    no_cpr(text, "Tanken")
    return text


def proposal(
    who: str | None, what: str | None, due: date | None, today: date, limit: int
) -> tuple[str | None, str]:
    """A participant's proposed follow-up: »what« is required, the name and date are not."""
    who_clean = re.sub(r"\s+", " ", clean_text(who))
    what_clean = clean_text(what)
    if not what_clean:
        raise InputError("Skriv, hvad du vil følge op på.")
    if len(what_clean) > limit:
        raise InputError(f"»Hvad« må højst have {_number(limit)} tegn. Intet er sendt.")
    if len(who_clean) > MAX_NAME:
        raise InputError(f"Navnet må højst have {MAX_NAME} tegn. Intet er sendt.")
    no_cpr(who_clean, "Navn")
    no_cpr(what_clean, "Hvad")
    if due is not None and due < today:
        raise InputError("Fristen ligger i fortiden. Vælg i dag eller en senere dato.")
    return (who_clean or None), what_clean


def sentence_case(text: str) -> str:
    """The first letter upper case, the rest as typed (»at spørge …« becomes »At spørge …«)."""
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :] if char.islower() else text
        if char.isdigit():
            return text  # »3 ugers praktik« starts with its number
    return text
