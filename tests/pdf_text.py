"""The pages and the text of a PDF that Chromium prints (Skia's PDF writer), without a PDF library.

Enough for the tests to read what is on each printed page: Skia writes plain objects (no object
streams), Flate-compressed content streams and fonts with a ToUnicode map – Type0 fonts with
two-byte glyph codes, simple (TrueType, Type3) fonts with one-byte codes. Text is
returned per page with the glyphs in drawing order; compare it without whitespace, since line
breaks and word gaps are positions in a PDF, not characters.
"""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\bendobj", re.DOTALL)
_REF = rb"(\d+) 0 R"


def _objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}


def _stream(obj: bytes) -> bytes:
    start = obj.index(b"stream") + len(b"stream")
    if obj[start : start + 2] == b"\r\n":
        start += 2
    elif obj[start : start + 1] in (b"\n", b"\r"):
        start += 1
    raw = obj[start : obj.rindex(b"endstream")]
    return zlib.decompress(raw) if b"/FlateDecode" in obj[: obj.index(b"stream")] else raw


def _to_unicode(cmap: bytes) -> dict[int, str]:
    table: dict[int, str] = {}

    def text(hexes: bytes) -> str:
        return bytes.fromhex(hexes.decode()).decode("utf-16-be")

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            table[int(src, 16)] = text(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.DOTALL):
        for lo, hi, dst in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]*>|\[[^\]]*\])", block
        ):
            first, last = int(lo, 16), int(hi, 16)
            if dst.startswith(b"["):
                items = re.findall(rb"<([0-9A-Fa-f]*)>", dst)
                for code, item in zip(range(first, last + 1), items, strict=False):
                    table[code] = text(item)
            else:
                base = int(dst[1:-1], 16)
                for code in range(first, last + 1):
                    table[code] = chr(base + code - first)
    return table


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of every page, in page order."""
    objects = _objects(pdf)
    maps: dict[int, tuple[dict[int, str], int]] = {}

    def font_map(ref: int) -> tuple[dict[int, str], int]:
        """The font's glyph-code table and the hex digits of one code."""
        if ref not in maps:
            found = re.search(rb"/ToUnicode " + _REF, objects[ref])
            table = _to_unicode(_stream(objects[int(found.group(1))])) if found else {}
            maps[ref] = (table, 4 if re.search(rb"/Subtype\s*/Type0\b", objects[ref]) else 2)
        return maps[ref]

    def page_refs(ref: int) -> list[int]:
        obj = objects[ref]
        if re.search(rb"/Type\s*/Pages\b", obj):
            kids = re.search(rb"/Kids\s*\[(.*?)\]", obj, re.DOTALL)
            assert kids is not None
            return [p for kid in re.findall(_REF, kids.group(1)) for p in page_refs(int(kid))]
        return [ref]

    root = next(k for k, v in objects.items() if re.search(rb"/Type\s*/Catalog\b", v))
    pages_ref = re.search(rb"/Pages " + _REF, objects[root])
    assert pages_ref is not None
    texts = []
    for ref in page_refs(int(pages_ref.group(1))):
        page = objects[ref]
        fonts_block = re.search(rb"/Font\s*<<(.*?)>>", page, re.DOTALL)
        font_refs = re.findall(rb"/(\w+)\s+" + _REF, fonts_block.group(1) if fonts_block else b"")
        fonts = {name: int(num) for name, num in font_refs}
        contents = re.search(rb"/Contents\s*(\[.*?\]|\d+ 0 R)", page, re.DOTALL)
        assert contents is not None
        content = b"".join(_stream(objects[int(c)]) for c in re.findall(_REF, contents.group(1)))
        out: list[str] = []
        table: dict[int, str] = {}
        digits = 4
        for token in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|\b(ET)\b", content):
            if token.group(1):
                found = token.group(1) in fonts
                table, digits = font_map(fonts[token.group(1)]) if found else ({}, 4)
            elif token.group(2) is not None:
                hexes = token.group(2).decode()
                out += [
                    table.get(int(hexes[i : i + digits], 16), "")
                    for i in range(0, len(hexes), digits)
                ]
            else:
                out.append("\n")
        texts.append("".join(out))
    return texts
