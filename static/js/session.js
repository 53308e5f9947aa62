/*
 * Warn before an idle staff session is closed, and keep it open with one action (WCAG 2.2.1).
 *
 * The server closes a session after data-session-idle seconds without a person's action
 * (privacy.middleware); automatic refreshes do not count.  The page assumes it was just used
 * when it loads, asks the server how long is really left shortly before the warning is due
 * (another tab may have been used meanwhile), and opens #session-warning two minutes before
 * the end.  "Stay signed in" extends the session; when time runs out the tab goes to the
 * sign-in page, back to this page afterwards.
 */
(function () {
  "use strict";

  var body = document.body;
  var idle = parseInt(body.getAttribute("data-session-idle") || "", 10);
  var dialog = document.getElementById("session-warning");
  if (!idle || !dialog) {
    return;
  }
  var stateUrl = body.getAttribute("data-session-state");
  var extendUrl = body.getAttribute("data-session-extend");
  var loginUrl = body.getAttribute("data-session-login");
  var countdown = dialog.querySelector("[data-session-countdown]");
  var template = document.getElementById("session-countdown-text");
  var WARN = Math.min(120, Math.floor(idle / 2)); // seconds of warning; WCAG asks for at least 20
  var ASK_EARLY = 70; // the server writes its clock once a minute: ask a little before the warning
  var timer = null;
  var ticker = null;
  var deadline = 0;

  function csrfToken() {
    try {
      return JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function goToLogin() {
    var here = window.location.pathname + window.location.search;
    window.location.assign(loginUrl + "?next=" + encodeURIComponent(here));
  }

  function formatLeft(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes > 0 ? minutes + " min " + (rest < 10 ? "0" : "") + rest + " s" : rest + " s";
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (countdown && template) {
      countdown.textContent = template.innerHTML.replace("%(time)s", formatLeft(left));
    }
    if (left <= 0) {
      check();
    }
  }

  function showWarning() {
    if (!dialog.open) {
      dialog.showModal();
      var button = dialog.querySelector("[data-session-extend]");
      if (button) {
        button.focus();
      }
    }
    tick();
    if (!ticker) {
      ticker = window.setInterval(tick, 1000);
    }
  }

  function hideWarning() {
    if (ticker) {
      window.clearInterval(ticker);
      ticker = null;
    }
    if (dialog.open) {
      dialog.close();
    }
  }

  /** The server says `remaining` seconds are left: plan the next look accordingly. */
  function plan(remaining) {
    window.clearTimeout(timer);
    deadline = Date.now() + remaining * 1000;
    if (remaining <= 0) {
      goToLogin();
      return;
    }
    if (remaining <= WARN) {
      showWarning();
      timer = window.setTimeout(check, Math.min(remaining, 15) * 1000);
      return;
    }
    hideWarning();
    timer = window.setTimeout(check, Math.max(remaining - WARN - ASK_EARLY, 5) * 1000);
  }

  function answer(response) {
    if (response.status === 401 || response.type === "opaqueredirect") {
      goToLogin();
      return null;
    }
    return response.ok ? response.json() : null;
  }

  function check() {
    window
      .fetch(stateUrl, {
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        headers: { Accept: "application/json", "X-Sportello-Poll": "1" },
      })
      .then(answer)
      .then(function (data) {
        if (data) {
          plan(data.remaining);
        }
      })
      .catch(function () {
        timer = window.setTimeout(check, 30000); // offline for a moment: look again later
      });
  }

  function extend() {
    window
      .fetch(extendUrl, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        redirect: "manual",
        headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      })
      .then(answer)
      .then(function (data) {
        if (data) {
          plan(data.remaining);
        }
      });
  }

  dialog.addEventListener("cancel", function (event) {
    event.preventDefault(); // Esc must not hide the warning without extending the session
  });
  var button = dialog.querySelector("[data-session-extend]");
  if (button) {
    button.addEventListener("click", extend);
  }
  // A person's own request (not a refresh) restarts the server's clock: start ours again too.
  document.addEventListener("htmx:afterRequest", function (event) {
    var headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
    if (event.detail.successful && !headers["X-Sportello-Poll"] && !dialog.open) {
      plan(idle);
    }
  });
  plan(idle);
})();
