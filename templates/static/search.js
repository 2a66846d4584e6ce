/* wawasan search: the search field in the header of every page.
   On first use it loads the site's index (assets/search-index.js, a script
   that assigns window.wawasanSearchIndex, so it works from file:// where
   fetch does not, and under any sub-path: its URL comes from the page; in
   a private portal it assigns a promise of the index, decrypted by
   unlock.js).
   Every word of the query must start a word of the page (its title, its
   report's title or its text), case and accents ignored; pages are listed
   with their report and a snippet, the matched words highlighted.
   Keyboard: "/" focuses the field, arrow keys move through the results,
   Enter opens one, Escape closes the list (a second Escape clears the
   field). Every value from the index is inserted as text, never as HTML. */
(function () {
  "use strict";

  var MAX_RESULTS = 12;
  var SNIPPET_WORDS = 26;
  var WORDS_BEFORE = 8;
  var WORD = wordPattern();

  function wordPattern() {
    try {
      return new RegExp("[\\p{L}\\p{N}]+", "gu");
    } catch (e) {
      /* Engines without Unicode property escapes: Latin letters and digits. */
      return /[0-9A-Za-z\u00c0-\u024f]+/g;
    }
  }

  /* Lower case, accents removed: "Pelanggán" -> "pelanggan". */
  function fold(text) {
    var plain = text.normalize ? text.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : text;
    return plain.toLowerCase();
  }

  /* The words of `text` with their place: [{start, end, key}]. */
  function words(text) {
    var out = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      out.push({ start: match.index, end: match.index + match[0].length, key: fold(match[0]) });
    }
    return out;
  }

  /* The distinct folded words of a query. */
  function queryTerms(query) {
    var terms = [];
    words(query).forEach(function (w) {
      if (terms.indexOf(w.key) < 0) terms.push(w.key);
    });
    return terms;
  }

  function startsWith(key, term) {
    return key.lastIndexOf(term, 0) === 0;
  }

  function matchesAny(key, terms) {
    for (var i = 0; i < terms.length; i++) {
      if (startsWith(key, terms[i])) return true;
    }
    return false;
  }

  /* A page's index entry made ready to search. */
  function prepare(page, order) {
    var text = typeof page.text === "string" ? page.text : "";
    var title = typeof page.title === "string" ? page.title : "";
    var report = typeof page.report === "string" ? page.report : "";
    return {
      order: order,
      url: typeof page.url === "string" ? page.url : "",
      title: title,
      report: report,
      text: text,
      titleWords: words(title),
      reportWords: words(report),
      textWords: words(text)
    };
  }

  /* How well a page matches every term (0: it does not). */
  function score(page, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      var hit = function (w) { return startsWith(w.key, term); };
      var exact = function (w) { return w.key === term; };
      var inTitle = page.titleWords.some(hit);
      var inReport = page.reportWords.some(hit);
      var count = 0;
      var whole = false;
      for (var j = 0; j < page.textWords.length && count < 10; j++) {
        if (hit(page.textWords[j])) {
          count++;
          whole = whole || exact(page.textWords[j]);
        }
      }
      if (!inTitle && !inReport && count === 0) return 0;
      total += (inTitle ? 20 : 0) + (inReport ? 6 : 0) + count + (whole ? 3 : 0);
      if (page.titleWords.some(exact)) total += 5;
    }
    return total;
  }

  function search(pages, terms) {
    var found = [];
    pages.forEach(function (page) {
      var s = terms.length ? score(page, terms) : 0;
      if (s > 0) found.push({ page: page, score: s });
    });
    found.sort(function (a, b) {
      return b.score - a.score || a.page.order - b.page.order;
    });
    return found.slice(0, MAX_RESULTS).map(function (f) { return f.page; });
  }

  /* Append `text` between `from` and `to` to `parent`, the words of `list`
     that match a term inside <mark>. */
  function appendMarked(parent, text, list, from, to, terms) {
    var at = from;
    for (var i = 0; i < list.length; i++) {
      var w = list[i];
      if (w.start < from || w.end > to || !matchesAny(w.key, terms)) continue;
      if (w.start > at) parent.appendChild(document.createTextNode(text.slice(at, w.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(w.start, w.end);
      parent.appendChild(mark);
      at = w.end;
    }
    if (to > at) parent.appendChild(document.createTextNode(text.slice(at, to)));
  }

  /* The snippet of a page's text around its first matched word. */
  function snippet(page, terms) {
    var list = page.textWords;
    var element = document.createElement("span");
    element.className = "site-search-snippet";
    if (!list.length) return element;
    var first = 0;
    for (var i = 0; i < list.length; i++) {
      if (matchesAny(list[i].key, terms)) {
        first = i;
        break;
      }
    }
    var start = Math.max(0, first - WORDS_BEFORE);
    var end = Math.min(list.length, start + SNIPPET_WORDS);
    /* From the text's start, or its end, when the window reaches them. */
    var from = start > 0 ? list[start].start : 0;
    var to = end < list.length ? list[end - 1].end : page.text.length;
    if (start > 0) element.appendChild(document.createTextNode("… "));
    appendMarked(element, page.text, list, from, to, terms);
    if (end < list.length) element.appendChild(document.createTextNode(" …"));
    return element;
  }

  /* A relative URL of the site, never a script or another site. */
  function safeUrl(root, url) {
    if (!url || /^[a-z][a-z0-9+.-]*:/i.test(url) || /^[\/\\]/.test(url)) return null;
    return root + url;
  }

  function setup(box) {
    var input = box.querySelector(".site-search-input");
    var panel = box.querySelector(".site-search-panel");
    var list = box.querySelector(".site-search-results");
    var status = box.querySelector(".site-search-status");
    if (!input || !panel || !list || !status) return;
    var root = box.getAttribute("data-root") || "";
    var text = function (name) { return box.getAttribute("data-" + name) || ""; };
    var pages = null;
    var loading = false;
    var failed = false;
    var active = -1;
    var shown = [];

    function setStatus(message) {
      status.textContent = message;
      status.hidden = !message;
    }

    function open() {
      panel.hidden = false;
      input.setAttribute("aria-expanded", shown.length ? "true" : "false");
    }

    function close() {
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      var options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (index >= 0 && options[index]) {
        options[index].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[index].id);
        if (options[index].scrollIntoView) options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function option(page, index, terms) {
      var item = document.createElement("li");
      item.id = "site-search-option-" + index;
      item.className = "site-search-result";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      var link = document.createElement("a");
      link.href = page.href;
      link.tabIndex = -1;
      var title = document.createElement("span");
      title.className = "site-search-title";
      appendMarked(title, page.title, page.titleWords, 0, page.title.length, terms);
      link.appendChild(title);
      if (page.report) {
        var report = document.createElement("span");
        report.className = "site-search-report";
        report.textContent = page.report;
        link.appendChild(report);
      }
      link.appendChild(snippet(page, terms));
      item.appendChild(link);
      item.addEventListener("mousemove", function () {
        if (active !== index) setActive(index);
      });
      return item;
    }

    function render() {
      var query = input.value;
      var terms = queryTerms(query);
      while (list.firstChild) list.removeChild(list.firstChild);
      active = -1;
      input.removeAttribute("aria-activedescendant");
      shown = [];
      if (!terms.length) {
        setStatus("");
        close();
        return;
      }
      if (!pages) {
        setStatus(failed ? text("unavailable") : text("loading"));
        open();
        return;
      }
      shown = search(pages, terms);
      shown.forEach(function (page, i) {
        list.appendChild(option(page, i, terms));
      });
      if (!shown.length) {
        setStatus(text("no-results").replace("{query}", query.trim()));
      } else if (shown.length === 1) {
        setStatus(text("count-one"));
      } else {
        setStatus(text("count").replace("{count}", String(shown.length)));
      }
      open();
    }

    function ready(index) {
      var entries = index && Array.isArray(index.pages) ? index.pages : [];
      pages = [];
      entries.forEach(function (entry, i) {
        if (!entry || typeof entry !== "object") return;
        var page = prepare(entry, i);
        page.href = safeUrl(root, page.url);
        if (page.href) pages.push(page);
      });
      render();
    }

    /* The index, or (a private portal's sealed index) a promise of it. */
    function settle(index) {
      if (!index || typeof index.then !== "function") {
        ready(index);
        return;
      }
      loading = true;
      index.then(
        function (value) {
          loading = false;
          ready(value);
        },
        function () {
          loading = false;
          failed = true;
          render();
        }
      );
    }

    function load() {
      if (pages || loading) return;
      if (window.wawasanSearchIndex) {
        settle(window.wawasanSearchIndex);
        return;
      }
      var src = box.getAttribute("data-index");
      if (!src) {
        failed = true;
        return;
      }
      loading = true;
      var script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = function () {
        loading = false;
        if (window.wawasanSearchIndex) {
          settle(window.wawasanSearchIndex);
        } else {
          failed = true;
          render();
        }
      };
      script.onerror = function () {
        loading = false;
        failed = true;
        render();
      };
      document.head.appendChild(script);
    }

    function go(index) {
      var page = shown[index];
      if (page) window.location.href = page.href;
    }

    input.addEventListener("focus", function () {
      load();
      if (input.value && list.children.length) open();
    });
    input.addEventListener("input", function () {
      load();
      render();
    });
    input.addEventListener("keydown", function (event) {
      var count = shown.length;
      switch (event.key) {
        case "ArrowDown":
        case "Down":
          event.preventDefault();
          if (panel.hidden) render();
          if (count) setActive(active < count - 1 ? active + 1 : 0);
          break;
        case "ArrowUp":
        case "Up":
          event.preventDefault();
          if (count) setActive(active > 0 ? active - 1 : count - 1);
          break;
        case "Enter":
          if (count) {
            event.preventDefault();
            go(active >= 0 ? active : 0);
          }
          break;
        case "Escape":
        case "Esc":
          event.preventDefault();
          if (!panel.hidden) {
            close();
          } else {
            input.value = "";
            render();
          }
          break;
      }
    });
    /* A press inside the list (a result, its scroll bar) keeps the focus
       in the field; a click still follows the link. */
    panel.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    box.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (!next || !box.contains(next)) close();
    });
    document.addEventListener("mousedown", function (event) {
      if (!box.contains(event.target)) close();
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
      var target = event.target;
      var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
      if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) {
        return;
      }
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  function start() {
    var boxes = document.querySelectorAll(".site-search");
    for (var i = 0; i < boxes.length; i++) setup(boxes[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
