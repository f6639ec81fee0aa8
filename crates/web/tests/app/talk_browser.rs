//! A whole talk in two headless Chromium sessions, on both databases: asked for
//! and accepted, ground rules accepted, the pledge, a statement with a coach
//! finding and a rewrite taken, a paraphrase corrected and then confirmed, the
//! floor passing, a time-out with its return (the clock moved by the test), and
//! the end with reflections. The partner's page follows live over the socket.

use std::time::Duration;

use fantoccini::{Client, Locator};
use rekindle_storage::Backend;
use rekindle_testkit::TestApp;
use rekindle_testkit::browser::{Driver, Page};

use crate::support::{couple_in_browsers, in_a_browser};

async fn wait_for(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

async fn value(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn talk_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, ca, cb) = couple_in_browsers(driver, &app).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };

    // Both accept the ground rules.
    for p in [&a, &b] {
        p.c.goto(&app.url("/talks/rules")).await.unwrap();
        assert!(p.source().await.contains("One of us speaks at a time"));
        p.click("button.accept-rules").await;
        assert!(p.source().await.contains("You accepted these."));
    }

    // Ana asks for a talk in ten minutes; it shows on Ben's home, and he takes that time.
    ca.goto(&app.url("/talks")).await.unwrap();
    a.fill("#topic", "Our evenings").await;
    let soon = (chrono::Utc::now() + chrono::Duration::minutes(10))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    ca.execute(
        "document.querySelector('#time1').value = arguments[0];",
        vec![serde_json::json!(soon)],
    )
    .await
    .unwrap();
    a.click("form.talk-request button[type=submit]").await;
    let room = a.path().await;
    assert!(room.starts_with("/talks/"), "{room}");
    cb.goto(&app.url("/")).await.unwrap();
    assert!(b.text(".home-talks").await.contains("Our evenings"));
    b.click("a.home-talk").await;
    b.click("button.accept-time").await;
    assert!(b.text(".talk-scheduled").await.len() > 5);

    // Arriving: Ben is here; Ana's room follows live; both pledge.
    b.click("button.arrive").await;
    wait_for(&ca, "button.pledge").await;
    assert!(a.text(".presence").await.contains("Ben is here"));
    a.click("button.pledge").await;
    wait_for(&cb, ".presence").await;
    b.wait_for_text("Ana has promised their full attention")
        .await;
    b.click("button.pledge").await;
    wait_for(&ca, "#statement").await;

    // Ana holds the floor. The coach flags blame as she types; she takes the rewrite.
    a.fill("#statement", "You never listen to me").await;
    wait_for(&ca, ".coach-finding:not(.strength)").await;
    let rewrite = a.text(".coach-rewrite-text").await;
    a.press(".coach-use").await;
    assert_eq!(value(&ca, "#statement").await, rewrite);
    a.click("button.send-statement").await;

    // Ben sees it live, paraphrases; Ana says "not quite", then confirms the second one.
    wait_for(&cb, "#paraphrase").await;
    b.wait_for_text(&rewrite).await;
    b.fill("#paraphrase", "You are angry with me.").await;
    b.click("button.send-paraphrase").await;
    wait_for(&ca, "button.not-quite").await;
    a.fill(
        "#correction",
        "Not angry: I miss talking with you in the evenings.",
    )
    .await;
    a.click("button.not-quite").await;
    wait_for(&cb, "#paraphrase").await;
    b.wait_for_text("I miss talking with you in the evenings")
        .await;
    b.fill("#paraphrase", "You miss our evening talks.").await;
    b.click("button.send-paraphrase").await;
    wait_for(&ca, "button.confirm").await;
    a.click("button.confirm").await;
    a.click("button.hand_over").await;
    wait_for(&cb, "#statement").await;
    assert!(b.text(".floor-note").await.contains("You hold the floor"));

    // Ben calls a time-out; both see the calm screen; twenty minutes later both come back.
    b.click("button.call-time-out").await;
    let src = b.source().await;
    assert!(
        src.contains("pacer"),
        "{}",
        &src[src.find("talk-status").unwrap_or(0)..]
            .chars()
            .take(1500)
            .collect::<String>()
    );
    wait_for(&ca, ".pacer").await;
    assert!(
        a.text(".time-left")
            .await
            .contains("until the planned return")
    );
    assert!(
        ca.find(Locator::Css("button.back")).await.is_err(),
        "not before the minimum"
    );
    app.clock.advance(Duration::from_secs(20 * 60));
    ca.goto(&app.url(&room)).await.unwrap();
    a.click("button.back").await;
    cb.goto(&app.url(&room)).await.unwrap();
    b.click("button.back").await;
    assert!(b.text(".floor-note").await.contains("You hold the floor"));

    // Ana ends the talk; each writes a reflection; Ben shares his.
    wait_for(&ca, "#question").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.click("button.end").await;
    a.fill("#understood", "He wants our evenings too.").await;
    a.click("button.save-reflection").await;
    cb.goto(&app.url(&room)).await.unwrap();
    assert!(
        !b.source().await.contains("He wants our evenings too."),
        "private until shared"
    );
    b.fill("#understood", "She misses our evening talks.").await;
    b.fill("#feel_now", "Closer").await;
    b.press("input[name=share]").await;
    b.click("button.save-reflection").await;
    ca.goto(&app.url(&room)).await.unwrap();
    assert!(
        a.text(".partner-reflection")
            .await
            .contains("She misses our evening talks.")
    );
    let _ = ca.close().await;
    let _ = cb.close().await;
}

#[tokio::test]
async fn a_whole_talk_in_two_browsers() {
    in_a_browser(talk_flow).await;
}
