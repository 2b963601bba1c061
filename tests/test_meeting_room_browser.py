"""The meeting room: a whole meeting walked in Chromium as a facilitator runs it on a projector.

These tests describe what »done« means for the room, and report every defect they see at once
(which step, which screen size and mode, which element and text) instead of stopping at the
first one:

* nothing is cut off at 1366×768 and 1920×1080, in normal and projector mode; the timer and
  »Næste trin« are in view, also after scrolling down; each step opens at its top;
* no English phrase from Streamlit is shown or announced (text, aria-label, title, placeholder,
  alt), also in the date picker and in transient states such as »Running…«;
* the timer's numbers agree with each other when the facilitator goes back and forth;
* a reload, or a new tab after the browser was closed, keeps the team open; »Skift team« ends it;
* nothing final happens by accident: a double press on »Næste trin« does not end the meeting, a
  finished meeting can be reopened, deleting asks first, a ticked follow-up can be unticked.

Screenshots of every state are saved under test-artifacts/meeting-room/ (the path is printed).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from facilitator import timer as tm
from facilitator.storage import Storage
from harness.app_server import AppServer, create_team_in_browser, wait_idle
from harness.meetings import meeting_query

pytestmark = pytest.mark.browser

SIZES = [(1366, 768), (1920, 1080)]
MODES = ["normal", "projector"]

LONG_NAMES = [
    "Anne-Mette Kristiansen-Vestergaard",
    "Mohammed Abdirahman Hassan-Jørgensen",
    "Bodil Østergaard Christoffersen-Lindholm",
]
LONG_FOLLOW_UP = (
    "Kontakt Voksenuddannelsescenteret og Sprogcenter Midtjylland om et samlet forløb med "
    "danskundervisning, virksomhedspraktik og mentorstøtte, og fortæl teamet om "
    "erfaringerne med arbejdsmarkedsrettet danskundervisning"
)

# Streamlit's own English words that must never reach the room or a screen reader.
ENGLISH = [
    "Press Enter",
    "Skip to",
    "Connection error",
    "connected",
    "Choose",
    "Previous month",
    "Next month",
    "Help for",
    "No results",
    "Copy to clipboard",
    "Fullscreen",
    "Running",
    "Please wait",
    "Close",
    "Open sidebar",
    "day,",
    "Select…",
    "Select...",
]

# Further English that Streamlit names its controls with (matched as whole words).
ENGLISH_WORDS = ["Collapse sidebar", "Expand sidebar", "Link to heading", "Open", "Clear all"]
_ENGLISH_RE = re.compile(
    "|".join(
        [re.escape(p) for p in ENGLISH]
        + [rf"(?<![\w-]){re.escape(w)}(?![\w-])" for w in ENGLISH_WORDS]
    )
)

# Texts the app ends in »…« on purpose (not shortened).
INTENDED_ELLIPSIS = ["Andet navn …"]

# --- JavaScript probes -----------------------------------------------------------------------

# The element that scrolls the page's main area (Streamlit's, or the document).
_SCROLLER = """
const bcScroller = () => {
  for (const sel of ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]',
                     '[data-testid="stAppScrollToBottomContainer"]', '.stMain']) {
    const el = document.querySelector(sel);
    if (!el) continue;
    const oy = getComputedStyle(el).overflowY;
    if ((oy === 'auto' || oy === 'scroll') && el.scrollHeight > el.clientHeight + 1) return el;
  }
  return document.scrollingElement || document.documentElement;
};
const bcScrollerName = (el) => el === document.scrollingElement ? 'document'
  : (el.getAttribute('data-testid') || el.className || el.tagName);
