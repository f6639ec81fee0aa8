use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::auth::ApiCaller;
use crate::http::error::{ApiResult, AppError, Problem};
use crate::http::json::{ApiQuery, JsonBody};
use crate::questions::{self as uc, QuestionView};
use crate::state::AppState;
use crate::view::format::iso;
use rekindle_domain::questions::depth_label;
use rekindle_storage::Viewer;

#[derive(Serialize, ToSchema)]
pub struct ReactionOut {
    /// "mine" or "partner": whose answer the reaction is on.
    pub on: String,
    /// "me" or "partner": who reacted.
    pub by: String,
    /// thanks | heart
    pub kind: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyOut {
    /// "me" or "partner"
    pub by: String,
    pub body: String,
    pub created_at: String,
}

/// A question as the caller may see it. The partner's answer is present only in
/// state `open`; before that nothing about it is returned.
#[derive(Serialize, ToSchema)]
pub struct QuestionOut {
    pub id: String,
    pub question_id: String,
    pub text: String,
    /// A short question either partner can ask the other once both answers are open.
    pub follow_up: String,
    pub deck: String,
    pub deck_title: String,
    /// 1 light, 2 deeper, 3 deep
    pub depth: u8,
    pub depth_label: String,
    pub released_at: String,
    /// unanswered | i_passed | waiting | partner_passed | open
    pub state: String,
    pub my_answer: Option<String>,
    pub partner_answer: Option<String>,
    /// Id of the partner's answer, to react to it (state `open` only).
    pub partner_answer_id: Option<String>,
    pub reactions: Vec<ReactionOut>,
    pub replies: Vec<ReplyOut>,
}

fn out(v: QuestionView, viewer: &Viewer) -> QuestionOut {
    let me = |id: &str| {
        if id == viewer.user_id {
            "me"
        } else {
            "partner"
        }
        .to_owned()
    };
    let mine_id = v.mine.as_ref().map(|m| m.id.clone());
    QuestionOut {
        id: v.asked.id.clone().into(),
        question_id: v.question.id.clone(),
        text: v.question.text.clone(),
        follow_up: v.question.follow_up.clone(),
        deck: v.question.deck.clone(),
        deck_title: v.deck_title.to_owned(),
        depth: v.question.depth,
        depth_label: depth_label(v.question.depth).to_owned(),
        released_at: iso(v.asked.released_at),
        state: v.view.as_str().to_owned(),
        my_answer: v
            .mine
            .as_ref()
            .filter(|m| !m.skipped)
            .map(|m| m.body.clone()),
        partner_answer: v.partner.as_ref().map(|p| p.body.clone()),
        partner_answer_id: v.partner.as_ref().map(|p| p.id.to_string()),
        reactions: v
            .reactions
            .iter()
            .map(|r| ReactionOut {
                on: if Some(&r.answer_id) == mine_id.as_ref() {
                    "mine"
                } else {
                    "partner"
                }
                .into(),
                by: me(&r.user_id),
                kind: r.kind.clone(),
            })
            .collect(),
        replies: v
            .replies
            .into_iter()
            .map(|r| ReplyOut {
                by: me(&r.user_id),
                body: r.body,
                created_at: iso(r.created_at),
            })
            .collect(),
    }
}

async fn one(state: &AppState, viewer: &Viewer, id: &str) -> ApiResult<Json<QuestionOut>> {
    Ok(Json(out(uc::view(state, viewer, id).await?, viewer)))
}

#[utoipa::path(get, path = "/api/v1/questions/today", operation_id = "getTodaysQuestion", tag = "questions",
    responses((status = 200, body = QuestionOut), (status = 404, description = "Every question has been asked", body = Problem),
              (status = 409, description = "No partner yet", body = Problem)))]
pub async fn today(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<QuestionOut>> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let asked = uc::today(&state, &caller.user, &viewer, pair)
        .await?
        .0
        .ok_or(crate::http::error::AppError::NotFound)?;
    Ok(Json(out(
        uc::view_of(&state, &viewer, asked).await?,
        &viewer,
    )))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Text to look for in questions and in the answers visible to the caller.
    pub q: Option<String>,
    /// A deck slug.
    pub deck: Option<String>,
    /// How many questions at most (1 to 200; 50 when not given).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The id of the last question of the page before: this page continues
    /// after it. The `Link` header's `next` address carries it.
    pub before: Option<String>,
}

