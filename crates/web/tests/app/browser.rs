//! The couple's first steps in two real headless Chromium sessions, on both
//! databases: sign up, invite, join, see the seven steps, keep a private entry
//! private and share another; switch a question deck off for the two of them.

use fantoccini::{Client, Locator};
use rekindle_storage::Backend;
use rekindle_testkit::TestApp;
use rekindle_testkit::browser::{Driver, Page};

use crate::support::{couple_in_browsers, in_a_browser};

async fn sign_up(p: &Page<'_>, name: &str, email: &str) {
    p.fill("#email", email).await;
    p.fill("#display_name", name).await;
    p.fill("#password", "correct horse battery").await;
    p.click("form[action='/signup'] button[type=submit]").await;
}

async fn fits_a_phone(c: &Client) {
    let widths = c
        .execute(
            "return [window.innerWidth, document.documentElement.scrollWidth];",
            vec![],
        )
        .await
        .expect("script");
    let (viewport, page) = (
        widths[0].as_u64().expect("number"),
        widths[1].as_u64().expect("number"),
    );
    assert_eq!(viewport, 360, "the browser emulates a 360 px phone");
    assert!(
        page <= viewport,
        "page is {page}px wide on a {viewport}px screen"
    );
}

async fn count(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.expect("find").len()
}

