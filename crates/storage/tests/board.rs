//! The problem board's storage rules, run against SQLite and PostgreSQL alike
//! (the board's part of the conformance suite).

use rekindle_domain::board::{AgreementStatus, Stage};
use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

mod common;
use common::viewer;

const DAY: i64 = 24 * 3600 * 1000;

async fn pair(repo: &Repo) {
    for id in ["a", "b"] {
        repo.create_user(&NewUser {
            id: id.into(),
            email: format!("{id}@example.org"),
            password_hash: "$argon2id$stub".into(),
            display_name: id.to_uppercase(),
            time_zone: "UTC".into(),
            created_at: 1,
        })
        .await
        .unwrap();
    }
    repo.create_space(&id("c1"), &id("a"), 10).await.unwrap();
    repo.create_invitation(&NewInvitation {
        id: "i1".into(),
        couple_id: "c1".into(),
        code_hash: "code1".into(),
        created_by: "a".into(),
        created_at: 0,
        expires_at: i64::MAX / 2,
    })
    .await
    .unwrap();
    repo.accept_invitation("code1", &id("b"), 20).await.unwrap();
}

fn idea(id: &str, body: &str, round: i64, sealed: bool) -> NewOption {
    NewOption {
        id: id.into(),
        problem_id: "p1".into(),
        round,
        sealed,
        combined_from: String::new(),
        body: body.into(),
        created_at: 100,
    }
}

fn bodies(o: &[BoardOption]) -> Vec<&str> {
    o.iter().map(|o| o.body.as_str()).collect()
}

