/*
 * Borgercases page helper: the browser side of facilitator/ui/common.py `page_helper`
 * (a Streamlit components v2 component without any markup of its own).
 *
 * Component data (from Python):
 *   view    string | null  a change scrolls the page to the top (new step, projector mode …)
 *   projector  bool | null  projector mode: the address's p=1 follows it with
 *                         history.replaceState, so switching adds no history entry (Back goes
 *                         to the previous page) and a reload keeps the mode
 *   labels  {name: template}  the timer's Danish templates (facilitator/ui/timer_text.py);
 *                            this file only fills their {placeholders}
 *   device  null | {store: string | null, forget: bool, known: string | null, ask: bool}
 *           only on the instance that keeps the device token (see »Device token« below)
 *
 * The timer panel drawn by facilitator/ui/meeting.py, read here:
 *   .bc-timer[data-live]        a panel the browser counts down; its attributes:
 *     data-status               "running" counts; anything else is left as drawn
 *     data-rendered             the server's clock when it drew the panel (seconds); one
 *                               value per drawing, so the browser counts from the moment it
 *                               first saw that drawing
 *     data-step-remaining       seconds left of the current step then (negative: overrun)
 *     data-total-remaining      seconds left of the whole meeting then (negative: over)
 *     data-total                the meeting's planned seconds
 *     data-short                the current step's short name, e.g. "Ordstyrer"
 *     data-key                  "<meeting id>:<step index>": one end-of-step signal per key
 *     data-sound                "1" plays the end-of-step signal
 *   children filled in every 250 ms:
 *     .bc-timer__big            fmt(step left), or labels.big_over while the step overruns
 *     .bc-timer__label          labels.step_left / labels.step_over
 *     .bc-timer__total          labels.total_left / labels.total_over
 *     .bc-timer__note[data-later]  the later steps' time, redrawn while the step overruns;
 *                               data-later is JSON [[short name, planned seconds], …] for the
 *                               steps after the current one, in order. Their time is
 *                               max(0, total left) - max(0, step left), shared in proportion
 *                               to the planned seconds in whole seconds (the last one gets
 *                               the remainder), shown as labels.later with labels.later_step
 *                               items joined by labels.later_separator; {why} is
 *                               labels.why_saved when they get more than planned in all,
 *                               else labels.why_shortened.
 *
 * Device token: localStorage["borgercases.device"] keeps the team open on this device
 * through a reload, a closed lid or a browser restart. device.store saves a token (once per
 * distinct value), device.forget removes it. Once per page load, if the stored token differs
 * from device.known (what Python already has), it is reported with
 * setStateValue("device", token): exactly one rerun, never a loop. With device.ask (a team
 * link in the address) a browser that keeps no token reports "" once, so the server knows it
 * remembers no team before it lets the link's team replace one.
 */

const DEVICE_KEY = "borgercases.device";

// m:ss, exactly as facilitator.timer.fmt: whole seconds towards zero for positive values,
// away from zero for negative ones (tests/test_timer_text_browser.py compares the two).
export function fmt(s) {
  const whole = s >= 0 ? Math.floor(s) : Math.ceil(-s);
  const sign = s < 0 ? "-" : "";
  return sign + Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
}

// Fill {name} placeholders as facilitator.ui.timer_text.fill does.
export function fill(template, values) {
  return String(template).replace(/\{(\w+)\}/g, (all, name) =>
    Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all,
  );
}

// Split whole seconds over weights: facilitator.timer.share_later's rule (the floor of the
// running sum, so the parts add up exactly and none is negative).
export function shares(seconds, weights) {
  const total = Math.max(0, Math.floor(seconds));
  const weight = weights.reduce((a, b) => a + b, 0);
  let cumulative = 0;
  let given = 0;
  return weights.map((w) => {
    cumulative += w;
    const upto = weight ? Math.floor((total * cumulative) / weight) : 0;
    const part = upto - given;
    given = upto;
    return part;
  });
}

// The seconds the later steps share: the shown meeting time minus the shown step time
// (facilitator.timer.later_seconds), so the numbers on screen always add up.
export function laterSeconds(step, total) {
  return Math.max(0, Math.floor(Math.max(0, total)) - Math.floor(Math.max(0, step)));
}

