//! A whole talk held aloud in headless Chromium, on both databases, with one
//! "not quite" and one time-out: once on one phone passed across (one browser;
//! Ben joins on Ana's phone with his own password), once on two phones (two
//! browsers kept in step over the socket). Each gives a private flooding check.

use std::time::Duration;

use fantoccini::{Client, Locator};
use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page};
use rekindle_testkit::{ApiPerson, TestApp};

use crate::support::{couple_in_browsers, in_a_browser};
use crate::talk::agree_rules;

async fn wait_for(c: &Client, css: &str) {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"));
}

/// With `REKINDLE_SCREENSHOTS=DIR` (as `scripts/screenshots`), a PNG of the
/// room at phone and desktop width, to look at.
async fn shot(c: &Client, name: &str) {
    let Ok(dir) = std::env::var("REKINDLE_SCREENSHOTS") else {
        return;
    };
    for (w, h, size) in [(360, 800, "phone"), (1366, 900, "desktop")] {
        c.set_window_size(w, h).await.unwrap();
        let png = c.screenshot().await.unwrap();
        std::fs::write(format!("{dir}/aloud-{name}-{size}.png"), png).unwrap();
    }
}

/// Asks for a talk aloud now, in `mode`, from the talks page; returns the room's path.
async fn ask_aloud(app: &TestApp, p: &Page<'_>, mode: &str) -> String {
    p.c.goto(&app.url("/talks")).await.unwrap();
    p.fill("#topic", "Our evenings").await;
    p.press(&format!("input[name=mode][value={mode}]")).await;
    p.c.execute("document.querySelector('#turn').value = '3';", vec![])
        .await
        .unwrap();
    p.click("form.talk-request button[type=submit]").await;
    let room = p.path().await;
    assert!(room.starts_with("/talks/"), "{room}");
    room
}

async fn calm(p: &Page<'_>, n: u8) {
    p.press(&format!("input[name=calm][value='{n}']")).await;
    p.click("button.save-calm").await;
}

async fn one_phone(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (ana, ben, ca, cb) = couple_in_browsers(driver, &app).await;
    let _ = cb.close().await;
    agree_rules(&ana, &ben).await;
    let a = Page { c: &ca };
    let room = ask_aloud(&app, &a, "one_phone").await;
    assert!(a.text(".talk-mode").await.contains("one phone"));

    // Asked once at the start, privately: at 8 (over the default 7) a break is suggested.
    calm(&a, 8).await;
    assert!(a.text(".calm-suggest").await.contains("may need a break"));
    assert!(a.text(".calm-mine").await.contains("8 out of 10"));
    shot(&ca, "1-calm-suggests-a-break").await;
    a.click("button.pledge").await;

    // Ben joins on this phone: a wrong password changes nothing, his own one does.
    a.fill("#join-password", "not his password").await;
    a.click("button.join-here-button").await;
    assert!(a.source().await.contains("That is not Ben's password."));
    a.fill("#join-password", "correct horse battery").await;
    a.click("button.join-here-button").await;
    // Live on one phone: nothing of the flooding check shows on the shared screen.
    assert!(a.text(".floor-holder").await.contains("Ana has the floor"));
    let src = a.source().await;
    assert!(!src.contains("calm-mine") && !src.contains("calm-suggest"));
    assert!(
        a.text(".turn-clock")
            .await
            .contains("About 3 minutes a turn")
    );

    // Ana speaks; the phone goes to Ben; "not quite"; again; "that's it".
    assert!(a.text(".phone-with").await.contains("Ana"));
    a.click("button.spoke").await;
    assert!(a.text(".pass-phone").await.contains("hand it to Ben"));
    assert!(
        a.text(".aloud-cue")
            .await
            .contains("Say back what you heard")
    );
    shot(&ca, "2-say-back").await;
    a.click("button.said-back").await;
    assert!(a.text(".phone-with").await.contains("Ana"));
    shot(&ca, "3-thats-it-or-not-quite").await;
    a.click("button.not-quite").await;
    assert!(a.text(".phone-with").await.contains("Ben"));
    a.click("button.said-back").await;
    a.click("button.confirm").await;
    assert!(a.text(".floor-holder").await.contains("Ben has the floor"));

    // A time-out; twenty minutes later both say they are back on the phone.
    a.click("button.call-time-out").await;
    assert!(a.source().await.contains("pacer"));
    app.clock.advance(Duration::from_secs(20 * 60));
    ca.refresh().await.unwrap();
    a.click("button.back").await;
    a.click("button.back").await;
    assert!(a.text(".floor-holder").await.contains("Ben has the floor"));
    a.click("button.spoke").await;
    a.click("button.said-back").await;
    a.click("button.confirm").await;
    a.click("button.end").await;

    // After: Ana's own before and after, for her alone; the log holds turns, no words.
    calm(&a, 3).await;
    assert!(
        a.text(".calm-before-after")
            .await
            .contains("before the talk, 8 out of 10; afterwards, 3 out of 10")
    );
    shot(&ca, "4-after").await;
    let log = a.text("#talk-log").await;
    for want in [
        "had their say (aloud)",
        "Not quite.",
        "asked for a break",
        "Yes, that's it.",
    ] {
        assert!(log.contains(want), "{backend:?}: {want} in {log}");
    }
    let (_, t) = ben.get_json(&format!("/api/v1{room}")).await;
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"]["kind"].as_str())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "confirmed").count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == "not_quite").count(), 1);
    // Ben's moves are his in the log (made on Ana's phone with his yes).
    let bens = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["mine"] == true && e["event"]["kind"] == "said_back")
        .count();
    assert_eq!(bens, 2, "{backend:?}");
    let _ = ca.close().await;
}

