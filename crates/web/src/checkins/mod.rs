//! Step 7's use cases shared by pages and the API: the couple's rhythm, opening
//! a check-in when its time has come (or on request), submitting, assembling what
//! one partner may see, trends, early warnings and the personal CSV export.

pub mod api;
pub mod page;

use chrono::{DateTime, Duration, Utc, Weekday};
use chrono_tz::Tz;
use rekindle_domain::Reveal;
use rekindle_domain::checkin::{self as ck, Cadence, Point, Rhythm, Scores, Warning};
use rekindle_storage::{
    Checkin, CheckinId, CheckinSchedule, CoupleId, LovedAnswer, NewCheckin, NewSubmission, Space,
    User, UserId, Viewer, VisibleSubmission,
};

use crate::http::error::{AppError, FieldErrors};
use crate::http::secrets::new_id;
use crate::state::AppState;
use crate::view::format::{iso, tz_of};

pub const TEXT_MAX_CHARS: usize = 2_000;
pub const LOVED_MAX_CHARS: usize = 1_000;

/// What a person alone in their space is told about this tool.
pub const FOR_TWO: &str =
    "Check-ins are for two: they open once your partner has joined your space.";

// ---- the rhythm ----------------------------------------------------------------

pub fn weekday_key(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    ck::WEEKDAYS
        .into_iter()
        .find(|d| weekday_key(*d) == s.trim().to_lowercase())
}

/// The stored rhythm, or the default one anchored now when none was chosen yet.
pub struct Rhythmic {
    pub cadence: Cadence,
    pub anchor: DateTime<Utc>,
}

fn from_stored(s: &CheckinSchedule) -> Rhythmic {
    let weekday = usize::try_from(s.weekday)
        .ok()
        .and_then(|i| ck::WEEKDAYS.get(i).copied())
        .unwrap_or(Weekday::Sun);
    Rhythmic {
        cadence: Cadence {
            rhythm: s.rhythm,
            weekday,
            hour: u32::try_from(s.hour).unwrap_or(19).min(23),
        },
        anchor: DateTime::from_timestamp_millis(s.anchor_at).unwrap_or_default(),
    }
}

fn to_stored(c: &Cadence, anchor: i64) -> CheckinSchedule {
    CheckinSchedule {
        rhythm: c.rhythm,
        weekday: i64::from(c.weekday.num_days_from_monday()),
        hour: i64::from(c.hour),
        anchor_at: anchor,
    }
}

/// Reads the rhythm without writing anything (for the home page).
pub async fn peek_rhythm(state: &AppState, couple_id: &CoupleId) -> Result<Rhythmic, AppError> {
    Ok(match state.repo.checkin_schedule(couple_id).await? {
        Some(s) => from_stored(&s),
        None => Rhythmic {
            cadence: Cadence::default(),
            anchor: state.clock().now(),
        },
    })
}

/// The rhythm, storing the default the first time so missed check-ins are
/// counted from the moment the couple started.
async fn rhythm(state: &AppState, couple_id: &CoupleId) -> Result<Rhythmic, AppError> {
    if let Some(s) = state.repo.checkin_schedule(couple_id).await? {
        return Ok(from_stored(&s));
    }
    let now = state.clock().now_ms();
    state
        .repo
        .set_checkin_schedule(couple_id, &to_stored(&Cadence::default(), now))
        .await?;
    Ok(Rhythmic {
        cadence: Cadence::default(),
        anchor: DateTime::from_timestamp_millis(now).unwrap_or_default(),
    })
}

/// Validates and saves a new rhythm; counting of missed check-ins starts afresh.
pub async fn set_rhythm(
    state: &AppState,
    pair: &Space,
    rhythm: &str,
    weekday: &str,
    hour: &str,
) -> Result<Cadence, AppError> {
    let mut errors = FieldErrors::new();
    let r = Rhythm::parse(rhythm.trim());
    if r.is_none() {
        errors.insert(
            "rhythm",
            "Choose every week, every two weeks or once a month.".into(),
        );
    }
    let d = parse_weekday(weekday);
    if d.is_none() {
        errors.insert("weekday", "Choose a day of the week.".into());
    }
    let h = hour.trim().parse::<u32>().ok().filter(|h| *h < 24);
    if h.is_none() {
        errors.insert("hour", "Choose an hour between 0 and 23.".into());
    }
    let (Some(rhythm), Some(weekday), Some(hour)) = (r, d, h) else {
        return Err(AppError::Invalid(errors));
    };
    let cadence = Cadence {
        rhythm,
        weekday,
        hour,
    };
    state
        .repo
        .set_checkin_schedule(
            &pair.couple_id,
            &to_stored(&cadence, state.clock().now_ms()),
        )
        .await?;
    Ok(cadence)
}

