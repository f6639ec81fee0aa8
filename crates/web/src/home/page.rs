//! The couple's home: where they stand on the seven steps.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State};
use chrono::NaiveDate;

use crate::http::auth::{MaybeSignedIn, SignedIn};
use crate::http::error::PageResult;
use crate::state::AppState;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, DoneQuery, notice_for, render};
use rekindle_domain::journey::{Facts, Progress, StepState, journey};

#[derive(Template)]
#[template(path = "landing.html")]
struct Landing {
    c: Chrome,
    steps: Vec<StepState>,
}

pub struct InvitationView {
    pub id: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    c: Chrome,
    name: String,
    in_space: bool,
    partner_name: Option<String>,
    since: String,
    steps: Vec<StepState>,
    invitations: Vec<InvitationView>,
    new_link: Option<String>,
    tz_is_utc: bool,
    paused: bool,
    offer_check: bool,
    partner_left: bool,
    /// The next scheduled check-in, once the partner has joined.
    next_checkin: Option<String>,
    /// What the talk room, the board and the plan have for this person today.
    lines: Arc<ToolLines>,
    /// What needs this person because their partner acted (first on the page).
    waiting: Vec<crate::waiting::WaitingItem>,
    /// The couple's latest question: (asked id, text, answered by this person).
    today_question: Option<(String, String, bool)>,
}

/// What home shows from the tools for one person on one day. The session cache
/// keeps it like the journey's facts: any change in any space drops it (and so
/// does time, within seconds), and a new day reads it again.
pub struct ToolLines {
    day: NaiveDate,
    // Talk room
    /// Talks asked for or agreed and not over yet: (id, topic, when, phase label).
    upcoming_talks: Vec<crate::talk::page::TalkLine>,
    // Problem board
    board_note: Option<crate::board::HomeNote>,
    // Action plan
    /// Titles of the viewer's actions for today (theirs or both), a few at most.
    today_actions: Vec<String>,
}

impl HomePage {
    /// One suggested next step: the first step with a tool that is not done yet.
    fn next_step(&self) -> Option<&StepState> {
        self.steps.iter().find(|s| {
            s.tool_path.is_some() && matches!(s.progress, Progress::NotStarted | Progress::Begun)
        })
    }
}

pub async fn index(
    State(state): State<AppState>,
    MaybeSignedIn(who): MaybeSignedIn,
    Query(q): Query<DoneQuery>,
    jar: axum_extra::extract::CookieJar,
) -> PageResult {
    match who {
        None => render(&Landing {
            c: Chrome::anonymous("Welcome", String::new())
                .with_notice(notice_for(q.done.as_deref())),
            steps: journey(&Facts::default()),
        }),
        Some(who) => {
            let state = state.reading().await?;
            let link = crate::space::page::new_link(&state, &jar).await?;
            render(&home_page(&state, &who, notice_for(q.done.as_deref()), link).await?)
        }
    }
}

