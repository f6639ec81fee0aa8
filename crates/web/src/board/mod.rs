//! Steps 5 and 6's problem board: use cases shared by pages and the API. The
//! rules come from `rekindle_domain::board`; what a partner may see comes from
//! the storage queries (sealed ideas and unrevealed ratings never leave the
//! database); this module assembles one partner's view and runs each move.

pub mod api;
pub mod archive;
pub mod page;

use rekindle_storage::{
    BoardAgreement, BoardDecision, BoardDone, BoardFollowUp, BoardMove, BoardOption, BoardProblem,
    CoupleId, NewAgreement, NewOption, NewProblem, ProblemId, Space, StoreError, UserId, Viewer,
};
use std::collections::HashMap;

use rekindle_domain::Reveal;
use rekindle_domain::board::{
    self as bd, AgreementStatus, Move, Outcome, Rated, Situation, Stage, Worked,
};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::new_id;
use crate::state::AppState;

pub const CHANGED: &str = "This problem moved on in the meantime (perhaps your partner just acted). Have a look at where it is now.";

/// What a person alone in their space is told about this tool.
pub const FOR_TWO: &str =
    "The problem board is for two: it opens once your partner has joined your space.";

/// Where "Talk about it first" leads: the talk room's request form, with the
/// problem's name as the topic.
pub fn talk_link(problem_id: &str) -> Option<String> {
    Some(format!("/talks?problem={problem_id}"))
}

/// Where a confirmed agreement can be turned into actions (the action plan).
pub fn plan_link(agreement_id: &str) -> String {
    format!("/plan/new?agreement={agreement_id}")
}

pub use crate::coach::notes::CoachNote;

/// The coach's problem findings on a problem title (or an idea), and the
/// board's own naming rule.
pub fn coach_notes(text: &str) -> Vec<CoachNote> {
    let mut notes = crate::coach::notes::problem_notes(text);
    // The board's own naming rule: a problem is a situation, not the partner.
    if let Some((start, end)) = bd::names_the_partner(text) {
        let len = text.chars().count();
        notes.push(CoachNote {
            kind: "blame".into(),
            start,
            end: len.max(end),
            excerpt: crate::coach::notes::excerpt(text, start, len),
            explanation: bd::NAMES_THE_PARTNER.into(),
        });
        notes.sort_by_key(|n| (n.start, n.end));
    }
    notes
}

fn stage_of(p: &BoardProblem) -> Stage {
    p.stage
}

/// One idea as one partner sees it.
#[derive(Debug, Clone)]
pub struct OptionView {
    pub option: BoardOption,
    pub mine: bool,
    /// My rating in the current round.
    pub my_rating: Option<u8>,
    /// The partner's rating in the current round; only once both rated it.
    pub partner_rating: Option<u8>,
}

impl OptionView {
    pub fn is_compromise(&self) -> bool {
        !self.option.sealed
    }
}

#[derive(Debug, Clone)]
pub struct RankedView {
    pub index: usize,
    pub ranked: bd::Ranked<usize>,
}

#[derive(Debug, Clone)]
pub struct FollowUpView {
    pub due: bool,
    pub mine: Option<BoardFollowUp>,
    /// Only once both answered.
    pub partner: Option<BoardFollowUp>,
    pub reveal: Reveal,
}

/// Everything one partner may see of one problem, and what they may do next.
pub struct ProblemView {
    pub problem: BoardProblem,
    pub stage: Stage,
    pub i_proposed: bool,
    pub talk_requested_by_me: bool,
    /// Visible ideas, in the order they were written.
    pub options: Vec<OptionView>,
    pub done: BoardDone,
    /// Options rated by both this round, best first.
    pub ranked: Vec<RankedView>,
    /// A written agreement waiting for a yes.
    pub draft: Option<BoardAgreement>,
    /// The agreement on trial.
    pub active: Option<BoardAgreement>,
    /// Every agreement on this problem, oldest first (the outcome history).
    pub agreements: Vec<BoardAgreement>,
    pub follow_up: Option<FollowUpView>,
    pub situation: Situation,
    /// The coach's notes on the title, for the partner who wrote it.
    pub title_notes: Vec<CoachNote>,
}

impl ProblemView {
    pub fn unrated_by_me(&self) -> Vec<&OptionView> {
        self.options
            .iter()
            .filter(|o| o.my_rating.is_none())
            .collect()
    }