"""

# Every visible element with text of its own whose text does not fit: CSS ellipsis, clipped by
# an overflow:hidden/clip ancestor (or itself), cut by line-clamp, outside the window, or a text
# shortened with »…« whose full version is elsewhere on the page.
OVERFLOW_JS = (
    "(intended) => {"
    + """
  const out = [];
  const styles = new Map();
  const rects = new Map();
  const cs = (e) => {
    if (!styles.has(e)) styles.set(e, getComputedStyle(e));
    return styles.get(e);
  };
  const rc = (e) => {
    if (!rects.has(e)) rects.set(e, e.getBoundingClientRect());
    return rects.get(e);
  };
  const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEXTAREA', 'INPUT', 'SELECT', 'OPTION',
                        'TITLE', 'TEMPLATE', 'IFRAME']);
  const clean = (t) => t.replace(/\\s+/g, ' ').trim();
  const ownText = (el) => {
    let t = '';
    for (const n of el.childNodes) if (n.nodeType === 3) t += n.textContent;
    return clean(t);
  };
  const describe = (el) => {
    let d = '<' + el.tagName.toLowerCase() + '>';
    const t = el.closest('[data-testid]');
    if (t) d += ' in ' + t.getAttribute('data-testid');
    const k = el.closest('[class*="st-key-"]');
    if (k) { const m = String(k.className).match(/st-key-[\\w-]+/); if (m) d += ' (' + m[0] + ')'; }
    if (el.closest('[data-testid="stSidebar"]')) d += ' [sidebar]';
    return d;
  };
  const hidden = (el) => {
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true,
                             opacityProperty: true, visibilityProperty: true})) return true;
    if (el.closest('[aria-hidden="true"], [data-testid^="stIcon"], .sr-only, .visually-hidden'))
      return true;
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const s = cs(e);
      const r = rc(e);
      if ((r.width < 2 || r.height < 2) && (e === el || s.overflow !== 'visible')) return true;
      if (s.position === 'absolute' && s.clip && s.clip !== 'auto') return true;
      if (s.clipPath && s.clipPath.startsWith('inset(50%')) return true;
    }
    return false;
  };
  const textRect = (el) => {
    let L = Infinity, T = Infinity, R = -Infinity, B = -Infinity;
    const range = document.createRange();
    for (const n of el.childNodes) {
      if (n.nodeType !== 3 || !n.textContent.trim()) continue;
      range.selectNodeContents(n);
      for (const r of range.getClientRects()) {
        if (r.width === 0 && r.height === 0) continue;
        L = Math.min(L, r.left); T = Math.min(T, r.top);
        R = Math.max(R, r.right); B = Math.max(B, r.bottom);
      }
    }
    return L === Infinity ? null : {left: L, top: T, right: R, bottom: B};
  };
  let everything = null;
  const fullTexts = () => {
    if (everything === null) {
      const parts = [document.body.textContent];
      for (const e of document.querySelectorAll('[title], [aria-label]'))
        parts.push(e.getAttribute('title') || '', e.getAttribute('aria-label') || '');
      everything = clean(parts.join(' '));
    }
    return everything;
  };
  const seen = new Set();
  const add = (el, text, why) => {
    const key = describe(el) + '|' + text + '|' + why;
    if (seen.has(key)) return;
    seen.add(key);
    const shown = text.length > 90 ? text.slice(0, 90) + '[…]' : text;
    out.push(describe(el) + ' »' + shown + '«: ' + why);
  };
  const W = window.innerWidth;
  const px = Math.round;
  for (const el of document.body.querySelectorAll('*')) {
    if (SKIP.has(el.tagName) || el.closest('svg, textarea, [contenteditable="true"]')) continue;
    const text = ownText(el);
    if (!text || hidden(el)) continue;
    const s = cs(el);
    if (s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1) {
      add(el, text, 'shortened with … (text-overflow: ellipsis; needs '
        + `${el.scrollWidth}px, has ${el.clientWidth}px)`);
      continue;
    }
    const clamp = s.webkitLineClamp || s.getPropertyValue('-webkit-line-clamp');
    if (clamp && clamp !== 'none' && el.scrollHeight > el.clientHeight + 1) {
      add(el, text, `cut after ${clamp} line(s) (line-clamp)`);
      continue;
    }
    const m = text.match(/^(.*?)\\s*(…|\\.\\.\\.)$/);
    if (m && m[1].length >= 6 && !intended.includes(text)) {
      const stem = m[1];
      const all = fullTexts();
      let i = all.indexOf(stem);
      while (i >= 0) {
        const after = all.slice(i + stem.length).trimStart();
        if (after && !after.startsWith('…') && !after.startsWith('...')) {
          const full = clean(all.slice(i, i + stem.length + 40));
          add(el, text, 'shortened with …, the full text is »' + full + '…«');
          break;
        }
        i = all.indexOf(stem, i + 1);
      }
    }
    const tr = textRect(el);
    if (!tr) continue;
    let cut = false;
    // Up to the first scroll container in each direction: what lies beyond it can be
    // scrolled into view, so only clipping below it cuts text off.
    let scrollsX = false, scrollsY = false;
    const top = document.documentElement;
    for (let a = el; a && a !== top && !(scrollsX && scrollsY); a = a.parentElement) {
      const as = cs(a);
      const ar = rc(a);
      const clipX = !scrollsX && (as.overflowX === 'hidden' || as.overflowX === 'clip');
      const clipY = !scrollsY && (as.overflowY === 'hidden' || as.overflowY === 'clip');
      if (as.overflowX === 'auto' || as.overflowX === 'scroll') scrollsX = true;
      if (as.overflowY === 'auto' || as.overflowY === 'scroll') scrollsY = true;
      const dots = as.textOverflow === 'ellipsis' ? ', shown with …' : '';
      if (clipX && (tr.right > ar.right + 1 || tr.left < ar.left - 1)) {
        add(el, text, `cut off horizontally by ${a === el ? 'itself' : describe(a)} with `
          + `overflow:${as.overflowX}${dots} (text x=${px(tr.left)}..${px(tr.right)}, `
          + `box x=${px(ar.left)}..${px(ar.right)})`);
        cut = true;
        break;
      }
      if (clipY && (tr.bottom > ar.bottom + 3 || tr.top < ar.top - 3)) {
        add(el, text, `cut off vertically by ${a === el ? 'itself' : describe(a)} with `
          + `overflow:${as.overflowY}${dots} (text y=${px(tr.top)}..${px(tr.bottom)}, `
          + `box y=${px(ar.top)}..${px(ar.bottom)})`);
        cut = true;
        break;
      }
    }
    if (!cut && (tr.right > W + 1 || tr.left < -1)) {
      add(el, text, `outside the window (text x=${px(tr.left)}..${px(tr.right)}, `
        + `window is ${W}px wide)`);
    }
  }
  return out;
}"""
)

# What is shown and announced: the visible text and every visible aria-label, title,
# placeholder and alt; and what the observer saw come and go since the last look.
SHOWN_JS = """() => {
  const found = [{where: 'text on the page', text: document.body.innerText}];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (el.closest('[aria-hidden="true"]')) continue;
    if (!el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true})) continue;
    const t = el.closest('[data-testid]');
    const where = '<' + el.tagName.toLowerCase() + '>'
      + (t ? ' in ' + t.getAttribute('data-testid') : '');
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      const v = el.getAttribute(a);
      if (v) found.push({where: a + ' of ' + where, text: v});
    }
  }
  const transient = (window.__bcEnglishSeen || []).splice(0);
  for (const t of transient) found.push({where: 'shown for a moment: ' + t.where, text: t.text});
  return found;
}"""

# Installed in every page before Streamlit: remembers English phrases that are visible only for
# a moment (the »Running…« status, »Connecting«, a tooltip), which a look after the rerun misses.
OBSERVER_JS = (
    "(() => { const PHRASES = "
    + repr(ENGLISH).replace("'", '"')
    + """;
  window.__bcEnglishSeen = [];
  const noted = new Set();
  // Checked again at the next frame, with what the element says then: English that the
  // app's own observer puts into Danish before the browser paints was never shown.
  const look = (el, text, where) => {
    if (!text || !PHRASES.some((p) => text.includes(p))) return;
    requestAnimationFrame(() => {
      // Before the app's helper runs (the first fraction of a second of a page load), nothing
      // can translate Streamlit's texts yet; what is still English after that counts.
      if (!window.__bcDanish) return;
      if (!el || !el.isConnected) return;
      const attr = where.endsWith(' of') ? where.slice(0, -3) : null;
      now(el, attr ? el.getAttribute(attr) : (el.textContent || '').slice(0, 5000), where);
    });
  };
  const now = (el, text, where) => {
    if (!text) return;
    for (const p of PHRASES) {
      if (!text.includes(p)) continue;
      if (!el || el.closest('[aria-hidden="true"], [data-testid^="stIcon"], style, script')) return;
      if (!el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true})) return;
      const t = el.closest('[data-testid]');
      const w = where + ' <' + el.tagName.toLowerCase() + '>'
        + (t ? ' in ' + t.getAttribute('data-testid') : '');
      const i = text.indexOf(p);
      const snippet = text.slice(Math.max(0, i - 40), i + p.length + 40);
      const key = w + '|' + snippet;
      if (noted.has(key)) return;
      noted.add(key);
      window.__bcEnglishSeen.push({where: w, text: snippet});
    }
  };
  const start = () => new MutationObserver((muts) => {
    for (const m of muts) {
      if (m.type === 'attributes') {
        look(m.target, m.target.getAttribute(m.attributeName), m.attributeName + ' of');
        continue;
      }
      if (m.type === 'characterData') {
        look(m.target.parentElement, m.target.textContent, 'text');  // re-read at the frame
        continue;
      }
      for (const n of m.addedNodes) {
        if (n.nodeType === 3) look(n.parentElement, n.textContent, 'text');
        else if (n.nodeType === 1) {
          look(n, (n.textContent || '').slice(0, 5000), 'text');
          for (const a of ['aria-label', 'title', 'placeholder', 'alt'])
            look(n, n.getAttribute(a), a + ' of');
        }
      }
    }
  }).observe(document, {subtree: true, childList: true, characterData: true, attributes: true,
                        attributeFilter: ['aria-label', 'title', 'placeholder', 'alt']});
  start();
})();"""
)

# Where the heading, the timer and the primary button are, and how far the main area scrolled.
VIEW_JS = (
    "(headingPattern) => {"
    + _SCROLLER
    + """
  const sc = bcScroller();
  const box = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right};
  };
  const label = (el) => {
    let t = '';
    const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode())
      if (!n.parentElement.closest('[data-testid^="stIcon"]')) t += n.textContent;
    return t.replace(/\\s+/g, ' ').trim();
  };
  const visible = (el) => el.checkVisibility({checkVisibilityCSS: true, visibilityProperty: true});
  const re = new RegExp(headingPattern);
  const heading = [...document.querySelectorAll('h1, h2')].find(
    (h) => visible(h) && re.test(label(h)));
  const primary = [...document.querySelectorAll('button')].find(
    (b) => visible(b) && /^(Næste trin|Afslut mødet)$/.test(label(b)));
  const timer = [...document.querySelectorAll('.bc-timer')].find(visible);
  // Streamlit's header lies over the top of the page when it has a background.
  let inset = 0;
  const header = document.querySelector('[data-testid="stHeader"]');
  if (header && visible(header)) {
    const s = getComputedStyle(header);
    const r = header.getBoundingClientRect();
    const opaque = s.backgroundColor !== 'rgba(0, 0, 0, 0)' && s.backgroundColor !== 'transparent';
    if (opaque && r.height > 0 && ['fixed', 'sticky', 'absolute'].includes(s.position))
      inset = Math.max(0, r.bottom);
  }
  return {
    scroller: bcScrollerName(sc), scrollTop: sc.scrollTop, windowScroll: window.scrollY,
    scrollHeight: sc.scrollHeight, clientHeight: sc.clientHeight,
    innerHeight: window.innerHeight, innerWidth: window.innerWidth, inset,
    heading: box(heading), headingText: heading ? label(heading) : null,
    primary: box(primary), primaryText: primary ? label(primary) : null, timer: box(timer),
  };
}"""
)

SCROLL_BOTTOM_JS = (
    "() => {"
    + _SCROLLER
    + """
  const sc = bcScroller();
  sc.scrollTop = sc.scrollHeight;
  window.scrollTo(0, document.documentElement.scrollHeight);
  return sc.scrollTop;
}"""
)

SCROLL_TOP_JS = "() => {" + _SCROLLER + " bcScroller().scrollTop = 0; window.scrollTo(0, 0); }"

BUTTON_AT_JS = """([x, y]) => {
  const el = document.elementFromPoint(x, y);
  const b = el && el.closest('button');
  if (!b) return null;
  let t = '';
  const walk = document.createTreeWalker(b, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode())
    if (!n.parentElement.closest('[data-testid^="stIcon"]')) t += n.textContent;
  return t.replace(/\\s+/g, ' ').trim();
}"""

TIMER_JS = """() => {
  const q = (s) => {
    const e = document.querySelector(s);
    return e ? e.textContent.replace(/\\s+/g, ' ').trim() : null;
  };
  return {big: q('.bc-timer__big'), total: q('.bc-timer__total'), note: q('.bc-timer__note'),
          label: q('.bc-timer__label')};
}"""


# --- Harness ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def room_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """One app server for the whole file (each test makes its own team)."""
    server = AppServer(tmp_path_factory.mktemp("room"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def screens(artifacts: Path) -> Path:
    """test-artifacts/meeting-room/ (through `artifacts`, which empties test-artifacts/ once per
    run: a later test asking for it first would otherwise delete these screenshots)."""
    folder = artifacts / "meeting-room"
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    print(f"\nScreenshots of the meeting room: {folder}")
    return folder


def _context(browser: Browser, width: int = 1366, height: int = 768) -> BrowserContext:
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="da-DK", accept_downloads=True
    )
    context.add_init_script(OBSERVER_JS)
    return context


class Room:
    """One facilitator's browser page, and what was found wrong in it, by kind."""

    def __init__(self, page: Page, tag: str, shots: Path) -> None:
        self.page = page
        self.tag = tag
        self.shots = shots
        self.count = 0
        # kind -> message -> the states where it was seen (a message is reported once)
        self.found: dict[str, dict[str, list[str]]] = {}

    def problem(self, kind: str, state: str, message: str) -> None:
        self.found.setdefault(kind, {}).setdefault(message, []).append(state)

    def shot(self, state: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^\w-]+", "-", state).strip("-")
        path = self.shots / f"{self.tag}-{self.count:02d}-{slug}.png"
        self.page.screenshot(path=path)
        return path

    def report(self) -> str:
        lines = []
        for kind, items in self.found.items():
            lines.append(f"{kind} ({len(items)}) [{self.tag}]:")
            for message, states in items.items():
                lines.append(f"  - [{'; '.join(dict.fromkeys(states))}] {message}")
        lines.append(f"(screenshots: {self.shots})")
        return "\n".join(lines)

    def verdict(self) -> None:
        if self.found:
            pytest.fail(self.report(), pytrace=False)

    # -- checks --

    def cut_off(self, state: str) -> None:
        for item in self.page.evaluate(OVERFLOW_JS, INTENDED_ELLIPSIS):
            self.problem("Cut off", state, item)

    def english(self, state: str) -> None:
        steady: set[str] = set()
        for found in self.page.evaluate(SHOWN_JS):
            text = found["text"] or ""
            transient = found["where"].startswith("shown for a moment")
            for m in _ENGLISH_RE.finditer(text):
                phrase, i = m.group(0), m.start()
                if transient and phrase in steady:
                    continue  # already reported as shown
                if not transient:
                    steady.add(phrase)
                around = text[max(0, i - 40) : i + len(phrase) + 40].replace("\n", " ⏎ ")
                self.problem(
                    "English", state, f"»{phrase}« in {found['where']}: …{around.strip()}…"
                )

    def view(self, heading: str) -> dict[str, Any]:
        result: dict[str, Any] = self.page.evaluate(VIEW_JS, heading)
        return result

    @staticmethod
    def _inside(box: dict[str, float] | None, v: dict[str, Any]) -> bool:
        return (
            box is not None
            and box["top"] >= v["inset"] - 1
            and box["bottom"] <= v["innerHeight"] + 1
            and box["left"] >= -1
            and box["right"] <= v["innerWidth"] + 1
        )

    @staticmethod
    def _where(box: dict[str, float] | None, v: dict[str, Any]) -> str:
        if box is None:
            return "not on the page"
        return (
            f"y={round(box['top'])}..{round(box['bottom'])}, visible area "
            f"y={round(v['inset'])}..{v['innerHeight']}"
        )

    def at_top(self, state: str, heading: str, what: str) -> None:
        """The page opened at its top: no scrolling, the heading in view (given a moment to
        scroll there after the rerun)."""
        for _ in range(5):
            v = self.view(heading)
            if v["scrollTop"] <= 1 and v["windowScroll"] <= 1 and self._inside(v["heading"], v):
                return
            self.page.wait_for_timeout(300)
        if v["scrollTop"] > 1 or v["windowScroll"] > 1:
            self.problem(
                "Not at the top",
                state,
                f"the main area is scrolled down {round(v['scrollTop'] or v['windowScroll'])}px "
                f"({v['scroller']}); {what} should open at its top",
            )
        if not self._inside(v["heading"], v):
            self.problem(
                "Not at the top",
                state,
                f"the heading /{heading}/ is out of view ({self._where(v['heading'], v)})",
            )

    def primary_in_view(self, state: str, heading: str) -> None:
        v = self.view(heading)
        name = v["primaryText"] or "Næste trin/Afslut mødet"
        if not self._inside(v["primary"], v):
            self.problem(
                "Not in view",
                state,
                f"the button »{name}« is out of view ({self._where(v['primary'], v)}, "
                f"scrolled {round(v['scrollTop'])}px)",
            )
        if not self._inside(v["timer"], v):
            self.problem(
                "Not in view",
                state,
                f"the timer (.bc-timer) is out of view ({self._where(v['timer'], v)}, "
                f"scrolled {round(v['scrollTop'])}px)",
            )

    def look(self, state: str) -> None:
        """A screenshot, nothing cut off, nothing English."""
        self.shot(state)
        self.cut_off(state)
        self.english(state)

    def step(self, state: str, heading: str, arrival: bool = True) -> None:
        """A step of the meeting: opened at its top with the timer and the button in view;
        scrolled to the bottom, the timer and the button still in view."""
        page = self.page
        if arrival:
            self.at_top(state, heading, "a new step")
        self.primary_in_view(state, heading)
        self.look(state)
        page.evaluate(SCROLL_BOTTOM_JS)
        page.wait_for_timeout(300)
        self.primary_in_view(f"{state}, scrolled to the bottom", heading)
        self.shot(f"{state}-bottom")
        page.evaluate(SCROLL_TOP_JS)
        page.wait_for_timeout(200)


