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
})();
