/*
 * Page setup shared by the portal and the desk, mostly htmx configuration.
 *
 * Loaded right after htmx.min.js and BEFORE the Bootstrap Italia bundle: htmx reads its
 * config on DOMContentLoaded and video.js (inside the bundle) reads its flag when the
 * bundle runs.  Configured here rather than in a <meta name="htmx-config"> so that
 * there is one place to read.
 */

// video.js, bundled in Bootstrap Italia, injects a <style> element at load time that the
// Content-Security-Policy (no 'unsafe-inline' styles) blocks and reports on every page.
// We show no video players, and bootstrap-italia.min.css carries the .video-js rules.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;

(function () {
  "use strict";

  var htmx = window.htmx;
  if (!htmx) {
    return;
  }

  var ERROR_REGION_LIMIT = 5;

  /*
   * Domain errors (tickets.errors) come back with their own status and the partial
   * errors/_inline.html: 409 when someone else changed or took the request, 422 when the
   * rules say no or a form is invalid.  htmx 2 swaps only 2xx by default, so without
   * these lines the operator would see nothing.  error: true keeps
   * event.detail.successful false, so a form is not reset after a refusal.
   */
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true, error: true },
    { code: "422", swap: true, error: true },
    { code: "[45]..", swap: false, error: true },
    { code: "...", swap: false },
  ];

  // The Content-Security-Policy forbids inline styles and scripts: htmx must not inject
  // its indicator <style> (the .htmx-indicator rules live in portal.css and desk.css),
  // evaluate hx-on / "js:" / trigger filters, or run <script> elements it swaps in.
  htmx.config.includeIndicatorStyles = false;
  htmx.config.allowEval = false;
  htmx.config.allowScriptTags = false;

  // Pages carry personal data: keep no copies of them in localStorage.  Going back to a
  // page htmx pushed reloads it from the server instead.
  htmx.config.historyCacheSize = 0;
  htmx.config.refreshOnHistoryMiss = true;

  /*
   * Automatic refreshes (hx-trigger="every …": lists, presence, the caller pop-up, the board)
   * say so with a header, so the server's idle clock does not count them as the person's
   * activity (privacy.middleware).  Read from the attribute, so a new polled element is
   * covered without anyone remembering to add the header.
   */
  var POLL_TRIGGER = /(^|,)\s*every\s/;
  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    var trigger = elt && elt.getAttribute ? elt.getAttribute("hx-trigger") || "" : "";
    if (POLL_TRIGGER.test(trigger)) {
      event.detail.headers["X-Sportello-Poll"] = "1";
    }
  });

  /** Is this response exactly one errors/_inline.html partial? */
  function isDomainErrorPartial(html) {
    if (typeof html !== "string" || html.indexOf("data-domain-error") === -1) {
      return false;
    }
    var template = document.createElement("template"); // inert: nothing loads or runs
    template.innerHTML = html;
    var elements = template.content.children;
    return elements.length === 1 && elements[0].hasAttribute("data-domain-error");
  }

  /*
   * Where a domain error goes: the element named by the closest data-error-target="#id"
   * around the element that made the request, else the page's [data-error-region]
   * (#toasts on the desk, #page-alerts on the portal).  Never the request's own target:
   * that would replace, say, the reply form and the text being typed.
   */
  function findErrorRegion(requester) {
    var scoped = requester && requester.closest ? requester.closest("[data-error-target]") : null;
    if (scoped) {
      var target = document.querySelector(scoped.getAttribute("data-error-target"));
      if (target) {
        return { element: target, swap: "innerHTML" };
      }
    }
    var region = document.querySelector("[data-error-region]");
    return region ? { element: region, swap: "afterbegin" } : null;
  }

  function trimRegion(region) {
    if (region && region.hasAttribute("data-error-region")) {
      while (region.children.length > ERROR_REGION_LIMIT) {
        region.removeChild(region.lastElementChild);
      }
    }
  }

  function showTemplate(id, requester) {
    var template = document.getElementById(id);
    var place = findErrorRegion(requester);
    if (!template || !place) {
      return;
    }
    if (place.swap === "innerHTML") {
      place.element.replaceChildren();
    }
    place.element.prepend(template.content.cloneNode(true));
    trimRegion(place.element);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var status = detail.xhr.status;
    if (status < 400 || status >= 500 || !isDomainErrorPartial(detail.serverResponse)) {
      return;
    }
    // Any 4xx domain error is shown (404 "not found" too), not only 409 and 422.
    detail.shouldSwap = true;
    detail.isError = true;
    detail.xhr.sportelloErrorShown = true;
    if (detail.xhr.getResponseHeader("HX-Retarget")) {
      return; // the server chose where it goes
    }
    var place = findErrorRegion(detail.requestConfig && detail.requestConfig.elt);
    if (place) {
      detail.target = place.element;
      detail.swapOverride = place.swap;
      detail.selectOverride = "unset"; // an hx-select on the requester would drop the alert
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    trimRegion(event.detail.target);
  });

  // Failures with nothing to swap (500, 403 after the session expired, lost network)
  // still get a message, so a click never silently does nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    if (xhr.sportelloErrorShown || xhr.status === 409 || xhr.status === 422) {
      return; // already on screen
    }
    showTemplate("htmx-error-response", event.detail.elt);
  });

  function showNetworkError(event) {
    showTemplate("htmx-error-network", event.detail.elt);
  }
  document.addEventListener("htmx:sendError", showNetworkError);
  document.addEventListener("htmx:timeout", showNetworkError);
})();