def _heading_visible(page: Page, pattern: str, timeout: float = 20000) -> None:
    expect(page.get_by_role("heading", name=re.compile(pattern)).first).to_be_visible(
        timeout=timeout
    )


def _press(page: Page, name: str) -> None:
    wait_idle(page)
    page.get_by_role("button", name=name, exact=True).click()


def _finish(page: Page) -> None:
    """Press »Afslut mødet« (confirming if the app asks) and wait for the finished page."""
    _press(page, "Afslut mødet")
    finished = page.get_by_role("heading", name="Mødet er slut")
    try:
        expect(finished).to_be_visible(timeout=6000)
    except AssertionError:
        confirm = page.get_by_role("dialog").get_by_role("button", name=re.compile("^(Ja|Afslut)"))
        confirm.first.click()
        expect(finished).to_be_visible(timeout=20000)
    wait_idle(page)


def _participants(page: Page, names: list[str]) -> None:
    page.get_by_role("textbox", name="Deltagere (valgfrit, ét navn pr. linje)").fill(
        "\n".join(names)
    )


def _start_meeting(page: Page) -> str:
    page.get_by_role("button", name="Start mødet").click()
    _heading_visible(page, "^Trin 1")
    match = re.search(r"[?&]m=([\w-]+)", page.url)
    assert match, page.url
    wait_idle(page)
    return match.group(1)