    /// I rated everything; some option still waits for my partner's rating.
    pub fn awaiting_partner_ratings(&self) -> bool {
        self.stage == Stage::Rating
            && self.unrated_by_me().is_empty()
            && self.options.iter().any(|o| o.partner_rating.is_none())
    }
}

pub async fn load(state: &AppState, viewer: &Viewer, id: &str) -> Result<ProblemView, AppError> {
    let problem = state
        .repo
        .board_problem(viewer, &ProblemId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    assemble(state, viewer, problem).await
}

async fn assemble(
    state: &AppState,
    viewer: &Viewer,
    problem: BoardProblem,
) -> Result<ProblemView, AppError> {
    let now = state.clock().now_ms();
    let stage = stage_of(&problem);
    let round = problem.round;
    let raw = state.repo.board_options(viewer, &problem.id).await?;
    let ratings = state
        .repo
        .board_ratings(viewer, &problem.id, Some(round))
        .await?;
    let done = state.repo.board_done(viewer, &problem.id, round).await?;
    let rating_of = |option: &str, who: Option<&UserId>| {
        ratings
            .iter()
            .find(|r| r.option_id == option && Some(&r.user_id) == who)
            .and_then(|r| u8::try_from(r.rating).ok())
    };
    let options: Vec<OptionView> = raw
        .into_iter()
        .map(|o| {
            let my_rating = rating_of(&o.id, Some(&viewer.user_id));
            let partner_rating = rating_of(&o.id, viewer.partner_id.as_ref());
            OptionView {
                mine: o.author_id == viewer.user_id,
                // Belt and braces: the query already withholds it before the reveal.
                partner_rating: partner_rating
                    .filter(|_| bd::ratings_view(my_rating.is_some(), true).partner_visible()),
                my_rating,
                option: o,
            }
        })
        .collect();
    let rated: Vec<Rated<usize>> = options
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            Some(Rated {
                key: i,
                mine: o.my_rating?,
                partner: o.partner_rating?,
            })
        })
        .collect();
    let ranked: Vec<RankedView> = bd::rank(&rated)
        .into_iter()
        .map(|r| RankedView {
            index: r.key,
            ranked: r,
        })
        .collect();
    let agreements = state.repo.board_agreements(viewer, &problem.id).await?;
    let draft = agreements
        .iter()
        .find(|a| a.status == AgreementStatus::Draft)
        .cloned();
    let active = agreements
        .iter()
        .find(|a| a.status == AgreementStatus::Active)
        .cloned();
    let follow_up = match &active {
        Some(a) => {
            let answers = state.repo.board_followups(viewer, &a.id).await?;
            let mine = answers
                .iter()
                .find(|f| f.user_id == viewer.user_id)
                .cloned();
            let partner = answers
                .iter()
                .find(|f| Some(&f.user_id) == viewer.partner_id.as_ref())
                .cloned();
            let reveal = rekindle_domain::visibility::reveal(mine.is_some(), partner.is_some());
            Some(FollowUpView {
                due: a.follow_up_at.is_some_and(|at| bd::follow_up_due(now, at)),
                partner: partner.filter(|_| reveal.partner_visible()),
                mine,
                reveal,
            })
        }
        None => None,
    };
    let i_proposed = problem.proposed_by.as_deref() == Some(viewer.user_id.as_str());
    let situation = Situation {
        stage,
        i_proposed,
        i_finished_brainstorm: done.me,
        my_options_this_round: options
            .iter()
            .filter(|o| o.mine && o.option.round == round && o.option.sealed)
            .count(),
        unrated_by_me: options.iter().filter(|o| o.my_rating.is_none()).count(),
        rated_by_both: ranked.len(),
        draft_by_me: draft
            .as_ref()
            .map(|d| d.proposed_by.as_deref() == Some(viewer.user_id.as_str())),
        follow_up_due: follow_up.as_ref().is_some_and(|f| f.due),
        i_answered_follow_up: follow_up.as_ref().is_some_and(|f| f.mine.is_some()),
        both_answered_follow_up: follow_up.as_ref().is_some_and(|f| f.reveal == Reveal::Open),
    };
    let title_notes = if i_proposed && stage.is_active() {
        coach_notes(&problem.title)
    } else {
        Vec::new()
    };
    Ok(ProblemView {
        stage,
        i_proposed,
        talk_requested_by_me: problem.talk_requested_by.as_deref() == Some(viewer.user_id.as_str()),
        options,
        done,
        ranked,
        draft,
        active,
        agreements,
        follow_up,
        situation,
        title_notes,
        problem,
    })
}