async fn first_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ca = driver.browser().await;
    let cb = driver.browser().await;
    let cx = driver.browser().await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };
    let x = Page { c: &cx };

    // Ana signs up, creates the space and makes an invitation link.
    ca.goto(&app.url("/signup")).await.unwrap();
    fits_a_phone(&ca).await;
    sign_up(&a, "Ana", "ana@example.org").await;
    let h1 = a.text("h1").await;
    assert!(
        h1.contains("Hello, Ana"),
        "after sign-up: {h1}\n{}",
        a.source().await
    );
    a.click("form[action='/space'] button").await;
    a.wait_for_text("Your space is ready").await;
    a.click("form[action='/space/invitations'] button").await;
    let link = ca
        .wait()
        .for_element(Locator::Css("#invite-link"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .expect("link");
    assert!(link.contains("/join/"), "{link}");

    // Ben opens the link, creates his account from there and joins.
    cb.goto(&link).await.unwrap();
    assert!(b.text("h1").await.contains("Ana"));
    b.click("a.button[href^='/signup']").await;
    sign_up(&b, "Ben", "ben@example.org").await;
    assert!(
        b.path().await.starts_with("/join/"),
        "sign-up returns to the invitation"
    );
    b.click("form[action^='/join/'] button").await;
    b.wait_for_text("share this space").await;
    assert_eq!(b.text(".partner-name").await, "Ana");
    assert_eq!(count(&cb, "ol.journey li.step").await, 7);
    fits_a_phone(&cb).await;

    ca.goto(&app.url("/")).await.unwrap();
    assert_eq!(a.text(".partner-name").await, "Ben");
    assert_eq!(count(&ca, "ol.journey li.step").await, 7);
    // Every step has its tool now, and none is waiting for one.
    assert_eq!(count(&ca, "ol.journey li.step > a[href]").await, 7);
    assert_eq!(count(&ca, "ol.journey li.progress-upcoming").await, 0);

    // Ana writes a private entry and a shared one.
    ca.goto(&app.url("/journal")).await.unwrap();
    a.fill("#body", "ANA-PRIVATE-4c1 I have not told anyone this yet")
        .await;
    a.click("form[action='/journal'] button[type=submit]").await;
    a.wait_for_text("Private").await;
    let private_url = ca.current_url().await.unwrap().path().to_owned();
    ca.goto(&app.url("/journal")).await.unwrap();
    a.fill("#title", "For Ben").await;
    a.fill("#body", "ANA-SHARED-9d2 I loved our walk on Sunday")
        .await;
    a.click("form[action='/journal'] button[type=submit]").await;
    a.click("form[action$='/share'] button").await;
    a.wait_for_text("Your partner can now read this entry")
        .await;
    let shared_url = ca.current_url().await.unwrap().path().to_owned();

    cb.goto(&app.url("/journal")).await.unwrap();
    let src = b.source().await;
    assert!(
        src.contains("ANA-SHARED-9d2"),
        "the shared entry reaches Ben"
    );
    assert!(
        !src.contains("ANA-PRIVATE-4c1"),
        "the private entry must not reach Ben"
    );
    cb.goto(&app.url(&private_url)).await.unwrap();
    assert!(!b.source().await.contains("ANA-PRIVATE-4c1"));
    assert!(b.text("h1").await.contains("Not found"));

    // Ana takes the shared entry back; it disappears for Ben.
    ca.goto(&app.url(&shared_url)).await.unwrap();
    a.click("form[action$='/unshare'] button").await;
    a.wait_for_text("This entry is private again").await;
    cb.goto(&app.url("/journal")).await.unwrap();
    assert!(!b.source().await.contains("ANA-SHARED-9d2"));

    // A third person sees none of the couple's pages, and the used link is dead.
    cx.goto(&app.url("/signup")).await.unwrap();
    sign_up(&x, "Xan", "xan@example.org").await;
    for path in [&private_url, &shared_url] {
        cx.goto(&app.url(path)).await.unwrap();
        assert!(
            x.text("h1").await.contains("Not found"),
            "{path} must be a 404 for an outsider"
        );
        let src = x.source().await;
        assert!(!src.contains("ANA-PRIVATE-4c1") && !src.contains("ANA-SHARED-9d2"));
    }
    cx.goto(&link).await.unwrap();
    assert!(
        x.text("h1").await.contains("cannot be used"),
        "a used invitation must not work again"
    );

    for c in [ca, cb, cx] {
        let _ = c.close().await;
    }
}

#[tokio::test]
async fn a_couple_joins_and_keeps_private_things_private() {
    in_a_browser(first_flow).await;
}

async fn question_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, ca, cb) = couple_in_browsers(driver, &app).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };

    // Both get the same question of the day.
    ca.goto(&app.url("/questions")).await.unwrap();
    let question = a.text(".question-text").await;
    cb.goto(&app.url("/questions")).await.unwrap();
    assert_eq!(b.text(".question-text").await, question);

    // Ana answers first and waits; Ben's page holds no trace of her answer.
    ca.goto(&app.url("/questions")).await.unwrap();
    a.fill(
        "textarea[name=body]",
        "ANA-ANSWER-71c The night we got lost and laughed about it",
    )
    .await;
    a.click("form[action$='/answer'] button[type=submit]").await;
    assert!(
        a.text(".status-line")
            .await
            .to_lowercase()
            .contains("waiting for your partner")
    );
    cb.goto(&app.url("/questions")).await.unwrap();
    let src = b.source().await;
    assert!(
        !src.contains("ANA-ANSWER-71c"),
        "Ben's page must hold no trace of Ana's answer"
    );
    assert!(!src.contains("status-line"), "nor a hint that she answered");
    assert!(
        !src.contains("follow-up"),
        "no follow-up before both answered"
    );

    // Ben answers: both see both.
    b.fill(
        "textarea[name=body]",
        "BEN-ANSWER-22d Dancing in the kitchen",
    )
    .await;
    b.click("form[action$='/answer'] button[type=submit]").await;
    assert!(b.text(".partner-answer").await.contains("ANA-ANSWER-71c"));
    // The follow-up appears under the revealed answers.
    assert!(b.text(".follow-up").await.ends_with('?'));
    ca.goto(&app.url("/questions")).await.unwrap();
    assert!(a.text(".partner-answer").await.contains("BEN-ANSWER-22d"));
    a.click("button.react-heart").await;
    cb.goto(&app.url("/questions")).await.unwrap();
    b.wait_for_text("Ana sent ♥").await;

    // History finds it.
    cb.goto(&app.url("/questions/history?q=kitchen"))
        .await
        .unwrap();
    assert!(b.source().await.contains("BEN-ANSWER-22d"));

    // Journal: private stays private, shared appears, unshared disappears.
    ca.goto(&app.url("/journal")).await.unwrap();
    a.fill("#body", "ANA-JOURNAL-PRIVATE-5a0").await;
    a.click("form[action='/journal'] button[type=submit]").await;
    ca.goto(&app.url("/journal")).await.unwrap();
    a.fill("#body", "ANA-JOURNAL-SHARED-6b1").await;
    a.click("form[action='/journal'] button[type=submit]").await;
    a.click("form[action$='/share'] button").await;
    cb.goto(&app.url("/journal")).await.unwrap();
    let src = b.source().await;
    assert!(src.contains("ANA-JOURNAL-SHARED-6b1") && !src.contains("ANA-JOURNAL-PRIVATE-5a0"));
    a.click("form[action$='/unshare'] button").await;
    cb.goto(&app.url("/journal")).await.unwrap();
    assert!(!b.source().await.contains("ANA-JOURNAL-SHARED-6b1"));

    for c in [ca, cb] {
        let _ = c.close().await;
    }
}

