//! The coach without JavaScript in every coached text box (issue 16): a form sent with
//! "Check with the coach" answers with the coach's notes and the fill-in I-statement as
//! form fields, prefilled from the writer's own words, and stores nothing; "Put it in my
//! words box" puts the builder's sentence into the box, still storing nothing. On SQLite
//! and PostgreSQL.

use rekindle_testkit::{HtmlPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::json;

/// A blame message with a marker word, so the database can be searched for it.
const TEXT: &str = "You left your Quillnap dishes in the sink again.";
const MARKER: &str = "Quillnap";

/// Every table a coached text box could be saved into.
const TABLES: [&str; 12] = [
    "journal_entries",
    "board_problems",
    "board_options",
    "board_agreements",
    "board_followups",
    "appreciations",
    "talks",
    "talk_events",
    "talk_notes",
    "checkin_submissions",
    "answers",
    "question_replies",
];

async fn nothing_stored(app: &TestApp, what: &str) {
    for t in TABLES {
        let rows = app.db.dump_table(t).await;
        assert!(
            !rows.contains(MARKER),
            "{what}: asking the coach stored the text in {t}: {rows}"
        );
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The page shows the builder for box `field` as form fields prefilled from `text`.
fn assert_builder(page: &str, field: &str, text: &str, what: &str) {
    let want = rekindle_coach::analyze(text)
        .builder
        .expect("the coach offers a builder for blame");
    assert!(!want.observation.is_empty(), "{}", want.observation);
    let panel = page
        .split(&format!("id=\"{field}-coach-server\""))
        .nth(1)
        .unwrap_or_else(|| panic!("{what}: no coach panel for {field} in {page}"));
    let panel = panel.split("</fieldset>").next().unwrap();
    assert!(panel.contains("Blame:"), "{what}: the notes: {panel}");
    for needle in [
        format!("<label for=\"{field}-coach-obs\">When I see…</label>"),
        format!(
            "id=\"{field}-coach-obs\" name=\"coach_obs\" maxlength=\"300\" value=\"{}\"",
            esc(&want.observation)
        ),
        format!("<option selected>{}</option>", esc(want.feeling)),
        format!("<option selected>{}</option>", esc(want.need)),
        format!("name=\"coach\" value=\"build:{field}\""),
    ] {
        assert!(
            panel.contains(&needle),
            "{what}: {needle} missing in {panel}"
        );
    }
    for choice in want.feeling_choices.iter().chain(want.need_choices) {
        assert!(
            panel.contains(&format!("{}</option>", esc(choice))),
            "{what}: {choice} missing in {panel}"
        );
    }
    // The writer's words stay in their box.
    assert!(
        page.contains(&format!(">{}</textarea>", esc(text))),
        "{what}"
    );
}

async fn check(p: &HtmlPerson, path: &str, fields: &[(&str, &str)]) -> String {
    let (status, page, location) = p.post(path, fields).await;
    assert_eq!(status, 200, "{path}: {location:?} {page}");
    page
}

#[tokio::test]
async fn journal_offers_the_builder_without_javascript_and_stores_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let page = check(
            &ana,
            "/journal",
            &[
                ("title", "Tonight"),
                ("body", TEXT),
                ("coach", "check:body"),
            ],
        )
        .await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} new entry"));
        assert!(
            page.contains("value=\"Tonight\""),
            "{b:?}: the title is kept"
        );
        nothing_stored(&app, "new entry").await;
        // "Put it in my words box": the sentence goes into the box, nothing is saved.
        let page = check(
            &ana,
            "/journal",
            &[
                ("title", "Tonight"),
                ("body", TEXT),
                ("coach", "build:body"),
                ("coach_sense", "see"),
                ("coach_obs", "the Quillnap dishes in the sink"),
                ("coach_feel", "tired"),
                ("coach_need", "support"),
                ("coach_ask", "wash them before bed"),
            ],
        )
        .await;
        assert!(
            page.contains(
                ">When I see the Quillnap dishes in the sink, I feel tired, because I need \
                 support. Would you wash them before bed?</textarea>"
            ),
            "{b:?}: {page}"
        );
        assert!(page.contains("Your sentence is in the box above."), "{b:?}");
        nothing_stored(&app, "builder sentence").await;
        // Editing a saved entry: asking the coach leaves the saved text as it was.
        let (status, _, location) = ana
            .post(
                "/journal",
                &[("title", "Kept"), ("body", "A quiet evening.")],
            )
            .await;
        assert_eq!(status, 303, "{b:?}");
        let path = location.unwrap().split('?').next().unwrap().to_owned();
        let page = check(
            &ana,
            &path,
            &[("title", "Kept"), ("body", TEXT), ("coach", "check:body")],
        )
        .await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} entry edit"));
        nothing_stored(&app, "entry edit").await;
        let (_, saved) = ana.get(&path).await;
        assert!(saved.contains("A quiet evening."), "{b:?}");
        // Saving is unchanged: the same form without the coach button saves.
        let (status, _, _) = ana
            .post("/journal", &[("title", "Tonight"), ("body", TEXT)])
            .await;
        assert_eq!(status, 303, "{b:?}");
        assert!(app.db.dump_table("journal_entries").await.contains(MARKER));
    }
}

