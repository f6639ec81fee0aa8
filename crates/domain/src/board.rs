//! Step 5 and 6's problem board, after PREP's problem solving: name one small
//! problem (agenda), collect ideas without judging (brainstorm, sealed until
//! both are done so neither anchors the other), rate every idea privately
//! (revealed when both rated), agree on one for a trial period, then follow up
//! (private answers, revealed together) and keep, adjust or drop it.
//!
//! Lifecycle of a problem:
//!
//! ```text
//! proposed ──accept──▶ brainstorm ──both done──▶ rating ──agreement confirmed──▶ agreed
//!    │  ▲                  ▲                       ▲                               │
//!    │  └──accept──┐       │                       │        follow-up answered by both
//!    └─talk first─▶ talk_first                     │                               ▼
//!    (withdraw from proposed / talk_first)         ├──────── adjust (re-rate) ◀── decide
//!                          └──────────────────────────────── adjust (more ideas) ◀─┤
//!                                                   kept ◀── keep ─────────────────┤
//!                                                   dropped ◀── drop ──────────────┘
//! ```
//!
//! Only one problem per couple is active (proposed … agreed) at a time.

use serde::Serialize;

use crate::visibility::{Reveal, reveal};

pub const TITLE_MAX_CHARS: usize = 160;
pub const OPTION_MAX_CHARS: usize = 1_000;
pub const AGREEMENT_MAX_CHARS: usize = 2_000;
pub const NOTE_MAX_CHARS: usize = 2_000;
/// Ratings run from 0 (cannot accept) to 10 (fully acceptable).
pub const RATING_MAX: u8 = 10;
/// A rating at or below this means "I can't accept this option": it is marked
/// and ranked last, whatever the other rating is.
pub const UNACCEPTABLE_MAX: u8 = 2;
pub const TRIAL_DAYS_MIN: u32 = 1;
pub const TRIAL_DAYS_MAX: u32 = 90;
pub const DAY_MS: i64 = 24 * 3600 * 1000;

/// How the ranked board orders options, in words the UI shows as is.
pub const RANKING_EXPLAINED: &str = "Options are ranked by how acceptable they are to both of you: \
     first by the lower of your two ratings (so an idea one of you barely tolerates does not rise \
     on the other's enthusiasm), then by the sum of both ratings. Ideas with equal ratings keep the \
     order they were written in. An option either of you rated 0–2 counts as one you can't accept: \
     it is marked and placed last.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// One partner named the problem; the other has not answered yet.
    Proposed,
    /// The other partner would like to talk about it before working on it.
    TalkFirst,
    /// On the agenda: both add ideas privately.
    Brainstorm,
    /// Both rate every idea privately; then the ranked board, compromises, agreement.
    Rating,
    /// An agreement is being tried; its follow-up comes on a set date.
    Agreed,
    /// Closed: the agreement worked and the couple keeps it.
    Kept,
    /// Closed: the couple let the agreement go.
    Dropped,
    /// Closed: the proposer took the problem back before work started.
    Withdrawn,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Proposed,
        Stage::TalkFirst,
        Stage::Brainstorm,
        Stage::Rating,
        Stage::Agreed,
        Stage::Kept,
        Stage::Dropped,
        Stage::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Proposed => "proposed",
            Stage::TalkFirst => "talk_first",
            Stage::Brainstorm => "brainstorm",
            Stage::Rating => "rating",
            Stage::Agreed => "agreed",
            Stage::Kept => "kept",
            Stage::Dropped => "dropped",
            Stage::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Still being worked on: blocks proposing another problem.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Stage::Proposed | Stage::TalkFirst | Stage::Brainstorm | Stage::Rating | Stage::Agreed
        )
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Proposed => "Proposed",
            Stage::TalkFirst => "Talk about it first",
            Stage::Brainstorm => "Collecting ideas",
            Stage::Rating => "Rating the ideas",
            Stage::Agreed => "Trying an agreement",
            Stage::Kept => "Agreement kept",
            Stage::Dropped => "Set down",
            Stage::Withdrawn => "Taken back",
        }
    }
}

crate::stored::try_from_stored!(Stage, "board stage");

/// How a follow-up answer says the agreement went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Worked {
    Yes,
    Partly,
    No,
}

