// Edit Shortcut: "Add Optional Fields". Each action field that is empty is hidden and offered in
// the Add Optional Fields drop-down; picking one shows it, Remove clears and hides it again.
// Without this file every field simply shows, and the form posts the same.
(function () {
  "use strict";

  function hasValue(field) {
    if (field.querySelector(".has-error")) return true;
    return Array.prototype.some.call(field.querySelectorAll("input, select, textarea"), function (input) {
      if (input.tagName === "SELECT" && input.multiple) return input.selectedOptions.length > 0;
      return Boolean(input.value && input.value.trim());
    });
  }

  function clear(field) {
    field.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.options, function (option) { option.selected = false; });
        if (!input.multiple) input.value = "";
      } else {
        input.value = "";
      }
    });
  }

  function setUp(box) {
    if (box.dataset.enhanced) return;
    box.dataset.enhanced = "1";
    var fields = Array.prototype.slice.call(box.querySelectorAll("[data-optional-field]"));
    var wrapper = document.createElement("div");
    wrapper.className = "field";
    var label = document.createElement("label");
    label.textContent = "Add Optional Fields";
    label.htmlFor = "add-optional-field";
    var select = document.createElement("select");
    select.id = "add-optional-field";
    wrapper.appendChild(label);
    wrapper.appendChild(select);
    box.insertBefore(wrapper, fields[0]);

    function rebuild() {
      select.textContent = "";
      var first = document.createElement("option");
      first.value = "";
      first.textContent = "Choose a field to add…";
      select.appendChild(first);
      fields.forEach(function (field) {
        if (!field.hidden) return;
        var option = document.createElement("option");
        option.value = field.dataset.optionalField;
        option.textContent = field.dataset.optionalLabel;
        select.appendChild(option);
      });
      wrapper.hidden = select.options.length === 1;
    }

    fields.forEach(function (field) {
      field.hidden = !hasValue(field);
      var remove = field.querySelector("[data-remove-optional]");
      if (remove) {
        remove.addEventListener("click", function () {
          clear(field);
          field.hidden = true;
          rebuild();
          select.focus();
        });
      }
    });
    select.addEventListener("change", function () {
      var field = fields.filter(function (f) { return f.dataset.optionalField === select.value; })[0];
      if (!field) return;
      field.hidden = false;
      rebuild();
      var input = field.querySelector("input, select, textarea");
      if (input) input.focus();
    });
    rebuild();
  }

  function init(root) {
    (root.querySelectorAll ? root.querySelectorAll("[data-optional-fields]") : []).forEach(setUp);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