#[tokio::test]
async fn board_offers_the_builder_for_titles_ideas_and_agreements() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (a, bn) = couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let page = check(
            &ana,
            "/board/problems",
            &[("title", TEXT), ("coach", "check:title")],
        )
        .await;
        assert_builder(&page, "title", TEXT, &format!("{b:?} title"));
        nothing_stored(&app, "board title").await;
        let (s, v) = a
            .send_json(
                Method::POST,
                "/api/v1/board/problems",
                json!({"title": "getting out of the door on school mornings"}),
            )
            .await;
        assert_eq!(s, 201, "{v}");
        let id = v["id"].as_str().unwrap().to_owned();
        let (s, v) = bn
            .send_json(
                Method::POST,
                &format!("/api/v1/board/problems/{id}/accept"),
                json!({}),
            )
            .await;
        assert!((200..300).contains(&s), "{v}");
        let page = check(
            &ana,
            &format!("/board/{id}/options"),
            &[("body", TEXT), ("coach", "check:body")],
        )
        .await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} idea"));
        nothing_stored(&app, "board idea").await;
        // The agreement, once the ideas are rated (one problem at a time: a new space).
        let app = TestApp::spawn(b).await;
        let (a, bn) = couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let ideas = ["Pack bags the night before", "Leave at 8 sharp"];
        let id =
            crate::board::to_rating(&a, &bn, "Tuesday mornings", &ideas[..1], &ideas[1..]).await;
        for p in [&a, &bn] {
            crate::board::rate_all(p, &id, &[(ideas[0], 5), (ideas[1], 4)]).await;
        }
        let (_, problem) = a.get_json(&format!("/api/v1/board/problems/{id}")).await;
        let option = problem["options"][0]["id"].as_str().unwrap().to_owned();
        let page = check(
            &ana,
            &format!("/board/{id}/agreement"),
            &[
                ("option_id", option.as_str()),
                ("body", TEXT),
                ("trial_days", "14"),
                ("coach", "check:agreement"),
            ],
        )
        .await;
        assert_builder(&page, "agreement", TEXT, &format!("{b:?} agreement"));
        nothing_stored(&app, "board agreement").await;
        // A compromise of two ranked ideas: its box is `body`, apart from the idea box.
        let second = problem["options"][1]["id"].as_str().unwrap().to_owned();
        let path = format!("/board/{id}/compromises");
        let page = check(
            &ana,
            &path,
            &[
                ("from", option.as_str()),
                ("from", second.as_str()),
                ("body", TEXT),
                ("coach", "check:compromise"),
            ],
        )
        .await;
        assert_builder(&page, "compromise", TEXT, &format!("{b:?} compromise"));
        assert!(
            page.contains("<details class=\"compromise\" open>"),
            "{b:?}: the compromise box stays open"
        );
        for o in [&option, &second] {
            assert!(
                page.contains(&format!(
                    "id=\"from-{o}\" name=\"from\" value=\"{o}\" checked"
                )),
                "{b:?}: the chosen ideas stay chosen"
            );
        }
        nothing_stored(&app, "board compromise").await;
        // Without the coach button the same form adds the compromise.
        let (status, _, _) = ana
            .post(
                &path,
                &[
                    ("from", option.as_str()),
                    ("from", second.as_str()),
                    ("body", TEXT),
                ],
            )
            .await;
        assert_eq!(status, 303, "{b:?}");
        assert!(app.db.dump_table("board_options").await.contains(MARKER));
    }
}