/// Where the couple stands right now, for one partner.
pub struct Current {
    pub cadence: Cadence,
    /// Where the rhythm counts from (see [`Rhythmic`]).
    pub anchor: DateTime<Utc>,
    pub next_at: DateTime<Utc>,
    /// The check-in open for answers, if any.
    pub open: Option<Checkin>,
    /// The latest completed check-in of this space (its meeting).
    pub latest_completed: Option<Checkin>,
    pub history: Vec<Checkin>,
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// Opens the check-in when a scheduled moment has passed since the last one was
/// opened (in the viewer's time zone), then reports where things stand.
pub async fn current(
    state: &AppState,
    user: &User,
    viewer: &Viewer,
    pair: &Space,
) -> Result<Current, AppError> {
    let r = rhythm(state, &pair.couple_id).await?;
    let tz = tz_of(&user.time_zone);
    let now = state.clock().now();
    let history = state.repo.checkins_for(viewer).await?;
    let last_opened = history
        .iter()
        .filter(|c| c.in_space)
        .map(|c| c.opened_at)
        .max()
        .and_then(DateTime::from_timestamp_millis);
    let scheduled = r.cadence.latest_at_or_before(r.anchor, now, tz);
    let history = if ck::open_due(scheduled, last_opened) {
        let since = scheduled.map_or(i64::MAX, ms);
        let new = NewCheckin {
            id: new_id().into(),
            opened_at: ms(now),
            closes_at: ms(now + r.cadence.rhythm.open_for()),
        };
        if state
            .repo
            .open_checkin(&pair.couple_id, &new, since)
            .await?
        {
            state.repo.checkins_for(viewer).await?
        } else {
            history
        }
    } else {
        history
    };
    let at = ms(now);
    Ok(Current {
        cadence: r.cadence,
        anchor: r.anchor,
        next_at: r.cadence.next_after(r.anchor, now, tz),
        open: history
            .iter()
            .find(|c| c.in_space && c.completed_at.is_none() && c.closes_at > at)
            .cloned(),
        latest_completed: history
            .iter()
            .find(|c| c.in_space && c.completed_at.is_some())
            .cloned(),
        history,
    })
}

/// Starts a check-in right away, outside the rhythm.
pub async fn begin(state: &AppState, pair: &Space) -> Result<String, AppError> {
    let r = rhythm(state, &pair.couple_id).await?;
    let now = state.clock().now();
    let new = NewCheckin {
        id: new_id().into(),
        opened_at: ms(now),
        closes_at: ms(now + r.cadence.rhythm.open_for()),
    };
    if state
        .repo
        .open_checkin(&pair.couple_id, &new, i64::MAX)
        .await?
    {
        Ok(new.id.into())
    } else {
        Err(AppError::Conflict(
            "A check-in is already open. Fill in your part there.".into(),
        ))
    }
}

/// The next scheduled check-in for the home page, from the rhythm it already
/// read (the default one when none was chosen yet), without side effects.
pub fn next_for_home(
    stored: Option<&CheckinSchedule>,
    user: &User,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let r = stored.map_or_else(
        || Rhythmic {
            cadence: Cadence::default(),
            anchor: now,
        },
        from_stored,
    );
    r.cadence.next_after(r.anchor, now, tz_of(&user.time_zone))
}

// ---- one check-in ----------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Open, and I have not submitted: the form. Nothing about my partner.
    AwaitingMe,
    /// I submitted; my partner has not yet.
    AwaitingPartner,
    /// Both submitted: the meeting.
    Meeting,
    /// Closed before both submitted; quietly set aside.
    SetAside,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::AwaitingMe => "awaiting_me",
            Stage::AwaitingPartner => "awaiting_partner",
            Stage::Meeting => "meeting",
            Stage::SetAside => "set_aside",
        }
    }
}

