//! One conformance suite, run against SQLite and PostgreSQL alike.

use rekindle_domain::Visibility;
use rekindle_domain::checkin::Rhythm;
use rekindle_domain::invitation::JoinRefusal;
use rekindle_domain::talk::Phase;
use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

mod common;
use common::viewer;

const DAY: i64 = 24 * 3600 * 1000;

fn new_user(id: &str, email: &str) -> NewUser {
    NewUser {
        id: id.into(),
        email: email.into(),
        password_hash: "$argon2id$stub".into(),
        display_name: id.to_uppercase(),
        time_zone: "UTC".into(),
        created_at: 1,
    }
}

async fn people(repo: &Repo, ids: &[&str]) {
    for id in ids {
        repo.create_user(&new_user(id, &format!("{id}@example.org")))
            .await
            .unwrap();
    }
}

fn invitation(id: &str, couple: &str, code: &str, by: &str, expires_at: i64) -> NewInvitation {
    NewInvitation {
        id: id.into(),
        couple_id: couple.into(),
        code_hash: code.into(),
        created_by: by.into(),
        created_at: 0,
        expires_at,
    }
}

/// a and b share space "c1"; returns nothing, panics on failure.
async fn pair(repo: &Repo) {
    people(repo, &["a", "b"]).await;
    repo.create_space(&id("c1"), &id("a"), 10).await.unwrap();
    repo.create_invitation(&invitation("i1", "c1", "code1", "a", DAY))
        .await
        .unwrap();
    repo.accept_invitation("code1", &id("b"), 20).await.unwrap();
}

async fn entry(repo: &Repo, id: &str, owner: &str, body: &str) {
    repo.create_entry(&NewEntry {
        id: id.into(),
        owner_id: owner.into(),
        title: String::new(),
        body: body.into(),
        created_at: 5,
    })
    .await
    .unwrap();
}

fn ids(entries: &[Entry]) -> Vec<&str> {
    let mut v: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
    v.sort_unstable();
    v
}

#[tokio::test]
async fn accounts_are_unique_by_email() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        repo.create_user(&new_user("a", "a@example.org"))
            .await
            .unwrap();
        let dup = repo.create_user(&new_user("a2", "a@example.org")).await;
        assert!(matches!(dup, Err(StoreError::Conflict)), "{b:?}");
        let creds = repo
            .credentials_by_email("a@example.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(creds.id, "a");
        assert!(
            repo.credentials_by_email("nobody@example.org")
                .await
                .unwrap()
                .is_none()
        );
        repo.update_profile(&id("a"), "Ana", "Europe/Berlin")
            .await
            .unwrap();
        let u = repo.user_by_id("a").await.unwrap().unwrap();
        assert_eq!(
            (u.display_name.as_str(), u.time_zone.as_str()),
            ("Ana", "Europe/Berlin")
        );
    }
}

#[tokio::test]
async fn sessions_expire_and_password_change_signs_out_other_devices() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        people(repo, &["a"]).await;
        for (h, exp) in [("s1", 100), ("s2", 100), ("old", 5)] {
            repo.create_session(&NewSession {
                id_hash: h.into(),
                user_id: "a".into(),
                csrf_token: "t".into(),
                device: "Firefox on Android".into(),
                created_at: 0,
                expires_at: exp,
            })
            .await
            .unwrap();
        }
        assert_eq!(repo.session("s1", 50).await.unwrap().unwrap().user.id, "a");
        assert!(
            repo.session("old", 50).await.unwrap().is_none(),
            "{b:?}: expired session still valid"
        );
        assert_eq!(repo.delete_expired_sessions(50).await.unwrap(), 1);
        repo.set_password(&id("a"), "$argon2id$new", Some("s1"))
            .await
            .unwrap();
        assert!(repo.session("s1", 50).await.unwrap().is_some());
        assert!(repo.session("s2", 50).await.unwrap().is_none());
        assert_eq!(
            repo.password_hash(&id("a")).await.unwrap().unwrap(),
            "$argon2id$new"
        );
        repo.delete_session("s1").await.unwrap();
        assert!(repo.session("s1", 50).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn tokens_belong_to_their_owner() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        people(repo, &["a", "x"]).await;
        repo.create_token(&NewToken {
            id: "t1".into(),
            user_id: "a".into(),
            name: "cli".into(),
            token_hash: "h1".into(),
            created_at: 1,
        })
        .await
        .unwrap();
        assert_eq!(
            repo.token_user("h1", 1_000_000).await.unwrap().unwrap().id,
            "a"
        );
        assert_eq!(
            repo.tokens(&id("a")).await.unwrap()[0].last_used_at,
            Some(1_000_000)
        );
        assert!(
            !repo.revoke_token(&id("x"), &id("t1")).await.unwrap(),
            "{b:?}: someone else revoked a token"
        );
        assert!(repo.revoke_token(&id("a"), &id("t1")).await.unwrap());
        assert!(repo.token_user("h1", 2).await.unwrap().is_none());
        assert!(repo.tokens(&id("a")).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_space_holds_two_and_a_person_is_in_one() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["c", "d"]).await;
        let a = repo.space_of(&id("a")).await.unwrap().unwrap();
        assert_eq!(a.partner.as_ref().map(|p| p.id.as_str()), Some("b"));
        assert_eq!(
            repo.space_of(&id("b")).await.unwrap().unwrap().couple_id,
            "c1"
        );
        assert!(repo.space_of(&id("c")).await.unwrap().is_none());

        // A used link is dead.
        let again = repo.accept_invitation("code1", &id("c"), 30).await;
        assert!(
            matches!(again, Err(StoreError::Join(JoinRefusal::LinkNotValid))),
            "{b:?}"
        );
        // A fresh link into a full space is refused.
        repo.create_invitation(&invitation("i2", "c1", "code2", "a", DAY))
            .await
            .unwrap();
        let full = repo.accept_invitation("code2", &id("c"), 30).await;
        assert!(
            matches!(full, Err(StoreError::Join(JoinRefusal::SpaceFull))),
            "{b:?}"
        );
        // Someone already in a space cannot create or join another.
        assert!(matches!(
            repo.create_space(&id("c2"), &id("a"), 30).await,
            Err(StoreError::Conflict)
        ));
        repo.create_space(&id("c3"), &id("c"), 30).await.unwrap();
        repo.create_invitation(&invitation("i3", "c3", "code3", "c", DAY))
            .await
            .unwrap();
        let busy = repo.accept_invitation("code3", &id("b"), 30).await;
        assert!(
            matches!(busy, Err(StoreError::Join(JoinRefusal::AlreadyInASpace))),
            "{b:?}"
        );
        let own = repo.accept_invitation("code3", &id("c"), 30).await;
        assert!(
            matches!(own, Err(StoreError::Join(JoinRefusal::OwnInvitation))),
            "{b:?}"
        );
        // Expired and revoked links fail alike.
        repo.create_invitation(&invitation("i4", "c3", "code4", "c", 40))
            .await
            .unwrap();
        let late = repo.accept_invitation("code4", &id("d"), 40).await;
        assert!(
            matches!(late, Err(StoreError::Join(JoinRefusal::LinkNotValid))),
            "{b:?}"
        );
        assert!(
            repo.revoke_invitation(&id("c3"), &id("i3"), 41)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .revoke_invitation(&id("c1"), &id("i3"), 41)
                .await
                .unwrap(),
            "{b:?}: revoked another couple's link"
        );
        let revoked = repo.accept_invitation("code3", &id("d"), 42).await;
        assert!(
            matches!(revoked, Err(StoreError::Join(JoinRefusal::LinkNotValid))),
            "{b:?}"
        );
        assert!(repo.accept_invitation("nope", &id("d"), 42).await.is_err());
        assert!(
            repo.open_invitations(&id("c3"), 42)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn one_link_admits_one_person_even_when_two_race() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = db.repo.clone();
        people(&repo, &["a", "p", "q"]).await;
        repo.create_space(&id("c1"), &id("a"), 0).await.unwrap();
        repo.create_invitation(&invitation("i1", "c1", "code", "a", DAY))
            .await
            .unwrap();
        let (p, q) = (UserId::from("p"), UserId::from("q"));
        let (r1, r2) = tokio::join!(
            repo.accept_invitation("code", &p, 1),
            repo.accept_invitation("code", &q, 1)
        );
        assert_eq!(
            [r1.is_ok(), r2.is_ok()].iter().filter(|ok| **ok).count(),
            1,
            "{b:?}"
        );
        assert_eq!(repo.journey_facts(&id("c1")).await.unwrap().partners, 2);
    }
}