#[tokio::test]
async fn both_answer_the_days_question_and_only_then_see_each_other() {
    in_a_browser(question_flow).await;
}

async fn safety_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, ca, cb) = couple_in_browsers(driver, &app).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };

    // Ana is offered the private check on her home, takes it, and sees help privately.
    ca.goto(&app.url("/")).await.unwrap();
    a.click("a.button[href='/safety']").await;
    for (q, v) in [("q0", "1"), ("q1", "4"), ("q2", "3"), ("q3", "4")] {
        a.press(&format!("input[name={q}][value='{v}']")).await;
    }
    a.click("form[action='/safety/check'] button[type=submit]")
        .await;
    let src = a.source().await;
    assert!(
        src.contains("800-799-7233"),
        "a positive screen shows resources"
    );
    assert!(
        src.contains("not advised"),
        "and says couples exercises are not advised"
    );
    // She pauses the space; Ben sees only that it is paused.
    a.click("form[action='/space/pause'] button").await;
    cb.goto(&app.url("/")).await.unwrap();
    assert_eq!(b.text(".paused").await, "This space is paused.");
    let src = b.source().await;
    assert!(
        !src.contains("800-799-7233") && !src.contains("Resume"),
        "nothing tells Ben who or why"
    );
    cb.goto(&app.url("/questions")).await.unwrap();
    assert!(b.source().await.contains("This space is paused."));
    ca.goto(&app.url("/safety/resources")).await.unwrap();
    a.click("form[action='/space/resume'] button").await;
    cb.goto(&app.url("/")).await.unwrap();
    assert!(!b.source().await.contains("This space is paused."));

    // Quick exit leaves for the neutral site, and Esc twice does too.
    let neutral = "https://duckduckgo.com/";
    cb.goto(&app.url("/journal")).await.unwrap();
    let link = cb.find(Locator::Css("a.quick-exit")).await.unwrap();
    assert!(
        link.attr("data-exit-url")
            .await
            .unwrap()
            .unwrap()
            .starts_with(neutral)
    );
    // The neutral site cannot load here (no network), but the tab must still
    // navigate to it; Esc twice does the same as the button.
    let before = cb.windows().await.unwrap().len();
    cb.execute(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
        vec![],
    )
    .await
    .unwrap();
    cb.execute(
        "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
        vec![],
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cb
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with("https://duckduckgo.com")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "Esc twice did not leave the page"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        cb.windows().await.unwrap().len() > before,
        "a fresh tab without Rekindle history was opened"
    );

    // Export and erasure from settings.
    ca.goto(&app.url("/settings")).await.unwrap();
    assert!(a.source().await.contains("href=\"/settings/export\""));
    a.fill("#erase-password", "correct horse battery").await;
    a.fill("#erase-confirm", "erase").await;
    a.click("form[action='/settings/erase'] button").await;
    assert!(
        a.source()
            .await
            .contains("Your account and everything you wrote are erased.")
    );
    ca.goto(&app.url("/settings")).await.unwrap();
    assert_eq!(
        a.path().await,
        "/signin",
        "the session ended with the account"
    );

    for c in [ca, cb] {
        let _ = c.close().await;
    }
}

#[tokio::test]
async fn private_check_pause_quick_exit_and_erasure() {
    in_a_browser(safety_flow).await;
}

