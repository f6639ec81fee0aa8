//! Steps 5 and 6's pages: the problem board (agenda, brainstorm, rating, the
//! ranked board, compromise, agreement, follow-up) and the professional-help
//! page. Plain forms throughout; the coach script only adds live underlining.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rekindle_domain::board::{self as bd, AgreementStatus, Move, Outcome, Worked};
use rekindle_storage::{BoardAgreement, BoardFollowUp, Space};
use serde::Deserialize;

use crate::board::{self as uc, CoachNote, ProblemView};
use crate::coach::{Coached, CoachedList};
use crate::http::auth::{MaybeSignedIn, SignedIn};
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::safety::resources::Resource;
use crate::state::AppState;
use crate::view::DoneQuery;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, field_error, notice_for, render_with_status, see_other};

fn partner_name(space: Option<&Space>) -> String {
    space
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_else(|| "Your partner".into())
}

/// Splits an error into field problems (kept next to their fields) and a general sentence.
fn split(error: Option<AppError>) -> Result<(StatusCode, FieldErrors, String), AppError> {
    Ok(match error {
        None => (StatusCode::OK, FieldErrors::new(), String::new()),
        Some(e @ (AppError::NotFound | AppError::Internal(_) | AppError::Unauthenticated)) => {
            return Err(e);
        }
        Some(AppError::Invalid(f)) => (StatusCode::UNPROCESSABLE_ENTITY, f, String::new()),
        Some(e) => (e.status(), FieldErrors::new(), e.detail()),
    })
}

// ---- the board -------------------------------------------------------------------

pub struct ProblemLink {
    pub id: String,
    pub title: String,
    pub stage_label: &'static str,
    pub when: String,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Chrome,
    paired: bool,
    paused: bool,
    active: Option<ProblemLink>,
    past: Vec<ProblemLink>,
    /// Problems of a space that ended, with only this person's parts.
    earlier: Vec<ProblemLink>,
    suggest_help: bool,
    title_draft: String,
    errors: FieldErrors,
    error: String,
    /// The coach's answer when the writer asked it (the no-JS coach path).
    coach_panel: Option<crate::coach::CoachPanel>,
}

impl BoardPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

fn link(p: &rekindle_storage::BoardProblem, tz: chrono_tz::Tz) -> ProblemLink {
    ProblemLink {
        id: p.id.clone().into(),
        title: p.title.clone(),
        stage_label: p.stage.label(),
        when: when(p.created_at, tz),
    }
}

async fn board_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    title_draft: String,
    error: Option<AppError>,
    coach_panel: Option<crate::coach::CoachPanel>,
) -> PageResult {
    let (status, errors, general) = split(error)?;
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let c = Chrome::signed_in("Problem board", who).with_notice(notice);
    let tz = tz_of(&who.user.time_zone);
    let earlier: Vec<ProblemLink> = uc::earlier(state, &viewer)
        .await?
        .iter()
        .map(|p| link(p, tz))
        .collect();
    let Ok(pair) = crate::space::require_pair(space.as_ref(), uc::FOR_TWO) else {
        let page = BoardPage {
            c,
            paired: space.as_ref().is_some_and(|s| s.partner.is_some()),
            paused: space.as_ref().is_some_and(|s| s.paused),
            active: None,
            past: Vec::new(),
            earlier,
            suggest_help: false,
            title_draft,
            errors,
            error: general,
            coach_panel,
        };
        return render_with_status(status, &page);
    };
    let o = uc::overview(state, &viewer, pair).await?;
    let page = BoardPage {
        c,
        paired: true,
        paused: false,
        active: o.active.as_ref().map(|p| link(p, tz)),
        past: o.past.iter().map(|p| link(p, tz)).collect(),
        earlier,
        suggest_help: o.suggest_help,
        title_draft,
        errors,
        error: general,
        coach_panel,
    };
    render_with_status(status, &page)
}

