// "Show remote images" on an inbound email: images from other servers are stored with
// data-remote-src (messaging/html.py) and load only when the agent asks. Delegated from
// document, so it works for messages htmx swaps in later.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-show-remote-images]");
    if (!button) return;
    var message = button.closest(".message");
    if (!message) return;
    message.querySelectorAll("img[data-remote-src]").forEach(function (img) {
      var src = img.getAttribute("data-remote-src") || "";
      if (/^https?:\/\//i.test(src)) img.setAttribute("src", src);
      img.removeAttribute("data-remote-src");
    });
    button.remove();
  });
})();
