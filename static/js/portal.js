/*
 * Public portal: small enhancements.  Every page works without JavaScript; this only
 * adds conveniences, wired by data attributes because the CSP forbids inline handlers.
 *
 *   <button type="button" data-print>Print</button>
 *       prints the page (e.g. the status of a request and its reference).
 *   <button type="button" data-copy="IST-2026-0001234" data-copied="Copied">Copy</button>
 *       copies the text to the clipboard and briefly shows data-copied (translated
 *       in the template) next to the button, in a role="status" that screen readers
 *       announce.
 */
(function () {
  "use strict";

  var COPIED_FOR_MS = 3000;

  function copy(button) {
    var text = button.getAttribute("data-copy");
    if (!text || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      var copied = button.getAttribute("data-copied");
      if (!copied) {
        return;
      }
      var feedback = button.nextElementSibling;
      if (!feedback || !feedback.classList.contains("copy-feedback")) {
        feedback = document.createElement("span");
        feedback.className = "copy-feedback";
        feedback.setAttribute("role", "status");
        button.after(feedback);
      }
      // Filled a moment after the live region exists, or screen readers may miss it.
      window.setTimeout(function () {
        feedback.textContent = copied;
      }, 50);
      window.setTimeout(function () {
        feedback.textContent = "";
      }, COPIED_FOR_MS);
    });
  }

  document.addEventListener("click", function (event) {
    if (!event.target.closest) {
      return;
    }
    var printer = event.target.closest("[data-print]");
    if (printer) {
      event.preventDefault();
      window.print();
      return;
    }
    var copier = event.target.closest("[data-copy]");
    if (copier) {
      event.preventDefault();
      copy(copier);
    }
  });
})();
