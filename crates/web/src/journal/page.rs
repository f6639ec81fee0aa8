//! The journal: private by default, shared with the partner one entry at a time.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use rekindle_storage::{Entry, EntryId};
use serde::Deserialize;

use crate::coach::Coached;
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
    /// The next page of older entries, when there are any.
    older_page: Option<u32>,
    /// The page before this one, on every page but the first.
    newer_page: Option<u32>,
    has_partner: bool,
    in_space: bool,
    title: String,
    body: String,
    errors: FieldErrors,
    /// The coach's answer when the writer asked it (the no-JS coach path).
    coach_panel: Option<crate::coach::CoachPanel>,
}

impl JournalPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

/// Entries on one page of the list; older ones are a link away.
const PER_PAGE: i64 = 20;

/// `?page=` of the list: absent is the first; anything but a page that exists
/// is "not found", like any other address that leads nowhere.
fn page_number(q: Option<&str>) -> Result<u32, AppError> {
    match q {
        None => Ok(1),
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100_000).contains(n))
            .ok_or(AppError::NotFound),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    done: Option<String>,
    page: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn list_page(
    state: &AppState,
    who: &SignedIn,
    page: u32,
    draft: (String, String),
    errors: FieldErrors,
    notice: Option<String>,
    status: StatusCode,
    coach_panel: Option<crate::coach::CoachPanel>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let partner_name = space
        .as_ref()
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_default();
    let tz = tz_of(&who.user.time_zone);
    let mut entries: Vec<EntryView> = state
        .repo
        .entry_excerpts_for(&viewer, PER_PAGE + 1, i64::from(page - 1) * PER_PAGE)
        .await?
        .into_iter()
        .map(|e| view(e, &who.user.id, &partner_name, tz))
        .collect();
    if page > 1 && entries.is_empty() {
        return Err(AppError::NotFound.into());
    }
    let older_page = (entries.len() as i64 > PER_PAGE).then_some(page + 1);
    entries.truncate(PER_PAGE as usize);
    render_with_status(
        status,
        &JournalPage {
            c: Chrome::signed_in("Journal", who).with_notice(notice),
            feelings: rekindle_coach::lists::FEELINGS,
            needs: rekindle_coach::lists::NEEDS,
            entries,
            older_page,
            newer_page: (page > 1).then_some(page - 1),
            has_partner: viewer.partner_id.is_some(),
            in_space: viewer.couple_id.is_some(),
            title: draft.0,
            body: draft.1,
            errors,
            coach_panel,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    who: SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let page = page_number(q.page.as_deref())?;
    let state = state.reading().await?;
    list_page(
        &state,
        &who,
        page,
        Default::default(),
        FieldErrors::new(),
        notice_for(q.done.as_deref()),
        StatusCode::OK,
        None,
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
    Coached(mut f, ask): Coached<EntryForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        let draft = (f.title, f.body);
        let status = StatusCode::OK;
        return list_page(
            &state,
            &who,
            1,
            draft,
            FieldErrors::new(),
            None,
            status,
            Some(panel),
        )
        .await;
    }
    match crate::journal::create_entry(&state, &who.user.id, &f.title, &f.body).await {
        Ok(e) => Ok(see_other(&format!("/journal/{}?done=saved", e.id))),
        Err(e) => {
            let status = e.status();
            let errors = form_errors(e, "body")?;
            list_page(
                &state,
                &who,
                1,
                (f.title, f.body),
                errors,
                None,
                status,
                None,
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "entry.html")]
struct EntryPage {
    c: Chrome,
    /// The writer's own words may signal danger: show them (only them) a support card.
    support: bool,
    /// How many things the coach notices in the saved entry, said to its author before sharing.
    coach_notes: usize,
    /// The coach's notes and fill-in I-statement for the text in the edit box, rendered
    /// without JavaScript (only for the author, before sharing).
    coach_panel: Option<crate::coach::CoachPanel>,
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
    // What was typed (title, body) and the coach's answer about it, if it was asked.
    draft: Option<(String, String, Option<crate::coach::CoachPanel>)>,
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
    let (title, body, asked) =
        draft.unwrap_or_else(|| (entry.title.clone(), entry.body.clone(), None));
    let entry = view(
        entry,
        &who.user.id,
        &partner_name,
        tz_of(&who.user.time_zone),
    );
    let (coach_notes, coach_panel) = if entry.mine && !entry.shared {
        let saved = crate::coach::CoachPanel::of("body", &entry.body);
        let notes = saved.boxes.iter().map(|b| b.notes.len()).sum();
        let panel = match asked {
            Some(p) => p,
            None if body == entry.body => saved,
            None => crate::coach::CoachPanel::of("body", &body),
        };
        (notes, Some(panel))
    } else {
        (0, None)
    };
    render_with_status(
        status,
        &EntryPage {
            support: entry.mine && crate::safety::has_safety_signal(&entry.body),
            coach_notes,
            coach_panel,
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
    Coached(mut f, ask): Coached<EntryForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        let draft = Some((f.title, f.body, Some(panel)));
        let (errors, status) = (FieldErrors::new(), StatusCode::OK);
        return entry_page(&state, &who, &id, draft, errors, None, status).await;
    }
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
                Some((f.title, f.body, None)),
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
