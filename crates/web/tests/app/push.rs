//! Web Push end to end: a push service on loopback inside the test decrypts
//! every payload with the subscription's private key (RFC 8291) and verifies the
//! VAPID JWT (RFC 8292) against the server's public key. Proves one push per
//! item, none while paused, none for safety checks, quiet hours (a held item is
//! sent afterwards only if still open), 410 deletes the device, a 500 is retried;
//! and that malformed subscriptions are refused with 422 and nothing stored.

use std::time::Duration;

use rekindle_testkit::push::{Browser, PushService};
use rekindle_testkit::{ApiPerson, TestApp, backends, couple, test_config};
use reqwest::Method;
use serde_json::json;

use crate::support::metric;

pub fn push_config() -> rekindle_web::Config {
    rekindle_web::Config {
        push_allow_loopback: true,
        push_interval: Duration::from_millis(200),
        ..test_config()
    }
}

async fn share(p: &ApiPerson, title: &str) -> String {
    let (s, e) = p
        .send_json(
            Method::POST,
            "/api/v1/journal",
            json!({"title": title, "body": format!("{title} PARTNER-WORDS-91c2")}),
        )
        .await;
    assert_eq!(s, 201, "{e}");
    let id = e["id"].as_str().unwrap().to_owned();
    let (s, e) = p
        .send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{id}"),
            json!({"visibility": "shared"}),
        )
        .await;
    assert_eq!(s, 200, "{e}");
    id
}

/// Lets the sender run a few passes.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(900)).await;
}

