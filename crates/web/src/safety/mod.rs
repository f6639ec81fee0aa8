//! The private safety check and the pause, shared by pages and the API.

pub mod api;
pub mod page;
pub mod resources;

use rekindle_domain::safety::{HitsResult, POSTPONE_DAYS, score_hits};
use rekindle_storage::{NewScreen, UserId};

use crate::http::error::AppError;
use crate::http::secrets::new_id;
use crate::state::AppState;

pub fn parse_answers(raw: [&str; 4]) -> Result<[u8; 4], AppError> {
    let mut out = [0u8; 4];
    for (i, r) in raw.iter().enumerate() {
        out[i] = r
            .trim()
            .parse::<u8>()
            .ok()
            .filter(|v| (1..=5).contains(v))
            .ok_or_else(|| AppError::field("answers", "Choose one answer for each question."))?;
    }
    Ok(out)
}

pub async fn take(
    state: &AppState,
    user_id: &UserId,
    answers: [u8; 4],
) -> Result<HitsResult, AppError> {
    let r = score_hits(answers)
        .ok_or_else(|| AppError::field("answers", "Choose one answer for each question."))?;
    state
        .repo
        .save_screen(&NewScreen {
            id: new_id(),
            user_id: user_id.clone(),
            answers: answers.map(i64::from),
            total: i64::from(r.total),
            positive: r.positive,
            created_at: state.clock().now_ms(),
        })
        .await?;
    Ok(r)
}

pub async fn postpone(state: &AppState, user_id: &UserId) -> Result<(), AppError> {
    let until = state.clock().now_ms() + POSTPONE_DAYS * 24 * 3600 * 1000;
    Ok(state.repo.postpone_offer(user_id, until).await?)
}

pub fn has_safety_signal(text: &str) -> bool {
    !rekindle_coach::safety::findings(text).is_empty()
}
