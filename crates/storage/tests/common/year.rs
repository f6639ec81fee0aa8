//! A year of content for a couple: every question of the decks asked and
//! answered by both (one a day, at most 365), 50 repeating actions (about
//! seven in ten of their days ticked off: some 4,000 done marks), 30 talks
//! (each with both partners' reflections, shared),
//! 12 completed check-ins and 100 journal entries, all dated over the year
//! before `now`. Used by the server benchmark's `seed_year` example and by the
//! tests that read such a year (`tests/direct.rs`).

use rekindle_domain::checkin::Scores;
use rekindle_storage::{
    AskedQuestion, NewAnswer, NewCheckin, NewEntry, NewSubmission, NewTalk, NewTalkEvent,
    PlanAction, PlanDoneEvent, Reflection, Repo, UserId, Viewer,
};

pub const DAY: i64 = 86_400_000;

/// A record's id: `tag` keeps the ids of several seeded couples apart.
fn id(tag: &str, kind: &str, i: usize) -> String {
    format!("seed-{tag}{kind}-{i:04}")
}

pub fn date(ms: i64) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = ms.div_euclid(DAY) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Seeds the year for `me`'s couple (they must have a partner); returns how
/// many questions were asked.
pub async fn seed_year(
    repo: &Repo,
    me: &UserId,
    now: i64,
) -> Result<usize, Box<dyn std::error::Error>> {
    seed_year_tagged(repo, me, now, "").await
}

