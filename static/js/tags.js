// Add Tag on a conversation: the suggestion list's keyboard. Without this file the form still
// works: typing a name and pressing Enter (or Add Tag) creates the tag or applies the existing one.
//   ArrowDown / ArrowUp  move through the suggestions
//   Enter                applies the highlighted suggestion (with none highlighted: creates the typed name)
//   Tab                  creates a tag with the typed name and applies it (an existing one of that name is reused)
//   Escape               closes the suggestions
(function () {
  "use strict";

  function isTagInput(el) {
    return el instanceof HTMLInputElement && el.hasAttribute("data-tag-input");
  }

  function listFor(input) {
    return document.getElementById(input.getAttribute("aria-controls"));
  }

  function options(input) {
    var list = listFor(input);
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }

  function highlighted(input) {
    var id = input.getAttribute("aria-activedescendant");
    return id ? document.getElementById(id) : null;
  }

  function highlight(input, option) {
    options(input).forEach(function (each) {
      var on = each === option;
      each.setAttribute("aria-selected", on ? "true" : "false");
      each.classList.toggle("is-highlighted", on);
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function container(input) {
    var list = listFor(input);
    return list ? list.parentElement : null;
  }

  function close(input) {
    var box = container(input);
    if (box) box.hidden = true;
    input.setAttribute("aria-expanded", "false");
    highlight(input, null);
  }

  function move(input, step) {
    var all = options(input);
    if (!all.length) return;
    var box = container(input);
    if (box) box.hidden = false;
    input.setAttribute("aria-expanded", "true");
    var index = all.indexOf(highlighted(input));
    index = index === -1 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length;
    highlight(input, all[index]);
  }

  function create(input) {
    // The form's default button posts the typed name; the server reuses a tag of that name.
    var button = input.form && input.form.querySelector("[data-tag-create]");
    if (button) button.click();
  }

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isTagInput(input) || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      move(input, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter") {
      var option = highlighted(input);
      if (option) {
        event.preventDefault();
        option.click();
      }
      // Nothing highlighted: the browser submits through the default button, which creates the tag.
    } else if (event.key === "Tab" && !event.shiftKey) {
      if (input.value.trim()) {
        event.preventDefault();
        create(input);
      }
    } else if (event.key === "Escape") {
      var box = container(input);
      if (box && !box.hidden) {
        event.preventDefault();
        close(input);
      }
    }
  });

  // The suggestions are fetched as you type (htmx on the input); the server reads ?q=.
  document.addEventListener("htmx:configRequest", function (event) {
    var input = event.detail.elt;
    if (!isTagInput(input) || event.detail.verb !== "get") return;
    event.detail.parameters.q = input.value;
    delete event.detail.parameters[input.name];
  });

  // A fresh list replaced the old one: reflect it on the input.
  document.addEventListener("htmx:load", function (event) {
    var box = event.target;
    if (!box || box.id !== "tag-suggestions") return;
    var input = document.querySelector("[data-tag-input][aria-controls='tag-suggestion-list']");
    if (!input) return;
    var open = !box.hidden && document.activeElement === input;
    if (!open) box.hidden = true;
    input.setAttribute("aria-expanded", open && options(input).length ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
  });

  // Choosing with the mouse keeps the focus in the input, so the list does not close first.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest("[data-tag-option]");
    if (option) event.preventDefault();
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!isTagInput(input)) return;
    var box = container(input);
    if (box && event.relatedTarget && box.contains(event.relatedTarget)) return;
    close(input);
  });

  // Highlight follows the pointer, as in a native list.
  document.addEventListener("mouseover", function (event) {
    var option = event.target.closest && event.target.closest("[data-tag-option]");
    if (!option) return;
    var input = document.querySelector("[data-tag-input][aria-controls='" + option.parentElement.id + "']");
    if (input) highlight(input, option);
  });
})();