/// Everything one partner may see of one check-in.
pub struct CheckinView {
    pub checkin: Checkin,
    pub stage: Stage,
    pub mine: Option<VisibleSubmission>,
    /// Only ever set in [`Stage::Meeting`]; its numbers are absent when kept private.
    pub partner: Option<VisibleSubmission>,
    pub loved: Vec<LovedAnswer>,
}

/// Builds the view from what the storage layer let through.
pub fn assemble(
    viewer: &Viewer,
    checkin: Checkin,
    subs: &[VisibleSubmission],
    loved: Vec<LovedAnswer>,
    now: i64,
) -> CheckinView {
    let mine = subs
        .iter()
        .find(|s| s.checkin_id == checkin.id && s.user_id == viewer.user_id);
    let partner = subs.iter().find(|s| {
        s.checkin_id == checkin.id
            && Some(&s.user_id) == viewer.partner_id.as_ref()
            && checkin.in_space
    });
    let view = ck::pair_view(mine.is_some(), partner.is_some());
    let stage = match view {
        Reveal::Open => Stage::Meeting,
        _ if checkin.closes_at <= now => Stage::SetAside,
        Reveal::AwaitingPartner => Stage::AwaitingPartner,
        Reveal::AwaitingMe => Stage::AwaitingMe,
    };
    let open = stage == Stage::Meeting;
    CheckinView {
        mine: mine.cloned(),
        partner: partner.filter(|_| open).cloned(),
        loved: if open { loved } else { Vec::new() },
        stage,
        checkin,
    }
}

pub async fn view(state: &AppState, viewer: &Viewer, id: &str) -> Result<CheckinView, AppError> {
    let checkin = state
        .repo
        .checkin_for(viewer, &CheckinId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let subs = state.repo.visible_submissions(viewer, Some(id)).await?;
    let loved = state.repo.loved_for(viewer, &CheckinId::from(id)).await?;
    Ok(assemble(
        viewer,
        checkin,
        &subs,
        loved,
        state.clock().now_ms(),
    ))
}

/// A submission as typed in, before checking.
#[derive(Debug, Clone, Default)]
pub struct SubmissionInput {
    pub csi: [Option<i64>; 4],
    pub tech: [Option<i64>; 4],
    pub hours_together: Option<i64>,
    pub hours_device_free: Option<i64>,
    pub appreciation: String,
    pub went_well: String,
    pub topic: String,
    pub keep_private: bool,
}

/// Checks every field and reports each problem against its field.
pub fn check(input: &SubmissionInput) -> Result<(Scores, [String; 3]), AppError> {
    let mut errors = FieldErrors::new();
    let mut small = |v: Option<i64>, key: &'static str| -> u8 {
        match v.and_then(|v| u8::try_from(v).ok()) {
            Some(v) => v,
            None => {
                errors.insert(key, "Choose one of the answers.".into());
                0
            }
        }
    };
    let csi = [
        small(input.csi[0], "csi1"),
        small(input.csi[1], "csi2"),
        small(input.csi[2], "csi3"),
        small(input.csi[3], "csi4"),
    ];
    let tech = [
        small(input.tech[0], "tech1"),
        small(input.tech[1], "tech2"),
        small(input.tech[2], "tech3"),
        small(input.tech[3], "tech4"),
    ];
    let mut hours = |v: Option<i64>, key: &'static str| -> u16 {
        match v.and_then(|v| u16::try_from(v).ok()) {
            Some(v) => v,
            None => {
                errors.insert(key, "Enter a whole number of hours, 0 or more.".into());
                0
            }
        }
    };
    let hours_together = hours(input.hours_together, "hours_together");
    let hours_device_free = hours(input.hours_device_free, "hours_device_free");
    let scores = Scores {
        csi,
        tech,
        hours_together,
        hours_device_free,
    };
    for p in scores.problems() {
        errors
            .entry(p.field())
            .or_insert_with(|| p.message().into());
    }
    let mut texts = [String::new(), String::new(), String::new()];
    for (i, (key, raw)) in [
        ("appreciation", &input.appreciation),
        ("went_well", &input.went_well),
        ("topic", &input.topic),
    ]
    .into_iter()
    .enumerate()
    {
        let t = raw.trim();
        if t.chars().count() > TEXT_MAX_CHARS {
            errors.insert(
                key,
                "Keep this under 2,000 characters; the meeting is the place for more.".into(),
            );
        }
        texts[i] = t.to_owned();
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok((scores, texts))
}

