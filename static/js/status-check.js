/*
 * The browser check of the status lookup (faq/lookup.py), loaded only on the page that asks it.
 *
 * The form carries a challenge signed by the server. This finds the first number n such that
 * PBKDF2-HMAC-SHA256(password = challenge, salt = n, data-check-iterations rounds) starts with
 * data-check-bits zero bits, puts it in check_nonce and sends the form: about a second of work,
 * which the server verifies with one derivation. PBKDF2 rather than one SHA-256 per try: its rounds
 * run natively, where crypto.subtle.digest pays a promise per hash. Progress is told in
 * the role="status" paragraph, which screen readers announce; the texts come translated from the
 * template (data-working, data-done). Without crypto.subtle (an old browser, or plain HTTP) nothing
 * changes: the page's own instructions for browsers without JavaScript (wait, then send) stay.
 */
(function () {
  "use strict";

  // Derivations asked of crypto.subtle at once: it runs them on other threads (8 measured best).
  var BATCH = 8;

  var form = document.querySelector("form[data-status-check]");
  var box = document.getElementById("status-check");
  if (!form || !box || !window.crypto || !window.crypto.subtle || !window.TextEncoder) {
    return;
  }
  var progress = document.getElementById("status-check-progress");
  var waitHint = document.getElementById("status-check-wait");
  var challenge = form.elements.check_challenge.value;
  var bits = parseInt(box.getAttribute("data-check-bits"), 10);
  var iterations = parseInt(box.getAttribute("data-check-iterations"), 10);
  var encoder = new TextEncoder();
  var solved = false;

  function leadingZeroBits(buffer) {
    var bytes = new Uint8Array(buffer);
    var count = 0;
    for (var i = 0; i < bytes.length; i += 1) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      return count + Math.clz32(bytes[i]) - 24;
    }
    return count;
  }

  function search(key, start) {
    var derived = [];
    for (var n = start; n < start + BATCH; n += 1) {
      var params = { name: "PBKDF2", hash: "SHA-256", salt: encoder.encode(String(n)), iterations: iterations };
      derived.push(window.crypto.subtle.deriveBits(params, key, 256));
    }
    return Promise.all(derived).then(function (results) {
      for (var i = 0; i < results.length; i += 1) {
        if (leadingZeroBits(results[i]) >= bits) {
          return start + i;
        }
      }
      return search(key, start + BATCH);
    });
  }

  function say(text) {
    progress.textContent = text || "";
  }

  // Pressing the button while the check runs sends nothing: the form goes by itself when done.
  form.addEventListener("submit", function (event) {
    if (!solved) {
      event.preventDefault();
    }
  });

  waitHint.hidden = true;
  // Filled a moment after the page is shown, or screen readers may miss the live region's change.
  window.setTimeout(function () {
    say(box.getAttribute("data-working"));
  }, 50);
  window.crypto.subtle
    .importKey("raw", encoder.encode(challenge), "PBKDF2", false, ["deriveBits"])
    .then(function (key) {
      return search(key, 0);
    })
    .then(
      function (nonce) {
        form.elements.check_nonce.value = String(nonce);
        solved = true;
        say(box.getAttribute("data-done"));
        form.submit();
      },
      function () {
        // The browser cannot derive keys: the way without JavaScript (wait, then send) still works.
        say("");
        waitHint.hidden = false;
      }
    );
})();
