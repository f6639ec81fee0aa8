//! The talk room's use cases, shared by the pages, the JSON API and the socket.
//! The rules are `rekindle_domain::talk`; this module loads a talk's log, asks
//! the rules, appends what they decided and announces the change.

pub mod api;
pub mod page;

pub mod live;
pub mod ws;

use rekindle_coach::Kind;
use rekindle_domain::talk::{
    self as dt, CalmMoment, Command, Context, DEFAULT_RULES, Event, Mode, Phase, Recorded, Refusal,
    Talk,
};
use rekindle_storage::{
    CoupleId, GroundRules, NewTalk, NewTalkEvent, Reflection, Space, TalkId, TalkNote, TalkRow,
    TalkSummary, UserId, Viewer,
};
use serde_json::{Value, json};

use crate::http::error::AppError;
use crate::http::secrets::new_id;
use crate::state::AppState;

pub const REFLECTION_MAX_CHARS: usize = 2_000;

/// What a person alone in their space is told about this tool.
pub const FOR_TWO: &str = "Talks are for two: they open once your partner has joined your space.";

/// A command refused by the rules, or something else going wrong.
#[derive(Debug)]
pub enum TalkError {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for TalkError {
    fn from(e: AppError) -> Self {
        TalkError::App(e)
    }
}

impl From<rekindle_storage::StoreError> for TalkError {
    fn from(e: rekindle_storage::StoreError) -> Self {
        TalkError::App(e.into())
    }
}

impl From<TalkError> for AppError {
    fn from(e: TalkError) -> Self {
        match e {
            TalkError::Refused(r) => AppError::Conflict(r.to_string()),
            TalkError::App(a) => a,
        }
    }
}

pub struct Loaded {
    pub row: TalkRow,
    pub talk: Talk,
    pub events: Vec<Recorded>,
}

pub fn decode(rows: &[rekindle_storage::TalkEventRow]) -> Result<Vec<Recorded>, AppError> {
    rows.iter()
        .map(|r| {
            let event: Event = serde_json::from_str(&r.body).map_err(|e| {
                AppError::Internal(format!("talk {} seq {}: {e}", r.talk_id, r.seq))
            })?;
            Ok(Recorded {
                seq: r.seq,
                at: r.at,
                by: r.by_user.to_string(),
                event,
            })
        })
        .collect()
}

/// The talk with its whole log, if the viewer may see it.
pub async fn load(state: &AppState, viewer: &Viewer, id: &str) -> Result<Loaded, AppError> {
    let row = state
        .repo
        .talk_for(viewer, &TalkId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let events = decode(&state.repo.talk_events(&TalkId::from(id), 0).await?)?;
    let talk = Talk::from_events(&events)
        .ok_or_else(|| AppError::Internal(format!("talk {id} has no request")))?;
    Ok(Loaded { row, talk, events })
}

/// The couple's ground rules: the stored version, or the defaults (version 0,
/// accepted by nobody) before they ever saved one.
pub async fn rules(state: &AppState, couple_id: &CoupleId) -> Result<GroundRules, AppError> {
    Ok(state
        .repo
        .ground_rules(couple_id)
        .await?
        .unwrap_or_else(|| GroundRules {
            version: 0,
            body: DEFAULT_RULES.join("\n"),
            min_time_out: dt::MIN_TIME_OUT_MINUTES,
            created_by: None,
            created_at: 0,
            accepted_by: Vec::new(),
        }))
}

/// Accepting version 0 stores the defaults as version 1.
pub async fn accept_rules(
    state: &AppState,
    space: &Space,
    user_id: &UserId,
    version: i64,
) -> Result<(), AppError> {
    let now = state.clock().now_ms();
    let mut version = version;
    if version == 0 {
        if let Some(current) = state.repo.ground_rules(&space.couple_id).await? {
            // The partner accepted the defaults first: the same text, now stored.
            if current.body != DEFAULT_RULES.join("\n") {
                return Err(AppError::Conflict(
                    "The rules changed in the meantime; please read the current version.".into(),
                ));
            }
            version = current.version;
        } else {
            state
                .repo
                .set_ground_rules(
                    &space.couple_id,
                    user_id,
                    &DEFAULT_RULES.join("\n"),
                    dt::MIN_TIME_OUT_MINUTES,
                    now,
                )
                .await?;
            state.live_talks.rules_changed(&space.couple_id);
            return Ok(());
        }
    }
    let current = rules(state, &space.couple_id).await?;
    if current.accepted_by.iter().any(|a| a == user_id) {
        return Ok(());
    }
    if !state
        .repo
        .accept_ground_rules(&space.couple_id, user_id, version, now)
        .await?
    {
        return Err(AppError::Conflict(
            "The rules changed in the meantime; please read the current version.".into(),
        ));
    }
    state.live_talks.rules_changed(&space.couple_id);
    Ok(())
}

pub async fn save_rules(
    state: &AppState,
    space: &Space,
    user_id: &UserId,
    body: &str,
    min_time_out: i64,
) -> Result<i64, AppError> {
    let rules = dt::parse_rules(body).map_err(|r| AppError::field("rules", r.to_string()))?;
    if !(dt::MIN_TIME_OUT_MINUTES..=24 * 60).contains(&min_time_out) {
        return Err(AppError::field(
            "min_time_out",
            "A time-out lasts between 20 minutes and 24 hours.",
        ));
    }
    let version = state
        .repo
        .set_ground_rules(
            &space.couple_id,
            user_id,
            &rules.join("\n"),
            min_time_out,
            state.clock().now_ms(),
        )
        .await?;
    state.live_talks.rules_changed(&space.couple_id);
    Ok(version)
}

pub(crate) async fn context(
    state: &AppState,
    talk: &Talk,
    couple_id: &CoupleId,
) -> Result<Context, AppError> {
    Ok(live_rules(state, couple_id)
        .await?
        .context(talk, state.clock().now_ms()))
}

/// The part of the couple's ground rules the talk rules use.
pub(crate) async fn live_rules(
    state: &AppState,
    couple_id: &CoupleId,
) -> Result<live::Rules, AppError> {
    let r = rules(state, couple_id).await?;
    Ok(live::Rules {
        accepted_by: r.accepted_by.into_iter().map(String::from).collect(),
        min_time_out: r.min_time_out,
    })
}

pub async fn context_for(state: &AppState, loaded: &Loaded) -> Result<Context, AppError> {
    let couple = loaded.row.couple_id.clone().unwrap_or_default();
    context(state, &loaded.talk, &couple).await
}

/// Asks for a talk (typed, or aloud in `mode` with an optional per-turn timer);
/// returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn request(
    state: &AppState,
    space: &Space,
    user_id: &UserId,
    topic: &str,
    times: &[i64],
    length_min: Option<u32>,
    mode: Mode,
    turn_min: Option<u32>,
) -> Result<String, TalkError> {
    let partner = space
        .partner
        .as_ref()
        .ok_or_else(|| AppError::Conflict("Talks are for two.".into()))?;
    let now = state.clock().now_ms();
    // Aloud and with no time given: now, in the same room.
    let now_only = [now];
    let times = if mode.is_aloud() && times.is_empty() {
        &now_only[..]
    } else {
        times
    };
    let first = Talk::request_in(
        user_id,
        &partner.id,
        topic,
        times,
        length_min,
        mode,
        turn_min,
        now,
    )
    .map_err(TalkError::Refused)?;
    let id = new_id();
    state
        .repo
        .create_talk(
            &NewTalk {
                id: id.clone().into(),
                couple_id: space.couple_id.clone(),
                requested_by: user_id.clone(),
                partner_id: partner.id.clone(),
                topic: topic.trim().to_owned(),
                created_at: now,
            },
            &stored(&first, user_id, now)?,
        )
        .await?;
    state.bus.publish(&id).await;
    state
        .bus
        .publish(&crate::bus::space_key(&space.couple_id))
        .await;
    Ok(id)
}

fn stored(e: &Event, by: &str, at: i64) -> Result<NewTalkEvent, AppError> {
    let mark = match e {
        Event::Statement { harsh, .. } => Some(if *harsh { "harsh" } else { "soft" }.to_owned()),
        Event::Confirmed { listener } => Some(listener.clone()),
        _ => None,
    };
    Ok(NewTalkEvent {
        at,
        by_user: by.into(),
        kind: e.kind().to_owned(),
        body: serde_json::to_string(e).map_err(|e| AppError::Internal(e.to_string()))?,
        mark,
    })
}

/// The coach decides whether a statement counts against step 4.
pub fn is_harsh(text: &str) -> bool {
    rekindle_coach::findings(text)
        .iter()
        .any(|f| matches!(f.kind, Kind::Blame | Kind::Criticism | Kind::Contempt))
}

/// Commands on a live talk whose rules do not depend on the couple's ground
/// rules, so a remembered copy of the rules is good enough for them.
fn rules_irrelevant(cmd: &Command) -> bool {
    matches!(
        cmd,
        Command::Statement { .. }
            | Command::Paraphrase { .. }
            | Command::Confirm
            | Command::NotQuite { .. }
            | Command::Question { .. }
            | Command::Spoke
            | Command::SaidBack
            | Command::HandOver
            | Command::AskFloor
            | Command::GrantFloor
            | Command::DeclineFloor
            | Command::ShareNote { .. }
    )
}

/// Runs one command: decide on the current state, append, announce. The state
/// comes from memory when this server holds the talk (`live`), else from the
/// log; either way the append only lands if the log still ends where the
/// decision was made, and otherwise the talk is read again and decided anew.
pub async fn command(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    mut cmd: Command,
) -> Result<Vec<Recorded>, TalkError> {
    if let Command::Statement { text, harsh } = &mut cmd {
        *harsh = is_harsh(text);
    }
    // The person's space now (a socket's viewer may be older): paused spaces
    // and people who left do not act.
    let space = state.repo.space_of(&viewer.user_id).await?;
    if let Some(space) = &space {
        crate::space::not_paused(Some(space))?;
    }
    let fresh = Viewer::new(&viewer.user_id, space.as_ref());
    let couple = fresh.couple_id.clone().ok_or(AppError::NotFound)?;
    for attempt in 0..8 {
        let remembered = if attempt == 0 {
            state.live_talks.get(id, &couple, &viewer.user_id)
        } else {
            None
        };
        let (talk, known_rules) = match remembered {
            Some(s) => (s.talk, s.rules),
            None => {
                let seen = state.live_talks.generation();
                let loaded = load(state, &fresh, id).await?;
                state
                    .live_talks
                    .put(seen, id, &couple, &loaded.talk, &loaded.events, None);
                (loaded.talk, None)
            }
        };
        let rules = match known_rules {
            Some(r) if rules_irrelevant(&cmd) => r,
            _ => {
                let seen = state.live_talks.generation();
                let r = live_rules(state, &couple).await?;
                state.live_talks.set_rules(seen, id, r.clone());
                r
            }
        };
        let ctx = rules.context(&talk, state.clock().now_ms());
        let events = talk
            .decide(&viewer.user_id, &cmd, &ctx)
            .map_err(TalkError::Refused)?;
        let mut after = talk.clone();
        let mut recorded = Vec::new();
        let mut rows = Vec::new();
        for (i, e) in (1..).zip(&events) {
            let r = Recorded {
                seq: talk.last_seq + i,
                at: ctx.now,
                by: viewer.user_id.to_string(),
                event: e.clone(),
            };
            after.apply(&r);
            rows.push(stored(e, &viewer.user_id, ctx.now)?);
            recorded.push(r);
        }
        let summary = TalkSummary {
            phase: after.phase,
            scheduled_at: after.scheduled_at,
            began_at: after.began_at,
        };
        if state
            .repo
            .append_talk_events(&TalkId::from(id), &couple, talk.last_seq, &rows, &summary)
            .await?
        {
            state.live_talks.appended(id, talk.last_seq, &recorded);
            state.bus.publish(id).await;
            // Only what can change "waiting for you" (asks, proposals, arrivals,
            // phases) or a page's list of talks (its phase and time) is announced
            // to the space, which is what drops the pages kept for the couple
            // (`http::sessions`); statements in a live talk are not.
            let waiting_changed = after.phase != talk.phase
                || after.scheduled_at != talk.scheduled_at
                || events.iter().any(|e| {
                    matches!(
                        e,
                        Event::Requested { .. } | Event::Proposed { .. } | Event::Arrived
                    )
                });
            if waiting_changed {
                state.bus.publish(&crate::bus::space_key(&couple)).await;
            }
            return Ok(recorded);
        }
        state.live_talks.forget(id);
    }
    Err(TalkError::App(AppError::Conflict(
        "The talk is busy; please try again.".into(),
    )))
}

/// A move made on a phone passed across: taken as `actor`'s when the talk lets
/// the signed-in person's phone act for them (see `Talk::may_act_for`).
pub async fn command_as(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    actor: &UserId,
    cmd: Command,
) -> Result<Vec<Recorded>, TalkError> {
    if *actor == viewer.user_id {
        return command(state, viewer, id, cmd).await;
    }
    let loaded = load(state, viewer, id).await?;
    loaded
        .talk
        .may_act_for(&viewer.user_id, actor)
        .map_err(TalkError::Refused)?;
    command(state, &as_partner(viewer, actor), id, cmd).await
}

fn as_partner(viewer: &Viewer, actor: &UserId) -> Viewer {
    Viewer {
        user_id: actor.clone(),
        couple_id: viewer.couple_id.clone(),
        partner_id: Some(viewer.user_id.clone()),
    }
}

/// "We're on one phone": the partner joins this talk on the signed-in person's
/// phone by entering their own password there (checked and counted like a
/// sign-in), and promises their attention. That promise is their yes to the
/// phone acting for them in this talk, and in nothing else: no session is made.
pub async fn join_on_phone(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    password: &str,
    ip: &str,
) -> Result<(), TalkError> {
    let loaded = load(state, viewer, id).await?;
    if loaded.talk.mode != Mode::OnePhone {
        return Err(TalkError::Refused(Refusal::WrongMode(loaded.talk.mode)));
    }
    let partner_id = UserId::from(loaded.talk.other(&viewer.user_id));
    let partner = state
        .repo
        .user_by_id(&partner_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = match crate::account::sign_in(state, &partner.email, password, ip).await {
        Ok(u) => u,
        Err(AppError::BadRequest(_)) => {
            return Err(TalkError::App(AppError::field(
                "password",
                format!("That is not {}'s password.", partner.display_name),
            )));
        }
        Err(e) => return Err(TalkError::App(e)),
    };
    if checked.id != partner_id {
        return Err(TalkError::App(AppError::NotFound));
    }
    command(state, &as_partner(viewer, &partner_id), id, Command::Pledge).await?;
    Ok(())
}

// ---- the flooding check -----------------------------------------------------------

/// What one person sees of their own flooding check in one talk. Nothing of it
/// is ever given to the partner: it is read by the author's id only.
#[derive(Debug, Clone, Default)]
pub struct CalmView {
    /// Ask now (once at the start; offered at each change of floor; after).
    pub wanted: bool,
    /// Their latest check at this moment is at or above their threshold.
    pub suggest_break: bool,
    /// Once the talk is over: their first and last check.
    pub before_after: Option<(i64, i64)>,
    pub threshold: i64,
    pub latest: Option<i64>,
}

pub async fn threshold(state: &AppState, user_id: &UserId) -> Result<i64, AppError> {
    Ok(state
        .repo
        .calm_threshold(user_id)
        .await?
        .unwrap_or(dt::DEFAULT_FLOOD_THRESHOLD))
}

pub async fn set_threshold(state: &AppState, user_id: &UserId, value: i64) -> Result<(), AppError> {
    let v = dt::checked_threshold(value)
        .map_err(|_| AppError::field("threshold", "Please pick a number from 1 to 10."))?;
    state
        .repo
        .set_calm_threshold(user_id, v, state.clock().now_ms())
        .await?;
    Ok(())
}

pub async fn calm_view(
    state: &AppState,
    user_id: &UserId,
    talk_id: &str,
    talk: &Talk,
) -> Result<CalmView, AppError> {
    let readings: Vec<(CalmMoment, i64)> = state
        .repo
        .calm_readings(user_id, &TalkId::from(talk_id))
        .await?
        .into_iter()
        .filter_map(|r| CalmMoment::parse(&r.moment).map(|m| (m, r.value)))
        .collect();
    let threshold = threshold(state, user_id).await?;
    let now = talk.calm_moment();
    let current = readings.iter().find(|(m, _)| *m == now).map(|(_, v)| *v);
    let given: Vec<CalmMoment> = readings.iter().map(|(m, _)| *m).collect();
    Ok(CalmView {
        wanted: dt::calm_wanted(talk, &given),
        suggest_break: matches!(talk.phase, Phase::Arriving | Phase::Live)
            && current.is_some_and(|v| dt::suggests_break(v, threshold)),
        before_after: if talk.phase == Phase::Ended {
            dt::before_after(&readings)
        } else {
            None
        },
        threshold,
        latest: current,
    })
}

/// Records the person's private check for the talk's current moment. Nothing is
/// announced on the talk: the partner's screens have nothing to redraw.
pub async fn record_calm(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    value: i64,
) -> Result<CalmView, AppError> {
    let value = dt::checked_calm(value).map_err(|r| AppError::field("calm", r.to_string()))?;
    let loaded = load(state, viewer, id).await?;
    if matches!(loaded.talk.phase, Phase::Requested | Phase::Scheduled) {
        return Err(AppError::Conflict(
            "The check opens with the room, just before the talk.".into(),
        ));
    }
    state
        .repo
        .save_calm(
            &viewer.user_id,
            &TalkId::from(id),
            &loaded.talk.calm_moment().as_string(),
            value,
            state.clock().now_ms(),
        )
        .await?;
    calm_view(state, &viewer.user_id, id, &loaded.talk).await
}

/// The person's own notes in a talk they can open (private and shared).
pub async fn my_notes(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
) -> Result<Vec<TalkNote>, AppError> {
    load(state, viewer, id).await?;
    Ok(state
        .repo
        .talk_notes_of(&viewer.user_id, &TalkId::from(id))
        .await?)
}

/// Jots a one-line note, private to its author, during a talk held aloud.
/// Nothing is announced: the partner is not told a note exists.
pub async fn add_note(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    text: &str,
) -> Result<TalkNote, TalkError> {
    let body = dt::checked_note(text).map_err(|p| AppError::field("text", p.to_string()))?;
    let space = state.repo.space_of(&viewer.user_id).await?;
    crate::space::not_paused(space.as_ref())?;
    let loaded = load(state, viewer, id).await?;
    loaded
        .talk
        .may_note(&viewer.user_id)
        .map_err(TalkError::Refused)?;
    let note = TalkNote {
        id: new_id(),
        talk_id: TalkId::from(id),
        author_id: viewer.user_id.clone(),
        body,
        created_at: state.clock().now_ms(),
        shared_at: None,
    };
    state.repo.add_talk_note(&note).await?;
    Ok(note)
}

/// Shares one of the author's notes with the partner: it enters the talk's log
/// as `note_shared`, so the partner sees it live and in the talk's history.
/// Only the author can: anyone else's note is not found.
pub async fn share_note(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    note_id: &str,
) -> Result<TalkNote, TalkError> {
    let note = state
        .repo
        .talk_note_of(&viewer.user_id, note_id)
        .await?
        .filter(|n| n.talk_id.as_str() == id)
        .ok_or(AppError::NotFound)?;
    if note.shared_at.is_some() {
        return Err(TalkError::Refused(Refusal::AlreadyDone));
    }
    let loaded = load(state, viewer, id).await?;
    loaded
        .talk
        .may_share_note(&viewer.user_id, &note.author_id)
        .map_err(TalkError::Refused)?;
    let now = state.clock().now_ms();
    if !state
        .repo
        .mark_talk_note_shared(&viewer.user_id, note_id, now)
        .await?
    {
        return Err(TalkError::Refused(Refusal::AlreadyDone));
    }
    let cmd = Command::ShareNote {
        text: note.body.clone(),
    };
    if let Err(e) = command(state, viewer, id, cmd).await {
        state
            .repo
            .unmark_talk_note_shared(&viewer.user_id, note_id)
            .await?;
        return Err(e);
    }
    Ok(TalkNote {
        shared_at: Some(now),
        ..note
    })
}

/// Deletes a talk of the space for both partners; a talk from a space that
/// ended loses only this person's parts (the other keeps theirs).
pub async fn delete(state: &AppState, viewer: &Viewer, id: &str) -> Result<(), AppError> {
    let talk = TalkId::from(id);
    if !state.repo.delete_talk(viewer, &talk).await? {
        if state.repo.forget_past_talk(&viewer.user_id, &talk).await? {
            return Ok(());
        }
        return Err(AppError::NotFound);
    }
    state.live_talks.forget(id);
    state.bus.publish(id).await;
    Ok(())
}

pub async fn reflect(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    understood: &str,
    feel_now: &str,
    shared: bool,
) -> Result<(), AppError> {
    let loaded = load(state, viewer, id).await?;
    if loaded.talk.phase != dt::Phase::Ended {
        return Err(AppError::Conflict(
            "Reflections are written once the talk is over.".into(),
        ));
    }
    let (understood, feel_now) = (understood.trim(), feel_now.trim());
    let mut errors = crate::http::error::FieldErrors::new();
    if understood.is_empty() && feel_now.is_empty() {
        errors.insert("understood", "Write a line or two, for yourself.".into());
    }
    for (name, v) in [("understood", understood), ("feel_now", feel_now)] {
        if v.chars().count() > REFLECTION_MAX_CHARS {
            errors.insert(
                name,
                format!("Please keep it under {REFLECTION_MAX_CHARS} characters."),
            );
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = state.clock().now_ms();
    state
        .repo
        .save_reflection(
            viewer,
            &Reflection {
                talk_id: id.to_owned().into(),
                user_id: viewer.user_id.clone(),
                understood: understood.to_owned(),
                feel_now: feel_now.to_owned(),
                shared,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    Ok(())
}

// ---- what clients see -----------------------------------------------------------

pub fn who(viewer_id: &str, user: &str) -> &'static str {
    if viewer_id == user { "me" } else { "partner" }
}

pub fn event_json(r: &Recorded, viewer_id: &str) -> Value {
    json!({
        "type": "event",
        "seq": r.seq,
        "at": r.at,
        "by": r.by,
        "mine": r.by == viewer_id,
        "event": visible_event(r, viewer_id),
    })
}

/// An event as the viewer may see it: the coach's verdict on a statement
/// (`harsh`) is for the speaker only; the listener's screens never show it, so
/// neither does anything else they receive (socket, API, export).
pub fn visible_event(r: &Recorded, viewer_id: &str) -> Value {
    let mut v = serde_json::to_value(&r.event).unwrap_or(Value::Null);
    if r.by != viewer_id
        && let Some(o) = v.as_object_mut()
    {
        o.remove("harsh");
    }
    v
}

/// The talk as the server sees it, for one partner.
pub fn state_json(talk: &Talk, viewer_id: &str, ctx: &Context) -> Value {
    json!({
        "phase": talk.phase.as_str(),
        "mode": talk.mode.as_str(),
        "turn_min": talk.turn_min,
        "turn_started_at": talk.turn_started_at,
        "next_actor": talk.next_actor(),
        "topic": talk.topic,
        "floor": talk.floor,
        "you_hold_floor": talk.floor.as_deref() == Some(viewer_id),
        "awaiting": talk.awaiting(viewer_id),
        "proposals": talk.proposals,
        "proposed_by_you": talk.proposed_by == viewer_id,
        "scheduled_at": talk.scheduled_at,
        "arrived": talk.arrived,
        "pledged": talk.pledged,
        "length_min": talk.length_min,
        "began_at": talk.began_at,
        "ended_at": talk.ended_at,
        "confirmed": talk.confirmed,
        "paraphrase_pending": talk.pending_paraphrase.is_some(),
        "floor_asked": talk.floor_asked,
        "time_out": talk.time_out,
        "rules_accepted": ctx.rules_accepted,
        "now": ctx.now,
        "seq": talk.last_seq,
        "allowed": talk.allowed(viewer_id, ctx),
    })
}

/// A talk from a space that ended (the partner left or erased their account),
/// as its participant keeps it: their own events and reflection only.
pub struct PastTalk {
    pub row: TalkRow,
    pub events: Vec<Recorded>,
    pub reflection: Option<Reflection>,
}

/// The talks of spaces that ended that this person took part in.
pub async fn past_talks(state: &AppState, user_id: &UserId) -> Result<Vec<TalkRow>, AppError> {
    Ok(state.repo.past_talks_for(user_id).await?)
}

/// One talk of a space that ended, if this person took part in it.
pub async fn past_talk(
    state: &AppState,
    user_id: &UserId,
    id: &str,
) -> Result<Option<PastTalk>, AppError> {
    let Some(row) = state
        .repo
        .past_talks_for(user_id)
        .await?
        .into_iter()
        .find(|t| t.id.as_str() == id)
    else {
        return Ok(None);
    };
    let (events, reflections) = state.repo.past_talk_parts(user_id, &row.id).await?;
    Ok(Some(PastTalk {
        row,
        events: decode(&events)?,
        reflection: reflections.into_iter().next(),
    }))
}

/// For the export, exactly what the person may see: the talks of their space
/// (whole log, without the coach's verdict on the partner's statements), their
/// reflections and the partner's shared ones; and the talks of a space that
/// ended (`"space_ended": true`) with only their own events and reflection.
pub async fn export_json(state: &AppState, user_id: &UserId) -> Result<Vec<u8>, AppError> {
    let (talks, events, reflections) = state.repo.talk_export(user_id).await?;
    let calm = state.repo.calm_export(user_id).await?;
    let notes = state.repo.talk_notes_export(user_id).await?;
    let decoded = decode(&events)?;
    let me = user_id.as_str();
    let out = json!({
        "talks": talks.iter().map(|t| json!({
            "id": t.id.as_str(),
            "topic": t.topic,
            "phase": t.phase,
            "space_ended": t.couple_id.is_none(),
            "scheduled_at": t.scheduled_at.map(crate::view::format::iso),
            "began_at": t.began_at.map(crate::view::format::iso),
            "created_at": crate::view::format::iso(t.created_at),
            "events": events.iter().zip(&decoded).filter(|(row, _)| row.talk_id == t.id).map(|(_, r)| json!({
                "seq": r.seq,
                "at": crate::view::format::iso(r.at),
                "by": who(me, &r.by),
                "event": visible_event(r, me),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "my_reflections": reflections.iter().filter(|r| r.user_id == *user_id).map(|r| json!({
            "talk_id": r.talk_id.as_str(),
            "understood": r.understood,
            "feel_now": r.feel_now,
            "shared": r.shared,
            "written_at": crate::view::format::iso(r.updated_at),
        })).collect::<Vec<_>>(),
        // The person's own flooding checks; the partner's never appear here.
        "my_flooding_checks": calm.iter().map(|c| json!({
            "talk_id": c.talk_id.as_str(),
            "moment": c.moment,
            "value": c.value,
            "at": crate::view::format::iso(c.at),
        })).collect::<Vec<_>>(),
        // The person's own one-line notes, private and shared; a note the
        // partner shared is in that talk's events, a private one never.
        "my_notes": notes.iter().map(|n| json!({
            "talk_id": n.talk_id.as_str(),
            "text": n.body,
            "shared": n.shared_at.is_some(),
            "written_at": crate::view::format::iso(n.created_at),
        })).collect::<Vec<_>>(),
        "partner_shared_reflections": reflections.iter().filter(|r| r.user_id != *user_id).map(|r| json!({
            "talk_id": r.talk_id.as_str(),
            "understood": r.understood,
            "feel_now": r.feel_now,
            "written_at": crate::view::format::iso(r.updated_at),
        })).collect::<Vec<_>>(),
    });
    serde_json::to_vec_pretty(&out).map_err(|e| AppError::Internal(e.to_string()))
}

/// The person looked at a talk: a reflection their partner shared there stops
/// waiting for them.
pub async fn reflections_seen(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    reflections: &[Reflection],
) -> Result<(), AppError> {
    if reflections.iter().any(|r| r.user_id != viewer.user_id) {
        crate::waiting::seen(
            state,
            &viewer.user_id,
            viewer.couple_id.as_ref(),
            rekindle_domain::waiting::WaitingKind::SharedReflection,
            id,
        )
        .await?;
    }
    Ok(())
}