/// Submits one partner's answers; waits while the space is paused.
pub async fn submit(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    id: &str,
    input: &SubmissionInput,
) -> Result<(), AppError> {
    crate::space::not_paused(space)?;
    let v = view(state, viewer, id).await?;
    match v.stage {
        Stage::AwaitingMe => {}
        Stage::SetAside => {
            return Err(AppError::Conflict(
                "This check-in has been set aside. No harm done: the next one follows your rhythm."
                    .into(),
            ));
        }
        _ => {
            return Err(AppError::Conflict(
                "You have already sent your part of this check-in.".into(),
            ));
        }
    }
    let (scores, [appreciation, went_well, topic]) = check(input)?;
    let new = NewSubmission {
        id: new_id(),
        checkin_id: id.to_owned().into(),
        scores,
        appreciation,
        went_well,
        topic,
        scores_private: input.keep_private,
        created_at: state.clock().now_ms(),
    };
    match state.repo.submit_checkin(viewer, &new).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(AppError::NotFound),
        Err(rekindle_storage::StoreError::Conflict) => Err(AppError::Conflict(
            "You have already sent your part of this check-in.".into(),
        )),
        Err(e) => Err(e.into()),
    }
}

/// "What would make me feel loved this week", once both submitted; waits while
/// the space is paused.
pub async fn loved(
    state: &AppState,
    viewer: &Viewer,
    space: Option<&Space>,
    id: &str,
    body: &str,
) -> Result<(), AppError> {
    crate::space::not_paused(space)?;
    view(state, viewer, id).await?;
    let body = body.trim();
    if body.is_empty() {
        return Err(AppError::field(
            "body",
            "Write a line about what would make you feel loved this week.",
        ));
    }
    if body.chars().count() > LOVED_MAX_CHARS {
        return Err(AppError::field("body", "Keep this under 1,000 characters."));
    }
    if state
        .repo
        .set_loved(viewer, &CheckinId::from(id), body, state.clock().now_ms())
        .await?
    {
        Ok(())
    } else {
        Err(AppError::Conflict(
            "The closing question opens once you have both sent your part.".into(),
        ))
    }
}

// ---- trends and warnings ------------------------------------------------------------

/// One completed check-in of this space as the viewer may see it.
pub struct TrendPoint {
    pub checkin_id: String,
    pub at: i64,
    pub mine: Option<Scores>,
    /// Absent when the partner kept their numbers private.
    pub partner: Option<Scores>,
}

pub struct Trends {
    pub points: Vec<TrendPoint>,
    pub warnings: Vec<Warning>,
    pub missed_in_a_row: usize,
}

pub async fn trends(
    state: &AppState,
    user: &User,
    viewer: &Viewer,
    space: Option<&Space>,
) -> Result<Trends, AppError> {
    let history = state.repo.checkins_for(viewer).await?;
    let subs = state.repo.visible_submissions(viewer, None).await?;
    trends_of(state, user, viewer, space, &history, &subs, None).await
}

