//! Step 2's pages: the day's question, a question's page, decks and history.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::coach::{CoachPanel, Coached};
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, PageResult};
use crate::questions::{self as uc, QuestionView, REACTIONS};
use crate::state::AppState;
use crate::view::DoneQuery;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, notice_for, render_with_status, see_other};
use rekindle_domain::questions as q;
use rekindle_storage::{Space, Viewer};

/// A question as the template shows it, with everything already decided.
pub struct Card {
    pub id: String,
    pub deck_title: String,
    pub depth: String,
    pub text: String,
    /// Asked under the revealed answers.
    pub follow_up: String,
    pub state: &'static str,
    pub released: String,
    pub my_answer: Option<String>,
    pub partner_answer: Option<String>,
    pub partner_answer_id: String,
    pub partner_name: String,
    /// Reactions the partner left on my answer.
    pub received: Vec<&'static str>,
    /// The reactions I can leave on the partner's answer: (kind, label, already sent).
    pub reaction_buttons: Vec<(&'static str, &'static str, bool)>,
    pub replies: Vec<(String, String, String)>,
    /// My own answer may signal danger: a support card, for me only.
    pub support: bool,
}

pub fn card(v: QuestionView, viewer: &Viewer, partner_name: &str, tz: chrono_tz::Tz) -> Card {
    let label = |kind: &str| {
        REACTIONS
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or("", |(_, l)| *l)
    };
    let mine_id = v.mine.as_ref().map(|m| m.id.clone()).unwrap_or_default();
    Card {
        id: v.asked.id.clone().into(),
        deck_title: v.deck_title.to_owned(),
        depth: q::depth_label(v.question.depth).to_owned(),
        text: v.question.text.clone(),
        follow_up: v.question.follow_up.clone(),
        state: v.view.as_str(),
        released: when(v.asked.released_at, tz),
        my_answer: v
            .mine
            .as_ref()
            .filter(|m| !m.skipped)
            .map(|m| m.body.clone()),
        support: v
            .mine
            .as_ref()
            .is_some_and(|m| crate::safety::has_safety_signal(&m.body)),
        partner_answer: v.partner.as_ref().map(|p| p.body.clone()),
        partner_answer_id: v
            .partner
            .as_ref()
            .map(|p| p.id.clone())
            .unwrap_or_default()
            .into(),
        partner_name: partner_name.to_owned(),
        received: v
            .reactions
            .iter()
            .filter(|r| r.answer_id == mine_id && r.user_id != viewer.user_id)
            .map(|r| label(&r.kind))
            .collect(),
        reaction_buttons: REACTIONS
            .iter()
            .map(|(kind, label)| {
                let sent = v
                    .reactions
                    .iter()
                    .any(|r| r.user_id == viewer.user_id && r.kind == *kind);
                (*kind, *label, sent)
            })
            .collect(),
        replies: v
            .replies
            .into_iter()
            .map(|r| {
                let who = if r.user_id == viewer.user_id {
                    "You".to_owned()
                } else {
                    partner_name.to_owned()
                };
                (who, r.body, when(r.created_at, tz))
            })
            .collect(),
    }
}

fn partner_name(space: Option<&Space>) -> String {
    space
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_else(|| "Your partner".into())
}

#[derive(Template)]
#[template(path = "questions.html")]
struct TodayPage {
    c: Chrome,
    /// Never set here (the card's template reads it): the coach answers on
    /// the question's own page.
    coach_panel: Option<CoachPanel>,
    paused: bool,
    paired: bool,
    t: std::sync::Arc<Today>,
}

/// Today's question as the page shows it: kept between changes
/// (`AppState::kept`) until the next question's release time.
struct Today {
    card: Option<Card>,
    hour: i64,
    /// The latest release time when it was read (ms).
    release: i64,
}