/// A couple in two browsers with the rules agreed; Ana asked for a talk aloud
/// on two phones and pledged, Ben's phone shows the room. The room's path last.
async fn aloud_on_two_phones(
    driver: &Driver,
    backend: Backend,
) -> (TestApp, ApiPerson, ApiPerson, Client, Client, String) {
    let app = TestApp::spawn(backend).await;
    let (ana, ben, ca, cb) = couple_in_browsers(driver, &app).await;
    agree_rules(&ana, &ben).await;
    let room = ask_aloud(&app, &Page { c: &ca }, "two_phones").await;
    Page { c: &ca }.click("button.pledge").await;
    cb.goto(&app.url(&room)).await.unwrap();
    (app, ana, ben, ca, cb, room)
}

async fn two_phones(driver: &Driver, backend: Backend) {
    let (app, ana, _, ca, cb, room) = aloud_on_two_phones(driver, backend).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };
    calm(&b, 4).await;
    assert!(!b.source().await.contains("calm-suggest"), "4 is under 7");
    b.click("button.pledge").await;

    // Ana's phone follows live: her floor.
    wait_for(&ca, "button.spoke").await;
    assert!(a.text(".floor-holder").await.contains("You have the floor"));
    a.click("button.spoke").await;
    wait_for(&cb, "button.said-back").await;
    b.click("button.said-back").await;
    wait_for(&ca, "button.not-quite").await;
    a.click("button.not-quite").await;
    wait_for(&cb, "button.said-back").await;
    b.click("button.said-back").await;
    wait_for(&ca, "button.confirm").await;
    a.click("button.confirm").await;
    wait_for(&cb, "button.spoke").await;
    assert!(b.text(".floor-holder").await.contains("You have the floor"));

    // Ben asks for a break; Ana sees only that a break was asked for.
    b.click("button.call-time-out").await;
    wait_for(&ca, ".time-out .pacer").await;
    a.wait_for_text("asked for a break").await;
    assert!(!a.source().await.contains("4 out of 10"));
    app.clock.advance(Duration::from_secs(20 * 60));
    ca.refresh().await.unwrap();
    cb.refresh().await.unwrap();
    a.click("button.back").await;
    b.click("button.back").await;
    wait_for(&cb, "button.spoke").await;
    b.click("button.spoke").await;
    wait_for(&ca, "button.said-back").await;
    a.click("button.said-back").await;
    wait_for(&cb, "button.confirm").await;
    b.click("button.confirm").await;
    b.click("button.end").await;
    wait_for(&ca, "#reflection").await;
    let (_, t) = ana.get_json(&format!("/api/v1{room}")).await;
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["event"]["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "not_quite").count(),
        1,
        "{backend:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "time_out").count(),
        1,
        "{backend:?}"
    );
    assert_eq!(kinds.last(), Some(&"ended"));
    let _ = ca.close().await;
    let _ = cb.close().await;
}

