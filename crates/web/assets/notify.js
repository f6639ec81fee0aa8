// Settings → Notifications: turns Web Push on for this device. Everything else
// on the page works without JavaScript.
(function () {
  "use strict";
  var box = document.getElementById("push-on");
  if (!box) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute("content") : "";
  var status = document.getElementById("push-status");
  box.hidden = false;
  var unsupported = document.getElementById("push-unsupported");
  if (unsupported) unsupported.hidden = true;

  function keyBytes(b64) {
    var s = b64.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var raw = atob(s);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function say(text) { status.textContent = text; }

  document.getElementById("push-subscribe").addEventListener("click", function () {
    say("Asking your browser…");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") throw new Error("Notifications are blocked for this site in your browser's settings.");
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(box.dataset.key) });
    }).then(function (sub) {
      var body = sub.toJSON();
      body.name = document.getElementById("push-name").value;
      return fetch("/api/v1/push/subscriptions", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify(body)
      });
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (p) { throw new Error(p.detail || "The server refused this device."); });
      say("Notifications are on for this device.");
      window.location.assign("/settings/notifications?done=saved");
    }).catch(function (e) {
      say(e && e.message ? e.message : "Notifications could not be turned on.");
    });
  });
})();
