//! Step 7's pages: the check-ins overview and rhythm, one check-in (the private
//! form, then the meeting), trends with early warnings, and the CSV export.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use rekindle_storage::{CheckinId, Space, UserId, VisibleSubmission};
use serde::Deserialize;

use crate::checkins::{self as uc, CheckinView, Stage, SubmissionInput, Trends};
use crate::coach::Coached;
use crate::http::auth::SignedIn;
use crate::http::error::{AppError, FieldErrors, PageResult};
use crate::state::AppState;
use crate::view::DoneQuery;
use crate::view::charts::{Chart, Series};
use crate::view::form_errors;
use crate::view::format::{tz_of, when};
use crate::view::{Chrome, field_error, notice_for, render_with_status, see_other};
use rekindle_domain::checkin::{self as ck, Item, Rhythm, Scores, Warning};

fn partner_name(space: Option<&Space>) -> String {
    space
        .and_then(|s| s.partner.as_ref().map(|p| p.display_name.clone()))
        .unwrap_or_else(|| "Your partner".into())
}

pub fn stage_label(stage: Stage) -> &'static str {
    match stage {
        Stage::AwaitingMe => "Open for your part",
        Stage::AwaitingPartner => "You sent your part",
        Stage::Meeting => "Ready to meet",
        Stage::SetAside => "Set aside",
    }
}

pub struct WarningView {
    pub kind: &'static str,
    pub about: &'static str,
    pub message: String,
    pub basis: String,
    pub suggestion: String,
}

fn warning_views(ws: Vec<Warning>) -> Vec<WarningView> {
    ws.into_iter()
        .map(|w| WarningView {
            kind: w.kind.as_str(),
            about: w.about.as_str(),
            message: w.message,
            basis: w.basis,
            suggestion: w.suggestion,
        })
        .collect()
}

pub struct HistoryRow {
    pub id: String,
    pub when: String,
    pub stage: &'static str,
    pub stage_label: &'static str,
    /// My CSI-4 total, when I submitted.
    pub my_total: String,
}

#[derive(Template)]
#[template(path = "checkins.html")]
struct OverviewPage {
    c: Chrome,
    paused: bool,
    paired: bool,
    o: Arc<Overview>,
    rhythms: Vec<(&'static str, &'static str)>,
    weekdays: Vec<(&'static str, &'static str)>,
    errors: FieldErrors,
}

/// What the overview shows of the space's check-ins: kept between changes
/// (`AppState::kept`) until the next one falls due or the open one closes.
struct Overview {
    next: String,
    rhythm_summary: String,
    open: Option<HistoryRow>,
    latest_meeting: Option<HistoryRow>,
    history: Vec<HistoryRow>,
    warnings: Vec<WarningView>,
    rhythm: &'static str,
    weekday: &'static str,
    hour: u32,
    /// When it must be worked out again (ms): the next check-in's time, or
    /// the open one's close, whichever comes first.
    good_until: i64,
}

impl OverviewPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

fn row(v: &CheckinView, tz: chrono_tz::Tz) -> HistoryRow {
    HistoryRow {
        id: v.checkin.id.clone().into(),
        when: when(v.checkin.opened_at, tz),
        stage: v.stage.as_str(),
        stage_label: stage_label(v.stage),
        my_total: v
            .mine
            .as_ref()
            .and_then(VisibleSubmission::scores)
            .map(|s| s.csi_total().to_string())
            .unwrap_or_default(),
    }
}