#[tokio::test]
async fn push_is_encrypted_signed_and_sent_once_per_item() {
    for b in backends() {
        let push = PushService::start().await;
        let app = TestApp::spawn_with(b, push_config()).await;
        app.clock.set(
            chrono::NaiveDate::from_ymd_opt(2027, 1, 6)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap()
                .and_utc(),
        );
        let (ana, ben) = couple(&app).await;
        let (s, _) = ben
            .send_json(Method::PATCH, "/api/v1/me", json!({"time_zone": "UTC"}))
            .await;
        assert_eq!(s, 200);
        let (_, key) = ben.get_json("/api/v1/push/key").await;
        let server_key = key["public_key"].as_str().unwrap().to_owned();
        let browser = Browser::new();
        let (s, dev) = ben
            .send_json(
                Method::POST,
                "/api/v1/push/subscriptions",
                browser.subscription(&push.endpoint("ben"), "Ben's phone"),
            )
            .await;
        assert_eq!(s, 201, "{dev}");
        assert_eq!(dev["name"], "Ben's phone");
        assert!(dev.get("p256dh").is_none() && !dev.to_string().contains("/push/ben"));

        // One item: exactly one push, neutral by default.
        let m0 = app.metrics_text().await;
        let first = share(&ana, "first").await;
        push.wait_for("ben", 1, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 1, "one push per item: {got:?}");
        assert_eq!(
            got[0].payload,
            json!({"title": "Rekindle", "body": "Something is waiting for you.", "url": "/", "tag": format!("shared_entry:{first}")})
        );
        assert_eq!(got[0].device, "ben");

        // With detail: the sentence, never the partner's words.
        let (s, _) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                json!({"kinds": ["shared_entry", "question"], "detail": true, "digest": "off"}),
            )
            .await;
        assert_eq!(s, 200);
        let second = share(&ana, "second").await;
        push.wait_for("ben", 2, Duration::from_secs(10)).await;
        let got = push.received("ben", &browser, &server_key);
        let p = &got[1].payload;
        assert_eq!(p["tag"], format!("shared_entry:{second}"));
        assert!(p["url"].as_str().unwrap().contains(&second), "{p}");
        assert!(!p.to_string().contains("PARTNER-WORDS"), "{p}");
        assert!(!p.to_string().contains("second"), "no title either: {p}");

        // A safety check is never an item, so never a push.
        let (s, _) = ana
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 5, 1]}),
            )
            .await;
        assert_eq!(s, 201);
        let (s, _) = ben
            .send_json(
                Method::POST,
                "/api/v1/safety/check",
                json!({"answers": [1, 1, 5, 1]}),
            )
            .await;
        assert_eq!(s, 201);
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing about safety checks");

        // Held by quiet hours (11:00–13:00 UTC, it is 12:00), then paused when
        // they end: nothing; resumed: what still waits is sent once.
        let quiet = |from: &str, until: &str| json!({"kinds": ["shared_entry"], "detail": false, "quiet_start": from, "quiet_end": until, "digest": "off"});
        let (s, v) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                quiet("11:00", "13:00"),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let during = share(&ana, "during pause").await;
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing during quiet hours");
        let (s, _) = ana
            .send_json(Method::POST, "/api/v1/space/pause", json!({}))
            .await;
        assert!(s == 200 || s == 204, "{s}");
        app.clock.advance(Duration::from_secs(3600 + 60)); // 13:01
        settle().await;
        assert_eq!(push.count("ben"), 2, "nothing while paused");
        let (s, _) = ana
            .send_json(Method::DELETE, "/api/v1/space/pause", json!({}))
            .await;
        assert!(s == 200 || s == 204, "{s}");
        push.wait_for("ben", 3, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 3);
        assert_eq!(got[2].payload["tag"], format!("shared_entry:{during}"));

        // Quiet hours 13:00–15:00: held; afterwards only what is still open.
        let (s, v) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                quiet("13:00", "15:00"),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let still_open = share(&ana, "still open").await;
        let opened = share(&ana, "opened").await;
        settle().await;
        assert_eq!(push.count("ben"), 3, "nothing during quiet hours");
        let (s, _) = ben.get_json(&format!("/api/v1/journal/{opened}")).await;
        assert_eq!(s, 200);
        app.clock.advance(Duration::from_secs(2 * 3600)); // 15:01
        push.wait_for("ben", 4, Duration::from_secs(10)).await;
        settle().await;
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got.len(), 4, "only the item still open: {got:?}");
        assert_eq!(got[3].payload["tag"], format!("shared_entry:{still_open}"));

        // A 500 is retried after its backoff, and counted.
        push.answer_next("ben", &[500]);
        let retried = share(&ana, "retried").await;
        push.wait_for("ben", 5, Duration::from_secs(10)).await;
        settle().await;
        assert_eq!(push.count("ben"), 5, "not again before the backoff");
        app.clock.advance(Duration::from_secs(61));
        push.wait_for("ben", 6, Duration::from_secs(10)).await;
        settle().await;
        assert_eq!(push.count("ben"), 6);
        let got = push.received("ben", &browser, &server_key);
        assert_eq!(got[4].payload["tag"], got[5].payload["tag"]);
        assert_eq!(got[5].payload["tag"], format!("shared_entry:{retried}"));

        // 410: the device is gone and removed.
        push.answer_next("ben", &[410]);
        share(&ana, "gone").await;
        push.wait_for("ben", 7, Duration::from_secs(10)).await;
        settle().await;
        let (_, devices) = ben.get_json("/api/v1/push/subscriptions").await;
        assert_eq!(devices, json!([]), "a gone device is deleted");
        share(&ana, "after gone").await;
        settle().await;
        assert_eq!(push.count("ben"), 7);

        let m1 = app.metrics_text().await;
        let delta = |name: &str| metric(&m1, name, &[]) - metric(&m0, name, &[]);
        assert!(delta("rekindle_push_sent_total") >= 5.0);
        assert!(delta("rekindle_push_retries_total") >= 1.0);
        assert!(delta("rekindle_push_failures_total") >= 1.0);
        assert!(delta("rekindle_push_gone_total") >= 1.0);
        // Ana never subscribed: she got nothing (nothing reached any other path).
        assert_eq!(push.count("ana"), 0);
    }
}