fn refused(r: bd::Refusal) -> AppError {
    AppError::Conflict(r.message())
}

fn allowed(m: Move, v: &ProblemView) -> Result<(), AppError> {
    bd::check(m, &v.situation).map_err(refused)
}

/// A conflict the database settled (the partner got there first) told as the
/// rule it kept.
fn refused_on_conflict(r: bd::Refusal) -> impl FnOnce(StoreError) -> AppError {
    move |e| match e {
        StoreError::Conflict => AppError::Conflict(r.message()),
        other => other.into(),
    }
}

fn changed_unless(ok: bool) -> Result<(), AppError> {
    if ok {
        Ok(())
    } else {
        Err(AppError::Conflict(CHANGED.into()))
    }
}

// ---- the board overview --------------------------------------------------------

pub struct Overview {
    pub active: Option<BoardProblem>,
    pub past: Vec<BoardProblem>,
    pub suggest_help: bool,
}

pub async fn overview(
    state: &AppState,
    viewer: &Viewer,
    pair: &Space,
) -> Result<Overview, AppError> {
    let all = state.repo.board_problems(viewer, false).await?;
    let (active, past): (Vec<_>, Vec<_>) = all.into_iter().partition(|p| stage_of(p).is_active());
    Ok(Overview {
        active: active.into_iter().next(),
        past,
        suggest_help: suggest_help(state, &pair.couple_id).await?,
    })
}

/// Problems of a space that ended that this person named or worked on: they
/// keep their own parts (docs/privacy.md).
pub async fn earlier(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<rekindle_storage::BoardProblem>, AppError> {
    Ok(state
        .repo
        .board_problems(viewer, true)
        .await?
        .into_iter()
        .filter(|p| p.couple_id.is_none() || p.couple_id != viewer.couple_id)
        .collect())
}

/// The domain rule on this couple's outcome history.
pub async fn suggest_help(state: &AppState, couple_id: &CoupleId) -> Result<bool, AppError> {
    let history: Vec<AgreementStatus> = state.repo.board_outcomes(couple_id).await?;
    Ok(bd::suggest_professional_help(&history))
}

// ---- moves ---------------------------------------------------------------------

/// Puts a problem forward. Returns its id; the coach's notes on the wording come
/// with it (they never block proposing).
pub async fn propose(
    state: &AppState,
    viewer: &Viewer,
    title: &str,
) -> Result<(String, Vec<CoachNote>), AppError> {
    let title = bd::check_title(title).map_err(|m| AppError::field("title", m))?;
    let id = new_id();
    let created = state
        .repo
        .board_propose(
            viewer,
            &NewProblem {
                id: id.clone().into(),
                title: title.clone(),
                created_at: state.clock().now_ms(),
            },
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict => AppError::Conflict(
                "You are already working on a problem together. One at a time: finish or set that one down first."
                    .into(),
            ),
            other => other.into(),
        })?;
    changed_unless(created)?;
    Ok((id, coach_notes(&title)))
}

/// The moves that only change the problem's stage.
pub async fn step(state: &AppState, viewer: &Viewer, id: &str, m: Move) -> Result<(), AppError> {
    let v = load(state, viewer, id).await?;
    allowed(m, &v)?;
    let now = state.clock().now_ms();
    let round = v.problem.round;
    // The domain decides where a pure stage change leads; the store applies it
    // only if the problem is still where this partner saw it.
    let ok = match (m, m.stage_after()) {
        (_, Some(to)) => {
            state
                .repo
                .board_move(
                    viewer,
                    &BoardMove {
                        id: &ProblemId::from(id),
                        from_stage: v.stage,
                        round,
                        to_stage: to,
                        to_round: round,
                        talk: to == Stage::TalkFirst,
                        now,
                    },
                )
                .await?
        }
        (Move::FinishBrainstorm, None) => {
            state
                .repo
                .board_finish_brainstorm(viewer, &ProblemId::from(id), round, now)
                .await?
        }
        (Move::ConfirmAgreement, None) => {
            state
                .repo
                .board_confirm_agreement(viewer, &ProblemId::from(id), now)
                .await?
        }
        (Move::DeclineAgreement, None) => {
            state
                .repo
                .board_withdraw_agreement(viewer, &ProblemId::from(id))
                .await?
        }
        _ => {
            return Err(AppError::BadRequest(
                "That is not a step of its own.".into(),
            ));
        }
    };
    changed_unless(ok)
}