pub async fn overview(
    State(state): State<AppState>,
    who: SignedIn,
    Query(d): Query<DoneQuery>,
) -> PageResult {
    let state = state.reading().await?;
    board_page(
        &state,
        &who,
        notice_for(d.done.as_deref()),
        String::new(),
        None,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    title: String,
}

pub async fn propose(
    State(state): State<AppState>,
    who: SignedIn,
    Coached(mut f, ask): Coached<ProposeForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("title", &mut f.title)]) {
        return board_page(&state, &who, None, f.title, None, Some(panel)).await;
    }
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let result = match crate::space::require_pair(space.as_ref(), uc::FOR_TWO) {
        Ok(_) => uc::propose(&state, &viewer, &f.title).await,
        Err(e) => Err(e),
    };
    match result {
        Ok((id, _)) => Ok(see_other(&format!("/board/{id}"))),
        Err(e) => board_page(&state, &who, None, f.title, Some(e), None).await,
    }
}

// ---- one problem -------------------------------------------------------------------

pub struct OptionRow {
    pub id: String,
    pub body: String,
    pub by_me: bool,
    pub compromise: bool,
    /// What was typed into the rating field (kept on errors).
    pub draft: String,
}

pub struct RankRow {
    pub place: usize,
    pub id: String,
    pub body: String,
    pub compromise: bool,
    pub mine: u8,
    pub partner: u8,
    pub lower: u8,
    pub sum: u8,
    pub unacceptable: bool,
}

pub struct AgreementRow {
    pub body: String,
    pub trial_days: i64,
    pub by_me: bool,
    pub status: &'static str,
    pub agreed: String,
    pub follow_up: String,
    pub decided: String,
    pub plan_url: String,
}

fn status_label(s: &str) -> &'static str {
    match AgreementStatus::parse(s) {
        Some(AgreementStatus::Draft) => "Waiting for a yes",
        Some(AgreementStatus::Active) => "On trial",
        Some(AgreementStatus::Kept) => "Kept",
        Some(AgreementStatus::Adjusted) => "Adjusted",
        Some(AgreementStatus::Dropped) => "Let go",
        None => "",
    }
}

fn agreement_row(a: &BoardAgreement, me: &str, tz: chrono_tz::Tz) -> AgreementRow {
    AgreementRow {
        body: a.body.clone(),
        trial_days: a.trial_days,
        by_me: a.proposed_by.as_deref() == Some(me),
        status: status_label(a.status.as_str()),
        agreed: a.confirmed_at.map(|t| when(t, tz)).unwrap_or_default(),
        follow_up: a.follow_up_at.map(|t| when(t, tz)).unwrap_or_default(),
        decided: a.decided_at.map(|t| when(t, tz)).unwrap_or_default(),
        plan_url: if a.confirmed_at.is_some() {
            uc::plan_link(&a.id)
        } else {
            String::new()
        },
    }
}

pub struct AnswerRow {
    pub label: &'static str,
    pub note: String,
}

fn answer_row(f: &BoardFollowUp) -> AnswerRow {
    AnswerRow {
        label: f.worked.label(),
        note: f.note.clone(),
    }
}

/// What was typed into the problem page's forms, kept when something needs attention.
#[derive(Default)]
pub struct Drafts {
    pub idea: String,
    pub ratings: HashMap<String, String>,
    pub compromise: String,
    pub compromise_from: Vec<String>,
    pub option_id: String,
    pub agreement: String,
    pub trial_days: String,
    pub worked: String,
    pub note: String,
    /// The coach's answer when the writer asked it about an idea (the no-JS coach path).
    pub coach_panel: Option<crate::coach::CoachPanel>,
}