async fn coach_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.api_person("ana@example.org", "Ana").await;
    let ca = driver.browser().await;
    let a = Page { c: &ca };
    a.sign_in(&app.url("/signin"), "ana@example.org").await;
    ca.goto(&app.url("/journal")).await.unwrap();
    let save = "form[action='/journal'] button[type=submit]";
    let save_top = save_button_top(&ca, save).await;
    a.fill("#body", "You never help with the dishes").await;
    // Findings appear as she types, underlined in place, with an explanation.
    let finding = ca
        .wait()
        .for_element(Locator::Css(".coach-finding:not(.strength)"))
        .await
        .expect("a finding");
    assert!(!finding.text().await.unwrap().is_empty());
    // The notes come below the form: the button she is about to press stays where it was.
    assert_eq!(
        save_button_top(&ca, save).await,
        save_top,
        "\"Save privately\" moved when the coach's notes appeared"
    );
    ca.wait()
        .for_element(Locator::Css(".coach-backdrop mark.coach-mark"))
        .await
        .expect("an underline");
    // One click takes a rewrite; the coach then finds nothing to flag in it.
    let rewrite = a.text(".coach-rewrite-text").await;
    assert!(
        rewrite.to_lowercase().contains("dishes"),
        "the topic survives: {rewrite}"
    );
    a.press(".coach-use").await;
    let value = ca
        .find(Locator::Css("#body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(value, rewrite);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !ca
        .find_all(Locator::Css(".coach-finding:not(.strength)"))
        .await
        .unwrap()
        .is_empty()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the rewrite still carries a problem finding"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // The coach never blocks saving.
    a.fill("#body", "You always do this, whatever").await;
    // Once the coach has flagged it, save it anyway.
    ca.wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::Css(".coach-finding:not(.strength)"))
        .await
        .expect("the coach flags \"You always do this\"");
    a.click("form[action='/journal'] button[type=submit]").await;
    assert!(a.source().await.contains("You always do this, whatever"));
    let _ = ca.close().await;
}

/// Where a button's top edge is in the page (not the viewport), in CSS pixels.
async fn save_button_top(c: &Client, css: &str) -> f64 {
    c.execute(
        "var r = document.querySelector(arguments[0]).getBoundingClientRect(); return r.top + window.scrollY;",
        vec![serde_json::json!(css)],
    )
    .await
    .expect("script")
    .as_f64()
    .expect("a number")
}

#[tokio::test]
async fn the_coach_flags_blame_as_you_type_and_offers_a_rewrite() {
    in_a_browser(coach_flow).await;
}

/// Picks an answer on a scale by clicking its radio button.
async fn choose(p: &Page<'_>, key: &str, value: u8) {
    p.press(&format!("#{key}-{value}")).await;
}

/// On a phone the check-in shows one part at a time: "Next" moves on.
async fn next_part(p: &Page<'_>) {
    let label = p.text(".step-progress span").await;
    p.press(".step-nav button:not(.secondary)").await;
    assert_ne!(p.text(".step-progress span").await, label, "Next moves on");
}

async fn fill_checkin(p: &Page<'_>, csi: [u8; 4], text: &str) {
    assert_eq!(p.text(".step-progress span").await, "Part 1 of 5");
    for (i, v) in csi.iter().enumerate() {
        choose(p, &format!("csi{}", i + 1), *v).await;
    }
    next_part(p).await;
    for (i, v) in [2u8, 1, 1, 0].iter().enumerate() {
        choose(p, &format!("tech{}", i + 1), *v).await;
    }
    next_part(p).await;
    p.fill("#hours_together", "15").await;
    p.fill("#hours_device_free", "6").await;
    next_part(p).await;
    p.fill("#appreciation", &format!("{text} thank you for the soup"))
        .await;
    p.fill("#went_well", &format!("{text} our Sunday walk"))
        .await;
    p.fill("#topic", &format!("{text} the holiday plans")).await;
    next_part(p).await;
    p.click("form.checkin-form button[type=submit]").await;
}