#[tokio::test]
async fn a_partner_never_receives_a_private_row() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        entry(repo, "a-private", "a", "only for me").await;
        entry(repo, "a-shared", "a", "for us").await;
        entry(repo, "b-private", "b", "b alone").await;
        let va = viewer(repo, "a").await;
        let vb = viewer(repo, "b").await;
        let vx = viewer(repo, "x").await;
        assert!(
            repo.set_entry_visibility(&va, &id("a-shared"), true, 6)
                .await
                .unwrap()
        );
        // b cannot change a's entry.
        assert!(
            !repo
                .set_entry_visibility(&vb, &id("a-private"), true, 6)
                .await
                .unwrap(),
            "{b:?}"
        );

        assert_eq!(
            ids(&repo.entries_for(&va).await.unwrap()),
            ["a-private", "a-shared"]
        );
        assert_eq!(
            ids(&repo.entries_for(&vb).await.unwrap()),
            ["a-shared", "b-private"]
        );
        assert!(repo.entries_for(&vx).await.unwrap().is_empty());
        assert!(
            repo.entry_for(&vb, &id("a-private"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}: private row leaked"
        );
        assert!(
            repo.entry_for(&vx, &id("a-shared"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}: outsider saw a shared row"
        );
        assert_eq!(
            repo.entry_for(&vb, &id("a-shared"))
                .await
                .unwrap()
                .unwrap()
                .visibility,
            Visibility::Shared
        );
        // Even a forged viewer that names the couple cannot reach a private row.
        let forged = Viewer {
            user_id: "x".into(),
            couple_id: Some("c1".into()),
            partner_id: Some("a".into()),
        };
        assert!(
            repo.entry_for(&forged, &id("a-private"))
                .await
                .unwrap()
                .is_none()
        );

        // Unsharing takes it away again; only the owner can edit or delete.
        assert!(
            repo.set_entry_visibility(&va, &id("a-shared"), false, 7)
                .await
                .unwrap()
        );
        assert!(
            repo.entry_for(&vb, &id("a-shared"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}"
        );
        assert!(
            !repo
                .update_entry(&id("b"), &id("a-shared"), "t", "hijack", 8)
                .await
                .unwrap()
        );
        assert!(!repo.delete_entry(&id("b"), &id("a-shared")).await.unwrap());
        assert!(
            repo.update_entry(&id("a"), &id("a-shared"), "t", "edited", 8)
                .await
                .unwrap()
        );
        assert_eq!(
            repo.entry_for(&va, &id("a-shared"))
                .await
                .unwrap()
                .unwrap()
                .body,
            "edited"
        );
        assert!(repo.delete_entry(&id("a"), &id("a-shared")).await.unwrap());
        assert!(
            repo.entry_for(&va, &id("a-shared"))
                .await
                .unwrap()
                .is_none()
        );
    }
}

#[tokio::test]
async fn leaving_keeps_authorship_and_unshares_what_was_shared() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["c"]).await;
        entry(repo, "a1", "a", "from a").await;
        entry(repo, "b1", "b", "from b").await;
        let va = viewer(repo, "a").await;
        let vb = viewer(repo, "b").await;
        repo.set_entry_visibility(&va, &id("a1"), true, 6)
            .await
            .unwrap();
        repo.set_entry_visibility(&vb, &id("b1"), true, 6)
            .await
            .unwrap();
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .partners_who_shared_journal,
            2
        );

        assert!(repo.leave_space(&id("b"), 100001).await.unwrap());
        assert!(!repo.leave_space(&id("b"), 100002).await.unwrap());
        let vb = viewer(repo, "b").await;
        assert_eq!(
            ids(&repo.entries_for(&vb).await.unwrap()),
            ["b1"],
            "{b:?}: b keeps only what b wrote"
        );
        let va = viewer(repo, "a").await;
        assert_eq!(ids(&repo.entries_for(&va).await.unwrap()), ["a1"]);
        assert!(va.partner_id.is_none());

        // A new partner in the same space does not inherit what was shared before.
        repo.create_invitation(&invitation("i9", "c1", "code9", "a", DAY))
            .await
            .unwrap();
        repo.accept_invitation("code9", &id("c"), 50).await.unwrap();
        let vc = viewer(repo, "c").await;
        assert!(
            repo.entries_for(&vc).await.unwrap().is_empty(),
            "{b:?}: old shared entries reached a new partner"
        );
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .partners_who_shared_journal,
            0
        );

        // The last one out removes the space.
        repo.leave_space(&id("a"), 100003).await.unwrap();
        repo.leave_space(&id("c"), 100004).await.unwrap();
        assert!(
            repo.open_invitations(&id("c1"), 0)
                .await
                .unwrap()
                .is_empty()
        );
    }
}

fn asked(id: &str, question: &str, at: i64) -> AskedQuestion {
    AskedQuestion {
        id: id.into(),
        question_id: question.into(),
        released_at: at,
        couple_id: None,
    }
}

fn answer_of(id: &str, cq: &str, body: &str) -> NewAnswer {
    NewAnswer {
        id: id.into(),
        couple_question_id: cq.into(),
        body: body.into(),
        skipped: body.is_empty(),
        created_at: 7,
    }
}

fn bodies(answers: &[VisibleAnswer]) -> Vec<&str> {
    let mut v: Vec<&str> = answers.iter().map(|a| a.body.as_str()).collect();
    v.sort_unstable();
    v
}