def _projector_on(page: Page) -> bool:
    return page.get_by_role("button", name="Afslut projektorvisning").count() > 0


def _switch_projector_on(room: Room, state: str) -> None:
    """The sidebar toggle »Projektorvisning«, as the facilitator switches; if it does not take
    (a defect, reported), pressed once more, and at last ?p=1 in the address (a reload)."""
    page = room.page
    switch = page.get_by_test_id("stSidebar").get_by_role("switch", name="Projektorvisning")
    exit_button = page.get_by_role("button", name="Afslut projektorvisning")
    for attempt in (1, 2):
        wait_idle(page)
        was = switch.is_checked()
        page.locator('[data-testid="stSidebar"] label').filter(
            has=page.get_by_role("switch", name="Projektorvisning")
        ).click()
        try:
            expect(exit_button).to_be_visible(timeout=8000)
            break
        except AssertionError:
            room.problem(
                "Projector mode",
                state,
                f"pressing the sidebar toggle »Projektorvisning« (shown "
                f"{'on' if was else 'off'}, press {attempt}) does not switch projector mode on",
            )
    else:
        url = page.url + ("&" if "?" in page.url else "?") + "p=1"
        page.goto(url)
        expect(exit_button).to_be_visible(timeout=20000)
    wait_idle(page)


