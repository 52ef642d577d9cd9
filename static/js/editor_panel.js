// Snippets & Dynamic Text: a toolbar button on rich editors whose textarea carries
// data-editor-panel="<url>". It opens a popover (a server-rendered fragment, see
// templates/shortcuts/editor_panel.html) with two tabs, each with a search box (htmx, debounced).
// Focus moves into it; the arrow keys move, Enter (or a click) picks, Esc closes and puts the
// caret back where it was; Left/Right on the tabs switch tabs.
//
// What is inserted is a highlighted span: blue for dynamic text, purple for a snippet. In the
// shortcut editor these are tokens ({{customer.firstName}}, [[sn.name]]), and the tokens of a
// stored message are highlighted on load (data-editor-tokens). In the reply editor they are
// this conversation's values; a snippet stays highlighted until edited, and clicking it offers
// its other languages. Highlights are the editor's only: the spans are unwrapped from the HTML
// posted, so the server gets exactly the text the agent sees.
//
// No inline scripts or styles (the CSP forbids them). Every form still posts without this file.
(function () {
  "use strict";

  var TOKEN = ".dt-token, .sn-token";
  var TEMPLATE_TOKEN = /\{\{[^{}]*\}\}|\[\[\s*sn\.[A-Za-z0-9_]+\s*\]\]/g;
  var ANCHOR = "\u200b"; // after an inserted span, so typing goes after it and not into it
  var known = new WeakMap(); // token span -> { text, translations, language }
  var state = null; // the open panel
  var menu = null; // the open language drop-down of a snippet

  function sourceOf(area) {
    var textarea = area.richSource || (area.parentNode && area.parentNode.querySelector("textarea[data-editor-panel]"));
    return textarea && textarea.hasAttribute("data-editor-panel") ? textarea : null;
  }

  // --- the posted HTML: without highlights and caret anchors -------------------------------
  function cleanHTML(area) {
    var clone = area.cloneNode(true);
    clone.querySelectorAll(TOKEN).forEach(unwrap);
    return clone.innerHTML.replace(/\u200b/g, "");
  }

  function unwrap(span) {
    var parent = span.parentNode;
    if (!parent) return;
    while (span.firstChild) parent.insertBefore(span.firstChild, span);
    parent.removeChild(span);
  }

  function sync(area) {
    var textarea = sourceOf(area);
    if (!textarea) return null;
    var html = cleanHTML(area);
    textarea.value = html;
    return html;
  }

  // --- preparing an editor -----------------------------------------------------------------
  function prepare(area) {
    var textarea = sourceOf(area);
    if (!textarea || area.dataset.editorPanelReady) return;
    area.dataset.editorPanelReady = "1";
    var toolbar = area.previousElementSibling;
    if (toolbar && toolbar.classList.contains("rich-toolbar")) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-panel-button";
      button.textContent = "Snippets & Dynamic Text";
      button.setAttribute("aria-haspopup", "dialog");
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("data-editor-panel-button", "");
      // Keep the caret in the editor: what is picked goes where the agent was typing.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        if (state && state.area === area) close(true);
        else open(area, button);
      });
      toolbar.appendChild(button);
    }
    if (textarea.hasAttribute("data-editor-tokens")) highlightTokens(area);
  }

  // The tokens already in a stored message, highlighted as text is (the textarea keeps the
  // stored HTML until the message is edited, and the posted HTML has no highlights anyway).
  function highlightTokens(area) {
    var walker = document.createTreeWalker(area, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) {
      var node = walker.currentNode;
      if (node.parentElement && node.parentElement.closest(TOKEN)) continue;
      TEMPLATE_TOKEN.lastIndex = 0;
      if (TEMPLATE_TOKEN.test(node.data)) nodes.push(node);
    }
    nodes.forEach(function (node) {
      var text = node.data;
      var fragment = document.createDocumentFragment();
      var last = 0;
      TEMPLATE_TOKEN.lastIndex = 0;
      var match;
      while ((match = TEMPLATE_TOKEN.exec(text))) {
        if (match.index > last) fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
        var span = document.createElement("span");
        span.className = match[0].charAt(0) === "{" ? "dt-token" : "sn-token";
        span.textContent = match[0];
        known.set(span, { text: match[0], translations: [] });
        fragment.appendChild(span);
        last = match.index + match[0].length;
      }
      if (last < text.length) fragment.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(fragment, node);
    });
  }

  // --- the panel -----------------------------------------------------------------------------
  function savedRange(area) {
    var selection = window.getSelection();
    if (selection.rangeCount && area.contains(selection.getRangeAt(0).startContainer)) {
      return selection.getRangeAt(0).cloneRange();
    }
    return null;
  }

  function open(area, button) {
    close(false);
    closeMenu(false);
    var url = sourceOf(area).dataset.editorPanel;
    var popover = document.createElement("div");
    popover.className = "editor-panel-popover";
    popover.textContent = "Loading…";
    popover.tabIndex = -1;
    document.body.appendChild(popover);
    var current = { area: area, button: button, popover: popover, range: savedRange(area), tab: "snippets", index: -1 };
    state = current;
    button.setAttribute("aria-expanded", "true");
    place();
    // Focus leaves the editor at once: keys pressed while the panel loads do not type there.
    popover.focus({ preventScroll: true });
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (state !== current) return;
        popover.innerHTML = html; // server-rendered, escaped by Django's templates
        if (window.htmx) window.htmx.process(popover);
        button.setAttribute("aria-controls", "editor-panel");
        showTab(current.tab, true);
        place();
      })
      .catch(function () {
        if (state === current) popover.textContent = "Snippets and dynamic text could not be loaded. Try again.";
      });
  }

  function close(restoreCaret) {
    if (!state) return;
    var closing = state;
    state = null;
    closing.popover.remove();
    closing.button.setAttribute("aria-expanded", "false");
    closing.button.removeAttribute("aria-controls");
    if (restoreCaret) restore(closing.area, closing.range);
  }

  function restore(area, range) {
    if (!document.body.contains(area)) return;
    area.focus();
    if (range && area.contains(range.startContainer)) {
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    }
  }

  function place() {
    if (!state) return;
    var anchor = state.button.getBoundingClientRect();
    var popover = state.popover;
    var left = Math.min(anchor.left, Math.max(8, window.innerWidth - popover.offsetWidth - 8));
    var top = anchor.bottom + 4;
    // Near the bottom of the window (the reply editor usually is), open upwards.
    if (top + popover.offsetHeight > window.innerHeight - 8 && anchor.top - popover.offsetHeight - 4 > 8) {
      top = anchor.top - popover.offsetHeight - 4;
    }
    popover.style.left = Math.round(left + window.scrollX) + "px";
    popover.style.top = Math.round(top + window.scrollY) + "px";
  }

  function pane(name) {
    return state && state.popover.querySelector('[data-panel-pane="' + (name || state.tab) + '"]');
  }

  function options() {
    var current = pane();
    return current ? Array.prototype.slice.call(current.querySelectorAll(".editor-panel-option")) : [];
  }

  function showTab(name, focusSearch) {
    if (!state) return;
    state.tab = name;
    state.popover.querySelectorAll("[data-panel-tab]").forEach(function (tab) {
      var on = tab.dataset.panelTab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    state.popover.querySelectorAll("[data-panel-pane]").forEach(function (element) {
      element.hidden = element.dataset.panelPane !== name;
    });
    status("");
    setActive(options().length ? 0 : -1);
    if (focusSearch) {
      var search = pane().querySelector(".editor-panel-search");
      if (search) search.focus();
    }
  }

  function setActive(index) {
    if (!state) return;
    var all = options();
    state.index = all.length ? Math.max(0, Math.min(all.length - 1, index)) : -1;
    all.forEach(function (option, i) {
      option.classList.toggle("is-active", i === state.index);
      option.setAttribute("aria-selected", i === state.index ? "true" : "false");
    });
    var search = pane() && pane().querySelector(".editor-panel-search");
    if (!search) return;
    if (state.index >= 0) {
      search.setAttribute("aria-activedescendant", all[state.index].id);
      all[state.index].scrollIntoView({ block: "nearest" });
    } else {
      search.removeAttribute("aria-activedescendant");
    }
  }

  function status(text) {
    var element = state && state.popover.querySelector(".editor-panel-status");
    if (element) element.textContent = text;
  }

  // --- picking -------------------------------------------------------------------------------
  function pick(option) {
    if (!state || !option) return;
    if (option.dataset.empty) {
      status(option.dataset.empty);
      return;
    }
    var span = document.createElement("span");
    span.className = option.dataset.tokenClass === "sn-token" ? "sn-token" : "dt-token";
    if (option.dataset.insertHtml !== undefined) span.innerHTML = option.dataset.insertHtml; // escaped by the server
    else span.textContent = option.dataset.insertText || "";
    var translations = Array.prototype.map.call(option.querySelectorAll("[data-translation]"), function (t) {
      return { language: t.dataset.language, label: t.dataset.label, html: t.dataset.html };
    });
    if (translations.length > 1) span.title = "Click (or Alt+Down) to change the language";
    known.set(span, { text: span.textContent, translations: translations, language: option.dataset.language || "" });
    var area = state.area;
    var range = state.range;
    close(false);
    insert(area, range, span);
  }

  function insert(area, range, span) {
    area.focus();
    if (!range || !area.contains(range.startContainer)) {
      range = document.createRange();
      range.selectNodeContents(area);
      range.collapse(false);
    }
    var inside = tokenOf(range.startContainer, area) || tokenOf(range.endContainer, area);
    if (inside) {
      range.setStartAfter(inside);
      range.collapse(true);
    }
    range.deleteContents();
    var anchor = document.createTextNode(ANCHOR);
    var fragment = document.createDocumentFragment();
    fragment.appendChild(span);
    fragment.appendChild(anchor);
    range.insertNode(fragment);
    var caret = document.createRange();
    caret.setStart(anchor, anchor.length);
    caret.collapse(true);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(caret);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function tokenOf(node, area) {
    var element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    var token = element && element.closest(TOKEN);
    return token && area.contains(token) ? token : null;
  }

  // An edited token is the agent's own text now: it loses its highlight (and its languages).
  function pruneEdited(area) {
    area.querySelectorAll(TOKEN).forEach(function (span) {
      var data = known.get(span);
      if (!data || data.text !== span.textContent) unwrap(span);
    });
  }

  // --- a snippet's language drop-down --------------------------------------------------------
  function openMenu(span, area) {
    closeMenu(false);
    var data = known.get(span);
    if (!data || data.translations.length < 2) return;
    var box = document.createElement("div");
    box.className = "snippet-language-menu";
    var label = document.createElement("label");
    var select = document.createElement("select");
    select.id = "snippet-language-select";
    label.htmlFor = select.id;
    label.textContent = "Snippet language";
    data.translations.forEach(function (t) {
      var option = document.createElement("option");
      option.value = t.language;
      option.textContent = t.label + " (" + t.language + ")";
      option.selected = t.language === data.language;
      select.appendChild(option);
    });
    box.appendChild(label);
    box.appendChild(select);
    document.body.appendChild(box);
    var rect = span.getBoundingClientRect();
    box.style.left = Math.round(rect.left + window.scrollX) + "px";
    box.style.top = Math.round(rect.bottom + window.scrollY + 4) + "px";
    menu = { box: box, span: span, area: area };
    select.addEventListener("change", function () {
      var chosen = data.translations.filter(function (t) { return t.language === select.value; })[0];
      if (!chosen || !menu || menu.span !== span) return;
      span.innerHTML = chosen.html; // escaped by the server
      data.text = span.textContent;
      data.language = chosen.language;
      area.dispatchEvent(new Event("input", { bubbles: true }));
      closeMenu(true);
    });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        closeMenu(true);
      }
    });
    select.focus();
  }

  function closeMenu(returnFocus) {
    if (!menu) return;
    var closing = menu;
    menu = null;
    closing.box.remove();
    if (returnFocus && document.body.contains(closing.span)) {
      var caret = document.createRange();
      caret.setStartAfter(closing.span);
      caret.collapse(true);
      closing.area.focus();
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(caret);
    }
  }

  // --- events --------------------------------------------------------------------------------
  // Alt+ArrowDown with the caret in a highlighted snippet opens its language drop-down.
  document.addEventListener("keydown", function (event) {
    if (!event.altKey || event.key !== "ArrowDown") return;
    var area = event.target.closest && event.target.closest(".rich-area");
    var selection = window.getSelection();
    if (!area || !sourceOf(area) || !selection.rangeCount) return;
    var range = selection.getRangeAt(0);
    var node = range.startContainer;
    var token = tokenOf(node, area);
    // Just after a snippet (in its anchor, or between nodes) counts as in it.
    if (!token && node.nodeType === Node.TEXT_NODE && node.data.charAt(0) === ANCHOR && range.startOffset <= 1) {
      token = node.previousSibling;
    } else if (!token && node.nodeType === Node.ELEMENT_NODE && range.startOffset > 0) {
      token = node.childNodes[range.startOffset - 1];
    }
    if (!token || token.nodeType !== Node.ELEMENT_NODE || !token.classList.contains("sn-token")) return;
    event.preventDefault();
    openMenu(token, area);
  });

  document.addEventListener("keydown", function (event) {
    if (!state || !state.popover.contains(event.target)) return;
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(true);
      return;
    }
    var tab = event.target.closest("[data-panel-tab]");
    if (tab && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
      event.preventDefault();
      var next = state.tab === "snippets" ? "dynamic" : "snippets";
      showTab(next, false);
      var nextTab = state.popover.querySelector('[data-panel-tab="' + next + '"]');
      if (nextTab) nextTab.focus();
      return;
    }
    if (!event.target.classList.contains("editor-panel-search")) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      setActive(state.index + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      var all = options();
      pick(all[state.index >= 0 ? state.index : 0]);
    }
  }, true);

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (state && state.popover.contains(target)) {
      var tab = target.closest("[data-panel-tab]");
      if (tab) { showTab(tab.dataset.panelTab, true); return; }
      var option = target.closest(".editor-panel-option");
      if (option) pick(option);
      return;
    }
    if (menu && !menu.box.contains(target)) closeMenu(false);
    var snippet = target.closest && target.closest(".rich-area .sn-token");
    if (snippet) {
      var area = snippet.closest(".rich-area");
      if (sourceOf(area)) openMenu(snippet, area);
    }
    if (state && !(target.closest && target.closest("[data-editor-panel-button]") === state.button)) close(false);
  });

  document.addEventListener("mousedown", function (event) {
    // Keep the editor's caret while the panel's options are clicked.
    if (state && state.popover.contains(event.target) && event.target.closest(".editor-panel-option")) {
      event.preventDefault();
    }
  });

  // After timeline.js has copied the editor's HTML into the textarea: copy it again, clean.
  document.addEventListener("input", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (!area || !sourceOf(area)) return;
    pruneEdited(area);
    sync(area);
  });

  document.addEventListener("submit", function (event) {
    var area = event.target.querySelector && event.target.querySelector(".rich-area");
    if (area) sync(area);
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail && event.detail.elt;
    var area = form && form.querySelector && form.querySelector(".rich-area");
    var textarea = area && sourceOf(area);
    if (!textarea) return;
    var html = sync(area);
    if (event.detail.parameters && textarea.name) event.detail.parameters[textarea.name] = html;
  });

  // A new search result: the first option is the active one again.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (state && state.popover.contains(event.target)) setActive(0);
  });

  document.addEventListener("htmx:afterSettle", function () {
    if (state && !document.body.contains(state.area)) close(false);
    if (menu && !document.body.contains(menu.span)) closeMenu(false);
  });

  window.addEventListener("resize", place);

  function init(root) {
    var areas = root.querySelectorAll ? root.querySelectorAll(".rich-area") : [];
    Array.prototype.forEach.call(areas, prepare);
    if (root.classList && root.classList.contains("rich-area")) prepare(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
  document.addEventListener("focusin", function (event) {
    var area = event.target.closest && event.target.closest(".rich-area");
    if (area) prepare(area);
  });
})();