/// a proposes p1, b accepts it, both add one idea and finish: rating, round 1.
async fn to_rating(repo: &Repo, a: &Viewer, b: &Viewer) {
    assert!(
        repo.board_propose(
            a,
            &NewProblem {
                id: "p1".into(),
                title: "Who cooks on weekdays".into(),
                created_at: 50
            }
        )
        .await
        .unwrap()
    );
    assert!(
        repo.board_move(
            b,
            &BoardMove {
                id: &id("p1"),
                from_stage: Stage::Proposed,
                round: 1,
                to_stage: Stage::Brainstorm,
                to_round: 1,
                talk: false,
                now: 60
            }
        )
        .await
        .unwrap()
    );
    assert!(
        repo.board_add_option(a, &idea("oa", "SEALED-a-idea", 1, true))
            .await
            .unwrap()
    );
    assert!(
        repo.board_add_option(b, &idea("ob", "SEALED-b-idea", 1, true))
            .await
            .unwrap()
    );
    assert!(
        repo.board_finish_brainstorm(a, &id("p1"), 1, 70)
            .await
            .unwrap()
    );
    assert!(
        repo.board_finish_brainstorm(b, &id("p1"), 1, 71)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_partner_query_cannot_read_a_sealed_option_or_an_unrevealed_rating() {
    for backend in backends() {
        let db = fresh_db(backend).await;
        let repo = &db.repo;
        pair(repo).await;
        let (a, b) = (viewer(repo, "a").await, viewer(repo, "b").await);
        assert!(
            repo.board_propose(
                &a,
                &NewProblem {
                    id: "p1".into(),
                    title: "Chores".into(),
                    created_at: 50
                }
            )
            .await
            .unwrap()
        );
        // Only the other partner's answer fits; the store checks the stage it was seen in.
        assert!(
            !repo
                .board_move(
                    &b,
                    &BoardMove {
                        id: &id("p1"),
                        from_stage: Stage::Brainstorm,
                        round: 1,
                        to_stage: Stage::Rating,
                        to_round: 1,
                        talk: false,
                        now: 55
                    }
                )
                .await
                .unwrap()
        );
        assert!(
            repo.board_move(
                &b,
                &BoardMove {
                    id: &id("p1"),
                    from_stage: Stage::Proposed,
                    round: 1,
                    to_stage: Stage::Brainstorm,
                    to_round: 1,
                    talk: false,
                    now: 60
                }
            )
            .await
            .unwrap()
        );
        assert!(
            repo.board_add_option(&a, &idea("oa", "SEALED-a-idea", 1, true))
                .await
                .unwrap()
        );
        assert!(
            repo.board_add_option(&b, &idea("ob", "b idea", 1, true))
                .await
                .unwrap()
        );
        assert_eq!(
            bodies(&repo.board_options(&b, &id("p1")).await.unwrap()),
            ["b idea"],
            "{backend:?}"
        );
        assert_eq!(
            bodies(&repo.board_options(&a, &id("p1")).await.unwrap()),
            ["SEALED-a-idea"]
        );
        // Done is allowed only after adding an idea; a is done, b still writing.
        assert!(
            repo.board_finish_brainstorm(&a, &id("p1"), 1, 70)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .board_finish_brainstorm(&a, &id("p1"), 1, 71)
                .await
                .unwrap(),
            "done twice"
        );
        assert!(
            !repo
                .board_add_option(&a, &idea("oa2", "late", 1, true))
                .await
                .unwrap(),
            "adding after done"
        );
        assert_eq!(
            bodies(&repo.board_options(&b, &id("p1")).await.unwrap()),
            ["b idea"]
        );
        assert_eq!(
            bodies(&repo.board_options(&a, &id("p1")).await.unwrap()),
            ["SEALED-a-idea"]
        );
        // b, not done yet, learns nothing of a's done flag; a learns b's only once b is done.
        let d = repo.board_done(&b, &id("p1"), 1).await.unwrap();
        assert!(!d.me && !d.partner);
        let d = repo.board_done(&a, &id("p1"), 1).await.unwrap();
        assert!(d.me && !d.partner);
        // An outsider in another space never sees anything.
        let outsider = Viewer {
            user_id: "x".into(),
            couple_id: Some("c9".into()),
            partner_id: Some("a".into()),
        };
        assert!(
            repo.board_options(&outsider, &id("p1"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            repo.board_problem(&outsider, &id("p1"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            repo.board_finish_brainstorm(&b, &id("p1"), 1, 72)
                .await
                .unwrap()
        );
        let p = repo.board_problem(&a, &id("p1")).await.unwrap().unwrap();
        assert_eq!((p.stage, p.round), (Stage::Rating, 1));
        assert_eq!(repo.board_options(&b, &id("p1")).await.unwrap().len(), 2);
        assert!(repo.board_done(&b, &id("p1"), 1).await.unwrap().partner);

        // Ratings: a's stay private until b rated the same options.
        assert!(
            repo.board_rate(&a, &id("p1"), 1, &[("oa".into(), 9), ("ob".into(), 4)], 80)
                .await
                .unwrap()
        );
        let seen_by_b = repo.board_ratings(&b, &id("p1"), Some(1)).await.unwrap();
        assert!(seen_by_b.is_empty(), "{backend:?}: {seen_by_b:?}");
        assert_eq!(
            repo.board_ratings(&a, &id("p1"), Some(1))
                .await
                .unwrap()
                .len(),
            2
        );
        // All or nothing: an unknown option rolls the whole set back.
        assert!(
            !repo
                .board_rate(
                    &b,
                    &id("p1"),
                    1,
                    &[("oa".into(), 5), ("nope".into(), 5)],
                    81
                )
                .await
                .unwrap()
        );
        assert!(
            repo.board_ratings(&b, &id("p1"), Some(1))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            repo.board_rate(&a, &id("p1"), 1, &[("oa".into(), 1)], 82)
                .await,
            Err(StoreError::Conflict)
        ));
        assert!(
            repo.board_rate(&b, &id("p1"), 1, &[("oa".into(), 5), ("ob".into(), 8)], 83)
                .await
                .unwrap()
        );
        assert_eq!(
            repo.board_ratings(&b, &id("p1"), Some(1))
                .await
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            repo.board_ratings(&a, &id("p1"), None).await.unwrap().len(),
            4
        );
        assert!(
            repo.board_ratings(&outsider, &id("p1"), None)
                .await
                .unwrap()
                .is_empty()
        );
        // A compromise is open at once.
        let mut c = idea("oc", "half each", 1, false);
        c.combined_from = "oa ob".into();
        assert!(repo.board_add_option(&a, &c).await.unwrap());
        assert_eq!(repo.board_options(&b, &id("p1")).await.unwrap().len(), 3);
        // One problem at a time.
        assert!(matches!(
            repo.board_propose(
                &b,
                &NewProblem {
                    id: "p2".into(),
                    title: "Money".into(),
                    created_at: 90
                }
            )
            .await,
            Err(StoreError::Conflict)
        ));
    }
}

#[tokio::test]
async fn agreements_need_the_other_partners_yes_and_follow_ups_open_together() {
    for backend in backends() {
        let db = fresh_db(backend).await;
        let repo = &db.repo;
        pair(repo).await;
        let (a, b) = (viewer(repo, "a").await, viewer(repo, "b").await);
        to_rating(repo, &a, &b).await;
        let agreement = |id: &str| NewAgreement {
            id: id.into(),
            problem_id: "p1".into(),
            option_id: "oa".into(),
            round: 1,
            body: "We cook on alternate days".into(),
            trial_days: 14,
            proposed_at: 100,
        };
        // Not before both rated the option.
        assert!(
            !repo
                .board_propose_agreement(&a, &agreement("g0"))
                .await
                .unwrap()
        );
        repo.board_rate(&a, &id("p1"), 1, &[("oa".into(), 8), ("ob".into(), 6)], 90)
            .await
            .unwrap();
        repo.board_rate(&b, &id("p1"), 1, &[("oa".into(), 7), ("ob".into(), 2)], 91)
            .await
            .unwrap();
        assert!(
            repo.board_propose_agreement(&a, &agreement("g1"))
                .await
                .unwrap()
        );
        assert!(matches!(
            repo.board_propose_agreement(&b, &agreement("g2")).await,
            Err(StoreError::Conflict)
        ));
        assert!(
            !repo
                .board_confirm_agreement(&a, &id("p1"), 110)
                .await
                .unwrap(),
            "own draft"
        );
        assert!(
            repo.board_confirm_agreement(&b, &id("p1"), 120)
                .await
                .unwrap()
        );
        let p = repo.board_problem(&a, &id("p1")).await.unwrap().unwrap();
        assert_eq!(p.stage, Stage::Agreed);
        let g = repo.board_agreements(&b, &id("p1")).await.unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].status, AgreementStatus::Active);
        assert_eq!(g[0].follow_up_at, Some(120 + 14 * DAY));
        let facts = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(
            (
                facts.board_problems,
                facts.board_agreements,
                facts.board_followups_by_both
            ),
            (1, 1, 0)
        );

        // Follow-up: not before its date; private until both answered.
        let due = 120 + 14 * DAY;
        assert!(
            !repo
                .board_answer_followup(&a, &id("g1"), "no", "early", due - 1)
                .await
                .unwrap()
        );
        assert!(
            repo.board_answer_followup(&a, &id("g1"), "no", "PRIVATE-followup-a", due)
                .await
                .unwrap()
        );
        assert!(
            repo.board_followups(&b, &id("g1"))
                .await
                .unwrap()
                .is_empty()
        );
        let decision = BoardDecision {
            agreement_id: "g1".into(),
            agreement_status: AgreementStatus::Dropped,
            next_stage: Stage::Dropped,
            new_round: false,
            at: due + 5,
        };
        assert!(
            !repo.board_decide(&a, &decision).await.unwrap(),
            "before both answered"
        );
        assert!(
            repo.board_answer_followup(&b, &id("g1"), "partly", "b note", due + 1)
                .await
                .unwrap()
        );
        assert_eq!(repo.board_followups(&b, &id("g1")).await.unwrap().len(), 2);
        assert_eq!(repo.board_followups(&a, &id("g1")).await.unwrap().len(), 2);
        let facts = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(facts.board_followups_by_both, 1);
        // Adjust back to rating: a new round; old ratings stay in history.
        let adjust = BoardDecision {
            agreement_status: AgreementStatus::Adjusted,
            next_stage: Stage::Rating,
            new_round: true,
            ..decision.clone()
        };
        assert!(repo.board_decide(&b, &adjust).await.unwrap());
        assert!(
            !repo.board_decide(&b, &adjust).await.unwrap(),
            "decided once"
        );
        let p = repo.board_problem(&a, &id("p1")).await.unwrap().unwrap();
        assert_eq!((p.stage, p.round), (Stage::Rating, 2));
        assert!(
            repo.board_ratings(&a, &id("p1"), Some(2))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            repo.board_outcomes(&id("c1")).await.unwrap(),
            [AgreementStatus::Adjusted]
        );
        // Second agreement in round 2, then dropped: the problem closes.
        repo.board_rate(&a, &id("p1"), 2, &[("oa".into(), 6), ("ob".into(), 6)], 200)
            .await
            .unwrap();
        repo.board_rate(&b, &id("p1"), 2, &[("oa".into(), 6), ("ob".into(), 6)], 201)
            .await
            .unwrap();
        let mut g3 = agreement("g3");
        g3.round = 2;
        assert!(repo.board_propose_agreement(&b, &g3).await.unwrap());
        assert!(
            repo.board_withdraw_agreement(&a, &id("p1")).await.unwrap(),
            "declined"
        );
        assert!(repo.board_propose_agreement(&b, &g3).await.unwrap());
        assert!(
            repo.board_confirm_agreement(&a, &id("p1"), 300)
                .await
                .unwrap()
        );
        let due3 = 300 + 14 * DAY;
        repo.board_answer_followup(&a, &id("g3"), "no", "", due3)
            .await
            .unwrap();
        repo.board_answer_followup(&b, &id("g3"), "no", "", due3)
            .await
            .unwrap();
        let drop = BoardDecision {
            agreement_id: "g3".into(),
            at: due3 + 1,
            ..decision.clone()
        };
        assert!(repo.board_decide(&a, &drop).await.unwrap());
        assert_eq!(
            repo.board_problem(&a, &id("p1"))
                .await
                .unwrap()
                .unwrap()
                .stage,
            Stage::Dropped
        );
        assert_eq!(
            repo.board_outcomes(&id("c1")).await.unwrap(),
            [AgreementStatus::Adjusted, AgreementStatus::Dropped]
        );
        // The closed problem no longer blocks a new one.
        assert!(
            repo.board_propose(
                &b,
                &NewProblem {
                    id: "p2".into(),
                    title: "Money".into(),
                    created_at: due3 + 2
                }
            )
            .await
            .unwrap()
        );
    }
}

#[tokio::test]
async fn leaving_detaches_problems_and_erasure_removes_what_the_person_wrote() {
    for backend in backends() {
        let db = fresh_db(backend).await;
        let repo = &db.repo;
        pair(repo).await;
        let (a, b) = (viewer(repo, "a").await, viewer(repo, "b").await);
        to_rating(repo, &a, &b).await;
        assert!(repo.leave_space(&id("b"), 100012).await.unwrap());
        let (a, b) = (viewer(repo, "a").await, viewer(repo, "b").await);
        // Gone from the space's board for both; a new partner would never see it.
        assert!(repo.board_problems(&a, false).await.unwrap().is_empty());
        assert!(repo.board_problem(&a, &id("p1")).await.unwrap().is_none());
        // Each keeps their own ideas; the proposer keeps the title, the other does not see it.
        let past_a = repo.board_problems(&a, true).await.unwrap();
        assert_eq!(past_a.len(), 1);
        assert_eq!(past_a[0].title, "Who cooks on weekdays");
        let past_b = repo.board_problems(&b, true).await.unwrap();
        assert_eq!(past_b.len(), 1);
        assert_eq!(past_b[0].title, "");
        assert_eq!(
            bodies(&repo.board_options(&a, &id("p1")).await.unwrap()),
            ["SEALED-a-idea"]
        );
        assert_eq!(
            bodies(&repo.board_options(&b, &id("p1")).await.unwrap()),
            ["SEALED-b-idea"]
        );
        // Erasing a removes a's title and ideas; b's own idea stays b's.
        assert!(repo.erase_user(&id("a"), 100013).await.unwrap());
        let problems = db.dump_table("board_problems").await;
        assert!(!problems.contains("Who cooks"), "{backend:?}: {problems}");
        let options = db.dump_table("board_options").await;
        assert!(!options.contains("SEALED-a-idea"), "{backend:?}");
        assert!(options.contains("SEALED-b-idea"), "{backend:?}");
    }
}