def _store(app: AppServer) -> Storage:
    return Storage(f"sqlite:///{app.data_dir / 'borgercases.sqlite3'}")


# --- 1 and 2: a whole meeting at the room's sizes, in both modes --------------------------------

START_TITLE = "^Borgercases – teammødet$"


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("width", "height"), SIZES, ids=["1366x768", "1920x1080"])
def test_whole_meeting_fits_the_room_in_danish(
    browser: Browser, room_app: AppServer, screens: Path, width: int, height: int, mode: str
) -> None:
    """Team page, steps 1–5 and the finished page: nothing cut off, the timer and the primary
    button in view (also scrolled down), every step opening at its top, no English."""
    context = _context(browser, width, height)
    page = context.new_page()
    room = Room(page, f"{width}x{height}-{mode}", screens)
    try:
        create_team_in_browser(page, room_app, f"Integrationsteam Nord {width} {mode}")
        wait_idle(page)
        if mode == "projector":
            page.evaluate(SCROLL_BOTTOM_JS)
            _switch_projector_on(room, "team page")
            room.at_top("team page, projector switched on", START_TITLE, "the page")
        else:
            room.at_top("team page", START_TITLE, "the team's page")
        room.look("team page")

        _participants(page, LONG_NAMES)
        room.look("team page, participants typed")
        meeting_id = _start_meeting(page)
        if mode == "projector" and not _projector_on(page):
            room.problem(
                "Projector mode",
                "step 1",
                "projector mode is off after »Start mødet« (?p=1 left the address); "
                "switched on again in the sidebar",
            )
            _switch_projector_on(room, "step 1")
            room.at_top("step 1, projector switched on", "^Trin 1:", "the step")
        room.step("step 1", "^Trin 1:")

        page.get_by_role("button", name=re.compile("^Næste i rotationen")).click()
        expect(page.get_by_text(re.compile("^Ordstyrer: "))).to_be_visible()
        wait_idle(page)
        page.evaluate(SCROLL_TOP_JS)
        room.look("step 1, moderator chosen")

        _press(page, "Start uret")
        expect(page.get_by_role("button", name="Pause")).to_be_visible()
        wait_idle(page)
        room.at_top("step 1, right after »Start uret«", "^Trin 1:", "the step")
        room.step("step 1, timer running", "^Trin 1:", arrival=False)

        for n in (2, 3, 4, 5):
            _press(page, "Næste trin")
            _heading_visible(page, f"^Trin {n}:")
            wait_idle(page)
            room.step(f"step {n}", f"^Trin {n}:")

        # Step 5: a follow-up with a long text for the person with the longest name.
        what = page.get_by_role("textbox", name="Hvad skal der følges op på?")
        what.fill(LONG_FOLLOW_UP)
        room.look("step 5, follow-up typed")
        due = page.locator(
            '[data-testid="stDateInput"]', has=page.get_by_role("group", name="Frist")
        )
        due.locator('[data-testid="stDateInputCalendarButton"]').click()
        calendar = page.get_by_role("grid").first
        expect(calendar).to_be_visible()
        page.wait_for_timeout(300)
        room.shot("step 5, date picker open")
        room.english("step 5, date picker open")
        page.keyboard.press("Escape")
        expect(calendar).to_be_hidden()
        _press(page, "Gem aftalen")
        expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
        wait_idle(page)
        page.evaluate(SCROLL_TOP_JS)
        room.step("step 5, follow-up saved", "^Trin 5:", arrival=False)

        _finish(page)
        room.at_top("finished", "^(Mødet er slut|Case \\d+: .+)$", "the finished page")
        room.look("finished")
        page.evaluate(SCROLL_BOTTOM_JS)
        page.wait_for_timeout(300)
        room.look("finished, scrolled to the bottom")
        assert meeting_id
    finally:
        context.close()
    room.verdict()