async fn checkin_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ana_api, ben_api, ca, cb) = couple_in_browsers(driver, &app).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };

    // The home page names the next check-in; Ana begins one now and sends her part.
    assert!(a.text(".home-checkin").await.contains("Your next check-in"));
    ca.goto(&app.url("/checkins")).await.unwrap();
    a.click("form[action='/checkins/begin'] button").await;
    assert!(
        a.source().await.contains("Funk, J. L., &amp; Rogge"),
        "the CSI-4 citation is shown with the items"
    );
    fits_a_phone(&ca).await;
    fill_checkin(&a, [5, 4, 4, 4], "ANA-CHECKIN-5d1").await;
    assert!(
        a.text(".status-line")
            .await
            .contains("You have sent your part")
    );

    // Ben's pages hold no trace of it; he sends his part and the meeting opens.
    cb.goto(&app.url("/checkins")).await.unwrap();
    assert!(!b.source().await.contains("ANA-CHECKIN-5d1"));
    b.click(".open-checkin a").await;
    let src = b.source().await;
    assert!(
        !src.contains("ANA-CHECKIN-5d1") && !src.contains("status-line"),
        "no trace, no hint"
    );
    fill_checkin(&b, [4, 4, 3, 3], "BEN-CHECKIN-8e2").await;
    assert!(
        b.text("#appreciations .partner-appreciation")
            .await
            .contains("ANA-CHECKIN-5d1 thank you for the soup")
    );
    assert_eq!(b.text("#scores .partner-score").await, "17");
    let steps = cb.find_all(Locator::Css(".agenda-step h2")).await.unwrap();
    let mut headings = Vec::new();
    for s in steps {
        headings.push(s.text().await.unwrap());
    }
    assert!(
        headings[0].contains("Appreciations") && headings[4].contains("feel loved"),
        "{headings:?}"
    );
    fits_a_phone(&cb).await;

    // The closing question, answered by Ana, reaches Ben.
    ca.goto(ca.current_url().await.unwrap().as_ref())
        .await
        .unwrap();
    assert!(
        a.text("#appreciations .partner-appreciation")
            .await
            .contains("BEN-CHECKIN-8e2")
    );
    a.fill("#loved", "ANA-LOVED-3f0 Bring me tea on a busy morning")
        .await;
    a.click("form[action$='/loved'] button").await;
    cb.goto(cb.current_url().await.unwrap().as_ref())
        .await
        .unwrap();
    assert!(b.text(".partner-loved").await.contains("ANA-LOVED-3f0"));

    // Several more check-ins seeded through the API, then the trends page draws them.
    for (ana_csi, ben_csi) in [
        ([4, 4, 3, 3], [4, 4, 4, 4]),
        ([3, 3, 3, 2], [4, 3, 3, 3]),
        ([2, 2, 2, 2], [4, 4, 3, 3]),
    ] {
        let (s, v) = ana_api
            .send_json(
                reqwest::Method::POST,
                "/api/v1/checkins",
                serde_json::json!({}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();
        for (who, csi) in [(&ana_api, ana_csi), (&ben_api, ben_csi)] {
            let body = serde_json::json!({"csi": csi, "technoference": [1, 1, 0, 0], "hours_together": 10, "hours_device_free": 4});
            let (s, v) = who
                .send_json(
                    reqwest::Method::POST,
                    &format!("/api/v1/checkins/{id}/submission"),
                    body,
                )
                .await;
            assert_eq!(s, 200, "{v}");
        }
    }
    ca.goto(&app.url("/checkins/trends")).await.unwrap();
    assert_eq!(
        count(&ca, "svg.chart").await,
        3,
        "CSI-4, technoference and shared time"
    );
    assert_eq!(
        count(&ca, "#chart-csi .series.mine circle").await,
        4,
        "four completed check-ins"
    );
    assert_eq!(
        count(&ca, "#chart-csi rect.band").await,
        1,
        "the distress band is drawn"
    );
    let summary = a.text(".chart-summary").await;
    assert!(
        summary.contains("You: 4 check-ins") && summary.contains("latest 8"),
        "{summary}"
    );
    assert!(
        a.source().await.contains("data-warning=\"low_twice\""),
        "8 after 11: below 13.5 twice in a row"
    );
    fits_a_phone(&ca).await;
    cb.goto(&app.url("/checkins/trends")).await.unwrap();
    assert!(b.text(".chart-summary").await.contains("Ana: 4 check-ins"));

    for c in [ca, cb] {
        let _ = c.close().await;
    }
}

#[tokio::test]
async fn two_partners_check_in_meet_and_see_their_trends() {
    in_a_browser(checkin_flow).await;
}

async fn decks_flow(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, ca, cb) = couple_in_browsers(driver, &app).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };

    // Ana switches intimacy off for herself on the decks page.
    ca.goto(&app.url("/questions/decks")).await.unwrap();
    fits_a_phone(&ca).await;
    assert_eq!(count(&ca, ".deck").await, 15);
    assert!(a.text("#deck-intimacy .badge").await.contains("On"));
    // Decks are folded to one line each; one opens at a time, without script.
    let open = "document.querySelectorAll('details.deck[open]').length";
    let opened = |c: &Client| {
        let c = c.clone();
        async move { c.execute(&format!("return {open};"), vec![]).await.unwrap() }
    };
    assert_eq!(opened(&ca).await, 0);
    for deck in ["#deck-play", "#deck-intimacy"] {
        open_deck(&ca, deck).await;
    }
    assert_eq!(opened(&ca).await, 1, "one deck open at a time");
    a.click("#deck-intimacy form[action$='/choice'] button")
        .await;
    assert_eq!(a.text("#deck-intimacy .badge").await, "Off for you");
    // After the change the page comes back with that deck open.
    assert_eq!(opened(&ca).await, 1);
    assert!(a.text("#deck-intimacy").await.contains("Switch on for me"));

    // Ben's page says it is off for the two of them, and not who switched it off.
    cb.goto(&app.url("/questions/decks")).await.unwrap();
    fits_a_phone(&cb).await;
    let card = b.text("#deck-intimacy").await;
    assert!(card.contains("Off for you two"), "{card}");
    assert!(!card.contains("Ana") && !card.contains("Ask one now"));
    // Opt-in decks start off for him too.
    assert_eq!(b.text("#deck-hard-seasons .badge").await, "Off for you");

    // Ana switches it back on: on for both again.
    ca.goto(&app.url("/questions/decks")).await.unwrap();
    open_deck(&ca, "#deck-intimacy").await;
    a.click("#deck-intimacy form[action$='/choice'] button")
        .await;
    cb.goto(&app.url("/questions/decks")).await.unwrap();
    assert_eq!(b.text("#deck-intimacy .badge").await, "On");

    for c in [ca, cb] {
        let _ = c.close().await;
    }
}

