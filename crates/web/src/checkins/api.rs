use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::checkins::{self as uc, CheckinView, SubmissionInput};
use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, Problem};
use crate::http::json::JsonBody;
use crate::state::AppState;
use crate::view::format::iso;
use rekindle_domain::checkin::{self as ck, Item, Scores};
use rekindle_storage::{Viewer, VisibleSubmission};

#[derive(Serialize, ToSchema)]
pub struct ScoresOut {
    /// The four CSI-4 answers (item 1: 0–6, items 2–4: 0–5).
    pub csi: [u8; 4],
    /// 0–21; below 13.5 suggests relationship distress.
    pub csi_total: u8,
    pub distress: bool,
    /// Technoference answers: phone, television, computer, tablet (0–5 each).
    pub technoference: [u8; 4],
    pub technoference_mean: f64,
    pub hours_together: u16,
    pub hours_device_free: u16,
}

fn scores_out(s: Scores) -> ScoresOut {
    ScoresOut {
        csi: s.csi,
        csi_total: s.csi_total(),
        distress: ck::distressed(s.csi_total()),
        technoference: s.tech,
        technoference_mean: s.technoference(),
        hours_together: s.hours_together,
        hours_device_free: s.hours_device_free,
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubmissionOut {
    /// The author kept the numbers private; `scores` is then absent for everyone but the author.
    pub scores_private: bool,
    pub scores: Option<ScoresOut>,
    pub appreciation: String,
    pub went_well: String,
    pub topic: String,
    pub submitted_at: String,
}

fn submission_out(s: &VisibleSubmission) -> SubmissionOut {
    SubmissionOut {
        scores_private: s.scores_private,
        scores: s.scores().map(scores_out),
        appreciation: s.appreciation.clone(),
        went_well: s.went_well.clone(),
        topic: s.topic.clone(),
        submitted_at: iso(s.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct LovedOut {
    /// "me" or "partner"
    pub by: String,
    pub body: String,
}

/// A check-in as the caller may see it. The partner's part is present only in
/// stage `meeting`; before that nothing about it is returned.
#[derive(Serialize, ToSchema)]
pub struct CheckinOut {
    pub id: String,
    pub opened_at: String,
    pub closes_at: String,
    pub completed_at: Option<String>,
    /// awaiting_me | awaiting_partner | meeting | set_aside
    pub stage: String,
    pub mine: Option<SubmissionOut>,
    pub partner: Option<SubmissionOut>,
    /// Answers to "what can I do to make you feel loved this week?" (stage `meeting` only).
    pub loved: Vec<LovedOut>,
}

fn out(v: &CheckinView, viewer: &Viewer) -> CheckinOut {
    CheckinOut {
        id: v.checkin.id.clone().into(),
        opened_at: iso(v.checkin.opened_at),
        closes_at: iso(v.checkin.closes_at),
        completed_at: v.checkin.completed_at.map(iso),
        stage: v.stage.as_str().into(),
        mine: v.mine.as_ref().map(submission_out),
        partner: v.partner.as_ref().map(submission_out),
        loved: v
            .loved
            .iter()
            .map(|l| LovedOut {
                by: if l.user_id == viewer.user_id {
                    "me"
                } else {
                    "partner"
                }
                .into(),
                body: l.body.clone(),
            })
            .collect(),
    }
}

async fn one(state: &AppState, viewer: &Viewer, id: &str) -> ApiResult<Json<CheckinOut>> {
    Ok(Json(out(&uc::view(state, viewer, id).await?, viewer)))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ScheduleIo {
    /// weekly | fortnightly | monthly (monthly: the first such weekday of the month)
    pub rhythm: String,
    /// monday … sunday
    pub weekday: String,
    /// 0–23, in each partner's own time zone
    pub hour: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CurrentOut {
    pub schedule: ScheduleIo,
    /// The next scheduled check-in, in the caller's time zone's terms (as an instant).
    pub next_at: String,
    /// The check-in open for answers, if any.
    pub open: Option<CheckinOut>,
    /// The latest completed check-in of this space.
    pub latest_meeting: Option<CheckinOut>,
}

#[utoipa::path(get, path = "/api/v1/checkins/current", operation_id = "getCurrentCheckin", tag = "checkins",
    responses((status = 200, body = CurrentOut), (status = 409, description = "No partner yet", body = Problem)))]
pub async fn current(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<CurrentOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let cur = uc::current(&state, &caller.user, &viewer, pair).await?;
    let open = match &cur.open {
        Some(c) => Some(out(&uc::view(&state, &viewer, &c.id).await?, &viewer)),
        None => None,
    };
    let latest_meeting = match &cur.latest_completed {
        Some(c) => Some(out(&uc::view(&state, &viewer, &c.id).await?, &viewer)),
        None => None,
    };
    Ok(Json(CurrentOut {
        schedule: ScheduleIo {
            rhythm: cur.cadence.rhythm.as_str().into(),
            weekday: uc::weekday_key(cur.cadence.weekday).into(),
            hour: cur.cadence.hour,
        },
        next_at: iso(cur.next_at.timestamp_millis()),
        open,
        latest_meeting,
    }))
}

#[utoipa::path(put, path = "/api/v1/checkins/schedule", operation_id = "setCheckinSchedule", tag = "checkins", request_body = ScheduleIo,
    responses((status = 204, description = "Saved"), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn schedule(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<ScheduleIo>,
) -> ApiResult<StatusCode> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    uc::set_rhythm(&state, pair, &b.rhythm, &b.weekday, &b.hour.to_string()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/checkins", operation_id = "listCheckins", tag = "checkins",
    responses((status = 200, description = "Check-ins the caller may see, newest first", body = [CheckinOut])))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<CheckinOut>>> {
    let state = state.reading().await?;
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let list = state.repo.checkins_for(&viewer).await?;
    let subs = state.repo.visible_submissions(&viewer, None).await?;
    let now = state.clock().now_ms();
    Ok(Json(
        list.into_iter()
            .map(|c| out(&uc::assemble(&viewer, c, &subs, Vec::new(), now), &viewer))
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/checkins", operation_id = "beginCheckin", tag = "checkins",
    responses((status = 201, description = "A check-in opened now, outside the rhythm", body = CheckinOut),
              (status = 409, description = "No partner yet, or one is already open", body = Problem)))]
pub async fn begin(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<(StatusCode, Json<CheckinOut>)> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let id = uc::begin(&state, pair).await?;
    Ok((StatusCode::CREATED, one(&state, &viewer, &id).await?))
}

#[utoipa::path(get, path = "/api/v1/checkins/{id}", operation_id = "getCheckin", tag = "checkins",
    params(("id" = String, Path, description = "Check-in id")),
    responses((status = 200, body = CheckinOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<CheckinOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct SubmissionIn {
    /// CSI-4 answers in item order (item 1: 0–6, items 2–4: 0–5).
    #[schema(min_items = 4, max_items = 4, value_type = Vec<i64>)]
    pub csi: [i64; 4],
    /// Technoference answers: phone, television, computer, tablet (0–5 each).
    #[schema(min_items = 4, max_items = 4, value_type = Vec<i64>)]
    pub technoference: [i64; 4],
    pub hours_together: i64,
    pub hours_device_free: i64,
    #[serde(default)]
    pub appreciation: String,
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub topic: String,
    /// Keep the numbers from the partner for this check-in; the written answers are still shared.
    #[serde(default)]
    pub keep_private: bool,
}

#[utoipa::path(post, path = "/api/v1/checkins/{id}/submission", operation_id = "submitCheckin", tag = "checkins", request_body = SubmissionIn,
    params(("id" = String, Path, description = "Check-in id")),
    responses((status = 200, body = CheckinOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn submit(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<SubmissionIn>,
) -> ApiResult<Json<CheckinOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let input = SubmissionInput {
        csi: b.csi.map(Some),
        tech: b.technoference.map(Some),
        hours_together: Some(b.hours_together),
        hours_device_free: Some(b.hours_device_free),
        appreciation: b.appreciation,
        went_well: b.went_well,
        topic: b.topic,
        keep_private: b.keep_private,
    };
    uc::submit(&state, &viewer, space.as_ref(), &id, &input).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct LovedIn {
    /// What the caller's partner could do this week to make the caller feel loved.
    pub body: String,
}

#[utoipa::path(put, path = "/api/v1/checkins/{id}/loved", operation_id = "setLovedMoment", tag = "checkins", request_body = LovedIn,
    params(("id" = String, Path, description = "Check-in id")),
    responses((status = 200, body = CheckinOut), (status = 404, body = Problem),
              (status = 409, description = "Not both submitted yet", body = Problem), (status = 422, body = Problem)))]
pub async fn loved(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<LovedIn>,
) -> ApiResult<Json<CheckinOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::loved(&state, &viewer, space.as_ref(), &id, &b.body).await?;
    one(&state, &viewer, &id).await
}

#[derive(Serialize, ToSchema)]
pub struct TrendPointOut {
    pub checkin_id: String,
    pub completed_at: String,
    pub mine: Option<ScoresOut>,
    /// Absent where the partner kept their numbers private.
    pub partner: Option<ScoresOut>,
}

#[derive(Serialize, ToSchema)]
pub struct WarningOut {
    /// low_twice | reliable_drop | far_apart | missed_twice
    pub kind: String,
    /// me | partner | us
    pub about: String,
    pub message: String,
    pub basis: String,
    pub suggestion: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrendsOut {
    /// Completed check-ins of this space, oldest first.
    pub points: Vec<TrendPointOut>,
    pub warnings: Vec<WarningOut>,
    pub missed_in_a_row: usize,
}

#[utoipa::path(get, path = "/api/v1/checkins/trends", operation_id = "getCheckinTrends", tag = "checkins",
    responses((status = 200, description = "The caller's numbers, the partner's shared ones, and early warnings", body = TrendsOut)))]
pub async fn trends(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<TrendsOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let t = uc::trends(&state, &caller.user, &viewer, space.as_ref()).await?;
    Ok(Json(TrendsOut {
        points: t
            .points
            .into_iter()
            .map(|p| TrendPointOut {
                checkin_id: p.checkin_id,
                completed_at: iso(p.at),
                mine: p.mine.map(scores_out),
                partner: p.partner.map(scores_out),
            })
            .collect(),
        warnings: t
            .warnings
            .into_iter()
            .map(|w| WarningOut {
                kind: w.kind.as_str().into(),
                about: w.about.as_str().into(),
                message: w.message,
                basis: w.basis,
                suggestion: w.suggestion,
            })
            .collect(),
        missed_in_a_row: t.missed_in_a_row,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub key: String,
    pub text: String,
    /// The answer labels; an answer's value is its position (0-based).
    pub labels: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct InstrumentsOut {
    pub csi4: Vec<ItemOut>,
    pub csi4_citation: String,
    pub csi4_distress_cutoff: f64,
    pub technoference_stem: String,
    pub technoference: Vec<ItemOut>,
    pub technoference_citation: String,
    pub shared_time_citation: String,
}

fn items(list: &[Item]) -> Vec<ItemOut> {
    list.iter()
        .map(|i| ItemOut {
            key: i.key.into(),
            text: i.text.into(),
            labels: i.labels.iter().map(|l| (*l).to_owned()).collect(),
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/checkins/instruments", operation_id = "listCheckinInstruments", tag = "checkins",
    responses((status = 200, description = "The exact published items and answer labels", body = InstrumentsOut)))]
pub async fn instruments(_caller: ApiCaller) -> Json<InstrumentsOut> {
    Json(InstrumentsOut {
        csi4: items(&ck::CSI4),
        csi4_citation: ck::CSI4_CITATION.into(),
        csi4_distress_cutoff: ck::CSI4_DISTRESS_CUTOFF,
        technoference_stem: ck::TECHNOFERENCE_STEM.into(),
        technoference: items(&ck::TECHNOFERENCE),
        technoference_citation: ck::TECHNOFERENCE_CITATION.into(),
        shared_time_citation: ck::SHARED_TIME_CITATION.into(),
    })
}