#[tokio::test]
async fn sealed_answers_open_only_when_both_answered() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        repo.create_space(&id("cx"), &id("x"), 1).await.unwrap();
        assert!(
            repo.release_question(&id("c1"), &asked("q1", "our-story-1-01", 100), i64::MAX)
                .await
                .unwrap()
        );
        // Released already since 100: a second release for the same moment is refused.
        assert!(
            !repo
                .release_question(&id("c1"), &asked("q2", "our-story-1-02", 100), 100)
                .await
                .unwrap()
        );
        assert_eq!(
            repo.release_state(&id("c1")).await.unwrap(),
            (None, Some(100))
        );
        let (va, vb, vx) = (
            viewer(repo, "a").await,
            viewer(repo, "b").await,
            viewer(repo, "x").await,
        );

        assert!(
            repo.answer(&va, &answer_of("ans-a", "q1", "A-SEALED-1"))
                .await
                .unwrap()
        );
        assert!(matches!(
            repo.answer(&va, &answer_of("ans-a2", "q1", "again")).await,
            Err(StoreError::Conflict)
        ));
        // An outsider cannot answer, see the question, or see answers.
        assert!(
            !repo
                .answer(&vx, &answer_of("ans-x", "q1", "intruder"))
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(repo.question_for(&vx, &id("q1")).await.unwrap().is_none());
        assert!(
            repo.visible_answers(&vx, Some("q1"))
                .await
                .unwrap()
                .is_empty()
        );

        // b has not answered: a's answer is sealed for b, in every query shape.
        assert!(
            repo.visible_answers(&vb, Some("q1"))
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: sealed answer leaked"
        );
        assert!(
            repo.visible_answers(&vb, None).await.unwrap().is_empty(),
            "{b:?}: sealed answer leaked in history"
        );
        assert!(
            repo.visible_answers_of(&vb, &["q1", "q2"])
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: sealed answer leaked in a page of the history"
        );
        assert_eq!(
            bodies(&repo.visible_answers_of(&va, &["q2", "q1"]).await.unwrap()),
            ["A-SEALED-1"],
            "{b:?}"
        );
        for ids in [&[][..], &["q2"], &["no-such", "q1'); --"]] {
            assert!(
                repo.visible_answers_of(&va, ids).await.unwrap().is_empty(),
                "{b:?}: a page holds only its own questions' answers: {ids:?}"
            );
        }
        assert!(
            repo.visible_answers_of(&vx, &["q1"])
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: an outsider naming the question sees nothing"
        );
        assert_eq!(
            bodies(&repo.visible_answers(&va, None).await.unwrap()),
            ["A-SEALED-1"]
        );
        // Reactions and replies wait for both answers.
        assert!(!repo.react(&vb, &id("ans-a"), "heart", 8).await.unwrap());
        let reply = Reply {
            id: "r1".into(),
            couple_question_id: "q1".into(),
            user_id: "b".into(),
            body: "early".into(),
            created_at: 8,
        };
        assert!(!repo.reply(&vb, &reply).await.unwrap());
        assert_eq!(
            repo.asked_questions(&id("c1")).await.unwrap(),
            [("our-story-1-01".to_owned(), false)]
        );

        repo.answer(&vb, &answer_of("ans-b", "q1", "B-ANSWER-1"))
            .await
            .unwrap();
        assert_eq!(
            bodies(&repo.visible_answers(&va, Some("q1")).await.unwrap()),
            ["A-SEALED-1", "B-ANSWER-1"]
        );
        assert_eq!(
            bodies(&repo.visible_answers(&vb, Some("q1")).await.unwrap()),
            ["A-SEALED-1", "B-ANSWER-1"]
        );
        assert_eq!(
            bodies(&repo.visible_answers_of(&vb, &["q1"]).await.unwrap()),
            ["A-SEALED-1", "B-ANSWER-1"],
            "{b:?}"
        );
        assert!(repo.visible_answers(&vx, None).await.unwrap().is_empty());
        assert!(repo.react(&vb, &id("ans-a"), "heart", 9).await.unwrap());
        assert!(
            !repo.react(&vb, &id("ans-b"), "heart", 9).await.unwrap(),
            "no reacting to one's own answer"
        );
        assert!(repo.reply(&vb, &reply).await.unwrap());
        assert_eq!(repo.reactions_for(&va, &id("q1")).await.unwrap().len(), 1);
        assert_eq!(
            repo.replies_for(&va, &id("q1")).await.unwrap()[0].body,
            "early"
        );
        assert!(repo.replies_for(&vx, &id("q1")).await.unwrap().is_empty());
        assert_eq!(
            repo.asked_questions(&id("c1")).await.unwrap(),
            [("our-story-1-01".to_owned(), true)]
        );
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .exchanged_per_depth,
            [1, 0, 0]
        );
    }
}

#[tokio::test]
async fn passing_reveals_nothing_and_leaving_keeps_only_ones_own_answers() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["c"]).await;
        repo.release_question(&id("c1"), &asked("q1", "our-story-1-01", 100), i64::MAX)
            .await
            .unwrap();
        repo.release_question(&id("c1"), &asked("q2", "our-story-1-02", 200), i64::MAX)
            .await
            .unwrap();
        let (va, vb) = (viewer(repo, "a").await, viewer(repo, "b").await);
        // The home summary reads the latest question as `latest_question` does.
        let latest = |who: &'static str| async move {
            let home = repo.home_summary(&id(who)).await.unwrap().latest_question;
            let alone = repo.latest_question(&id("c1"), &id(who)).await.unwrap();
            assert_eq!(home, alone, "{b:?}: {who}");
            home.map(|(q, answered)| (q.id.to_string(), answered))
        };
        assert_eq!(latest("a").await, Some(("q2".into(), false)), "{b:?}");
        repo.answer(&va, &answer_of("a1", "q1", "A-ONE"))
            .await
            .unwrap();
        repo.answer(&vb, &answer_of("b1", "q1", "")).await.unwrap();
        let seen_by_a = repo.visible_answers(&va, Some("q1")).await.unwrap();
        assert_eq!(seen_by_a.len(), 2);
        assert!(
            seen_by_a
                .iter()
                .any(|x| x.user_id == "b" && x.skipped && x.body.is_empty())
        );
        // b passed, so b sees nothing of a's answer.
        assert_eq!(
            bodies(&repo.visible_answers(&vb, Some("q1")).await.unwrap()),
            [""],
            "{b:?}"
        );
        // Both answer q2, then b leaves.
        repo.answer(&va, &answer_of("a2", "q2", "A-TWO"))
            .await
            .unwrap();
        assert_eq!(latest("a").await, Some(("q2".into(), true)), "{b:?}");
        assert_eq!(latest("b").await, Some(("q2".into(), false)), "{b:?}");
        repo.answer(&vb, &answer_of("b2", "q2", "B-TWO"))
            .await
            .unwrap();
        assert_eq!(latest("b").await, Some(("q2".into(), true)), "{b:?}");
        repo.leave_space(&id("b"), 100005).await.unwrap();
        assert_eq!(
            repo.home_summary(&id("b")).await.unwrap().latest_question,
            None,
            "{b:?}: out of the space, no question"
        );
        let vb = viewer(repo, "b").await;
        assert_eq!(
            bodies(&repo.visible_answers(&vb, None).await.unwrap()),
            ["", "B-TWO"],
            "{b:?}: b keeps own answers only"
        );
        assert_eq!(repo.questions_for(&vb).await.unwrap().len(), 2);
        let va = viewer(repo, "a").await;
        assert_eq!(
            bodies(&repo.visible_answers(&va, None).await.unwrap()),
            ["A-ONE", "A-TWO"]
        );
        // A new partner sees none of the old questions or answers.
        repo.create_invitation(&invitation("i9", "c1", "code9", "a", DAY))
            .await
            .unwrap();
        repo.accept_invitation("code9", &id("c"), 300)
            .await
            .unwrap();
        let vc = viewer(repo, "c").await;
        assert!(repo.questions_for(&vc).await.unwrap().is_empty(), "{b:?}");
        assert!(repo.visible_answers(&vc, None).await.unwrap().is_empty());
        // The old questions can be asked again of the new pair.
        assert!(
            repo.release_question(&id("c1"), &asked("q3", "our-story-1-01", 400), i64::MAX)
                .await
                .unwrap()
        );
        repo.set_question_hour(&id("c1"), 8).await.unwrap();
        repo.set_question_hour(&id("c1"), 21).await.unwrap();
        assert_eq!(repo.release_state(&id("c1")).await.unwrap().0, Some(21));
    }
}