/// Opens a folded deck by tapping its one line (a `<details>`: nothing loads).
async fn open_deck(c: &Client, deck: &str) {
    let css = format!("{deck} summary");
    c.execute(
        "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
        vec![serde_json::json!(css)],
    )
    .await
    .unwrap();
    c.find(Locator::Css(&css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test]
async fn a_deck_switched_off_by_one_partner_shows_off_for_you_two_to_the_other() {
    in_a_browser(decks_flow).await;
}

/// Two real Esc presses: typed into a field they keep the draft and leave
/// nobody; on the page they end the session on the server and replace the
/// page, so Back does not return to it.
async fn esc_twice(c: &Client) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    use fantoccini::key::Key;
    let esc: char = Key::Escape.into();
    let keys = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: esc })
        .then(KeyAction::Up { value: esc })
        .then(KeyAction::Down { value: esc })
        .then(KeyAction::Up { value: esc });
    c.perform_actions(keys).await.expect("press Esc twice");
}

async fn quick_exit_flow(driver: &Driver, backend: Backend) {
    // The neutral site: a closed local port, so the test needs no network and
    // nothing waits on one.
    let mut config = rekindle_testkit::test_config();
    config.quick_exit_url = "http://127.0.0.1:9/neutral".into();
    let app = TestApp::spawn_with(backend, config).await;
    app.api_person("ana@example.org", "Ana").await;
    let c = driver.browser().await;
    let p = Page { c: &c };
    p.sign_in(&app.url("/signin"), "ana@example.org").await;
    c.goto(&app.url("/journal")).await.unwrap();
    let draft = "A draft I must not lose";
    p.fill("textarea[name=body]", draft).await;
    c.find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    esc_twice(&c).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        p.path().await,
        "/journal",
        "{backend:?}: Esc in a field is not an exit"
    );
    let kept = c
        .execute(
            "return document.querySelector('textarea[name=body]').value;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(kept, draft, "{backend:?}: the draft is kept");
    let session = c.get_named_cookie("rk_session").await.expect("signed in");

    // Outside a field, Esc twice leaves.
    c.execute("document.activeElement.blur(); return 1;", vec![])
        .await
        .unwrap();
    esc_twice(&c).await;
    let started = std::time::Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        if url.as_str().contains("127.0.0.1:9") || url.scheme() == "chrome-error" {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{backend:?}: still on {url}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The old session no longer opens anything.
    let r = app
        .client()
        .get(app.url("/journal"))
        .header("cookie", format!("rk_session={}", session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        303,
        "{backend:?}: the session ended on the server"
    );
    // Back does not return to the journal: the exit replaced that page (and
    // with nothing before it, Back may have nowhere to go at all). Going back
    // from the closed port's error page never "finishes loading", so the
    // driver would wait out its whole page-load timeout (300 s): wait 3 s,
    // then look at wherever the browser is.
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        None,
        Some(std::time::Duration::from_secs(3)),
        None,
    ))
    .await
    .unwrap();
    let _ = c.back().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let back = c.current_url().await.unwrap();
    assert!(
        !back.path().starts_with("/journal") || !p.source().await.contains(draft),
        "{backend:?}: Back showed {back}"
    );
    let _ = c.close().await;
}

#[tokio::test]
async fn quick_exit_by_esc_twice_spares_typing_and_ends_the_session() {
    in_a_browser(quick_exit_flow).await;
}