#[tokio::test]
async fn appreciations_offer_the_builder_without_javascript() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        couple(&app).await;
        let ana = app.html_person("ana@example.org").await;
        let page = check(
            &ana,
            "/appreciations",
            &[("body", TEXT), ("coach", "check:body")],
        )
        .await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} appreciation"));
        nothing_stored(&app, "appreciation").await;
        // Editing a draft: its box is `body` too; the coach reads it as "draft".
        let (status, _, location) = ana
            .post(
                "/appreciations",
                &[("body", "Thank you for the tea."), ("action", "draft")],
            )
            .await;
        assert_eq!(status, 303, "{b:?}");
        let id = location
            .unwrap()
            .rsplit("#appreciation-")
            .next()
            .unwrap()
            .to_owned();
        let path = format!("/appreciations/{id}");
        let page = check(&ana, &path, &[("body", TEXT), ("coach", "check:draft")]).await;
        assert_builder(&page, "draft", TEXT, &format!("{b:?} draft edit"));
        assert!(
            page.contains(&format!("id=\"draft-{id}\" name=\"body\"")),
            "{b:?}: the text stays in the draft's own box"
        );
        assert!(
            !page.contains("id=\"body-coach-server\""),
            "{b:?}: the new appreciation's box has no panel"
        );
        nothing_stored(&app, "draft edit").await;
        assert!(
            app.db
                .dump_table("appreciations")
                .await
                .contains("Thank you for the tea."),
            "{b:?}: the saved draft is unchanged"
        );
        // A draft edit that cannot be saved keeps its text in the draft's box, with the error.
        let long = format!("{MARKER}{}", " thanks".repeat(200));
        let (status, page, _) = ana
            .post(&path, &[("body", &long), ("action", "draft")])
            .await;
        assert_eq!(status, 422, "{b:?}: {page}");
        assert!(
            page.contains(&format!("id=\"draft-{id}-error\"")),
            "{b:?}: the error is beside the draft: {page}"
        );
        assert!(page.contains(&format!("{long}</textarea>")), "{b:?}");
        nothing_stored(&app, "draft edit too long").await;
    }
}

#[tokio::test]
async fn the_talk_room_offers_the_builder_for_a_statement() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (a, bn) = couple(&app).await;
        let id = crate::talk::live_talk(&a, &bn).await;
        let mut shown = false;
        // Whoever holds the floor has the statement box.
        for who in ["ana@example.org", "ben@example.org"] {
            let p = app.html_person(who).await;
            let page = check(
                &p,
                &format!("/talks/{id}/act"),
                &[
                    ("cmd", "statement"),
                    ("text", TEXT),
                    ("coach", "check:text"),
                ],
            )
            .await;
            if page.contains("id=\"text-coach-server\"") {
                assert_builder(&page, "text", TEXT, &format!("{b:?} talk"));
                shown = true;
                break;
            }
        }
        assert!(shown, "{b:?}: the one holding the floor sees the builder");
        nothing_stored(&app, "talk statement").await;
    }
}

#[tokio::test]
async fn check_in_notes_offer_the_builder_without_javascript() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (a, _) = couple(&app).await;
        let (s, v) = a
            .send_json(Method::POST, "/api/v1/checkins", json!({}))
            .await;
        assert!((200..300).contains(&s), "{v}");
        let id = v["id"].as_str().unwrap().to_owned();
        let ana = app.html_person("ana@example.org").await;
        let page = check(
            &ana,
            &format!("/checkins/{id}/submit"),
            &[
                ("csi1", "3"),
                ("appreciation", "You cooked on Tuesday."),
                ("topic", TEXT),
                ("coach", "check:appreciation,went_well,topic"),
            ],
        )
        .await;
        assert_builder(&page, "topic", TEXT, &format!("{b:?} check-in"));
        // Each box with text gets its own panel; the empty one none.
        assert!(page.contains("id=\"appreciation-coach-server\""), "{b:?}");
        assert!(!page.contains("id=\"went_well-coach-server\""), "{b:?}");
        assert!(page.contains(">You cooked on Tuesday.</textarea>"), "{b:?}");
        nothing_stored(&app, "check-in").await;
    }
}

