use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::JsonBody;

pub const MAX_COACH_CHARS: usize = 10_000;

#[derive(Deserialize, ToSchema)]
pub struct CoachIn {
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct FindingOut {
    /// blame | absolute | criticism | contempt | defensiveness | stonewalling | pseudo_feeling |
    /// i_statement | request | repair | validation; from the appreciation coach also
    /// hidden_barb
    pub kind: String,
    /// Character (Unicode scalar) offset where the finding starts.
    pub start: usize,
    pub end: usize,
    pub severity: String,
    pub explanation: String,
}

#[derive(Serialize, ToSchema)]
pub struct RewriteOut {
    pub text: String,
    pub feeling: String,
    pub need: String,
}

#[derive(Serialize, ToSchema)]
pub struct PronounsOut {
    pub i: u32,
    pub we: u32,
    pub you: u32,
}

/// The fill-in I-statement: "When I {sense} {observation}, I feel {feeling}, because I
/// need {need}. Would you {request}?" — prefilled from the writer's own words, with feeling
/// and need offered as choices.
#[derive(Serialize, ToSchema)]
pub struct BuilderOut {
    /// `see`, or `hear` for something said.
    pub sense: String,
    /// What happened, in the writer's words; empty when the writer should fill it in.
    pub observation: String,
    pub feeling: String,
    /// Feelings to choose from (the prefilled one first).
    pub feeling_choices: Vec<String>,
    pub need: String,
    /// Needs to choose from (the prefilled one first).
    pub need_choices: Vec<String>,
    /// What to ask for, after "Would you"; empty when the writer should say it.
    pub request: String,
    /// The whole sentence, only when it is complete and grammatical.
    pub text: Option<String>,
}

/// Same shape as `rekindle coach --json`.
#[derive(Serialize, ToSchema)]
pub struct AnalysisOut {
    pub text: String,
    pub findings: Vec<FindingOut>,
    pub rewrites: Vec<RewriteOut>,
    pub pronouns: PronounsOut,
    /// The I-statement builder; `null` when the coach found no problem.
    pub builder: Option<BuilderOut>,
}

fn check_len(text: &str) -> Result<(), AppError> {
    if text.chars().count() > MAX_COACH_CHARS {
        return Err(AppError::PayloadTooLarge(format!(
            "The coach reads up to {MAX_COACH_CHARS} characters at a time. Try a shorter passage."
        )));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/coach/analyze", operation_id = "analyzeText", tag = "coach", request_body = CoachIn,
    responses((status = 200, body = AnalysisOut), (status = 413, body = Problem)))]
pub async fn analyze(
    _caller: ApiCaller,
    JsonBody(b): JsonBody<CoachIn>,
) -> ApiResult<Json<serde_json::Value>> {
    check_len(&b.text)?;
    let analysis = rekindle_coach::analyze(&b.text);
    Ok(Json(rekindle_coach::report::json(&b.text, &analysis)))
}

#[derive(Serialize, ToSchema)]
pub struct ParaphraseOut {
    /// A scaffold the listener edits before sending.
    pub paraphrase: String,
}

#[utoipa::path(post, path = "/api/v1/coach/paraphrase", operation_id = "checkParaphrase", tag = "coach", request_body = CoachIn,
    responses((status = 200, body = ParaphraseOut), (status = 413, body = Problem)))]
pub async fn paraphrase(
    _caller: ApiCaller,
    JsonBody(b): JsonBody<CoachIn>,
) -> ApiResult<Json<ParaphraseOut>> {
    check_len(&b.text)?;
    Ok(Json(ParaphraseOut {
        paraphrase: rekindle_coach::paraphrase(&b.text),
    }))
}
