//! The hand-off pages: prepare together, approve, print, make and revoke links;
//! and the page a counselor's link opens (no account needed).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;

use super::{Draft, Summary};
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, PageResult};
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, DoneQuery, render, render_with_status, see_other};

#[derive(Template)]
#[template(path = "handoff.html")]
struct HandoffPage {
    c: Chrome,
    d: Option<Draft>,
    /// A link just made: shown once.
    new_link: Option<(String, String)>,
    link_times: Vec<(String, String)>,
    error: String,
}

fn notice(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "chosen" => "Updated. Any earlier approval is cleared: you both look again.",
            "approved" => "Approved.",
            "revoked" => "The link no longer works.",
            _ => return None,
        }
        .to_owned(),
    )
}

async fn render_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    new_link: Option<(String, String)>,
    error: Option<AppError>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let d = if crate::space::require_pair(space.as_ref(), "").is_ok() {
        Some(super::draft(state, &viewer, space.as_ref(), &who.user.display_name).await?)
    } else {
        None
    };
    let tz = tz_of(&who.user.time_zone);
    let link_times = d
        .as_ref()
        .map(|d| {
            d.links
                .iter()
                .map(|l| (when(l.created_at, tz), when(l.expires_at, tz)))
                .collect()
        })
        .unwrap_or_default();
    render_with_status(
        status,
        &HandoffPage {
            c: Chrome::signed_in("Summary for a counselor", who).with_notice(notice),
            d,
            new_link,
            link_times,
            error: error.map(|e| e.detail()).unwrap_or_default(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    render_page(&state, &who, notice(q.done.as_deref()), None, None).await
}

#[derive(Deserialize)]
pub struct ChooseForm {
    #[serde(default)]
    item: String,
    #[serde(default)]
    chosen: String,
}

pub async fn choose(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ChooseForm>,
) -> PageResult {
    let chosen = match f.chosen.as_str() {
        "1" => true,
        "0" => false,
        _ => {
            return render_page(
                &state,
                &who,
                None,
                None,
                Some(AppError::BadRequest("Choose or remove an item.".into())),
            )
            .await;
        }
    };
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    match super::choose(
        &state,
        &viewer,
        space.as_ref(),
        &who.user.display_name,
        &f.item,
        chosen,
    )
    .await
    {
        Ok(_) => Ok(see_other("/handoff?done=chosen#choose")),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => render_page(&state, &who, None, None, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    version: String,
}

pub async fn approve(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ApproveForm>,
) -> PageResult {
    let Ok(version) = f.version.trim().parse::<i64>() else {
        return render_page(
            &state,
            &who,
            None,
            None,
            Some(AppError::BadRequest(
                "That is not a version of the summary.".into(),
            )),
        )
        .await;
    };
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    match super::approve(
        &state,
        &viewer,
        space.as_ref(),
        &who.user.display_name,
        version,
    )
    .await
    {
        Ok(_) => Ok(see_other("/handoff?done=approved#approve")),
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => render_page(&state, &who, None, None, Some(e)).await,
    }
}

#[derive(Template)]
#[template(path = "handoff_print.html")]
struct PrintPage {
    c: Chrome,
    /// `None` until both approved: the page says so.
    s: Option<Summary>,
    shared_link: bool,
}

pub async fn print(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let s =
        match super::final_summary(&state, &viewer, space.as_ref(), &who.user.display_name).await {
            Ok(s) => Some(s),
            Err(AppError::Conflict(_)) => None,
            Err(e) => return Err(e.into()),
        };
    render(&PrintPage {
        c: Chrome::signed_in("Summary for a counselor", &who),
        s,
        shared_link: false,
    })
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    days: String,
}

pub async fn create_link(
    State(state): State<AppState>,
    who: SignedIn,
    headers: axum::http::HeaderMap,
    Form(f): Form<LinkForm>,
) -> PageResult {
    let days = match f.days.trim() {
        "" => None,
        d => match d.parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                return render_page(
                    &state,
                    &who,
                    None,
                    None,
                    Some(AppError::field("days", "A link works for 1 to 14 days.")),
                )
                .await;
            }
        },
    };
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    match super::create_link(&state, &viewer, space.as_ref(), days).await {
        Ok(l) => {
            let url = format!(
                "{}/handoff/s/{}",
                crate::http::base_url(&state, &headers),
                l.token
            );
            let until = when(l.expires_at, tz_of(&who.user.time_zone));
            render_page(&state, &who, None, Some((url, until)), None).await
        }
        Err(e @ AppError::Internal(_)) => Err(e.into()),
        Err(e) => render_page(&state, &who, None, None, Some(e)).await,
    }
}

pub async fn revoke_link(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    super::revoke(&state, space.as_ref(), &id).await?;
    Ok(see_other("/handoff?done=revoked#links"))
}

/// The counselor's page: no account, never cached, never indexed.
pub async fn shared(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> axum::response::Response {
    let mut resp = match super::by_token(&state, &token).await {
        Ok(s) => render(&PrintPage {
            c: Chrome::anonymous("Summary for a counselor", String::new()),
            s: Some(s),
            shared_link: true,
        })
        .into_response(),
        Err(e) => crate::http::error::PageError(e).into_response(),
    };
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}
