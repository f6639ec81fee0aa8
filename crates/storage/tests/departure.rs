//! When a partner leaves or erases their account (docs/privacy.md): what they
//! wrote goes (with them, or for good), what the other wrote stays with the
//! other. Every content kind, from each side, on SQLite and PostgreSQL alike.

use rekindle_domain::board::Stage;
use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

mod common;
use common::{join, person_named, viewer};

const DAY: i64 = 24 * 3600 * 1000;
const ANNA: &str = "anna-0001";
const BEN: &str = "ben-0002";

/// The words each person writes start with their tag.
fn tag(who: &str) -> &'static str {
    if who == ANNA { "ANNA-" } else { "BEN-" }
}

fn other(who: &str) -> &'static str {
    if who == ANNA { BEN } else { ANNA }
}

/// Anna and Ben share "c1", and each writes something of every kind.
async fn fill(repo: &Repo) {
    for who in [ANNA, BEN] {
        let t = tag(who);
        person_named(
            repo,
            who,
            &format!("{t}mail@example.org"),
            &format!("{t}name"),
        )
        .await;
    }
    join(repo, "c1", ANNA, BEN, "code1", DAY).await;
    let va = viewer(repo, ANNA).await;
    let vb = viewer(repo, BEN).await;

    // Journal, shared with the partner.
    for (v, e) in [(&va, "ja"), (&vb, "jb")] {
        let t = tag(v.user_id.as_str());
        repo.create_entry(&NewEntry {
            id: e.into(),
            owner_id: v.user_id.clone(),
            title: format!("{t}journal-title"),
            body: format!("{t}journal"),
            created_at: 5,
        })
        .await
        .unwrap();
        assert!(repo.set_entry_visibility(v, &id(e), true, 6).await.unwrap());
    }

    // Questions: both answer, both reply.
    assert!(
        repo.release_question(
            &id("c1"),
            &AskedQuestion {
                id: "q1".into(),
                question_id: "our-story-1-01".into(),
                released_at: 100,
                couple_id: None,
            },
            i64::MAX,
        )
        .await
        .unwrap()
    );
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.answer(
                v,
                &NewAnswer {
                    id: format!("ans-{t}").into(),
                    couple_question_id: "q1".into(),
                    body: format!("{t}answer"),
                    skipped: false,
                    created_at: 101,
                }
            )
            .await
            .unwrap()
        );
    }
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.reply(
                v,
                &Reply {
                    id: format!("rep-{t}"),
                    couple_question_id: "q1".into(),
                    user_id: v.user_id.clone(),
                    body: format!("{t}reply"),
                    created_at: 102,
                }
            )
            .await
            .unwrap()
        );
    }

    // Check-ins: both submit, both write what they loved.
    assert!(
        repo.open_checkin(
            &id("c1"),
            &NewCheckin {
                id: "k1".into(),
                opened_at: 200,
                closes_at: 200 + 7 * DAY,
            },
            i64::MAX,
        )
        .await
        .unwrap()
    );
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.submit_checkin(
                v,
                &NewSubmission {
                    id: format!("sub-{t}"),
                    checkin_id: "k1".into(),
                    scores: rekindle_domain::checkin::Scores {
                        csi: [4, 4, 4, 4],
                        tech: [1, 2, 3, 4],
                        hours_together: 12,
                        hours_device_free: 7,
                    },
                    appreciation: format!("{t}appreciation"),
                    went_well: format!("{t}went-well"),
                    topic: format!("{t}checkin-topic"),
                    scores_private: false,
                    created_at: 201,
                }
            )
            .await
            .unwrap()
        );
    }
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.set_loved(v, &id("k1"), &format!("{t}loved"), 202)
                .await
                .unwrap()
        );
    }

    // Talk room: Anna asked, Ben spoke first (the coach found it harsh), Anna
    // paraphrased; both wrote a reflection and shared it.
    let ev = |by: &str, kind: &str, body: String, mark: Option<&str>, at: i64| NewTalkEvent {
        at,
        by_user: by.into(),
        kind: kind.into(),
        body,
        mark: mark.map(str::to_owned),
    };
    repo.create_talk(
        &NewTalk {
            id: "t1".into(),
            couple_id: "c1".into(),
            requested_by: ANNA.into(),
            partner_id: BEN.into(),
            topic: "ANNA-talk-topic".into(),
            created_at: 300,
        },
        &ev(
            ANNA,
            "requested",
            format!(r#"{{"kind":"requested","topic":"ANNA-talk-topic","times":[],"length_min":null,"with":"{BEN}"}}"#),
            None,
            300,
        ),
    )
    .await
    .unwrap();
    let events = [
        ev(
            ANNA,
            "began",
            format!(r#"{{"kind":"began","floor":"{BEN}"}}"#),
            None,
            301,
        ),
        ev(
            BEN,
            "statement",
            r#"{"kind":"statement","text":"BEN-statement","harsh":true}"#.into(),
            Some("harsh"),
            302,
        ),
        ev(
            ANNA,
            "paraphrase",
            r#"{"kind":"paraphrase","text":"ANNA-paraphrase"}"#.into(),
            None,
            303,
        ),
        ev(
            BEN,
            "confirmed",
            format!(r#"{{"kind":"confirmed","listener":"{ANNA}"}}"#),
            Some(ANNA),
            304,
        ),
        ev(
            ANNA,
            "statement",
            r#"{"kind":"statement","text":"ANNA-statement","harsh":false}"#.into(),
            Some("soft"),
            305,
        ),
    ];
    assert!(
        repo.append_talk_events(
            &id("t1"),
            &id("c1"),
            1,
            &events,
            &TalkSummary {
                phase: rekindle_domain::talk::Phase::parse("ended").unwrap(),
                scheduled_at: None,
                began_at: Some(301),
            },
        )
        .await
        .unwrap()
    );
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.save_reflection(
                v,
                &Reflection {
                    talk_id: "t1".into(),
                    user_id: UserId::default(),
                    understood: format!("{t}reflection"),
                    feel_now: format!("{t}feel"),
                    shared: false,
                    created_at: 310,
                    updated_at: 310,
                }
            )
            .await
            .unwrap()
        );
        assert!(
            repo.set_reflection_shared(v, &id("t1"), true, 311)
                .await
                .unwrap()
        );
        // The flooding check (issue 19): private numbers and a threshold.
        let (calm, threshold) = calm_of(v.user_id.as_str());
        for moment in ["before", "after"] {
            repo.save_calm(&v.user_id, &id("t1"), moment, calm, 312)
                .await
                .unwrap();
        }
        repo.set_calm_threshold(&v.user_id, threshold, 312)
            .await
            .unwrap();
        // One-line notes (issue 19): one kept private, one shared.
        for (n, shared) in [("private-note", None), ("shared-note", Some(314))] {
            repo.add_talk_note(&TalkNote {
                id: format!("{t}{n}"),
                talk_id: "t1".into(),
                author_id: v.user_id.clone(),
                body: format!("{t}{n}"),
                created_at: 313,
                shared_at: shared,
            })
            .await
            .unwrap();
        }
    }

    // Problem board: Anna names a problem, both add an idea and rate both.
    assert!(
        repo.board_propose(
            &va,
            &NewProblem {
                id: "p1".into(),
                title: "ANNA-problem".into(),
                created_at: 400
            }
        )
        .await
        .unwrap()
    );
    assert!(
        repo.board_move(
            &vb,
            &BoardMove {
                id: &id("p1"),
                from_stage: Stage::Proposed,
                round: 1,
                to_stage: Stage::Brainstorm,
                to_round: 1,
                talk: false,
                now: 401
            }
        )
        .await
        .unwrap()
    );
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.board_add_option(
                v,
                &NewOption {
                    id: format!("opt-{t}").into(),
                    problem_id: "p1".into(),
                    round: 1,
                    sealed: true,
                    combined_from: String::new(),
                    body: format!("{t}idea"),
                    created_at: 402,
                }
            )
            .await
            .unwrap()
        );
    }
    for v in [&va, &vb] {
        assert!(
            repo.board_finish_brainstorm(v, &id("p1"), 1, 403)
                .await
                .unwrap()
        );
    }
    for (v, r) in [(&va, 7), (&vb, 9)] {
        assert!(
            repo.board_rate(
                v,
                &id("p1"),
                1,
                &[(id("opt-ANNA-"), r), (id("opt-BEN-"), r)],
                404
            )
            .await
            .unwrap()
        );
    }

    // Action plan: each plans something for the other, the other accepts and
    // each marks both done once.
    for (v, x) in [(&va, "x-anna"), (&vb, "x-ben")] {
        let t = tag(v.user_id.as_str());
        repo.create_action(&PlanAction {
            id: x.into(),
            couple_id: Some("c1".into()),
            created_by: v.user_id.clone(),
            owner_id: Some(UserId::from(other(v.user_id.as_str()))),
            agreement_id: None,
            title: format!("{t}action"),
            notes: format!("{t}notes"),
            due_date: "2027-03-01".into(),
            rrule: None,
            assignment: rekindle_domain::plan::Assignment::parse("accepted").unwrap(),
            answered_at: Some(500),
            created_at: 500,
        })
        .await
        .unwrap();
    }
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        for x in ["x-anna", "x-ben"] {
            assert!(
                repo.record_done(
                    v,
                    &PlanDoneEvent {
                        id: format!("done-{t}{x}"),
                        action_id: x.into(),
                        occurrence: "2027-03-01".into(),
                        user_id: UserId::default(),
                        done: true,
                        at: 501,
                    }
                )
                .await
                .unwrap()
            );
        }
    }

    // Appreciations: each sends one (the other keeps it) and keeps a draft.
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        let (sent, draft) = (format!("ap-{t}sent"), format!("ap-{t}draft"));
        repo.create_appreciation(&id(&sent), &v.user_id, &format!("{t}thanks"), 550)
            .await
            .unwrap();
        assert!(repo.send_appreciation(v, &id(&sent), 551).await.unwrap());
        repo.create_appreciation(&id(&draft), &v.user_id, &format!("{t}draft-thanks"), 552)
            .await
            .unwrap();
    }
    for v in [&va, &vb] {
        let theirs = tag(other(v.user_id.as_str()));
        assert!(
            repo.set_appreciation_kept(v, &id(&format!("ap-{theirs}sent")), true)
                .await
                .unwrap()
        );
    }
    for v in [&va, &vb] {
        repo.set_appreciation_prompt(&v.user_id, true, 553)
            .await
            .unwrap();
    }

    // What each has seen, and their signed-in devices.
    for v in [&va, &vb] {
        let t = tag(v.user_id.as_str());
        assert!(
            repo.mark_seen(&v.user_id, &format!("{t}seen"), 600)
                .await
                .unwrap()
        );
        repo.create_session(&NewSession {
            id_hash: format!("{t}session"),
            user_id: v.user_id.clone(),
            csrf_token: "c".into(),
            device: format!("{t}device"),
            created_at: 600,
            expires_at: i64::MAX,
        })
        .await
        .unwrap();
        // A personal setting: each switched a deck of their own off.
        repo.set_deck_choice(&v.user_id, &format!("{t}deck"), false, 600)
            .await
            .unwrap();
    }
}

