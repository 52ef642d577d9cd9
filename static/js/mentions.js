// Notes: @mentions in the note editors, and the small behaviours of notes and notifications.
//
// In a note editor (the reply editor with Note picked, Post New Note, Edit note: any rich
// editor whose form has data-mentions), typing @ and letters opens a list of matching users
// and teams; the arrow keys move, Tab (or Enter, or a click) completes the mention; the "@"
// toolbar button opens the same list. A mention is one non-editable token: Backspace or
// Delete next to it, or any change to its letters, removes it whole. The server parses
// mentions from the posted HTML, checks them and rewrites their names.
//
// No inline scripts (the CSP forbids them) and no eval. Every form still posts without this file.
(function () {
  "use strict";

  var script = document.currentScript;
  var SUGGEST_URL = (script && script.dataset.suggestUrl) || "/mentions/suggest/";
  // "@", at the start or after a space, then at most two words of the name being typed.
  var TRIGGER = /(?:^|[\s(])@([^\s@]{0,40}(?:\s[^\s@]{0,40})?)$/;
  var known = new WeakMap(); // mention element -> the text it was made with
  var state = null; // the open mention list

  // --- where mentions are on ---------------------------------------------------------------
  function mentionsOn(area) {
    var form = area.closest("form");
    if (!form) return false;
    if (form.hasAttribute("data-mentions")) return true;
    var checked = form.querySelector("input[name=channel]:checked");
    return Boolean(checked && checked.value === "note");
  }

  function prepare(area) {
    area.querySelectorAll(".mention").forEach(function (mention) {
      if (mention.getAttribute("contenteditable") !== "false") mention.setAttribute("contenteditable", "false");
      if (!known.has(mention)) known.set(mention, mention.textContent);
    });
    addButton(area);
  }

  function addButton(area) {
    var toolbar = area.previousElementSibling;
    if (!toolbar || !toolbar.classList.contains("rich-toolbar")) return;
    var button = toolbar.querySelector("[data-mention-button]");
    if (!button) {
      button = document.createElement("button");
      button.type = "button";
      button.className = "mention-button";
      button.textContent = "@";
      button.title = "Mention a user or team";
      button.setAttribute("aria-label", "Mention a user or team");
      button.setAttribute("data-mention-button", "");
      // Keep the caret in the editor: the mention goes where the agent was typing.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () { startMention(area); });
      toolbar.appendChild(button);
    }
    button.hidden = !mentionsOn(area);
  }

  function init(root) {
    var areas = root.querySelectorAll ? root.querySelectorAll(".rich-area") : [];
    Array.prototype.forEach.call(areas, prepare);
    if (root.classList && root.classList.contains("rich-area")) prepare(root);
  }

  // --- the caret and the text being typed --------------------------------------------------
  function caretContext(area) {
    var selection = window.getSelection();
    if (!selection.rangeCount || !selection.isCollapsed) return null;
    var node = selection.anchorNode;
    var offset = selection.anchorOffset;
    if (!node || node.nodeType !== Node.TEXT_NODE || !area.contains(node)) return null;
    if (node.parentElement && node.parentElement.closest(".mention")) return null;
    var match = TRIGGER.exec(node.data.slice(0, offset));
    if (!match) return null;
    return {
      node: node,
      start: offset - match[1].length - 1,
      end: offset,
      query: match[1].replace(/\s+/g, " ").trim(),
    };
  }

  function startMention(area) {
    area.focus();
    var selection = window.getSelection();
    if (!selection.rangeCount || !area.contains(selection.anchorNode)) {
      var end = document.createRange();
      end.selectNodeContents(area);
      end.collapse(false);
      selection.removeAllRanges();
      selection.addRange(end);
    }
    var node = selection.anchorNode;
    var before = node && node.nodeType === Node.TEXT_NODE ? node.data.slice(0, selection.anchorOffset) : "";
    var text = before && !/\s$/.test(before) ? " @" : "@";
    // insertText keeps the browser's undo history and fires `input`, which opens the list.
    if (!document.execCommand("insertText", false, text)) {
      var range = selection.getRangeAt(0);
      var inserted = document.createTextNode(text);
      range.insertNode(inserted);
      range.setStart(inserted, inserted.length);
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // --- the list ----------------------------------------------------------------------------
  function open(area, context) {
    if (!state || state.area !== area) {
      close();
      var list = document.createElement("ul");
      list.className = "mention-list";
      list.id = "mention-list";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", "Users and teams");
      list.hidden = true;
      document.body.appendChild(list);
      state = { area: area, list: list, items: [], index: 0, query: null, seq: 0, loading: false, completeWhenLoaded: false };
      area.setAttribute("aria-autocomplete", "list");
      area.setAttribute("aria-controls", list.id);
    }
    state.node = context.node;
    state.start = context.start;
    state.end = context.end;
    if (state.query === context.query) { place(); return; }
    state.query = context.query;
    state.loading = true;
    clearTimeout(state.timer);
    state.timer = setTimeout(function () { load(context.query); }, 100);
  }

  function load(query) {
    var current = state;
    if (!current) return;
    var seq = ++current.seq;
    fetch(SUGGEST_URL + "?q=" + encodeURIComponent(query), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .catch(function () { return { results: [] }; })
      .then(function (data) {
        if (state !== current || seq !== current.seq) return; // a newer query is on its way
        current.loading = false;
        show(data.results || []);
        if (current.completeWhenLoaded) {
          current.completeWhenLoaded = false;
          complete();
        }
      });
  }

  function show(results) {
    var list = state.list;
    list.textContent = "";
    state.items = results;
    state.index = 0;
    if (!results.length) {
      list.hidden = true;
      state.area.removeAttribute("aria-activedescendant");
      return;
    }
    results.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "mention-option-" + i;
      option.className = "mention-option";
      option.setAttribute("role", "option");
      var icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      if (item.type === "team") {
        icon.className = "mention-icon mention-icon-team";
      } else {
        icon.className = "mention-icon";
        icon.textContent = item.initial || "";
      }
      var name = document.createElement("span");
      name.className = "mention-option-name";
      name.textContent = item.name;
      var detail = document.createElement("span");
      detail.className = "mention-option-detail";
      detail.textContent = item.detail || "";
      option.appendChild(icon);
      option.appendChild(name);
      option.appendChild(detail);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () {
        if (!state) return;
        state.index = i;
        complete();
      });
      list.appendChild(option);
    });
    list.hidden = false;
    highlight();
    place();
  }

  function highlight() {
    Array.prototype.forEach.call(state.list.children, function (option, i) {
      option.setAttribute("aria-selected", i === state.index ? "true" : "false");
      option.classList.toggle("is-active", i === state.index);
    });
    state.area.setAttribute("aria-activedescendant", "mention-option-" + state.index);
  }

  function place() {
    if (!state || state.list.hidden) return;
    var rect = null;
    var selection = window.getSelection();
    if (selection.rangeCount) {
      var rects = selection.getRangeAt(0).getClientRects();
      if (rects.length) rect = rects[rects.length - 1];
    }
    if (!rect) rect = state.area.getBoundingClientRect();
    state.list.style.left = Math.round(rect.left + window.scrollX) + "px";
    state.list.style.top = Math.round(rect.bottom + window.scrollY + 4) + "px";
  }

  function close() {
    if (!state) return;
    clearTimeout(state.timer);
    state.list.remove();
    state.area.removeAttribute("aria-activedescendant");
    state.area.removeAttribute("aria-controls");
    state = null;
  }

  // --- completing and removing mentions ----------------------------------------------------
  function complete() {
    var item = state && state.items[state.index];
    if (!item) return;
    var area = state.area;
    var node = state.node;
    if (!node.parentNode || !area.contains(node)) { close(); return; }
    var selection = window.getSelection();
    var end = selection.rangeCount && selection.anchorNode === node ? selection.anchorOffset : state.end;
    var range = document.createRange();
    range.setStart(node, Math.min(state.start, node.length));
    range.setEnd(node, Math.min(Math.max(end, state.start), node.length));
    range.deleteContents();

    // The attribute order is the stored form's (class, then type and id); the server
    // re-checks and rewrites it anyway.
    var mention = document.createElement("span");
    mention.setAttribute("class", "mention");
    mention.setAttribute("data-mention-type", item.type);
    mention.setAttribute("data-mention-id", String(item.id));
    if (item.initial) mention.setAttribute("data-initial", item.initial);
    mention.setAttribute("contenteditable", "false");
    mention.textContent = "@" + item.name;
    known.set(mention, mention.textContent);
    range.insertNode(mention);
    // A non-breaking space: a plain trailing space collapses and the caret would sit in the token.
    var space = document.createTextNode("\u00a0");
    mention.parentNode.insertBefore(space, mention.nextSibling);
    var after = document.createRange();
    after.setStart(space, 1);
    after.collapse(true);
    selection.removeAllRanges();
    selection.addRange(after);
    close();
    area.focus();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function mentionOf(node, area) {
    var element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    var mention = element && element.closest(".mention");
    return mention && area.contains(mention) ? mention : null;
  }

  function neighbour(node, backwards) {
    var next = backwards ? node.previousSibling : node.nextSibling;
    while (next && next.nodeType === Node.TEXT_NODE && next.length === 0) {
      next = backwards ? next.previousSibling : next.nextSibling;
    }
    return next;
  }

  // The mention that Backspace (backwards) or Delete would eat a letter of, if any.
  function mentionAtCaret(area, backwards) {
    var selection = window.getSelection();
    if (!selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    var inside = mentionOf(range.startContainer, area) || mentionOf(range.endContainer, area);
    if (inside) return inside;
    if (!range.collapsed) return null;
    var node = range.startContainer;
    var offset = range.startOffset;
    var candidate = null;
    if (node.nodeType === Node.TEXT_NODE) {
      if (backwards && offset === 0) candidate = neighbour(node, true);
      else if (!backwards && offset === node.length) candidate = neighbour(node, false);
    } else {
      candidate = backwards ? node.childNodes[offset - 1] : node.childNodes[offset];
      while (candidate && candidate.nodeType === Node.TEXT_NODE && candidate.length === 0) {
        candidate = neighbour(candidate, backwards);
      }
    }
    return candidate && candidate.nodeType === Node.ELEMENT_NODE && candidate.classList.contains("mention")
      ? candidate
      : null;
  }

  function removeMention(area, mention) {
    var caret = document.createRange();
    caret.setStartBefore(mention);
    caret.collapse(true);
    mention.remove();
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // A mention whose letters changed (a browser let a key through) goes away whole.
  function pruneBroken(area) {
    area.querySelectorAll(".mention").forEach(function (mention) {
      if (!known.has(mention)) known.set(mention, mention.textContent);
      else if (known.get(mention) !== mention.textContent) mention.remove();
    });
  }

  // --- events ------------------------------------------------------------------------------
  document.addEventListener("keydown", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (!area) return;
    if (state && state.area === area) {
      var count = state.items.length;
      var listOpen = !state.list.hidden && count > 0;
      if (listOpen && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
        state.index = (state.index + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
        highlight();
        event.preventDefault();
        return;
      }
      if ((event.key === "Tab" && !event.shiftKey) || event.key === "Enter") {
        if (state.loading) {
          // Faster than the list: complete with the first match of what was typed when it arrives.
          event.preventDefault();
          state.completeWhenLoaded = true;
          return;
        }
        if (listOpen) {
          event.preventDefault();
          complete();
          return;
        }
      }
      if (event.key === "Escape") {
        close();
        event.preventDefault();
        event.stopPropagation();
        return;
      }
    }
    if (event.key === "Backspace" || event.key === "Delete") {
      var mention = mentionAtCaret(area, event.key === "Backspace");
      if (mention) {
        event.preventDefault();
        removeMention(area, mention);
      }
    }
  }, true);

  function refresh(area) {
    pruneBroken(area);
    if (!mentionsOn(area)) { close(); return; }
    var context = caretContext(area);
    if (context) open(area, context);
    else if (state && state.area === area) close();
  }

  document.addEventListener("input", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (area) refresh(area);
  });

  document.addEventListener("click", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (area) {
      refresh(area);
      return;
    }
    var own = event.target.closest && event.target.closest("[data-mention-button]");
    if (state && !own && !state.list.contains(event.target)) close();
    var dismiss = event.target.closest && event.target.closest("[data-dismiss-toast]");
    if (dismiss && dismiss.closest(".toast")) dismiss.closest(".toast").remove();
  });

  document.addEventListener("focusin", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (area) prepare(area);
  });

  document.addEventListener("focusout", function (event) {
    if (state && event.target === state.area) close();
  });

  // Picking Note (or another channel) in the reply editor turns mentions on (or off).
  document.addEventListener("change", function (event) {
    if (event.target.name !== "channel" || !event.target.form) return;
    var area = event.target.form.querySelector(".rich-area");
    if (!area) return;
    addButton(area);
    if (state && state.area === area && !mentionsOn(area)) close();
  });

  window.addEventListener("resize", place);
  window.addEventListener("scroll", place, true);

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("htmx:afterSettle", function () {
    if (state && !document.body.contains(state.area)) close();
  });

  // The conversation feed refreshes itself every few seconds; not while a note is being
  // edited or its "More options" menu is open, or the edit would be lost.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (!element || element.id !== "conversation-feed") return;
    if (element.querySelector(".note-edit-form, details.menu[open]")) event.preventDefault();
  });
})();