impl Worked {
    pub const ALL: [Worked; 3] = [Worked::Yes, Worked::Partly, Worked::No];

    pub fn as_str(self) -> &'static str {
        match self {
            Worked::Yes => "yes",
            Worked::Partly => "partly",
            Worked::No => "no",
        }
    }

    pub fn parse(s: &str) -> Option<Worked> {
        Worked::ALL.into_iter().find(|w| w.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Worked::Yes => "It worked for me",
            Worked::Partly => "It partly worked",
            Worked::No => "It did not work for me",
        }
    }
}

crate::stored::try_from_stored!(Worked, "follow-up answer");

/// What the couple decides after the follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Keep,
    /// Back to rating: same ideas, fresh ratings (and compromises).
    AdjustRating,
    /// Back to brainstorm: more ideas first, then rate again.
    AdjustBrainstorm,
    Drop,
}

impl Outcome {
    pub const ALL: [Outcome; 4] = [
        Outcome::Keep,
        Outcome::AdjustRating,
        Outcome::AdjustBrainstorm,
        Outcome::Drop,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Keep => "keep",
            Outcome::AdjustRating => "adjust_rating",
            Outcome::AdjustBrainstorm => "adjust_brainstorm",
            Outcome::Drop => "drop",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.as_str() == s.trim())
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Keep => "Keep it: it works for us",
            Outcome::AdjustRating => "Adjust it: rate the ideas again",
            Outcome::AdjustBrainstorm => "Adjust it: collect more ideas first",
            Outcome::Drop => "Let it go",
        }
    }

    /// The status the agreement ends in.
    pub fn agreement_status(self) -> AgreementStatus {
        match self {
            Outcome::Keep => AgreementStatus::Kept,
            Outcome::AdjustRating | Outcome::AdjustBrainstorm => AgreementStatus::Adjusted,
            Outcome::Drop => AgreementStatus::Dropped,
        }
    }

    /// The problem's next stage, and whether a new round of ideas/ratings starts.
    pub fn next(self) -> (Stage, bool) {
        match self {
            Outcome::Keep => (Stage::Kept, false),
            Outcome::AdjustRating => (Stage::Rating, true),
            Outcome::AdjustBrainstorm => (Stage::Brainstorm, true),
            Outcome::Drop => (Stage::Dropped, false),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Written by one partner, waiting for the other to agree.
    Draft,
    /// Agreed by both; on trial until the follow-up.
    Active,
    Kept,
    Adjusted,
    Dropped,
}

impl AgreementStatus {
    pub const ALL: [AgreementStatus; 5] = [
        AgreementStatus::Draft,
        AgreementStatus::Active,
        AgreementStatus::Kept,
        AgreementStatus::Adjusted,
        AgreementStatus::Dropped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Draft => "draft",
            AgreementStatus::Active => "active",
            AgreementStatus::Kept => "kept",
            AgreementStatus::Adjusted => "adjusted",
            AgreementStatus::Dropped => "dropped",
        }
    }

    pub fn parse(s: &str) -> Option<AgreementStatus> {
        AgreementStatus::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

crate::stored::try_from_stored!(AgreementStatus, "agreement status");

// ---- moves and their rules -------------------------------------------------

/// Something a partner asks to do on a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Accept,
    TalkFirst,
    Withdraw,
    AddOption,
    FinishBrainstorm,
    Rate,
    Compromise,
    ProposeAgreement,
    ConfirmAgreement,
    DeclineAgreement,
    AnswerFollowUp,
    Decide,
}

impl Move {
    /// The stage a move leads to when all it does is change the problem's stage
    /// (the other moves change ideas, ratings or agreements, and the stage moves
    /// with them in the store's transaction): accepting opens the ideas, "talk
    /// first" parks the problem until the couple talked, withdrawing ends it.
    pub fn stage_after(self) -> Option<Stage> {
        match self {
            Move::Accept => Some(Stage::Brainstorm),
            Move::TalkFirst => Some(Stage::TalkFirst),
            Move::Withdraw => Some(Stage::Withdrawn),
            _ => None,
        }
    }
}

/// Where a problem stands, from the point of view of the partner making a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    pub stage: Stage,
    pub i_proposed: bool,
    /// I said I am done adding ideas in this round.
    pub i_finished_brainstorm: bool,
    /// Ideas I added in this round.
    pub my_options_this_round: usize,
    /// Options I have not rated yet in this round.
    pub unrated_by_me: usize,
    /// Options both of us rated in this round (their ratings are open).
    pub rated_by_both: usize,
    /// A written agreement waiting for a yes: `Some(true)` when I wrote it.
    pub draft_by_me: Option<bool>,
    /// The follow-up date of the agreement on trial has come.
    pub follow_up_due: bool,
    pub i_answered_follow_up: bool,
    pub both_answered_follow_up: bool,
}