#[derive(Template)]
#[template(path = "board_problem.html")]
struct ProblemPage {
    c: Chrome,
    id: String,
    title: String,
    stage: &'static str,
    stage_label: &'static str,
    partner_name: String,
    i_proposed: bool,
    talk_requested: bool,
    talk_requested_by_me: bool,
    talk_link: Option<String>,
    title_notes: Vec<CoachNote>,
    can_accept: bool,
    can_talk_first: bool,
    can_withdraw: bool,
    can_add: bool,
    can_finish: bool,
    can_rate: bool,
    can_compromise: bool,
    can_propose_agreement: bool,
    can_confirm: bool,
    can_decline: bool,
    can_answer: bool,
    can_decide: bool,
    my_done: bool,
    options: Vec<OptionRow>,
    to_rate: Vec<OptionRow>,
    awaiting_partner_ratings: bool,
    ranked: Vec<RankRow>,
    ranking_explained: &'static str,
    draft: Option<AgreementRow>,
    active: Option<AgreementRow>,
    history: Vec<AgreementRow>,
    follow_up_due: bool,
    my_answer: Option<AnswerRow>,
    partner_answer: Option<AnswerRow>,
    worked_choices: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    suggest_help: bool,
    d: Drafts,
    errors: FieldErrors,
    error: String,
    coach_panel: Option<crate::coach::CoachPanel>,
}

impl ProblemPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }

    fn chosen_from(&self, id: &str) -> bool {
        self.d.compromise_from.iter().any(|f| f == id)
    }

    /// The compromise box stays open while it holds text or the coach's answer about it.
    fn compromise_open(&self) -> bool {
        !self.d.compromise.is_empty()
            || self
                .coach_panel
                .as_ref()
                .is_some_and(|p| p.for_field("compromise").is_some())
    }
}

fn option_row(o: &uc::OptionView, d: &Drafts) -> OptionRow {
    OptionRow {
        id: o.option.id.clone().into(),
        body: o.option.body.clone(),
        by_me: o.mine,
        compromise: o.is_compromise(),
        draft: d
            .ratings
            .get(o.option.id.as_str())
            .cloned()
            .unwrap_or_default(),
    }
}

async fn problem_page(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    mut d: Drafts,
    error: Option<AppError>,
) -> PageResult {
    let (status, errors, general) = split(error)?;
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let v: ProblemView = uc::load(state, &viewer, id).await?;
    let tz = tz_of(&who.user.time_zone);
    let can =
        |m: Move| bd::check(m, &v.situation).is_ok() && !space.as_ref().is_some_and(|s| s.paused);
    let suggest_help = match &viewer.couple_id {
        Some(c) => uc::suggest_help(state, c).await?,
        None => false,
    };
    let page = ProblemPage {
        c: Chrome::signed_in("Problem board", who),
        id: v.problem.id.clone().into(),
        title: v.problem.title.clone(),
        stage: v.stage.as_str(),
        stage_label: v.stage.label(),
        partner_name: partner_name(space.as_ref()),
        i_proposed: v.i_proposed,
        talk_requested: v.problem.talk_requested_by.is_some(),
        talk_requested_by_me: v.talk_requested_by_me,
        talk_link: uc::talk_link(&v.problem.id),
        title_notes: v.title_notes.clone(),
        can_accept: can(Move::Accept),
        can_talk_first: can(Move::TalkFirst),
        can_withdraw: can(Move::Withdraw),
        can_add: can(Move::AddOption),
        can_finish: can(Move::FinishBrainstorm),
        can_rate: can(Move::Rate),
        can_compromise: can(Move::Compromise),
        can_propose_agreement: can(Move::ProposeAgreement),
        can_confirm: can(Move::ConfirmAgreement),
        can_decline: can(Move::DeclineAgreement),
        can_answer: can(Move::AnswerFollowUp),
        can_decide: can(Move::Decide),
        my_done: v.done.me,
        options: v.options.iter().map(|o| option_row(o, &d)).collect(),
        to_rate: v
            .unrated_by_me()
            .into_iter()
            .map(|o| option_row(o, &d))
            .collect(),
        awaiting_partner_ratings: v.awaiting_partner_ratings(),
        ranked: v
            .ranked
            .iter()
            .map(|r| {
                let o = &v.options[r.index];
                RankRow {
                    place: r.ranked.place,
                    id: o.option.id.clone().into(),
                    body: o.option.body.clone(),
                    compromise: o.is_compromise(),
                    mine: r.ranked.mine,
                    partner: r.ranked.partner,
                    lower: r.ranked.lower,
                    sum: r.ranked.sum,
                    unacceptable: r.ranked.unacceptable,
                }
            })
            .collect(),
        ranking_explained: bd::RANKING_EXPLAINED,
        draft: v
            .draft
            .as_ref()
            .map(|a| agreement_row(a, &viewer.user_id, tz)),
        active: v
            .active
            .as_ref()
            .map(|a| agreement_row(a, &viewer.user_id, tz)),
        history: v
            .agreements
            .iter()
            .filter(|a| a.decided_at.is_some())
            .map(|a| agreement_row(a, &viewer.user_id, tz))
            .collect(),
        follow_up_due: v.follow_up.as_ref().is_some_and(|f| f.due),
        my_answer: v
            .follow_up
            .as_ref()
            .and_then(|f| f.mine.as_ref())
            .map(answer_row),
        partner_answer: v
            .follow_up
            .as_ref()
            .and_then(|f| f.partner.as_ref())
            .map(answer_row),
        worked_choices: Worked::ALL
            .iter()
            .map(|w| (w.as_str(), w.label()))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.as_str(), o.label()))
            .collect(),
        suggest_help,
        coach_panel: d.coach_panel.take(),
        d,
        errors,
        error: general,
    };
    render_with_status(status, &page)
}

