//! Appreciations: write one, keep it as a draft or send it; keep the ones your
//! partner sent that mattered; the optional prompt. Works without JavaScript.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rekindle_domain::appreciation::{STARTERS, Status};
use rekindle_storage::{Appreciation, AppreciationId};
use serde::Deserialize;

use super::CoachNote;
use crate::coach::Coached;
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, DoneQuery, field_error, form_errors, render_with_status, see_other};

pub struct Item {
    pub id: String,
    pub body: String,
    pub when: String,
    pub kept: bool,
    pub from_before: bool,
    pub coach: Vec<CoachNote>,
}

fn item(a: Appreciation, tz: chrono_tz::Tz, coach: bool) -> Item {
    Item {
        coach: if coach {
            super::coach_notes(&a.body)
        } else {
            Vec::new()
        },
        when: when(a.sent_at.unwrap_or(a.created_at), tz),
        kept: a.kept,
        from_before: a.from_before,
        id: a.id.into(),
        body: a.body,
    }
}

#[derive(Template)]
#[template(path = "appreciations.html")]
struct AppreciationsPage {
    c: Chrome,
    starters: &'static [&'static str],
    partner_name: String,
    can_send: bool,
    has_partner: bool,
    drafts: Vec<Item>,
    sent: Vec<Item>,
    received: Vec<Item>,
    prompt_on: bool,
    prompt_waiting: bool,
    body: String,
    errors: FieldErrors,
    /// The coach's answer when the writer asked it (the no-JS coach path).
    coach_panel: Option<crate::coach::CoachPanel>,
    /// The draft whose box was sent back unsaved (the coach was asked, or saving failed).
    editing: Option<Editing>,
}

/// What the page keeps of a form it sends back: the new box's text and errors, the coach's
/// answer, and a draft's unsaved text.
#[derive(Default)]
struct Composing {
    body: String,
    errors: FieldErrors,
    coach_panel: Option<crate::coach::CoachPanel>,
    editing: Option<Editing>,
}

/// A draft's box as its writer sent it, not saved: its text stays in the box.
struct Editing {
    id: String,
    text: String,
    error: String,
}

impl AppreciationsPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }

    /// The unsaved text of draft `id`, when the page was sent back while editing it.
    fn editing(&self, id: &str) -> Option<&Editing> {
        self.editing.as_ref().filter(|e| e.id == id)
    }
}

fn notice(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "saved" => "Saved as a private draft. Only you can see it.",
        "sent" => "Sent. Your partner will find it under Appreciations.",
        "kept" => "Kept.",
        "unkept" => "No longer kept.",
        "deleted" => "Deleted.",
        "prompt-on" => "The gentle prompt is on: a few times a week, never more.",
        "prompt-off" => "The prompt is off.",
        "aside" => "All right. It will not ask again today.",
        _ => return None,
    };
    Some(text.to_owned())
}