impl Situation {
    pub fn new(stage: Stage) -> Self {
        Situation {
            stage,
            i_proposed: false,
            i_finished_brainstorm: false,
            my_options_this_round: 0,
            unrated_by_me: 0,
            rated_by_both: 0,
            draft_by_me: None,
            follow_up_due: false,
            i_answered_follow_up: false,
            both_answered_follow_up: false,
        }
    }
}

/// Why a move is refused, each with a plain sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The move does not fit the problem's stage (the stage it is in).
    WrongStage(Stage),
    /// The proposer cannot answer their own proposal.
    OwnProposal,
    /// Only the proposer can take a problem back.
    NotProposer,
    AlreadyFinished,
    NoIdeaYet,
    NothingToRate,
    NotEnoughRated,
    DraftPending,
    NoDraft,
    OwnDraft,
    FollowUpNotDue,
    AlreadyAnswered,
    AwaitingAnswers,
}

impl Refusal {
    pub fn message(self) -> String {
        match self {
            Refusal::WrongStage(s) => format!(
                "That step does not fit where this problem is now ({}).",
                s.label().to_lowercase()
            ),
            Refusal::OwnProposal => {
                "You proposed this problem; your partner decides whether to take it on now or talk first.".into()
            }
            Refusal::NotProposer => "Only the partner who proposed a problem can take it back.".into(),
            Refusal::AlreadyFinished => {
                "You already said you are done adding ideas this round; they open when your partner is done too.".into()
            }
            Refusal::NoIdeaYet => "Add at least one idea first; a half-formed one is welcome.".into(),
            Refusal::NothingToRate => "You have already rated every idea this round.".into(),
            Refusal::NotEnoughRated => {
                "Choose among ideas you have both rated. Combining needs at least two of them.".into()
            }
            Refusal::DraftPending => {
                "An agreement is already written and waiting for a yes; answer or withdraw it first.".into()
            }
            Refusal::NoDraft => "There is no written agreement waiting for an answer.".into(),
            Refusal::OwnDraft => "You wrote this agreement; your partner is the one to agree to it.".into(),
            Refusal::FollowUpNotDue => {
                "The follow-up opens on its date; give the agreement its trial time first.".into()
            }
            Refusal::AlreadyAnswered => "You have already answered this follow-up.".into(),
            Refusal::AwaitingAnswers => {
                "Decide together once you have both answered the follow-up.".into()
            }
        }
    }
}