/// Reads and works out the overview of a pair's check-ins (opening one that
/// fell due).
async fn overview_of(
    state: &AppState,
    who: &SignedIn,
    viewer: &rekindle_storage::Viewer,
    space: Option<&Space>,
    pair: &Space,
) -> Result<Overview, AppError> {
    let tz = tz_of(&who.user.time_zone);
    let cur = uc::current(state, &who.user, viewer, pair).await?;
    let subs = state.repo.visible_submissions(viewer, None).await?;
    let now = state.clock().now_ms();
    let views: Vec<CheckinView> = cur
        .history
        .iter()
        .map(|c| uc::assemble(viewer, c.clone(), &subs, Vec::new(), now))
        .collect();
    let find = |id: Option<&CheckinId>| {
        views
            .iter()
            .find(|v| Some(&v.checkin.id) == id)
            .map(|v| row(v, tz))
    };
    let read_rhythm = uc::Rhythmic {
        cadence: cur.cadence,
        anchor: cur.anchor,
    };
    let trends = uc::trends_of(
        state,
        &who.user,
        viewer,
        space,
        &cur.history,
        &subs,
        Some(read_rhythm),
    )
    .await?;
    let cad = cur.cadence;
    let next_at = cur.next_at.timestamp_millis();
    Ok(Overview {
        next: when(next_at, tz),
        rhythm_summary: format!(
            "{} on {} at {:02}:00 (your time)",
            cad.rhythm.label().split(" (").next().unwrap_or_default(),
            ck::weekday_name(cad.weekday),
            cad.hour
        ),
        open: find(cur.open.as_ref().map(|c| &c.id)),
        latest_meeting: find(cur.latest_completed.as_ref().map(|c| &c.id)),
        history: views.iter().map(|v| row(v, tz)).collect(),
        warnings: warning_views(trends.warnings),
        rhythm: cad.rhythm.as_str(),
        weekday: uc::weekday_key(cad.weekday),
        hour: cad.hour,
        good_until: cur
            .open
            .as_ref()
            .map_or(next_at, |c| c.closes_at.min(next_at)),
    })
}

async fn overview_page(
    state: &AppState,
    who: &SignedIn,
    notice: Option<String>,
    errors: FieldErrors,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let c = Chrome::signed_in("Check-ins", who).with_notice(notice);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let rhythms: Vec<_> = Rhythm::ALL
        .iter()
        .map(|r| (r.as_str(), r.label()))
        .collect();
    let weekdays: Vec<_> = ck::WEEKDAYS
        .iter()
        .map(|d| (uc::weekday_key(*d), ck::weekday_name(*d)))
        .collect();
    let Ok(pair) = crate::space::require_pair(space.as_ref(), uc::FOR_TWO) else {
        let page = OverviewPage {
            c,
            paused: space.as_ref().is_some_and(|s| s.paused),
            paired: false,
            o: Arc::new(Overview {
                next: String::new(),
                rhythm_summary: String::new(),
                open: None,
                latest_meeting: None,
                history: Vec::new(),
                warnings: Vec::new(),
                rhythm: "weekly",
                weekday: "sunday",
                hour: 19,
                good_until: 0,
            }),
            rhythms,
            weekdays,
            errors,
        };
        return render_with_status(status, &page);
    };
    let now = state.clock().now_ms();
    let o = state
        .kept(
            "checkins-overview",
            who.user.id.as_str(),
            |o: &Overview| now < o.good_until,
            overview_of(state, who, &viewer, space.as_ref(), pair),
        )
        .await?;
    let page = OverviewPage {
        c,
        paused: false,
        paired: true,
        o,
        rhythms,
        weekdays,
        errors,
    };
    render_with_status(status, &page)
}

pub async fn overview(
    State(state): State<AppState>,
    who: SignedIn,
    Query(d): Query<DoneQuery>,
) -> PageResult {
    let state = state.reading().await?;
    overview_page(
        &state,
        &who,
        notice_for(d.done.as_deref()),
        FieldErrors::new(),
    )
    .await
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    rhythm: String,
    #[serde(default)]
    weekday: String,
    #[serde(default)]
    hour: String,
}

pub async fn schedule(
    State(state): State<AppState>,
    who: SignedIn,
    Form(f): Form<ScheduleForm>,
) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    match uc::set_rhythm(&state, pair, &f.rhythm, &f.weekday, &f.hour).await {
        Ok(_) => Ok(see_other("/checkins?done=saved")),
        Err(e) => overview_page(&state, &who, None, form_errors(e, "rhythm")?).await,
    }
}

pub async fn begin(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let (_, space) = crate::space::viewer(&state, &who.user.id).await?;
    let pair = crate::space::require_pair(space.as_ref(), uc::FOR_TWO)?;
    let id = uc::begin(&state, pair).await?;
    Ok(see_other(&format!("/checkins/{id}")))
}

// ---- one check-in ------------------------------------------------------------