#[tokio::test]
async fn a_pause_is_neutral_for_the_partner_and_only_its_maker_resumes() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        assert!(repo.pause_space(&id("b")).await.unwrap());
        assert!(!repo.pause_space(&id("a")).await.unwrap(), "already paused");
        let a = repo.space_of(&id("a")).await.unwrap().unwrap();
        let bs = repo.space_of(&id("b")).await.unwrap().unwrap();
        assert!(
            a.paused && !a.paused_by_me,
            "{b:?}: the partner sees only that it is paused"
        );
        assert!(bs.paused && bs.paused_by_me);
        assert!(
            !repo.resume_space(&id("a")).await.unwrap(),
            "{b:?}: the partner cannot lift it"
        );
        assert!(repo.resume_space(&id("b")).await.unwrap());
        assert!(!repo.space_of(&id("a")).await.unwrap().unwrap().paused);
    }
}

#[tokio::test]
async fn erasure_removes_every_row_and_tells_the_partner_only_that_they_left() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        entry(repo, "b-entry", "b", "ERASE-ME-journal").await;
        let vb = viewer(repo, "b").await;
        repo.set_entry_visibility(&vb, &id("b-entry"), true, 6)
            .await
            .unwrap();
        repo.release_question(&id("c1"), &asked("q1", "our-story-1-01", 100), i64::MAX)
            .await
            .unwrap();
        repo.answer(&vb, &answer_of("b-ans", "q1", "ERASE-ME-answer"))
            .await
            .unwrap();
        repo.save_screen(&NewScreen {
            id: "s1".into(),
            user_id: "b".into(),
            answers: [1, 2, 1, 2],
            total: 6,
            positive: false,
            created_at: 9,
        })
        .await
        .unwrap();
        repo.create_token(&NewToken {
            id: "t1".into(),
            user_id: "b".into(),
            name: "ERASE-ME-token".into(),
            token_hash: "h".into(),
            created_at: 1,
        })
        .await
        .unwrap();
        repo.create_session(&NewSession {
            id_hash: "sess".into(),
            user_id: "b".into(),
            csrf_token: "c".into(),
            device: String::new(),
            created_at: 0,
            expires_at: i64::MAX,
        })
        .await
        .unwrap();
        assert!(repo.erase_user(&id("b"), 100006).await.unwrap());
        assert!(repo.user_by_id("b").await.unwrap().is_none());
        assert!(repo.session("sess", 1).await.unwrap().is_none());
        assert!(repo.screens_of(&id("b")).await.unwrap().is_empty());
        let va = viewer(repo, "a").await;
        assert!(va.partner_id.is_none());
        assert!(repo.entries_for(&va).await.unwrap().is_empty());
        assert!(repo.visible_answers(&va, None).await.unwrap().is_empty());
        let notices = repo.notices_for(&id("a")).await.unwrap();
        assert_eq!(notices.len(), 1);
        assert_eq!(notices[0].kind, "partner_left");
        repo.dismiss_notices(&id("a")).await.unwrap();
        assert!(repo.notices_for(&id("a")).await.unwrap().is_empty());
        assert!(!repo.erase_user(&id("b"), 100007).await.unwrap());
    }
}

fn checkin(id: &str, at: i64) -> NewCheckin {
    NewCheckin {
        id: id.into(),
        opened_at: at,
        closes_at: at + 7 * DAY,
    }
}

fn submission(
    id: &str,
    checkin: &str,
    csi: [u8; 4],
    text: &str,
    private: bool,
    at: i64,
) -> NewSubmission {
    NewSubmission {
        id: id.into(),
        checkin_id: checkin.into(),
        scores: rekindle_domain::checkin::Scores {
            csi,
            tech: [1, 2, 3, 4],
            hours_together: 12,
            hours_device_free: 7,
        },
        appreciation: format!("{text}-appreciation"),
        went_well: format!("{text}-went-well"),
        topic: format!("{text}-topic"),
        scores_private: private,
        created_at: at,
    }
}

#[tokio::test]
async fn checkin_submissions_stay_sealed_and_private_scores_never_leave_the_database() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        repo.create_space(&id("cx"), &id("x"), 1).await.unwrap();
        assert!(
            repo.open_checkin(&id("c1"), &checkin("k1", 100), i64::MAX)
                .await
                .unwrap()
        );
        let (va, vb, vx) = (
            viewer(repo, "a").await,
            viewer(repo, "b").await,
            viewer(repo, "x").await,
        );

        // a keeps the numbers private this time.
        assert!(
            repo.submit_checkin(
                &va,
                &submission("s-a", "k1", [1, 2, 1, 2], "A-SEALED", true, 110)
            )
            .await
            .unwrap()
        );
        assert!(matches!(
            repo.submit_checkin(
                &va,
                &submission("s-a2", "k1", [6, 5, 5, 5], "again", false, 111)
            )
            .await,
            Err(StoreError::Conflict)
        ));
        // An outsider can neither submit nor see anything.
        assert!(
            !repo
                .submit_checkin(&vx, &submission("s-x", "k1", [3; 4], "X", false, 112))
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(repo.checkin_for(&vx, &id("k1")).await.unwrap().is_none());
        assert!(
            repo.visible_submissions(&vx, Some("k1"))
                .await
                .unwrap()
                .is_empty()
        );

        // b has not submitted: a's row is sealed for b in every query shape.
        assert!(
            repo.visible_submissions(&vb, Some("k1"))
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: sealed submission leaked"
        );
        assert!(
            repo.visible_submissions(&vb, None)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: sealed submission leaked"
        );
        assert!(repo.own_submissions(&id("b")).await.unwrap().is_empty());
        assert!(
            !repo
                .set_loved(&vb, &id("k1"), "too early", 113)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .set_loved(&va, &id("k1"), "too early", 113)
                .await
                .unwrap()
        );
        // What b sees of the check-in is the same whether or not a submitted.
        assert_eq!(
            repo.checkin_for(&vb, &id("k1"))
                .await
                .unwrap()
                .unwrap()
                .completed_at,
            None
        );
        // a sees all of a's own numbers.
        let mine = repo.visible_submissions(&va, Some("k1")).await.unwrap();
        assert_eq!(mine[0].csi1, Some(1));
        assert_eq!(mine[0].scores().unwrap().csi_total(), 6);
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .completed_checkins,
            0
        );

        // b submits (sharing numbers): the pair opens and the check-in is complete.
        assert!(
            repo.submit_checkin(
                &vb,
                &submission("s-b", "k1", [5, 4, 4, 4], "B-OPEN", false, 120)
            )
            .await
            .unwrap()
        );
        assert_eq!(
            repo.checkin_for(&va, &id("k1"))
                .await
                .unwrap()
                .unwrap()
                .completed_at,
            Some(120)
        );
        let seen_by_b = repo.visible_submissions(&vb, Some("k1")).await.unwrap();
        assert_eq!(seen_by_b.len(), 2);
        let a_row = seen_by_b.iter().find(|s| s.user_id == "a").unwrap();
        assert_eq!(
            a_row.appreciation, "A-SEALED-appreciation",
            "written answers are shared"
        );
        assert!(a_row.scores_private);
        for n in [
            a_row.csi1,
            a_row.csi2,
            a_row.csi3,
            a_row.csi4,
            a_row.tech1,
            a_row.tech4,
            a_row.hours_together,
            a_row.hours_device_free,
        ] {
            assert_eq!(n, None, "{b:?}: a private score reached the partner");
        }
        assert!(a_row.scores().is_none());
        let seen_by_a = repo.visible_submissions(&va, None).await.unwrap();
        let b_row = seen_by_a.iter().find(|s| s.user_id == "b").unwrap();
        assert_eq!(
            b_row.scores().unwrap().csi_total(),
            17,
            "shared numbers are shown"
        );
        assert!(
            repo.visible_submissions(&vx, None)
                .await
                .unwrap()
                .is_empty()
        );
        // Exports hold one's own rows only.
        let export = repo.own_submissions(&id("b")).await.unwrap();
        assert_eq!(export.len(), 1);
        assert!(export.iter().all(|s| s.user_id == "b"));
        // A completed check-in takes no more submissions.
        assert!(
            !repo
                .submit_checkin(&vx, &submission("s-x2", "k1", [3; 4], "X", false, 130))
                .await
                .unwrap()
        );

        // The closing question, once both submitted; answering again replaces.
        assert!(
            repo.set_loved(&va, &id("k1"), "A hug when I get home", 130)
                .await
                .unwrap()
        );
        assert!(
            repo.set_loved(&va, &id("k1"), "A long hug when I get home", 131)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .set_loved(&vx, &id("k1"), "intruder", 131)
                .await
                .unwrap()
        );
        let loved = repo.loved_for(&vb, &id("k1")).await.unwrap();
        assert_eq!(loved.len(), 1);
        assert_eq!(loved[0].body, "A long hug when I get home");
        assert!(repo.loved_for(&vx, &id("k1")).await.unwrap().is_empty());
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .completed_checkins,
            1
        );
        let completed: Vec<Option<i64>> = repo
            .checkins_for(&vb)
            .await
            .unwrap()
            .iter()
            .map(|c| c.completed_at)
            .collect();
        assert_eq!(completed, [Some(120)]);
    }
}