/// Each one's flooding checks and threshold, different so a mix-up shows.
fn calm_of(who: &str) -> (i64, i64) {
    if who == ANNA { (8, 5) } else { (3, 9) }
}

/// What `who` keeps once the pair ended: exactly their own part of every kind.
/// `partner_erased`: the ratings they gave the partner's ideas went with those ideas.
async fn keeps_exactly_their_own(
    repo: &Repo,
    b: impl std::fmt::Debug,
    who: &str,
    partner_erased: bool,
) {
    let mine = tag(who);
    let theirs = tag(other(who));
    let v = viewer(repo, who).await;
    let ctx = format!("{b:?} {who}");

    // Journal
    let entries = repo.entries_for(&v).await.unwrap();
    let bodies: Vec<&str> = entries.iter().map(|e| e.body.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}journal")], "{ctx}: journal");

    // Questions: still there, answered, the partner's side gone.
    let asked = repo.questions_for(&v).await.unwrap();
    assert_eq!(asked.len(), 1, "{ctx}: the question stays");
    assert_eq!(asked[0].couple_id, None, "{ctx}: from a space that ended");
    let answers = repo.visible_answers(&v, Some("q1")).await.unwrap();
    let bodies: Vec<&str> = answers.iter().map(|a| a.body.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}answer")], "{ctx}: answers");
    let replies = repo.replies_for(&v, &id("q1")).await.unwrap();
    let bodies: Vec<&str> = replies.iter().map(|r| r.body.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}reply")], "{ctx}: replies");

    // Check-ins
    assert_eq!(
        repo.checkins_for(&v).await.unwrap().len(),
        1,
        "{ctx}: check-in"
    );
    let subs = repo.visible_submissions(&v, None).await.unwrap();
    assert_eq!(subs.len(), 1, "{ctx}: submissions");
    assert_eq!(subs[0].user_id.as_str(), who);
    let loved = repo.loved_for(&v, &id("k1")).await.unwrap();
    let bodies: Vec<&str> = loved.iter().map(|l| l.body.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}loved")], "{ctx}: loved");

    // Talk room: the talk stays, with only their own events and reflection.
    let talks = repo.past_talks_for(&id(who)).await.unwrap();
    assert_eq!(talks.len(), 1, "{ctx}: the talk stays");
    assert_eq!(
        talks[0].topic,
        if who == ANNA { "ANNA-talk-topic" } else { "" },
        "{ctx}: the topic is the asker's"
    );
    let (events, reflections) = repo.past_talk_parts(&id(who), &id("t1")).await.unwrap();
    assert!(!events.is_empty(), "{ctx}: own events");
    assert!(
        events.iter().all(|e| e.by_user.as_str() == who),
        "{ctx}: no event of the other"
    );
    assert!(
        events
            .iter()
            .any(|e| e.body.contains(&format!("{mine}statement"))),
        "{ctx}: own statement"
    );
    let bodies: Vec<&str> = reflections.iter().map(|r| r.understood.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}reflection")], "{ctx}: reflections");
    // The flooding check: their own numbers and threshold, nothing of the other.
    let (calm, threshold) = calm_of(who);
    let readings = repo.calm_export(&id(who)).await.unwrap();
    assert_eq!(
        readings
            .iter()
            .map(|r| (r.user_id.as_str(), r.moment.as_str(), r.value))
            .collect::<Vec<_>>(),
        [(who, "after", calm), (who, "before", calm)],
        "{ctx}: flooding checks"
    );
    assert_eq!(
        repo.calm_threshold(&id(who)).await.unwrap(),
        Some(threshold),
        "{ctx}: threshold"
    );
    // Notes: their own, private and shared, nothing of the other.
    let notes = repo.talk_notes_export(&id(who)).await.unwrap();
    assert_eq!(
        notes.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        [format!("{mine}private-note"), format!("{mine}shared-note")],
        "{ctx}: notes"
    );
    assert_eq!(
        repo.talk_notes_of(&id(who), &id("t1")).await.unwrap(),
        notes,
        "{ctx}: notes in the talk"
    );
    assert!(
        repo.talk_note_of(&id(who), &format!("{theirs}private-note"))
            .await
            .unwrap()
            .is_none(),
        "{ctx}: the other's note is not theirs to read"
    );
    let (t, e, r) = repo.talk_export(&id(who)).await.unwrap();
    assert_eq!(t.len(), 1, "{ctx}: export holds the talk");
    assert!(
        e.iter().all(|e| !e.body.contains(theirs)) && r.iter().all(|r| r.user_id.as_str() == who),
        "{ctx}: export holds nothing of the other"
    );

    // Problem board: the problem, their idea and rating.
    let problems = repo.board_problems(&v, true).await.unwrap();
    assert_eq!(problems.len(), 1, "{ctx}: the problem stays");
    assert_eq!(
        problems[0].title,
        if who == ANNA { "ANNA-problem" } else { "" },
        "{ctx}: the title is its namer's"
    );
    let options = repo.board_options(&v, &id("p1")).await.unwrap();
    let bodies: Vec<&str> = options.iter().map(|o| o.body.as_str()).collect();
    assert_eq!(bodies, [format!("{mine}idea")], "{ctx}: ideas");
    let ratings = repo.board_ratings(&v, &id("p1"), None).await.unwrap();
    let expected = if partner_erased { 1 } else { 2 };
    assert_eq!(ratings.len(), expected, "{ctx}: own ratings");
    assert!(ratings.iter().all(|r| r.user_id.as_str() == who), "{ctx}");

    // Action plan: what they wrote, with only their own marks.
    let actions = repo.actions_for(&v).await.unwrap();
    let titles: Vec<&str> = actions.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, [format!("{mine}action")], "{ctx}: actions");
    let done = repo.done_events(&v, None).await.unwrap();
    assert_eq!(done.len(), 1, "{ctx}: own mark on own action");
    assert_eq!(done[0].user_id.as_str(), who, "{ctx}");

    // Deck choices are a personal setting: their own, untouched.
    assert_eq!(
        repo.deck_choices(&id(who)).await.unwrap(),
        [(format!("{mine}deck"), false)],
        "{ctx}: deck choices"
    );
    // Appreciations: their own, sent and draft; none of the other's, kept or not.
    let aps = repo.appreciations_for(&v).await.unwrap();
    let mut bodies: Vec<&str> = aps.iter().map(|a| a.body.as_str()).collect();
    bodies.sort();
    assert_eq!(
        bodies,
        [format!("{mine}draft-thanks"), format!("{mine}thanks")],
        "{ctx}: appreciations"
    );
    assert!(
        aps.iter().all(|a| a.author_id.as_str() == who && !a.kept),
        "{ctx}"
    );
    let sent = aps
        .iter()
        .find(|a| a.body == format!("{mine}thanks"))
        .unwrap();
    assert!(sent.from_before, "{ctx}: sent in a space that ended");
    assert!(
        !repo
            .set_appreciation_kept(&v, &id(&format!("ap-{theirs}sent")), true)
            .await
            .unwrap(),
        "{ctx}: nothing of the other's left to keep"
    );
    assert!(
        repo.appreciation_prompt_on(&id(who)).await.unwrap(),
        "{ctx}: the prompt setting is theirs"
    );

    // Devices and what they have seen are their own.
    let devices = repo.sessions_of(&id(who), 700).await.unwrap();
    assert_eq!(devices.len(), 1, "{ctx}: devices");
    assert_eq!(devices[0].device, format!("{mine}device"));
    assert!(
        repo.debug_dump_table("seen_items")
            .await
            .unwrap()
            .contains(&format!("{mine}seen")),
        "{ctx}: seen items"
    );
}