#[tokio::test]
async fn malformed_subscriptions_are_refused_and_nothing_is_stored() {
    for b in backends() {
        let app = TestApp::spawn(b).await; // loopback not allowed here
        let ben = app.api_person("ben@example.org", "Ben").await;
        let good = Browser::new().subscription("https://push.example.net/x", "Phone");
        let mut cases = vec![
            json!({}),
            json!({"endpoint": "http://push.example.net/x", "keys": good["keys"]}),
            json!({"endpoint": "http://127.0.0.1:9/x", "keys": good["keys"]}),
            json!({"endpoint": "https://10.1.2.3/x", "keys": good["keys"]}),
            json!({"endpoint": "not a url", "keys": good["keys"]}),
            json!({"endpoint": format!("https://push.example.net/{}", "a".repeat(1100)), "keys": good["keys"]}),
            json!({"endpoint": "https://push.example.net/x", "keys": {"p256dh": "BAAA", "auth": good["keys"]["auth"]}}),
            json!({"endpoint": "https://push.example.net/x", "keys": {"p256dh": good["keys"]["p256dh"], "auth": "AAAA"}}),
        ];
        let mut misspelt = good.clone();
        misspelt["nmae"] = json!("Phone");
        cases.push(misspelt);
        let mut long_name = good.clone();
        long_name["name"] = json!("n".repeat(61));
        cases.push(long_name);
        for c in cases {
            let (s, v) = ben
                .send_json(Method::POST, "/api/v1/push/subscriptions", c.clone())
                .await;
            assert_eq!(s, 422, "{c} → {v}");
            assert!(v["detail"].is_string() || v["errors"].is_object(), "{v}");
        }
        assert_eq!(
            ben.get_json("/api/v1/push/subscriptions").await.1,
            json!([])
        );
        assert!(app.db.repo.push_outbox(None).await.unwrap().is_empty());
        // The good one is accepted, and shown without keys.
        let (s, v) = ben
            .send_json(Method::POST, "/api/v1/push/subscriptions", good)
            .await;
        assert_eq!(s, 201, "{v}");
        assert_eq!(v["service"], "push.example.net");
        // Another person subscribing the same endpoint takes it over.
        let ana = app.api_person("ana@example.org", "Ana").await;
        let again = Browser::new().subscription("https://push.example.net/x", "Shared tablet");
        let (s, _) = ana
            .send_json(Method::POST, "/api/v1/push/subscriptions", again)
            .await;
        assert_eq!(s, 201);
        assert_eq!(
            ben.get_json("/api/v1/push/subscriptions").await.1,
            json!([])
        );
        assert_eq!(
            ana.get_json("/api/v1/push/subscriptions").await.1[0]["name"],
            "Shared tablet"
        );
        // Export names the device, never its keys or full endpoint.
        let export = crate::support::export_text(&ana).await;
        assert!(export.contains("Shared tablet") && export.contains("push.example.net"));
        assert!(!export.contains("https://push.example.net/x"));
    }
}

/// Replaces the browser's push machinery before any page script runs: headless
/// Chromium reaches no real push service. The stub grants permission, hands
/// out a subscription with keys the test made, and notes what the page asked for.
fn push_stub(subscription: &serde_json::Value) -> String {
    format!(
        r#"(function () {{
  var sub = {subscription};
  Object.defineProperty(window, "Notification", {{ configurable: true, value: {{
    permission: "default",
    requestPermission: function () {{ return Promise.resolve("granted"); }}
  }} }});
  var pm = {{
    subscribe: function (opts) {{
      sessionStorage.setItem("asked", JSON.stringify({{
        userVisibleOnly: opts.userVisibleOnly,
        keyLength: opts.applicationServerKey.length,
        keyFirst: opts.applicationServerKey[0]
      }}));
      return Promise.resolve({{ toJSON: function () {{
        return {{ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }};
      }} }});
    }},
    getSubscription: function () {{ return Promise.resolve(null); }}
  }};
  Object.defineProperty(navigator, "serviceWorker", {{ configurable: true, value: {{
    ready: Promise.resolve({{ pushManager: pm }}),
    register: function () {{ return Promise.resolve({{}}); }},
    addEventListener: function () {{}},
    controller: null
  }} }});
}})();"#
    )
}

