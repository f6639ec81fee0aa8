//! Step 2's use cases shared by pages and the API: releasing the day's question,
//! asking from a chosen deck, answering, and assembling what one partner may see.

pub mod api;
pub mod page;

use rekindle_storage::{
    AnswerId, AskedQuestion, AskedQuestionId, CoupleId, NewAnswer, Reaction, Reply, Space, User,
    Viewer, VisibleAnswer,
};
use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rekindle_domain::questions::{self as q, Answer, PairView};

use crate::http::error::AppError;
use crate::http::secrets::new_id;
use crate::state::AppState;
use crate::view::format::tz_of;

pub const DEFAULT_RELEASE_HOUR: i64 = 19;
pub const ANSWER_MAX_CHARS: usize = 5_000;
pub const REACTIONS: [(&str, &str); 2] = [("thanks", "Thank you"), ("heart", "♥")];

/// Everything one partner may see of one asked question.
pub struct QuestionView {
    pub asked: AskedQuestion,
    pub question: &'static q::Question,
    pub deck_title: &'static str,
    pub view: PairView,
    pub mine: Option<VisibleAnswer>,
    /// Only ever set when `view` is `Open`.
    pub partner: Option<VisibleAnswer>,
    pub reactions: Vec<Reaction>,
    pub replies: Vec<Reply>,
}

fn state_of(a: Option<&VisibleAnswer>) -> Answer {
    match a {
        None => Answer::None,
        Some(a) if a.skipped => Answer::Skipped,
        Some(_) => Answer::Answered,
    }
}

/// What a person alone in their space is told about this tool.
pub const FOR_TWO: &str =
    "Questions are for two: they open once your partner has joined your space.";

/// Builds the view from the answers the storage layer let through; the partner's
/// text is kept only when both answered.
pub fn assemble(
    viewer: &Viewer,
    asked: AskedQuestion,
    answers: &[VisibleAnswer],
    reactions: Vec<Reaction>,
    replies: Vec<Reply>,
) -> Option<QuestionView> {
    let question = q::question(&asked.question_id)?;
    let mine = answers
        .iter()
        .find(|a| a.couple_question_id == asked.id && a.user_id == viewer.user_id);
    let partner = answers.iter().find(|a| {
        a.couple_question_id == asked.id && Some(&a.user_id) == viewer.partner_id.as_ref()
    });
    // Asked in a space that ended: the partner's side is gone for good, so an
    // answer is shown as answered, never as waiting for them.
    let ended = asked.couple_id.is_none() || asked.couple_id != viewer.couple_id;
    let view = if ended {
        q::ended_view(state_of(mine))
    } else {
        q::pair_view(state_of(mine), state_of(partner))
    };
    let open = view == PairView::Open;
    Some(QuestionView {
        deck_title: q::deck(&question.deck).map_or("", |d| d.title.as_str()),
        question,
        view,
        mine: mine.cloned(),
        partner: partner.filter(|_| open).cloned(),
        reactions: if open { reactions } else { Vec::new() },
        replies: if open { replies } else { Vec::new() },
        asked,
    })
}

pub async fn view(state: &AppState, viewer: &Viewer, id: &str) -> Result<QuestionView, AppError> {
    let asked = state
        .repo
        .question_for(viewer, &AskedQuestionId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    view_of(state, viewer, asked).await
}

/// [`view`] of a question already read for this viewer (one they may see).
pub async fn view_of(
    state: &AppState,
    viewer: &Viewer,
    asked: AskedQuestion,
) -> Result<QuestionView, AppError> {
    let id = asked.id.as_str();
    let answers = state.repo.visible_answers(viewer, Some(id)).await?;
    let reactions = state
        .repo
        .reactions_for(viewer, &AskedQuestionId::from(id))
        .await?;
    let replies = state
        .repo
        .replies_for(viewer, &AskedQuestionId::from(id))
        .await?;
    assemble(viewer, asked, &answers, reactions, replies).ok_or(AppError::NotFound)
}

/// The decks asked of the couple: those on for both partners. Who switched a
/// deck off is never part of the answer.
pub async fn allowed_decks(
    state: &AppState,
    viewer: &Viewer,
) -> Result<HashSet<&'static str>, AppError> {
    let mine = state.repo.deck_choices(&viewer.user_id).await?;
    let theirs = match &viewer.partner_id {
        Some(p) => state.repo.deck_choices(p).await?,
        None => Vec::new(),
    };
    Ok(q::decks_for_couple(&mine, &theirs))
}