const TABLES: [&str; 34] = [
    "users",
    "sessions",
    "api_tokens",
    "memberships",
    "invitations",
    "journal_entries",
    "couple_questions",
    "answers",
    "answer_reactions",
    "question_replies",
    "checkins",
    "checkin_submissions",
    "checkin_loved",
    "notices",
    "ground_rules",
    "ground_rule_acceptances",
    "talks",
    "talk_events",
    "talk_reflections",
    "talk_calm",
    "calm_thresholds",
    "talk_notes",
    "board_problems",
    "board_options",
    "board_done",
    "board_ratings",
    "board_agreements",
    "board_followups",
    "plan_actions",
    "plan_done_events",
    "seen_items",
    "question_deck_choices",
    "appreciations",
    "appreciation_prompts",
];

#[tokio::test]
async fn leaving_takes_ones_own_words_along_and_leaves_the_others_with_them() {
    for b in backends() {
        for leaver in [ANNA, BEN] {
            let db = fresh_db(b).await;
            let repo = &db.repo;
            fill(repo).await;
            assert!(repo.leave_space(&id(leaver), 1000).await.unwrap());
            keeps_exactly_their_own(repo, b, other(leaver), false).await;
            keeps_exactly_their_own(repo, b, leaver, false).await;
        }
    }
}

