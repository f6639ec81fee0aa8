//! The action plan in a real headless Chromium, on both databases: add an
//! action, mark it done, undo.

use fantoccini::Locator;
use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page};
use rekindle_testkit::{TestApp, couple};

use crate::support::in_a_browser;

async fn plan_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let _pair = couple(&app).await;
    let c = driver.browser().await;
    let p = Page { c: &c };
    p.sign_in(&app.url("/signin"), "ana@example.org").await;
    c.goto(&app.url("/plan")).await.unwrap();
    p.click("a[href='/plan/new']").await;
    // "Once" asks nothing about repeating; "Weekly" shows the interval and the days.
    let shown = |css: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Css(css))
                .await
                .unwrap()
                .is_displayed()
                .await
                .unwrap()
        }
    };
    assert!(!shown("#every").await && !shown("input[name=days]").await);
    c.find(Locator::Css("#repeat option[value=daily]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(shown("#every").await && !shown("input[name=days]").await);
    c.find(Locator::Css("#repeat option[value=weekly]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert!(shown("#every").await && shown("input[name=days]").await);
    c.find(Locator::Css("#repeat option[value=none]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    p.fill("#title", "Call grandma together").await;
    p.fill("#notes", "Sunday afternoon works best").await;
    p.click("#add-action").await;
    p.wait_for_text("Added to the plan.").await;
    let today = p.text("#today").await;
    assert!(
        today.contains("Call grandma together"),
        "{backend:?}: {today}"
    );
    p.click("#today .mark-done").await;
    p.wait_for_text("Marked done. Nice.").await;
    assert!(!p.text("#today").await.contains("Call grandma together"));
    let history = p.text("#history").await;
    assert!(history.contains("Done: Call grandma together"), "{history}");
    p.click("#history .undo").await;
    p.wait_for_text("Marked as not done.").await;
    assert!(p.text("#today").await.contains("Call grandma together"));
    assert!(
        p.text("#history")
            .await
            .contains("Undone: Call grandma together")
    );
    // Home shows today's actions in one small block.
    c.goto(&app.url("/")).await.unwrap();
    assert!(p.text(".home-plan").await.contains("Call grandma together"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn add_an_action_mark_it_done_and_undo() {
    in_a_browser(plan_flow).await;
}
