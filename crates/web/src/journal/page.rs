//! The journal: private by default, shared with the partner one entry at a time.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rekindle_storage::{Entry, EntryId};
use serde::Deserialize;

use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::DoneQuery;
use crate::view::form_errors;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, field_error, notice_for, render_with_status, see_other};
use rekindle_domain::Visibility;

pub struct EntryView {
    pub id: String,
    pub mine: bool,
    pub shared: bool,
    pub title: String,
    pub body: String,
    pub written: String,
    pub author: String,
}

fn view(e: Entry, me: &str, partner_name: &str, tz: chrono_tz::Tz) -> EntryView {
    let mine = e.owner_id == me;
    EntryView {
        mine,
        shared: e.visibility == Visibility::Shared,
        title: if e.title.is_empty() {
            "Untitled".into()
        } else {
            e.title
        },
        body: e.body,
        written: when(e.created_at, tz),
        author: if mine {
            "You".into()
        } else {
            partner_name.to_owned()
        },
        id: e.id.into(),
    }
}

#[derive(Template)]
#[template(path = "journal.html")]
struct JournalPage {
    c: Chrome,
    feelings: &'static [rekindle_coach::lists::FeelingGroup],
    needs: &'static [rekindle_coach::lists::NeedGroup],
    entries: Vec<EntryView>,
    has_partner: bool,
    in_space: bool,
    title: String,
    body: String,
    errors: FieldErrors,
}

impl JournalPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

async fn list_page(
    state: &AppState,
    who: &SignedIn,
    draft: (String, String),
    errors: FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let partner_name = space
        .as_ref()
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_default();
    let tz = tz_of(&who.user.time_zone);
    let entries = state
        .repo
        .entries_for(&viewer)
        .await?
        .into_iter()
        .map(|e| view(e, &who.user.id, &partner_name, tz))
        .collect();
    render_with_status(
        status,
        &JournalPage {
            c: Chrome::signed_in("Journal", who).with_notice(notice),
            feelings: rekindle_coach::lists::FEELINGS,
            needs: rekindle_coach::lists::NEEDS,
            entries,
            has_partner: viewer.partner_id.is_some(),
            in_space: viewer.couple_id.is_some(),
            title: draft.0,
            body: draft.1,
            errors,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let state = state.reading().await?;
    list_page(
        &state,
        &who,
        Default::default(),
        FieldErrors::new(),
        notice_for(q.done.as_deref()),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

pub async fn create(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<EntryForm>,
) -> PageResult {
    match crate::journal::create_entry(&state, &who.user.id, &f.title, &f.body).await {
        Ok(e) => Ok(see_other(&format!("/journal/{}?done=saved", e.id))),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "body")?;
            list_page(&state, &who, (f.title, f.body), errors, None, status).await
        }
    }
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    c: Chrome,
    /// The writer's own words may signal danger: show them (only them) a support card.
    support: bool,
    /// What the coach notices in the entry, shown to its author before sharing:
    /// (label, quoted words, explanation).
    coach: Vec<(&'static str, String, String)>,
    /// The fill-in I-statement for the same problems, rendered without JavaScript.
    builder: Option<crate::coach::BuilderView>,
    entry: EntryView,
    in_space: bool,
    title: String,
    body: String,
    errors: FieldErrors,
}

impl EntryPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

async fn entry_page(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    draft: Option<(String, String)>,
    errors: FieldErrors,
    notice: Option<String>,
    status: StatusCode,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let entry = state
        .repo
        .entry_for(&viewer, &EntryId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    crate::journal::opened(state, &viewer, &entry).await?;
    let partner_name = space
        .as_ref()
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_default();
    let (title, body) = draft.unwrap_or_else(|| (entry.title.clone(), entry.body.clone()));
    let entry = view(
        entry,
        &who.user.id,
        &partner_name,
        tz_of(&who.user.time_zone),
    );
    let (coach, builder) = if entry.mine && !entry.shared {
        coach_notes(&entry.body)
    } else {
        (Vec::new(), None)
    };
    render_with_status(
        status,
        &EntryPage {
            support: entry.mine && crate::safety::has_safety_signal(&entry.body),
            coach,
            builder,
            c: Chrome::signed_in("Journal entry", who).with_notice(notice),
            entry,
            in_space: viewer.couple_id.is_some(),
            title,
            body,
            errors,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    entry_page(
        &state,
        &who,
        &id,
        None,
        FieldErrors::new(),
        notice_for(q.done.as_deref()),
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<EntryForm>,
) -> PageResult {
    match crate::journal::check_entry(&f.title, &f.body) {
        Ok((title, body)) => {
            if !state
                .repo
                .update_entry(
                    &who.user.id,
                    &EntryId::from(&id),
                    &title,
                    &body,
                    state.clock().now_ms(),
                )
                .await?
            {
                return Err(AppError::NotFound.into());
            }
            Ok(see_other(&format!("/journal/{id}?done=saved")))
        }
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "body")?;
            entry_page(
                &state,
                &who,
                &id,
                Some((f.title, f.body)),
                errors,
                None,
                status,
            )
            .await
        }
    }
}

async fn set_shared(state: &AppState, who: &SignedIn, id: &str, shared: bool) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    if !crate::journal::set_shared(state, &viewer, space.as_ref(), id, shared).await? {
        return Err(AppError::NotFound.into());
    }
    let done = if shared { "shared" } else { "unshared" };
    Ok(see_other(&format!("/journal/{id}?done={done}")))
}

pub async fn share(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    set_shared(&state, &who, &id, true).await
}

pub async fn unshare(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    set_shared(&state, &who, &id, false).await
}

pub async fn delete(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    if !state
        .repo
        .delete_entry(&who.user.id, &EntryId::from(&id))
        .await?
    {
        return Err(AppError::NotFound.into());
    }
    Ok(see_other("/journal?done=deleted"))
}

/// The coach's problem findings for a text and its fill-in I-statement, rendered on the
/// server so they show before sharing even without JavaScript.
#[allow(clippy::type_complexity)]
fn coach_notes(
    text: &str,
) -> (
    Vec<(&'static str, String, String)>,
    Option<crate::coach::BuilderView>,
) {
    let chars: Vec<char> = text.chars().collect();
    let analysis = rekindle_coach::analyze(text);
    let builder = analysis
        .builder
        .as_ref()
        .map(crate::coach::BuilderView::from_builder);
    let notes = analysis
        .findings
        .into_iter()
        .filter(|f| f.kind.is_problem())
        .map(|f| {
            let words: String = chars
                .get(f.start..f.end)
                .map(|c| c.iter().collect())
                .unwrap_or_default();
            (f.kind.as_str(), words, f.explanation.to_string())
        })
        .collect();
    (notes, builder)
}
