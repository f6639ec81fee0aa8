//! When a partner erases their account or leaves (docs/privacy.md), on both
//! databases and from each side: the one who stays keeps their talks (their
//! parts, the partner's marked as removed), their problem, their answered
//! question (answered, never "waiting"), and their export holds exactly that.
//! And an export holds exactly what its owner may see of a talk.

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::export_text;

async fn ok(who: &ApiPerson, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = who.send_json(method, path, body.clone()).await;
    assert!(s < 300, "{path} {body} → {s} {v}");
    v
}

async fn cmd(who: &ApiPerson, id: &str, body: Value) {
    ok(
        who,
        Method::POST,
        &format!("/api/v1/talks/{id}/commands"),
        body,
    )
    .await;
}

/// A talk over: Ana spoke (harshly, by the coach's reading), Ben said back
/// what he heard, Ana confirmed; each wrote a reflection, Ben shared his.
pub(crate) async fn talk_over(ana: &ApiPerson, ben: &ApiPerson) -> String {
    for (who, v) in [(ana, 0), (ben, 1)] {
        ok(
            who,
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": v}),
        )
        .await;
    }
    let times = [chrono::Utc::now().timestamp_millis() + 3_600_000];
    let t = ok(
        ana,
        Method::POST,
        "/api/v1/talks",
        json!({"topic": "ANA-TOPIC", "times": times, "length_min": 30}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    cmd(ben, &id, json!({"cmd": "start_now"})).await;
    cmd(ana, &id, json!({"cmd": "pledge"})).await;
    cmd(ben, &id, json!({"cmd": "pledge"})).await;
    cmd(
        ana,
        &id,
        json!({"cmd": "statement", "text": "You never listen to me ANA-SAID"}),
    )
    .await;
    cmd(
        ben,
        &id,
        json!({"cmd": "paraphrase", "text": "BEN-HEARD you feel unheard"}),
    )
    .await;
    cmd(ana, &id, json!({"cmd": "confirm"})).await;
    cmd(ben, &id, json!({"cmd": "end"})).await;
    // Each gives a private flooding check afterwards (issue 19).
    for (who, value) in [(ana, calm_of("ANA")), (ben, calm_of("BEN"))] {
        ok(
            who,
            Method::POST,
            &format!("/api/v1/talks/{id}/calm"),
            json!({"value": value}),
        )
        .await;
    }
    let path = format!("/api/v1/talks/{id}/reflection");
    ok(
        ana,
        Method::PUT,
        &path,
        json!({"understood": "ANA-PRIVATE-REFLECTION", "feel_now": "ANA-FEEL"}),
    )
    .await;
    ok(
        ben,
        Method::PUT,
        &path,
        json!({"understood": "BEN-SHARED-REFLECTION", "feel_now": "BEN-FEEL", "shared": true}),
    )
    .await;
    id
}

/// A talk held aloud on two phones where each writes a private note and shares
/// another (issue 19); the talk then ends.
async fn aloud_with_notes(ana: &ApiPerson, ben: &ApiPerson) -> String {
    let t = ok(
        ana,
        Method::POST,
        "/api/v1/talks",
        json!({"topic": "Aloud", "times": [], "mode": "two_phones"}),
    )
    .await;
    let id = t["id"].as_str().unwrap().to_owned();
    cmd(ana, &id, json!({"cmd": "start_now"})).await;
    cmd(ana, &id, json!({"cmd": "pledge"})).await;
    cmd(ben, &id, json!({"cmd": "pledge"})).await;
    let notes = format!("/api/v1/talks/{id}/notes");
    for (who, tag) in [(ana, "ANA"), (ben, "BEN")] {
        ok(
            who,
            Method::POST,
            &notes,
            json!({"text": format!("{tag}-PRIVATE-NOTE")}),
        )
        .await;
        let n = ok(
            who,
            Method::POST,
            &notes,
            json!({"text": format!("{tag}-SHARED-NOTE")}),
        )
        .await;
        ok(
            who,
            Method::POST,
            &format!("{notes}/{}/share", n["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    }
    cmd(ana, &id, json!({"cmd": "end"})).await;
    id
}

/// Each one's flooding check after the talk, different so a mix-up shows.
fn calm_of(who: &str) -> i64 {
    if who == "ANA" { 8 } else { 3 }
}

/// A flooding check of `talk` as the export writes it (keys sorted, spaces dropped).
fn calm_in_export(export: &str, talk: &str, value: i64) -> bool {
    let compact: String = export.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains(&format!("\"talk_id\":\"{talk}\",\"value\":{value}"))
}

/// The talks.json part of a person's export.
fn talks_part(export: &str) -> &str {
    let start = export.find("\"my_reflections\"").unwrap_or(0);
    let from = export[..start].rfind("\"talks\"").unwrap_or(0);
    &export[from..export.len().min(start + 4000)]
}

#[tokio::test]
async fn an_export_holds_exactly_what_its_owner_may_see_of_a_talk() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        talk_over(&ana, &ben).await;
        let a = export_text(&ana).await;
        assert!(
            a.contains("BEN-SHARED-REFLECTION"),
            "{b:?}: Ana may read Ben's shared reflection, so her export holds it"
        );
        assert!(a.contains("ANA-PRIVATE-REFLECTION"));
        assert!(
            talks_part(&a).contains("\"harsh\": true"),
            "{b:?}: the coach's reading of her own statement is Ana's"
        );
        let bz = export_text(&ben).await;
        assert!(bz.contains("ANA-SAID"), "{b:?}: Ben heard the statement");
        assert!(
            !bz.contains("\"harsh\""),
            "{b:?}: the coach's verdict on Ana's words never reaches Ben"
        );
        assert!(!bz.contains("ANA-PRIVATE-REFLECTION"));
        // The live view the listener receives carries no verdict either.
        let talks = ben.get_json("/api/v1/talks").await.1;
        let id = talks[0]["id"].as_str().unwrap();
        let (_, seen) = ben.get_json(&format!("/api/v1/talks/{id}")).await;
        assert!(seen.to_string().contains("ANA-SAID"));
        assert!(!seen.to_string().contains("harsh"), "{b:?}: {seen}");
    }
}

#[tokio::test]
async fn the_partner_who_stays_keeps_their_talk_problem_and_answer_after_erasure_or_leaving() {
    for b in backends() {
        for erase in [true, false] {
            for ana_goes in [false, true] {
                let app = TestApp::spawn(b).await;
                let (ana, ben) = couple(&app).await;
                let talk = talk_over(&ana, &ben).await;
                // Ana names a problem; both add an idea.
                let p = ok(
                    &ana,
                    Method::POST,
                    "/api/v1/board/problems",
                    json!({"title": "ANA-PROBLEM mornings"}),
                )
                .await;
                let problem = p["id"].as_str().unwrap().to_owned();
                ok(
                    &ben,
                    Method::POST,
                    &format!("/api/v1/board/problems/{problem}/accept"),
                    json!({}),
                )
                .await;
                for (who, idea) in [(&ana, "ANA-IDEA"), (&ben, "BEN-IDEA")] {
                    ok(
                        who,
                        Method::POST,
                        &format!("/api/v1/board/problems/{problem}/options"),
                        json!({"body": idea}),
                    )
                    .await;
                }
                // Both answer a question.
                let q = ok(&ana, Method::POST, "/api/v1/decks/our-story/ask", json!({})).await;
                let question = q["id"].as_str().unwrap().to_owned();
                for (who, body) in [(&ana, "ANA-ANSWER"), (&ben, "BEN-ANSWER")] {
                    ok(
                        who,
                        Method::POST,
                        &format!("/api/v1/questions/{question}/answer"),
                        json!({"body": body}),
                    )
                    .await;
                }

                // Appreciations: each sends one (the other keeps it) and keeps a draft.
                for (who, other, tag) in [(&ana, &ben, "ANA"), (&ben, &ana, "BEN")] {
                    let sent = ok(
                        who,
                        Method::POST,
                        "/api/v1/appreciations",
                        json!({"body": format!("Thank you {tag}-THANKS"), "send": true}),
                    )
                    .await;
                    ok(
                        other,
                        Method::PUT,
                        &format!(
                            "/api/v1/appreciations/{}/kept",
                            sent["id"].as_str().unwrap()
                        ),
                        json!({"kept": true}),
                    )
                    .await;
                    ok(
                        who,
                        Method::POST,
                        "/api/v1/appreciations",
                        json!({"body": format!("Thank you {tag}-DRAFT")}),
                    )
                    .await;
                }

                // A talk held aloud where each keeps a private note and shares another.
                let aloud = aloud_with_notes(&ana, &ben).await;

                let (goer, stayer, mine, theirs, stayer_email) = if ana_goes {
                    (&ana, &ben, "BEN", "ANA", "ben@example.org")
                } else {
                    (&ben, &ana, "ANA", "BEN", "ana@example.org")
                };
                let ctx = format!("{b:?} erase={erase} ana_goes={ana_goes}");
                if erase {
                    let (s, v) = goer
                        .send_json(
                            Method::DELETE,
                            "/api/v1/me",
                            json!({"password": "correct horse battery"}),
                        )
                        .await;
                    assert!(s < 300, "{ctx}: {v}");
                } else {
                    let (s, v) = goer
                        .send_json(Method::DELETE, "/api/v1/space", json!({}))
                        .await;
                    assert!(s < 300, "{ctx}: {v}");
                }
                let html = app.html_person(stayer_email).await;

                // The talk stays, with the stayer's parts only.
                let (s, list) = html.get("/talks").await;
                assert_eq!(s, 200, "{ctx}");
                assert!(list.contains(&format!("/talks/{talk}")), "{ctx}: listed");
                let (s, page) = html.get(&format!("/talks/{talk}")).await;
                assert_eq!(s, 200, "{ctx}: the talk opens");
                let (said, reflection) = if mine == "ANA" {
                    ("ANA-SAID", "ANA-PRIVATE-REFLECTION")
                } else {
                    ("BEN-HEARD", "BEN-SHARED-REFLECTION")
                };
                let (their_said, their_reflection) = if mine == "ANA" {
                    ("BEN-HEARD", "BEN-SHARED-REFLECTION")
                } else {
                    ("ANA-SAID", "ANA-PRIVATE-REFLECTION")
                };
                assert!(
                    page.contains(said) && page.contains(reflection),
                    "{ctx}: own words"
                );
                assert!(
                    !page.contains(their_said) && !page.contains(their_reflection),
                    "{ctx}: the partner's parts are gone"
                );
                assert!(
                    page.contains("parts have been removed"),
                    "{ctx}: and marked"
                );
                // The same through the API.
                let (s, api) = stayer.get_json(&format!("/api/v1/talks/{talk}")).await;
                assert_eq!(s, 200, "{ctx}: {api}");
                assert_eq!(api["state"]["space_ended"], true, "{ctx}");
                let api = api.to_string();
                assert!(api.contains(said) && api.contains(reflection), "{ctx}");
                assert!(
                    !api.contains(their_said) && !api.contains(their_reflection),
                    "{ctx}"
                );
                let listed = stayer.get_json("/api/v1/talks").await.1;
                assert_eq!(listed[0]["space_ended"], true, "{ctx}: {listed}");

                // The problem opens (not 404), with the stayer's idea only.
                let (s, board) = html.get(&format!("/board/{problem}")).await;
                assert_eq!(s, 200, "{ctx}: the problem opens");
                assert!(board.contains(&format!("{mine}-IDEA")), "{ctx}");
                assert!(!board.contains(&format!("{theirs}-IDEA")), "{ctx}");
                assert_eq!(
                    board.contains("ANA-PROBLEM"),
                    mine == "ANA",
                    "{ctx}: the title is its namer's"
                );

                // The question: answered, the partner's side gone, not waiting.
                let (s, qp) = html.get(&format!("/questions/{question}")).await;
                assert_eq!(s, 200, "{ctx}");
                assert!(qp.contains(&format!("{mine}-ANSWER")), "{ctx}");
                assert!(!qp.contains(&format!("{theirs}-ANSWER")), "{ctx}");
                assert!(!qp.contains("Waiting for your partner"), "{ctx}");
                assert!(qp.contains("your answer stays yours"), "{ctx}");

                // Appreciations: the stayer's own, sent and draft; none of the other's.
                let (s, ap) = html.get("/appreciations").await;
                assert_eq!(s, 200, "{ctx}");
                assert!(
                    ap.contains(&format!("{mine}-THANKS")) && ap.contains(&format!("{mine}-DRAFT")),
                    "{ctx}: own appreciations"
                );
                assert!(
                    !ap.contains(&format!("{theirs}-THANKS"))
                        && !ap.contains(&format!("{theirs}-DRAFT")),
                    "{ctx}: nothing of the other's, though it was kept"
                );
                let api = stayer.get_json("/api/v1/appreciations").await.1.to_string();
                assert!(api.contains(&format!("{mine}-THANKS")), "{ctx}");
                assert!(!api.contains(&format!("{theirs}-THANKS")), "{ctx}: {api}");

                // The export holds exactly that.
                let e = export_text(stayer).await;
                for needle in [
                    said,
                    reflection,
                    &format!("{mine}-IDEA"),
                    &format!("{mine}-ANSWER"),
                    &format!("{mine}-THANKS"),
                    &format!("{mine}-DRAFT"),
                ] {
                    assert!(e.contains(needle), "{ctx}: export lacks {needle}");
                }
                for needle in [
                    their_said,
                    their_reflection,
                    &format!("{theirs}-IDEA"),
                    &format!("{theirs}-ANSWER"),
                    &format!("{theirs}-THANKS"),
                    &format!("{theirs}-DRAFT"),
                ] {
                    assert!(!e.contains(needle), "{ctx}: export holds {needle}");
                }
                // The flooding check: the stayer's own number, never the other's;
                // one who left keeps theirs (erased ones are gone with them).
                assert!(calm_in_export(&e, &talk, calm_of(mine)), "{ctx}: own check");
                assert!(
                    !calm_in_export(&e, &talk, calm_of(theirs)),
                    "{ctx}: not theirs"
                );
                if !erase {
                    let g = export_text(goer).await;
                    assert!(
                        calm_in_export(&g, &talk, calm_of(theirs)),
                        "{ctx}: the leaver keeps theirs"
                    );
                    assert!(!calm_in_export(&g, &talk, calm_of(mine)), "{ctx}");
                }

                // Notes (issue 19): the stayer keeps their own, private and shared;
                // nothing of the other's, not even what they had shared.
                for n in ["PRIVATE-NOTE", "SHARED-NOTE"] {
                    assert!(e.contains(&format!("{mine}-{n}")), "{ctx}: own {n}");
                    assert!(!e.contains(&format!("{theirs}-{n}")), "{ctx}: their {n}");
                }
                let (s, page) = html.get(&format!("/talks/{aloud}")).await;
                assert_eq!(s, 200, "{ctx}: the aloud talk opens");
                assert!(
                    !page.contains(&format!("{theirs}-SHARED-NOTE"))
                        && !page.contains(&format!("{theirs}-PRIVATE-NOTE")),
                    "{ctx}: the partner's notes are gone from the page"
                );
                if !erase {
                    let g = export_text(goer).await;
                    for n in ["PRIVATE-NOTE", "SHARED-NOTE"] {
                        assert!(
                            g.contains(&format!("{theirs}-{n}")),
                            "{ctx}: the leaver keeps {n}"
                        );
                        assert!(!g.contains(&format!("{mine}-{n}")), "{ctx}");
                    }
                }

                // The problem through the API too: read-only, own parts only.
                let (s, api) = stayer
                    .get_json(&format!("/api/v1/board/problems/{problem}"))
                    .await;
                assert_eq!(s, 200, "{ctx}: {api}");
                assert_eq!(api["space_ended"], true, "{ctx}");
                assert_eq!(api["next"], json!([]), "{ctx}: nothing to do on it");
                let api = api.to_string();
                assert!(api.contains(&format!("{mine}-IDEA")), "{ctx}: {api}");
                assert!(!api.contains(&format!("{theirs}-IDEA")), "{ctx}: {api}");

                // The one who kept the talk can delete their parts of it.
                let (s, _, to) = html.post(&format!("/talks/{talk}/delete"), &[]).await;
                assert_eq!((s, to.as_deref()), (303, Some("/talks")), "{ctx}");
                let (s, _) = html.get(&format!("/talks/{talk}")).await;
                assert_eq!(s, 404, "{ctx}: gone for them");
                let (_, list) = html.get("/talks").await;
                assert!(!list.contains(&format!("/talks/{talk}")), "{ctx}");
                let after = export_text(stayer).await;
                assert!(!after.contains(said), "{ctx}");
                assert!(
                    !calm_in_export(&after, &talk, calm_of(mine)),
                    "{ctx}: their flooding check went with their parts"
                );
                if !erase {
                    // The one who left still keeps their own parts.
                    let (s, kept) = goer.get_json(&format!("/api/v1/talks/{talk}")).await;
                    assert_eq!(s, 200, "{ctx}: {kept}");
                    assert!(kept.to_string().contains(their_said), "{ctx}: {kept}");
                }
            }
        }
    }
}
