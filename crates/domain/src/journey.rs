//! The seven steps as a journey. A step's state is derived only from facts about
//! what the couple actually did, never from streaks or time since last visit, so
//! a later tool adds facts here and nothing else changes.

use serde::Serialize;

/// What has happened in a space, counted from stored rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facts {
    /// Partners currently in the space (1 before the invitation is accepted).
    pub partners: usize,
    /// Distinct partners who have shared at least one journal entry in this space.
    pub partners_who_shared_journal: usize,
    /// For each question depth (light, deeper, deep): questions both partners answered.
    pub exchanged_per_depth: [usize; 3],
    /// Check-ins both current partners completed in this space.
    pub completed_checkins: usize,
    // Talk room
    /// Both current partners accepted the couple's current ground rules.
    pub ground_rules_agreed: bool,
    /// Talks in this space that count as held (see [`talk_counts_as_held`]):
    /// both partners pledged their attention and, held aloud, a turn was confirmed.
    pub pledged_talks: usize,
    /// Current partners who had a paraphrase confirmed by the other.
    pub partners_heard: usize,
    /// Current partners who made statements in a talk where the coach found no
    /// blame, criticism or contempt in any of them.
    pub partners_spoke_softly: usize,
    // Problem board (steps 5 and 6)
    /// Problems put forward in this space (any stage but taken back).
    pub board_problems: usize,
    /// Agreements both partners agreed to in this space.
    pub board_agreements: usize,
    /// Agreements whose follow-up both partners answered.
    pub board_followups_by_both: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Progress {
    /// The tool for this step is not in Rekindle yet.
    Upcoming,
    /// The step needs both partners and the space has only one.
    AwaitingPartner,
    NotStarted,
    Begun,
    Done,
}