const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 200;

#[utoipa::path(get, path = "/api/v1/questions", operation_id = "listAskedQuestions", tag = "questions", params(HistoryParams),
    responses((status = 200, description = "Asked questions, newest first, one page at a time. When more follow, \
        the `Link` header gives the next page's address (`rel=\"next\"`).", body = [QuestionOut],
        headers(("Link" = String, description = "`<address of the next page>; rel=\"next\"`, when more follow"))),
        (status = 422, description = "A limit outside 1 to 200, or an unknown `before`", body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
    ApiQuery(p): ApiQuery<HistoryParams>,
) -> ApiResult<Response> {
    let limit = p.limit.unwrap_or(PAGE_DEFAULT);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::field(
            "limit",
            format!("Ask for 1 to {PAGE_MAX} questions at a time."),
        )
        .into());
    }
    let state = state.reading().await?;
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    let deck = p.deck.as_deref().filter(|d| !d.is_empty());
    let before = p.before.as_deref().filter(|b| !b.is_empty());
    let page = uc::HistoryPage {
        limit: limit as usize,
        after: before,
    };
    let (list, more) = uc::history(&state, &viewer, deck, p.q.as_deref(), Some(page)).await?;
    let next = list
        .last()
        .filter(|_| more)
        .map(|last| next_link(&p, limit, last.asked.id.as_str()));
    let mut response = Json(
        list.into_iter()
            .map(|v| out(v, &viewer))
            .collect::<Vec<_>>(),
    )
    .into_response();
    if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// The next page's address (RFC 8288), with the same search and deck.
fn next_link(p: &HistoryParams, limit: u32, last: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(q) = p.q.as_deref().filter(|q| !q.is_empty()) {
        query.append_pair("q", q);
    }
    if let Some(d) = p.deck.as_deref().filter(|d| !d.is_empty()) {
        query.append_pair("deck", d);
    }
    query.append_pair("limit", &limit.to_string());
    query.append_pair("before", last);
    format!("</api/v1/questions?{}>; rel=\"next\"", query.finish())
}

#[utoipa::path(get, path = "/api/v1/questions/{id}", operation_id = "getQuestion", tag = "questions",
    params(("id" = String, Path, description = "Asked-question id")),
    responses((status = 200, body = QuestionOut), (status = 404, body = Problem)))]
