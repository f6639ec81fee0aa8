//! Appreciations on SQLite and PostgreSQL alike: a draft is its author's alone,
//! a sent one reaches only the partner of the space it was sent in, keeping is
//! the partner's, and "waiting for you" names the new one and the prompt.

use rekindle_domain::appreciation::Status;
use rekindle_domain::waiting::WaitingKind;
use rekindle_storage::*;
use rekindle_testkit::{backends, fresh_db, id};

mod common;
use common::{join, person, viewer};

const DAY: i64 = 24 * 3600 * 1000;
/// Monday 2026-12-07 08:00 UTC (a prompt day).
const MONDAY: i64 = 1_796_630_400_000;

fn bodies(list: &[Appreciation]) -> Vec<&str> {
    let mut b: Vec<&str> = list.iter().map(|a| a.body.as_str()).collect();
    b.sort();
    b
}

#[tokio::test]
async fn drafts_are_private_and_sent_ones_reach_only_the_partner() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        for p in ["a", "b", "o", "p"] {
            person(repo, p).await;
        }
        join(repo, "c1", "a", "b", "code1", MONDAY + 30 * DAY).await;
        join(repo, "c2", "o", "p", "code2", MONDAY + 30 * DAY).await;
        let (va, vb, vo) = (
            viewer(repo, "a").await,
            viewer(repo, "b").await,
            viewer(repo, "o").await,
        );
        repo.create_appreciation(&id("d1"), &id("a"), "draft words", MONDAY)
            .await
            .unwrap();
        repo.create_appreciation(&id("s1"), &id("a"), "sent words", MONDAY)
            .await
            .unwrap();
        assert!(
            repo.send_appreciation(&va, &id("s1"), MONDAY + 1)
                .await
                .unwrap()
        );

        assert_eq!(
            bodies(&repo.appreciations_for(&va).await.unwrap()),
            ["draft words", "sent words"],
            "{b:?}"
        );
        assert_eq!(
            bodies(&repo.appreciations_for(&vb).await.unwrap()),
            ["sent words"],
            "{b:?}"
        );
        assert!(
            repo.appreciations_for(&vo).await.unwrap().is_empty(),
            "{b:?}"
        );
        assert!(
            repo.appreciation_for(&vb, &id("d1"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}: a draft is private"
        );
        assert!(
            repo.appreciation_for(&vo, &id("s1"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}: an outsider sees nothing"
        );
        let s = repo
            .appreciation_for(&vb, &id("s1"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (s.status, s.sent_at),
            (Status::Sent, Some(MONDAY + 1)),
            "{b:?}"
        );

        // Only drafts change, and only by their author; a sent one is sent once.
        assert!(
            !repo
                .update_appreciation(&id("a"), &id("s1"), "changed", MONDAY)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            !repo
                .update_appreciation(&id("b"), &id("d1"), "changed", MONDAY)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            repo.update_appreciation(&id("a"), &id("d1"), "better draft", MONDAY)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            !repo
                .send_appreciation(&va, &id("s1"), MONDAY + 2)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            !repo
                .send_appreciation(&vb, &id("d1"), MONDAY + 2)
                .await
                .unwrap(),
            "{b:?}: not theirs to send"
        );

        // Keeping is the partner's, and its author never reads it.
        assert!(
            !repo
                .set_appreciation_kept(&va, &id("s1"), true)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            !repo
                .set_appreciation_kept(&vb, &id("d1"), true)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            !repo
                .set_appreciation_kept(&vo, &id("s1"), true)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            repo.set_appreciation_kept(&vb, &id("s1"), true)
                .await
                .unwrap(),
            "{b:?}"
        );
        assert!(
            repo.appreciation_for(&vb, &id("s1"))
                .await
                .unwrap()
                .unwrap()
                .kept,
            "{b:?}"
        );
        assert!(
            !repo
                .appreciation_for(&va, &id("s1"))
                .await
                .unwrap()
                .unwrap()
                .kept,
            "{b:?}"
        );

        // Deleting is the author's.
        assert!(
            !repo.delete_appreciation(&id("b"), &id("s1")).await.unwrap(),
            "{b:?}"
        );
        assert!(
            repo.delete_appreciation(&id("a"), &id("s1")).await.unwrap(),
            "{b:?}"
        );
        assert!(
            repo.appreciations_for(&vb).await.unwrap().is_empty(),
            "{b:?}"
        );
    }
}

#[tokio::test]
async fn nothing_written_alone_or_in_an_ended_space_reaches_a_later_partner() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        for p in ["a", "b", "c"] {
            person(repo, p).await;
        }
        // Alone: a has no space yet; a draft is fine, sending is not.
        let alone = viewer(repo, "a").await;
        repo.create_appreciation(&id("d0"), &id("a"), "written alone", MONDAY)
            .await
            .unwrap();
        assert!(
            !repo
                .send_appreciation(&alone, &id("d0"), MONDAY)
                .await
                .unwrap(),
            "{b:?}"
        );
        // b joins: sees nothing of it.
        join(repo, "c1", "a", "b", "code1", MONDAY + 30 * DAY).await;
        let vb = viewer(repo, "b").await;
        assert!(
            repo.appreciations_for(&vb).await.unwrap().is_empty(),
            "{b:?}"
        );
        assert!(
            repo.appreciation_for(&vb, &id("d0"))
                .await
                .unwrap()
                .is_none(),
            "{b:?}"
        );
        // a sends one to b, then b leaves and c joins a's space.
        let va = viewer(repo, "a").await;
        repo.create_appreciation(&id("s1"), &id("a"), "for b", MONDAY)
            .await
            .unwrap();
        assert!(
            repo.send_appreciation(&va, &id("s1"), MONDAY)
                .await
                .unwrap()
        );
        assert!(repo.leave_space(&id("b"), MONDAY + 1).await.unwrap());
        let vb = viewer(repo, "b").await;
        assert!(
            repo.appreciations_for(&vb).await.unwrap().is_empty(),
            "{b:?}: gone with the space"
        );
        repo.create_invitation(&NewInvitation {
            id: "inv-3".into(),
            couple_id: "c1".into(),
            code_hash: "code3".into(),
            created_by: "a".into(),
            created_at: 0,
            expires_at: MONDAY + 30 * DAY,
        })
        .await
        .unwrap();
        repo.accept_invitation("code3", &id("c"), MONDAY + 2)
            .await
            .unwrap();
        let vc = viewer(repo, "c").await;
        assert!(
            repo.appreciations_for(&vc).await.unwrap().is_empty(),
            "{b:?}: never to a later partner"
        );
        let va = viewer(repo, "a").await;
        let mine = repo.appreciations_for(&va).await.unwrap();
        assert_eq!(
            bodies(&mine),
            ["for b", "written alone"],
            "{b:?}: the author keeps both"
        );
        assert!(mine.iter().any(|a| a.from_before), "{b:?}");
    }
}

