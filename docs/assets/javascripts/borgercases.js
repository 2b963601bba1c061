/* Borgercases: projector view, turning the case card, remembered tick boxes.
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

  function typingTarget(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  /* Capture phase: "p" toggles the projector view instead of Material's
     "previous page" shortcut (which stays on ","). */
  window.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingTarget(event.target)) return;
    if (event.key === "p" || event.key === "P") {
      event.preventDefault();
      event.stopImmediatePropagation();
      setProjector(!isProjector());
    } else if (event.key === "Escape" && isProjector()) {
      setProjector(false);
    }
  }, true);

  /* Turning the card: the "Vend siden" link selects the back tab, and back. */
  function turnCard(side) {
    var set = document.querySelector(".md-content .tabbed-set");
    if (!set) return false;
    var inputs = set.querySelectorAll(":scope > input");
    var input = inputs[side === "back" ? 1 : 0];
    if (!input) return false;
    input.checked = true;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var label = set.querySelector(':scope > .tabbed-labels > label[for="' + input.id + '"]');
    set.scrollIntoView({ block: "start" });
    if (label) label.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.turn-card");
    if (!link) return;
    if (turnCard(link.getAttribute("data-turn"))) event.preventDefault();
  });

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