#[tokio::test]
async fn one_checkin_opens_at_a_time_and_leaving_keeps_only_ones_own_rows() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["c"]).await;
        assert!(repo.checkin_schedule(&id("c1")).await.unwrap().is_none());
        let sched = CheckinSchedule {
            rhythm: Rhythm::Fortnightly,
            weekday: 6,
            hour: 19,
            anchor_at: 50,
        };
        repo.set_checkin_schedule(&id("c1"), &sched).await.unwrap();
        repo.set_checkin_schedule(
            &id("c1"),
            &CheckinSchedule {
                hour: 20,
                ..sched.clone()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            repo.checkin_schedule(&id("c1"))
                .await
                .unwrap()
                .unwrap()
                .hour,
            20
        );

        assert!(
            repo.open_checkin(&id("c1"), &checkin("k1", 100), i64::MAX)
                .await
                .unwrap()
        );
        // Still open: no second one.
        assert!(
            !repo
                .open_checkin(&id("c1"), &checkin("k2", 200), i64::MAX)
                .await
                .unwrap(),
            "{b:?}"
        );
        // After it closed unanswered, a new one may open, unless one was opened since the given moment.
        let later = 100 + 8 * DAY;
        assert!(
            !repo
                .open_checkin(&id("c1"), &checkin("k2", later), 100)
                .await
                .unwrap()
        );
        assert!(
            repo.open_checkin(&id("c1"), &checkin("k2", later), 101)
                .await
                .unwrap()
        );
        let (va, vb) = (viewer(repo, "a").await, viewer(repo, "b").await);
        // The closed one takes no more submissions.
        assert!(
            !repo
                .submit_checkin(&va, &submission("s0", "k1", [3; 4], "LATE", false, later))
                .await
                .unwrap()
        );
        assert_eq!(
            repo.checkins_for(&va)
                .await
                .unwrap()
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            ["k2", "k1"]
        );

        repo.submit_checkin(
            &va,
            &submission("s1", "k2", [3; 4], "A-TWO", false, later + 1),
        )
        .await
        .unwrap();
        repo.submit_checkin(
            &vb,
            &submission("s2", "k2", [4; 4], "B-TWO", false, later + 2),
        )
        .await
        .unwrap();
        // A completed check-in does not block the next one.
        assert!(
            repo.open_checkin(&id("c1"), &checkin("k3", later + 3), i64::MAX)
                .await
                .unwrap()
        );
        repo.submit_checkin(
            &va,
            &submission("s3", "k3", [2; 4], "A-SEALED-THREE", false, later + 4),
        )
        .await
        .unwrap();

        repo.leave_space(&id("b"), 100008).await.unwrap();
        assert!(
            repo.checkin_schedule(&id("c1")).await.unwrap().is_none(),
            "the rhythm belonged to the pair"
        );
        let vb = viewer(repo, "b").await;
        let b_sees = repo.visible_submissions(&vb, None).await.unwrap();
        assert_eq!(
            b_sees
                .iter()
                .map(|s| s.user_id.as_str())
                .collect::<Vec<_>>(),
            ["b"],
            "{b:?}: b keeps own rows only"
        );
        let va = viewer(repo, "a").await;
        assert!(
            repo.visible_submissions(&va, None)
                .await
                .unwrap()
                .iter()
                .all(|s| s.user_id == "a")
        );
        assert!(repo.loved_for(&va, &id("k2")).await.unwrap().is_empty());
        // A new partner sees none of the old check-ins.
        repo.create_invitation(&invitation("i9", "c1", "code9", "a", later + DAY))
            .await
            .unwrap();
        repo.accept_invitation("code9", &id("c"), later + 10)
            .await
            .unwrap();
        let vc = viewer(repo, "c").await;
        assert!(repo.checkins_for(&vc).await.unwrap().is_empty(), "{b:?}");
        assert!(
            repo.visible_submissions(&vc, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(repo.checkin_for(&vc, &id("k3")).await.unwrap().is_none());
        assert_eq!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .completed_checkins,
            0
        );
    }
}

// ---- Talk room ------------------------------------------------------------------

fn talk_event(by: &str, kind: &str, body: &str, mark: Option<&str>, at: i64) -> NewTalkEvent {
    NewTalkEvent {
        at,
        by_user: by.into(),
        kind: kind.into(),
        body: body.into(),
        mark: mark.map(str::to_owned),
    }
}

fn summary(phase: &str) -> TalkSummary {
    TalkSummary {
        phase: Phase::parse(phase).expect("a talk phase"),
        scheduled_at: None,
        began_at: None,
    }
}

async fn new_talk(repo: &Repo, id: &str) {
    repo.create_talk(
        &NewTalk {
            id: id.into(),
            couple_id: "c1".into(),
            requested_by: "a".into(),
            partner_id: "b".into(),
            topic: "TALK-TOPIC".into(),
            created_at: 100,
        },
        &talk_event("a", "requested", "{\"kind\":\"requested\"}", None, 100),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_talk_log_is_numbered_without_gaps_and_a_stale_append_is_refused() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        new_talk(repo, "t1").await;
        let va = viewer(repo, "a").await;
        let vb = viewer(repo, "b").await;
        assert_eq!(
            repo.talk_for(&vb, &id("t1"))
                .await
                .unwrap()
                .unwrap()
                .last_seq,
            1
        );
        let two = [
            talk_event("b", "scheduled", "{}", None, 101),
            talk_event("b", "opened", "{}", None, 101),
        ];
        assert!(
            repo.append_talk_events(&id("t1"), &id("c1"), 1, &two, &summary("arriving"))
                .await
                .unwrap()
        );
        // A writer that decided on seq 1 lost the race: nothing is written.
        assert!(
            !repo
                .append_talk_events(
                    &id("t1"),
                    &id("c1"),
                    1,
                    &[talk_event("a", "ended", "{}", None, 102)],
                    &summary("ended")
                )
                .await
                .unwrap()
        );
        let t = repo.talk_for(&va, &id("t1")).await.unwrap().unwrap();
        assert_eq!((t.last_seq, t.phase.as_str()), (3, "arriving"));
        let seqs: Vec<i64> = repo
            .talk_events(&id("t1"), 0)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        let after: Vec<i64> = repo
            .talk_events(&id("t1"), 2)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(after, vec![3]);
        // Two writers racing on the same seq: exactly one wins.
        let e = [talk_event("a", "arrived", "{}", None, 103)];
        let s = summary("arriving");
        let (t1, c1) = (TalkId::from("t1"), CoupleId::from("c1"));
        let (x, y) = tokio::join!(
            repo.append_talk_events(&t1, &c1, 3, &e, &s),
            repo.append_talk_events(&t1, &c1, 3, &e, &s)
        );
        assert_eq!(u8::from(x.unwrap()) + u8::from(y.unwrap()), 1);
        assert_eq!(repo.talk_events(&id("t1"), 0).await.unwrap().len(), 4);
        assert!(
            !repo
                .append_talk_events(&id("nope"), &id("c1"), 0, &e, &s)
                .await
                .unwrap()
        );
        // Another couple's id, or a talk closed because someone left: refused.
        let e5 = [talk_event("a", "arrived", "{}", None, 104)];
        assert!(
            !repo
                .append_talk_events(&id("t1"), &id("c2"), 4, &e5, &s)
                .await
                .unwrap()
        );
        repo.leave_space(&id("b"), 100009).await.unwrap();
        assert!(
            !repo
                .append_talk_events(&id("t1"), &id("c1"), 4, &e5, &s)
                .await
                .unwrap()
        );
        assert_eq!(repo.talk_events(&id("t1"), 0).await.unwrap().len(), 4);
    }
}