pub async fn add_option(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    body: &str,
) -> Result<(), AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::AddOption, &v)?;
    let body = bd::check_option(body).map_err(|m| AppError::field("body", m))?;
    let ok = state
        .repo
        .board_add_option(
            viewer,
            &NewOption {
                id: new_id().into(),
                problem_id: id.to_owned().into(),
                round: v.problem.round,
                sealed: true,
                combined_from: String::new(),
                body,
                created_at: state.clock().now_ms(),
            },
        )
        .await?;
    changed_unless(ok)
}

/// Rates every idea not yet rated this round, all at once (raw values by option id).
pub async fn rate(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    raw: &HashMap<String, String>,
) -> Result<(), AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::Rate, &v)?;
    let mut ratings = Vec::new();
    let mut errors = FieldErrors::new();
    for o in v.unrated_by_me() {
        let value = raw
            .get(o.option.id.as_str())
            .and_then(|s| s.trim().parse::<i64>().ok())
            .ok_or("Rate every idea, from 0 (I can't accept this) to 10 (fully acceptable).")
            .and_then(bd::check_rating);
        match value {
            Ok(r) => ratings.push((o.option.id.clone(), i64::from(r))),
            Err(m) => {
                errors.insert("ratings", m.into());
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let ok = state
        .repo
        .board_rate(
            viewer,
            &ProblemId::from(id),
            v.problem.round,
            &ratings,
            state.clock().now_ms(),
        )
        .await
        .map_err(refused_on_conflict(bd::Refusal::NothingToRate))?;
    changed_unless(ok)
}

/// Combines ideas both rated into a new, open option that both then rate.
pub async fn compromise(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    from: &[String],
    body: &str,
) -> Result<(), AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::Compromise, &v)?;
    let mut errors = FieldErrors::new();
    let mut ids: Vec<&str> = Vec::new();
    for f in from {
        let rated = v.ranked.iter().any(|r| v.options[r.index].option.id == *f);
        if !rated {
            errors.insert("from", "Combine ideas you have both rated.".into());
        } else if !ids.contains(&f.as_str()) {
            ids.push(f);
        }
    }
    if ids.len() < 2 {
        errors
            .entry("from")
            .or_insert_with(|| "Choose at least two ideas to combine.".into());
    }
    let body = match bd::check_option(body) {
        Ok(b) => Some(b),
        Err(_) => {
            errors.insert("body", "Write the compromise in your own words.".into());
            None
        }
    };
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let ok = state
        .repo
        .board_add_option(
            viewer,
            &NewOption {
                id: new_id().into(),
                problem_id: id.to_owned().into(),
                round: v.problem.round,
                sealed: false,
                combined_from: ids.join(" "),
                body,
                created_at: state.clock().now_ms(),
            },
        )
        .await?;
    changed_unless(ok)
}

/// Writes an agreement from a ranked option; the other partner then agrees to it.
/// An empty text takes the option's own words.
pub async fn propose_agreement(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    option_id: &str,
    body: &str,
    trial_days: &str,
) -> Result<String, AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::ProposeAgreement, &v)?;
    let mut errors = FieldErrors::new();
    let chosen = v
        .ranked
        .iter()
        .find(|r| v.options[r.index].option.id == option_id);
    match chosen {
        None => {
            errors.insert(
                "option_id",
                "Choose one of the ideas you have both rated.".into(),
            );
        }
        Some(r) if r.ranked.unacceptable => {
            errors.insert(
                "option_id",
                "One of you rated this idea as one you can't accept. Choose another, or combine ideas into a compromise."
                    .into(),
            );
        }
        Some(_) => {}
    }
    let text = if body.trim().is_empty() {
        chosen
            .map(|r| v.options[r.index].option.body.clone())
            .unwrap_or_default()
    } else {
        body.to_owned()
    };
    let text = bd::check_agreement(&text)
        .map_err(|m| errors.insert("body", m.into()))
        .ok();
    let days = trial_days
        .trim()
        .parse::<i64>()
        .map_err(|_| "Choose a trial of 1 to 90 days.")
        .and_then(bd::check_trial_days)
        .map_err(|m| errors.insert("trial_days", m.into()))
        .ok();
    let (Some(text), Some(days), true) = (text, days, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    let agreement_id = new_id();
    let ok = state
        .repo
        .board_propose_agreement(
            viewer,
            &NewAgreement {
                id: agreement_id.clone().into(),
                problem_id: id.to_owned().into(),
                option_id: option_id.to_owned().into(),
                round: v.problem.round,
                body: text,
                trial_days: i64::from(days),
                proposed_at: state.clock().now_ms(),
            },
        )
        .await
        .map_err(refused_on_conflict(bd::Refusal::DraftPending))?;
    changed_unless(ok)?;
    Ok(agreement_id)
}

