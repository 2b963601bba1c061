"""User text is shown as typed: never a link, image, HTML, formatting, math or icon.

``literal`` is for Streamlit (checked for real in test_user_text_browser.py); ``md_text`` is
for the referat (.md), checked here with Python-Markdown.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import markdown
import pytest
from hypothesis import given
from hypothesis import strategies as st

from facilitator.exports import (
    FollowUpRow,
    MeetingSummary,
    literal,
    md_text,
    summary_markdown,
)

WJ = "\u2060"
PIXEL = "http://127.0.0.1:9/pixel.png"


def payloads(image: str = PIXEL) -> list[str]:
    """What a user could type to get something other than text on everyone's screen."""
    return [
        f"![]({image})",
        "[Log ind igen](https://evil.example/login)",
        "www.evil.example",
        "WWW.EVIL.EXAMPLE/sti",
        "https://evil.example",
        "mailto:ond@evil.example",
        "ond@evil.example",
        "<https://evil.example>",
        f"<img src={image}>",
        '<a href="https://evil.example">klik</a>',
        "**fed** _kursiv_ ~~streg~~ `kode`",
        ":material/home: :material_home: :streamlit: :smile: :+1:",
        ":red[farve] :blue-background[baggrund] :red-badge[mærke] :small[lille] :help[hjælp]",
        ":color[x]{foreground=red}",
        "$x^2$ og $$y$$",
        "# Overskrift",
        "- punkt",
        "1. nummer",
        "> citat",
        "A -> B <- C -- D >= E <=> F",
        "&amp; &lt;b&gt; &#42;",
        "[klik][ref] [^1]",
        "Anne_Marie*Bo a\\b kl. 10:30 (se note) Anne-Marie!",
        "Kolonne | celle",
        "Ærø Ødum Åse مريم",
    ]


_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")

# Streamlit 1.67 rewrites the parsed text after escapes have been resolved (read from its
# frontend bundle, StreamlitMarkdown.*.js); none of these may match what the reader sees.
_AFTER_PARSING = [
    re.compile(r"(https?://|www(?=\.))", re.IGNORECASE),  # GFM autolink literal
    re.compile(r"[-.\w+]+@[-\w]+(?:\.[-\w]+)+"),  # GFM e-mail autolink
    re.compile(r":material[_/]\w+:"),  # Material icons
    re.compile(r":streamlit:"),  # the Streamlit logo
    re.compile(r":[\w+-]+:"),  # emoji short codes (remark-emoji)
    re.compile(r"(^|\s)(<->|->|<-|--|>=|<=|~=)(\s|$)"),  # typographic arrows
]


def _unescaped_punctuation(text: str) -> list[str]:
    found, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and _PUNCTUATION.match(text[i + 1]):
            i += 2
            continue
        if _PUNCTUATION.match(text[i]):
            found.append(text[i])
        i += 1
    return found


def _unescape_markdown(text: str) -> str:
    """The text nodes a CommonMark parser makes of a line with only backslash escapes."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


@pytest.mark.parametrize("text", payloads())
def test_literal_keeps_the_text_and_leaves_nothing_to_interpret(text: str) -> None:
    out = literal(text)
    # Every ASCII punctuation mark is escaped: no Markdown, HTML, math or directive syntax.
    assert _unescaped_punctuation(out) == [], out
    shown = _unescape_markdown(out)
    # What the reader sees is the text as typed (the word joiner is invisible) ...
    assert shown.replace(WJ, "") == text
    # ... and nothing Streamlit rewrites after parsing can match it.
    for pattern in _AFTER_PARSING:
        assert not pattern.search(shown), (pattern.pattern, shown)


def test_literal_makes_one_line_and_leaves_plain_words_alone() -> None:
    assert literal("Anne\n\n  Bo\tHansen") == "Anne Bo Hansen"
    assert literal("Ærø Ødum Åse") == "Ærø Ødum Åse"


@given(st.text(max_size=200))
def test_literal_round_trips_any_text(text: str) -> None:
    out = literal(text)
    assert _unescaped_punctuation(out) == []
    assert _unescape_markdown(out).replace(WJ, "") == " ".join(text.split()).replace(WJ, "")


def _summary(texts: list[str]) -> MeetingSummary:
    rows = [
        FollowUpRow(
            i, who=t, what=t, due=date(2026, 12, 1), case_number=9, case_title="X", done=False
        )
        for i, t in enumerate(texts)
    ]
    return MeetingSummary(
        team=texts[0],
        meeting_date=date(2026, 11, 22),
        case_number=9,
        case_title="Sprog og arbejdsmarkedet",
        participants=texts,
        moderator=texts[1],
        questions=["Hvilke muligheder?"],
        question_notes=["\n".join(texts)],
        general_notes="\n\n".join(texts),
        follow_ups=rows,
        minutes_used=[60, 60, 60, 60, 60],
    )


@pytest.mark.parametrize(
    "extensions",
    [["tables"], ["tables", "pymdownx.magiclink"]],  # magiclink: bare addresses become links
    ids=["python-markdown", "with-autolinks"],
)
def test_referat_shows_user_text_literally(extensions: list[str]) -> None:
    texts = payloads()
    md = summary_markdown(_summary(texts))
    html = markdown.markdown(md, extensions=extensions)
    assert "<a " not in html and "<img" not in html and "<script" not in html
    # Only the referat's own formatting: its headings, its bold case line, its italic footer.
    assert re.findall(r"<(h\d|strong|em|blockquote|ol|hr)\b", html) == (
        ["h1", "strong", "h2", "h3", "h2", "h2", "h2", "em"]
    )
    assert html.count("<li>") == 2 + 5  # participants and moderator; the five steps
    assert html.count("<tr>") == 1 + len(texts)
    assert html.count("<td>Kolonne | celle</td>") == 2  # a | does not split the cell
    text = unescape(re.sub(r"<[^>]+>", "", html))
    # Python-Markdown does not know the GFM escapes \~ and \$ (safe, but the backslash shows).
    text = text.replace("\\~", "~").replace("\\$", "$")
    for t in texts:
        assert t in text


def test_referat_keeps_plain_words_readable() -> None:
    plain = "Anne-Marie ringer kl. 10.30 (efter mødet) - og skriver til jobcentret!"
    assert md_text(plain) == plain
    assert md_text("snake_case og 2 * 3") == "snake_case og 2 * 3"  # a lone * is no emphasis
    assert md_text("2 *3*") == "2 \\*3\\*"
    assert md_text("Se www.star.dk.") == "Se `www.star.dk`."
    assert md_text("a|b") == "a\\|b"
    assert md_text("1. marts") == "1\\. marts"
