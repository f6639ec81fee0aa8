// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";

  // Fill the time zone on sign-up from the browser, when it is still the default.
  document.querySelectorAll("[data-detect-tz]").forEach(function (input) {
    try {
      var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (tz && (!input.value || input.value === "UTC")) input.value = tz;
    } catch (e) { /* keep UTC */ }
  });

  // The counselor summary: one click to print (or save as PDF).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Settings: when the saved zone is still UTC, preselect the browser's zone
  // (the person still presses Save; nothing changes behind their back).
  document.querySelectorAll("select[data-detect-tz-select]").forEach(function (select) {
    try {
      var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!tz || select.value !== "UTC" || tz === "UTC") return;
      for (var i = 0; i < select.options.length; i++) {
        if (select.options[i].value === tz || select.options[i].text === tz) {
          select.selectedIndex = i;
          var help = document.getElementById("tz-help");
          if (help) help.textContent = "We picked " + tz + " from this device. Press Save to keep it.";
          break;
        }
      }
    } catch (e) { /* keep what is saved */ }
  });

  // Copy and share buttons: shown only where the browser can do it; the plain
  // link and the selectable field work without them.
  document.querySelectorAll("[data-share]").forEach(function (box) {
    var status = box.querySelector(".share-status");
    function say(t) { if (status) status.textContent = t; }
    var copy = box.querySelector("[data-copy]");
    if (copy && navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        var field = document.querySelector(copy.getAttribute("data-copy"));
        navigator.clipboard.writeText(field ? field.value : "").then(function () {
          say("Copied. Paste it into a message to your partner.");
        }, function () { if (field) { field.focus(); field.select(); } say("Select the link and copy it."); });
      });
    }
    var share = box.querySelector("[data-share-url]");
    if (share && navigator.share) {
      share.hidden = false;
      share.addEventListener("click", function () {
        navigator.share({ title: share.getAttribute("data-share-title") || document.title,
          url: share.getAttribute("data-share-url") }).catch(function () { /* cancelled */ });
      });
    }
  });

  // Check-ins on a phone: one part per screen, with progress. Without script,
  // or on a wide screen, the whole form shows at once.
  document.querySelectorAll("form.checkin-form").forEach(function (form) {
    if (!window.matchMedia || !window.matchMedia("(max-width: 40rem)").matches) return;
    var parts = Array.prototype.slice.call(form.querySelectorAll("fieldset.instrument"));
    var send = form.querySelector(".checkin-send");
    if (parts.length < 2 || !send) return;
    parts.push(send);
    form.setAttribute("data-stepped", "");
    var head = el("div", "step-progress");
    var label = el("span", null, "");
    var bar = document.createElement("progress");
    bar.max = parts.length;
    bar.setAttribute("aria-hidden", "true");
    head.appendChild(label); head.appendChild(bar);
    form.insertBefore(head, parts[0]);
    var nav = el("div", "step-nav");
    var back = el("button", "secondary", "Back"); back.type = "button";
    var next = el("button", null, "Next"); next.type = "button";
    nav.appendChild(back); nav.appendChild(next);
    form.appendChild(nav);
    var at = 0;
    parts.forEach(function (p, i) { if (at === 0 && i > 0 && p.querySelector(".has-error, .field-error")) at = i; });
    if (parts[0].querySelector(".has-error, .field-error")) at = 0;
    function show(i, focus) {
      at = Math.max(0, Math.min(parts.length - 1, i));
      parts.forEach(function (p, j) { p.classList.toggle("is-hidden", j !== at); });
      label.textContent = "Part " + (at + 1) + " of " + parts.length;
      bar.value = at + 1;
      back.hidden = at === 0;
      next.hidden = at === parts.length - 1;
      if (focus) { head.scrollIntoView({ block: "start" }); var f = parts[at].querySelector("legend, input, textarea"); if (f && f.focus) { f.tabIndex = f.tabIndex < 0 ? -1 : f.tabIndex; } }
    }
    back.addEventListener("click", function () { show(at - 1, true); });
    next.addEventListener("click", function () { show(at + 1, true); });
    show(at, false);
  });

  // Close the "More" sheet with Esc or a tap outside it.
  var more = document.querySelector("details.more");
  if (more) {
    document.addEventListener("click", function (ev) { if (more.open && !more.contains(ev.target)) more.open = false; });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && more.open) { more.open = false; more.querySelector("summary").focus(); } });
  }

  // ---- The language coach --------------------------------------------------
  var LABELS = {
    blame: "Blame", absolute: "Sweeping word", criticism: "Criticism", contempt: "Contempt",
    defensiveness: "Defensiveness", stonewalling: "Shutting down", pseudo_feeling: "Judgment dressed as a feeling",
    safety: "Support", i_statement: "Speaks for yourself", request: "Clear request", repair: "Repair",
    validation: "Validation", hidden_barb: "Hidden barb"
  };
  var STRENGTHS = { i_statement: 1, request: 1, repair: 1, validation: 1 };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // ---- Installable app -------------------------------------------------------
  // The service worker keeps only the static shell and the offline page.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* pages work without it */ });
  }
  var installCard = document.querySelector("[data-install-card]");
  if (installCard) {
    var ready = installCard.querySelector("[data-install-ready]");
    var manual = installCard.querySelector("[data-install-manual]");
    var done = installCard.querySelector("[data-install-done]");
    var installed = window.matchMedia && window.matchMedia("(display-mode: standalone)").matches;
    if (installed) { manual.hidden = true; done.hidden = false; }
    var deferred = null;
    window.addEventListener("beforeinstallprompt", function (e) {
      e.preventDefault();
      deferred = e;
      ready.hidden = false;
      manual.hidden = true;
    });
    installCard.querySelector("[data-install]").addEventListener("click", function () {
      if (!deferred) return;
      deferred.prompt();
      deferred.userChoice.then(function (choice) {
        if (choice.outcome === "accepted") { ready.hidden = true; done.hidden = false; }
        deferred = null;
      });
    });
    window.addEventListener("appinstalled", function () { ready.hidden = true; manual.hidden = true; done.hidden = false; });
  }

  // ---- Waiting for you: the Home badge and list, kept live ------------------
  // The server sends the whole list whenever it changes; the stream ends when
  // the sign-in no longer holds, and EventSource reconnects on its own.
  var badge = document.getElementById("waiting-count");
  if (badge && window.EventSource) {
    var list = document.getElementById("waiting-list");
    var section = document.querySelector("[data-waiting-list]");
    var source = new EventSource("/api/v1/waiting/events");
    source.addEventListener("waiting", function (ev) {
      var data;
      try { data = JSON.parse(ev.data); } catch (e) { return; }
      badge.firstChild.nodeValue = String(data.count);
      badge.setAttribute("aria-label", data.count + " waiting");
      badge.hidden = data.count === 0;
      if (list && section) {
        list.textContent = "";
        data.items.forEach(function (item) {
          var li = el("li");
          li.setAttribute("data-key", item.key);
          var a = el("a", null, item.what);
          a.href = item.href;
          li.appendChild(a);
          list.appendChild(li);
        });
        section.hidden = data.items.length === 0;
      }
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  function setupCoach(area) {
    var wrap = el("div", "coach-wrap");
    area.parentNode.insertBefore(wrap, area);
    var backdrop = el("div", "coach-backdrop");
    backdrop.setAttribute("aria-hidden", "true");
    wrap.appendChild(backdrop);
    wrap.appendChild(area);
    var panel = el("div", "coach-panel");
    panel.setAttribute("aria-live", "polite");
    panel.id = (area.id || "text") + "-coach";
    // The notes go just after the form, below its buttons, when this is the form's only
    // coached box: the panel grows and shrinks each time the writer pauses, and "Save"
    // should not move while they type. The underlines in the box show at once what the
    // notes are about. A form with several coached boxes keeps each box's notes under it.
    var coached = area.form ? area.form.querySelectorAll("textarea[data-coach]").length : 0;
    var after = coached === 1 ? area.form : wrap;
    after.parentNode.insertBefore(panel, after.nextSibling);
    // The coach reads along here, so the no-JS "Check with the coach" button is not needed.
    if (area.form) area.form.querySelectorAll("button.coach-check").forEach(function (b) { b.hidden = true; });
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + panel.id);

    var timer = null, seq = 0, last = null;

    // In a form of several coached boxes the panel grows above the form's buttons. Were it
    // to grow between the press and the release of "Save", the button would move out from
    // under the finger and the press would be lost; so while a button of the form is held
    // down, the coach waits.
    if (area.form) {
      area.form.addEventListener("pointerdown", function (ev) {
        if (!ev.target.closest || !ev.target.closest("button:not([type=button]), input[type=submit]")) return;
        clearTimeout(timer);
        seq++;
        last = null;
      });
      ["pointerup", "pointercancel"].forEach(function (type) {
        area.form.addEventListener(type, function () { if (last === null) schedule(400); });
      });
    }

    function paint(text, findings) {
      var chars = Array.from(text);
      backdrop.textContent = "";
      var marks = [];
      var pos = 0;
      var problems = findings.filter(function (f) { return !STRENGTHS[f.kind] && f.kind !== "safety"; })
        .sort(function (a, b) { return a.start - b.start; });
      problems.forEach(function (f, i) {
        if (f.start < pos) return; // overlapping spans: underline the first
        backdrop.appendChild(document.createTextNode(chars.slice(pos, f.start).join("")));
        var m = el("mark", "coach-mark kind-" + f.kind, chars.slice(f.start, f.end).join(""));
        m.dataset.index = String(i);
        backdrop.appendChild(m);
        marks[i] = m;
        pos = f.end;
      });
      backdrop.appendChild(document.createTextNode(chars.slice(pos).join("") + "\n"));
      backdrop.scrollTop = area.scrollTop;
      return { problems: problems, marks: marks, chars: chars };
    }

    function render(result) {
      var text = result.text;
      var painted = paint(text, result.findings);
      panel.textContent = "";
      if (!text.trim()) return;
      var strengths = result.findings.filter(function (f) { return STRENGTHS[f.kind]; });
      var safety = result.findings.filter(function (f) { return f.kind === "safety"; });
      if (safety.length) {
        // Only the writer ever sees this card; nothing about it is stored or sent on.
        var card = el("div", "coach-safety card");
        card.setAttribute("role", "note");
        card.appendChild(el("p", null, safety[0].explanation));
        var help = el("a", "button", "Find help now");
        help.href = "/safety/resources";
        card.appendChild(help);
        panel.appendChild(card);
      }
      if (!painted.problems.length && !strengths.length) return;
      var heading = el("p", "coach-heading", painted.problems.length
        ? "The coach noticed something that may be hard to hear:"
        : "The coach noticed:");
      panel.appendChild(heading);
      var list = el("ul", "coach-findings");
      painted.problems.forEach(function (f, i) {
        var li = el("li", "coach-finding kind-" + f.kind);
        li.tabIndex = 0;
        li.appendChild(el("strong", null, (LABELS[f.kind] || f.kind) + ": "));
        li.appendChild(el("q", null, painted.chars.slice(f.start, f.end).join("")));
        li.appendChild(el("span", "coach-explanation", " " + f.explanation));
        var on = function () { if (painted.marks[i]) painted.marks[i].classList.add("active"); };
        var off = function () { if (painted.marks[i]) painted.marks[i].classList.remove("active"); };
        li.addEventListener("mouseenter", on); li.addEventListener("focus", on);
        li.addEventListener("mouseleave", off); li.addEventListener("blur", off);
        list.appendChild(li);
      });
      strengths.forEach(function (f) {
        var li = el("li", "coach-finding strength kind-" + f.kind);
        li.appendChild(el("strong", null, (LABELS[f.kind] || f.kind) + ": "));
        li.appendChild(el("span", "coach-explanation", f.explanation));
        list.appendChild(li);
      });
      panel.appendChild(list);
      if (result.builder) {
        renderBuilder(result.builder);
      } else if (result.rewrites && result.rewrites.length) {
        panel.appendChild(el("p", "coach-heading", "You could say it like this (edit freely):"));
        var rl = el("ul", "coach-rewrites");
        result.rewrites.forEach(function (r) {
          var li = el("li", "coach-rewrite");
          li.appendChild(el("span", "coach-rewrite-text", r.text));
          var b = el("button", "link coach-use", "Use this");
          b.type = "button";
          b.addEventListener("click", function () {
            area.value = r.text;
            area.focus();
            schedule(0);
          });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(b);
          rl.appendChild(li);
        });
        panel.appendChild(rl);
      }
      panel.appendChild(el("p", "quiet coach-note", "Suggestions only: you can always send what you wrote."));
    }

    // The fill-in I-statement: the writer's own observation, a feeling and a need to choose,
    // what to ask for. The sentence below the fields follows what is filled in.
    function renderBuilder(b) {
      // The page's server-rendered builder (for readers without JavaScript)
      // gives way to this live one, so it is not shown twice.
      document.querySelectorAll(".coach-builder-server").forEach(function (n) { n.hidden = true; });
      panel.appendChild(el("p", "coach-heading", "Say it from your side, in your own words:"));
      var box = el("div", "coach-builder");
      var uid = (area.id || "text") + "-b";
      function field(label, input) {
        var wrap = el("label", "coach-field");
        wrap.appendChild(el("span", "coach-field-label", label));
        wrap.appendChild(input);
        box.appendChild(wrap);
        return input;
      }
      function textInput(value, placeholder, name) {
        var i = el("input");
        i.type = "text"; i.value = value || ""; i.placeholder = placeholder; i.id = uid + "-" + name;
        i.addEventListener("input", update);
        return i;
      }
      function choice(options, chosen, name) {
        var sel = el("select");
        sel.id = uid + "-" + name;
        var seen = {};
        [chosen].concat(options || []).forEach(function (o) {
          if (!o || seen[o]) return;
          seen[o] = true;
          var opt = el("option", null, o);
          opt.value = o;
          sel.appendChild(opt);
        });
        sel.addEventListener("change", update);
        return sel;
      }
      var sense = b.sense === "hear" ? "hear" : "see";
      var obs = field("When I " + sense + "\u2026", textInput(b.observation, "what happened, as a camera would see it", "obs"));
      var feel = field("I feel", choice(b.feeling_choices, b.feeling, "feel"));
      var need = field("because I need", choice(b.need_choices, b.need, "need"));
      var ask = field("Would you\u2026", textInput(b.request, "what you would like them to do", "ask"));
      var li = el("p", "coach-rewrite");
      var preview = el("span", "coach-rewrite-text");
      li.appendChild(preview);
      var use = el("button", "link coach-use", "Use this");
      use.type = "button";
      use.addEventListener("click", function () {
        area.value = preview.textContent;
        area.focus();
        schedule(0);
      });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(use);
      box.appendChild(li);
      panel.appendChild(box);
      function update() {
        var o = obs.value.trim(), a = ask.value.trim().replace(/[?.!]+$/, "");
        var s = o
          ? "When I " + sense + " " + o + ", I feel " + feel.value + ", because I need " + need.value + "."
          : "I feel " + feel.value + ", because I need " + need.value + ".";
        s += " Would you " + (a || "talk about it with me tonight") + "?";
        preview.textContent = b.text && o === b.observation && a === b.request && !feelChanged() ? b.text : s;
      }
      function feelChanged() { return feel.value !== b.feeling || need.value !== b.need; }
      update();
    }

    function analyse() {
      var text = area.value;
      if (text === last) return;
      last = text;
      var mine = ++seq;
      if (!text.trim()) { render({ text: text, findings: [], rewrites: [] }); return; }
      fetch(area.getAttribute("data-coach-url") || "/api/v1/coach/analyze", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ text: text })
      }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) { if (result && mine === seq) render(result); })
        .catch(function () { /* the coach is optional; writing goes on */ });
    }

    function schedule(ms) {
      clearTimeout(timer);
      timer = setTimeout(analyse, ms);
    }

    area.addEventListener("input", function () { paint(area.value, []); schedule(350); });
    area.addEventListener("scroll", function () { backdrop.scrollTop = area.scrollTop; });
    if (area.hasAttribute("data-coach-now") || area.value.trim()) schedule(0);
  }

  document.querySelectorAll("textarea[data-coach]").forEach(setupCoach);
  // Talk room: redrawn composers get the coach too.
  window.rekindleCoach = setupCoach;
})();

// Quick exit: go through /exit, which ends the session on the server and sends
// the browser to a neutral site, *replacing* this page in the history so Back
// does not return to it (pages are no-store: Back finds only the sign-in page).
// A neutral tab opens too, when the browser allows it. Pressing Esc twice does
// the same, except while typing in a field (Esc there must not lose a draft).
(function () {
  "use strict";
  var link = document.querySelector("a.quick-exit");
  if (!link) return;
  var target = link.getAttribute("data-exit-url") || "https://duckduckgo.com/";
  function leave(ev) {
    if (ev) ev.preventDefault();
    try { window.open(target, "_blank", "noopener"); } catch (e) { /* popup blocked */ }
    window.location.replace(link.href);
  }
  link.addEventListener("click", leave);
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  var lastEsc = 0;
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape") return;
    if (typing(ev.target)) { lastEsc = 0; return; }
    var now = Date.now();
    if (now - lastEsc < 800) leave(ev);
    lastEsc = now;
  });
})();
