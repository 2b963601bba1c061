"""Reading the source documents in ../shared/seeds/ for faithfulness tests."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CASES_SEED = SEEDS / "002_441d747aea320038.txt"

# Obvious typos in the source that the kit fixes on purpose (see the seeds' README).
TYPO_FIXES = {
    "udddannelse": "uddannelse",
    "nyankommne": "nyankomne",  # 001
    "den enkeltes borgers": "den enkelte borgers",  # 003
    "indvandre i job": "indvandrere i job",  # 002, the home page
    "måned mdr. efter": "måned efter",  # 001
}

# Text boxes the extraction put in the middle of a sentence of the running text: moved to the
# end of the seed, so that the sentence reads as in the document. By seed file: the box's text
# (compared after norm(), so line breaks and spacing do not matter).
MOVED_BOXES = {
    "001_31e15a068229d5cd.txt": [
        # Between »… forlængelse af praktikker« and »og løntilskud.« (section 4.6).
        "FØR PRAKTIKFORLØBET UNDER PRAKTIKFORLØBET EFTER PRAKTIKFORLØBET "
        "Eksempel fra virkeligheden En kvinde i 20’erne, som er gift og har tre børn, fik "
        "tilbudt praktik på et ældrecenter med henblik på at etablere en IGU. På grund af "
        "familiens økonomi opgav hun dette. Hun kom efterfølgende i praktik på et hospital. "
        "Der blev opslået en række vikarstillinger, som hun søgte og fik. Da hun blev tilbudt "
        "forlængelse af vikariatet, ønskede hun at takke nej, da hendes mand havde fået job. "
        "Efter samtale med en familiekonsulent blev hun motiveret til at fortsætte i jobbet.",
    ],
}

_CASE_START = re.compile(r"^CASE (\d+):", re.MULTILINE)


def seed_text(path: Path = CASES_SEED) -> str:
    if not path.exists():
        raise FileNotFoundError(
            f"Kildedokumenterne mangler: {path}. "
            "Testene forventer ../shared/seeds/ ved siden af repoet."
        )
    return path.read_text(encoding="utf-8")


def norm(text: str) -> str:
    """Letters and digits only, lower case: insensitive to line breaks and hyphenation."""
    text = text.lower()
    for wrong, right in TYPO_FIXES.items():
        text = text.replace(wrong, right)
    return re.sub(r"[\W_]+", "", text)


def seed_norm(path: Path) -> str:
    """norm() of a seed, with the boxes in MOVED_BOXES moved out of the sentence they split."""
    text = norm(seed_text(path))
    for box in MOVED_BOXES.get(path.name, []):
        key = norm(box)
        if key not in text:
            raise AssertionError(f"{path.name}: boksen findes ikke i kilden: {box[:60]}…")
        text = text.replace(key, "", 1) + key
    return text


def seed_words(path: Path) -> str:
    """The seed's words, space-separated and lower case, with words hyphenated across a line
    break joined (for matching short pieces on word boundaries)."""
    text = seed_text(path).lower()
    for wrong, right in TYPO_FIXES.items():
        text = text.replace(wrong, right)
    text = re.sub(r"(\w)-[ \t]*\n\s*(\w)", r"\1\2", text)
    return " " + " ".join(re.findall(r"[^\W_]+", text)) + " "


def case_chunks(text: str | None = None) -> dict[int, str]:
    """The seed's text per case number (front and back), plus 0 for the introduction."""
    text = seed_text() if text is None else text
    starts = [(int(m.group(1)), m.start()) for m in _CASE_START.finditer(text)]
    chunks = {0: text[: starts[0][1]]}
    for i, (number, start) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        chunks[number] = text[start:end]
    return chunks


def seed_urls(text: str) -> list[str]:
    """URLs as the extraction broke them: each runs to the end of its paragraph."""
    urls = []
    for paragraph in re.split(r"\n\s*\n", text):
        index = paragraph.find("http")
        while index != -1:
            tail = paragraph[index:]
            url = re.sub(r"\s+", "", tail)
            nxt = url.find("http", 1)
            if nxt != -1:
                urls.append(url[:nxt])
                index = paragraph.find("http", index + 1)
                continue
            urls.append(url)
            break
    return urls