#[tokio::test]
async fn erasure_removes_every_word_of_the_erased_and_nothing_of_the_other() {
    for b in backends() {
        for erased in [ANNA, BEN] {
            let db = fresh_db(b).await;
            let repo = &db.repo;
            fill(repo).await;
            assert!(repo.erase_user(&id(erased), 1000).await.unwrap());
            keeps_exactly_their_own(repo, b, other(erased), true).await;
            let gone = tag(erased);
            for table in TABLES {
                let dump = repo.debug_dump_table(table).await.unwrap();
                assert!(
                    !dump.contains(gone) && !dump.contains(erased),
                    "{b:?}: {table} still holds something of {erased}: {dump}"
                );
            }
        }
    }
}

/// Deleting a talk from a space that ended removes only the deleter's parts;
/// the talk goes once nobody keeps anything of it.
#[tokio::test]
async fn a_past_talk_loses_only_the_deleters_parts() {
    for b in backends() {
        // After leaving, both keep parts: Ben forgets his, Anna keeps hers.
        let db = fresh_db(b).await;
        let repo = &db.repo;
        fill(repo).await;
        assert!(repo.leave_space(&id(BEN), 1000).await.unwrap());
        assert!(repo.forget_past_talk(&id(BEN), &id("t1")).await.unwrap());
        assert!(
            repo.past_talks_for(&id(BEN)).await.unwrap().is_empty(),
            "{b:?}"
        );
        assert!(
            !repo.forget_past_talk(&id(BEN), &id("t1")).await.unwrap(),
            "{b:?}: twice"
        );
        keeps_exactly_their_own(repo, b, ANNA, false).await;
        for table in ["talks", "talk_events", "talk_reflections", "talk_notes"] {
            let dump = repo.debug_dump_table(table).await.unwrap();
            assert!(
                !dump.contains("BEN-") && !dump.contains(BEN),
                "{b:?}: {table} still holds Ben's part: {dump}"
            );
        }
        // Anna forgets hers too: nothing of the talk is left.
        assert!(repo.forget_past_talk(&id(ANNA), &id("t1")).await.unwrap());
        assert!(repo.past_talks_for(&id(ANNA)).await.unwrap().is_empty());
        assert!(
            !repo.debug_dump_table("talks").await.unwrap().contains("t1"),
            "{b:?}"
        );

        // After an erasure the one who stays is the only keeper: the talk goes.
        let db = fresh_db(b).await;
        let repo = &db.repo;
        fill(repo).await;
        assert!(repo.erase_user(&id(ANNA), 1000).await.unwrap());
        // The erased person keeps nothing of it.
        assert!(!repo.forget_past_talk(&id(ANNA), &id("t1")).await.unwrap());
        assert!(repo.forget_past_talk(&id(BEN), &id("t1")).await.unwrap());
        let dump = repo.debug_dump_table("talk_events").await.unwrap();
        assert!(!dump.contains("t1"), "{b:?}: {dump}");
    }
}
