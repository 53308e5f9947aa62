/*
 * Operator desk: keyboard shortcuts and dialog openers.
 *
 *   j / k    next / previous row of a list ([data-row])
 *   Enter    open the selected row (its data-href, else its first link or button)
 *   r        focus the reply box (#reply-text)
 *   n        focus the internal note box (#note-text)
 *   e        open the escalate dialog (#escalate-dialog)
 *   s        open the resolve dialog (#resolve-dialog)
 *   ?        show the shortcuts help (#shortcuts-help)
 *   N        (Shift+n) next ticket: follows the page's [data-next-ticket] link
 *
 * Shortcuts are ignored while typing in a field, with Ctrl/Alt/Meta held, and while a
 * dialog is open.  A dialog may be a native <dialog> or a Bootstrap Italia .modal.
 * Any element with data-open-dialog="#id" opens that dialog when clicked.
 */
(function () {
  "use strict";

  var ROW = "[data-row]";
  var CURRENT = "is-current";

  var FOCUS_TARGETS = { r: "reply-text", n: "note-text" };
  var DIALOGS = { e: "escalate-dialog", s: "resolve-dialog", "?": "shortcuts-help" };

  function isTyping(element) {
    if (!element || !element.closest) {
      return false;
    }
    return element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])") !== null;
  }

  function isDialogOpen() {
    return document.querySelector("dialog[open], .modal.show") !== null;
  }

  function visibleRows() {
    return Array.prototype.filter.call(document.querySelectorAll(ROW), function (row) {
      return row.getClientRects().length > 0;
    });
  }

  function markCurrent(row) {
    Array.prototype.forEach.call(document.querySelectorAll(ROW + "." + CURRENT), function (other) {
      if (other !== row) {
        other.classList.remove(CURRENT);
      }
    });
    row.classList.add(CURRENT);
  }

  function selectRow(row) {
    if (!row.hasAttribute("tabindex")) {
      row.setAttribute("tabindex", "-1"); // focusable from the keyboard, not a Tab stop
    }
    markCurrent(row);
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function moveRow(step) {
    var rows = visibleRows();
    if (rows.length === 0) {
      return false;
    }
    // Start from the focused row, else the last one selected (the operator may have
    // clicked elsewhere since), else the top or the bottom of the list.
    var current = document.activeElement && document.activeElement.closest ? document.activeElement.closest(ROW) : null;
    var index = rows.indexOf(current);
    if (index === -1) {
      index = rows.indexOf(document.querySelector(ROW + "." + CURRENT));
    }
    if (index === -1) {
      index = step > 0 ? 0 : rows.length - 1;
    } else {
      index = Math.min(rows.length - 1, Math.max(0, index + step));
    }
    selectRow(rows[index]);
    return true;
  }

  function openRow(row) {
    var href = row.getAttribute("data-href");
    if (href) {
      window.location.assign(href);
      return;
    }
    // Clicking keeps whatever the link does (plain navigation, hx-get, hx-boost).
    var action = row.querySelector("a[href], button:not([disabled])");
    (action || row).click();
  }

  function openDialog(selectorOrId) {
    var dialog =
      selectorOrId.charAt(0) === "#" ? document.querySelector(selectorOrId) : document.getElementById(selectorOrId);
    if (!dialog) {
      return false;
    }
    if (typeof HTMLDialogElement !== "undefined" && dialog instanceof HTMLDialogElement) {
      if (!dialog.open) {
        dialog.showModal(); // traps focus, closes on Esc, gives focus back on close
      }
      return true;
    }
    if (dialog.classList.contains("modal") && window.bootstrap && window.bootstrap.Modal) {
      window.bootstrap.Modal.getOrCreateInstance(dialog).show();
      return true;
    }
    return false;
  }

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field || field.disabled) {
      return false;
    }
    field.focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (isTyping(event.target) || isDialogOpen()) {
      return;
    }
    var key = event.key;
    var handled = false;
    if (key === "j" || key === "k") {
      handled = moveRow(key === "j" ? 1 : -1);
    } else if (event.repeat) {
      return; // holding a key must not reopen a dialog or refocus a field
    } else if (key === "Enter") {
      var row = event.target && event.target.matches && event.target.matches(ROW) ? event.target : null;
      if (row) {
        openRow(row);
        handled = true;
      }
    } else if (key === "N") {
      var next = document.querySelector("[data-next-ticket]");
      if (next) {
        window.location.assign(next.href);
        handled = true;
      }
    } else if (Object.prototype.hasOwnProperty.call(FOCUS_TARGETS, key)) {
      handled = focusField(FOCUS_TARGETS[key]);
    } else if (Object.prototype.hasOwnProperty.call(DIALOGS, key)) {
      handled = openDialog(DIALOGS[key]);
    }
    if (handled) {
      event.preventDefault(); // "r" must not type an r into the reply box it focused
    }
  });

  document.addEventListener("click", function (event) {
    var opener = event.target.closest ? event.target.closest("[data-open-dialog]") : null;
    if (opener && openDialog(opener.getAttribute("data-open-dialog"))) {
      event.preventDefault();
    }
  });

  // A button with data-close-dialog closes the dialog around it (Cancel) without submitting.
  document.addEventListener("click", function (event) {
    var closer = event.target.closest ? event.target.closest("[data-close-dialog]") : null;
    var dialog = closer ? closer.closest("dialog") : null;
    if (dialog && dialog.open) {
      event.preventDefault();
      dialog.close();
    }
  });

  /*
   * The queue list is re-rendered every few seconds (htmx polling).  Keep the row the operator
   * selected with j/k, and the focus on it, across the swap: rows carry data-ticket-id.
   */
  var kept = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var current = document.querySelector(ROW + "." + CURRENT);
    kept = current
      ? { id: current.getAttribute("data-ticket-id"), focused: current.contains(document.activeElement) }
      : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!kept || !kept.id) {
      return;
    }
    var row = document.querySelector(ROW + '[data-ticket-id="' + kept.id + '"]');
    if (row) {
      if (kept.focused) {
        selectRow(row);
      } else {
        markCurrent(row);
      }
    }
    kept = null;
  });

  // Focus inside a row (a click or Tab on its link) selects it too, so j/k go on from there.
  document.addEventListener("focusin", function (event) {
    var row = event.target.closest ? event.target.closest(ROW) : null;
    if (row) {
      markCurrent(row);
    }
  });
})();