#[tokio::test]
async fn open_talks_come_soonest_first_without_ended_ones_and_only_to_the_couple() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        repo.create_space(&id("c2"), &id("x"), 10).await.unwrap();
        for t in ["later", "sooner", "unplanned", "ended", "extra"] {
            new_talk(repo, t).await;
        }
        let plan = |phase: &str, at: Option<i64>| TalkSummary {
            scheduled_at: at,
            ..summary(phase)
        };
        let e = [talk_event("b", "scheduled", "{}", None, 101)];
        for (t, s) in [
            ("later", plan("scheduled", Some(9_000))),
            ("sooner", plan("scheduled", Some(5_000))),
            ("ended", plan("ended", Some(1_000))),
            ("extra", plan("scheduled", Some(7_000))),
        ] {
            assert!(
                repo.append_talk_events(&id(t), &id("c1"), 1, &e, &s)
                    .await
                    .unwrap()
            );
        }
        let va = viewer(repo, "a").await;
        let ids = |rows: Vec<TalkRow>| {
            rows.into_iter()
                .map(|t| t.id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(repo.open_talks_for(&va, 10).await.unwrap()),
            ["sooner", "extra", "later", "unplanned"],
            "{b:?}"
        );
        assert_eq!(
            ids(repo.open_talks_for(&va, 2).await.unwrap()),
            ["sooner", "extra"],
            "{b:?}"
        );
        let vx = viewer(repo, "x").await;
        assert!(repo.open_talks_for(&vx, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_talk_opens_only_to_its_couple_and_deleting_removes_it_for_both() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        repo.create_space(&id("c2"), &id("x"), 10).await.unwrap();
        new_talk(repo, "t1").await;
        let va = viewer(repo, "a").await;
        let vb = viewer(repo, "b").await;
        let vx = viewer(repo, "x").await;
        assert!(repo.talk_for(&vx, &id("t1")).await.unwrap().is_none());
        assert!(repo.talks_for(&vx).await.unwrap().is_empty());
        assert!(!repo.delete_talk(&vx, &id("t1")).await.unwrap());
        assert_eq!(repo.talks_for(&vb).await.unwrap().len(), 1);
        repo.save_reflection(
            &vb,
            &Reflection {
                talk_id: "t1".into(),
                user_id: "ignored".into(),
                understood: "REFLECTION-B".into(),
                feel_now: "calm".into(),
                shared: false,
                created_at: 200,
                updated_at: 200,
            },
        )
        .await
        .unwrap();
        assert!(repo.delete_talk(&va, &id("t1")).await.unwrap());
        assert!(repo.talk_for(&vb, &id("t1")).await.unwrap().is_none());
        assert!(repo.talk_events(&id("t1"), 0).await.unwrap().is_empty());
        for table in ["talks", "talk_events", "talk_reflections"] {
            let dump = repo.debug_dump_table(table).await.unwrap();
            assert!(
                !dump.contains("TALK-TOPIC") && !dump.contains("REFLECTION-B"),
                "{table}"
            );
        }
    }
}

#[tokio::test]
async fn a_reflection_stays_private_until_shared() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        people(repo, &["x"]).await;
        new_talk(repo, "t1").await;
        let va = viewer(repo, "a").await;
        let vb = viewer(repo, "b").await;
        let vx = viewer(repo, "x").await;
        let mine = Reflection {
            talk_id: "t1".into(),
            user_id: UserId::default(),
            understood: "PRIVATE-THOUGHT".into(),
            feel_now: "lighter".into(),
            shared: false,
            created_at: 200,
            updated_at: 200,
        };
        assert!(repo.save_reflection(&va, &mine).await.unwrap());
        assert!(!repo.save_reflection(&vx, &mine).await.unwrap());
        assert_eq!(repo.reflections_for(&va, &id("t1")).await.unwrap().len(), 1);
        assert!(
            repo.reflections_for(&vb, &id("t1"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            !repo
                .set_reflection_shared(&vb, &id("t1"), true, 201)
                .await
                .unwrap()
        );
        assert!(
            repo.set_reflection_shared(&va, &id("t1"), true, 201)
                .await
                .unwrap()
        );
        let seen = repo.reflections_for(&vb, &id("t1")).await.unwrap();
        assert_eq!((seen.len(), seen[0].user_id.as_str()), (1, "a"));
        assert!(
            repo.set_reflection_shared(&va, &id("t1"), false, 202)
                .await
                .unwrap()
        );
        assert!(
            repo.reflections_for(&vb, &id("t1"))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            repo.reflections_for(&vx, &id("t1"))
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn ground_rules_are_versioned_and_each_version_needs_both() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        assert!(repo.ground_rules(&id("c1")).await.unwrap().is_none());
        let v1 = repo
            .set_ground_rules(&id("c1"), &id("a"), "One\nTwo", 20, 1)
            .await
            .unwrap();
        assert_eq!(v1, 1);
        assert!(
            !repo
                .journey_facts(&id("c1"))
                .await
                .unwrap()
                .ground_rules_agreed
        );
        assert!(
            repo.accept_ground_rules(&id("c1"), &id("b"), 1, 2)
                .await
                .unwrap()
        );
        assert!(
            !repo
                .accept_ground_rules(&id("c1"), &id("b"), 1, 2)
                .await
                .unwrap(),
            "once"
        );
        let r = repo.ground_rules(&id("c1")).await.unwrap().unwrap();
        assert_eq!((r.version, r.accepted_by.len()), (1, 2));
        assert!(
            repo.journey_facts(&id("c1"))
                .await
                .unwrap()
                .ground_rules_agreed
        );
        let v2 = repo
            .set_ground_rules(&id("c1"), &id("b"), "One\nTwo\nThree", 30, 3)
            .await
            .unwrap();
        assert_eq!(v2, 2);
        assert!(
            !repo
                .accept_ground_rules(&id("c1"), &id("a"), 1, 4)
                .await
                .unwrap(),
            "old version"
        );
        let r = repo.ground_rules(&id("c1")).await.unwrap().unwrap();
        assert_eq!(
            (r.min_time_out, r.accepted_by.clone()),
            (30, vec![UserId::from("b")])
        );
        assert!(
            !repo
                .journey_facts(&id("c1"))
                .await
                .unwrap()
                .ground_rules_agreed
        );
        people(repo, &["x"]).await;
        assert!(
            !repo
                .accept_ground_rules(&id("c1"), &id("x"), 2, 4)
                .await
                .unwrap(),
            "outsider"
        );
    }
}

#[tokio::test]
async fn talk_facts_count_pledges_confirmations_and_soft_speech() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        new_talk(repo, "t1").await;
        let began = TalkSummary {
            phase: Phase::Live,
            scheduled_at: Some(100),
            began_at: Some(110),
        };
        let events = [
            talk_event("a", "statement", "{}", Some("soft"), 111),
            talk_event("b", "confirmed", "{}", Some("b"), 112),
            talk_event("b", "statement", "{}", Some("harsh"), 113),
            talk_event("b", "statement", "{}", Some("soft"), 114),
            talk_event("a", "confirmed", "{}", Some("a"), 115),
        ];
        assert!(
            repo.append_talk_events(&id("t1"), &id("c1"), 1, &events, &began)
                .await
                .unwrap()
        );
        let f = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(
            (f.pledged_talks, f.partners_heard, f.partners_spoke_softly),
            (1, 2, 1)
        );
    }
}

