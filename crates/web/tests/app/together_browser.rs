//! Issue 19 parts 3–5 in real headless Chromium, on both databases: the
//! counselor hand-off with two people in two browsers (both choose, one
//! changes a choice, both approve again, the print view), and an
//! appreciation written, sent and kept.

use fantoccini::{Client, Locator};
use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page, cdp, console_errors};
use rekindle_testkit::{ApiPerson, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{couple_in_browsers, in_a_browser};

async fn ok(who: &ApiPerson, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = who.send_json(method, path, body.clone()).await;
    assert!(s < 300, "{path} {body} → {s} {v}");
    v
}

async fn approvals(c: &Client) -> String {
    Page { c }.text(".handoff-approvals").await
}

async fn handoff_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ana, ben, ca, cb) = couple_in_browsers(driver, &app).await;
    // Something to choose from: a check-in both shared, a topic on the board.
    let ck = ok(&ana, Method::POST, "/api/v1/checkins", json!({})).await;
    let ck = ck["id"].as_str().unwrap().to_owned();
    for (who, csi) in [(&ana, [3, 3, 3, 3]), (&ben, [4, 4, 3, 3])] {
        ok(
            who,
            Method::POST,
            &format!("/api/v1/checkins/{ck}/submission"),
            json!({"csi": csi, "technoference": [1, 1, 1, 1], "hours_together": 9, "hours_device_free": 3}),
        )
        .await;
    }
    let p = ok(
        &ana,
        Method::POST,
        "/api/v1/board/problems",
        json!({"title": "Evenings on phones"}),
    )
    .await;
    ok(
        &ben,
        Method::POST,
        &format!(
            "/api/v1/board/problems/{}/accept",
            p["id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await;

    let (pa, pb) = (Page { c: &ca }, Page { c: &cb });
    // Ana finds it from the counseling page.
    ca.goto(&app.url("/help/counseling")).await.unwrap();
    pa.click(".handoff-offer a").await;
    assert_eq!(pa.path().await, "/handoff");
    // Both choose.
    pa.click(".handoff-item.kind-trends button").await;
    pa.wait_for_text("Chosen by you").await;
    cb.goto(&app.url("/handoff")).await.unwrap();
    assert!(
        pb.text(".handoff-item.kind-trends")
            .await
            .contains("Chosen by Ana"),
        "{backend:?}"
    );
    pb.click(".handoff-item.kind-topic button").await;
    // Ana reads it and approves.
    ca.goto(&app.url("/handoff")).await.unwrap();
    let preview = pa.text("#preview-card").await;
    assert!(
        preview.contains("Evenings on phones") && preview.contains("Check-ins over time"),
        "{backend:?}: {preview}"
    );
    pa.click("#approve-card button[type=submit]").await;
    assert!(
        approvals(&ca).await.contains("You approved version 3"),
        "{backend:?}"
    );
    // Ben sees her approval, then changes a choice: both approvals are cleared.
    cb.goto(&app.url("/handoff")).await.unwrap();
    assert!(
        approvals(&cb).await.contains("Ana approved it"),
        "{backend:?}"
    );
    pb.click(".handoff-item.kind-topic button").await;
    pb.wait_for_text("Any earlier approval is cleared").await;
    let a = approvals(&cb).await;
    assert!(
        a.contains("You have not approved version 4") && a.contains("Ana has not approved it yet"),
        "{backend:?}: {a}"
    );
    assert!(
        !pb.text("#preview-card")
            .await
            .contains("Evenings on phones"),
        "{backend:?}"
    );
    // Ana puts the topic back herself (version 5) while Ben's page still shows version 4.
    ca.goto(&app.url("/handoff")).await.unwrap();
    pa.click(".handoff-item.kind-topic button").await;
    // Ben approves what he has on screen: stale, refused, and he sees the new version.
    pb.click("#approve-card button[type=submit]").await;
    assert!(
        pb.text("#handoff-error")
            .await
            .contains("changed since you looked"),
        "{backend:?}"
    );
    assert!(
        approvals(&cb)
            .await
            .contains("You have not approved version 5"),
        "{backend:?}"
    );
    // Both approve again.
    pb.click("#approve-card button[type=submit]").await;
    ca.goto(&app.url("/handoff")).await.unwrap();
    pa.click("#approve-card button[type=submit]").await;
    pa.wait_for_text("Open the printable page").await;
    // The print view.
    pa.click("a[href='/handoff/print']").await;
    let printed = pa.text(".handoff-print").await;
    assert!(
        printed.contains("Evenings on phones") && printed.contains("Check-ins over time"),
        "{backend:?}"
    );
    assert!(
        ca.find(Locator::Css("svg.chart")).await.is_ok(),
        "{backend:?}: the chart"
    );
    cdp(&ca, "Emulation.setEmulatedMedia", json!({"media": "print"})).await;
    for hidden in [".tabbar", ".no-print", ".quick-exit"] {
        let shown = ca
            .find(Locator::Css(hidden))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap();
        assert!(!shown, "{backend:?}: {hidden} prints");
    }
    cdp(&ca, "Emulation.setEmulatedMedia", json!({"media": ""})).await;
    assert!(console_errors(&ca).await.is_empty(), "{backend:?}");
    // Ben makes a link; it opens without an account.
    cb.goto(&app.url("/handoff")).await.unwrap();
    pb.click("form[action='/handoff/links'] button").await;
    let url = cb
        .find(Locator::Css("#handoff-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    let anon = app.client().get(&url).send().await.unwrap();
    assert_eq!(anon.status(), 200, "{backend:?}");
    assert!(anon.text().await.unwrap().contains("Evenings on phones"));
    ca.close().await.unwrap();
    cb.close().await.unwrap();
}

async fn appreciation_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_ana, _ben, ca, cb) = couple_in_browsers(driver, &app).await;
    let (pa, pb) = (Page { c: &ca }, Page { c: &cb });
    ca.goto(&app.url("/appreciations")).await.unwrap();
    // The live coach names a barb hidden in thanks as the page without JavaScript does.
    pa.fill("#body", "Thanks for finally calling back.").await;
    pa.wait_for_text("Hidden barb").await;
    pa.fill("#body", "I admired how you stayed calm on the phone today.")
        .await;
    pa.click("button[name=action][value=draft]").await;
    pa.wait_for_text("Saved as a private draft").await;
    pa.click(".entry.mine button[name=action][value=send]")
        .await;
    pa.wait_for_text("Sent.").await;
    cb.goto(&app.url("/")).await.unwrap();
    pb.wait_for_text("Ana sent you an appreciation.").await;
    cb.goto(&app.url("/appreciations")).await.unwrap();
    assert!(
        pb.text(".entry.theirs").await.contains("stayed calm"),
        "{backend:?}"
    );
    pb.click(".entry.theirs button").await;
    pb.wait_for_text("Let it go from kept").await;
    ca.close().await.unwrap();
    cb.close().await.unwrap();
}

#[tokio::test]
async fn two_browsers_prepare_a_counselor_summary_together_and_print_it() {
    in_a_browser(handoff_flow).await;
}

#[tokio::test]
async fn an_appreciation_is_written_sent_and_kept_in_the_browser() {
    in_a_browser(appreciation_flow).await;
}