pub struct ItemView {
    pub key: &'static str,
    pub text: &'static str,
    /// (value, label, checked)
    pub options: Vec<(String, &'static str, bool)>,
    pub error: String,
}

pub struct ScoresView {
    pub csi_total: u8,
    pub technoference: String,
    pub hours_together: u16,
    pub hours_device_free: u16,
}

fn scores_view(s: Scores) -> ScoresView {
    ScoresView {
        csi_total: s.csi_total(),
        technoference: format!("{:.2}", s.technoference()),
        hours_together: s.hours_together,
        hours_device_free: s.hours_device_free,
    }
}

pub struct SubView {
    pub appreciation: String,
    pub went_well: String,
    pub topic: String,
    pub kept_private: bool,
    pub scores: Option<ScoresView>,
}

fn sub_view(s: &VisibleSubmission) -> SubView {
    SubView {
        appreciation: s.appreciation.clone(),
        went_well: s.went_well.clone(),
        topic: s.topic.clone(),
        kept_private: s.scores_private,
        scores: s.scores().map(scores_view),
    }
}

/// What was typed into the form, kept on errors.
#[derive(Deserialize, Default, Clone)]
pub struct SubmitForm {
    #[serde(default)]
    csi1: String,
    #[serde(default)]
    csi2: String,
    #[serde(default)]
    csi3: String,
    #[serde(default)]
    csi4: String,
    #[serde(default)]
    tech1: String,
    #[serde(default)]
    tech2: String,
    #[serde(default)]
    tech3: String,
    #[serde(default)]
    tech4: String,
    #[serde(default)]
    hours_together: String,
    #[serde(default)]
    hours_device_free: String,
    #[serde(default)]
    appreciation: String,
    #[serde(default)]
    went_well: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    keep_private: Option<String>,
}

impl SubmitForm {
    fn raw(&self, key: &str) -> &str {
        match key {
            "csi1" => &self.csi1,
            "csi2" => &self.csi2,
            "csi3" => &self.csi3,
            "csi4" => &self.csi4,
            "tech1" => &self.tech1,
            "tech2" => &self.tech2,
            "tech3" => &self.tech3,
            "tech4" => &self.tech4,
            _ => "",
        }
    }

