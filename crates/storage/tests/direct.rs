//! On SQLite the pages' reads bypass sqlx (`src/direct.rs`): the same SQL
//! through rusqlite on the caller's thread. This reads a year of a couple's
//! content both ways, from the same database file, and wants the same answer
//! from every read that has a direct path. (SQLite only by nature: PostgreSQL
//! has one way of reading, which the conformance suite covers.)

mod common;
#[path = "common/year.rs"]
mod year;

use common::{join, person, viewer};
use rekindle_storage::*;
use rekindle_testkit::id;

const NOW: i64 = 1_800_000_000_000;
const DAY: i64 = 86_400_000;

/// Reads through both repositories and compares what they print.
macro_rules! same {
    ($direct:expr, $sqlx:expr, $what:ident ( $($arg:expr),* )) => {{
        let fast = $direct.$what($($arg),*).await.expect(stringify!($what));
        let slow = $sqlx.$what($($arg),*).await.expect(stringify!($what));
        let shown = format!("{fast:?}");
        assert_eq!(
            shown,
            format!("{slow:?}"),
            "{} reads differently through rusqlite and sqlx",
            stringify!($what)
        );
        shown
    }};
}

#[tokio::test]
async fn every_direct_read_answers_as_sqlx_does() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::open_sqlite(dir.path()).await.unwrap();
    person(&repo, "a").await;
    person(&repo, "b").await;
    join(&repo, "c1", "a", "b", "code", i64::MAX).await;
    year::seed_year(&repo, &id("a"), NOW).await.unwrap();
    // What the year leaves out: a board problem with a done mark, a done
    // action, a reflection, settings, a token and a session.
    let (va, vb) = (viewer(&repo, "a").await, viewer(&repo, "b").await);
    let problem = NewProblem {
        id: id("p1"),
        title: "Sunday mornings".into(),
        created_at: NOW - 1000,
    };
    assert!(repo.board_propose(&va, &problem).await.unwrap());
    let today = year::date(NOW);
    let done = PlanDoneEvent {
        id: "d1".into(),
        action_id: id("seed-act-0000"),
        occurrence: today.clone(),
        user_id: UserId::default(),
        done: true,
        at: NOW - 10,
    };
    assert!(repo.record_done(&va, &done).await.unwrap());
    repo.set_deck_choice(&id("a"), "spark", false, NOW)
        .await
        .unwrap();
    repo.set_calm_threshold(&id("a"), 7, NOW).await.unwrap();
    let couple: CoupleId = id("c1");
    let version = repo
        .set_ground_rules(&couple, &id("a"), "No phones at the table.", 20, NOW)
        .await
        .unwrap();
    assert!(
        repo.accept_ground_rules(&couple, &id("b"), version, NOW)
            .await
            .unwrap()
    );
    repo.create_token(&NewToken {
        id: id("tok1"),
        user_id: id("a"),
        name: "phone".into(),
        token_hash: "th".into(),
        created_at: NOW,
    })
    .await
    .unwrap();
    repo.create_session(&NewSession {
        id_hash: "sh".into(),
        user_id: id("a"),
        csrf_token: "csrf".into(),
        device: "Firefox".into(),
        created_at: NOW - 5,
        expires_at: NOW + 1_000_000,
    })
    .await
    .unwrap();

    let sqlx_only = Repo::open_sqlite_through_sqlx_only(dir.path())
        .await
        .unwrap();
    let (d, s) = (&repo, &sqlx_only);
    let a: UserId = id("a");
    for v in [&va, &vb] {
        let who = &v.user_id;
        let home = same!(d, s, home_summary(who));
        assert!(home.contains("Some(Space"), "{home}");
        same!(d, s, space_of(who));
        same!(d, s, user_by_id(who.as_str()));
        same!(d, s, open_talks_for(v, 5));
        let talks = same!(d, s, talks_for(v));
        assert!(talks.contains("Talk 29"), "a year's talks: {talks}");
        same!(d, s, talk_for(v, &id("seed-talk-0003")));
        same!(d, s, talk_events(&id("seed-talk-0003"), 0));
        same!(d, s, past_talks_for(who));
        same!(d, s, reflections_for(v, &id("seed-talk-0003")));
        let rules = same!(d, s, ground_rules(&couple));
        assert!(
            rules.contains("phones")
                && rules.contains("accepted_by: [UserId(\"a\"), UserId(\"b\")]"),
            "{rules}"
        );
        same!(d, s, calm_threshold(who));
        same!(d, s, calm_readings(who, &id("seed-talk-0003")));
        let board = same!(d, s, board_problems(v, false));
        assert!(board.contains("Sunday mornings"), "{board}");
        same!(d, s, board_problems(v, true));
        same!(d, s, board_problem(v, &problem.id));
        same!(d, s, board_options(v, &problem.id));
        same!(d, s, board_ratings(v, &problem.id, Some(1)));
        same!(d, s, board_done(v, &problem.id, 1));
        same!(d, s, board_outcomes(&couple));
        let actions = same!(d, s, actions_undone_on(v, &today));
        assert!(actions.contains("Repeating action"), "{actions}");
        same!(d, s, action_for(v, &id("seed-act-0000")));
        same!(d, s, actions_for(v));
        let all_marks = same!(d, s, done_events(v, None));
        assert!(all_marks.contains("d1"), "{all_marks}");
        same!(d, s, done_events(v, Some(&id("seed-act-0000"))));
        // The plan page's marks: the newest looked for in the last fortnight,
        // and again among all of them.
        let week = year::date(NOW - 7 * DAY);
        let shown = same!(d, s, done_events_shown(v, &week, 100, NOW - 14 * DAY));
        assert!(shown.contains("d1"), "{shown}");
        same!(d, s, done_events_shown(v, &week, 100, i64::MIN));
        let asked = same!(d, s, questions_for(v));
        assert!(asked.contains("seed-q-0000"), "{asked}");
        same!(d, s, question_for(v, &id("seed-q-0001")));
        let release = same!(d, s, release_state(&couple));
        assert!(release.contains("Some("), "{release}");
        let latest = same!(d, s, latest_question(&couple, who));
        assert!(latest.contains("seed-q-"), "{latest}");
        same!(d, s, asked_questions(&couple));
        same!(d, s, deck_choices(who));
        let answers = same!(d, s, visible_answers(v, None));
        assert!(answers.contains("after dinner"), "{answers}");
        same!(d, s, visible_answers(v, Some("seed-q-0002")));
        same!(d, s, reactions_for(v, &id("seed-q-0002")));
        same!(d, s, replies_for(v, &id("seed-q-0002")));
        same!(d, s, entries_for(v));
        let excerpts = same!(d, s, entry_excerpts_for(v, 20, 0));
        assert!(excerpts.contains("Entry 9"), "{excerpts}");
        same!(d, s, entry_for(v, &id("seed-entry-0001")));
        let facts = same!(d, s, journey_facts(&couple));
        assert!(facts.contains("true"), "{facts}");
        same!(d, s, checkin_schedule(&couple));
        let checkins = same!(d, s, checkins_for(v));
        assert!(checkins.contains("seed-chk-0011"), "{checkins}");
        same!(d, s, checkin_for(v, &id("seed-chk-0001")));
        let scores = same!(d, s, visible_submissions(v, None));
        assert!(scores.contains("seed-sub-b-0003"), "{scores}");
        same!(d, s, loved_for(v, &id("seed-chk-0001")));
        same!(d, s, waiting_for(who, NOW));
    }
    let tokens = same!(d, s, tokens(&a));
    assert!(tokens.contains("phone"), "{tokens}");
    let session = same!(d, s, session("sh", NOW));
    assert!(session.contains("csrf"), "{session}");
    same!(d, s, session("no such", NOW));
    // Every read above ran at least twice (once per partner) on the one idle
    // connection, with new values bound: none may have been parsed and planned
    // again (a bare bound `LIMIT $n` did that on every home and journal view).
    assert_eq!(
        repo.direct_reprepared(),
        Some(0),
        "a direct read was re-prepared"
    );
}