async fn pick_and_release(
    state: &AppState,
    viewer: &Viewer,
    couple_id: &CoupleId,
    deck: Option<&str>,
    unless_since: i64,
) -> Result<Option<String>, AppError> {
    let asked = state.repo.asked_questions(couple_id).await?;
    let asked_ids: HashSet<&str> = asked.iter().map(|(id, _)| id.as_str()).collect();
    let allowed = allowed_decks(state, viewer).await?;
    let Some(next) = q::next_question(&asked_ids, &allowed, deck, asked.len()) else {
        return Ok(None);
    };
    let new = AskedQuestion {
        id: new_id().into(),
        question_id: next.id.clone(),
        released_at: state.clock().now_ms(),
        couple_id: Some(couple_id.clone()),
    };
    if state
        .repo
        .release_question(couple_id, &new, unless_since)
        .await?
    {
        Ok(Some(new.id.into()))
    } else {
        Ok(None)
    }
}

/// The day's question, released lazily when the first partner looks after the
/// couple's chosen hour in their own time zone; with that hour (the page shows
/// it). The question comes as read, so its view need not read it again.
pub async fn today(
    state: &AppState,
    user: &User,
    viewer: &Viewer,
    space: &Space,
) -> Result<(Option<AskedQuestion>, i64), AppError> {
    let (hour, latest) = state.repo.release_state(&space.couple_id).await?;
    let hour = hour.unwrap_or(DEFAULT_RELEASE_HOUR);
    let now: DateTime<Utc> = state.clock().now();
    let tz = tz_of(&user.time_zone);
    let last = latest.and_then(DateTime::<Utc>::from_timestamp_millis);
    if q::release_due(now, last, u32::try_from(hour).unwrap_or(19), tz) {
        let since =
            q::latest_release(now, u32::try_from(hour).unwrap_or(19), tz).timestamp_millis();
        pick_and_release(
            state,
            viewer,
            &space.couple_id,
            None,
            if latest.is_none() { i64::MAX } else { since },
        )
        .await?;
    }
    // The space's latest question, in one indexed read.
    let asked = state
        .repo
        .latest_question(&space.couple_id, &viewer.user_id)
        .await?
        .map(|(a, _)| a);
    Ok((asked, hour))
}

/// What the couple is told when a deck is off for one of them (never which).
pub const OFF_FOR_YOU_TWO: &str = "This deck is off for you two. Either of you can switch it on for yourself on the decks page; it is asked once it is on for both.";

/// Asks the next question from a deck the couple picked, right away.
pub async fn ask_from_deck(
    state: &AppState,
    viewer: &Viewer,
    space: &Space,
    slug: &str,
) -> Result<String, AppError> {
    if q::deck(slug).is_none() {
        return Err(AppError::NotFound);
    }
    if !allowed_decks(state, viewer).await?.contains(slug) {
        return Err(AppError::Conflict(OFF_FOR_YOU_TWO.into()));
    }
    pick_and_release(state, viewer, &space.couple_id, Some(slug), i64::MAX)
        .await?
        .ok_or_else(|| {
            AppError::Conflict(
                "You have been asked every question in this deck. Try another one.".into(),
            )
        })
}