export function laterLine(labels, later, seconds) {
  const parts = shares(
    seconds,
    later.map((item) => Number(item[1])),
  );
  const planned = later.reduce((sum, item) => sum + Number(item[1]), 0);
  const given = parts.reduce((a, b) => a + b, 0);
  const steps = later
    .map((item, n) => fill(labels.later_step, { short: item[0], time: fmt(parts[n]) }))
    .join(labels.later_separator);
  let why = labels.why_plan;
  if (given > planned) why = labels.why_saved;
  else if (given < planned) why = labels.why_shortened;
  return fill(labels.later, { why, steps });
}

/* ---- Danish for Streamlit's own English texts ------------------------------------------ */

const MONTHS = [
  "January", "February", "March", "April", "May", "June",
  "July", "August", "September", "October", "November", "December",
];
const MAANEDER = [
  "januar", "februar", "marts", "april", "maj", "juni",
  "juli", "august", "september", "oktober", "november", "december",
];
const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const DAGE = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"];
const MONTH_RE = MONTHS.join("|");
const DAY_RE = DAYS.join("|");

const month = (name) => MAANEDER[MONTHS.indexOf(name)];
const day = (name) => DAGE[DAYS.indexOf(name)];

// "Friday, December 4, 2026" → "fredag den 4. december 2026"; "December 2026" → "december 2026".
export function danishDates(text) {
  return text
    .replace(
      new RegExp(`\\b(${DAY_RE}),? (${MONTH_RE}) (\\d{1,2}),? (\\d{4})\\b`, "g"),
      (all, d, m, n, y) => `${day(d)} den ${Number(n)}. ${month(m)} ${y}`,
    )
    .replace(
      new RegExp(`\\b(${MONTH_RE}) (\\d{1,2}),? (\\d{4})\\b`, "g"),
      (all, m, n, y) => `${Number(n)}. ${month(m)} ${y}`,
    )
    .replace(new RegExp(`\\b(${MONTH_RE}) (\\d{4})\\b`, "g"), (all, m, y) => `${month(m)} ${y}`)
    .replace(new RegExp(`\\b(${DAY_RE})\\b`, "g"), (all, d) => day(d))
    .replace(new RegExp(`\\b(${MONTH_RE})\\b`, "g"), (all, m) => month(m));
}