pub async fn show(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<QuestionOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerIn {
    pub body: String,
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/answer", operation_id = "answerQuestion", tag = "questions", request_body = AnswerIn,
    params(("id" = String, Path, description = "Asked-question id")),
    responses((status = 200, body = QuestionOut), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AnswerIn>,
) -> ApiResult<Json<QuestionOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::answer(&state, &viewer, &id, Some(&b.body)).await?;
    one(&state, &viewer, &id).await
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/skip", operation_id = "skipQuestion", tag = "questions",
    params(("id" = String, Path, description = "Asked-question id")),
    responses((status = 200, description = "Passed, without penalty", body = QuestionOut), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn skip(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult<Json<QuestionOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::answer(&state, &viewer, &id, None).await?;
    one(&state, &viewer, &id).await
}

#[derive(Deserialize, ToSchema)]
pub struct ReactionIn {
    pub answer_id: String,
    /// thanks | heart
    pub kind: String,
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/reactions", operation_id = "reactToAnswer", tag = "questions", request_body = ReactionIn,
    params(("id" = String, Path, description = "Asked-question id")),
    responses((status = 200, body = QuestionOut), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn react(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ReactionIn>,
) -> ApiResult<Json<QuestionOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::react(&state, &viewer, &id, &b.answer_id, &b.kind).await?;
    one(&state, &viewer, &id).await
}

#[utoipa::path(post, path = "/api/v1/questions/{id}/replies", operation_id = "replyToAnswer", tag = "questions", request_body = AnswerIn,
    params(("id" = String, Path, description = "Asked-question id")),
    responses((status = 201, body = QuestionOut), (status = 409, description = "Not both answered yet", body = Problem)))]
pub async fn reply(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AnswerIn>,
) -> ApiResult<(StatusCode, Json<QuestionOut>)> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::reply(&state, &viewer, &id, &b.body).await?;
    Ok((StatusCode::CREATED, one(&state, &viewer, &id).await?))
}

#[derive(Serialize, ToSchema)]
pub struct DeckOut {
    pub slug: String,
    pub title: String,
    pub blurb: String,
    /// Questions per depth: light, deeper, deep.
    pub questions_per_depth: [usize; 3],
    /// Off until switched on (touch and affection, hard seasons, faith).
    pub starts_off: bool,
    /// The caller's own choice (or the deck's default).
    pub on_for_me: bool,
    /// On for both partners, so the deck is asked. Never says which partner
    /// switched it off. Without a partner: the caller's own choice.
    pub on_for_us: bool,
}

fn deck_out(d: uc::DeckRow) -> DeckOut {
    DeckOut {
        slug: d.slug,
        title: d.title,
        blurb: d.blurb,
        questions_per_depth: d.counts,
        starts_off: d.starts_off,
        on_for_me: d.on_for_me,
        on_for_us: d.on_for_us,
    }
}

#[utoipa::path(get, path = "/api/v1/decks", operation_id = "listDecks", tag = "questions", responses((status = 200, body = [DeckOut])))]
pub async fn decks(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> ApiResult<Json<Vec<DeckOut>>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    Ok(Json(
        uc::deck_rows(&state, &viewer)
            .await?
            .into_iter()
            .map(deck_out)
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DeckChoiceIn {
    /// true to switch the deck on for yourself, false to switch it off.
    pub on: bool,
}

#[utoipa::path(put, path = "/api/v1/decks/{slug}/choice", operation_id = "setDeckChoice", tag = "questions", request_body = DeckChoiceIn,
    params(("slug" = String, Path, description = "Deck slug")),
    responses((status = 200, description = "The deck with the caller's new choice", body = DeckOut),
              (status = 404, description = "No such deck", body = Problem), (status = 422, body = Problem)))]
pub async fn choose(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<DeckChoiceIn>,
) -> ApiResult<Json<DeckOut>> {
    let (viewer, _) = crate::space::viewer(&state, &caller.user.id).await?;
    uc::set_deck_choice(&state, &viewer, &slug, b.on).await?;
    let row = uc::deck_rows(&state, &viewer)
        .await?
        .into_iter()
        .find(|d| d.slug == slug)
        .ok_or(crate::http::error::AppError::NotFound)?;
    Ok(Json(deck_out(row)))
}

#[utoipa::path(post, path = "/api/v1/decks/{slug}/ask", operation_id = "askFromDeck", tag = "questions",
    params(("slug" = String, Path, description = "Deck slug")),
    responses((status = 201, description = "The deck's next question, asked of both now", body = QuestionOut),
              (status = 404, body = Problem), (status = 409, description = "No partner yet, the deck is off for you two, or it is used up", body = Problem)))]
pub async fn ask(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<(StatusCode, Json<QuestionOut>)> {
    let (viewer, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let id = uc::ask_from_deck(&state, &viewer, pair, &slug).await?;
    Ok((StatusCode::CREATED, one(&state, &viewer, &id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionSettingsIn {
    /// Hour of the day (0–23) when the day's question arrives, in each partner's own time zone.
    pub hour: i64,
}

#[utoipa::path(put, path = "/api/v1/questions/settings", operation_id = "setQuestionSettings", tag = "questions", request_body = QuestionSettingsIn,
    responses((status = 204, description = "Saved"), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn settings(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonBody(b): JsonBody<QuestionSettingsIn>,
) -> ApiResult<StatusCode> {
    let (_, space) = crate::space::viewer(&state, &caller.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let hour = uc::parse_hour(&b.hour.to_string())?;
    state.repo.set_question_hour(&pair.couple_id, hour).await?;
    Ok(StatusCode::NO_CONTENT)
}