/// [`trends`] from a history and submissions already read for the page (and
/// its rhythm, when read too).
pub async fn trends_of(
    state: &AppState,
    user: &User,
    viewer: &Viewer,
    space: Option<&Space>,
    history: &[Checkin],
    subs: &[VisibleSubmission],
    rhythm: Option<Rhythmic>,
) -> Result<Trends, AppError> {
    let mut points: Vec<TrendPoint> = history
        .iter()
        .filter(|c| c.in_space && c.completed_at.is_some())
        .map(|c| {
            let find = |who: Option<&UserId>| {
                subs.iter()
                    .find(|s| s.checkin_id == c.id && Some(&s.user_id) == who)
                    .and_then(VisibleSubmission::scores)
            };
            TrendPoint {
                checkin_id: c.id.clone().into(),
                at: c.completed_at.unwrap_or(c.opened_at),
                mine: find(Some(&viewer.user_id)),
                partner: find(viewer.partner_id.as_ref()),
            }
        })
        .collect();
    points.sort_by_key(|p| p.at);
    let (missed, partner_name) = match space {
        Some(s) if s.partner.is_some() => {
            let r = match rhythm {
                Some(r) => r,
                None => peek_rhythm(state, &s.couple_id).await?,
            };
            let now = state.clock().now();
            let tz: Tz = tz_of(&user.time_zone);
            let scheduled = r
                .cadence
                .occurrences(r.anchor, now - Duration::days(200), now, tz);
            // The space's completed check-ins are in the history already (its
            // newest 2,000, far more than the 200 days looked at here).
            let mut done: Vec<DateTime<Utc>> = history
                .iter()
                .filter(|c| c.in_space)
                .filter_map(|c| c.completed_at)
                .filter_map(DateTime::from_timestamp_millis)
                .collect();
            done.sort_unstable();
            let name = s
                .partner
                .as_ref()
                .map(|p| p.display_name.clone())
                .unwrap_or_default();
            (ck::missed_in_a_row(&scheduled, &done), name)
        }
        _ => (0, String::new()),
    };
    let domain_points: Vec<Point> = points
        .iter()
        .map(|p| Point {
            mine: p.mine.map(|s| s.csi_total()),
            partner: p.partner.map(|s| s.csi_total()),
        })
        .collect();
    Ok(Trends {
        warnings: ck::warnings(&domain_points, missed, &partner_name),
        missed_in_a_row: missed,
        points,
    })
}

// ---- export ------------------------------------------------------------------------

use crate::view::csv::field as csv_field;

pub const CSV_HEADER: &str = "checkin_id,submitted_at,csi1,csi2,csi3,csi4,csi4_total,tech_phone,tech_tv,tech_computer,tech_tablet,\
     technoference_mean,hours_together,hours_device_free,scores_private,appreciation,went_well,topic";

/// The person's own check-in history: only rows they wrote.
pub async fn export_csv(state: &AppState, user_id: &UserId) -> Result<String, AppError> {
    let rows = state.repo.own_submissions(user_id).await?;
    let mut out = String::from(CSV_HEADER);
    out.push_str("\r\n");
    for s in rows.iter().filter(|s| &s.user_id == user_id) {
        let Some(sc) = s.scores() else { continue };
        let mut fields = vec![csv_field(&s.checkin_id), iso(s.created_at)];
        fields.extend(sc.csi.iter().map(u8::to_string));
        fields.push(sc.csi_total().to_string());
        fields.extend(sc.tech.iter().map(u8::to_string));
        fields.push(format!("{:.2}", sc.technoference()));
        fields.push(sc.hours_together.to_string());
        fields.push(sc.hours_device_free.to_string());
        fields.push(s.scores_private.to_string());
        fields.push(csv_field(&s.appreciation));
        fields.push(csv_field(&s.went_well));
        fields.push(csv_field(&s.topic));
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_problem_is_reported_against_its_field() {
        let e = check(&SubmissionInput {
            csi: [Some(7), None, Some(2), Some(2)],
            ..Default::default()
        })
        .unwrap_err();
        let AppError::Invalid(f) = e else {
            panic!("expected field errors")
        };
        for key in [
            "csi1",
            "csi2",
            "tech1",
            "tech4",
            "hours_together",
            "hours_device_free",
        ] {
            assert!(f.contains_key(key), "{key}");
        }
        assert!(!f.contains_key("csi3"));
        let ok = SubmissionInput {
            csi: [Some(4), Some(4), Some(3), Some(3)],
            tech: [Some(2), Some(1), Some(0), Some(0)],
            hours_together: Some(20),
            hours_device_free: Some(8),
            appreciation: "  thanks ".into(),
            ..Default::default()
        };
        let (scores, texts) = check(&ok).unwrap();
        assert_eq!(scores.csi_total(), 14);
        assert_eq!(texts[0], "thanks");
        assert_eq!(weekday_key(parse_weekday("Sunday").unwrap()), "sunday");
    }
}