// Whole texts (visible text, aria-label, title, placeholder, alt …) Streamlit writes in English.
const EXACT = new Map([
  ["Skip to main content", "Gå til hovedindholdet"],
  ["Press Enter to submit form", "Tryk Enter for at sende"],
  ["Press Enter to apply", "Tryk Enter for at gemme"],
  ["Press ⌘+Enter to submit form", "Tryk ⌘+Enter for at sende"],
  ["Press Ctrl+Enter to submit form", "Tryk Ctrl+Enter for at sende"],
  ["Press ⌘+Enter to apply", "Gemmes af sig selv"],
  ["Press Ctrl+Enter to apply", "Gemmes af sig selv"],
  ["Connection error", "Forbindelsen er afbrudt"],
  ["Connection closed", "Forbindelsen er lukket"],
  ["Connection timed out", "Forbindelsen svarer ikke"],
  ["Network error", "Netværksfejl"],
  [
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:",
    "Serveren svarer ikke lige nu. Siden forbinder igen af sig selv, så snart serveren kører igen. Det, der allerede er gemt, er ikke gået tabt.",
  ],
  [
    "Streamlit server is not responding. Are you connected to the internet?",
    "Serveren svarer ikke. Tjek, at der er forbindelse til netværket – siden forbinder igen af sig selv.",
  ],
  [
    "Connection lost. Please wait for the app to reconnect, then try again.",
    "Forbindelsen er afbrudt. Vent, til siden har forbindelse igen, og prøv så igen.",
  ],
  ["Connecting", "Forbinder"],
  ["Connecting to Streamlit server", "Forbinder til serveren"],
  ["Connecting to static app", "Forbinder"],
  ["Unable to connect to Streamlit server", "Kan ikke forbinde til serveren"],
  ["Error", "Fejl"],
  ["Please wait...", "Vent venligst …"],
  ["Running...", "Arbejder …"],
  ["Stop", "Afbryd"],
  ["Stopping...", "Afbryder …"],
  ["File change.", "Filen er ændret."],
  ["Rerun", "Kør igen"],
  ["Always rerun", "Kør altid igen"],
  ["Close", "Luk"],
  ["Open", "Åbn"],
  ["Sidebar", "Sidepanel"],
  ["Collapse sidebar", "Skjul sidepanelet"],
  ["Expand sidebar", "Vis sidepanelet"],
  ["Open sidebar", "Vis sidepanelet"],
  ["Close sidebar", "Skjul sidepanelet"],
  ["Main menu", "Hovedmenu"],
  ["Link to heading", "Link til overskriften"],
  ["Show password", "Vis koden"],
  ["Hide password", "Skjul koden"],
  ["Choose an option", "Vælg"],
  ["Choose options", "Vælg"],
  ["No options to select", "Ingen valgmuligheder"],
  ["No results", "Ingen resultater"],
  ["No options", "Ingen valgmuligheder"],
  ["Selectbox options", "Valgmuligheder"],
  ["Show suggestions", "Vis forslag"],
  ["Suggestions", "Forslag"],
  ["Clear value", "Ryd"],
  ["Clear all", "Ryd alle"],
  ["Clear selection", "Ryd valget"],
  ["Decrement", "Mindre"],
  ["Increment", "Mere"],
  ["Choose date", "Vælg dato"],
  ["Choose date range", "Vælg periode"],
  ["Choose a date", "Vælg en dato"],
  ["Clear date", "Ryd datoen"],
  ["Clear dates", "Ryd datoerne"],
  ["Previous month", "Forrige måned"],
  ["Next month", "Næste måned"],
  ["Calendar", "Kalender"],
  [
    "Use arrow keys to navigate dates. Enter to select. Escape to close.",
    "Brug piletasterne til at flytte mellem datoerne. Enter vælger, Escape lukker.",
  ],
  ["Copy to clipboard", "Kopiér"],
  ["Copied to clipboard", "Kopieret"],
  ["Fullscreen", "Fuld skærm"],
  ["View fullscreen", "Vis i fuld skærm"],
  ["Enter fullscreen", "Vis i fuld skærm"],
  ["Exit fullscreen", "Afslut fuld skærm"],
  ["Close fullscreen", "Afslut fuld skærm"],
  ["Toggle fullscreen", "Fuld skærm til eller fra"],
  ["Download", "Hent"],
  // Under a download button whose file could not be made (facilitator/ui/media_grace.py).
  ["Failed to generate file for download", "Filen kunne ikke laves. Prøv igen om lidt."],
  ["Failed to process backend operation", "Filen kunne ikke laves. Prøv igen om lidt."],
  ["Download failed", "Filen kunne ikke hentes. Prøv igen."],
  ["Request timed out", "Serveren svarede ikke i tide. Prøv igen."],
  ["Download as CSV", "Hent som CSV"],
  ["Search", "Søg"],
  ["Loading...", "Indlæser …"],
  ["Show more", "Vis mere"],
  ["Show less", "Vis mindre"],
  ["View less", "Vis mindre"],
  ["Dismiss", "Luk"],
]);

const FIELD = {
  day: "dag", month: "måned", year: "år", hour: "time", minute: "minut", second: "sekund",
  dayPeriod: "AM/PM", "AM/PM": "AM/PM", era: "æra", weekday: "ugedag",
  "day of the week": "ugedag", "time zone": "tidszone",
};