/// Decides whether a move is allowed now. Storage re-checks the stage
/// atomically; this gives the reason.
pub fn check(m: Move, s: &Situation) -> Result<(), Refusal> {
    let need = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(Refusal::WrongStage(s.stage))
        }
    };
    match m {
        Move::Accept | Move::TalkFirst => {
            need(
                matches!(s.stage, Stage::Proposed)
                    || (m == Move::Accept && s.stage == Stage::TalkFirst),
            )?;
            if s.i_proposed {
                return Err(Refusal::OwnProposal);
            }
            Ok(())
        }
        Move::Withdraw => {
            need(matches!(s.stage, Stage::Proposed | Stage::TalkFirst))?;
            if !s.i_proposed {
                return Err(Refusal::NotProposer);
            }
            Ok(())
        }
        Move::AddOption => {
            need(s.stage == Stage::Brainstorm)?;
            if s.i_finished_brainstorm {
                return Err(Refusal::AlreadyFinished);
            }
            Ok(())
        }
        Move::FinishBrainstorm => {
            need(s.stage == Stage::Brainstorm)?;
            if s.i_finished_brainstorm {
                return Err(Refusal::AlreadyFinished);
            }
            if s.my_options_this_round == 0 {
                return Err(Refusal::NoIdeaYet);
            }
            Ok(())
        }
        Move::Rate => {
            need(s.stage == Stage::Rating)?;
            if s.unrated_by_me == 0 {
                return Err(Refusal::NothingToRate);
            }
            Ok(())
        }
        Move::Compromise => {
            need(s.stage == Stage::Rating)?;
            if s.rated_by_both < 2 {
                return Err(Refusal::NotEnoughRated);
            }
            Ok(())
        }
        Move::ProposeAgreement => {
            need(s.stage == Stage::Rating)?;
            if s.draft_by_me.is_some() {
                return Err(Refusal::DraftPending);
            }
            if s.rated_by_both == 0 {
                return Err(Refusal::NotEnoughRated);
            }
            Ok(())
        }
        Move::ConfirmAgreement => {
            need(s.stage == Stage::Rating)?;
            match s.draft_by_me {
                None => Err(Refusal::NoDraft),
                Some(true) => Err(Refusal::OwnDraft),
                Some(false) => Ok(()),
            }
        }
        Move::DeclineAgreement => {
            need(s.stage == Stage::Rating)?;
            match s.draft_by_me {
                None => Err(Refusal::NoDraft),
                Some(_) => Ok(()),
            }
        }
        Move::AnswerFollowUp => {
            need(s.stage == Stage::Agreed)?;
            if !s.follow_up_due {
                return Err(Refusal::FollowUpNotDue);
            }
            if s.i_answered_follow_up {
                return Err(Refusal::AlreadyAnswered);
            }
            Ok(())
        }
        Move::Decide => {
            need(s.stage == Stage::Agreed)?;
            if !s.both_answered_follow_up {
                return Err(Refusal::AwaitingAnswers);
            }
            Ok(())
        }
    }
}

// ---- sealing -----------------------------------------------------------------

/// What one partner may see of the other's brainstorm ideas: only once both said
/// they are done (the same rule as sealed answers).
pub fn ideas_view(i_finished: bool, partner_finished: bool) -> Reveal {
    reveal(i_finished, partner_finished)
}

/// What one partner may see of the other's ratings of an option: only once both
/// rated it (ratings are sent as a whole set, so this is "both done").
pub fn ratings_view(i_rated: bool, partner_rated: bool) -> Reveal {
    reveal(i_rated, partner_rated)
}

// ---- ratings and ranking -----------------------------------------------------

pub fn unacceptable(rating: u8) -> bool {
    rating <= UNACCEPTABLE_MAX
}

pub fn check_rating(v: i64) -> Result<u8, &'static str> {
    u8::try_from(v)
        .ok()
        .filter(|v| *v <= RATING_MAX)
        .ok_or("Rate each idea from 0 (I can't accept this) to 10 (fully acceptable).")
}

/// An option with both partners' ratings, as opened to both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rated<K> {
    pub key: K,
    pub mine: u8,
    pub partner: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ranked<K> {
    pub key: K,
    pub mine: u8,
    pub partner: u8,
    pub lower: u8,
    pub sum: u8,
    /// Either partner rated it as one they can't accept.
    pub unacceptable: bool,
    /// 1-based place on the board.
    pub place: usize,
}

/// Ranks options by acceptability to both (see [`RANKING_EXPLAINED`]). The input
/// order is the order the ideas were written in; ties keep it.
pub fn rank<K: Clone>(options: &[Rated<K>]) -> Vec<Ranked<K>> {
    let mut out: Vec<Ranked<K>> = options
        .iter()
        .map(|o| Ranked {
            key: o.key.clone(),
            mine: o.mine,
            partner: o.partner,
            lower: o.mine.min(o.partner),
            sum: o.mine.saturating_add(o.partner),
            unacceptable: unacceptable(o.mine) || unacceptable(o.partner),
            place: 0,
        })
        .collect();
    // A stable sort: equal keys keep their written order.
    out.sort_by(|a, b| {
        a.unacceptable
            .cmp(&b.unacceptable)
            .then(b.lower.cmp(&a.lower))
            .then(b.sum.cmp(&a.sum))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.place = i + 1;
    }
    out
}

// ---- text checks ---------------------------------------------------------------

fn check_text(
    raw: &str,
    max: usize,
    empty: &'static str,
    long: &'static str,
) -> Result<String, &'static str> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(empty);
    }
    if t.chars().count() > max {
        return Err(long);
    }
    Ok(t.to_owned())
}