    fn input(&self) -> SubmissionInput {
        let n = |s: &str| s.trim().parse::<i64>().ok();
        SubmissionInput {
            csi: [n(&self.csi1), n(&self.csi2), n(&self.csi3), n(&self.csi4)],
            tech: [
                n(&self.tech1),
                n(&self.tech2),
                n(&self.tech3),
                n(&self.tech4),
            ],
            hours_together: n(&self.hours_together),
            hours_device_free: n(&self.hours_device_free),
            appreciation: self.appreciation.clone(),
            went_well: self.went_well.clone(),
            topic: self.topic.clone(),
            keep_private: self.keep_private.as_deref().is_some_and(|v| !v.is_empty()),
        }
    }
}

fn item_views(items: &[Item], form: &SubmitForm, errors: &FieldErrors) -> Vec<ItemView> {
    items
        .iter()
        .map(|item| ItemView {
            key: item.key,
            text: item.text,
            options: item
                .labels
                .iter()
                .enumerate()
                .map(|(i, label)| (i.to_string(), *label, form.raw(item.key) == i.to_string()))
                .collect(),
            error: field_error(errors, item.key),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "checkin.html")]
struct CheckinPage {
    c: Chrome,
    /// The coach's answer about the written answers when asked (the no-JS coach path).
    coach_panel: Option<crate::coach::CoachPanel>,
    id: String,
    stage: &'static str,
    opened: String,
    closes: String,
    partner_name: String,
    csi_items: Vec<ItemView>,
    tech_items: Vec<ItemView>,
    form: SubmitForm,
    errors: FieldErrors,
    error: String,
    mine: Option<SubView>,
    partner: Option<SubView>,
    loved_mine: String,
    loved_partner: String,
    loved_draft: String,
    /// What the person sent their partner this week (Appreciations), offered
    /// beside the appreciation field.
    sent_this_week: Vec<String>,
    csi_citation: &'static str,
    tech_citation: &'static str,
    tech_stem: &'static str,
    time_citation: &'static str,
}

impl CheckinPage {
    fn err(&self, f: &str) -> String {
        field_error(&self.errors, f)
    }
}

async fn checkin_page(
    state: &AppState,
    who: &SignedIn,
    id: &str,
    form: SubmitForm,
    error: Option<AppError>,
    loved_draft: String,
    coach_panel: Option<crate::coach::CoachPanel>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(state, &who.user.id).await?;
    let v = uc::view(state, &viewer, id).await?;
    let tz = tz_of(&who.user.time_zone);
    let status = error.as_ref().map_or(StatusCode::OK, AppError::status);
    let (errors, general) = match error {
        Some(AppError::Invalid(f)) => (f, String::new()),
        Some(e) => (FieldErrors::new(), e.detail()),
        None => (FieldErrors::new(), String::new()),
    };
    let loved_of = |who_id: Option<&UserId>| {
        v.loved
            .iter()
            .find(|l| Some(&l.user_id) == who_id)
            .map(|l| l.body.clone())
            .unwrap_or_default()
    };
    let page = CheckinPage {
        coach_panel,
        c: Chrome::signed_in("Check-in", who),
        id: v.checkin.id.clone().into(),
        stage: v.stage.as_str(),
        opened: when(v.checkin.opened_at, tz),
        closes: when(v.checkin.closes_at, tz),
        partner_name: partner_name(space.as_ref()),
        csi_items: item_views(&ck::CSI4, &form, &errors),
        tech_items: item_views(&ck::TECHNOFERENCE, &form, &errors),
        mine: v.mine.as_ref().map(sub_view),
        partner: v.partner.as_ref().map(sub_view),
        loved_mine: loved_of(Some(&viewer.user_id)),
        loved_partner: loved_of(viewer.partner_id.as_ref()),
        loved_draft,
        sent_this_week: crate::appreciations::sent_this_week(state, &viewer).await?,
        form,
        errors,
        error: general,
        csi_citation: ck::CSI4_CITATION,
        tech_citation: ck::TECHNOFERENCE_CITATION,
        tech_stem: ck::TECHNOFERENCE_STEM,
        time_citation: ck::SHARED_TIME_CITATION,
    };
    render_with_status(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
) -> PageResult {
    checkin_page(
        &state,
        &who,
        &id,
        SubmitForm::default(),
        None,
        String::new(),
        None,
    )
    .await
}

pub async fn submit(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Coached(mut f, ask): Coached<SubmitForm>,
) -> PageResult {
    let asked = ask.asked(&mut [
        ("appreciation", &mut f.appreciation),
        ("went_well", &mut f.went_well),
        ("topic", &mut f.topic),
    ]);
    if asked.is_some() {
        return checkin_page(&state, &who, &id, f, None, String::new(), asked).await;
    }
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    match uc::submit(&state, &viewer, space.as_ref(), &id, &f.input()).await {
        Ok(()) => Ok(see_other(&format!("/checkins/{id}"))),
        Err(e @ (AppError::NotFound | AppError::Internal(_))) => Err(e.into()),
        Err(e) => checkin_page(&state, &who, &id, f, Some(e), String::new(), None).await,
    }
}

#[derive(Deserialize)]
pub struct LovedForm {
    #[serde(default)]
    body: String,
}

pub async fn loved(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Form(f): Form<LovedForm>,
) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    match uc::loved(&state, &viewer, space.as_ref(), &id, &f.body).await {
        Ok(()) => Ok(see_other(&format!("/checkins/{id}#closing"))),
        Err(e @ (AppError::NotFound | AppError::Internal(_))) => Err(e.into()),
        Err(e) => {
            checkin_page(
                &state,
                &who,
                &id,
                SubmitForm::default(),
                Some(e),
                f.body,
                None,
            )
            .await
        }
    }
}

// ---- trends ------------------------------------------------------------------

pub struct ChartView {
    pub svg: String,
    pub summary: String,
}

fn describe(name: &str, values: &[Option<f64>], unit: &str) -> Option<String> {
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (first, last) = (known.first()?, known.last()?);
    let low = known.iter().copied().fold(f64::INFINITY, f64::min);
    let high = known.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let f = |v: f64| {
        if (v - v.round()).abs() < 1e-9 {
            format!("{}", v.round() as i64)
        } else {
            format!("{v:.2}")
        }
    };
    Some(format!(
        "{name}: {} check-in{}, first {}{unit}, latest {}{unit}, lowest {}{unit}, highest {}{unit}.",
        known.len(),
        if known.len() == 1 { "" } else { "s" },
        f(*first),
        f(*last),
        f(low),
        f(high)
    ))
}

/// The three charts, holding only what the viewer may see: their own numbers
/// and their partner's shared ones.
pub fn charts(t: &Trends, partner: &str, tz: chrono_tz::Tz) -> Vec<ChartView> {
    let labels: Vec<String> = t
        .points
        .iter()
        .map(|p| {
            chrono::DateTime::from_timestamp_millis(p.at)
                .map(|d| d.with_timezone(&tz).format("%-d %b").to_string())
                .unwrap_or_default()
        })
        .collect();
    let col = |f: &dyn Fn(&Scores) -> f64, mine: bool| -> Vec<Option<f64>> {
        t.points
            .iter()
            .map(|p| {
                if mine {
                    p.mine.as_ref()
                } else {
                    p.partner.as_ref()
                }
                .map(f)
            })
            .collect()
    };
    let hidden = format!(
        "{partner}'s numbers are not shown: they appear only for check-ins where {partner} shared them."
    );
    let mut out = Vec::new();
    let mut build = |id: &'static str,
                     title: String,
                     lead: &str,
                     ymax: f64,
                     ticks: Vec<f64>,
                     band: Option<(f64, String)>,
                     series: Vec<(String, Vec<Option<f64>>, &'static str)>,
                     unit: &str| {
        let mut parts = vec![lead.to_owned()];
        for (name, vals, _) in &series {
            if let Some(d) = describe(name, vals, unit) {
                parts.push(d);
            }
        }
        if series
            .iter()
            .all(|(_, v, class)| *class != "partner" || v.iter().all(Option::is_none))
        {
            parts.push(hidden.clone());
        }
        let summary = parts.join(" ");
        let chart = Chart {
            id,
            title,
            desc: summary.clone(),
            x_labels: labels.clone(),
            y_min: 0.0,
            y_max: ymax,
            y_ticks: ticks,
            band_below: band,
            // A series with nothing the viewer may see is left out entirely.
            series: series
                .into_iter()
                .filter(|(_, values, _)| values.iter().any(Option::is_some))
                .map(|(name, values, class)| Series {
                    name,
                    values,
                    class,
                })
                .collect(),
        };
        out.push(ChartView {
            svg: chart.render(),
            summary,
        });
    };
    let csi = |s: &Scores| f64::from(s.csi_total());
    build(
        "chart-csi",
        "Relationship satisfaction (CSI-4, 0–21) per check-in".into(),
        "Higher means more satisfied. Below 13.5 (the shaded band) is where many couples find that outside support helps.",
        21.0,
        vec![0.0, 7.0, 13.5, 21.0],
        Some((
            ck::CSI4_DISTRESS_CUTOFF,
            "Below 13.5: where support often helps".into(),
        )),
        vec![
            ("You".into(), col(&csi, true), "mine"),
            (partner.to_owned(), col(&csi, false), "partner"),
        ],
        "",
    );
    let tech = |s: &Scores| s.technoference();
    build(
        "chart-tech",
        "Technoference (0–5, mean of four devices) per check-in".into(),
        "Lower is better: how often devices got in the way of your time together.",
        5.0,
        vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        None,
        vec![
            ("You".into(), col(&tech, true), "mine"),
            (partner.to_owned(), col(&tech, false), "partner"),
        ],
        "",
    );
    let together = |s: &Scores| f64::from(s.hours_together);
    let free = |s: &Scores| f64::from(s.hours_device_free);
    let top = t
        .points
        .iter()
        .flat_map(|p| {
            [
                p.mine.map(|s| s.hours_together),
                p.partner.map(|s| s.hours_together),
            ]
        })
        .flatten()
        .max()
        .unwrap_or(10)
        .max(10);
    let ymax = f64::from(top.div_ceil(10) * 10);
    build(
        "chart-time",
        "Time together in the past week (hours) per check-in".into(),
        "Hours spent together, and how many of them without devices.",
        ymax,
        vec![0.0, ymax / 2.0, ymax],
        None,
        vec![
            ("You: together".into(), col(&together, true), "mine"),
            ("You: device-free".into(), col(&free, true), "mine-alt"),
            (
                format!("{partner}: together"),
                col(&together, false),
                "partner",
            ),
        ],
        " h",
    );
    out
}

#[derive(Template)]
#[template(path = "checkin_trends.html")]
struct TrendsPage {
    c: Chrome,
    count: usize,
    charts: Vec<ChartView>,
    warnings: Vec<WarningView>,
}

pub async fn trends(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let (viewer, space) = crate::space::viewer(&state, &who.user.id).await?;
    let t = uc::trends(&state, &who.user, &viewer, space.as_ref()).await?;
    let tz = tz_of(&who.user.time_zone);
    let page = TrendsPage {
        c: Chrome::signed_in("Check-in trends", &who),
        count: t.points.len(),
        charts: if t.points.is_empty() {
            Vec::new()
        } else {
            charts(&t, &partner_name(space.as_ref()), tz)
        },
        warnings: warning_views(t.warnings),
    };
    render_with_status(StatusCode::OK, &page)
}

pub async fn export(State(state): State<AppState>, who: SignedIn) -> PageResult {
    let csv = uc::export_csv(&state, &who.user.id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"rekindle-checkins.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}