#[tokio::test]
async fn settings_subscribe_posts_the_subscription_and_signing_out_removes_it() {
    use rekindle_testkit::browser::{Page, cdp};
    crate::support::in_a_browser(async |driver, b| {
        let push = PushService::start().await;
        let app = TestApp::spawn_with(b, push_config()).await;
        let ben = app.api_person("ben@example.org", "Ben").await;
        let c = driver.browser().await;
        let page = Page { c: &c };
        page.sign_in(&app.url("/signin"), "ben@example.org").await;
        let sub = Browser::new().subscription(&push.endpoint("browser"), "");
        cdp(
            &c,
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": push_stub(&sub) }),
        )
        .await;
        c.goto(&app.url("/settings/notifications")).await.unwrap();
        assert!(page.source().await.contains("id=\"no-push-devices\""));
        page.fill("#push-name", "Test phone").await;
        page.click("#push-subscribe").await;
        page.wait_for_text("Test phone").await;
        assert!(page.source().await.contains("127.0.0.1"));
        let asked = c
            .execute("return sessionStorage.getItem('asked');", vec![])
            .await
            .unwrap();
        let asked: serde_json::Value = serde_json::from_str(asked.as_str().unwrap()).unwrap();
        assert_eq!(
            asked,
            json!({"userVisibleOnly": true, "keyLength": 65, "keyFirst": 4})
        );
        let (_, devices) = ben.get_json("/api/v1/push/subscriptions").await;
        assert_eq!(devices.as_array().unwrap().len(), 1, "{devices}");
        assert_eq!(devices[0]["name"], "Test phone");
        // Signing this browser out (in the More sheet) removes its device; the
        // other sign-in is untouched.
        page.press("details.more summary").await;
        page.click("form[action='/signout'] button").await;
        let (_, devices) = ben.get_json("/api/v1/push/subscriptions").await;
        assert_eq!(devices, json!([]), "sign-out removes this device's push");
        c.close().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_digest_counts_what_waits_once_per_day_and_says_nothing_more() {
    use rekindle_testkit::smtp::SmtpSink;
    for b in backends() {
        let sink = SmtpSink::start().await;
        let config = rekindle_web::Config {
            smtp: Some(rekindle_web::reminders::SmtpSettings {
                url: sink.url(),
                from: "Rekindle <rekindle@example.org>".into(),
                username: None,
                password: None,
            }),
            reminder_interval: Duration::from_secs(3600),
            // This test counts digest mails; sign-up confirmation has its own.
            confirm_signups: false,
            ..push_config()
        };
        let app = TestApp::spawn_with(b, config).await;
        app.clock.set(
            chrono::NaiveDate::from_ymd_opt(2027, 1, 6)
                .unwrap()
                .and_hms_opt(7, 0, 0)
                .unwrap()
                .and_utc(),
        );
        let (ana, ben) = couple(&app).await;
        let (s, _) = ben
            .send_json(Method::PATCH, "/api/v1/me", json!({"time_zone": "UTC"}))
            .await;
        assert_eq!(s, 200);
        let (s, v) = ben
            .send_json(
                Method::PUT,
                "/api/v1/notifications/settings",
                json!({"kinds": ["shared_entry"], "digest": "daily"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        share(&ana, "one").await;
        share(&ana, "two").await;
        settle().await;
        assert!(sink.mails().is_empty(), "not before 08:00 local");
        app.clock.advance(Duration::from_secs(3600 + 60));
        let mails = sink.wait_for(1, Duration::from_secs(10)).await;
        settle().await;
        share(&ana, "three").await;
        settle().await;
        let mails_after = sink.mails();
        assert_eq!(mails_after.len(), 1, "one digest a day");
        let m = &mails[0];
        assert_eq!(m.to, vec!["ben@example.org".to_owned()]);
        assert!(
            m.data
                .contains("Subject: Something is waiting for you in Rekindle")
        );
        assert!(m.data.contains("Shared journal entries: 2"), "{}", m.data);
        assert!(!m.data.contains("PARTNER-WORDS") && !m.data.contains("Ana"));
        // The next day: the next digest.
        app.clock.advance(Duration::from_secs(24 * 3600));
        sink.wait_for(2, Duration::from_secs(10)).await;
    }
}