/// A problem is named small and specific: one line.
pub fn check_title(raw: &str) -> Result<String, &'static str> {
    let t = check_text(
        raw,
        TITLE_MAX_CHARS,
        "Name the problem in a few words, for example \"Evenings when we both want the car\".",
        "Keep it small: name the problem in under 160 characters. One piece at a time.",
    )?;
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn check_option(raw: &str) -> Result<String, &'static str> {
    check_text(
        raw,
        OPTION_MAX_CHARS,
        "Write the idea down; any idea is welcome at this stage.",
        "Keep an idea under 1,000 characters.",
    )
}

pub fn check_agreement(raw: &str) -> Result<String, &'static str> {
    check_text(
        raw,
        AGREEMENT_MAX_CHARS,
        "Write what you agree to do, in a sentence or two.",
        "Keep the agreement under 2,000 characters.",
    )
}

pub fn check_note(raw: &str) -> Result<String, &'static str> {
    let t = raw.trim();
    if t.chars().count() > NOTE_MAX_CHARS {
        return Err("Keep the note under 2,000 characters.");
    }
    Ok(t.to_owned())
}

pub fn check_trial_days(v: i64) -> Result<u32, &'static str> {
    u32::try_from(v)
        .ok()
        .filter(|d| (TRIAL_DAYS_MIN..=TRIAL_DAYS_MAX).contains(d))
        .ok_or("Choose a trial of 1 to 90 days.")
}

/// The follow-up comes when the trial period ends.
pub fn follow_up_at(agreed_at_ms: i64, trial_days: u32) -> i64 {
    agreed_at_ms.saturating_add(i64::from(trial_days) * DAY_MS)
}

pub fn follow_up_due(now_ms: i64, follow_up_at_ms: i64) -> bool {
    now_ms >= follow_up_at_ms
}

// ---- naming the problem ----------------------------------------------------------

/// PREP names a problem as a shared situation, not as the partner: "your
/// nagging" makes the partner the problem. Returns the character span of the
/// first word that points at the partner (you, your, you're, yourself …).
pub fn names_the_partner(title: &str) -> Option<(usize, usize)> {
    const WORDS: [&str; 7] = ["you", "your", "yours", "yourself", "you're", "youre", "u"];
    let chars: Vec<char> = title.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_alphanumeric() || chars[i] == '\'' || chars[i] == '’' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || chars[i] == '\'' || chars[i] == '’')
            {
                i += 1;
            }
            let word: String = chars[start..i]
                .iter()
                .collect::<String>()
                .to_lowercase()
                .replace('’', "'");
            if WORDS.contains(&word.as_str()) {
                return Some((start, i));
            }
        } else {
            i += 1;
        }
    }
    None
}

pub const NAMES_THE_PARTNER: &str = "This names your partner as the problem. A problem you can solve together \
     is a situation you both face: try naming when it happens and what it is about, for example \
     \"reminders about chores in the evening\".";

// ---- when to suggest professional help -------------------------------------------