/// A problem of a space that ended: what this person named, suggested, rated
/// and answered, read-only; the former partner's parts are gone.
#[derive(Template)]
#[template(path = "board_past.html")]
struct PastProblemPage {
    c: Chrome,
    problem: crate::board::archive::ExportProblem,
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    if let Some(problem) = crate::board::archive::earlier_problem(&state, &viewer, &id).await? {
        return render_with_status(
            StatusCode::OK,
            &PastProblemPage {
                c: Chrome::signed_in("Problem board", &who),
                problem,
            },
        );
    }
    problem_page(&state, &who, &id, Drafts::default(), None).await
}

/// Runs a move; on success back to the problem, otherwise the page with the reason.
async fn after(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    d: Drafts,
    result: Result<(), AppError>,
    anchor: &str,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/board/{id}{anchor}"))),
        Err(e) => problem_page(state, who, id, d, Some(e)).await,
    }
}

async fn pair_viewer(
    state: &AppState,
    who: &SignedIn,
) -> Result<rekindle_storage::Viewer, AppError> {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    Ok(viewer)
}

async fn simple(state: AppState, who: SignedIn, id: String, m: Move) -> PageResult {
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::step(&state, &viewer, &id, m).await,
        Err(e) => Err(e),
    };
    after(&state, &who, &id, Drafts::default(), r, "").await
}

pub async fn accept(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::Accept).await
}

pub async fn talk_first(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::TalkFirst).await
}

pub async fn withdraw(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::Withdraw).await
}

pub async fn finish_brainstorm(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::FinishBrainstorm).await
}

pub async fn confirm_agreement(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::ConfirmAgreement).await
}

pub async fn decline_agreement(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    simple(state, who, id, Move::DeclineAgreement).await
}

#[derive(Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
}

pub async fn add_option(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<BodyForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        let d = Drafts {
            idea: f.body,
            coach_panel: Some(panel),
            ..Drafts::default()
        };
        return problem_page(&state, &who, &id, d, None).await;
    }
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::add_option(&state, &viewer, &id, &f.body).await,
        Err(e) => Err(e),
    };
    let d = Drafts {
        idea: f.body,
        ..Drafts::default()
    };
    after(&state, &who, &id, d, r, "#brainstorm").await
}