/// `seed_year` for one of several couples in the same database: `tag` starts
/// every id the year writes, so no two couples' ids meet.
pub async fn seed_year_tagged(
    repo: &Repo,
    me: &UserId,
    now: i64,
    tag: &str,
) -> Result<usize, Box<dyn std::error::Error>> {
    let me = me.clone();
    let space = repo.space_of(&me).await?.ok_or("not in a space")?;
    let partner = space.partner.clone().ok_or("no partner yet")?.id;
    let mine = Viewer::new(&me, Some(&space));
    let theirs = Viewer {
        user_id: partner.clone(),
        couple_id: Some(space.couple_id.clone()),
        partner_id: Some(me.clone()),
    };
    let start = now - 365 * DAY;

    let questions: Vec<_> = rekindle_domain::questions::decks()
        .iter()
        .flat_map(|d| d.questions.iter())
        .take(365)
        .collect();
    for (i, q) in questions.iter().enumerate() {
        let at = start + i as i64 * DAY;
        let asked = AskedQuestion {
            id: id(tag, "q", i).into(),
            question_id: q.id.clone(),
            released_at: at,
            couple_id: Some(space.couple_id.clone()),
        };
        repo.release_question(&space.couple_id, &asked, i64::MAX)
            .await?;
        for (who, v) in [("a", &mine), ("b", &theirs)] {
            repo.answer(
                v,
                &NewAnswer {
                    id: format!("seed-{tag}ans-{who}-{i:04}").into(),
                    couple_question_id: asked.id.clone(),
                    body: format!("An answer of a few sentences, number {i}. We talked about it after dinner and laughed."),
                    skipped: false,
                    created_at: at + 3_600_000,
                },
            )
            .await?;
        }
    }

    for i in 0..50 {
        let freq = [
            "FREQ=DAILY",
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "FREQ=MONTHLY;BYMONTHDAY=3",
        ][i % 3];
        repo.create_action(&PlanAction {
            id: id(tag, "act", i).into(),
            couple_id: Some(space.couple_id.clone()),
            created_by: me.clone(),
            owner_id: Some(if i % 2 == 0 {
                me.clone()
            } else {
                partner.clone()
            }),
            agreement_id: None,
            title: format!("Repeating action {i}"),
            notes: String::new(),
            due_date: date(start + i as i64 * 5 * DAY),
            rrule: Some(freq.to_owned()),
            assignment: rekindle_domain::plan::Assignment::Accepted,
            answered_at: Some(start),
            created_at: start,
        })
        .await?;
        // Ticked off by its owner on about seven of every ten days it fell on,
        // up to yesterday, as a couple who keeps to their plan would.
        let owner = if i % 2 == 0 { &mine } else { &theirs };
        let first = start + i as i64 * 5 * DAY;
        for (n, day) in (first / DAY..now / DAY).enumerate() {
            let on = match i % 3 {
                0 => true,
                // 1970-01-01 was a Thursday: Monday is 4, Thursday 0.
                1 => matches!(day.rem_euclid(7), 0 | 4),
                _ => date(day * DAY).ends_with("-03"),
            };
            if !on || (n + i) % 10 >= 7 {
                continue;
            }
            repo.record_done(
                owner,
                &PlanDoneEvent {
                    id: format!("seed-{tag}done-{i:02}-{n:03}"),
                    action_id: id(tag, "act", i).into(),
                    occurrence: date(day * DAY),
                    user_id: owner.user_id.clone(),
                    done: true,
                    at: day * DAY + 20 * 3_600_000,
                },
            )
            .await?;
        }
    }

    for i in 0..30 {
        let at = start + i as i64 * 12 * DAY;
        let first = rekindle_domain::talk::Event::Requested {
            topic: format!("Talk {i}"),
            times: vec![at + DAY],
            length_min: None,
            with: partner.to_string(),
            mode: rekindle_domain::talk::Mode::default(),
            turn_min: None,
        };
        repo.create_talk(
            &NewTalk {
                id: id(tag, "talk", i).into(),
                couple_id: space.couple_id.clone(),
                requested_by: me.clone(),
                partner_id: partner.clone(),
                topic: format!("Talk {i}"),
                created_at: at,
            },
            &NewTalkEvent {
                at,
                by_user: me.clone(),
                kind: "requested".into(),
                body: serde_json::to_string(&first)?,
                mark: None,
            },
        )
        .await?;
        // Each wrote afterwards what they understood, and shared it.
        for v in [&mine, &theirs] {
            repo.save_reflection(
                v,
                &Reflection {
                    talk_id: id(tag, "talk", i).into(),
                    user_id: v.user_id.clone(),
                    understood: "That the evenings feel rushed.".into(),
                    feel_now: "Lighter.".into(),
                    shared: true,
                    created_at: at + 2 * DAY,
                    updated_at: at + 2 * DAY,
                },
            )
            .await?;
        }
    }

    for i in 0..12 {
        let at = start + i as i64 * 30 * DAY;
        let checkin = NewCheckin {
            id: id(tag, "chk", i).into(),
            opened_at: at,
            closes_at: at + 7 * DAY,
        };
        repo.open_checkin(&space.couple_id, &checkin, i64::MAX)
            .await?;
        for (who, v) in [("a", &mine), ("b", &theirs)] {
            repo.submit_checkin(
                v,
                &NewSubmission {
                    id: format!("seed-{tag}sub-{who}-{i:04}"),
                    checkin_id: checkin.id.clone(),
                    scores: Scores {
                        csi: [4, 4, 5, 4],
                        tech: [2, 2, 3, 2],
                        hours_together: 20,
                        hours_device_free: 10,
                    },
                    appreciation: "Thank you for the walk.".into(),
                    went_well: "Sunday".into(),
                    topic: String::new(),
                    scores_private: false,
                    created_at: at + DAY,
                },
            )
            .await?;
        }
    }

    for i in 0..100 {
        let at = start + i as i64 * 3 * DAY;
        repo.create_entry(&NewEntry {
            id: id(tag, "entry", i).into(),
            owner_id: if i % 2 == 0 {
                me.clone()
            } else {
                partner.clone()
            },
            title: format!("Entry {i}"),
            body: "A few lines about the day. ".repeat(8),
            created_at: at,
        })
        .await?;
    }
    Ok(questions.len())
}