# --- 3: the timer's numbers agree -------------------------------------------------------------


def _seconds(mmss: str) -> int:
    m, s = mmss.split(":")
    return int(m) * 60 + int(s)


def _parse_timer(raw: dict[str, str | None]) -> dict[str, Any]:
    big = raw["big"] or ""
    m = re.fullmatch(r"(\+)?(-?\d+:\d\d)", big)
    assert m, f"the big countdown reads »{big}«, not m:ss or +m:ss"
    step_left = -_seconds(m.group(2)) if m.group(1) else _seconds(m.group(2))
    total = raw["total"] or ""
    t = re.search(r"Tid tilbage i alt: (\d+:\d\d) af (\d+:\d\d)", total)
    over = re.search(r"Mødet er (\d+:\d\d) over tid", total)
    assert t or over, f"the total reads »{total}«"
    total_left = _seconds(t.group(1)) if t else -_seconds(over.group(1))  # type: ignore[union-attr]
    later: list[tuple[str, int]] = []
    if raw["note"]:
        tail = raw["note"].split(":", 1)[1] if ":" in raw["note"] else raw["note"]
        later = [
            (name.strip(" ,"), _seconds(mmss))
            for name, mmss in re.findall(r"([^,\d]+?)\s+(\d+:\d\d)", tail)
        ]
    return {"step_left": step_left, "total_left": total_left, "later": later}


def _check_timer(room: Room, state: str) -> str:
    """Read the timer panel; report numbers that disagree. Returns the reading."""
    raw = room.page.evaluate(TIMER_JS)
    reading = f"{state}: {raw['big']} | {raw['total']} | {raw['note'] or '-'}"
    try:
        v = _parse_timer(raw)
    except AssertionError as exc:
        room.problem("Timer", state, str(exc))
        return reading
    step, total, later = v["step_left"], v["total_left"], v["later"]
    if step > total + 1:
        room.problem(
            "Timer",
            state,
            f"the step has {raw['big']} left but the whole meeting only "
            f"»{raw['total']}« ({step - total} s more than the meeting)",
        )
    if raw["note"]:
        listed = sum(s for _, s in later)
        if abs(step + listed - total) > 2:
            room.problem(
                "Timer",
                state,
                f"step {raw['big']} + later steps {_mmss(listed)} "
                f"({', '.join(f'{n} {_mmss(s)}' for n, s in later)}) = {_mmss(step + listed)}, "
                f"but »{raw['total']}« ({step + listed - total:+d} s)",
            )
    return reading


def _mmss(seconds: int) -> str:
    sign = "-" if seconds < 0 else ""
    return f"{sign}{abs(seconds) // 60}:{abs(seconds) % 60:02d}"


def test_timer_numbers_agree_going_back_and_forth(
    browser: Browser, room_app: AppServer, screens: Path
) -> None:
    """The step's countdown never promises more than the meeting has left, and the step's
    time plus the later steps' shares listed under the timer add up to the meeting's time."""
    context = _context(browser)
    page = context.new_page()
    room = Room(page, "timer-1366x768", screens)
    readings: list[str] = []

    def read(state: str) -> None:
        page.wait_for_timeout(300)
        readings.append(_check_timer(room, state))
        room.shot(state)

    def move(name: str, step: int, state: str, wait_ms: int = 0) -> None:
        _press(page, name)
        _heading_visible(page, f"^Trin {step}:")
        wait_idle(page)
        if wait_ms:
            page.wait_for_timeout(wait_ms)
        read(state)

    try:
        create_team_in_browser(page, room_app, "Team Ur og tid")
        wait_idle(page)
        _participants(page, ["Anne", "Bo", "Carla"])
        _start_meeting(page)
        _press(page, "Start uret")
        expect(page.get_by_role("button", name="Pause")).to_be_visible()
        wait_idle(page)
        page.wait_for_timeout(1000)
        read("step 1 after Start + 1 s")
        move("Næste trin", 2, "Next → step 2", 1000)
        move("Næste trin", 3, "Next → step 3", 1000)
        move("Forrige trin", 2, "Back → step 2", 1000)
        move("Forrige trin", 1, "Back → step 1", 1000)
        move("Næste trin", 2, "Next → step 2 again")
        move("Næste trin", 3, "Next → step 3 again")
        move("Næste trin", 4, "Next → step 4")
        move("Næste trin", 5, "Next → step 5")
        move("Forrige trin", 4, "Back → step 4, 3 s there", 3000)
        move("Næste trin", 5, "Next → step 5 again")
    finally:
        context.close()
    if room.found:
        pytest.fail(
            room.report() + "\nReadings (big | total | note):\n  " + "\n  ".join(readings),
            pytrace=False,
        )