pub async fn answer_follow_up(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    worked: &str,
    note: &str,
) -> Result<(), AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::AnswerFollowUp, &v)?;
    let mut errors = FieldErrors::new();
    let w = Worked::parse(worked);
    if w.is_none() {
        errors.insert("worked", "Choose how it went for you.".into());
    }
    let note = bd::check_note(note)
        .map_err(|m| errors.insert("note", m.into()))
        .ok();
    let (Some(w), Some(note)) = (w, note) else {
        return Err(AppError::Invalid(errors));
    };
    let Some(active) = &v.active else {
        return Err(AppError::Conflict(CHANGED.into()));
    };
    let ok = state
        .repo
        .board_answer_followup(
            viewer,
            &active.id,
            w.as_str(),
            &note,
            state.clock().now_ms(),
        )
        .await
        .map_err(refused_on_conflict(bd::Refusal::AlreadyAnswered))?;
    changed_unless(ok)
}

pub async fn decide(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    outcome: &str,
) -> Result<Outcome, AppError> {
    let v = load(state, viewer, id).await?;
    allowed(Move::Decide, &v)?;
    let o = Outcome::parse(outcome)
        .ok_or_else(|| AppError::field("outcome", "Choose to keep, adjust or let it go."))?;
    let Some(active) = &v.active else {
        return Err(AppError::Conflict(CHANGED.into()));
    };
    let (next, new_round) = o.next();
    let ok = state
        .repo
        .board_decide(
            viewer,
            &BoardDecision {
                agreement_id: active.id.clone(),
                agreement_status: o.agreement_status(),
                next_stage: next,
                new_round,
                at: state.clock().now_ms(),
            },
        )
        .await?;
    changed_unless(ok)?;
    Ok(o)
}

// ---- the home page ------------------------------------------------------------------

/// A gentle pointer on the home page when the board waits for this partner.
pub struct HomeNote {
    pub text: &'static str,
    pub href: String,
}

pub async fn home_note(state: &AppState, viewer: &Viewer) -> Result<Option<HomeNote>, AppError> {
    if viewer.partner_id.is_none() {
        return Ok(None);
    }
    let Some(active) = state
        .repo
        .board_problems(viewer, false)
        .await?
        .into_iter()
        .find(|p| stage_of(p).is_active())
    else {
        return Ok(None);
    };
    let v = assemble(state, viewer, active).await?;
    let s = &v.situation;
    let text = match v.stage {
        Stage::Proposed if !s.i_proposed => {
            "Your partner put a problem forward for the two of you."
        }
        Stage::Brainstorm if !s.i_finished_brainstorm => {
            "Your ideas are welcome on the problem board."
        }
        Stage::Rating if s.draft_by_me == Some(false) => "An agreement is waiting for your answer.",
        Stage::Rating if s.unrated_by_me > 0 => {
            "The ideas on your problem board are ready for your ratings."
        }
        Stage::Agreed if s.follow_up_due && !s.i_answered_follow_up => {
            "It's time to look back on how your agreement went."
        }
        _ => return Ok(None),
    };
    Ok(Some(HomeNote {
        text,
        href: format!("/board/{}", v.problem.id),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_coach_reads_a_problem_title() {
        let notes = coach_notes("your nagging");
        assert!(!notes.is_empty(), "{notes:?}");
        assert!(
            notes
                .iter()
                .any(|n| n.excerpt.to_lowercase().contains("nagging")),
            "{notes:?}"
        );
        assert!(coach_notes("Evenings when we both want the car").is_empty());
        assert_eq!(talk_link("x").as_deref(), Some("/talks?problem=x"));
        assert_eq!(plan_link("g1"), "/plan/new?agreement=g1");
    }
}
