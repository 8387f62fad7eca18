/* The compact queue: rows that open into cards, keyboard triage, live rows, focus that never drops.
 *
 * CSP: no inline script, no eval. Runs on every page with queue rows (the queue, a card's own page).
 * 1. A row's name link opens its card below the line (loaded once, on first open); Enter or `o`.
 * 2. Keys (when not typing in a box): j/k next/previous, o open, c claim, e edit, s send, d dismiss,
 *    ? help; Esc leaves a text box. Each acts on the row that has focus (the first row if none).
 * 3. Live rows: the #live poller sends each row's stamp every few seconds while a row can still
 *    change (data-live); the server answers 204, or the changed lines and open cards out of band.
 * 4. Focus: when a swap replaces the element that had focus, the same element (by id or data-key)
 *    or its row's link gets it back, so keyboard users never land on the page body.
 */
(function () {
  "use strict";

  function rows() { return Array.prototype.slice.call(document.querySelectorAll(".qrow")); }
  function rowOf(el) { return el && el.closest ? el.closest(".qrow") : null; }
  function rowLink(row) { return row.querySelector(".qrow__open"); }
  function detail(row) { return row.querySelector(".qrow__detail"); }
  function cardOf(row) { return detail(row).querySelector(".card"); }
  function currentRow() { return rowOf(document.activeElement) || rows()[0] || null; }

  function focusRow(row) {
    var link = row && rowLink(row);
    if (link) {
      link.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function setOpen(row, open) {
    detail(row).hidden = !open;
    row.classList.toggle("is-open", open);
    rowLink(row).setAttribute("aria-expanded", open ? "true" : "false");
  }

  // The card on the page (loaded on first open); resolves with it, or null if it could not be loaded.
  function openRow(row) {
    var card = cardOf(row);
    if (card) {
      setOpen(row, true);
      return Promise.resolve(card);
    }
    var url = rowLink(row).getAttribute("href");
    var target = detail(row);
    // htmx.ajax resolves once the card is swapped in but before htmx has wired its buttons (the settle):
    // wait for the settle, or a key pressed right after opening would submit a form the old way.
    return new Promise(function (resolve) {
      function settled(event) {
        if (!target.contains(event.target) && event.target !== target) { return; }
        document.removeEventListener("htmx:afterSettle", settled);
        var loaded = cardOf(row);
        if (loaded) { setOpen(row, true); }
        resolve(loaded);
      }
      document.addEventListener("htmx:afterSettle", settled);
      window.htmx.ajax("GET", url, { target: target, swap: "innerHTML" }).then(function () {
        if (!cardOf(row)) { // refused or failed: nothing to settle
          document.removeEventListener("htmx:afterSettle", settled);
          resolve(null);
        }
      });
    });
  }

  function toggleRow(row) {
    if (cardOf(row) && !detail(row).hidden) {
      setOpen(row, false);
      return;
    }
    openRow(row);
  }

  // Run `fn(el)` once `selector` matches inside the row after a swap settles there (gives up after 10 s).
  function whenSettled(row, selector, fn) {
    var timer;
    function check(event) {
      var el = row.querySelector(selector);
      if (event && !row.contains(event.target)) { return; }
      if (el) {
        document.removeEventListener("htmx:afterSettle", check);
        window.clearTimeout(timer);
        fn(el);
      }
    }
    document.addEventListener("htmx:afterSettle", check);
    timer = window.setTimeout(function () { document.removeEventListener("htmx:afterSettle", check); }, 10000);
  }

  function say(text) {
    var box = document.getElementById("keys-status");
    if (!box) { return; }
    box.textContent = text;
    box.hidden = false;
    window.clearTimeout(say.timer);
    say.timer = window.setTimeout(function () { box.hidden = true; }, 4000);
  }

  function withCard(fn) {
    var row = currentRow();
    if (!row) { return; }
    openRow(row).then(function (card) { if (card) { fn(card, row); } });
  }

  function openEditor(row) {
    var area = row.querySelector('textarea[data-key="edit"]');
    if (!area) { return false; }
    var script = area.closest("details");
    if (script) { script.open = true; }
    area.focus();
    return true;
  }

  var claimingByKey = null; // the row a `c` is claiming, until its card settles

  var actions = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: function () { var row = currentRow(); if (row) { toggleRow(row); focusRow(row); } },
    c: function () {
      withCard(function (card, row) {
        var button = card.querySelector('[data-key="claim"]');
        if (!button) { say("This customer is already claimed: the card says by whom."); return; }
        // Triage: the claim is taken and the focus stays where the agent is: on this row, so j moves on, or
        // on the row they moved to with j before the answer came (the editor's autofocus must not pull
        // them back: see htmx:afterSwap below).
        claimingByKey = row;
        whenSettled(row, ".claim__who--mine, .claim__who--other", function () {
          claimingByKey = null;
          var active = document.activeElement;
          if (!active || active === document.body || row.contains(active)) { focusRow(row); }
        });
        button.click();
      });
    },
    e: function () {
      withCard(function (card, row) {
        if (openEditor(row)) { return; }
        var button = card.querySelector('[data-key="claim"]');
        if (!button) { say("A colleague is working on this customer: you cannot edit it now."); return; }
        whenSettled(row, 'textarea[data-key="edit"]', function () { openEditor(row); });
        button.click();
      });
    },
    s: function () {
      withCard(function (card) {
        var send = card.querySelector('[data-key="send"]');
        var ask = card.querySelector('[data-key="request-approval"]');
        if (send) { send.click(); } else if (ask) { ask.focus(); say("This draft needs a supervisor's approval first."); } else {
          say("Claim the customer first (c), then send.");
        }
      });
    },
    d: function () {
      withCard(function (card, row) {
        var summary = card.querySelector('[data-key="dismiss"]');
        if (!summary) { say("Only the colleague working on this customer can dismiss it."); return; }
        var box = summary.closest("details");
        if (!box.open) { summary.click(); }
        var first = box.querySelector('input[name="reason"]');
        if (first) { first.focus(); } else { whenSettled(row, 'details[open] input[name="reason"]', function (el) { el.focus(); }); }
      });
    },
    "?": function () { toggleHelp(); }
  };

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var current = rowOf(document.activeElement);
    var index = current ? all.indexOf(current) + step : 0;
    focusRow(all[Math.max(0, Math.min(all.length - 1, index))]);
  }

  var lastFocus = null;
  function toggleHelp() {
    var dialog = document.getElementById("keys-help");
    if (!dialog) { return; }
    if (dialog.open) { dialog.close(); return; }
    lastFocus = document.activeElement;
    dialog.showModal();
  }
  document.addEventListener("close", function (event) {
    if (event.target.id === "keys-help" && lastFocus && document.contains(lastFocus)) { lastFocus.focus(); }
  }, true);

  function isTextBox(el) {
    if (!el || !el.closest) { return false; }
    var box = el.closest("textarea, select, [contenteditable], input");
    return Boolean(box) && !(box.tagName === "INPUT" && /^(radio|checkbox|submit|button|reset)$/.test(box.type));
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var target = event.target;
    if (event.key === "Escape" && isTextBox(target) && rowOf(target)) {
      event.preventDefault();
      focusRow(rowOf(target)); // the draft autosaves as it is typed
      return;
    }
    if (isTextBox(target)) { return; }
    var dialog = document.getElementById("keys-help");
    if (dialog && dialog.open && event.key !== "?") { return; }
    var action = actions[event.key];
    if (!action || (!rows().length && event.key !== "?")) { return; }
    event.preventDefault();
    action();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-help]")) { toggleHelp(); return; }
    var line = event.target.closest(".qrow__line");
    if (!line || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
    var link = event.target.closest("a");
    if (link && !link.classList.contains("qrow__open")) { return; }
    event.preventDefault(); // the link works without JavaScript: the card's own page
    var row = rowOf(line);
    toggleRow(row);
    focusRow(row);
  });

  // --- live rows ---------------------------------------------------------------------------
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "live") { return; }
    event.detail.parameters.rows = rows().map(function (row) {
      var line = row.querySelector(".qrow__line");
      return row.dataset.pk + "." + line.dataset.stamp + (cardOf(row) ? ".o" : "");
    }).join(",");
  });
  document.addEventListener("htmx:confirm", function (event) {
    // Poll only while something on the page can still change without us (a claim, a delivery on its way).
    if (event.detail.elt.id === "live" && !document.querySelector(".qrow__line[data-live]")) {
      event.preventDefault();
    }
  });

  // --- focus that survives swaps -------------------------------------------------------------
  var pending = null;
  function remember(target) {
    var active = document.activeElement;
    if (!target || !active || active === document.body || !target.contains(active)) { return; }
    var row = rowOf(active);
    pending = { id: active.id, key: active.getAttribute("data-key"), row: row ? row.id : "" };
  }
  // `settled`: the whole response is in; before that (an out-of-band part) the main swap may still take the focus.
  function restore(settled) {
    if (!pending) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) {
      if (settled === true) { pending = null; }
      return;
    }
    var wanted = pending;
    pending = null;
    var row = wanted.row ? document.getElementById(wanted.row) : null;
    var el = wanted.id ? document.getElementById(wanted.id) : null;
    if (!el && row && wanted.key) { el = row.querySelector('[data-key="' + wanted.key + '"]'); }
    if (!el && row) { el = rowLink(row); }
    if (el) { el.focus({ preventScroll: true }); }
  }
  // At the request too: hx-disabled-elt disables (and so blurs) the button that was pressed before any swap.
  document.addEventListener("htmx:beforeRequest", function (event) { remember(event.detail.target); });
  document.addEventListener("htmx:beforeSwap", function (event) { remember(event.detail.target); });
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail.target;
    // A live update never replaces a card while its agent is typing in it: the line still updates.
    if (target && target.classList.contains("card") && isTextBox(document.activeElement) && target.contains(document.activeElement)) {
      event.preventDefault();
      return;
    }
    remember(target);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    // A line sent by the server cannot know whether its row is open here: say it again.
    rows().forEach(function (row) {
      rowLink(row).setAttribute("aria-expanded", cardOf(row) && !detail(row).hidden ? "true" : "false");
    });
    restore(false);
  });
  document.addEventListener("htmx:afterSettle", function () { restore(true); });
  // A claim by key: htmx focuses [autofocus] (the editor) when the card settles; the keyboard agent is
  // triaging, not editing, so the attribute goes before the settle (afterSwap comes first).
  document.addEventListener("htmx:afterSwap", function () {
    if (!claimingByKey) { return; }
    Array.prototype.forEach.call(claimingByKey.querySelectorAll("[autofocus]"), function (el) {
      el.removeAttribute("autofocus");
    });
  });
})();