#[tokio::test]
async fn a_sent_appreciation_waits_until_opened_and_the_prompt_only_when_on() {
    for b in backends() {
        let db = fresh_db(b).await;
        let repo = &db.repo;
        for p in ["a", "b"] {
            person(repo, p).await;
        }
        join(repo, "c1", "a", "b", "code1", MONDAY + 30 * DAY).await;
        let va = viewer(repo, "a").await;
        let kinds = |w: Vec<rekindle_domain::waiting::Waiting>| -> Vec<WaitingKind> {
            w.into_iter().map(|w| w.kind).collect()
        };
        // A draft waits for nobody.
        repo.create_appreciation(&id("s1"), &id("a"), "thanks", MONDAY)
            .await
            .unwrap();
        assert!(
            repo.waiting_for(&id("b"), MONDAY).await.unwrap().is_empty(),
            "{b:?}"
        );
        assert!(
            repo.send_appreciation(&va, &id("s1"), MONDAY)
                .await
                .unwrap()
        );
        let w = repo.waiting_for(&id("b"), MONDAY + 1).await.unwrap();
        assert_eq!(kinds(w.clone()), [WaitingKind::Appreciation], "{b:?}");
        assert_eq!(w[0].record, "s1");
        assert!(
            repo.waiting_for(&id("a"), MONDAY + 1)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
        repo.mark_seen(&id("b"), &w[0].key(), MONDAY + 2)
            .await
            .unwrap();
        assert!(
            repo.waiting_for(&id("b"), MONDAY + 3)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );

        // The prompt: off by default; on, it asks on a prompt day until set aside.
        assert!(!repo.appreciation_prompt_on(&id("b")).await.unwrap());
        repo.set_appreciation_prompt(&id("b"), true, MONDAY)
            .await
            .unwrap();
        assert!(repo.appreciation_prompt_on(&id("b")).await.unwrap());
        let w = repo.waiting_for(&id("b"), MONDAY + 3).await.unwrap();
        assert_eq!(kinds(w.clone()), [WaitingKind::AppreciationPrompt], "{b:?}");
        assert_eq!(w[0].key(), "appreciation_prompt:2026-12-07");
        // Not on Tuesday.
        assert!(
            repo.waiting_for(&id("b"), MONDAY + DAY)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
        repo.mark_seen(&id("b"), &w[0].key(), MONDAY + 4)
            .await
            .unwrap();
        assert!(
            repo.waiting_for(&id("b"), MONDAY + 5)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}: set aside today"
        );
        // Wednesday it asks again; writing one (even a draft) quiets it that day.
        let wed = MONDAY + 2 * DAY;
        assert_eq!(
            kinds(repo.waiting_for(&id("b"), wed).await.unwrap()),
            [WaitingKind::AppreciationPrompt],
            "{b:?}"
        );
        repo.create_appreciation(&id("d2"), &id("b"), "a draft", wed + 1)
            .await
            .unwrap();
        assert!(
            repo.waiting_for(&id("b"), wed + 2)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
        // Off again: never.
        repo.set_appreciation_prompt(&id("b"), false, wed)
            .await
            .unwrap();
        assert!(
            repo.waiting_for(&id("b"), MONDAY + 7 * DAY)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
        // While paused, nothing waits at all.
        repo.set_appreciation_prompt(&id("b"), true, wed)
            .await
            .unwrap();
        assert!(repo.pause_space(&id("a")).await.unwrap());
        assert!(
            repo.waiting_for(&id("b"), MONDAY + 7 * DAY)
                .await
                .unwrap()
                .is_empty(),
            "{b:?}"
        );
    }
}
