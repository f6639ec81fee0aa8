//! `GET /talks/{id}/ws?after=N`: the talk room's socket (see docs/talk-protocol.md).
//!
//! Authenticated by the session cookie, with the `Origin` checked against this
//! host so another site cannot open a socket with the visitor's cookie; or by a
//! personal API token (`Authorization: Bearer`), which no other site can attach.

use rekindle_storage::{CoupleId, TalkId, Viewer};
use std::time::Duration;

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use rekindle_domain::talk::Command;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{TalkError, decode, event_json, state_json};
use crate::http::auth::{Credential, Resolved, bearer};
use crate::http::error::{ApiError, AppError};
use crate::http::secrets::digest;
use crate::state::AppState;
use rekindle_domain::talk::{Context, Phase, Recorded, Talk};

#[derive(Deserialize)]
pub struct After {
    #[serde(default)]
    after: i64,
}

/// The exact origins this server answers as.
fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    if let Some(public) = &state.config.public_url {
        let public = public.trim_end_matches('/');
        if origin == public {
            return true;
        }
    }
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    origin == format!("{scheme}://{host}")
}

pub async fn socket(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(after): Query<After>,
    headers: HeaderMap,
    resolved: Option<axum::Extension<Resolved>>,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match open(&state, &id, &headers, resolved.map(|r| r.0)).await {
        Err(e) => ApiError(e).into_response(),
        Ok((viewer, credential)) => match ws {
            Err(_) => ApiError(AppError::BadRequest(
                "This address is a WebSocket: connect with an upgrade request.".into(),
            ))
            .into_response(),
            // Small buffers: tungstenite's defaults (128 KiB each way) would be most
            // of a socket's memory, and the room's messages are a few KiB at most.
            // A client that stops reading is cut off instead of buffered forever.
            Ok(ws) => ws
                .max_message_size(16 * 1024)
                .read_buffer_size(4 * 1024)
                .write_buffer_size(0)
                .max_write_buffer_size(1024 * 1024)
                .on_upgrade(move |socket| {
                    run(socket, state, viewer, credential, id, after.after.max(0))
                }),
        },
    }
}

/// Who may connect: a partner of the couple the talk belongs to.
async fn open(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    resolved: Option<Resolved>,
) -> Result<(Viewer, Credential), AppError> {
    let (user, credential) = if let Some(token) = bearer(headers) {
        let hash = digest(token);
        let user = state
            .repo
            .token_user(&hash, state.clock().now_ms())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        (user, Credential::Token(hash))
    } else {
        let (hash, session) = resolved
            .and_then(|r| r.session)
            .ok_or(AppError::Unauthenticated)?;
        if !origin_allowed(state, headers) {
            return Err(AppError::Forbidden(
                "This talk can only be opened from this site.",
            ));
        }
        (session.user, Credential::Session(hash))
    };
    let space = state.repo.space_of(&user.id).await?;
    let viewer = Viewer::new(&user.id, space.as_ref());
    state
        .repo
        .talk_for(&viewer, &TalkId::from(id))
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((viewer, credential))
}

async fn send(socket: &mut WebSocket, v: &Value) -> bool {
    socket
        .send(Message::Text(Utf8Bytes::from(v.to_string())))
        .await
        .is_ok()
}

/// Sends every event after `*last` and then the state; `false` when the socket
/// is gone or the talk was deleted.
async fn catch_up(
    socket: &mut WebSocket,
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    last: &mut i64,
    mine: &mut Option<Talk>,
    force_state: bool,
) -> bool {
    let no_space = CoupleId::default();
    let couple = viewer.couple_id.as_ref().unwrap_or(&no_space);
    // A talk in progress that this server holds in memory: no database read.
    if let Some(c) = state
        .live_talks
        .catch_up(id, couple, &viewer.user_id, *last)
        .filter(|c| matches!(c.talk.phase, Phase::Live | Phase::TimeOut))
    {
        let ctx = c.rules.context(&c.talk, state.clock().now_ms());
        let sent = send_changes(socket, viewer, &c.events, &c.talk, &ctx, last, force_state).await;
        *mine = Some(c.talk);
        return sent;
    }
    // Otherwise the log: access is checked again (a deleted talk, or a partner
    // who left, ends the socket) and only events after the ones folded are read.
    let row = match state.repo.talk_for(viewer, &TalkId::from(id)).await {
        Ok(Some(row)) => row,
        Ok(None) => {
            let _ = send(
                socket,
                &json!({"type": "gone", "message": "This talk was deleted or is closed to you."}),
            )
            .await;
            return false;
        }
        Err(e) => {
            tracing::warn!(error = %e, "talk socket could not read the talk");
            return true;
        }
    };
    let seen = state.live_talks.generation();
    let applied = mine.as_ref().map_or(0, |t| t.last_seq);
    let new = match state
        .repo
        .talk_events(&TalkId::from(id), applied)
        .await
        .map_err(AppError::from)
        .and_then(|rows| decode(&rows))
    {
        Ok(new) => new,
        Err(e) => {
            tracing::warn!(error = ?e, "talk socket could not read the log");
            return true;
        }
    };
    match mine {
        Some(t) => new.iter().for_each(|r| t.apply(r)),
        None => *mine = Talk::from_events(&new),
    }
    let Some(talk) = mine.as_ref() else {
        return true;
    };
    let couple = row.couple_id.unwrap_or_default();
    let Ok(rules) = super::live_rules(state, &couple).await else {
        return true;
    };
    state
        .live_talks
        .put(seen, id, &couple, talk, &new, Some(rules.clone()));
    let ctx = rules.context(talk, state.clock().now_ms());
    send_changes(socket, viewer, &new, talk, &ctx, last, force_state).await
}

