// Message options: Copy Link to Message, the highlight of a linked message, and Message
// Redaction (highlight text > Redact shows it blocked out > Commit Redaction makes it permanent).
//
// Positions are counted in the text of the message body as the browser shows it (its text
// nodes, in order), which is exactly how the server counts them (conversations/redaction.py).
// No inline scripts (the CSP forbids them). Without this file the other options still work.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function toast(text) {
    var box = document.createElement("div");
    box.className = "toast toast-status";
    box.setAttribute("role", "status");
    box.textContent = text;
    document.body.appendChild(box);
    setTimeout(function () { box.remove(); }, 2500);
  }

  function closeMenu(element) {
    var menu = element.closest("details.menu");
    if (menu) menu.removeAttribute("open");
  }

  // --- Copy Link to Message ------------------------------------------------------------------
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var ok = document.execCommand("copy");
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error("copy failed"));
  }

  // --- the linked message --------------------------------------------------------------------
  var scrolledTo = "";
  function highlightLinked() {
    var match = /^#(message|note)-\d+$/.exec(window.location.hash);
    if (!match) return;
    var target = document.getElementById(window.location.hash.slice(1));
    if (!target) return;
    target.classList.add("is-linked"); // again after each refresh of the feed
    if (scrolledTo === window.location.hash) return; // but scroll only once
    scrolledTo = window.location.hash;
    target.setAttribute("tabindex", "-1");
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  // --- Message Redaction ---------------------------------------------------------------------
  function textNodes(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    return nodes;
  }

  function offsetOf(root, container, offset) {
    // The position of (container, offset) in the text of root.
    var total = 0;
    var nodes = textNodes(root);
    if (container.nodeType !== Node.TEXT_NODE) {
      // A boundary between children: count the text of the children before it.
      var before = document.createRange();
      before.setStart(root, 0);
      before.setEnd(container, offset);
      var fragment = before.cloneContents();
      return fragment.textContent.length;
    }
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i] === container) return total + offset;
      total += nodes[i].data.length;
    }
    return -1;
  }

  function wrap(root, start, end) {
    // Wrap the text from start to end in <mark class="redaction-preview"> pieces (the text
    // itself, and so every position, stays as it was).
    var position = 0;
    textNodes(root).forEach(function (node) {
      var nodeStart = position;
      var nodeEnd = position + node.data.length;
      position = nodeEnd;
      if (nodeEnd <= start || nodeStart >= end) return;
      var piece = node;
      var from = Math.max(start - nodeStart, 0);
      var to = Math.min(end - nodeStart, node.data.length);
      if (from > 0) piece = piece.splitText(from);
      if (to - from < piece.data.length) piece.splitText(to - from);
      var mark = document.createElement("mark");
      mark.className = "redaction-preview";
      piece.parentNode.insertBefore(mark, piece);
      mark.appendChild(piece);
    });
  }

  function unwrapAll(root) {
    root.querySelectorAll("mark.redaction-preview").forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
      mark.remove();
      parent.normalize();
    });
  }

  function startRedaction(button) {
    var item = document.querySelector(button.dataset.redactionTarget);
    if (!item || item.querySelector(".redaction-bar")) return;
    var body = item.querySelector("[data-redactable]");
    if (!body) return;
    var url = button.dataset.startRedaction;
    var ranges = [];
    item.setAttribute("data-redaction-mode", "");

    var bar = document.createElement("div");
    bar.className = "redaction-bar";
    bar.setAttribute("role", "group");
    bar.setAttribute("aria-label", "Message Redaction");
    var help = document.createElement("p");
    help.className = "small";
    help.setAttribute("role", "status");
    help.textContent = "Highlight the text you want to permanently hide, then select Redact.";
    function button_(label, className) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button-small " + (className || "");
      b.textContent = label;
      return b;
    }
    var redact = button_("Redact");
    var commit = button_("Commit Redaction", "button-danger");
    var cancel = button_("Cancel", "button-ghost");
    commit.disabled = true;
    bar.appendChild(help);
    bar.appendChild(redact);
    bar.appendChild(commit);
    bar.appendChild(cancel);
    body.parentNode.insertBefore(bar, body);

    function finish() {
      unwrapAll(body);
      bar.remove();
      item.removeAttribute("data-redaction-mode");
    }

    redact.addEventListener("mousedown", function (event) { event.preventDefault(); });
    redact.addEventListener("click", function () {
      var selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) {
        help.textContent = "First highlight the text to hide in the message.";
        return;
      }
      var range = selection.getRangeAt(0);
      if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) {
        help.textContent = "Highlight text inside this message only.";
        return;
      }
      var start = offsetOf(body, range.startContainer, range.startOffset);
      var end = offsetOf(body, range.endContainer, range.endOffset);
      if (start < 0 || end <= start) return;
      var text = body.textContent.slice(start, end);
      ranges.push([start, end - start, text]);
      wrap(body, start, end);
      selection.removeAllRanges();
      commit.disabled = false;
      help.textContent = ranges.length + " part" + (ranges.length === 1 ? "" : "s") +
        " blocked out. Select Commit Redaction to remove " + (ranges.length === 1 ? "it" : "them") +
        " for good, or Cancel.";
    });

    cancel.addEventListener("click", finish);

    commit.addEventListener("click", function () {
      commit.disabled = true;
      var data = new FormData();
      data.append("ranges", JSON.stringify(ranges));
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
        body: data,
      })
        .then(function (response) {
          return response.text().then(function (text) { return { ok: response.ok, text: text }; });
        })
        .then(function (result) {
          if (!result.ok) {
            var message = "The redaction was not saved.";
            try { message = JSON.parse(result.text).error || message; } catch (error) { /* not JSON */ }
            help.textContent = message;
            help.setAttribute("role", "alert");
            commit.disabled = false;
            return;
          }
          var template = document.createElement("template");
          template.innerHTML = result.text.trim(); // server-rendered, sanitised
          var fresh = template.content.firstElementChild;
          if (fresh) {
            item.replaceWith(fresh);
            if (window.htmx) window.htmx.process(fresh);
          }
          toast("Redaction committed: the text is gone for good.");
        })
        .catch(function () {
          help.textContent = "The redaction was not saved: check your connection and try again.";
          commit.disabled = false;
        });
    });
    redact.focus();
  }

  // --- events ----------------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var target = event.target;
    var link = target.closest && target.closest("[data-copy-link]");
    if (link) {
      closeMenu(link);
      copy(link.dataset.copyLink).then(
        function () { toast("Link to the message copied."); },
        function () { window.prompt("Copy the link to the message:", link.dataset.copyLink); }
      );
      return;
    }
    var start = target.closest && target.closest("[data-start-redaction]");
    if (start) {
      closeMenu(start);
      startRedaction(start);
      return;
    }
    var closer = target.closest && target.closest("[data-close-menu]");
    if (closer) closeMenu(closer);
  });

  // The feed refreshes itself every few seconds: not while a redaction is being prepared.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (element && element.id === "conversation-feed" && element.querySelector("[data-redaction-mode]")) {
      event.preventDefault();
    }
  });

  window.addEventListener("hashchange", highlightLinked);
  document.addEventListener("DOMContentLoaded", highlightLinked);
  document.addEventListener("htmx:afterSettle", highlightLinked);
})();
