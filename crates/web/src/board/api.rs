//! The problem board as JSON (steps 5 and 6). Every answer carries only what the
//! caller may see: a partner's sealed ideas, unrevealed ratings and follow-up
//! answers are never part of it.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rekindle_domain::board::{self as bd, Move};
use rekindle_storage::{BoardAgreement, BoardFollowUp, BoardProblem, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::board::{self as uc, CoachNote, ProblemView};
use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;

#[derive(OpenApi)]
#[openapi(paths(
    coach,
    overview,
    propose,
    show,
    accept,
    talk_first,
    withdraw,
    add_option,
    finish_brainstorm,
    rate,
    compromise,
    propose_agreement,
    confirm_agreement,
    decline_agreement,
    follow_up,
    decide
))]
pub struct BoardApi;

fn who(id: Option<&str>, viewer: &Viewer) -> Option<String> {
    match id {
        Some(i) if i == viewer.user_id => Some("me".into()),
        Some(_) => Some("partner".into()),
        None => None,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ProblemSummary {
    pub id: String,
    pub title: String,
    /// proposed | talk_first | brainstorm | rating | agreed | kept | dropped | withdrawn
    pub stage: String,
    pub created_at: String,
}

fn summary(p: &BoardProblem) -> ProblemSummary {
    ProblemSummary {
        id: p.id.clone().into(),
        title: p.title.clone(),
        stage: p.stage.as_str().into(),
        created_at: iso(p.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct BoardOut {
    /// The one problem being worked on, if any.
    pub active: Option<ProblemSummary>,
    pub past: Vec<ProblemSummary>,
    /// Agreements keep not holding: finding a couples counselor may help (see `professional_help_url`).
    pub suggest_professional_help: bool,
    pub professional_help_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct OptionOut {
    pub id: String,
    pub body: String,
    /// "me" or "partner"
    pub by: String,
    /// Written in the open while rating, by combining ideas.
    pub compromise: bool,
    pub combined_from: Vec<String>,
    pub round: i64,
    /// This round's ratings, 0–10: mine, and my partner's once both rated it.
    pub my_rating: Option<u8>,
    pub partner_rating: Option<u8>,
}

#[derive(Serialize, ToSchema)]
pub struct RankedOut {
    pub option_id: String,
    pub place: usize,
    pub my_rating: u8,
    pub partner_rating: u8,
    pub lower: u8,
    pub sum: u8,
    /// Either of you rated it 0–2: marked and ranked last.
    pub unacceptable: bool,
}

#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    pub id: String,
    pub option_id: Option<String>,
    pub body: String,
    /// draft | active | kept | adjusted | dropped
    pub status: String,
    pub trial_days: i64,
    pub written_by: Option<String>,
    pub agreed_at: Option<String>,
    pub follow_up_at: Option<String>,
    pub decided_at: Option<String>,
    /// Where to plan actions for an agreement both agreed to.
    pub plan_url: Option<String>,
}

fn agreement_out(a: &BoardAgreement, viewer: &Viewer) -> AgreementOut {
    AgreementOut {
        id: a.id.clone().into(),
        option_id: a.option_id.clone().map(String::from),
        body: a.body.clone(),
        status: a.status.as_str().into(),
        trial_days: a.trial_days,
        written_by: who(a.proposed_by.as_deref(), viewer),
        agreed_at: a.confirmed_at.map(iso),
        follow_up_at: a.follow_up_at.map(iso),
        decided_at: a.decided_at.map(iso),
        plan_url: a.confirmed_at.map(|_| uc::plan_link(&a.id)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    /// yes | partly | no
    pub worked: String,
    pub note: String,
    pub answered_at: String,
}

fn answer_out(f: &BoardFollowUp) -> AnswerOut {
    AnswerOut {
        worked: f.worked.as_str().to_owned(),
        note: f.note.clone(),
        answered_at: iso(f.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpOut {
    pub agreement_id: String,
    /// The follow-up date has come.
    pub due: bool,
    /// awaiting_me | awaiting_partner | open (both answers shown together)
    pub state: String,
    pub mine: Option<AnswerOut>,
    pub partner: Option<AnswerOut>,
}

#[derive(Serialize, ToSchema)]
pub struct DoneOut {
    pub me: bool,
    /// Known only once I am done too.
    pub partner: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemOut {
    pub id: String,
    pub title: String,
    pub stage: String,
    pub round: i64,
    /// "me" or "partner"
    pub proposed_by: Option<String>,
    pub talk_requested_by: Option<String>,
    /// A link to open a talk about it, once the talk room exists.
    pub talk_url: Option<String>,
    pub created_at: String,
    /// The language coach's notes on the title, for the partner who wrote it.
    pub coach: Vec<CoachNote>,
    /// Ideas I may see: mine, and my partner's once we are both done brainstorming.
    pub options: Vec<OptionOut>,
    /// Done adding ideas in this round.
    pub brainstorm_done: DoneOut,
    pub ranking_explained: String,
    /// Options both rated this round, best first.
    pub ranked: Vec<RankedOut>,
    pub agreements: Vec<AgreementOut>,
    pub follow_up: Option<FollowUpOut>,
    /// What I can do next: accept, talk_first, withdraw, add_option, finish_brainstorm, rate,
    /// compromise, propose_agreement, confirm_agreement, decline_agreement, answer_follow_up, decide.
    pub next: Vec<String>,
    pub suggest_professional_help: bool,
    /// A problem of a space that ended: read-only, with only the caller's own
    /// parts (their title, ideas, ratings and answers; the former partner's are gone).
    pub space_ended: bool,
}

const MOVES: [(Move, &str); 12] = [
    (Move::Accept, "accept"),
    (Move::TalkFirst, "talk_first"),
    (Move::Withdraw, "withdraw"),
    (Move::AddOption, "add_option"),
    (Move::FinishBrainstorm, "finish_brainstorm"),
    (Move::Rate, "rate"),
    (Move::Compromise, "compromise"),
    (Move::ProposeAgreement, "propose_agreement"),
    (Move::ConfirmAgreement, "confirm_agreement"),
    (Move::DeclineAgreement, "decline_agreement"),
    (Move::AnswerFollowUp, "answer_follow_up"),
    (Move::Decide, "decide"),
];

pub fn out(v: &ProblemView, viewer: &Viewer, suggest_help: bool) -> ProblemOut {
    let p = &v.problem;
    ProblemOut {
        id: p.id.clone().into(),
        title: p.title.clone(),
        stage: v.stage.as_str().into(),
        round: p.round,
        proposed_by: who(p.proposed_by.as_deref(), viewer),
        talk_requested_by: who(p.talk_requested_by.as_deref(), viewer),
        talk_url: p
            .talk_requested_by
            .as_ref()
            .and_then(|_| uc::talk_link(&p.id)),
        created_at: iso(p.created_at),
        coach: v.title_notes.clone(),
        options: v
            .options
            .iter()
            .map(|o| OptionOut {
                id: o.option.id.clone().into(),
                body: o.option.body.clone(),
                by: if o.mine { "me" } else { "partner" }.into(),
                compromise: o.is_compromise(),
                combined_from: o
                    .option
                    .combined_from
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect(),
                round: o.option.round,
                my_rating: o.my_rating,
                partner_rating: o.partner_rating,
            })
            .collect(),
        brainstorm_done: DoneOut {
            me: v.done.me,
            partner: v.done.me.then_some(v.done.partner),
        },
        ranking_explained: bd::RANKING_EXPLAINED.into(),
        ranked: v
            .ranked
            .iter()
            .map(|r| RankedOut {
                option_id: v.options[r.index].option.id.clone().into(),
                place: r.ranked.place,
                my_rating: r.ranked.mine,
                partner_rating: r.ranked.partner,
                lower: r.ranked.lower,
                sum: r.ranked.sum,
                unacceptable: r.ranked.unacceptable,
            })
            .collect(),
        agreements: v
            .agreements
            .iter()
            .map(|a| agreement_out(a, viewer))
            .collect(),
        follow_up: match (&v.active, &v.follow_up) {
            (Some(a), Some(f)) => Some(FollowUpOut {
                agreement_id: a.id.clone().into(),
                due: f.due,
                state: match f.reveal {
                    rekindle_domain::Reveal::AwaitingMe => "awaiting_me",
                    rekindle_domain::Reveal::AwaitingPartner => "awaiting_partner",
                    rekindle_domain::Reveal::Open => "open",
                }
                .into(),
                mine: f.mine.as_ref().map(answer_out),
                partner: f.partner.as_ref().map(answer_out),
            }),
            _ => None,
        },
        next: MOVES
            .iter()
            .filter(|(m, _)| bd::check(*m, &v.situation).is_ok())
            .map(|(_, name)| (*name).to_owned())
            .collect(),
        suggest_professional_help: suggest_help,
        space_ended: false,
    }
}

/// A problem of a space that ended, as its keeper may see it: their own parts.
fn earlier_out(p: crate::board::archive::ExportProblem) -> ProblemOut {
    let mine = |by: &str| by == "me";
    ProblemOut {
        id: p.id,
        title: p.title,
        stage: p.stage,
        round: p.options.iter().map(|o| o.round).max().unwrap_or(1),
        proposed_by: p.proposed_by.map(str::to_owned),
        talk_requested_by: None,
        talk_url: None,
        created_at: p.created_at,
        coach: Vec::new(),
        options: p
            .options
            .iter()
            .filter(|o| mine(o.by))
            .map(|o| OptionOut {
                id: o.id.clone(),
                body: o.body.clone(),
                by: "me".into(),
                compromise: o.compromise,
                combined_from: Vec::new(),
                round: o.round,
                my_rating: p
                    .ratings
                    .iter()
                    .filter(|r| r.option_id == o.id && mine(r.by))
                    .max_by_key(|r| r.round)
                    .and_then(|r| u8::try_from(r.rating).ok()),
                partner_rating: None,
            })
            .collect(),
        brainstorm_done: DoneOut {
            me: true,
            partner: None,
        },
        ranking_explained: bd::RANKING_EXPLAINED.into(),
        ranked: Vec::new(),
        agreements: p
            .agreements
            .into_iter()
            .map(|a| AgreementOut {
                id: a.id,
                option_id: None,
                body: a.body,
                status: a.status,
                trial_days: a.trial_days,
                written_by: None,
                agreed_at: a.agreed_at,
                follow_up_at: a.follow_up_at,
                decided_at: a.decided_at,
                plan_url: None,
            })
            .collect(),
        follow_up: None,
        next: Vec::new(),
        suggest_professional_help: false,
        space_ended: true,
    }
}

async fn one(state: &AppState, viewer: &Viewer, id: &str) -> ApiResult<Json<ProblemOut>> {
    let v = uc::load(state, viewer, id).await?;
    let help = match &viewer.couple_id {
        Some(c) => uc::suggest_help(state, c).await?,
        None => false,
    };
    Ok(Json(out(&v, viewer, help)))
}

/// The caller's viewer, with the pair required (and not paused) for changes.
async fn pair_viewer(state: &AppState, caller: &ApiCaller) -> ApiResult<Viewer> {
    let (viewer, space) = crate::space::viewer(state, &caller.user.id).await?;
    crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    Ok(viewer)
}

#[utoipa::path(get, path = "/api/v1/board", operation_id = "getBoard", tag = "board",
    responses((status = 200, body = BoardOut), (status = 409, description = "No partner yet, or paused", body = Problem)))]
pub async fn overview(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<BoardOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let o = uc::overview(&state, &viewer, pair).await?;
    Ok(Json(BoardOut {
        active: o.active.as_ref().map(summary),
        past: o.past.iter().map(summary).collect(),
        suggest_professional_help: o.suggest_help,
        professional_help_url: "/help/counseling".into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProposeIn {
    /// The problem, named small and specific.
    pub title: String,
}

#[utoipa::path(post, path = "/api/v1/board/problems", operation_id = "proposeProblem", tag = "board", request_body = ProposeIn,
    responses((status = 201, description = "Proposed; `coach` holds the language coach's notes on the title", body = ProblemOut),
              (status = 409, description = "Another problem is active, or no partner", body = Problem),
              (status = 422, body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ProposeIn>,
) -> ApiResult<(StatusCode, Json<ProblemOut>)> {
    let viewer = pair_viewer(&state, &caller).await?;
    let (id, _) = uc::propose(&state, &viewer, &b.title).await?;
    Ok((StatusCode::CREATED, one(&state, &viewer, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/board/problems/{id}", operation_id = "getProblem", tag = "board",
    responses((status = 200, body = ProblemOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    if let Some(p) = crate::board::archive::earlier_problem(&state, &viewer, &id).await? {
        return Ok(Json(earlier_out(p)));
    }
    one(&state, &viewer, &id).await
}

async fn step(
    state: AppState,
    caller: ApiCaller,
    id: String,
    m: Move,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::step(&state, &viewer, &id, m).await?;
    one(&state, &viewer, &id).await
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/accept", operation_id = "acceptProblem", tag = "board",
    responses((status = 200, description = "On the agenda: brainstorming starts", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn accept(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::Accept).await
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/talk-first", operation_id = "askToTalkFirst", tag = "board",
    responses((status = 200, description = "Recorded: the partner would like to talk about it first", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn talk_first(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::TalkFirst).await
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/withdraw", operation_id = "withdrawProblem", tag = "board",
    responses((status = 200, body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::Withdraw).await
}

#[derive(Deserialize, ToSchema)]
pub struct OptionIn {
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/options", operation_id = "addIdea", tag = "board", request_body = OptionIn,
    responses((status = 200, description = "Added, sealed until both are done", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn add_option(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<OptionIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::add_option(&state, &viewer, &id, &b.body).await?;
    one(&state, &viewer, &id).await
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/done", operation_id = "finishIdeas", tag = "board",
    responses((status = 200, description = "Done adding ideas this round", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn finish_brainstorm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::FinishBrainstorm).await
}

#[derive(Deserialize, ToSchema)]
pub struct RatingsIn {
    /// Every option not yet rated this round, by id: 0 (can't accept) to 10 (fully acceptable).
    pub ratings: HashMap<String, i64>,
}

#[utoipa::path(put, path = "/api/v1/board/problems/{id}/ratings", operation_id = "rateIdeas", tag = "board", request_body = RatingsIn,
    responses((status = 200, body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn rate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RatingsIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    let raw: HashMap<String, String> = b
        .ratings
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
    uc::rate(&state, &viewer, &id, &raw).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct CompromiseIn {
    /// Two or more option ids both partners rated.
    pub from: Vec<String>,
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/compromises", operation_id = "combineIdeas", tag = "board", request_body = CompromiseIn,
    responses((status = 200, description = "A new option both then rate", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn compromise(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CompromiseIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::compromise(&state, &viewer, &id, &b.from, &b.body).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct AgreementIn {
    pub option_id: String,
    /// The agreement in your words; empty takes the option's text.
    #[serde(default)]
    pub body: String,
    /// 1–90; the follow-up comes when the trial ends.
    #[schema(minimum = 1, maximum = 90)]
    pub trial_days: i64,
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/agreement", operation_id = "proposeAgreement", tag = "board", request_body = AgreementIn,
    responses((status = 200, description = "Written; waits for the partner's yes", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AgreementIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::propose_agreement(
        &state,
        &viewer,
        &id,
        &b.option_id,
        &b.body,
        &b.trial_days.to_string(),
    )
    .await?;
    one(&state, &viewer, &id).await
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/agreement/confirm", operation_id = "confirmAgreement", tag = "board",
    responses((status = 200, description = "Agreed by both; the trial starts", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn confirm_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::ConfirmAgreement).await
}

#[utoipa::path(delete, path = "/api/v1/board/problems/{id}/agreement", operation_id = "declineAgreement", tag = "board",
    responses((status = 200, description = "The written agreement is withdrawn or declined", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn decline_agreement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemOut>> {
    step(state, caller, id, Move::DeclineAgreement).await
}

#[derive(Deserialize, ToSchema)]
pub struct FollowUpIn {
    /// yes | partly | no
    pub worked: String,
    #[serde(default)]
    pub note: String,
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/follow-up", operation_id = "answerFollowUp", tag = "board", request_body = FollowUpIn,
    responses((status = 200, description = "Answered privately; both answers open together", body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn follow_up(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<FollowUpIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::answer_follow_up(&state, &viewer, &id, &b.worked, &b.note).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct DecisionIn {
    /// keep | adjust_rating | adjust_brainstorm | drop
    pub outcome: String,
}

#[utoipa::path(post, path = "/api/v1/board/problems/{id}/decision", operation_id = "decideOnAgreement", tag = "board", request_body = DecisionIn,
    responses((status = 200, body = ProblemOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<DecisionIn>,
) -> ApiResult<Json<ProblemOut>> {
    let viewer = pair_viewer(&state, &caller).await?;
    uc::decide(&state, &viewer, &id, &b.outcome).await?;
    one(&state, &viewer, &id).await
}

/// The language coach for a problem's name: the coach's findings (same shape
/// as `POST /api/v1/coach/analyze`) plus the board's naming rule, which notices
/// a problem named after the partner ("your nagging"). Advice only: nothing is
/// stored and proposing is never blocked.
#[utoipa::path(post, path = "/api/v1/board/coach", operation_id = "coachProblemName", tag = "board", request_body = crate::coach::api::CoachIn,
    responses((status = 200, body = crate::coach::api::AnalysisOut), (status = 413, body = Problem)))]
pub async fn coach(
    _caller: ApiCaller,
    JsonBody(b): JsonBody<crate::coach::api::CoachIn>,
) -> ApiResult<Json<serde_json::Value>> {
    if b.text.chars().count() > crate::coach::api::MAX_COACH_CHARS {
        return Err(crate::http::error::AppError::PayloadTooLarge(
            "The coach reads up to 10000 characters at a time.".into(),
        )
        .into());
    }
    let analysis = rekindle_coach::analyze(&b.text);
    let mut out = rekindle_coach::report::json(&b.text, &analysis);
    if let Some((start, _)) = bd::names_the_partner(&b.text)
        && let Some(findings) = out.get_mut("findings").and_then(|f| f.as_array_mut())
    {
        findings.push(serde_json::json!({
            "kind": "blame",
            "start": start,
            "end": b.text.chars().count(),
            "severity": "medium",
            "explanation": bd::NAMES_THE_PARTNER,
        }));
    }
    Ok(Json(out))
}