# --- 4: a reload or a closed browser keeps the team; »Skift team« ends it -----------------------


def _team_open(page: Page, team: str) -> bool:
    """True when the team's page shows; False when the start page asks for the code."""
    heading = page.get_by_role("heading", name=team, exact=True)
    asks = page.get_by_role("textbox", name=re.compile("^Team(ets )?kode$"))
    expect(heading.or_(asks).first).to_be_visible(timeout=20000)
    wait_idle(page)
    return heading.count() > 0 and heading.first.is_visible() and asks.count() == 0


def _open_with_code(page: Page, code: str) -> None:
    page.get_by_role("textbox", name=re.compile("^Team(ets )?kode$")).fill(code)
    page.get_by_role("button", name="Åbn teamet").click()
    expect(page.get_by_role("button", name="Skift team")).to_be_visible(timeout=20000)
    wait_idle(page)


def test_reload_and_a_new_tab_keep_the_team_until_skift_team(
    browser: Browser, room_app: AppServer, screens: Path
) -> None:
    team = "Team Genindlæs"
    context = _context(browser)
    page = context.new_page()
    room = Room(page, "reload-1366x768", screens)
    try:
        code = create_team_in_browser(page, room_app, team)
        wait_idle(page)
        _participants(page, ["Anne", "Bo"])
        _start_meeting(page)
        for n in (2, 3):
            _press(page, "Næste trin")
            _heading_visible(page, f"^Trin {n}:")

        page.reload()
        _heading_visible(page, "^Trin 3:")
        wait_idle(page)
        page.locator('[data-testid="stSidebar"]').get_by_role(
            "button", name="Nyt møde / teamets historik"
        ).click()
        page.wait_for_timeout(500)
        if not _team_open(page, team):
            room.shot("after reload, Nyt møde")
            room.problem(
                "Team lost",
                "step 3, reloaded, then »Nyt møde / teamets historik«",
                f"the team's page does not open: asks for the code instead of showing »{team}« "
                f"(address {page.url})",
            )
            _open_with_code(page, code)

        page.close()
        page = context.new_page()
        room.page = page
        page.goto(room_app.url)
        expect(page.locator("html")).to_have_attribute("lang", "da", timeout=20000)
        page.wait_for_timeout(500)
        if not _team_open(page, team):
            room.shot("new tab at the base address")
            room.problem(
                "Team lost",
                "page closed, new page in the same browser at the base address",
                f"the team is not open any more: the start page asks for the code, no »{team}«",
            )
            _open_with_code(page, code)

        _press(page, "Skift team")
        expect(page.get_by_role("textbox", name=re.compile("^Team(ets )?kode$"))).to_be_visible(
            timeout=20000
        )
        page.close()
        page = context.new_page()
        room.page = page
        page.goto(room_app.url)
        expect(page.get_by_role("textbox", name=re.compile("^Team(ets )?kode$"))).to_be_visible(
            timeout=20000
        )
        wait_idle(page)
        if page.get_by_role("heading", name=team, exact=True).count():
            room.problem(
                "Team kept after »Skift team«",
                "new page after »Skift team«",
                f"»{team}« is still shown",
            )
    finally:
        context.close()
    room.verdict()


# --- 5: nothing final by accident ---------------------------------------------------------------


