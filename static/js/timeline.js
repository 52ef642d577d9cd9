// The reply editor's formatting, channel-dependent fields, and j/k navigation in lists.
// Every form still works without this file: the editor falls back to its plain textarea.
(function () {
  "use strict";

  // --- rich editor: a contenteditable area over the textarea, HTML posted on submit ---
  function enhanceEditor(textarea) {
    if (textarea.dataset.enhanced) return;
    textarea.dataset.enhanced = "1";
    var form = textarea.form;
    var format = form.querySelector("[data-rich-format]");
    var toolbar = document.createElement("div");
    toolbar.className = "rich-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting");
    [["bold", "B", "Bold"], ["italic", "I", "Italic"], ["insertUnorderedList", "• List", "Bulleted list"],
     ["insertOrderedList", "1. List", "Numbered list"], ["createLink", "Link", "Link"]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = spec[1];
      button.setAttribute("aria-label", spec[2]);
      button.dataset.command = spec[0];
      toolbar.appendChild(button);
    });
    var area = document.createElement("div");
    area.className = "rich-area";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    area.setAttribute("aria-label", "Message");
    area.dataset.placeholder = textarea.getAttribute("placeholder") || "";
    if (textarea.value) {
      if (format && format.value === "html") area.innerHTML = textarea.value;
      else area.textContent = textarea.value;
    }
    textarea.hidden = true;
    textarea.parentNode.insertBefore(toolbar, textarea);
    textarea.parentNode.insertBefore(area, textarea);
    toolbar.addEventListener("click", function (event) {
      var command = event.target.dataset && event.target.dataset.command;
      if (!command) return;
      area.focus();
      if (command === "createLink") {
        var url = window.prompt("Link address (https://...)");
        if (url && /^(https?:|mailto:)/i.test(url)) document.execCommand("createLink", false, url);
      } else {
        document.execCommand(command, false, null);
      }
    });
    function sync() {
      textarea.value = area.innerHTML;
      if (format) format.value = "html";
    }
    area.addEventListener("input", sync);
    form.addEventListener("submit", sync);
    form.addEventListener("htmx:configRequest", sync);
    area.richSource = textarea;
  }

  // --- fields that belong to one channel (subject for email, assignee for notes) ---
  function syncChannel(form) {
    var checked = form.querySelector("input[name=channel]:checked");
    var channel = checked ? checked.value : "";
    form.querySelectorAll("[data-channels]").forEach(function (el) {
      el.hidden = el.dataset.channels.split(" ").indexOf(channel) === -1;
    });
  }

  function init(root) {
    root.querySelectorAll("textarea[data-rich-editor]").forEach(enhanceEditor);
    root.querySelectorAll("form.reply-editor").forEach(syncChannel);
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "channel" && event.target.form) syncChannel(event.target.form);
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });

  // --- j/k and Enter in lists marked data-keyboard-list ---
  var selected = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-keyboard-list] [data-row]")); }
  function select(index) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("is-selected", i === selected); });
    var link = all[selected].querySelector("[data-row-link]");
    if (link) link.focus({ preventScroll: false });
  }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    if (!document.querySelector("[data-keyboard-list]")) return;
    if (event.key === "j") { select(selected + 1); event.preventDefault(); }
    else if (event.key === "k") { select(selected - 1); event.preventDefault(); }
    else if (event.key === "Enter" && selected >= 0) {
      var row = rows()[selected];
      var link = row && row.querySelector("[data-row-link]");
      if (link && document.activeElement !== link) { link.click(); event.preventDefault(); }
    }
  });
  // Keep the selection when the list refreshes itself every few seconds.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.matches && event.target.matches("[data-keyboard-list]") && selected >= 0) {
      var all = rows();
      all.forEach(function (row, i) { row.classList.toggle("is-selected", i === selected); });
    }
  });
})();

// User pickers (templates/components/user_picker.html): type to search, pick with a click,
// Enter or the arrow keys; the hidden input takes the id and announces a bubbling `change`.
(function () {
  "use strict";

  function close(picker) {
    picker.querySelector(".picker-results").innerHTML = "";
    picker.querySelector("[data-picker-input]").setAttribute("aria-expanded", "false");
  }

  function choose(option) {
    var picker = option.closest("[data-picker]");
    var hidden = picker.querySelector("[data-picker-value]");
    var input = picker.querySelector("[data-picker-input]");
    hidden.value = option.dataset.pickId;
    input.value = option.dataset.pickLabel;
    close(picker);
    hidden.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".picker-option");
    if (option) { choose(option); return; }
    document.querySelectorAll("[data-picker]").forEach(function (picker) {
      if (!picker.contains(event.target)) close(picker);
    });
  });

  // With JavaScript the search box is not a value: the form posts the picked id only (without
  // it, the box is posted as <name>_lookup and the server finds who was typed). A `form`
  // attribute naming no form takes the box out of its form, Enter included.
  function detach(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("[data-picker-input]").forEach(function (input) {
      input.setAttribute("form", "picker-search-only");
    });
  }
  detach(document);
  document.addEventListener("htmx:load", function (event) { detach(event.target); });

  // The search box itself is not a value: keep its change events from submitting the form.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-picker-input]")) event.stopPropagation();
  }, true);

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-picker-input]")) return;
    var picker = input.closest("[data-picker]");
    var options = Array.prototype.slice.call(picker.querySelectorAll(".picker-option"));
    var current = options.indexOf(picker.querySelector(".picker-option.is-active"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      var next = event.key === "ArrowDown" ? Math.min(options.length - 1, current + 1) : Math.max(0, current - 1);
      options.forEach(function (o, i) { o.classList.toggle("is-active", i === next); });
      event.preventDefault();
    } else if (event.key === "Enter") {
      var pick = options[current >= 0 ? current : 0];
      if (pick) { choose(pick); event.preventDefault(); }
    } else if (event.key === "Escape") {
      close(picker);
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.classList && event.target.classList.contains("picker-results")) {
      var input = event.target.closest("[data-picker]").querySelector("[data-picker-input]");
      input.setAttribute("aria-expanded", event.target.children.length ? "true" : "false");
    }
  });
})();