/// The events after `*last` among `events`, then the state if anything was sent
/// or `force_state`.
async fn send_changes(
    socket: &mut WebSocket,
    viewer: &Viewer,
    events: &[Recorded],
    talk: &Talk,
    ctx: &Context,
    last: &mut i64,
    force_state: bool,
) -> bool {
    if talk.last_seq <= *last && !force_state {
        return true;
    }
    let from = *last;
    for r in events.iter().filter(|r| r.seq > from) {
        if !send(socket, &event_json(r, &viewer.user_id)).await {
            return false;
        }
        *last = r.seq;
    }
    send(
        socket,
        &json!({"type": "state", "seq": talk.last_seq, "state": state_json(talk, &viewer.user_id, ctx)}),
    )
    .await
}

/// Whether the socket may stay open: the sign-in it was opened with still
/// holds. Sign-out, a password change, a revoked token and erasure end it, on
/// whichever server the socket is (the person's notice crosses servers).
async fn signed_in(state: &AppState, viewer: &Viewer, credential: &Credential) -> bool {
    match credential.still_holds(state, &viewer.user_id).await {
        Ok(holds) => holds,
        Err(e) => {
            tracing::warn!(error = ?e, "talk socket could not check its sign-in");
            true
        }
    }
}

async fn run(
    mut socket: WebSocket,
    state: AppState,
    viewer: Viewer,
    credential: Credential,
    id: String,
    after: i64,
) {
    // Subscribe before reading the backlog so nothing falls between the two.
    let mut changes = state.bus.subscribe(&id);
    let mut person = state
        .bus
        .subscribe(&crate::bus::person_key(&viewer.user_id));
    let mut last = after;
    // A client that claims to be ahead of the log gets everything again.
    if let Ok(Some(row)) = state.repo.talk_for(&viewer, &TalkId::from(&id)).await
        && row.last_seq < after
    {
        last = 0;
    }
    let mut mine = None;
    if !catch_up(
        &mut socket,
        &state,
        &viewer,
        &id,
        &mut last,
        &mut mine,
        true,
    )
    .await
    {
        let _ = socket.send(Message::Close(None)).await;
        return;
    }
    let mut ping = tokio::time::interval(Duration::from_secs(30));
    ping.tick().await;
    loop {
        tokio::select! {
            changed = changes.changed() => {
                if changed.is_err() {
                    changes = state.bus.subscribe(&id);
                }
                if !catch_up(&mut socket, &state, &viewer, &id, &mut last, &mut mine, false).await {
                    break;
                }
            }
            _ = person.changed() => {
                if !signed_in(&state, &viewer, &credential).await {
                    let _ = send(
                        &mut socket,
                        &json!({"type": "gone", "message": "You were signed out on this device."}),
                    )
                    .await;
                    break;
                }
            }
            msg = socket.recv() => {
                let Some(Ok(msg)) = msg else { break };
                match msg {
                    Message::Text(text) => {
                        let reply = handle(&state, &viewer, &id, text.as_str()).await;
                        if !send(&mut socket, &reply).await {
                            break;
                        }
                    }
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            _ = ping.tick() => {
                // Also the moment to notice a session that simply expired.
                if !signed_in(&state, &viewer, &credential).await
                    || socket.send(Message::Ping(Default::default())).await.is_err()
                {
                    break;
                }
            }
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

/// One client command; the answer is an `ack` or an `error`.
async fn handle(state: &AppState, viewer: &Viewer, id: &str, text: &str) -> Value {
    let parsed: Result<Value, _> = serde_json::from_str(text);
    let reference = parsed
        .as_ref()
        .ok()
        .and_then(|v| v.get("ref").cloned())
        .unwrap_or(Value::Null);
    let cmd = match parsed.and_then(serde_json::from_value::<Command>) {
        Ok(c) => c,
        Err(e) => {
            return json!({"type": "error", "ref": reference, "code": "bad_message",
                          "message": format!("That message could not be read: {e}")});
        }
    };
    match super::command(state, viewer, id, cmd).await {
        Ok(recorded) => json!({"type": "ack", "ref": reference,
                                "seqs": recorded.iter().map(|r| r.seq).collect::<Vec<_>>()}),
        Err(TalkError::Refused(r)) => {
            json!({"type": "error", "ref": reference, "code": r.code(), "message": r.to_string()})
        }
        Err(TalkError::App(e)) => {
            let code = match e {
                AppError::NotFound => "gone",
                AppError::Conflict(_) => "busy",
                _ => "server",
            };
            json!({"type": "error", "ref": reference, "code": code, "message": e.detail()})
        }
    }
}