// Texts with a variable part.
const RULES = [
  [/^Help for (.+)$/s, (m) => "Hjælp til " + m[1]],
  // Element toolbar buttons name what they act on: "Fullscreen: QR-kode til …".
  [/^([A-Z][A-Za-z ]+): (.+)$/s, (m) => (EXACT.has(m[1]) ? EXACT.get(m[1]) + ": " + m[2] : null)],
  [/^Download (.+)$/s, (m) => "Hent " + m[1]],
  // Screen-reader announcements of the select boxes (react-aria, always en-US in Streamlit).
  [/^1 option available\.?$/, () => "1 mulighed."],
  [/^(\d+) options available\.?$/, (m) => m[1] + " muligheder."],
  [/^(.+), selected\.?$/s, (m) => m[1] + ", valgt"],
  [/^Entered group (.+), with (\d+) options?\. (.+)$/s, (m) => `Gruppen ${m[1]} med ${m[2]}. ${m[3]}`],
  // The date field's hidden description (outside the widget's own element).
  [/^Selected Date: (.+)$/s, (m) => "Valgt dato: " + danishDates(m[1])],
  [
    /^Selected Range: (.+) to (.+)$/s,
    (m) => `Valgt periode: ${danishDates(m[1])} til ${danishDates(m[2])}`,
  ],
  [/^You can only select up to (\d+) options?/, (m) => `Du kan højst vælge ${m[1]}`],
];

// Only inside date inputs and their calendar, where a lone »May« is a month, not a person.
const DATE_EXACT = new Map([
  ["day", "dag"],
  ["month", "måned"],
  ["year", "år"],
  ["Previous", "Forrige"],
  ["Next", "Næste"],
  ["Empty", "Tom"],
]);
const DATE_RULES = [
  [
    /^(day|month|year|hour|minute|second|AM\/PM|era|weekday|day of the week|time zone), (.+)$/s,
    (m) => FIELD[m[1]] + ", " + m[2],
  ],
  [/^Choose date, (.+)$/s, (m) => "Vælg dato, " + danishDates(m[1])],
  [/^Choose date range, (.+)$/s, (m) => "Vælg periode, " + danishDates(m[1])],
  [/^Today, (.+?)(, selected)?$/s, (m) => "I dag, " + danishDates(m[1]) + (m[2] ? ", valgt" : "")],
  [/^(.+?),? selected$/s, (m) => danishDates(m[1]) + " valgt"],
  [/^Selected (.+)$/s, (m) => "Valgt: " + danishDates(m[1])],
  [new RegExp(`^(\\d{1,2}) – (${MONTH_RE})$`), (m) => m[1] + " – " + month(m[2])],
  [new RegExp(`\\b(?:${MONTH_RE}|${DAY_RE})\\b`), (m) => danishDates(m.input)],
];
const DATE_WIDGETS =
  '[data-testid="stDateInput"], [data-testid="stDateInputCalendar"], [data-testid="stDateTimeInput"]';

function lookup(exact, rules, trimmed) {
  const found = exact.get(trimmed);
  if (found !== undefined) return found;
  for (const [re, make] of rules) {
    const m = trimmed.match(re);
    const out = m ? make(m) : null;
    if (out !== null) return out;
  }
  return null;
}

// The Danish for one of Streamlit's texts, or null when there is nothing to change.
export function danish(text, inDateWidget = false) {
  if (!text) return null;
  const trimmed = text.trim();
  if (!trimmed || !/[A-Za-z]/.test(trimmed)) return null;
  let out = lookup(EXACT, RULES, trimmed);
  if (out === null && inDateWidget) out = lookup(DATE_EXACT, DATE_RULES, trimmed);
  return out === null || out === trimmed ? null : text.replace(trimmed, out);
}

const ATTRIBUTES = ["aria-label", "title", "placeholder", "alt", "aria-valuetext", "aria-roledescription"];
// Our own content (the countdown, the case text) is never touched, nor what people type.
const OWN = ".bc-timer, .bc-case, .bc-keep";
const TYPED = "textarea, [contenteditable], " + OWN;

function translateElement(el) {
  if (el.closest(OWN)) return;
  const inDate = el.closest(DATE_WIDGETS) !== null;
  for (const name of ATTRIBUTES) {
    const value = el.getAttribute(name);
    if (value) {
      const da = danish(value, inDate);
      if (da !== null) el.setAttribute(name, da);
    }
  }
}

// The empty date field's year placeholder (an editable segment, so not caught below).
const DATE_PLACEHOLDER = '[data-placeholder="true"][data-type="year"]';

