// Shortcuts in the reply editor: typing # (at the start or after a space) and letters opens the
// shortcut menu narrowed by what follows the #; "Insert Shortcut" in the toolbar opens the same
// menu with a search box. Arrow keys move, Enter or Tab (or a click) applies, Esc closes.
//
// Applying posts to the server, which performs the shortcut's actions (tags, queue, status...)
// and answers with its message rendered for this conversation: that HTML (already sanitised)
// replaces the #text, the shortcut's files join the draft, and the panes refresh.
//
// No inline scripts (the CSP forbids them) and no eval. The reply editor works without this file.
(function () {
  "use strict";

  var TRIGGER = /(?:^|\s)#([^\s#]{0,40})$/;
  var state = null; // the open menu

  function formOf(area) {
    var form = area.closest("form");
    return form && form.dataset.shortcutsUrl ? form : null;
  }

  // --- the toolbar button ------------------------------------------------------------------
  function addButton(area) {
    if (!formOf(area)) return;
    var toolbar = area.previousElementSibling;
    if (!toolbar || !toolbar.classList.contains("rich-toolbar")) return;
    if (toolbar.querySelector("[data-shortcut-button]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "# Insert Shortcut";
    button.title = "Insert Shortcut (or type # in the message)";
    button.setAttribute("aria-label", "Insert Shortcut");
    button.setAttribute("data-shortcut-button", "");
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });
    button.addEventListener("click", function () { openWithSearch(area); });
    toolbar.appendChild(button);
  }

  function init(root) {
    var areas = root.querySelectorAll ? root.querySelectorAll(".rich-area") : [];
    Array.prototype.forEach.call(areas, addButton);
    Array.prototype.forEach.call(areas, fillDefault);
  }

  // --- Shortcut defaults: a new reply starts with the Reply Template, a new note with the
  // Note Template (Settings > Workspace > Shortcuts > Defaults). Only an empty editor is
  // filled, and switching between a reply and a note swaps them while it is untouched.
  var defaultsCache = {};

  function kindOf(form) {
    if (form.dataset.defaultKind) return form.dataset.defaultKind;
    var checked = form.querySelector("input[name=channel]:checked");
    return checked && checked.value === "note" ? "note" : "reply";
  }

  function fillDefault(area) {
    var form = area.closest("form");
    var url = form && form.dataset.shortcutDefaultsUrl;
    if (!url) return;
    var empty = !area.textContent.trim() && !area.querySelector("img");
    var untouched = area.dataset.defaultFilled !== undefined && area.innerHTML === area.dataset.defaultFilled;
    if (!empty && !untouched) return;
    var load = defaultsCache[url] || (defaultsCache[url] = fetch(url, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (response) { return response.ok ? response.json() : {}; }).catch(function () { return {}; }));
    load.then(function (defaults) {
      var html = defaults[kindOf(form)] || "";
      var stillEmpty = !area.textContent.trim();
      var stillUntouched = area.dataset.defaultFilled !== undefined && area.innerHTML === area.dataset.defaultFilled;
      if (!stillEmpty && !stillUntouched) return;
      var template = document.createElement("template");
      template.innerHTML = html; // rendered and sanitised by the server
      area.textContent = "";
      area.appendChild(template.content);
      area.dataset.defaultFilled = area.innerHTML;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name !== "channel" || !event.target.form) return;
    var area = event.target.form.querySelector(".rich-area");
    if (area) fillDefault(area);
  });

  // --- where the caret is ------------------------------------------------------------------
  function caretContext(area) {
    var selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return null;
    var node = selection.anchorNode;
    var offset = selection.anchorOffset;
    if (!node || node.nodeType !== Node.TEXT_NODE || !area.contains(node)) return null;
    var match = TRIGGER.exec(node.data.slice(0, offset));
    if (!match) return null;
    return { node: node, start: offset - match[1].length - 1, end: offset, query: match[1] };
  }

  function savedRange(area) {
    var selection = window.getSelection();
    if (selection.rangeCount && area.contains(selection.anchorNode)) return selection.getRangeAt(0).cloneRange();
    var end = document.createRange();
    end.selectNodeContents(area);
    end.collapse(false);
    return end;
  }

  // --- the menu ----------------------------------------------------------------------------
  function ensureMenu(area, withSearch) {
    if (state && state.area === area && state.withSearch === withSearch) return state;
    close();
    var box = document.createElement("div");
    box.className = "shortcut-popover";
    box.id = "shortcut-popover";
    var search = null;
    if (withSearch) {
      search = document.createElement("input");
      search.type = "search";
      search.className = "shortcut-search";
      search.placeholder = "Search shortcuts by name or message";
      search.setAttribute("aria-label", "Search shortcuts");
      search.setAttribute("aria-controls", "shortcut-menu-list");
      box.appendChild(search);
    }
    var list = document.createElement("div");
    list.className = "shortcut-menu-list";
    list.id = "shortcut-menu-list";
    box.appendChild(list);
    document.body.appendChild(box);
    state = { area: area, box: box, list: list, search: search, withSearch: withSearch, index: 0, seq: 0, query: null };
    if (search) {
      search.addEventListener("input", function () { load(search.value); });
      search.addEventListener("keydown", onKey);
    }
    area.setAttribute("aria-controls", list.id);
    return state;
  }

  function openFromTyping(area, context) {
    var current = ensureMenu(area, false);
    current.context = context;
    if (current.query === context.query) { place(); return; }
    load(context.query);
  }

  function openWithSearch(area) {
    area.focus();
    var range = savedRange(area);
    var current = ensureMenu(area, true);
    current.context = null;
    current.range = range;
    load("");
    current.search.focus();
  }

  function load(query) {
    var current = state;
    if (!current) return;
    current.query = query;
    var seq = ++current.seq;
    clearTimeout(current.timer);
    current.timer = setTimeout(function () {
      var url = formOf(current.area).dataset.shortcutsUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .catch(function () { return ""; })
        .then(function (html) {
          if (state !== current || seq !== current.seq) return; // a newer query is on its way
          var template = document.createElement("template");
          template.innerHTML = html; // server-rendered, escaped by Django's templates
          current.list.textContent = "";
          current.list.appendChild(template.content);
          current.index = 0;
          highlight();
          place();
        });
    }, 120);
  }

  function options() {
    return state ? Array.prototype.slice.call(state.list.querySelectorAll("[data-apply-url]")) : [];
  }

  function highlight() {
    options().forEach(function (option, i) {
      var active = i === state.index;
      option.classList.toggle("is-active", active);
      option.setAttribute("aria-selected", active ? "true" : "false");
      if (active) {
        if (!option.id) option.id = "shortcut-option-" + i;
        (state.search || state.area).setAttribute("aria-activedescendant", option.id);
        if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
      }
    });
  }

  function place() {
    if (!state) return;
    var rect = null;
    if (!state.withSearch) {
      var selection = window.getSelection();
      if (selection.rangeCount) {
        var rects = selection.getRangeAt(0).getClientRects();
        if (rects.length) rect = rects[rects.length - 1];
      }
    }
    if (!rect) rect = state.area.getBoundingClientRect();
    state.box.style.left = Math.round(rect.left + window.scrollX) + "px";
    state.box.style.top = Math.round(rect.bottom + window.scrollY + 4) + "px";
  }

  function close() {
    if (!state) return;
    clearTimeout(state.timer);
    state.box.remove();
    state.area.removeAttribute("aria-activedescendant");
    state.area.removeAttribute("aria-controls");
    state = null;
  }

  // --- applying ----------------------------------------------------------------------------
  function notice(form, text, kind) {
    var box = form.querySelector("[data-shortcut-notice]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("data-shortcut-notice", "");
      var footer = form.querySelector(".reply-footer");
      form.insertBefore(box, footer);
    }
    box.className = "shortcut-notice " + (kind === "error" ? "shortcut-notice-error" : "");
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    box.textContent = text;
    box.hidden = !text;
  }

  function addAttachments(form, files) {
    var list = form.querySelector("[data-attached-files]");
    if (!list) return;
    files.forEach(function (file) {
      if (list.querySelector('input[value="' + file.ref + '"]')) return;
      var item = document.createElement("li");
      item.className = "chip";
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = "attachment_refs";
      input.value = file.ref;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "chip-remove";
      remove.setAttribute("data-remove-attached", "");
      remove.setAttribute("aria-label", "Remove " + file.filename);
      remove.textContent = "×";
      item.appendChild(input);
      item.appendChild(document.createTextNode(file.filename + " "));
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function insertHtml(area, range, html) {
    var template = document.createElement("template");
    template.innerHTML = html; // rendered and sanitised (nh3) by the server
    var fragment = template.content;
    var last = fragment.lastChild;
    range.deleteContents();
    range.insertNode(fragment);
    var selection = window.getSelection();
    var caret = document.createRange();
    if (last && last.parentNode) caret.setStartAfter(last);
    else caret.selectNodeContents(area);
    caret.collapse(last ? true : false);
    selection.removeAllRanges();
    selection.addRange(caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // The shortcut's actions changed the conversation: bring its header, details, tags and the
  // timeline up to date from the page itself (never the reply editor: it holds the draft).
  var PANES = ["conversation-header", "details-card", "conversation-tags", "timeline-list"];

  function refreshPanes() {
    document.body.dispatchEvent(new CustomEvent("conversationChanged", { bubbles: true }));
    fetch(window.location.href, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .catch(function () { return ""; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var replaced = [];
        PANES.forEach(function (id) {
          var current = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (!current || !next) return;
          if (replaced.some(function (el) { return el.contains(current); })) return;
          var adopted = document.importNode(next, true);
          current.replaceWith(adopted);
          replaced.push(adopted);
          if (window.htmx) window.htmx.process(adopted);
        });
      });
  }

  function apply(option) {
    var current = state;
    if (!current || !option) return;
    var area = current.area;
    var form = formOf(area);
    var range;
    if (current.context && current.context.node.parentNode) {
      var node = current.context.node;
      range = document.createRange();
      var start = Math.min(current.context.start + (node.data.charAt(current.context.start) === "#" ? 0 : 1), node.length);
      var selection = window.getSelection();
      var end = selection.rangeCount && selection.anchorNode === node ? selection.anchorOffset : current.context.end;
      range.setStart(node, start);
      range.setEnd(node, Math.min(Math.max(end, start), node.length));
    } else {
      range = current.range || savedRange(area);
    }
    close();
    area.focus();
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(option.dataset.applyUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      })
      .catch(function () { return { ok: false, data: { error: "The shortcut could not be applied: check your connection and try again." } }; })
      .then(function (result) {
        var data = result.data || {};
        if (!result.ok) {
          notice(form, data.error || "The shortcut could not be applied.", "error");
          return;
        }
        insertHtml(area, range, data.html || "");
        addAttachments(form, data.attachments || []);
        if (data.email_template) {
          var template = form.querySelector("select[name=email_template]");
          if (template) template.value = String(data.email_template);
        }
        var parts = [];
        var done = (data.changes || []).concat(data.picked || []);
        if (done.length) parts.push("Applied " + option.dataset.name + ": " + done.join(", ") + ".");
        if (data.unknown && data.unknown.length) parts.push("No value for " + data.unknown.join(", ") + ": check the text before sending.");
        if (data.skipped) parts.push(data.skipped);
        notice(form, parts.join(" "), data.unknown && data.unknown.length ? "warning" : "");
        if (data.changes && data.changes.length) refreshPanes();
      });
  }

  // --- events ------------------------------------------------------------------------------
  function onKey(event) {
    if (!state) return;
    var items = options();
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) return;
      state.index = (state.index + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      highlight();
      event.preventDefault();
    } else if (event.key === "Enter" || (event.key === "Tab" && !event.shiftKey)) {
      if (!items.length) return;
      event.preventDefault();
      event.stopPropagation();
      apply(items[state.index]);
    } else if (event.key === "Escape") {
      var area = state.area;
      close();
      area.focus();
      event.preventDefault();
      event.stopPropagation();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (!state || state.withSearch) return;
    if (event.target.closest && event.target.closest(".rich-area") === state.area) onKey(event);
  }, true);

  document.addEventListener("input", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (!area || !formOf(area)) return;
    var context = caretContext(area);
    if (context) openFromTyping(area, context);
    else if (state && state.area === area && !state.withSearch) close();
  });

  document.addEventListener("mousedown", function (event) {
    if (!state) return;
    var option = event.target.closest && event.target.closest("[data-apply-url]");
    if (option && state.box.contains(option)) {
      event.preventDefault();
      apply(option);
    } else if (!state.box.contains(event.target)) {
      close();
    }
  });

  document.addEventListener("click", function (event) {
    var remove = event.target.closest && event.target.closest("[data-remove-attached]");
    if (remove && remove.closest("li")) remove.closest("li").remove();
  });

  window.addEventListener("resize", place);
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("focusin", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (area) addButton(area);
  });
})();