impl Progress {
    pub fn as_str(self) -> &'static str {
        match self {
            Progress::Upcoming => "upcoming",
            Progress::AwaitingPartner => "awaiting_partner",
            Progress::NotStarted => "not_started",
            Progress::Begun => "begun",
            Progress::Done => "done",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Progress::Upcoming => "Coming to Rekindle soon",
            Progress::AwaitingPartner => "Opens when your partner joins",
            Progress::NotStarted => "Not started",
            Progress::Begun => "Under way",
            Progress::Done => "Done together",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepInfo {
    pub number: u8,
    pub slug: &'static str,
    pub title: &'static str,
    pub purpose: &'static str,
    pub exercise: &'static str,
    /// Where the tool lives in the app, once it exists.
    pub tool_path: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepState {
    pub number: u8,
    pub slug: &'static str,
    pub title: &'static str,
    pub purpose: &'static str,
    pub exercise: &'static str,
    pub tool_path: Option<&'static str>,
    pub progress: Progress,
    /// A plain sentence on where the couple stands, from their own actions.
    pub detail: String,
}

pub const STEPS: [StepInfo; 7] = [
    StepInfo {
        number: 1,
        slug: "safe-space",
        title: "Make room to talk",
        purpose: "Closeness grows in conversations where neither of you is braced for a fight. \
                  Set aside unhurried time, put everything else away, and agree how you will treat each other while you talk.",
        exercise: "Ask for a talk at a time that suits you both, agree on a few ground rules, \
                   and begin each talk by both promising your full attention.",
        tool_path: Some("/talks"),
    },
    StepInfo {
        number: 2,
        slug: "honest-and-open",
        title: "Let each other in",
        purpose: "Intimacy builds when one of you shares something real and the other receives it with care. \
                  Small disclosures come first; deeper ones follow as trust grows.",
        exercise: "Answer the day's question: each of you replies privately and the answers open once you both have. \
                   Keep a journal too, and share the entries you want your partner to read.",
        tool_path: Some("/questions"),
    },
    StepInfo {
        number: 3,
        slug: "listen",
        title: "Listen until they feel heard",
        purpose: "Being understood matters more than being agreed with. \
                  Listening well means reflecting back what you heard before you answer.",
        exercise: "In a talk, one of you speaks while the other sums up what they heard; \
                   the speaker says whether that was it before the turn passes.",
        tool_path: Some("/talks"),
    },
    StepInfo {
        number: 4,
        slug: "i-language",
        title: "Speak from your side",
        purpose: "\"I feel lonely in the evenings\" invites comfort; \"you never spend time with me\" invites defence. \
                  Saying what you feel and need keeps your partner beside you rather than across from you.",
        exercise: "Let the language coach read what you write before you send it. \
                   It points out blame and sweeping words and offers a way to say the same thing that can be heard.",
        tool_path: Some("/journal"),
    },
    StepInfo {
        number: 5,
        slug: "cooperate",
        title: "Solve it as a team",
        purpose: "A problem you face together is smaller than one you fight over. \
                  Understanding comes first, solutions second.",
        exercise: "Pick one small, specific problem, collect ideas without judging them, \
                   then each rate them and look for the options you can both live with.",
        tool_path: Some("/board"),
    },
    StepInfo {
        number: 6,
        slug: "act",
        title: "Turn it into a plan",
        purpose: "Agreements become real when someone does something by a certain day. \
                  A plan you revisit shows what works, and when outside help would serve you better.",
        exercise: "Write down who does what and when, try it for a while, and look back together on how it went.",
        tool_path: Some("/board"),
    },
    StepInfo {
        number: 7,
        slug: "check-in",
        title: "Keep checking in",
        purpose: "Small drifts are easier to notice and mend than big rifts. \
                  A regular, kind look at how you are both doing keeps you close.",
        exercise: "Meet at a regular rhythm to share appreciations, what went well, \
                   how you each rate the relationship, and one thing to talk about.",
        tool_path: Some("/checkins"),
    },
];

/// Derives every step's state from the facts.
pub fn journey(facts: &Facts) -> Vec<StepState> {
    STEPS
        .iter()
        .map(|info| {
            let (progress, detail) = assess(info.number, facts);
            StepState {
                number: info.number,
                slug: info.slug,
                title: info.title,
                purpose: info.purpose,
                exercise: info.exercise,
                tool_path: info.tool_path,
                progress,
                detail,
            }
        })
        .collect()
}

fn assess(step: u8, facts: &Facts) -> (Progress, String) {
    match step {
        2 => {
            if facts.partners < 2 {
                return (
                    Progress::AwaitingPartner,
                    "You can start writing in your journal now; questions and sharing open when your partner joins.".into(),
                );
            }
            let depths = facts.exchanged_per_depth.iter().filter(|n| **n > 0).count();
            let both_shared = facts.partners_who_shared_journal >= 2;
            if depths == 3 || both_shared {
                let how = if both_shared && depths < 3 {
                    "You have both shared journal entries with each other."
                } else {
                    "You have exchanged answers at every depth, from light to deep."
                };
                return (Progress::Done, how.into());
            }
            if depths > 0 || facts.partners_who_shared_journal > 0 {
                return (
                    Progress::Begun,
                    format!(
                        "You have exchanged answers at {depths} of 3 depths; {} of you shared a journal entry.",
                        facts.partners_who_shared_journal
                    ),
                );
            }
            (
                Progress::NotStarted,
                "No answers exchanged or entries shared yet.".into(),
            )
        }
        // Talk room
        1 | 3 | 4 => talk_step(step, facts),
        7 => {
            if facts.partners < 2 {
                return (
                    Progress::AwaitingPartner,
                    "Check-ins are for two: they open when your partner joins.".into(),
                );
            }
            // Done after the second completed check-in: one meeting is a start,
            // two mean the rhythm has taken hold.
            match facts.completed_checkins {
                0 => (Progress::NotStarted, "No check-in completed yet.".into()),
                1 => (
                    Progress::Begun,
                    "You have completed your first check-in together.".into(),
                ),
                n => (
                    Progress::Done,
                    format!("You have completed {n} check-ins together."),
                ),
            }
        }
        // Problem board
        5 | 6 => assess_board(step, facts),
        _ => (
            Progress::Upcoming,
            "This step's tool is not in Rekindle yet.".into(),
        ),
    }
}

/// Whether a talk counts as held for the journey (step 1). A typed talk counts
/// once both partners promised their attention: its words are in the log. A
/// talk held aloud keeps no words, and on one phone passed across the pledges
/// can be tapped in a moment, so it counts only once it really happened: the
/// speaker confirmed at least one "say back" ("that's it"). The storage query
/// behind [`Facts::pledged_talks`] follows this rule.
pub fn talk_counts_as_held(aloud: bool, began: bool, confirmed_turns: usize) -> bool {
    began && (!aloud || confirmed_turns > 0)
}

// Talk room
fn talk_step(step: u8, f: &Facts) -> (Progress, String) {
    if f.partners < 2 {
        let why = match step {
            4 => {
                "The coach already reads along in your journal; talks open when your partner joins."
            }
            _ => "Talks are for two: they open when your partner joins.",
        };
        return (Progress::AwaitingPartner, why.into());
    }
    match step {
        1 => match (f.ground_rules_agreed, f.pledged_talks) {
            (true, n) if n > 0 => (
                Progress::Done,
                format!("You agreed on your ground rules and have held {n} talk{} with your full attention.", plural(n)),
            ),
            (true, _) => (Progress::Begun, "You agreed on your ground rules; your first talk is next.".into()),
            (false, n) if n > 0 => (Progress::Begun, "You have talked; agree on your ground rules together again.".into()),
            _ => (Progress::NotStarted, "No ground rules agreed or talk held yet.".into()),
        },
        3 => match f.partners_heard {
            0 if f.pledged_talks == 0 => (Progress::NotStarted, "No talk held yet.".into()),
            0 => (Progress::Begun, "You have talked; no paraphrase has been confirmed yet.".into()),
            1 => (Progress::Begun, "One of you has been heard back in your own words; the other's turn comes.".into()),
            _ => (Progress::Done, "Each of you has had a paraphrase confirmed: you have both listened until the other felt heard.".into()),
        },
        _ => match f.partners_spoke_softly {
            0 => (
                Progress::Begun,
                "The coach is ready in your journal and your talks: speak without blame, criticism or contempt in a whole talk.".into(),
            ),
            1 => (Progress::Begun, "One of you has spoken a whole talk without blame, criticism or contempt.".into()),
            _ => (Progress::Done, "You have each spoken a whole talk without blame, criticism or contempt.".into()),
        },
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

// Problem board: step 5 is done once the couple reached an agreement together,
// step 6 once the first follow-up of an agreement was answered by both.
fn assess_board(step: u8, facts: &Facts) -> (Progress, String) {
    if facts.partners < 2 {
        return (
            Progress::AwaitingPartner,
            "The problem board is for two: it opens when your partner joins.".into(),
        );
    }
    if step == 5 {
        return match (facts.board_agreements, facts.board_problems) {
            (0, 0) => (Progress::NotStarted, "No problem on the board yet.".into()),
            (0, _) => (
                Progress::Begun,
                "You are working on a problem together; no agreement yet.".into(),
            ),
            (1, _) => (
                Progress::Done,
                "You have reached an agreement together.".into(),
            ),
            (n, _) => (
                Progress::Done,
                format!("You have reached {n} agreements together."),
            ),
        };
    }
    match (facts.board_followups_by_both, facts.board_agreements) {
        (0, 0) => (
            Progress::NotStarted,
            "This starts with your first agreement on the problem board.".into(),
        ),
        (0, _) => (
            Progress::Begun,
            "You are trying an agreement; you look back on it together at its follow-up.".into(),
        ),
        _ => (
            Progress::Done,
            "You have looked back together on how an agreement went.".into(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(states: &[StepState], n: u8) -> &StepState {
        &states[usize::from(n) - 1]
    }

    #[test]
    fn there_are_seven_steps_in_order() {
        let s = journey(&Facts::default());
        assert_eq!(s.len(), 7);
        assert!(
            s.iter()
                .enumerate()
                .all(|(i, st)| usize::from(st.number) == i + 1)
        );
    }

    #[test]
    fn every_step_has_its_tool() {
        let s = journey(&Facts {
            partners: 2,
            partners_who_shared_journal: 2,
            ..Facts::default()
        });
        for n in 1..=7u8 {
            assert_ne!(step(&s, n).progress, Progress::Upcoming, "step {n}");
            assert!(step(&s, n).tool_path.is_some(), "step {n}");
        }
    }

    #[test]
    fn step_two_is_done_after_answers_at_every_depth_or_sharing_both_ways() {
        let f = |partners, shared, exchanged| Facts {
            partners,
            partners_who_shared_journal: shared,
            exchanged_per_depth: exchanged,
            ..Facts::default()
        };
        assert_eq!(
            step(&journey(&f(1, 1, [0, 0, 0])), 2).progress,
            Progress::AwaitingPartner
        );
        assert_eq!(
            step(&journey(&f(2, 0, [0, 0, 0])), 2).progress,
            Progress::NotStarted
        );
        assert_eq!(
            step(&journey(&f(2, 1, [0, 0, 0])), 2).progress,
            Progress::Begun
        );
        assert_eq!(
            step(&journey(&f(2, 0, [4, 1, 0])), 2).progress,
            Progress::Begun
        );
        assert_eq!(
            step(&journey(&f(2, 0, [4, 1, 1])), 2).progress,
            Progress::Done
        );
        assert_eq!(
            step(&journey(&f(2, 2, [0, 0, 0])), 2).progress,
            Progress::Done
        );
    }

    #[test]
    fn step_five_is_done_with_an_agreement_and_step_six_with_a_follow_up_answered_by_both() {
        let f = |partners, board_problems, board_agreements, board_followups_by_both| Facts {
            partners,
            board_problems,
            board_agreements,
            board_followups_by_both,
            ..Facts::default()
        };
        let p = |facts: Facts, n| step(&journey(&facts), n).progress;
        assert_eq!(p(f(1, 0, 0, 0), 5), Progress::AwaitingPartner);
        assert_eq!(p(f(1, 0, 0, 0), 6), Progress::AwaitingPartner);
        assert_eq!(p(f(2, 0, 0, 0), 5), Progress::NotStarted);
        assert_eq!(p(f(2, 1, 0, 0), 5), Progress::Begun);
        assert_eq!(p(f(2, 1, 1, 0), 5), Progress::Done);
        assert_eq!(p(f(2, 1, 0, 0), 6), Progress::NotStarted);
        assert_eq!(p(f(2, 1, 1, 0), 6), Progress::Begun);
        assert_eq!(p(f(2, 1, 1, 1), 6), Progress::Done);
        assert_eq!(step(&journey(&f(2, 0, 0, 0)), 5).tool_path, Some("/board"));
    }

    #[test]
    fn step_seven_is_done_after_the_second_completed_check_in() {
        let f = |partners, completed_checkins| Facts {
            partners,
            completed_checkins,
            ..Facts::default()
        };
        assert_eq!(
            step(&journey(&f(1, 0)), 7).progress,
            Progress::AwaitingPartner
        );
        assert_eq!(step(&journey(&f(2, 0)), 7).progress, Progress::NotStarted);
        assert_eq!(step(&journey(&f(2, 1)), 7).progress, Progress::Begun);
        assert_eq!(step(&journey(&f(2, 2)), 7).progress, Progress::Done);
        assert_eq!(step(&journey(&f(2, 5)), 7).progress, Progress::Done);
        assert_eq!(step(&journey(&f(2, 0)), 7).tool_path, Some("/checkins"));
    }

    // Talk room
    #[test]
    fn a_talk_aloud_counts_as_held_only_once_a_turn_was_confirmed() {
        // Typed: the pledge of both is enough (the words are in the log).
        assert!(talk_counts_as_held(false, true, 0));
        assert!(!talk_counts_as_held(false, false, 0));
        // Aloud: pledged and even spoken, but nothing confirmed, is not a talk held.
        assert!(!talk_counts_as_held(true, true, 0));
        assert!(talk_counts_as_held(true, true, 1));
        assert!(!talk_counts_as_held(true, false, 1));
        // A talk that counts makes step 1 done; one that does not leaves it begun.
        let rules = Facts {
            partners: 2,
            ground_rules_agreed: true,
            ..Facts::default()
        };
        for (aloud, confirmed, progress) in [
            (true, 0, Progress::Begun),
            (true, 1, Progress::Done),
            (false, 0, Progress::Done),
        ] {
            let f = Facts {
                pledged_talks: usize::from(talk_counts_as_held(aloud, true, confirmed)),
                ..rules.clone()
            };
            assert_eq!(
                step(&journey(&f), 1).progress,
                progress,
                "{aloud} {confirmed}"
            );
        }
    }

    #[test]
    fn talk_steps_follow_ground_rules_pledges_confirmations_and_soft_speech() {
        let base = Facts {
            partners: 2,
            ..Facts::default()
        };
        assert_eq!(
            step(
                &journey(&Facts {
                    partners: 1,
                    ..base.clone()
                }),
                1
            )
            .progress,
            Progress::AwaitingPartner
        );
        for n in [1, 3] {
            assert_eq!(step(&journey(&base), n).progress, Progress::NotStarted);
            assert_eq!(step(&journey(&base), n).tool_path, Some("/talks"));
        }
        assert_eq!(step(&journey(&base), 4).progress, Progress::Begun);
        let rules = Facts {
            ground_rules_agreed: true,
            ..base.clone()
        };
        assert_eq!(step(&journey(&rules), 1).progress, Progress::Begun);
        let held = Facts {
            pledged_talks: 1,
            ..rules.clone()
        };
        assert_eq!(step(&journey(&held), 1).progress, Progress::Done);
        assert_eq!(
            step(
                &journey(&Facts {
                    pledged_talks: 1,
                    ..base.clone()
                }),
                1
            )
            .progress,
            Progress::Begun
        );
        assert_eq!(
            step(
                &journey(&Facts {
                    partners_heard: 1,
                    ..held.clone()
                }),
                3
            )
            .progress,
            Progress::Begun
        );
        assert_eq!(
            step(
                &journey(&Facts {
                    partners_heard: 2,
                    ..held.clone()
                }),
                3
            )
            .progress,
            Progress::Done
        );
        assert_eq!(
            step(
                &journey(&Facts {
                    partners_spoke_softly: 1,
                    ..held.clone()
                }),
                4
            )
            .progress,
            Progress::Begun
        );
        assert_eq!(
            step(
                &journey(&Facts {
                    partners_spoke_softly: 2,
                    ..held
                }),
                4
            )
            .progress,
            Progress::Done
        );
    }
}