pub async fn answer(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    body: Option<&str>,
) -> Result<(), AppError> {
    let body = match body {
        Some(b) => {
            let b = b.trim();
            if b.is_empty() {
                return Err(AppError::field(
                    "body",
                    "Write an answer, or pass on this question.",
                ));
            }
            if b.chars().count() > ANSWER_MAX_CHARS {
                return Err(AppError::field(
                    "body",
                    "An answer can hold up to 5,000 characters.",
                ));
            }
            b.to_owned()
        }
        None => String::new(),
    };
    let new = NewAnswer {
        id: new_id().into(),
        couple_question_id: id.to_owned().into(),
        skipped: body.is_empty(),
        body,
        created_at: state.clock().now_ms(),
    };
    match state.repo.answer(viewer, &new).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(rekindle_storage::StoreError::Conflict) => Err(AppError::Conflict(
            "You have already answered this question.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn react(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    answer_id: &str,
    kind: &str,
) -> Result<(), AppError> {
    if !REACTIONS.iter().any(|(k, _)| *k == kind) {
        return Err(AppError::field("kind", "Choose \"thanks\" or \"heart\"."));
    }
    let v = view(state, viewer, id).await?;
    if v.partner.as_ref().map(|p| p.id.as_str()) != Some(answer_id) {
        return Err(AppError::NotFound);
    }
    state
        .repo
        .react(
            viewer,
            &AnswerId::from(answer_id),
            kind,
            state.clock().now_ms(),
        )
        .await?;
    Ok(())
}

pub async fn reply(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    body: &str,
) -> Result<(), AppError> {
    view(state, viewer, id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "Write a reply first."));
    }
    if body.chars().count() > ANSWER_MAX_CHARS {
        return Err(AppError::field(
            "body",
            "A reply can hold up to 5,000 characters.",
        ));
    }
    let r = Reply {
        id: new_id(),
        couple_question_id: id.to_owned().into(),
        user_id: viewer.user_id.clone(),
        body: body.to_owned(),
        created_at: state.clock().now_ms(),
    };
    if state.repo.reply(viewer, &r).await? {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "Replies open once you have both answered.".into(),
        ))
    }
}

/// One page of the answers history: at most `limit` questions, continuing after
/// the asked question `after` (the last one of the page before).
#[derive(Clone, Copy)]
pub struct HistoryPage<'a> {
    pub limit: usize,
    pub after: Option<&'a str>,
}

/// The answers history: every question the viewer may see, filtered by deck and
/// by a search over the question and the answers visible to the viewer, newest
/// first. With `page`, only that page, and whether more follow it.
pub async fn history(
    state: &AppState,
    viewer: &Viewer,
    deck: Option<&str>,
    search: Option<&str>,
    page: Option<HistoryPage<'_>>,
) -> Result<(Vec<QuestionView>, bool), AppError> {
    let mut asked = state.repo.questions_for(viewer).await?;
    if let Some(after) = page.and_then(|p| p.after) {
        let Some(at) = asked.iter().position(|a| a.id.as_str() == after) else {
            return Err(AppError::field(
                "before",
                "That is not a question in your history. Start again from the first page.",
            ));
        };
        asked.drain(..=at);
    }
    let needle = search
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    // Without a search a page needs only its own questions' answers: the deck
    // is known from the question alone. Whether a page follows is known before
    // the list is cut to the page.
    if let (Some(p), None) = (page, &needle) {
        asked.retain(|a| {
            deck.is_none_or(|d| q::question(&a.question_id).is_some_and(|x| x.deck == d))
        });
        let more = asked.len() > p.limit;
        asked.truncate(p.limit);
        let ids: Vec<&str> = asked.iter().map(|a| a.id.as_str()).collect();
        let answers = state.repo.visible_answers_of(viewer, &ids).await?;
        let views = assembled(viewer, asked, answers, |_| true);
        return Ok((views, more));
    }
    let answers = state.repo.visible_answers(viewer, None).await?;
    let mut views = assembled(viewer, asked, answers, |v| {
        if deck.is_some_and(|d| d != v.question.deck) {
            return false;
        }
        let Some(n) = &needle else { return true };
        [
            Some(v.question.text.as_str()),
            v.mine.as_ref().map(|m| m.body.as_str()),
            v.partner.as_ref().map(|p| p.body.as_str()),
        ]
        .iter()
        .flatten()
        .any(|h| h.to_lowercase().contains(n.as_str()))
    });
    let more = page.is_some_and(|p| views.len() > p.limit);
    if let Some(p) = page {
        views.truncate(p.limit);
    }
    Ok((views, more))
}