/// Suggests looking for a couples counselor when agreements keep failing:
/// the two most recent agreements that ended kept-or-dropped were both dropped,
/// or the three most recent follow-up decisions were all "not kept" (adjusted
/// or dropped). `history` is the couple's decided agreements, oldest first.
/// It is a suggestion for the couple, never a verdict, and never a score.
pub fn suggest_professional_help(history: &[AgreementStatus]) -> bool {
    let decided: Vec<AgreementStatus> = history
        .iter()
        .copied()
        .filter(|s| {
            matches!(
                s,
                AgreementStatus::Kept | AgreementStatus::Adjusted | AgreementStatus::Dropped
            )
        })
        .collect();
    let closed: Vec<AgreementStatus> = decided
        .iter()
        .copied()
        .filter(|s| *s != AgreementStatus::Adjusted)
        .collect();
    let two_dropped = closed.len() >= 2
        && closed[closed.len() - 2..]
            .iter()
            .all(|s| *s == AgreementStatus::Dropped);
    let three_unkept = decided.len() >= 3
        && decided[decided.len() - 3..]
            .iter()
            .all(|s| *s != AgreementStatus::Kept);
    two_dropped || three_unkept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated(key: &'static str, mine: u8, partner: u8) -> Rated<&'static str> {
        Rated { key, mine, partner }
    }

    #[test]
    fn stages_round_trip_and_only_open_ones_are_active() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert_eq!(Stage::parse("done"), None);
        let active: Vec<_> = Stage::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(
            active,
            [
                Stage::Proposed,
                Stage::TalkFirst,
                Stage::Brainstorm,
                Stage::Rating,
                Stage::Agreed
            ]
        );
        for o in Outcome::ALL {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
        }
        for w in Worked::ALL {
            assert_eq!(Worked::parse(w.as_str()), Some(w));
        }
        for a in AgreementStatus::ALL {
            assert_eq!(AgreementStatus::parse(a.as_str()), Some(a));
        }
    }

    #[test]
    fn ideas_stay_sealed_until_both_are_done() {
        assert_eq!(ideas_view(false, false), Reveal::AwaitingMe);
        // Not done myself: I learn nothing of my partner's ideas, done or not.
        assert_eq!(ideas_view(false, true), Reveal::AwaitingMe);
        assert_eq!(ideas_view(true, false), Reveal::AwaitingPartner);
        assert!(!ideas_view(true, false).partner_visible());
        assert!(ideas_view(true, true).partner_visible());
        assert!(!ratings_view(true, false).partner_visible());
        assert!(!ratings_view(false, true).partner_visible());
        assert!(ratings_view(true, true).partner_visible());
    }

    #[test]
    fn ranking_puts_the_lower_rating_first_then_the_sum_and_keeps_ties_in_order() {
        let r = rank(&[
            rated("a", 10, 3),  // lower 3
            rated("b", 6, 6),   // lower 6, sum 12
            rated("c", 5, 9),   // lower 5
            rated("d", 9, 6),   // lower 6, sum 15
            rated("e", 6, 6),   // ties with b: stays after it
            rated("f", 10, 10), // best
        ]);
        let order: Vec<_> = r.iter().map(|x| x.key).collect();
        assert_eq!(order, ["f", "d", "b", "e", "c", "a"]);
        assert_eq!(r[0].place, 1);
        assert_eq!(r[5].place, 6);
        assert_eq!(r[1].lower, 6);
        assert_eq!(r[1].sum, 15);
    }

    #[test]
    fn an_option_either_partner_cannot_accept_is_marked_and_ranked_last() {
        let r = rank(&[
            rated("veto", 10, 2),
            rated("meh", 3, 3),
            rated("zero", 0, 0),
            rated("fine", 7, 5),
        ]);
        let order: Vec<_> = r.iter().map(|x| x.key).collect();
        assert_eq!(order, ["fine", "meh", "veto", "zero"]);
        assert!(!r[0].unacceptable && !r[1].unacceptable);
        assert!(r[2].unacceptable && r[3].unacceptable);
        assert!(unacceptable(UNACCEPTABLE_MAX));
        assert!(!unacceptable(UNACCEPTABLE_MAX + 1));
        assert!(rank::<&str>(&[]).is_empty());
    }

    #[test]
    fn ratings_outside_zero_to_ten_are_refused() {
        assert_eq!(check_rating(0), Ok(0));
        assert_eq!(check_rating(10), Ok(10));
        assert!(check_rating(11).is_err());
        assert!(check_rating(-1).is_err());
    }

    fn at(stage: Stage) -> Situation {
        Situation::new(stage)
    }

    #[test]
    fn the_agenda_is_answered_by_the_other_partner_and_withdrawn_by_the_proposer() {
        let mine = Situation {
            i_proposed: true,
            ..at(Stage::Proposed)
        };
        assert_eq!(check(Move::Accept, &mine), Err(Refusal::OwnProposal));
        assert_eq!(check(Move::TalkFirst, &mine), Err(Refusal::OwnProposal));
        assert_eq!(check(Move::Withdraw, &mine), Ok(()));
        let theirs = at(Stage::Proposed);
        assert_eq!(check(Move::Accept, &theirs), Ok(()));
        assert_eq!(check(Move::TalkFirst, &theirs), Ok(()));
        assert_eq!(check(Move::Withdraw, &theirs), Err(Refusal::NotProposer));
        // After asking to talk first, the same partner can put it on the agenda later.
        assert_eq!(check(Move::Accept, &at(Stage::TalkFirst)), Ok(()));
        assert_eq!(
            check(Move::TalkFirst, &at(Stage::TalkFirst)),
            Err(Refusal::WrongStage(Stage::TalkFirst))
        );
        assert_eq!(
            check(Move::Accept, &at(Stage::Brainstorm)),
            Err(Refusal::WrongStage(Stage::Brainstorm))
        );
    }

    #[test]
    fn brainstorm_needs_an_idea_before_done_and_nothing_after() {
        let s = at(Stage::Brainstorm);
        assert_eq!(check(Move::AddOption, &s), Ok(()));
        assert_eq!(check(Move::FinishBrainstorm, &s), Err(Refusal::NoIdeaYet));
        let with_idea = Situation {
            my_options_this_round: 1,
            ..s
        };
        assert_eq!(check(Move::FinishBrainstorm, &with_idea), Ok(()));
        let done = Situation {
            i_finished_brainstorm: true,
            ..with_idea
        };
        assert_eq!(check(Move::AddOption, &done), Err(Refusal::AlreadyFinished));
        assert_eq!(
            check(Move::FinishBrainstorm, &done),
            Err(Refusal::AlreadyFinished)
        );
        // No rating or agreement while ideas are still being collected.
        assert!(check(Move::Rate, &s).is_err());
        assert!(check(Move::ProposeAgreement, &s).is_err());
        let msg = Refusal::WrongStage(Stage::Brainstorm).message();
        assert!(msg.contains("collecting ideas"), "{msg}");
    }

    #[test]
    fn agreement_needs_ratings_by_both_and_the_other_partners_yes() {
        let rating = Situation {
            unrated_by_me: 2,
            ..at(Stage::Rating)
        };
        assert_eq!(check(Move::Rate, &rating), Ok(()));
        assert_eq!(
            check(Move::ProposeAgreement, &rating),
            Err(Refusal::NotEnoughRated)
        );
        assert_eq!(
            check(Move::Compromise, &rating),
            Err(Refusal::NotEnoughRated)
        );
        let open = Situation {
            unrated_by_me: 0,
            rated_by_both: 3,
            ..rating
        };
        assert_eq!(check(Move::Rate, &open), Err(Refusal::NothingToRate));
        assert_eq!(check(Move::Compromise, &open), Ok(()));
        assert_eq!(check(Move::ProposeAgreement, &open), Ok(()));
        assert_eq!(check(Move::ConfirmAgreement, &open), Err(Refusal::NoDraft));
        let my_draft = Situation {
            draft_by_me: Some(true),
            ..open
        };
        assert_eq!(
            check(Move::ConfirmAgreement, &my_draft),
            Err(Refusal::OwnDraft)
        );
        assert_eq!(
            check(Move::ProposeAgreement, &my_draft),
            Err(Refusal::DraftPending)
        );
        assert_eq!(check(Move::DeclineAgreement, &my_draft), Ok(()));
        let their_draft = Situation {
            draft_by_me: Some(false),
            ..open
        };
        assert_eq!(check(Move::ConfirmAgreement, &their_draft), Ok(()));
    }

    #[test]
    fn follow_up_opens_on_its_date_and_decisions_wait_for_both_answers() {
        let agreed = at(Stage::Agreed);
        assert_eq!(
            check(Move::AnswerFollowUp, &agreed),
            Err(Refusal::FollowUpNotDue)
        );
        let due = Situation {
            follow_up_due: true,
            ..agreed
        };
        assert_eq!(check(Move::AnswerFollowUp, &due), Ok(()));
        assert_eq!(check(Move::Decide, &due), Err(Refusal::AwaitingAnswers));
        let answered = Situation {
            i_answered_follow_up: true,
            ..due
        };
        assert_eq!(
            check(Move::AnswerFollowUp, &answered),
            Err(Refusal::AlreadyAnswered)
        );
        let both = Situation {
            both_answered_follow_up: true,
            ..answered
        };
        assert_eq!(check(Move::Decide, &both), Ok(()));
        assert!(check(Move::Decide, &at(Stage::Kept)).is_err());
        let start = 1_000;
        let at_ms = follow_up_at(start, 14);
        assert_eq!(at_ms, start + 14 * DAY_MS);
        assert!(!follow_up_due(at_ms - 1, at_ms));
        assert!(follow_up_due(at_ms, at_ms));
    }

    #[test]
    fn outcomes_lead_back_to_rating_or_brainstorm_or_close_the_problem() {
        assert_eq!(Outcome::Keep.next(), (Stage::Kept, false));
        assert_eq!(Outcome::Drop.next(), (Stage::Dropped, false));
        assert_eq!(Outcome::AdjustRating.next(), (Stage::Rating, true));
        assert_eq!(Outcome::AdjustBrainstorm.next(), (Stage::Brainstorm, true));
        assert_eq!(
            Outcome::AdjustRating.agreement_status(),
            AgreementStatus::Adjusted
        );
        assert!(!Stage::Kept.is_active());
        assert!(!Stage::Dropped.is_active());
    }

    #[test]
    fn professional_help_is_suggested_after_two_dropped_agreements_in_a_row() {
        use AgreementStatus::*;
        assert!(!suggest_professional_help(&[]));
        assert!(!suggest_professional_help(&[Dropped]));
        assert!(suggest_professional_help(&[Dropped, Dropped]));
        // An adjustment in between does not break "in a row".
        assert!(suggest_professional_help(&[Dropped, Adjusted, Dropped]));
        // A kept agreement in between does.
        assert!(!suggest_professional_help(&[Dropped, Kept, Dropped]));
        assert!(!suggest_professional_help(&[Dropped, Dropped, Kept]));
        // Three follow-ups in a row that did not end in "keep".
        assert!(suggest_professional_help(&[
            Kept, Adjusted, Adjusted, Dropped
        ]));
        assert!(suggest_professional_help(&[Adjusted, Adjusted, Adjusted]));
        assert!(!suggest_professional_help(&[Adjusted, Adjusted, Kept]));
        // Drafts and active agreements are not outcomes.
        assert!(!suggest_professional_help(&[Dropped, Active, Draft]));
    }

    #[test]
    fn a_problem_named_after_the_partner_is_noticed() {
        assert_eq!(names_the_partner("your nagging"), Some((0, 4)));
        assert_eq!(names_the_partner("When you're late"), Some((5, 11)));
        assert_eq!(names_the_partner("Évenings: YOU never"), Some((10, 13)));
        assert_eq!(names_the_partner("Who cooks on weekdays"), None);
        assert_eq!(names_the_partner("young kids at bedtime"), None);
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(
            check_title("  who   cooks  on weekdays ").unwrap(),
            "who cooks on weekdays"
        );
        assert!(check_title("   ").is_err());
        assert!(check_title(&"x".repeat(TITLE_MAX_CHARS + 1)).is_err());
        assert!(check_option("").is_err());
        assert!(check_agreement(&"y".repeat(AGREEMENT_MAX_CHARS + 1)).is_err());
        assert_eq!(check_note("  ").unwrap(), "");
        assert_eq!(check_trial_days(14), Ok(14));
        assert!(check_trial_days(0).is_err());
        assert!(check_trial_days(91).is_err());
    }

    #[test]
    fn only_accept_talk_first_and_withdraw_are_pure_stage_changes() {
        assert_eq!(Move::Accept.stage_after(), Some(Stage::Brainstorm));
        assert_eq!(Move::TalkFirst.stage_after(), Some(Stage::TalkFirst));
        assert_eq!(Move::Withdraw.stage_after(), Some(Stage::Withdrawn));
        for m in [
            Move::AddOption,
            Move::FinishBrainstorm,
            Move::Rate,
            Move::Compromise,
            Move::ProposeAgreement,
            Move::ConfirmAgreement,
            Move::DeclineAgreement,
            Move::AnswerFollowUp,
            Move::Decide,
        ] {
            assert_eq!(m.stage_after(), None, "{m:?}");
        }
    }
}