async fn render_page(
    state: &AppState,
    who: &SignedIn,
    form: Composing,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let tz = tz_of(&who.user.time_zone);
    let list = state.repo.appreciations_for(&viewer).await?;
    super::opened(state, &viewer, &list).await?;
    let prompt_waiting = crate::waiting::items_for(state, &who.user.id)
        .await?
        .iter()
        .any(|i| i.kind == rekindle_domain::waiting::WaitingKind::AppreciationPrompt);
    let (mut drafts, mut sent, mut received) = (Vec::new(), Vec::new(), Vec::new());
    for a in list {
        if a.author_id != who.user.id {
            received.push(item(a, tz, false));
        } else if a.status == Status::Draft {
            drafts.push(item(a, tz, true));
        } else {
            sent.push(item(a, tz, false));
        }
    }
    let partner = space.as_ref().and_then(|s| s.partner.as_ref());
    render_with_status(
        status,
        &AppreciationsPage {
            c: Chrome::signed_in("Appreciations", who).with_notice(notice),
            starters: &STARTERS,
            partner_name: partner
                .map(|p| p.display_name.clone())
                .unwrap_or_else(|| "your partner".into()),
            can_send: crate::space::require_pair(space.as_ref(), "").is_ok(),
            has_partner: partner.is_some(),
            drafts,
            sent,
            received,
            prompt_on: state.repo.appreciation_prompt_on(&who.user.id).await?,
            prompt_waiting,
            body: form.body,
            errors: form.errors,
            coach_panel: form.coach_panel,
            editing: form.editing,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let form = Composing::default();
    render_page(
        &state,
        &who,
        form,
        notice(q.done.as_deref()),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct WriteForm {
    #[serde(default)]
    body: String,
    /// "send" sends at once; anything else keeps a private draft.
    #[serde(default)]
    action: String,
}

pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Coached(mut f, ask): Coached<WriteForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        let form = Composing {
            coach_panel: Some(with_barbs(panel, &f.body)),
            body: f.body,
            ..Composing::default()
        };
        return render_page(&state, &who, form, None, StatusCode::OK).await;
    }
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let send = f.action == "send";
    match super::create(&state, &viewer, space.as_ref(), &f.body, send).await {
        Ok(a) => Ok(see_other(&format!(
            "/appreciations?done={}#appreciation-{}",
            if send { "sent" } else { "saved" },
            a.id
        ))),
        Err(e) => {
            let status = e.status();
            let form = Composing {
                errors: form_errors(e, "body")?,
                body: f.body,
                ..Composing::default()
            };
            render_page(&state, &who, form, None, status).await
        }
    }
}

/// The appreciation coach's notes in `panel`: the usual ones and hidden barbs.
fn with_barbs(mut panel: crate::coach::CoachPanel, text: &str) -> crate::coach::CoachPanel {
    panel.boxes[0].notes = super::coach_notes(text)
        .into_iter()
        .map(|n| crate::coach::NoteView {
            label: crate::coach::label_of(&n.kind),
            kind: n.kind,
            excerpt: n.excerpt,
            explanation: n.explanation,
        })
        .collect();
    panel
}

pub async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<WriteForm>,
) -> PageResult {
    // The draft's box is sent as `body`; the coach knows it as "draft", apart from the new one.
    if let Some(panel) = ask.asked(&mut [("draft", &mut f.body)]) {
        let form = Composing {
            coach_panel: Some(with_barbs(panel, &f.body)),
            editing: Some(Editing {
                id,
                text: f.body,
                error: String::new(),
            }),
            ..Composing::default()
        };
        return render_page(&state, &who, form, None, StatusCode::OK).await;
    }
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let id = AppreciationId::from(id);
    let result = match super::edit(&state, &viewer, &id, &f.body).await {
        Ok(_) if f.action == "send" => super::send(&state, &viewer, space.as_ref(), &id)
            .await
            .map(|_| "sent"),
        Ok(_) => Ok("saved"),
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => Ok(see_other(&format!(
            "/appreciations?done={done}#appreciation-{id}"
        ))),
        Err(AppError::NotFound) => Err(AppError::NotFound.into()),
        Err(e) => {
            // The error goes beside the draft's own box, which keeps the text they sent.
            let status = e.status();
            let error = field_error(&form_errors(e, "body")?, "body");
            let form = Composing {
                editing: Some(Editing {
                    id: id.into(),
                    text: f.body,
                    error,
                }),
                ..Composing::default()
            };
            render_page(&state, &who, form, None, status).await
        }
    }
}

async fn keep_or_not(state: &AppState, who: &SignedIn, id: String, kept: bool) -> PageResult {
    let (viewer, _) = crate::space::viewer(state, &who.user.id).await?;
    super::keep(state, &viewer, &AppreciationId::from(&id), kept).await?;
    let done = if kept { "kept" } else { "unkept" };
    Ok(see_other(&format!(
        "/appreciations?done={done}#appreciation-{id}"
    )))
}

pub async fn keep(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    keep_or_not(&state, &who, id, true).await
}

pub async fn unkeep(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    keep_or_not(&state, &who, id, false).await
}

pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    super::delete(&state, &who.user.id, &AppreciationId::from(id)).await?;
    Ok(see_other("/appreciations?done=deleted"))
}

#[derive(Deserialize)]
pub struct PromptForm {
    #[serde(default)]
    on: String,
}

pub async fn prompt(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<PromptForm>,
) -> PageResult {
    let on = match f.on.as_str() {
        "1" => true,
        "0" => false,
        _ => return Err(AppError::BadRequest("Choose on or off.".into()).into()),
    };
    state
        .repo
        .set_appreciation_prompt(&who.user.id, on, state.clock().now_ms())
        .await?;
    Ok(see_other(if on {
        "/appreciations?done=prompt-on#prompt"
    } else {
        "/appreciations?done=prompt-off#prompt"
    }))
}

pub async fn set_aside(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    super::set_prompt_aside(&state, &viewer).await?;
    Ok(see_other("/appreciations?done=aside"))
}