pub async fn today(
    State(state): State<AppState>,
    who: SignedIn,
    Query(d): Query<DoneQuery>,
) -> PageResult {
    let state = state.reading().await?;
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let c = Chrome::signed_in("Questions", &who).with_notice(notice_for(d.done.as_deref()));
    let Ok(pair) = crate::space::require_pair(space.as_ref(), uc::FOR_TWO) else {
        let paused = space.as_ref().is_some_and(|s| s.paused);
        let page = TodayPage {
            c,
            coach_panel: None,
            paused,
            paired: false,
            t: std::sync::Arc::new(Today {
                card: None,
                hour: uc::DEFAULT_RELEASE_HOUR,
                release: 0,
            }),
        };
        return render_with_status(StatusCode::OK, &page);
    };
    let tz = tz_of(&who.user.time_zone);
    let release_at = |hour: i64| {
        let hour = u32::try_from(hour).unwrap_or(19);
        rekindle_domain::questions::latest_release(state.clock().now(), hour, tz).timestamp_millis()
    };
    let read = async {
        let (asked, hour) = uc::today(&state, &who.user, &viewer, pair).await?;
        let card = match asked {
            Some(asked) => Some(card(
                uc::view_of(&state, &viewer, asked).await?,
                &viewer,
                &partner_name(space.as_ref()),
                tz,
            )),
            None => None,
        };
        Ok(Today {
            card,
            hour,
            release: release_at(hour),
        })
    };
    let t = state
        .kept(
            "questions-today",
            who.user.id.as_str(),
            |t: &Today| t.release == release_at(t.hour),
            read,
        )
        .await?;
    render_with_status(
        StatusCode::OK,
        &TodayPage {
            c,
            coach_panel: None,
            paused: false,
            paired: true,
            t,
        },
    )
}

#[derive(Template)]
#[template(path = "question.html")]
struct QuestionPage {
    c: Chrome,
    q: Card,
    error: String,
    draft: String,
    /// The coach's answer when the writer asked it (the no-JS coach path).
    coach_panel: Option<CoachPanel>,
}

async fn question_page(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    error: Option<AppError>,
    draft: String,
    coach_panel: Option<CoachPanel>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let v = uc::view(state, &viewer, id).await?;
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let page = QuestionPage {
        c: Chrome::signed_in("Question", who),
        q: card(
            v,
            &viewer,
            &partner_name(space.as_ref()),
            tz_of(&who.user.time_zone),
        ),
        error: error.map(|e| e.detail()).unwrap_or_default(),
        draft,
        coach_panel,
    };
    render_with_status(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    question_page(&state, &who, &id, None, String::new(), None).await
}

#[derive(Deserialize)]
pub struct BodyForm {
    #[serde(default)]
    body: String,
}

/// Runs a change; on a problem the page is shown again with the message and the text kept.
async fn act(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    draft: String,
    result: Result<(), AppError>,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/questions/{id}"))),
        Err(e @ (AppError::NotFound | AppError::Internal(_))) => Err(e.into()),
        Err(e) => question_page(state, who, id, Some(e), draft, None).await,
    }
}

pub async fn answer(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<BodyForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        return question_page(&state, &who, &id, None, f.body, Some(panel)).await;
    }
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let r = uc::answer(&state, &viewer, &id, Some(&f.body)).await;
    act(&state, &who, &id, f.body, r).await
}

pub async fn skip(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let r = uc::answer(&state, &viewer, &id, None).await;
    act(&state, &who, &id, String::new(), r).await
}

#[derive(Deserialize)]
pub struct ReactForm {
    #[serde(default)]
    answer_id: String,
    #[serde(default)]
    kind: String,
}

pub async fn react(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<ReactForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let r = uc::react(&state, &viewer, &id, &f.answer_id, &f.kind).await;
    act(&state, &who, &id, String::new(), r).await
}

pub async fn reply(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<BodyForm>,
) -> PageResult {
    if let Some(panel) = ask.asked(&mut [("body", &mut f.body)]) {
        return question_page(&state, &who, &id, None, f.body, Some(panel)).await;
    }
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let r = uc::reply(&state, &viewer, &id, &f.body).await;
    act(&state, &who, &id, f.body, r).await
}

