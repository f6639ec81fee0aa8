//! The counselor hand-off: a summary the two prepare together (the rules are
//! `rekindle_domain::handoff`). Each chooses items from what both can already
//! see; both approve the exact content; then it prints, and a link can be made
//! for a counselor (token digest only, expires, revocable by either).
//!
//! What can be chosen is only ever what both partners see on their screens:
//! check-in numbers their authors shared, agreements both agreed to (and, once
//! both answered, how they went), topics on the board, and talk reflections
//! their authors shared. Never a private entry, a sealed answer, a safety
//! answer or numbers someone kept private. The content is built the same way
//! for both partners (names, not "you"; dates in UTC) so both approve the same
//! digest.

pub mod api;
pub mod page;

use std::collections::{BTreeMap, BTreeSet};

use rekindle_domain::board::{AgreementStatus, Stage};
use rekindle_domain::checkin as ck;
use rekindle_domain::handoff::{self as rules, ApproveRefusal, ItemKey, ItemKind, LinkState};
use rekindle_storage::{ApproveOutcome, CoupleId, NewHandoffApproval, Space, UserId, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::error::AppError;
use crate::http::secrets::{digest, new_id, random_token};
use crate::state::AppState;
use crate::view::charts::{Chart, Series};

const FOR_TWO: &str =
    "A summary for a counselor is prepared together: it opens once your partner has joined.";

/// One thing that may go into the summary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Candidate {
    /// `trends`, `agreement:<id>`, `topic:<id>` or `reflection:<talk>:<person>`.
    pub key: String,
    /// trends | agreement | topic | reflection
    pub kind: String,
    pub label: String,
    pub chosen_by_me: bool,
    pub chosen_by_partner: bool,
}

