// The talk room, live: a socket tells this page when the talk changed and the
// page redraws itself from the server's HTML. Without this script the room still
// works with its forms; the server is the only judge of who may do what.
(function () {
  "use strict";
  var room = document.getElementById("talk-room");
  if (!room || !window.WebSocket) return;
  var id = room.getAttribute("data-talk");
  var seq = parseInt(room.getAttribute("data-seq"), 10) || 0;
  var socket = null, retry = 500, refreshing = false, again = false;

  function keepTyping(oldRoom, newRoom) {
    // Whatever is half-written stays in the composer it was written in.
    oldRoom.querySelectorAll("textarea, input[name=text]").forEach(function (old) {
      if (!old.value || !old.id) return;
      var fresh = newRoom.querySelector("#" + old.id);
      if (fresh) fresh.value = old.value;
    });
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    // The room's own address: a refused form leaves the page at /talks/{id}/act
    // (or /join-here, /calm), which answers only POST.
    fetch("/talks/" + encodeURIComponent(id), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { location.href = "/talks"; return; }
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("talk-room");
        var current = document.getElementById("talk-room");
        if (!fresh || !current) return;
        var focused = document.activeElement && document.activeElement.id;
        keepTyping(current, fresh);
        current.replaceWith(fresh);
        room = fresh;
        if (window.rekindleCoach) fresh.querySelectorAll("textarea[data-coach]").forEach(window.rekindleCoach);
        if (focused) { var f = document.getElementById(focused); if (f) f.focus(); }
        tick();
      })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(proto + "//" + location.host + "/talks/" + encodeURIComponent(id) + "/ws?after=" + seq);
    socket.onopen = function () { retry = 500; room.setAttribute("data-live", "1"); };
    socket.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      // One redraw per batch: the server sends the state after the events.
      if (msg.type === "state" && msg.seq > seq) {
        seq = msg.seq;
        refresh();
      } else if (msg.type === "gone") {
        location.href = "/talks";
      }
    };
    socket.onclose = function () {
      document.getElementById("talk-room").removeAttribute("data-live");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  // The time left of a break, counted down between redraws.
  function tick() {
    document.querySelectorAll("[data-until]").forEach(function (el) {
      var until = parseInt(el.getAttribute("data-until"), 10);
      if (!until) return;
      if (!el.hasAttribute("data-skew")) {
        el.setAttribute("data-skew", String((parseInt(el.getAttribute("data-now"), 10) || Date.now()) - Date.now()));
      }
      var skew = parseInt(el.getAttribute("data-skew"), 10) || 0;
      var left = until - (Date.now() + skew);
      if (left <= 0) { el.textContent = "It is time to come back."; return; }
      var m = Math.floor(left / 60000), s = Math.floor((left % 60000) / 1000);
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s + " until the planned return";
    });
  }
  // A talk held aloud: the turn's gentle timer, a minute at a time, never an alarm.
  function turnTick() {
    document.querySelectorAll("[data-turn-until]").forEach(function (el) {
      var until = parseInt(el.getAttribute("data-turn-until"), 10);
      if (!until) return;
      if (!el.hasAttribute("data-skew")) {
        el.setAttribute("data-skew", String((parseInt(el.getAttribute("data-now"), 10) || Date.now()) - Date.now()));
      }
      var left = until - (Date.now() + (parseInt(el.getAttribute("data-skew"), 10) || 0));
      el.textContent = left > 0
        ? "About " + Math.ceil(left / 60000) + " min left in this turn."
        : "This turn's minutes have passed. Finish your thought, no hurry.";
    });
  }
  setInterval(tick, 1000);
  setInterval(turnTick, 15000);
  connect();
})();