#[derive(Template)]
#[template(path = "decks.html")]
struct DecksPage {
    c: Chrome,
    decks: Vec<uc::DeckRow>,
    paired: bool,
    /// A problem with the last change, shown at the top of the page.
    error: String,
    /// The deck shown open (the one just changed, or picked from the list);
    /// the others stay folded to one line, so the page stays short on a phone.
    open: String,
}

impl DecksPage {
    fn is_open(&self, slug: &str) -> bool {
        self.open == slug
    }
}

#[derive(Deserialize, Default)]
pub struct DecksQuery {
    done: Option<String>,
    open: Option<String>,
}

async fn decks_page(
    state: &AppState,
    who: &SignedIn,
    error: Option<AppError>,
    done: Option<&str>,
    open: &str,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let page = DecksPage {
        c: Chrome::signed_in("Question decks", who).with_notice(notice_for(done)),
        decks: uc::deck_rows(state, &viewer).await?,
        paired: crate::space::require_pair(space.as_ref(), uc::FOR_TWO).is_ok(),
        error: error.map(|e| e.detail()).unwrap_or_default(),
        open: open.to_owned(),
    };
    render_with_status(status, &page)
}

pub async fn decks(
    State(state): State<AppState>,
    who: SignedIn,
    Query(d): Query<DecksQuery>,
) -> PageResult {
    let state = state.reading().await?;
    decks_page(
        &state,
        &who,
        None,
        d.done.as_deref(),
        d.open.as_deref().unwrap_or_default(),
    )
    .await
}

pub async fn ask(
    State(state): State<AppState>,
    who: SignedIn,
    Path(slug): Path<String>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    match uc::ask_from_deck(&state, &viewer, pair, &slug).await {
        Ok(id) => Ok(see_other(&format!("/questions/{id}"))),
        Err(e @ AppError::Conflict(_)) => decks_page(&state, &who, Some(e), None, &slug).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    on: String,
}

/// Switches a deck on or off for the person alone; the page says only whether
/// it is on for the two of them, never who switched it off.
pub async fn choose(
    State(state): State<AppState>,
    who: SignedIn,
    Path(slug): Path<String>,
    Form(f): Form<ChoiceForm>,
) -> PageResult {
    let (viewer, _) = crate::space::viewer(&state, &who.user.id).await?;
    let on = match uc::parse_on(&f.on) {
        Ok(on) => on,
        Err(e) => return decks_page(&state, &who, Some(e), None, &slug).await,
    };
    uc::set_deck_choice(&state, &viewer, &slug, on).await?;
    Ok(see_other(&format!(
        "/questions/decks?done=saved&open={slug}#deck-{slug}"
    )))
}

#[derive(Deserialize, Default)]
pub struct HistoryQuery {
    q: Option<String>,
    deck: Option<String>,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    c: Chrome,
    items: Vec<Card>,
    decks: Vec<uc::DeckRow>,
    search: String,
    deck: String,
}

pub async fn history(
    State(state): State<AppState>,
    who: SignedIn,
    Query(h): Query<HistoryQuery>,
) -> PageResult {
    let state = state.reading().await?;
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let deck = h.deck.filter(|d| !d.is_empty());
    let (views, _) = uc::history(&state, &viewer, deck.as_deref(), h.q.as_deref(), None).await?;
    let name = partner_name(space.as_ref());
    let tz = tz_of(&who.user.time_zone);
    let page = HistoryPage {
        c: Chrome::signed_in("Answers", &who),
        items: views
            .into_iter()
            .map(|v| card(v, &viewer, &name, tz))
            .collect(),
        decks: uc::deck_rows(&state, &viewer).await?,
        search: h.q.unwrap_or_default(),
        deck: deck.unwrap_or_default(),
    };
    render_with_status(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct HourForm {
    #[serde(default)]
    hour: String,
}

pub async fn settings(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<HourForm>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let hour = uc::parse_hour(&f.hour)?;
    state.repo.set_question_hour(&pair.couple_id, hour).await?;
    Ok(see_other("/questions?done=saved"))
}
