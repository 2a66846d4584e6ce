/* wawasan site script: dark-mode toggle, mobile navigation, sortable data tables,
   table-of-contents highlighting. Plain ES5, no modules, no network. */
(function () {
  "use strict";

  var STORAGE_KEY = "wawasan-theme";
  var root = document.documentElement;

  /* ---------- Dark mode ---------- */

  function storedTheme() {
    try {
      var t = window.localStorage.getItem(STORAGE_KEY);
      return t === "dark" || t === "light" ? t : null;
    } catch (e) {
      return null;
    }
  }

  function systemTheme() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches
      ? "dark"
      : "light";
  }

  function applyTheme(theme) {
    root.setAttribute("data-theme", theme);
    var buttons = document.querySelectorAll(".theme-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", theme === "dark" ? "true" : "false");
    }
  }

  function setupThemeToggle() {
    applyTheme(storedTheme() || systemTheme());
    var buttons = document.querySelectorAll(".theme-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var next = root.getAttribute("data-theme") === "dark" ? "light" : "dark";
        try {
          window.localStorage.setItem(STORAGE_KEY, next);
        } catch (e) {
          /* private mode: the choice lasts for this page only */
        }
        applyTheme(next);
      });
    }
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      var follow = function () {
        if (!storedTheme()) applyTheme(systemTheme());
      };
      if (query.addEventListener) query.addEventListener("change", follow);
      else if (query.addListener) query.addListener(follow);
    }
  }

  /* ---------- Mobile navigation ---------- */

  function setupNavToggle() {
    var buttons = document.querySelectorAll(".nav-toggle");
    for (var i = 0; i < buttons.length; i++) {
      (function (button) {
        var nav = document.getElementById(button.getAttribute("aria-controls"));
        if (!nav) return;
        button.addEventListener("click", function () {
          var open = button.getAttribute("aria-expanded") !== "true";
          button.setAttribute("aria-expanded", open ? "true" : "false");
          nav.classList.toggle("open", open);
        });
        document.addEventListener("keydown", function (event) {
          if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
            button.setAttribute("aria-expanded", "false");
            nav.classList.remove("open");
            button.focus();
          }
        });
      })(buttons[i]);
    }
  }

  /* ---------- Sortable tables ---------- */

  var collator = window.Intl && Intl.Collator
    ? new Intl.Collator(root.lang || undefined, { numeric: true, sensitivity: "base" })
    : null;

  /* Indonesian writes 1.234,5; English 1,234.5. */
  var decimalComma = /^id\b/i.test(root.lang || "");

  /* A plain machine number ("-12.5", "3e4"), as in data-value attributes. */
  function parseMachineNumber(text) {
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
    var n = parseFloat(text);
    return isFinite(n) ? n : null;
  }

  /* A number as displayed: "Rp 1.234.567", "12,5%", "-$3.50", "+5,2%". */
  function parseDisplayedNumber(text) {
    var m = text.replace(/[\s\u00a0]/g, "")
      .match(/^([-+\u2212]?)[^\d+\-\u2212.,]*([-+\u2212]?)(\d[\d.,]*)[^\d]*$/);
    if (!m) return null;
    var digits = decimalComma
      ? m[3].replace(/\./g, "").replace(",", ".")
      : m[3].replace(/,/g, "");
    var negative = /[-\u2212]/.test(m[1] + m[2]);
    var n = parseMachineNumber(digits);
    return n === null ? null : negative ? -n : n;
  }

  /* The sort key of a cell: its data-value when present, else its text. */
  function cellKey(row, column) {
    var cell = row.cells[column];
    if (!cell) return { text: "", number: null };
    var value = cell.getAttribute("data-value");
    if (value !== null) return { text: value, number: parseMachineNumber(value.trim()) };
    var text = (cell.textContent || "").trim();
    var number = parseMachineNumber(text);
    return { text: text, number: number !== null ? number : parseDisplayedNumber(text) };
  }

  function isNumericColumn(keys) {
    var seen = false;
    for (var i = 0; i < keys.length; i++) {
      if (keys[i].text === "") continue;
      if (keys[i].number === null) return false;
      seen = true;
    }
    return seen;
  }

  function compareKeys(a, b, numeric) {
    if (a.text === "" || b.text === "") return a.text === b.text ? 0 : a.text === "" ? 1 : -1;
    if (numeric) return a.number - b.number;
    if (collator) return collator.compare(a.text, b.text);
    return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
  }

  function sortTable(table, header, column) {
    var body = table.tBodies[0];
    if (!body) return;
    var rows = Array.prototype.slice.call(body.rows);
    var descending = header.getAttribute("aria-sort") === "ascending";
    var entries = rows.map(function (row, index) {
      return { row: row, key: cellKey(row, column), index: index };
    });
    var numeric = isNumericColumn(entries.map(function (e) { return e.key; }));
    entries.sort(function (x, y) {
      var empty = x.key.text === "" || y.key.text === "";
      var order = compareKeys(x.key, y.key, numeric);
      if (descending && !empty) order = -order;
      return order || x.index - y.index;
    });
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) headers[i].removeAttribute("aria-sort");
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
    for (var j = 0; j < entries.length; j++) body.appendChild(entries[j].row);
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tHead.rows.length) return;
    var headers = table.tHead.rows[0].cells;
    for (var i = 0; i < headers.length; i++) {
      (function (header, column) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "sort-button";
        while (header.firstChild) button.appendChild(header.firstChild);
        header.appendChild(button);
        button.addEventListener("click", function () {
          sortTable(table, header, column);
        });
      })(headers[i], i);
    }
  }

  function setupSortableTables() {
    var tables = document.querySelectorAll("table.data-table");
    for (var i = 0; i < tables.length; i++) makeSortable(tables[i]);
  }

  /* ---------- Table of contents ---------- */

  function setupToc() {
    var toc = document.querySelector(".toc");
    if (!toc) return;
    if (window.matchMedia && window.matchMedia("(max-width: 1180px)").matches) {
      toc.removeAttribute("open");
    }
    if (!("IntersectionObserver" in window)) return;
    var links = toc.querySelectorAll('a[href^="#"]');
    var byId = {};
    var targets = [];
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      var target = document.getElementById(id);
      if (target) {
        byId[id] = links[i];
        targets.push(target);
      }
    }
    var visible = {};
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          visible[entry.target.id] = entry.isIntersecting;
        });
        var current = null;
        for (var k = 0; k < targets.length; k++) {
          if (visible[targets[k].id]) {
            current = targets[k].id;
            break;
          }
        }
        if (!current) return;
        for (var key in byId) byId[key].classList.toggle("active", key === current);
      },
      { rootMargin: "-60px 0px -60% 0px" }
    );
    targets.forEach(function (t) {
      observer.observe(t);
    });
  }

  function start() {
    setupThemeToggle();
    setupNavToggle();
    setupSortableTables();
    setupToc();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
