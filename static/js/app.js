// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // <form data-confirm="..."> asks before a plain (non-htmx) submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Escape closes an open menu (<details class="menu">) and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      var summary = menu.querySelector("summary");
      if (summary) summary.focus();
    });
  });

  // A click outside an open menu closes it.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });

  // Seasonal dates only matter for seasonal users: show them when that seat type is chosen.
  function syncSeasonal() {
    var type = document.querySelector("select[name=user_type]");
    if (!type) return;
    var seasonal = type.value === "seasonal";
    ["active_from", "active_until"].forEach(function (name) {
      var field = document.getElementById("field-" + name);
      if (field) field.hidden = !seasonal;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "user_type") syncSeasonal();
  });
  document.addEventListener("DOMContentLoaded", syncSeasonal);

  // Windows: a link with data-opens-modal loads its window (hx-get) into #app-modal-body; the
  // dialog opens when it arrives and closes on Esc (the browser's), on [data-close-modal], or
  // when the server says closeModal in its HX-Trigger event. Focus goes back to the opener.
  var opener = null;
  function modal() { return document.getElementById("app-modal"); }
  document.addEventListener("click", function (event) {
    var open = event.target.closest && event.target.closest("[data-opens-modal]");
    if (open) opener = open;
    var close = event.target.closest && event.target.closest("[data-close-modal]");
    if (close && modal() && modal().open && modal().contains(close)) {
      event.preventDefault();
      modal().close();
    }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var dialog = modal();
    if (!dialog || event.detail.target !== document.getElementById("app-modal-body")) return;
    if (!dialog.open) dialog.showModal();
    var first = dialog.querySelector("input:not([type=hidden]), select, textarea, button");
    if (first) first.focus();
  });
  document.addEventListener("conversationLinked", function (event) {
    var dialog = modal();
    if (dialog && dialog.open && event.detail && event.detail.closeModal) dialog.close();
  });
  document.addEventListener("DOMContentLoaded", function () {
    var dialog = modal();
    if (!dialog) return;
    dialog.addEventListener("close", function () {
      document.getElementById("app-modal-body").textContent = "";
      if (opener && document.body.contains(opener)) opener.focus();
    });
  });
})();