/// Issue 19: a talk held aloud counts as held for the journey only once a turn
/// was confirmed (`journey::talk_counts_as_held`); a typed one once it began.
#[tokio::test]
async fn a_talk_aloud_counts_for_the_journey_only_once_a_turn_was_confirmed() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        let began = TalkSummary {
            phase: Phase::Live,
            scheduled_at: Some(100),
            began_at: Some(110),
        };
        for (talk, mode) in [("aloud1", "one_phone"), ("aloud2", "two_phones")] {
            repo.create_talk(
                &NewTalk {
                    id: talk.into(),
                    couple_id: "c1".into(),
                    requested_by: "a".into(),
                    partner_id: "b".into(),
                    topic: "TALK-TOPIC".into(),
                    created_at: 100,
                },
                &talk_event(
                    "a",
                    "requested",
                    &format!(
                        r#"{{"kind":"requested","topic":"","times":[],"length_min":null,"with":"b","mode":"{mode}","turn_min":3}}"#
                    ),
                    None,
                    100,
                ),
            )
            .await
            .unwrap();
            // Pledged and spoken, said back, but no "that's it" yet.
            let events = [
                talk_event("a", "spoke", r#"{"kind":"spoke"}"#, None, 111),
                talk_event("b", "said_back", r#"{"kind":"said_back"}"#, None, 112),
            ];
            assert!(
                repo.append_talk_events(&id(talk), &id("c1"), 1, &events, &began)
                    .await
                    .unwrap()
            );
        }
        // A typed talk whose words were not confirmed yet, and whose topic
        // mentions a mode: it counts once it began.
        repo.create_talk(
            &NewTalk {
                id: "typed".into(),
                couple_id: "c1".into(),
                requested_by: "a".into(),
                partner_id: "b".into(),
                topic: r#"the "mode":"one_phone" of it"#.into(),
                created_at: 100,
            },
            &talk_event(
                "a",
                "requested",
                r#"{"kind":"requested","topic":"the \"mode\":\"one_phone\" of it","times":[],"length_min":null,"with":"b"}"#,
                None,
                100,
            ),
        )
        .await
        .unwrap();
        let f = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(
            (f.pledged_talks, f.partners_heard),
            (0, 0),
            "{b:?}: only the typed talk, which has not begun yet"
        );
        assert!(
            repo.append_talk_events(
                &id("typed"),
                &id("c1"),
                1,
                &[talk_event(
                    "a",
                    "pledged",
                    r#"{"kind":"pledged"}"#,
                    None,
                    111
                )],
                &began,
            )
            .await
            .unwrap()
        );
        let f = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(
            f.pledged_talks, 1,
            "{b:?}: the typed talk counts once it began; the unconfirmed aloud ones do not"
        );
        let confirmed = [
            talk_event(
                "a",
                "confirmed",
                r#"{"kind":"confirmed","listener":"b"}"#,
                Some("b"),
                113,
            ),
            talk_event(
                "a",
                "floor_passed",
                r#"{"kind":"floor_passed","to":"b"}"#,
                None,
                113,
            ),
        ];
        assert!(
            repo.append_talk_events(&id("aloud1"), &id("c1"), 3, &confirmed, &began)
                .await
                .unwrap()
        );
        let f = repo.journey_facts(&id("c1")).await.unwrap();
        assert_eq!(
            (f.pledged_talks, f.partners_heard),
            (2, 1),
            "{b:?}: the aloud talk with a confirmed turn counts"
        );
    }
}

#[tokio::test]
async fn leaving_closes_talks_and_erasure_removes_them_once_nobody_took_part() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        pair(repo).await;
        new_talk(repo, "t1").await;
        repo.set_ground_rules(&id("c1"), &id("a"), "RULES-TEXT", 20, 1)
            .await
            .unwrap();
        let va = viewer(repo, "a").await;
        assert!(repo.leave_space(&id("b"), 100010).await.unwrap());
        let va2 = viewer(repo, "a").await;
        assert!(repo.talk_for(&va, &id("t1")).await.unwrap().is_none());
        assert!(repo.talks_for(&va2).await.unwrap().is_empty());
        assert!(repo.ground_rules(&id("c1")).await.unwrap().is_none());
        assert!(repo.erase_user(&id("b"), 100011).await.unwrap());
        // The talk a asked for stays with a (docs/privacy.md) until a goes too.
        assert_eq!(repo.past_talks_for(&id("a")).await.unwrap().len(), 1);
        assert!(repo.erase_user(&id("a"), 100012).await.unwrap());
        for table in ["talks", "talk_events", "ground_rules"] {
            let dump = repo.debug_dump_table(table).await.unwrap();
            assert!(
                !dump.contains("TALK-TOPIC") && !dump.contains("RULES-TEXT"),
                "{table}"
            );
        }
    }
}