function translateText(node) {
  const parent = node.parentElement;
  if (parent && parent.matches(DATE_PLACEHOLDER) && node.data === "yyyy") {
    node.data = "åååå";
    return;
  }
  if (!parent || parent.closest(TYPED) || parent.closest("script, style")) return;
  const da = danish(node.data, parent.closest(DATE_WIDGETS) !== null);
  if (da !== null) node.data = da;
  // Streamlit's »restart it in your terminal« command means nothing in a meeting room.
  if (node.data.trim() === "streamlit run yourscript.py") {
    const block = parent.closest("pre") || parent;
    block.hidden = true;
  }
}

export function translateTree(root) {
  if (root.nodeType === Node.TEXT_NODE) {
    translateText(root);
    return;
  }
  if (root.nodeType !== Node.ELEMENT_NODE && root.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return;
  if (root.nodeType === Node.ELEMENT_NODE) translateElement(root);
  const selector = ATTRIBUTES.map((a) => `[${a}]`).join(",");
  root.querySelectorAll(selector).forEach(translateElement);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) translateText(n);
}

function startDanish(w) {
  // Streamlit and its date picker ask the browser for its language: Danish, whatever the
  // projector PC is set to (month and weekday names, date order).
  try {
    Object.defineProperty(w.navigator, "language", { get: () => "da-DK", configurable: true });
    Object.defineProperty(w.navigator, "languages", {
      get: () => ["da-DK", "da"],
      configurable: true,
    });
  } catch {
    /* read-only in this browser: the texts below are still translated */
  }
  document.title = danish(document.title) || document.title;
  translateTree(document.body);
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(translateTree);
      else if (r.type === "characterData") translateText(r.target);
      else if (r.type === "attributes" && r.target.nodeType === Node.ELEMENT_NODE) {
        translateElement(r.target);
      }
    }
  }).observe(document.body, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
}

/* ---- Notes autosave --------------------------------------------------------------------- */

function startAutosave() {
  // Notes are committed while typing (after a short pause), not only when the field
  // loses focus, so a reload or a closed lid never costs what was typed.
  const timers = new WeakMap();
  document.addEventListener(
    "input",
    (event) => {
      const el = event.target;
      if (!(el instanceof HTMLTextAreaElement) || !el.closest('[data-testid="stTextArea"]')) return;
      if (el.closest('[data-testid="stForm"]')) return;
      clearTimeout(timers.get(el));
      timers.set(
        el,
        setTimeout(() => {
          el.dispatchEvent(
            new KeyboardEvent("keydown", {
              key: "Enter",
              code: "Enter",
              keyCode: 13,
              which: 13,
              ctrlKey: true,
              bubbles: true,
            }),
          );
        }, 700),
      );
    },
    true,
  );
}

/* ---- The connection --------------------------------------------------------------------- */

// Said out loud when the server cannot be reached (the network is gone, or the app restarts):
// what is typed stays in the fields and is saved when the connection is back.
export const OFFLINE_TEXT =
  "Ingen forbindelse – det, du skriver, gemmes, når forbindelsen er tilbage";
function showOffline(offline) {
  let box = document.getElementById("bc-offline");
  if (!offline) {
    if (box) box.remove();
    return;
  }
  if (box) return;
  box = document.createElement("div");
  box.id = "bc-offline";
  box.className = "bc-offline";
  box.setAttribute("role", "status");
  box.textContent = OFFLINE_TEXT;
  document.body.appendChild(box);
}

function startConnectionWatch(w) {
  // The network gone from this computer: the browser says so at once, while Streamlit's
  // connection may look open for minutes. (A server that stops is said by Streamlit's own
  // dialog »Forbindelsen er afbrudt«.)
  const check = () => showOffline(!w.navigator.onLine);
  w.addEventListener("offline", check);
  w.addEventListener("online", check);
  check();
}

/* ---- Moving between steps with the keyboard --------------------------------------------- */

// »N« goes to the next step, »F« back to the previous one (outside text fields), as the
// text under the buttons says; a press in the first moment after the last one does not count,
// so a key held or pressed twice never skips a step.
export const STEP_KEYS = { n: "t_next", f: "t_back" };
export const STEP_PAUSE_MS = 1200;

