//! The journal's list page on both databases: long journals come in pages, with
//! an excerpt of each entry, and the partner's private entries on none of them.

use rekindle_testkit::{TestApp, backends, couple};
use reqwest::Method;
use serde_json::json;

/// Entries' titles in the order the list shows them.
fn titles(html: &str) -> Vec<String> {
    html.split("<li class=\"entry ")
        .skip(1)
        .filter_map(|li| {
            let after = li.split_once("\">").map(|(_, a)| a)?; // the class
            let link = after.split_once("<a href=\"/journal/")?.1;
            Some(link.split_once("\">")?.1.split_once("</a>")?.0.to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_long_journal_comes_in_pages_of_excerpts() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        // 23 of Ana's own (a minute apart, so their order is certain), one of
        // Ben's shared with her, one of Ben's kept private.
        let long_tail = "PAST-THE-EXCERPT";
        for i in 1..=23 {
            app.clock.advance(std::time::Duration::from_secs(60));
            let body = if i == 23 {
                format!("{} {long_tail}", "word ".repeat(100))
            } else {
                format!("Entry number {i}.")
            };
            let (s, v) = ana
                .send_json(
                    Method::POST,
                    "/api/v1/journal",
                    json!({"title": format!("Day {i}"), "body": body}),
                )
                .await;
            assert_eq!(s, 201, "{v}");
        }
        for (title, share) in [("BEN-SHARED", true), ("BEN-PRIVATE", false)] {
            app.clock.advance(std::time::Duration::from_secs(60));
            let (_, v) = ben
                .send_json(
                    Method::POST,
                    "/api/v1/journal",
                    json!({"title": title, "body": "From Ben."}),
                )
                .await;
            if share {
                let id = v["id"].as_str().unwrap();
                let (s, _) = ben
                    .send_json(
                        Method::PATCH,
                        &format!("/api/v1/journal/{id}"),
                        json!({"visibility": "shared"}),
                    )
                    .await;
                assert_eq!(s, 200);
            }
        }
        let page = app.html_person("ana@example.org").await;

        let (s, first) = page.get("/journal").await;
        assert_eq!(s, 200, "{b:?}");
        let mut want = vec!["BEN-SHARED".to_owned()];
        want.extend((5..=23).rev().map(|i| format!("Day {i}")));
        assert_eq!(
            titles(&first),
            want,
            "{b:?}: the newest twenty, newest first"
        );
        assert!(first.contains("href=\"/journal?page=2#entries\""), "{b:?}");
        assert!(!first.contains("Newer entries"), "{b:?}");
        // The list shows an excerpt; the entry itself keeps every word.
        assert!(!first.contains(long_tail), "{b:?}: only an excerpt");

        let (s, second) = page.get("/journal?page=2").await;
        assert_eq!(s, 200, "{b:?}");
        assert_eq!(
            titles(&second),
            ["Day 4", "Day 3", "Day 2", "Day 1"],
            "{b:?}: the rest"
        );
        assert!(second.contains("href=\"/journal#entries\""), "{b:?}");
        assert!(!second.contains("Older entries"), "{b:?}");

        for html in [&first, &second] {
            assert!(
                !html.contains("BEN-PRIVATE"),
                "{b:?}: never the partner's private"
            );
        }
        let (_, v) = ana.get_json("/api/v1/journal").await;
        let day23 = v
            .as_array()
            .or_else(|| v["entries"].as_array())
            .expect("a list")
            .iter()
            .find(|e| e["title"] == "Day 23")
            .expect("Day 23")["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, entry) = page.get(&format!("/journal/{day23}")).await;
        assert!(entry.contains(long_tail), "{b:?}: the whole entry");

        // Pages that do not exist lead nowhere, and change nothing.
        for bad in ["3", "0", "-1", "two", "99999999999"] {
            let (s, _) = page.get(&format!("/journal?page={bad}")).await;
            assert_eq!(s, 404, "{b:?}: page={bad}");
        }
    }
}