/// With JavaScript the live coach takes over: the server-rendered builder and the "Check
/// with the coach" button are hidden, the live builder shows the writer's own words and
/// "Use this" puts its sentence into the box.
async fn live_builder_flow(
    driver: &rekindle_testkit::browser::Driver,
    backend: rekindle_storage::Backend,
) {
    use fantoccini::Locator;
    let app = TestApp::spawn(backend).await;
    app.api_person("ana@example.org", "Ana").await;
    let c = driver.browser().await;
    let p = rekindle_testkit::browser::Page { c: &c };
    p.sign_in(&app.url("/signin"), "ana@example.org").await;
    c.goto(&app.url("/journal")).await.unwrap();
    p.fill("#body", TEXT).await;
    p.click("form[action='/journal'] button[type=submit]").await;
    let path = c.current_url().await.unwrap().path().to_owned();
    assert!(
        path.starts_with("/journal/") && path != "/journal/",
        "{path}"
    );
    // The page carries the server-rendered builder; the live one replaces it.
    assert!(p.source().await.contains("id=\"body-coach-server\""));
    c.wait()
        .for_element(Locator::Css("#body-coach .coach-builder"))
        .await
        .expect("the live builder");
    let hidden = c
        .execute(
            "return [document.getElementById('body-coach-server').hidden,
                     document.getElementById('body-coach-server').offsetParent === null,
                     Array.from(document.querySelectorAll('button.coach-check')).every(b => b.offsetParent === null),
                     document.querySelectorAll('button.coach-check').length];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(hidden, json!([true, true, true, 1]), "{backend:?}");
    let want = rekindle_coach::analyze(TEXT).builder.unwrap();
    let obs = c
        .find(Locator::Css("#body-b-obs"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(obs, want.observation, "{backend:?}");
    let sentence = p.text("#body-coach .coach-rewrite-text").await;
    assert!(sentence.contains(&want.observation), "{sentence}");
    p.press("#body-coach .coach-use").await;
    let value = c
        .find(Locator::Css("#body"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(value, sentence, "{backend:?}");
    let _ = c.close().await;
}

#[tokio::test]
async fn with_javascript_the_live_builder_replaces_the_server_one() {
    crate::support::in_a_browser(live_builder_flow).await;
}

#[tokio::test]
async fn question_answers_and_replies_offer_the_builder_without_javascript() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana_api, ben_api) = couple(&app).await;
        let (s, q) = ana_api
            .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
            .await;
        assert_eq!(s, 201, "{q}");
        let id = q["id"].as_str().unwrap().to_owned();
        let ana = app.html_person("ana@example.org").await;

        // The answer box, before answering.
        let path = format!("/questions/{id}/answer");
        let page = check(&ana, &path, &[("body", TEXT), ("coach", "check:body")]).await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} answer"));
        nothing_stored(&app, "answer").await;
        let (_, v) = ana_api.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(
            v["state"], "unanswered",
            "{b:?}: asking the coach is no answer"
        );

        // The reply box, once both have answered.
        for p in [&ana_api, &ben_api] {
            let (s, _) = p
                .send_json(
                    Method::POST,
                    &format!("/api/v1/questions/{id}/answer"),
                    json!({"body": "A plain answer."}),
                )
                .await;
            assert_eq!(s, 200);
        }
        let path = format!("/questions/{id}/reply");
        let page = check(&ana, &path, &[("body", TEXT), ("coach", "check:body")]).await;
        assert_builder(&page, "body", TEXT, &format!("{b:?} reply"));
        nothing_stored(&app, "reply").await;
        let (_, v) = ana_api.get_json(&format!("/api/v1/questions/{id}")).await;
        assert_eq!(
            v["replies"].as_array().map(Vec::len),
            Some(0),
            "{b:?}: asking the coach sends no reply: {v}"
        );
    }
}