function typingIn(el) {
  return (
    el instanceof HTMLElement &&
    (el.isContentEditable || el.closest("input, textarea, select, [role='combobox'], [role='listbox']") !== null)
  );
}

function stepButton(key) {
  return document.querySelector(`.st-key-${key} button:not([disabled])`);
}

function startStepKeys(w) {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.repeat) return;
    const key = STEP_KEYS[event.key.toLowerCase()];
    if (!key || typingIn(event.target)) return;
    const button = stepButton(key);
    if (!button) return;
    event.preventDefault();
    if (Date.now() - (w.__bcStepChangedAt || 0) < STEP_PAUSE_MS) return;
    w.__bcStepChangedAt = Date.now();
    button.click();
  });
  // The buttons announce their key to screen readers too.
  const mark = () => {
    for (const [letter, key] of Object.entries(STEP_KEYS)) {
      const button = document.querySelector(`.st-key-${key} button`);
      if (button && !button.hasAttribute("aria-keyshortcuts")) {
        button.setAttribute("aria-keyshortcuts", letter.toUpperCase());
      }
    }
  };
  mark();
  new MutationObserver(mark).observe(document.body, { childList: true, subtree: true });
}

// After a step change the keyboard focus leaves the step button for the new step's heading:
// a second Enter does not skip another step, and a screen reader reads where the meeting is.
// Only when the focus was on a button (this screen moved on), never out of a note field.
function focusNewStep() {
  const active = document.activeElement;
  if (active && active !== document.body && !active.closest("button")) return;
  const heading = document.querySelector('[data-testid="stMain"] h2');
  if (!heading) return;
  heading.setAttribute("tabindex", "-1");
  heading.focus({ preventScroll: true });
}

/* ---- Scrolling -------------------------------------------------------------------------- */

const SCROLLERS = [
  '[data-testid="stMain"]',
  '[data-testid="stAppViewContainer"]',
  '[data-testid="stAppScrollToBottomContainer"]',
  "section.main",
  ".main",
];

export function scrollToTop() {
  window.scrollTo({ top: 0, left: 0 });
  if (document.scrollingElement) document.scrollingElement.scrollTop = 0;
  for (const selector of SCROLLERS) {
    document.querySelectorAll(selector).forEach((el) => {
      el.scrollTop = 0;
    });
  }
}

/* ---- The countdown ---------------------------------------------------------------------- */

function beep(w) {
  try {
    const ctx = new (w.AudioContext || w.webkitAudioContext)();
    [0, 0.35].forEach((offset) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.25;
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(ctx.currentTime + offset);
      osc.stop(ctx.currentTime + offset + 0.25);
    });
  } catch {
    /* no sound available */
  }
}

function parseLater(note) {
  try {
    const later = JSON.parse(note.dataset.later);
    return Array.isArray(later) ? later : [];
  } catch {
    return [];
  }
}