/// The summary's content: what both approve, print and link to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Summary {
    /// The two partners' names, in a fixed order.
    pub names: Vec<String>,
    pub trends: Option<TrendPart>,
    pub agreements: Vec<AgreementPart>,
    pub topics: Vec<TopicPart>,
    pub reflections: Vec<ReflectionPart>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TrendPart {
    /// What the chart shows, in plain words.
    pub explanation: String,
    /// Dates (UTC) of the check-ins shown.
    pub dates: Vec<String>,
    /// Per partner (by name): CSI-4 totals (0–21), `null` where they kept their numbers private.
    pub series: Vec<(String, Vec<Option<u8>>)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AgreementPart {
    pub problem: String,
    pub agreement: String,
    pub trial_days: i64,
    /// How it went, in words.
    pub how_it_went: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicPart {
    pub title: String,
    pub stage: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ReflectionPart {
    pub author: String,
    pub talk: String,
    pub understood: String,
    pub feel_now: String,
}

impl Summary {
    pub fn is_empty(&self) -> bool {
        self.trends.is_none()
            && self.agreements.is_empty()
            && self.topics.is_empty()
            && self.reflections.is_empty()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn digest(&self) -> String {
        digest(&self.to_json())
    }

    /// The trend chart as SVG (server-rendered, escaped).
    pub fn chart_svg(&self) -> String {
        let Some(t) = &self.trends else {
            return String::new();
        };
        Chart {
            id: "handoff-trend",
            title: "Relationship satisfaction (CSI-4) at each check-in".into(),
            desc: t.explanation.clone(),
            x_labels: t.dates.clone(),
            y_min: 0.0,
            y_max: 21.0,
            y_ticks: vec![0.0, 7.0, 13.5, 21.0],
            band_below: Some((
                ck::CSI4_DISTRESS_CUTOFF,
                "below 13.5: notable distress".into(),
            )),
            series: t
                .series
                .iter()
                .enumerate()
                .map(|(i, (name, v))| Series {
                    name: name.clone(),
                    values: v.iter().map(|x| x.map(f64::from)).collect(),
                    class: if i == 0 { "mine" } else { "partner" },
                })
                .collect(),
        }
        .render()
    }
}

fn utc_date(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|d| d.format("%-d %b %Y").to_string())
        .unwrap_or_default()
}

/// The two partners as (id, name), in a fixed order (by id), so the content
/// reads the same for both.
fn pair_names(viewer: &Viewer, space: &Space, me: &str) -> Vec<(UserId, String)> {
    let mut v = vec![(viewer.user_id.clone(), me.to_owned())];
    if let Some(p) = &space.partner {
        v.push((p.id.clone(), p.display_name.clone()));
    }
    v.sort();
    v
}

/// Everything both partners can see that may go into the summary, as
/// (key, label) with the full part it would add.
struct Pool {
    trends: Option<TrendPart>,
    agreements: BTreeMap<String, AgreementPart>,
    topics: BTreeMap<String, TopicPart>,
    reflections: BTreeMap<String, ReflectionPart>,
}

async fn pool(
    state: &AppState,
    viewer: &Viewer,
    space: &Space,
    me: &str,
) -> Result<Pool, AppError> {
    let names = pair_names(viewer, space, me);
    let name_of = |id: &UserId| {
        names
            .iter()
            .find(|(i, _)| i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    // Check-ins: completed in this space, numbers only where their author shared them.
    let checkins: Vec<_> = state
        .repo
        .checkins_for(viewer)
        .await?
        .into_iter()
        .filter(|c| c.in_space && c.completed_at.is_some())
        .collect();
    let subs = state.repo.visible_submissions(viewer, None).await?;
    let mut points: Vec<(i64, String)> = checkins
        .iter()
        .map(|c| (c.completed_at.unwrap_or(c.opened_at), c.id.to_string()))
        .collect();
    points.sort();
    let series: Vec<(String, Vec<Option<u8>>)> = names
        .iter()
        .map(|(id, name)| {
            let vals = points
                .iter()
                .map(|(_, cid)| {
                    subs.iter()
                        .find(|s| {
                            s.checkin_id.as_str() == cid && &s.user_id == id && !s.scores_private
                        })
                        .and_then(|s| s.scores())
                        .map(|sc| sc.csi_total())
                })
                .collect();
            (name.clone(), vals)
        })
        .collect();
    let trends = series
        .iter()
        .any(|(_, v)| v.iter().any(Option::is_some))
        .then(|| TrendPart {
            explanation: format!(
                "Each line is one partner's total on the CSI-4, four questions on how satisfied they are \
                 with the relationship (0 to 21; below {} suggests notable distress), at each check-in the \
                 two did together. A gap means that partner kept their numbers private that time; those \
                 numbers are not in this summary.",
                ck::CSI4_DISTRESS_CUTOFF
            ),
            dates: points.iter().map(|(at, _)| utc_date(*at)).collect(),
            series,
        });

    // The board: topics and agreements both agreed to.
    let mut agreements = BTreeMap::new();
    let mut topics = BTreeMap::new();
    for p in state.repo.board_problems(viewer, false).await? {
        if p.couple_id.as_ref() != viewer.couple_id.as_ref()
            || p.title.is_empty()
            || matches!(p.stage, Stage::Withdrawn | Stage::Proposed)
        {
            continue;
        }
        topics.insert(
            format!("topic:{}", p.id),
            TopicPart {
                title: p.title.clone(),
                stage: p.stage.label().to_owned(),
            },
        );
        for a in state.repo.board_agreements(viewer, &p.id).await? {
            if a.status == AgreementStatus::Draft || a.confirmed_at.is_none() || a.body.is_empty() {
                continue;
            }
            let followups = state.repo.board_followups(viewer, &a.id).await?;
            // Follow-up answers open only once both answered.
            let answers = if followups.len() == 2 {
                let mut f: Vec<String> = followups
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            name_of(&f.user_id),
                            f.worked.label().to_lowercase()
                        )
                    })
                    .collect();
                f.sort();
                format!(" {}.", f.join("; "))
            } else {
                String::new()
            };
            let status = match a.status {
                AgreementStatus::Active => "On trial.",
                AgreementStatus::Kept => "Kept: it works for them.",
                AgreementStatus::Adjusted => "Adjusted: they went back to find a better one.",
                AgreementStatus::Dropped => "Let go.",
                AgreementStatus::Draft => "",
            };
            agreements.insert(
                format!("agreement:{}", a.id),
                AgreementPart {
                    problem: p.title.clone(),
                    agreement: a.body.clone(),
                    trial_days: a.trial_days,
                    how_it_went: format!("{status}{answers}"),
                },
            );
        }
    }

    // Talk reflections their authors shared.
    let mut reflections = BTreeMap::new();
    for t in state.repo.talks_for(viewer).await? {
        for r in state.repo.reflections_for(viewer, &t.id).await? {
            if !r.shared {
                continue;
            }
            reflections.insert(
                format!("reflection:{}:{}", t.id, r.user_id),
                ReflectionPart {
                    author: name_of(&r.user_id),
                    talk: if t.topic.is_empty() {
                        format!("Talk of {}", utc_date(t.created_at))
                    } else {
                        format!("{} ({})", t.topic, utc_date(t.created_at))
                    },
                    understood: r.understood,
                    feel_now: r.feel_now,
                },
            );
        }
    }
    Ok(Pool {
        trends,
        agreements,
        topics,
        reflections,
    })
}

/// The summary as it is being prepared, as one partner sees it.
pub struct Draft {
    pub version: i64,
    pub candidates: Vec<Candidate>,
    pub summary: Summary,
    pub digest: String,
    pub approved_by_me: bool,
    pub approved_by_partner: bool,
    /// Both approved: the final content (exactly what both approved).
    pub final_summary: Option<Summary>,
    pub links: Vec<LinkView>,
    pub partner_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkView {
    pub id: String,
    pub by_me: bool,
    pub created_at: i64,
    pub expires_at: i64,
    /// active | expired | revoked
    pub state: String,
}

fn pair(space: Option<&Space>) -> Result<&Space, AppError> {
    crate::space::require_pair(space, FOR_TWO)
}

pub async fn draft(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    me_name: &str,
) -> Result<Draft, AppError> {
    let space = pair(space)?;
    let pool = pool(state, viewer, space, me_name).await?;
    let st = state.repo.handoff_state(&space.couple_id).await?;
    let partner = space
        .partner
        .as_ref()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let (version, items, approvals, final_content) = match st {
        Some(s) => (s.version, s.items, s.approvals, s.final_content),
        None => (1, Vec::new(), Vec::new(), None),
    };
    let chosen: BTreeSet<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    let by = |key: &str, who: &UserId| items.iter().any(|(k, u)| k == key && u == who);
    let mut candidates = Vec::new();
    let mut summary = Summary {
        names: pair_names(viewer, space, me_name)
            .into_iter()
            .map(|(_, n)| n)
            .collect(),
        ..Summary::default()
    };
    let mut push = |key: String, kind: ItemKind, label: String| {
        candidates.push(Candidate {
            chosen_by_me: by(&key, &viewer.user_id),
            chosen_by_partner: by(&key, &partner),
            kind: kind.as_str().into(),
            key,
            label,
        });
    };
    if let Some(t) = &pool.trends {
        push(
            "trends".into(),
            ItemKind::Trends,
            "Check-in trend chart, with a plain explanation".into(),
        );
        if chosen.contains("trends") {
            summary.trends = Some(t.clone());
        }
    }
    for (k, a) in &pool.agreements {
        push(
            k.clone(),
            ItemKind::Agreement,
            format!("Agreement: {}", a.agreement),
        );
        if chosen.contains(k.as_str()) {
            summary.agreements.push(a.clone());
        }
    }
    for (k, t) in &pool.topics {
        push(k.clone(), ItemKind::Topic, format!("Topic: {}", t.title));
        if chosen.contains(k.as_str()) {
            summary.topics.push(t.clone());
        }
    }
    for (k, r) in &pool.reflections {
        push(
            k.clone(),
            ItemKind::Reflection,
            format!("{}'s reflection on {}", r.author, r.talk),
        );
        if chosen.contains(k.as_str()) {
            summary.reflections.push(r.clone());
        }
    }
    let digest = summary.digest();
    let approved = |who: &UserId| {
        approvals
            .iter()
            .any(|a| a.user_id == who.as_str() && rules::still_stands(a, version, &digest))
    };
    let now = state.clock().now_ms();
    let links = state
        .repo
        .handoff_links(&space.couple_id)
        .await?
        .into_iter()
        .map(|l| LinkView {
            by_me: l.created_by == viewer.user_id,
            state: match rules::link_state(l.expires_at, l.revoked_at, now) {
                LinkState::Active => "active",
                LinkState::Expired => "expired",
                LinkState::Revoked => "revoked",
            }
            .into(),
            id: l.id,
            created_at: l.created_at,
            expires_at: l.expires_at,
        })
        .collect();
    Ok(Draft {
        version,
        candidates,
        approved_by_me: approved(&viewer.user_id),
        approved_by_partner: approved(&partner),
        final_summary: final_content.and_then(|c| serde_json::from_str(&c).ok()),
        summary,
        digest,
        links,
        partner_name: space
            .partner
            .as_ref()
            .map(|p| p.display_name.clone())
            .unwrap_or_default(),
    })
}

/// Adds or removes one of the viewer's choices; returns the new version.
pub async fn choose(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    me_name: &str,
    item: &str,
    chosen: bool,
) -> Result<i64, AppError> {
    let space = pair(space)?;
    let key = ItemKey::parse(item)
        .ok_or_else(|| AppError::field("item", "There is no such item to choose."))?;
    // Only what both can see now may be chosen; taking something out always works.
    if chosen {
        let d = draft(state, viewer, Some(space), me_name).await?;
        if !d.candidates.iter().any(|c| c.key == key.to_string()) {
            return Err(AppError::field("item", "There is no such item to choose."));
        }
    }
    Ok(state
        .repo
        .set_handoff_choice(
            &space.couple_id,
            &viewer.user_id,
            &key.to_string(),
            chosen,
            state.clock().now_ms(),
        )
        .await?)
}

/// Approves the summary at `version`, exactly as it reads now.
pub async fn approve(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    me_name: &str,
    version: i64,
) -> Result<Draft, AppError> {
    let space = pair(space)?;
    let d = draft(state, viewer, Some(space), me_name).await?;
    let items = usize::from(!d.summary.is_empty());
    rules::may_approve(d.version, version, items).map_err(|r| match r {
        ApproveRefusal::Stale { current } => AppError::Conflict(format!(
            "The summary changed since you looked (it is now version {current}). Read it again, then approve."
        )),
        ApproveRefusal::Empty => AppError::Conflict("Choose at least one item first.".into()),
    })?;
    let partner = space
        .partner
        .as_ref()
        .map(|p| p.id.clone())
        .unwrap_or_default();
    let outcome = state
        .repo
        .approve_handoff(&NewHandoffApproval {
            couple: space.couple_id.clone(),
            user: viewer.user_id.clone(),
            partner,
            version,
            digest: d.digest.clone(),
            content: d.summary.to_json(),
            now: state.clock().now_ms(),
        })
        .await?;
    match outcome {
        ApproveOutcome::Approved { .. } => draft(state, viewer, Some(space), me_name).await,
        ApproveOutcome::Stale { current } | ApproveOutcome::Changed { current } => {
            Err(AppError::Conflict(format!(
                "The summary changed since you looked (it is now version {current}). Read it again, then approve."
            )))
        }
    }
}

/// The final summary both approved, or a refusal saying it is not final yet.
pub async fn final_summary(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    me_name: &str,
) -> Result<Summary, AppError> {
    draft(state, viewer, space, me_name)
        .await?
        .final_summary
        .ok_or_else(|| {
            AppError::Conflict("The summary is ready to print once you both approved it.".into())
        })
}

pub struct NewLink {
    pub id: String,
    pub token: String,
    pub expires_at: i64,
}

/// A link for a counselor to the final summary.
pub async fn create_link(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    days: Option<i64>,
) -> Result<NewLink, AppError> {
    let space = pair(space)?;
    let now = state.clock().now_ms();
    let expires_at = rules::link_expiry(now, days).map_err(|m| AppError::field("days", m))?;
    let token = random_token(rules::TOKEN_BYTES);
    let id = new_id();
    if !state
        .repo
        .create_handoff_link(
            &space.couple_id,
            &id,
            &digest(&token),
            &viewer.user_id,
            now,
            expires_at,
        )
        .await?
    {
        return Err(AppError::Conflict(
            "A link can be made once you both approved the summary.".into(),
        ));
    }
    Ok(NewLink {
        id,
        token,
        expires_at,
    })
}

pub async fn revoke_link(state: &AppState, couple: &CoupleId, id: &str) -> Result<(), AppError> {
    if state
        .repo
        .revoke_handoff_link(couple, id, state.clock().now_ms())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

pub async fn revoke(state: &AppState, space: Option<&Space>, id: &str) -> Result<(), AppError> {
    let space = pair(space)?;
    revoke_link(state, &space.couple_id, id).await
}

/// What a counselor's link shows: the final summary, or why not. Unknown,
/// revoked and expired links all answer 404 (nothing to tell apart from outside).
pub async fn by_token(state: &AppState, token: &str) -> Result<Summary, AppError> {
    if token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let Some((content, expires_at, revoked_at)) =
        state.repo.handoff_by_token(&digest(token)).await?
    else {
        return Err(AppError::NotFound);
    };
    if rules::link_state(expires_at, revoked_at, state.clock().now_ms()) != LinkState::Active {
        return Err(AppError::NotFound);
    }
    content
        .and_then(|c| serde_json::from_str(&c).ok())
        .ok_or(AppError::NotFound)
}
