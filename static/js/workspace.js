/* The workspace's small amount of JavaScript (CSP: no inline scripts, no eval).
 *
 * 1. A live character / SMS-segment count while typing. The server renders the
 *    authoritative count with every autosave; this mirrors its rules
 *    (notifications/analysts/sms.py) so the number moves with each keystroke.
 * 2. Polling pauses in background tabs and catches up when the tab returns.
 * 3. Small conveniences: close buttons, a visible notice when a request fails.
 */
(function () {
  "use strict";

  var GSM7_BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXTENSION = "^{}\\[~]|€\f";
  var SMS_MAX_SEGMENTS = 2;
  var PUSH_MAX_CHARS = 178;

  function smsSize(text) {
    var chars = Array.from(text);
    var gsm = chars.every(function (ch) { return GSM7_BASIC.indexOf(ch) >= 0 || GSM7_EXTENSION.indexOf(ch) >= 0; });
    var units, single, multi;
    if (gsm) {
      units = chars.reduce(function (n, ch) { return n + (GSM7_EXTENSION.indexOf(ch) >= 0 ? 2 : 1); }, 0);
      single = 160; multi = 153;
    } else {
      units = text.length; // UTF-16 code units, as the server counts them
      single = 70; multi = 67;
    }
    var segments = units === 0 ? 0 : (units <= single ? 1 : Math.ceil(units / multi));
    return { encoding: gsm ? "GSM-7" : "UCS-2", units: units, segments: segments, limit: multi * SMS_MAX_SEGMENTS };
  }

  function counterText(channel, subject, body) {
    var length = Array.from(body).length;
    if (channel === "SMS") {
      var s = smsSize(body);
      return {
        over: s.units > s.limit,
        text: s.units + (s.encoding === "GSM-7" ? " characters" : " UCS-2 units") + " · " + s.segments +
          " SMS segment" + (s.segments === 1 ? "" : "s") + " (" + s.encoding + "; limit " + s.limit + ")"
      };
    }
    if (channel === "App Push") {
      return { over: length > PUSH_MAX_CHARS, text: length + " / " + PUSH_MAX_CHARS + " characters" };
    }
    if (channel === "Email") {
      return { over: false, text: length + " characters · subject " + Array.from(subject).length };
    }
    return { over: false, text: length + " characters" };
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest("form.draft");
    if (!form) { return; }
    var body = form.querySelector("textarea[data-counter]");
    var subject = form.querySelector("input[name=subject]");
    var counter = body && document.getElementById(body.dataset.counter);
    if (counter) {
      var info = counterText(body.dataset.channel, subject ? subject.value : "", body.value);
      counter.textContent = info.text + (info.over ? " — too long" : "");
      counter.classList.toggle("counter--over", info.over);
    }
    var state = form.querySelector(".save-state");
    if (state) {
      state.textContent = "Unsaved changes…";
      state.classList.remove("save-state--error");
    }
  });

  // Polling elements marked data-pause-hidden skip their requests while the tab is hidden.
  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    if (document.visibilityState !== "visible" && elt && elt.closest && elt.closest("[data-pause-hidden]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && window.htmx) {
      window.htmx.trigger(document.body, "tabVisible");
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close]");
    if (button) {
      var target = button.closest(button.dataset.close);
      var row = target && target.closest(".qrow");
      if (target) { target.remove(); }
      var link = row && row.querySelector(".qrow__open");
      if (link) { link.focus(); } // the focus goes back to the row, never to the page
    }
  });

  function showNetworkError() {
    var box = document.getElementById("net-error");
    if (!box) { return; }
    box.hidden = false;
    window.clearTimeout(showNetworkError.timer);
    showNetworkError.timer = window.setTimeout(function () { box.hidden = true; }, 8000);
  }
  document.addEventListener("htmx:sendError", showNetworkError);
  document.addEventListener("htmx:responseError", showNetworkError);
})();
