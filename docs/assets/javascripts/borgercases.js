/* Borgercases: projector view, the case card's sides in the address, remembered tick boxes.
   No third-party code, no network requests. Works from file:// too. */
(function () {
  "use strict";

  var PROJECTOR_KEY = "borgercases.projector";

  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch (e) { /* storage may be blocked: the view still works */ }
  }

  function read(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  function isProjector() {
    return document.documentElement.classList.contains("projector");
  }

  function setProjector(on) {
    document.documentElement.classList.toggle("projector", on);
    store(PROJECTOR_KEY, on ? "on" : null);
    document.querySelectorAll(".projector-toggle").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.title = on
        ? "Afslut projektorvisning (tast P)"
        : "Projektorvisning: stor tekst uden menuer (tast P)";
    });
  }

  var ICON =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">' +
    '<path d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-7v2h3v2H8v-2h3v-2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2m0 2v9h16V6H4Z"/></svg>';

  function makeToggle(extraClass, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "projector-toggle " + extraClass;
    button.innerHTML = ICON + '<span class="projector-toggle__label">' + label + "</span>";
    button.addEventListener("click", function () { setProjector(!isProjector()); });
    return button;
  }

  function installToggles() {
    var header = document.querySelector(".md-header__inner");
    if (header && !header.querySelector(".projector-toggle")) {
      var inHeader = makeToggle("md-header__button projector-toggle--header", "Projektorvisning");
      var search = header.querySelector(".md-search");
      header.insertBefore(inHeader, search);
    }
    if (!document.querySelector(".projector-toggle--exit")) {
      document.body.appendChild(makeToggle("projector-toggle--exit", "Afslut projektorvisning"));
    }
    setProjector(isProjector());
  }

  /* Keys typed here are text, not shortcuts. Radio buttons, tick boxes, buttons and links
     take no letters: pressing P with focus on a tab label (its radio button), a link or a
     button still toggles the projector view. */
  function typingTarget(el) {
    if (!el) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    return !/^(radio|checkbox|button|submit|reset|image|range|color|file)$/i.test(el.type);
  }

  /* While search is open every letter belongs to the search field (Material hands it there). */
  function searchOpen() {
    var toggle = document.getElementById("__search");
    return !!(toggle && toggle.checked);
  }

  /* Capture phase on window, so it runs before Material's shortcuts (a bubbling listener on
     window): "p" toggles the projector view and never reaches Material's "previous page"
     shortcut (which stays on ","). */
  window.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    /* The element itself, also inside a shadow root (Zensical's search field is one; at
       window level event.target is only its host). */
    var target = event.composedPath ? event.composedPath()[0] : event.target;
    if (typingTarget(target) || searchOpen()) return;
    if (event.key === "p" || event.key === "P") {
      event.preventDefault();
      event.stopImmediatePropagation();
      if (!event.repeat) setProjector(!isProjector());
    } else if (event.key === "Escape" && isProjector()) {
      setProjector(false);
    }
  }, true);

  /* The two sides of the case card follow the address. A link, table-of-contents entry,
     search hit or address that points into a side (its heading #casen or
     #viden-og-inspiration, or anything inside it, e.g. #læs-mere) shows that side and
     scrolls there; turning the card by its tab puts the side's heading in the address, so
     the side can be shared and survives a reload. Links add a history entry (the browser's
     back button turns the card back); the tabs replace the address, as Material's own
     tab links do. */
  function theCard() {
    var heading = document.querySelector(".md-content h2.card-side");
    var set = heading && heading.closest(".tabbed-set");
    if (!set) return null;
    return {
      set: set,
      inputs: Array.prototype.slice.call(set.querySelectorAll(":scope > input")),
      blocks: Array.prototype.slice.call(
        set.querySelectorAll(":scope > .tabbed-content > .tabbed-block"))
    };
  }

  function idOf(hash) {
    var id = (hash || "").replace(/^#/, "");
    try { return decodeURIComponent(id); } catch (e) { return id; }
  }

  /* The side (0 front, 1 back) an id points into: a heading or anything else inside a side,
     or a side's own radio button (Material's tab links, #__tabbed_1_2); -1 if none. */
  function sideOf(card, id, contentOnly) {
    var el = id ? document.getElementById(id) : null;
    if (!el) return -1;
    if (!contentOnly && card.inputs.indexOf(el) !== -1) return card.inputs.indexOf(el);
    for (var i = 0; i < card.blocks.length; i++) {
      if (card.blocks[i].contains(el)) return i;
    }
    return -1;
  }

  var following = false; /* true while the card follows the address (no address update) */

  function showSide(card, side) {
    var input = card.inputs[side];
    if (!input || input.checked) return false;
    following = true;
    try { input.click(); } finally { following = false; }
    return true;
  }

  /* Show the side the address points into; no address means the front. */
  function followAddress(scroll) {
    var card = theCard();
    if (!card) return;
    var id = idOf(location.hash);
    var side = id ? sideOf(card, id, false) : 0;
    if (!showSide(card, side) || !scroll || !id) return;
    var target = document.getElementById(id);
    if (!target || card.inputs.indexOf(target) !== -1) target = card.set;
    target.scrollIntoView();
  }

  /* A click on a link into the other side: show that side first, so the browser's own jump
     to the link's target lands on visible content (and the link keeps its history entry). */
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("a[href*='#']");
    if (!link || link.href.split("#")[0] !== location.href.split("#")[0]) return;
    var card = theCard();
    if (card) showSide(card, sideOf(card, idOf(link.hash), false));
  });

  window.addEventListener("hashchange", function () { followAddress(true); });

  function installCard() {
    var card = theCard();
    if (!card || card.set.hasAttribute("data-bc-card")) return;
    card.set.setAttribute("data-bc-card", "");
    card.inputs.forEach(function (input, side) {
      input.addEventListener("change", function () {
        if (following || !input.checked) return;
        /* An address already inside this side stays (e.g. #læs-mere); anything else,
           Material's #__tabbed_1_2 included, becomes the side's heading. */
        if (sideOf(card, idOf(location.hash), true) === side) return;
        var heading = card.blocks[side] && card.blocks[side].querySelector("h2.card-side[id]");
        if (heading) history.replaceState(history.state, "", "#" + heading.id);
      });
    });
    followAddress(true);
  }

  /* Glossary terms (<abbr>, shown by Material's content.tooltips): focusable, so a tap or
     the keyboard opens the explanation too, and the explanation opens above the term when
     there is no room below it (Material always puts it below, off screen near the bottom). */
  var TOOLTIP_GAP = 8;

  function placeTooltip(node) {
    var inner = node.firstElementChild;
    var host = node.id && document.querySelector('[aria-describedby="' + node.id + '"]');
    if (!inner || !host) return;
    var term = host.getBoundingClientRect();
    var height = inner.offsetHeight;
    var below = window.innerHeight - term.bottom - TOOLTIP_GAP;
    var above = term.top - TOOLTIP_GAP;
    node.classList.toggle("bc-tooltip--above", height > below && above > below);
    var value = height + "px";
    if (node.style.getPropertyValue("--bc-tooltip-height") !== value) {
      node.style.setProperty("--bc-tooltip-height", value);
    }
  }

  function watchTooltip(node) {
    if (!(node instanceof HTMLElement) || !node.classList.contains("md-tooltip2")) return;
    placeTooltip(node);
    new MutationObserver(function () { placeTooltip(node); })
      .observe(node, { attributes: true, attributeFilter: ["class", "style"] });
  }

  function installGlossaryTerms() {
    document.querySelectorAll(".md-content abbr[title]").forEach(function (term) {
      if (!term.hasAttribute("tabindex")) term.tabIndex = 0;
    });
    if (document.body.hasAttribute("data-bc-tooltips")) return;
    document.body.setAttribute("data-bc-tooltips", "");
    new MutationObserver(function (records) {
      records.forEach(function (record) { record.addedNodes.forEach(watchTooltip); });
    }).observe(document.body, { childList: true });
  }

  /* Tick boxes on checklists are remembered on this device only. */
  function installChecklists() {
    var boxes = document.querySelectorAll(".md-content .task-list-control input[type=checkbox]");
    if (!boxes.length) return;
    var key = "borgercases.checks:" + location.pathname.split("/").slice(-2).join("/");
    var saved = [];
    try { saved = JSON.parse(read(key) || "[]"); } catch (e) { saved = []; }
    boxes.forEach(function (box, i) {
      box.disabled = false;
      box.checked = saved.indexOf(i) !== -1;
      var text = box.closest("li") ? box.closest("li").textContent.trim() : "";
      if (!box.getAttribute("aria-label") && text) box.setAttribute("aria-label", text.slice(0, 120));
      box.addEventListener("change", function () {
        var now = [];
        boxes.forEach(function (b, j) { if (b.checked) now.push(j); });
        store(key, now.length ? JSON.stringify(now) : null);
      });
    });
    var first = document.querySelector(".md-content .task-list");
    if (first && !document.querySelector(".checklist-reset")) {
      var reset = document.createElement("button");
      reset.type = "button";
      reset.className = "md-button checklist-reset";
      reset.textContent = "Fjern alle flueben på siden";
      reset.addEventListener("click", function () {
        boxes.forEach(function (b) { b.checked = false; });
        store(key, null);
      });
      first.parentNode.insertBefore(reset, first);
    }
  }

  function init() {
    installToggles();
    installCard();
    installGlossaryTerms();
    installChecklists();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