/// Issue 19, part 1: on two phones, Ben jots a note while he listens and
/// shares it; Ana's phone shows it live. A second note he keeps to himself
/// never reaches Ana's phone, live or after a reload.
async fn notes_on_two_phones(driver: &Driver, backend: Backend) {
    let (app, _, ben, ca, cb, room) = aloud_on_two_phones(driver, backend).await;
    let a = Page { c: &ca };
    let b = Page { c: &cb };
    calm(&b, 2).await;
    b.click("button.pledge").await;
    wait_for(&ca, "button.spoke").await;
    a.click("button.spoke").await;
    wait_for(&cb, "button.said-back").await;

    // While listening, Ben notes one line and shares it.
    b.fill("#note-text", "BEN-SHARED evenings matter to me too")
        .await;
    b.click("button.save-note").await;
    assert!(b.text(".note-list").await.contains("BEN-SHARED"));
    shot(&cb, "4-a-note-of-your-own").await;
    b.click("button.share-note").await;
    assert!(b.text(".note-list").await.contains("Shared with Ana"));
    a.wait_for_text("BEN-SHARED evenings matter to me too")
        .await;
    assert!(a.text("#talk-log").await.contains("shared a note"));

    // A second note stays his: Ana's phone never shows it.
    b.fill("#note-text", "BEN-PRIVATE ask about the budget later")
        .await;
    b.click("button.save-note").await;
    assert!(b.text(".note-list").await.contains("BEN-PRIVATE"));
    assert!(b.text(".note-list").await.contains("Share with Ana"));
    // Bad input: an inline error, nothing kept.
    b.fill("#note-text", &"x".repeat(140)).await;
    b.c.execute(
        "document.querySelector('#note-text').removeAttribute('maxlength');\
         document.querySelector('#note-text').value += 'y';",
        vec![],
    )
    .await
    .unwrap();
    b.click("button.save-note").await;
    assert!(b.text("#note-error").await.contains("140 characters"));
    // The talk goes on: Ben says it back; Ana's phone follows.
    cb.goto(&app.url(&room)).await.unwrap();
    b.click("button.said-back").await;
    wait_for(&ca, "button.confirm").await;
    shot(&ca, "5-the-partner-shared-a-note").await;
    assert!(
        !a.source().await.contains("BEN-PRIVATE"),
        "{backend:?}: live"
    );
    ca.refresh().await.unwrap();
    let src = a.source().await;
    assert!(src.contains("BEN-SHARED"), "{backend:?}");
    assert!(!src.contains("BEN-PRIVATE"), "{backend:?}: after a reload");
    let (_, notes) = ben.get_json(&format!("/api/v1{room}/notes")).await;
    assert_eq!(notes.as_array().unwrap().len(), 2, "{backend:?}: {notes}");
    let _ = ca.close().await;
    let _ = cb.close().await;
}

#[tokio::test]
async fn notes_during_a_talk_aloud_on_two_phones() {
    in_a_browser(notes_on_two_phones).await;
}

#[tokio::test]
async fn a_talk_aloud_on_one_phone_passed_across() {
    in_a_browser(one_phone).await;
}

#[tokio::test]
async fn a_talk_aloud_on_two_phones_kept_in_step() {
    in_a_browser(two_phones).await;
}
