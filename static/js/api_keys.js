// Settings > Security > API Keys: the Copy button beside a key shown once.
(function () {
  "use strict";

  function report(button, message) {
    var status = document.getElementById(button.dataset.copyTarget.replace(/-value$/, "") + "-copy-status");
    if (status) status.textContent = message;
  }

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-copy-target]") : null;
    if (!button) return;
    var field = document.getElementById(button.dataset.copyTarget);
    if (!field) return;
    function done(copied) {
      button.textContent = copied ? "Copied" : "Copy";
      report(button, copied ? "The key is on your clipboard." : "Select the key and copy it (Ctrl+C or Cmd+C).");
      if (!copied) field.select();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(
        function () { done(true); },
        function () { done(copyBySelection(field)); }
      );
    } else {
      done(copyBySelection(field));
    }
  });
})();