/// Each asked question with its answers, as the viewer may see it, kept when
/// `keep` says so. Answers are found by question id rather than by a scan per
/// question (a year of questions is hundreds of each).
fn assembled(
    viewer: &Viewer,
    asked: Vec<AskedQuestion>,
    answers: Vec<VisibleAnswer>,
    keep: impl Fn(&QuestionView) -> bool,
) -> Vec<QuestionView> {
    let mut by_question: std::collections::HashMap<AskedQuestionId, Vec<VisibleAnswer>> =
        std::collections::HashMap::new();
    for a in answers {
        by_question
            .entry(a.couple_question_id.clone())
            .or_default()
            .push(a);
    }
    asked
        .into_iter()
        .filter_map(|a| {
            let theirs = by_question.get(&a.id).map_or(&[][..], Vec::as_slice);
            assemble(viewer, a, theirs, Vec::new(), Vec::new())
        })
        .filter(|v| keep(v))
        .collect()
}

/// One deck as the deck list shows it: how many questions at each depth, and
/// whether it is on for me and for the two of us.
pub struct DeckRow {
    pub slug: String,
    pub title: String,
    pub blurb: String,
    pub counts: [usize; 3],
    /// Off until switched on (affection, hard seasons, faith).
    pub starts_off: bool,
    /// My own choice (or the deck's default).
    pub on_for_me: bool,
    /// On for both partners: the deck is asked. Alone in a space, my own choice.
    pub on_for_us: bool,
}

/// The decks with the viewer's choices and, when paired, whether each is on for both.
pub async fn deck_rows(state: &AppState, viewer: &Viewer) -> Result<Vec<DeckRow>, AppError> {
    let mine = state.repo.deck_choices(&viewer.user_id).await?;
    let allowed = allowed_decks(state, viewer).await?;
    Ok(q::decks()
        .iter()
        .map(|d| {
            let on_for_me = q::on_for_person(d, &mine);
            DeckRow {
                slug: d.slug.clone(),
                title: d.title.clone(),
                blurb: d.blurb.clone(),
                counts: q::DEPTHS
                    .map(|depth| d.questions.iter().filter(|x| x.depth == depth).count()),
                starts_off: d.starts_off,
                on_for_me,
                on_for_us: on_for_me && allowed.contains(d.slug.as_str()),
            }
        })
        .collect())
}

/// Switches a deck on or off for the viewer alone.
pub async fn set_deck_choice(
    state: &AppState,
    viewer: &Viewer,
    slug: &str,
    on: bool,
) -> Result<(), AppError> {
    if q::deck(slug).is_none() {
        return Err(AppError::NotFound);
    }
    state
        .repo
        .set_deck_choice(&viewer.user_id, slug, on, state.clock().now_ms())
        .await?;
    Ok(())
}

/// The on/off value of the decks form.
pub fn parse_on(raw: &str) -> Result<bool, AppError> {
    match raw.trim() {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(AppError::field("on", "Choose on or off.")),
    }
}

/// The hour of the day (0–23) at which the day's question is released.
pub fn parse_hour(raw: &str) -> Result<i64, AppError> {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (0..24).contains(h))
        .ok_or_else(|| AppError::field("hour", "Choose an hour between 0 and 23."))
}