function startTimer(w) {
  // Two short tones: the end-of-step signal (where the browser allows sound).
  w.__bcBeep = () => beep(w);
  // The countdown, computed from what the server stored (seconds left when it drew the
  // panel) and the browser's own clock since then: no server work per second, no drift.
  const seen = new Map();
  w.__bcBeeped = w.__bcBeeped || new Set();
  const beeped = w.__bcBeeped;
  w.__bcLastOver = w.__bcLastOver || new Map();
  const lastOver = w.__bcLastOver;
  const tick = () => {
    const labels = w.__bcLabels;
    if (!labels) return;
    const now = Date.now() / 1000;
    document.querySelectorAll(".bc-timer[data-live]").forEach((el) => {
      const d = el.dataset;
      if (d.status !== "running") return;
      if (!seen.has(d.rendered)) seen.set(d.rendered, now);
      const dt = now - seen.get(d.rendered);
      const drawn = parseFloat(d.stepRemaining);
      const step = drawn - dt;
      const total = parseFloat(d.totalRemaining) - dt;
      const over = step <= 0;
      const big = el.querySelector(".bc-timer__big");
      const label = el.querySelector(".bc-timer__label");
      const sum = el.querySelector(".bc-timer__total");
      const note = el.querySelector(".bc-timer__note[data-later]");
      el.classList.toggle("bc-overrun", over);
      if (big) big.textContent = over ? fill(labels.big_over, { time: fmt(-step) }) : fmt(step);
      if (label) label.textContent = fill(over ? labels.step_over : labels.step_left, { short: d.short });
      if (sum) {
        sum.textContent =
          total >= 0
            ? fill(labels.total_left, { total: fmt(total), budget: fmt(parseFloat(d.total)) })
            : fill(labels.total_over, { over: fmt(-total) });
      }
      if (note && over) {
        const later = parseLater(note);
        if (later.length) {
          note.textContent = laterLine(labels, later, laterSeconds(step, total));
        }
      }
      // Remembered per step, not per drawn panel: a server redraw that lands just after
      // zero must not swallow the signal.
      const wasOver = lastOver.has(d.key) ? lastOver.get(d.key) : drawn <= 0;
      // One signal per step and page, however often the panel is redrawn.
      if (over && !wasOver && d.sound === "1" && !beeped.has(d.key)) {
        beeped.add(d.key);
        w.__bcBeep();
      }
      lastOver.set(d.key, over);
    });
    if (seen.size > 50) seen.clear();
  };
  if (w.__bcTick) clearInterval(w.__bcTick);
  w.__bcTick = setInterval(tick, 250);
}

/* ---- Device token ----------------------------------------------------------------------- */

function readToken() {
  try {
    return window.localStorage.getItem(DEVICE_KEY);
  } catch {
    return null; // storage switched off: the team is simply not remembered
  }
}

function device(w, spec, setStateValue) {
  let stored = readToken();
  try {
    if (spec.forget) {
      if (stored !== null) window.localStorage.removeItem(DEVICE_KEY);
      stored = null;
      w.__bcDeviceSaved = undefined;
    } else if (spec.store && w.__bcDeviceSaved !== spec.store) {
      window.localStorage.setItem(DEVICE_KEY, spec.store);
      w.__bcDeviceSaved = spec.store;
      stored = spec.store;
    }
  } catch {
    /* storage full or switched off */
  }
  // Once per page load: a fresh session on the server knows no token yet.
  if (w.__bcDeviceChecked) return;
  w.__bcDeviceChecked = true;
  if (!spec.forget && !spec.store && stored && stored !== spec.known) {
    setStateValue("device", stored);
  } else if (spec.ask && !spec.store && !stored) {
    setStateValue("device", "");
  }
}

/* ---- Projector mode in the address --------------------------------------------------------- */

function mirrorProjector(on) {
  const url = new URL(window.location.href);
  if ((url.searchParams.get("p") === "1") === on) return;
  if (on) url.searchParams.set("p", "1");
  else url.searchParams.delete("p");
  window.history.replaceState(window.history.state, "", url.toString());
}

/* ---- Entry point: called on every script run that mounts or changes the component ------- */

export default function (component) {
  const { data, setStateValue } = component;
  const w = window;
  document.documentElement.lang = "da";
  if (data && data.labels) w.__bcLabels = data.labels;
  if (!w.__bcDanish) {
    w.__bcDanish = true;
    startDanish(w);
  }
  if (!w.__bcAutosave) {
    w.__bcAutosave = true;
    startAutosave();
    startConnectionWatch(w);
    startStepKeys(w);
  }
  if (data && data.view) {
    // A new step, a new meeting or another screen mode starts at the top of the page.
    if (w.__bcView !== data.view) {
      const first = w.__bcView === undefined;
      scrollToTop();
      // Streamlit may still be laying out the new page: once more when it has settled.
      requestAnimationFrame(() =>
        setTimeout(() => {
          scrollToTop();
          if (!first) focusNewStep();
        }, 50),
      );
    }
    w.__bcView = data.view;
  }
  if (data && typeof data.projector === "boolean") mirrorProjector(data.projector);
  if (data && data.device) device(w, data.device, setStateValue);
  if (!w.__bcTimer) {
    w.__bcTimer = true;
    startTimer(w);
  }
}