pub async fn rate(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> PageResult {
    let raw: HashMap<String, String> = f
        .into_iter()
        .filter_map(|(k, v)| k.strip_prefix("rating_").map(|k| (k.to_owned(), v)))
        .collect();
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::rate(&state, &viewer, &id, &raw).await,
        Err(e) => Err(e),
    };
    let d = Drafts {
        ratings: raw,
        ..Drafts::default()
    };
    after(&state, &who, &id, d, r, "#ranked").await
}

#[derive(Deserialize)]
pub struct CompromiseForm {
    #[serde(default)]
    from: Vec<String>,
    #[serde(default)]
    body: String,
}

pub async fn compromise(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    CoachedList(mut f, ask): CoachedList<CompromiseForm>,
) -> PageResult {
    // The box is sent as `body`; the coach knows it as "compromise", apart from the idea box.
    if let Some(panel) = ask.asked(&mut [("compromise", &mut f.body)]) {
        let d = Drafts {
            compromise: f.body,
            compromise_from: f.from,
            coach_panel: Some(panel),
            ..Drafts::default()
        };
        return problem_page(&state, &who, &id, d, None).await;
    }
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::compromise(&state, &viewer, &id, &f.from, &f.body).await,
        Err(e) => Err(e),
    };
    let d = Drafts {
        compromise: f.body,
        compromise_from: f.from,
        ..Drafts::default()
    };
    after(&state, &who, &id, d, r, "#rate").await
}

#[derive(Deserialize)]
pub struct AgreementForm {
    #[serde(default)]
    option_id: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    trial_days: String,
}

pub async fn propose_agreement(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<AgreementForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("agreement", &mut f.body)]) {
        let d = Drafts {
            option_id: f.option_id,
            agreement: f.body,
            trial_days: f.trial_days,
            coach_panel: Some(panel),
            ..Drafts::default()
        };
        return problem_page(&state, &who, &id, d, None).await;
    }
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => {
            uc::propose_agreement(&state, &viewer, &id, &f.option_id, &f.body, &f.trial_days)
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    let d = Drafts {
        option_id: f.option_id,
        agreement: f.body,
        trial_days: f.trial_days,
        ..Drafts::default()
    };
    after(&state, &who, &id, d, r, "#agreement").await
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    worked: String,
    #[serde(default)]
    note: String,
}

pub async fn follow_up(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<FollowUpForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("note", &mut f.note)]) {
        let d = Drafts {
            worked: f.worked,
            note: f.note,
            coach_panel: Some(panel),
            ..Drafts::default()
        };
        return problem_page(&state, &who, &id, d, None).await;
    }
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::answer_follow_up(&state, &viewer, &id, &f.worked, &f.note).await,
        Err(e) => Err(e),
    };
    let d = Drafts {
        worked: f.worked,
        note: f.note,
        ..Drafts::default()
    };
    after(&state, &who, &id, d, r, "#follow-up").await
}

#[derive(Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    outcome: String,
}

pub async fn decide(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<DecisionForm>,
) -> PageResult {
    let r = match pair_viewer(&state, &who).await {
        Ok(viewer) => uc::decide(&state, &viewer, &id, &f.outcome)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    after(&state, &who, &id, Drafts::default(), r, "").await
}

// ---- professional help ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "counseling.html")]
struct CounselingPage {
    c: Chrome,
    professional: Vec<Resource>,
    counseling: Vec<Resource>,
    crisis: Vec<Resource>,
}

pub async fn counseling(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
) -> PageResult {
    let c = match &who {
        Some(w) => Chrome::signed_in("Working with a counselor", w),
        None => Chrome::anonymous("Working with a counselor", String::new()),
    };
    let r = &state.config.resources;
    render_with_status(
        StatusCode::OK,
        &CounselingPage {
            c,
            professional: r.professional.clone(),
            counseling: r.counseling.clone(),
            crisis: r.crisis.clone(),
        },
    )
}