/// Builds the home page; `new_link` is an invitation link shown exactly once.
pub async fn home_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    new_link: Option<String>,
) -> Result<HomePage, crate::http::error::AppError> {
    let tz = tz_of(&who.user.time_zone);
    // The space in the summary says where the person is, for what is kept.
    let summary = state
        .placed(
            who.user.id.as_str(),
            |s: &rekindle_storage::HomeSummary| crate::space::place_of(s.space.as_ref()),
            async { Ok(state.repo.home_summary(&who.user.id).await?) },
        )
        .await?;
    let space = summary.space;
    let facts = facts_for(state, &who.user.id, space.as_ref()).await?;
    let next_checkin = space
        .as_ref()
        .filter(|s| s.partner.is_some() && !s.paused)
        .map(|_| {
            let at = crate::checkins::next_for_home(
                summary.checkin_schedule.as_ref(),
                &who.user,
                state.clock().now(),
            );
            when(at.timestamp_millis(), tz)
        });
    let invitations = match &space {
        Some(s) if s.partner.is_none() => {
            state
                .repo
                .open_invitations(&s.couple_id, state.clock().now_ms())
                .await?
        }
        _ => Vec::new(),
    };
    let lines = tool_lines(state, who, space.as_ref(), tz).await?;
    // Questions for two: the latest asked question (released on the questions
    // page) and whether this person has answered it yet.
    let today_question = match space.as_ref().filter(|s| s.partner.is_some() && !s.paused) {
        Some(_) => summary.latest_question.and_then(|(a, answered)| {
            rekindle_domain::questions::question(&a.question_id)
                .map(|q| (a.id.into(), q.text.clone(), answered))
        }),
        None => None,
    };
    // The same list the navigation's badge counted for this request.
    let waiting = crate::waiting::to_items(
        &crate::waiting::recent_for(state, &who.user.id).await?,
        space.as_ref(),
    );
    Ok(HomePage {
        waiting,
        today_question,
        lines,
        c: Chrome::signed_in("Home", who).with_notice(notice),
        name: who.user.display_name.clone(),
        in_space: space.is_some(),
        partner_name: space
            .as_ref()
            .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone())),
        since: space
            .as_ref()
            .map(|s| when(s.joined_at, tz))
            .unwrap_or_default(),
        steps: journey(&facts),
        invitations: invitations
            .into_iter()
            .map(|i| InvitationView {
                id: i.id.into(),
                expires: when(i.expires_at, tz),
            })
            .collect(),
        new_link,
        tz_is_utc: who.user.time_zone == "UTC",
        paused: space.as_ref().is_some_and(|s| s.paused),
        offer_check: rekindle_domain::safety::offer_check(
            summary.safety_check_taken,
            summary.safety_offer_postponed_until,
            state.clock().now_ms(),
        ),
        partner_left: summary.partner_left,
        next_checkin,
    })
}

/// Home's lines from the talk room, the board and the plan, for `who` today:
/// kept in the session cache between changes (see [`ToolLines`]).
async fn tool_lines(
    state: &AppState,
    who: &SignedIn,
    space: Option<&rekindle_storage::Space>,
    tz: chrono_tz::Tz,
) -> Result<Arc<ToolLines>, crate::http::error::AppError> {
    let today = rekindle_domain::plan::local_date(state.clock().now(), tz);
    let read = async {
        let upcoming_talks = crate::talk::page::upcoming(state, &who.user.id, space, tz).await?;
        let board_note = match space.filter(|s| s.partner.is_some() && !s.paused) {
            Some(s) => {
                let viewer = rekindle_storage::Viewer::new(&who.user.id, Some(s));
                crate::board::home_note(state, &viewer).await?
            }
            None => None,
        };
        let today_actions = match space {
            Some(s) if !s.paused => {
                let viewer = rekindle_storage::Viewer::new(&who.user.id, Some(s));
                crate::plan::today_titles(state, &viewer, today).await?
            }
            _ => Vec::new(),
        };
        Ok(ToolLines {
            day: today,
            upcoming_talks,
            board_note,
            today_actions,
        })
    };
    state
        .kept(
            "home-lines",
            who.user.id.as_str(),
            |l: &ToolLines| l.day == today,
            read,
        )
        .await
}

/// The journey's facts of the person's space (none without one). The home
/// page keeps them for the person between changes, as the navigation keeps
/// its count of what waits (`http::sessions`): they take a couple's every tool
/// to count, and change only when someone writes. The API reads them fresh.
async fn facts_for(
    state: &AppState,
    who: &rekindle_storage::UserId,
    space: Option<&rekindle_storage::Space>,
) -> Result<Facts, crate::http::error::AppError> {
    let Some(space) = space else {
        return Ok(Facts::default());
    };
    let found = state
        .kept("journey-facts", who.as_str(), |_| true, async {
            Ok(state.repo.journey_facts(&space.couple_id).await?)
        })
        .await?;
    Ok((*found).clone())
}

#[derive(Template)]
#[template(path = "about.html")]
struct About {
    c: Chrome,
}

pub async fn about(MaybeSignedIn(who): MaybeSignedIn) -> PageResult {
    let c = match &who {
        Some(w) => Chrome::signed_in("About", w),
        None => Chrome::anonymous("About", String::new()),
    };
    render(&About { c })
}