#[tokio::test]
async fn devices_are_listed_by_last_use_and_signed_out_one_by_one_or_all_others() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        people(repo, &["a", "b"]).await;
        for (h, who, device) in [
            ("aaaaaaaaaaaaaaaa-phone", "a", "Firefox on Android"),
            ("bbbbbbbbbbbbbbbb-laptop", "a", "Chrome on Linux"),
            ("cccccccccccccccc-other", "b", "Safari on iPhone"),
        ] {
            repo.create_session(&NewSession {
                id_hash: h.into(),
                user_id: who.into(),
                csrf_token: "t".into(),
                device: device.into(),
                created_at: 10,
                expires_at: 10_000_000,
            })
            .await
            .unwrap();
        }
        // Using the laptop after ten minutes marks it as last used.
        repo.session("bbbbbbbbbbbbbbbb-laptop", 700_000)
            .await
            .unwrap()
            .unwrap();
        let mine = repo.sessions_of(&id("a"), 700_000).await.unwrap();
        let names: Vec<_> = mine.iter().map(|s| s.device.as_str()).collect();
        assert_eq!(names, ["Chrome on Linux", "Firefox on Android"], "{b:?}");
        assert_eq!(mine[0].last_seen_at, Some(700_000));
        assert_eq!(mine[0].handle, "bbbbbbbbbbbbbbbb");
        // Someone else's handle signs nothing out; a malformed one neither.
        assert!(
            !repo
                .end_session(&id("a"), "cccccccccccccccc")
                .await
                .unwrap()
        );
        assert!(!repo.end_session(&id("a"), "").await.unwrap());
        assert!(
            repo.end_session(&id("a"), "aaaaaaaaaaaaaaaa")
                .await
                .unwrap()
        );
        assert!(
            repo.session("aaaaaaaaaaaaaaaa-phone", 700_001)
                .await
                .unwrap()
                .is_none()
        );
        repo.create_session(&NewSession {
            id_hash: "dddddddddddddddd-tablet".into(),
            user_id: "a".into(),
            csrf_token: "t".into(),
            device: "Chrome on Android".into(),
            created_at: 20,
            expires_at: 10_000_000,
        })
        .await
        .unwrap();
        let ended = repo
            .end_other_sessions(&id("a"), "bbbbbbbbbbbbbbbb-laptop")
            .await
            .unwrap();
        assert_eq!(ended, 1, "{b:?}");
        assert_eq!(repo.sessions_of(&id("a"), 700_000).await.unwrap().len(), 1);
        assert_eq!(repo.sessions_of(&id("b"), 700_000).await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn a_pending_sign_up_is_used_once_replaced_per_address_and_expires() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        let req = |hash: &str, email: &str, expires_at: i64| SignupRequest {
            token_hash: hash.into(),
            email: email.into(),
            display_name: "Ana".into(),
            password_hash: "$argon2id$stub".into(),
            time_zone: "UTC".into(),
            created_at: 0,
            expires_at,
        };
        repo.save_signup_request(&req("h1", "ana@example.org", 100), 0)
            .await
            .unwrap();
        assert!(repo.signup_request_open("h1", 50).await.unwrap(), "{b:?}");
        assert!(
            !repo.signup_request_open("h1", 100).await.unwrap(),
            "{b:?}: expired"
        );
        // A second sign-up for the same address replaces the first link.
        repo.save_signup_request(&req("h2", "ana@example.org", 100), 0)
            .await
            .unwrap();
        assert_eq!(
            repo.take_signup_request("h1", 50).await.unwrap(),
            None,
            "{b:?}"
        );
        let taken = repo.take_signup_request("h2", 50).await.unwrap();
        assert_eq!(taken, Some(req("h2", "ana@example.org", 100)), "{b:?}");
        assert_eq!(
            repo.take_signup_request("h2", 50).await.unwrap(),
            None,
            "{b:?}: once"
        );
        // An expired link gives nothing, and is gone.
        repo.save_signup_request(&req("h3", "ben@example.org", 100), 0)
            .await
            .unwrap();
        assert_eq!(
            repo.take_signup_request("h3", 100).await.unwrap(),
            None,
            "{b:?}"
        );
        assert!(!repo.signup_request_open("h3", 0).await.unwrap(), "{b:?}");
    }
}

/// A repository made for one page view (`holding_reads`) reads like the
/// repository it came from and sees writes made meanwhile. On PostgreSQL its
/// copies share one read connection, taken at the first read and out of the
/// pool until the last copy is gone; on SQLite the pages' reads bypass sqlx's
/// pool (`direct.rs`), so a page view takes no pooled connection at all.
#[tokio::test]
async fn a_repository_for_one_page_view_reads_what_the_store_holds() {
    for b in backends() {
        let db = fresh_db(b).await;
        people(&db.repo, &["a"]).await;
        let idle_before = db.repo.pool_stats().idle;
        let held = db.repo.holding_reads().await.unwrap();
        let copy = held.clone();
        assert!(held.user_by_id("a").await.unwrap().is_some(), "{b:?}");
        assert!(copy.space_of(&id("a")).await.unwrap().is_none(), "{b:?}");
        db.repo
            .update_profile(&id("a"), "Ana", "Europe/Berlin")
            .await
            .unwrap();
        let seen = copy.user_by_id("a").await.unwrap().unwrap();
        assert_eq!(seen.display_name, "Ana", "{b:?}: a write made meanwhile");
        let idle_while_held = db.repo.pool_stats().idle;
        if b == Backend::Sqlite {
            assert_eq!(
                idle_while_held, idle_before,
                "{b:?}: no pooled connection taken"
            );
            continue;
        }
        assert!(idle_while_held < db.repo.pool_stats().size, "{b:?}: held");
        drop((held, copy));
        let released = std::time::Instant::now();
        while db.repo.pool_stats().idle <= idle_while_held {
            assert!(
                released.elapsed() < std::time::Duration::from_secs(5),
                "{b:?}: the held connection went back to the pool"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

/// The smallest PostgreSQL budget (two connections): a page view holding the
/// only read connection can still write, because writes have their own pool.
/// With one shared pool the write would wait for the held connection and fail
/// after the acquire timeout.
#[tokio::test]
async fn holding_every_read_connection_leaves_writes_free() {
    for b in backends() {
        // (The SQLite database lives as long as `_db`, its temporary dir.)
        let (_db, repo) = match b {
            Backend::Sqlite => {
                let db = fresh_db(b).await;
                let repo = db.repo.clone();
                (Some(db), repo)
            }
            Backend::Postgres => {
                let url = rekindle_testkit::fresh_pg_database().await;
                (None, Repo::open_postgres(&url, 2).await.unwrap())
            }
        };
        let mut held = Vec::new();
        for _ in 0..repo.pool_stats().max {
            held.push(repo.holding_reads().await.unwrap());
        }
        let write = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            repo.create_user(&new_user("w", "w@example.org")),
        )
        .await;
        assert!(matches!(write, Ok(Ok(_))), "{b:?}: {write:?}");
        assert!(held[0].user_by_id("w").await.unwrap().is_some(), "{b:?}");
    }
}

/// PostgreSQL only (SQLite has no such setting): every read connection runs
/// the general plan of each statement, set when it starts, so the count of what
/// waits needs no setting of its own around it (two more round trips on every
/// first view); writes are planned as PostgreSQL chooses.
#[tokio::test]
async fn reads_run_the_general_plan_and_writes_plan_as_usual() {
    if !backends().contains(&Backend::Postgres) {
        panic!("this test needs PostgreSQL (see rekindle_testkit::backends)");
    }
    let url = rekindle_testkit::fresh_pg_database().await;
    // A budget of two: one connection for writes, one for every read.
    let repo = Repo::open_postgres(&url, 2).await.unwrap();
    assert_eq!(repo.pool_stats().max, 1);
    people(&repo, &["a", "b"]).await;
    for who in ["a", "b"] {
        repo.waiting_for(&who.into(), 1_000).await.unwrap();
        let read = repo.debug_read_setting("plan_cache_mode").await.unwrap();
        assert_eq!(read, "force_generic_plan", "after {who}'s count");
    }
    let written = repo.debug_write_setting("plan_cache_mode").await.unwrap();
    assert_eq!(written, "auto");
}

/// PostgreSQL only (SQLite has no server to lose): when the server drops the
/// pool's connections while they sit idle (a restart, an administrator), the
/// next reads and writes get fresh ones instead of failing. The pool pings a
/// connection before use only after it sat idle a while (`Repo::open_postgres`).
#[tokio::test]
async fn connections_the_server_dropped_while_idle_are_replaced() {
    use sqlx::Connection;
    if !backends().contains(&Backend::Postgres) {
        panic!("this test needs PostgreSQL (see rekindle_testkit::backends)");
    }
    let url = rekindle_testkit::fresh_pg_database().await;
    let repo = Repo::open_postgres(&url, 4).await.unwrap();
    people(&repo, &["a"]).await;
    assert!(repo.user_by_id("a").await.unwrap().is_some());
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let dropped: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!dropped.is_empty(), "the pool had connections to drop");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for _ in 0..4 {
        assert!(repo.user_by_id("a").await.unwrap().is_some(), "a read");
    }
    people(&repo, &["b"]).await;
    assert!(repo.user_by_id("b").await.unwrap().is_some(), "a write");
}