def test_nothing_final_happens_by_accident(
    browser: Browser, room_app: AppServer, screens: Path
) -> None:
    team = "Team Forsigtig"
    context = _context(browser)
    page = context.new_page()
    room = Room(page, "accident-1366x768", screens)
    store = _store(room_app)
    try:
        create_team_in_browser(page, room_app, team)
        wait_idle(page)
        _participants(page, ["Anne", "Bo"])
        meeting_id = _start_meeting(page)
        # The timer is not started: the panel has no rebalancing note that would move the
        # buttons, as when a facilitator just clicks through.
        for n in (2, 3, 4):
            _press(page, "Næste trin")
            _heading_visible(page, f"^Trin {n}:")
        wait_idle(page)
        page.evaluate(SCROLL_TOP_JS)
        page.wait_for_timeout(200)
        readings = [_check_timer(room, "step 4, clicked through without starting the timer")]
        box = page.get_by_role("button", name="Næste trin", exact=True).bounding_box()
        assert box, "no »Næste trin« button on step 4"
        spot = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
        page.mouse.click(*spot)  # the facilitator's press, at that spot on the screen
        _heading_visible(page, "^Trin 5:")
        wait_idle(page)
        under = page.evaluate(BUTTON_AT_JS, spot)
        room.shot("step 5, under the spot of Næste trin")
        readings.append(_check_timer(room, "step 5, clicked through without starting the timer"))
        if under == "Afslut mødet":
            room.problem(
                "Final by accident",
                "step 4 → step 5",
                f"the button at ({round(spot[0])}, {round(spot[1])}), where »Næste trin« was on "
                "step 4, is »Afslut mødet« on step 5: one press too many ends the meeting",
            )
        print(f"step 5, under the spot of step 4's »Næste trin«: {under!r}; timer: {readings}")

        # A follow-up ticked done in the meeting's list can be unticked there.
        page.get_by_role("textbox", name="Hvad skal der følges op på?").fill(
            "Ring til sprogskolen om holdstart"
        )
        _press(page, "Gem aftalen")
        expect(page.get_by_text("Aftalen er gemt")).to_be_visible()
        _tick_and_untick(page, room, "step 5 list", "Ring til sprogskolen")

        # A finished meeting can be reopened at step 5 with the follow-up form.
        _finish(page)
        room.shot("finished")
        reopen = page.get_by_role("button", name="Genåbn mødet")
        if reopen.count() == 0:
            room.problem(
                "Final by accident",
                "finished page",
                "no »Genåbn mødet« button: a meeting ended by mistake cannot be reopened",
            )
        else:
            reopen.first.click()
            _heading_visible(page, "^Trin 5:")
            expect(page.get_by_role("textbox", name="Hvad skal der følges op på?")).to_be_visible()
            wait_idle(page)
            room.shot("reopened")

        # On the team's page the open follow-up can be ticked and unticked again.
        page.locator('[data-testid="stSidebar"]').get_by_role(
            "button", name="Nyt møde / teamets historik"
        ).click()
        expect(page.get_by_role("heading", name=team, exact=True)).to_be_visible(timeout=20000)
        wait_idle(page)
        _tick_and_untick(page, room, "team page, open follow-ups", "Ring til sprogskolen")

        # »Slet mødet« in the sidebar asks before deleting.
        page.get_by_role("button", name="Åbn mødet").first.click()
        _heading_visible(page, "^(Trin 5:|Mødet er slut)")
        wait_idle(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.locator("summary", has_text="Slet mødet").click()
        sidebar.get_by_role("button", name=re.compile("^Slet mødet")).click()
        page.wait_for_timeout(500)
        wait_idle(page)
        room.shot("after one press on Slet mødet")
        if store.get_meeting(meeting_id) is None:
            room.problem(
                "Final by accident",
                "sidebar »Slet mødet«",
                "one press on »Slet mødet« deleted the meeting with its notes and follow-ups, "
                "without asking",
            )
        else:
            sidebar.get_by_role("button", name="Ja, slet mødet").click()
            expect(page.get_by_text("Mødet er slettet.")).to_be_visible(timeout=30000)
            if store.get_meeting(meeting_id) is not None:
                room.problem("Delete", "sidebar »Ja, slet mødet«", "the meeting was not deleted")

        # A double press on »Næste trin« at step 4 (a meeting with its timer running at step 4).
        seeded = _seed_at_step(store, "Team Dobbeltklik", 3)
        page.goto(f"{room_app.url}?{meeting_query(store, seeded)}")
        # This browser remembers the team made above: the link with another team asks first.
        page.get_by_role("button", name="Ja, åbn Team Dobbeltklik").click()
        _heading_visible(page, "^Trin 4:")
        wait_idle(page)
        page.get_by_role("button", name="Næste trin", exact=True).dblclick()
        page.wait_for_timeout(1000)
        wait_idle(page)
        room.shot("after a double press on Næste trin at step 4")
        after = store.get_meeting(seeded)
        if after is not None and after.timer.status == "finished":
            room.problem(
                "Final by accident",
                "step 4, double press on »Næste trin«",
                "a double press on »Næste trin« at step 4 ended the meeting (the second press "
                "became »Afslut mødet«)",
            )
    finally:
        store.dispose()
        context.close()
    room.verdict()


def _seed_at_step(store: Storage, team_name: str, index: int) -> str:
    """A meeting whose timer runs at step ``index`` (0-based), made through the storage."""
    team, _code = store.create_team(team_name)
    mid = store.create_meeting(team, date.today(), 1, ["Anne", "Bo"], [60, 180, 360, 180, 120])
    now = time.time()
    store.update_timer(team.id, mid, lambda s: tm.go_to(tm.start(s, now), index, now))
    return mid


def _click_label(page: Page, text: str) -> None:
    """Click a checkbox as a person does: on its visible label (its input is a hidden 13 px
    box that can sit half outside the window)."""
    label = page.locator('[data-testid="stCheckbox"]', has_text=text).first.locator("label")
    label.scroll_into_view_if_needed()
    label.click()


def _tick_and_untick(page: Page, room: Room, where: str, text: str) -> None:
    box = page.get_by_role("checkbox", name=re.compile(re.escape(text)))
    expect(box.first).to_be_visible()
    _click_label(page, text)
    page.wait_for_timeout(500)
    wait_idle(page)
    room.shot(f"{where}, ticked")
    if box.count() == 0:
        room.problem(
            "Final by accident",
            where,
            f"ticking »{text}« done removed it from the list: it cannot be unticked there",
        )
        return
    if not box.first.is_checked():
        room.problem("Final by accident", where, f"»{text}« is not ticked after a click")
        return
    _click_label(page, text)
    page.wait_for_timeout(500)
    wait_idle(page)
    if box.count() == 0 or box.first.is_checked():
        room.problem("Final by accident", where, f"»{text}« could not be unticked")


def test_a_meeting_deleted_on_another_screen_is_reported_once(
    browser: Browser, room_app: AppServer
) -> None:
    """Point 9: a second screen on a finished meeting showed »Mødet er slut« and »Mødet findes
    ikke længere« at once after the first screen deleted the meeting."""
    store = Storage(f"sqlite:///{room_app.data_dir / 'borgercases.sqlite3'}")
    context = _context(browser)
    try:
        mid = _seed_at_step(store, "Team To Skærme", 4)
        meeting = store.get_meeting(mid)
        assert meeting is not None
        store.update_timer(meeting.team.id, mid, lambda s: tm.finish(s, time.time()))
        page = context.new_page()
        page.goto(f"{room_app.url}?{meeting_query(store, mid)}")
        expect(page.get_by_role("heading", name="Mødet er slut")).to_be_visible(timeout=30000)
        wait_idle(page)
        store.delete_meeting(meeting.team.id, mid)  # the other screen deletes it
        expect(page.get_by_text("Mødet findes ikke.")).to_be_visible(timeout=15000)
        wait_idle(page)
        body = page.locator("body").inner_text()
        assert "Mødet er slut" not in body
        assert body.count("findes ikke") == 1, body
    finally:
        store.dispose()
        context.close()
