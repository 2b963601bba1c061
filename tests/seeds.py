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
