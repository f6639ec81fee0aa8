//! Every route, in one table. The router is built from this table and the
//! authorization test walks the same table, so a route cannot be added without
//! the test noticing.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{
    account, appreciations, board, checkins, coach, handoff, home, http, install, journal, notify,
    openapi, plan, practice, questions, reminders, safety, space, talk, waiting,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
}

fn table() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        // pages
        ("GET", "/", get(home::page::index)),
        ("GET", "/about", get(home::page::about)),
        ("GET", "/signup", get(account::page::signup_form)),
        ("POST", "/signup", post(account::page::signup)),
        ("GET", "/signup/sent", get(account::signup_page::sent)),
        (
            "GET",
            "/signup/confirm/{token}",
            get(account::signup_page::confirm_form),
        ),
        (
            "POST",
            "/signup/confirm/{token}",
            post(account::signup_page::confirm),
        ),
        ("GET", "/signin", get(account::page::signin_form)),
        ("POST", "/signin", post(account::page::signin)),
        ("POST", "/signout", post(account::page::signout)),
        (
            "GET",
            "/password/forgot",
            get(account::reset_page::forgot_form),
        ),
        (
            "POST",
            "/password/forgot",
            post(account::reset_page::forgot),
        ),
        (
            "GET",
            "/password/reset/{secret}",
            get(account::reset_page::reset_form),
        ),
        (
            "POST",
            "/password/reset/{secret}",
            post(account::reset_page::reset),
        ),
        ("GET", "/settings", get(account::settings_page::show)),
        (
            "GET",
            "/settings/advanced",
            get(account::settings_page::advanced),
        ),
        (
            "POST",
            "/settings/profile",
            post(account::settings_page::profile),
        ),
        (
            "POST",
            "/settings/password",
            post(account::settings_page::password),
        ),
        ("GET", "/settings/devices", get(account::devices_page::show)),
        (
            "POST",
            "/settings/devices/signout",
            post(account::devices_page::sign_out_device),
        ),
        (
            "POST",
            "/settings/devices/signout-others",
            post(account::devices_page::sign_out_others),
        ),
        (
            "POST",
            "/settings/devices/look",
            post(account::devices_page::set_look),
        ),
        (
            "POST",
            "/settings/tokens",
            post(account::settings_page::create_token),
        ),
        (
            "POST",
            "/settings/tokens/{id}/revoke",
            post(account::settings_page::revoke_token),
        ),
        ("POST", "/space", post(space::page::create)),
        ("POST", "/space/invitations", post(space::page::invite)),
        (
            "POST",
            "/space/invitations/{id}/revoke",
            post(space::page::revoke_invitation),
        ),
        ("POST", "/space/leave", post(space::page::leave)),
        ("POST", "/space/pause", post(safety::page::pause)),
        ("POST", "/space/resume", post(safety::page::resume)),
        ("GET", "/safety", get(safety::page::check_form)),
        ("POST", "/safety/check", post(safety::page::check)),
        ("POST", "/safety/later", post(safety::page::later)),
        ("GET", "/safety/resources", get(safety::page::resources)),
        ("GET", "/help", get(safety::page::help)),
        ("GET", "/exit", get(safety::page::exit)),
        (
            "POST",
            "/notices/dismiss",
            post(safety::page::dismiss_notices),
        ),
        ("GET", "/settings/export", get(safety::page::export)),
        ("POST", "/settings/erase", post(safety::page::erase)),
        ("GET", "/join/{code}", get(space::page::join_form)),
        ("POST", "/join/{code}", post(space::page::join)),
        ("GET", "/appreciations", get(appreciations::page::show)),
        ("POST", "/appreciations", post(appreciations::page::create)),
        (
            "POST",
            "/appreciations/prompt",
            post(appreciations::page::prompt),
        ),
        (
            "POST",
            "/appreciations/prompt/aside",
            post(appreciations::page::set_aside),
        ),
        (
            "POST",
            "/appreciations/{id}",
            post(appreciations::page::update),
        ),
        (
            "POST",
            "/appreciations/{id}/keep",
            post(appreciations::page::keep),
        ),
        (
            "POST",
            "/appreciations/{id}/unkeep",
            post(appreciations::page::unkeep),
        ),
        (
            "POST",
            "/appreciations/{id}/delete",
            post(appreciations::page::delete),
        ),
        ("GET", "/handoff", get(handoff::page::show)),
        ("POST", "/handoff/choose", post(handoff::page::choose)),
        ("POST", "/handoff/approve", post(handoff::page::approve)),
        ("GET", "/handoff/print", get(handoff::page::print)),
        ("POST", "/handoff/links", post(handoff::page::create_link)),
        (
            "POST",
            "/handoff/links/{id}/revoke",
            post(handoff::page::revoke_link),
        ),
        ("GET", "/handoff/s/{token}", get(handoff::page::shared)),
        ("GET", "/practice", get(practice::page::show)),
        ("POST", "/practice", post(practice::page::check)),
        ("GET", "/steps", get(practice::page::steps)),
        ("GET", "/journal", get(journal::page::list)),
        ("POST", "/journal", post(journal::page::create)),
        ("GET", "/journal/{id}", get(journal::page::show)),
        ("POST", "/journal/{id}", post(journal::page::update)),
        ("POST", "/journal/{id}/share", post(journal::page::share)),
        (
            "POST",
            "/journal/{id}/unshare",
            post(journal::page::unshare),
        ),
        ("POST", "/journal/{id}/delete", post(journal::page::delete)),
        ("GET", "/questions", get(questions::page::today)),
        (
            "POST",
            "/questions/settings",
            post(questions::page::settings),
        ),
        ("GET", "/questions/decks", get(questions::page::decks)),
        (
            "POST",
            "/questions/decks/{slug}",
            post(questions::page::ask),
        ),
        (
            "POST",
            "/questions/decks/{slug}/choice",
            post(questions::page::choose),
        ),
        ("GET", "/questions/history", get(questions::page::history)),
        ("GET", "/questions/{id}", get(questions::page::show)),
        (
            "POST",
            "/questions/{id}/answer",
            post(questions::page::answer),
        ),
        ("POST", "/questions/{id}/skip", post(questions::page::skip)),
        (
            "POST",
            "/questions/{id}/react",
            post(questions::page::react),
        ),
        (
            "POST",
            "/questions/{id}/reply",
            post(questions::page::reply),
        ),
        ("GET", "/checkins", get(checkins::page::overview)),
        ("POST", "/checkins/schedule", post(checkins::page::schedule)),
        ("POST", "/checkins/begin", post(checkins::page::begin)),
        ("GET", "/checkins/trends", get(checkins::page::trends)),
        ("GET", "/checkins/export.csv", get(checkins::page::export)),
        ("GET", "/checkins/{id}", get(checkins::page::show)),
        (
            "POST",
            "/checkins/{id}/submit",
            post(checkins::page::submit),
        ),
        ("POST", "/checkins/{id}/loved", post(checkins::page::loved)),
        // Talk room
        ("GET", "/talks", get(talk::page::list)),
        ("POST", "/talks", post(talk::page::create)),
        ("GET", "/talks/rules", get(talk::page::rules)),
        ("POST", "/talks/rules", post(talk::page::save_rules)),
        (
            "POST",
            "/talks/rules/accept",
            post(talk::page::accept_rules),
        ),
        (
            "POST",
            "/talks/calm-threshold",
            post(talk::page::set_threshold),
        ),
        ("GET", "/talks/{id}", get(talk::page::show)),
        ("POST", "/talks/{id}/calm", post(talk::page::calm)),
        ("POST", "/talks/{id}/notes", post(talk::page::add_note)),
        (
            "POST",
            "/talks/{id}/notes/{note}/share",
            post(talk::page::share_note),
        ),
        ("POST", "/talks/{id}/join-here", post(talk::page::join_here)),
        ("POST", "/talks/{id}/act", post(talk::page::act)),
        ("POST", "/talks/{id}/reflection", post(talk::page::reflect)),
        ("POST", "/talks/{id}/delete", post(talk::page::delete)),
        ("GET", "/talks/{id}/ws", get(crate::talk::ws::socket)),
        // Action plan
        ("GET", "/plan", get(plan::page::list)),
        ("GET", "/plan/new", get(plan::page::new_form)),
        ("POST", "/plan", post(plan::page::create)),
        ("POST", "/plan/{id}/done", post(plan::page::done)),
        ("POST", "/plan/{id}/undo", post(plan::page::undo)),
        ("POST", "/plan/{id}/accept", post(plan::page::accept)),
        ("POST", "/plan/{id}/decline", post(plan::page::decline)),
        (
            "GET",
            "/settings/reminders",
            get(reminders::page::reminder_settings),
        ),
        (
            "POST",
            "/settings/reminders",
            post(reminders::page::save_reminders),
        ),
        (
            "POST",
            "/settings/calendar/new",
            post(reminders::page::new_feed),
        ),
        (
            "POST",
            "/settings/calendar/revoke",
            post(reminders::page::revoke_feed),
        ),
        (
            "POST",
            "/settings/calendar/titles",
            post(reminders::page::feed_titles),
        ),
        ("GET", "/calendar/{file}", get(reminders::page::feed)),
        ("GET", "/api/v1/plan", get(plan::api::list)),
        ("POST", "/api/v1/plan", post(plan::api::create)),
        (
            "GET",
            "/api/v1/plan/reminders",
            get(reminders::api::get_reminders),
        ),
        (
            "PUT",
            "/api/v1/plan/reminders",
            put(reminders::api::put_reminders),
        ),
        (
            "POST",
            "/api/v1/plan/calendar",
            post(reminders::api::new_feed),
        ),
        (
            "DELETE",
            "/api/v1/plan/calendar",
            delete(reminders::api::revoke_feed),
        ),
        ("GET", "/api/v1/plan/{id}", get(plan::api::show)),
        ("POST", "/api/v1/plan/{id}/done", post(plan::api::done)),
        ("POST", "/api/v1/plan/{id}/undo", post(plan::api::undo)),
        ("POST", "/api/v1/plan/{id}/answer", post(plan::api::answer)),
        // operations
        ("GET", "/healthz", get(http::ops::healthz)),
        ("GET", "/readyz", get(http::ops::readyz)),
        ("GET", "/static/{*path}", get(http::assets::serve)),
        ("GET", "/manifest.webmanifest", get(install::manifest)),
        ("GET", "/sw.js", get(install::service_worker)),
        ("GET", "/offline", get(install::offline)),
        ("GET", "/api/openapi.json", get(openapi::openapi_json)),
        // API v1
        ("POST", "/api/v1/accounts", post(account::api::sign_up)),
        ("POST", "/api/v1/auth/token", post(account::api::sign_in)),
        ("GET", "/api/v1/me", get(account::api::me)),
        ("PATCH", "/api/v1/me", patch(account::api::update_me)),
        (
            "PUT",
            "/api/v1/me/password",
            put(account::api::change_password),
        ),
        ("DELETE", "/api/v1/me", delete(safety::api::erase_me)),
        ("GET", "/api/v1/export", get(safety::api::export)),
        ("GET", "/api/v1/safety/check", get(safety::api::my_checks)),
        (
            "POST",
            "/api/v1/safety/check",
            post(safety::api::take_check),
        ),
        ("POST", "/api/v1/space/pause", post(safety::api::pause)),
        ("DELETE", "/api/v1/space/pause", delete(safety::api::resume)),
        ("GET", "/api/v1/tokens", get(account::api::list_tokens)),
        ("POST", "/api/v1/tokens", post(account::api::create_token)),
        (
            "DELETE",
            "/api/v1/tokens/{id}",
            delete(account::api::revoke_token),
        ),
        ("GET", "/api/v1/space", get(space::api::show)),
        ("POST", "/api/v1/space", post(space::api::create)),
        ("DELETE", "/api/v1/space", delete(space::api::leave)),
        (
            "GET",
            "/api/v1/space/invitations",
            get(space::api::invitations),
        ),
        (
            "POST",
            "/api/v1/space/invitations",
            post(space::api::invite),
        ),
        (
            "DELETE",
            "/api/v1/space/invitations/{id}",
            delete(space::api::revoke_invitation),
        ),
        (
            "GET",
            "/api/v1/invitations/{code}",
            get(space::api::preview),
        ),
        (
            "POST",
            "/api/v1/invitations/{code}/accept",
            post(space::api::accept),
        ),
        ("GET", "/api/v1/journey", get(space::api::journey)),
        ("GET", "/api/v1/waiting", get(waiting::api::list)),
        ("GET", "/api/v1/waiting/events", get(waiting::api::events)),
        // Notifications (Web Push and the email digest)
        ("GET", "/settings/notifications", get(notify::page::show)),
        ("POST", "/settings/notifications", post(notify::page::save)),
        (
            "POST",
            "/settings/notifications/devices/{id}/remove",
            post(notify::page::remove_device),
        ),
        ("GET", "/api/v1/push/key", get(notify::api::key)),
        ("GET", "/api/v1/push/subscriptions", get(notify::api::list)),
        (
            "POST",
            "/api/v1/push/subscriptions",
            post(notify::api::subscribe),
        ),
        (
            "DELETE",
            "/api/v1/push/subscriptions/{id}",
            delete(notify::api::unsubscribe),
        ),
        (
            "GET",
            "/api/v1/notifications/settings",
            get(notify::api::get_settings),
        ),
        (
            "PUT",
            "/api/v1/notifications/settings",
            put(notify::api::put_settings),
        ),
        ("GET", "/api/v1/handoff", get(handoff::api::show)),
        ("PUT", "/api/v1/handoff/items", put(handoff::api::choose)),
        (
            "POST",
            "/api/v1/handoff/approve",
            post(handoff::api::approve),
        ),
        (
            "GET",
            "/api/v1/handoff/final",
            get(handoff::api::final_summary),
        ),
        (
            "POST",
            "/api/v1/handoff/links",
            post(handoff::api::create_link),
        ),
        (
            "DELETE",
            "/api/v1/handoff/links/{id}",
            delete(handoff::api::revoke_link),
        ),
        (
            "GET",
            "/api/v1/appreciations",
            get(appreciations::api::list),
        ),
        (
            "POST",
            "/api/v1/appreciations",
            post(appreciations::api::create),
        ),
        (
            "POST",
            "/api/v1/appreciations/coach",
            post(appreciations::api::coach),
        ),
        (
            "GET",
            "/api/v1/appreciations/prompt",
            get(appreciations::api::get_prompt),
        ),
        (
            "PUT",
            "/api/v1/appreciations/prompt",
            put(appreciations::api::put_prompt),
        ),
        (
            "GET",
            "/api/v1/appreciations/{id}",
            get(appreciations::api::show),
        ),
        (
            "PATCH",
            "/api/v1/appreciations/{id}",
            patch(appreciations::api::update),
        ),
        (
            "DELETE",
            "/api/v1/appreciations/{id}",
            delete(appreciations::api::delete),
        ),
        (
            "POST",
            "/api/v1/appreciations/{id}/send",
            post(appreciations::api::send),
        ),
        (
            "PUT",
            "/api/v1/appreciations/{id}/kept",
            put(appreciations::api::keep),
        ),
        ("GET", "/api/v1/journal", get(journal::api::list)),
        ("POST", "/api/v1/journal", post(journal::api::create)),
        ("GET", "/api/v1/journal/{id}", get(journal::api::show)),
        ("PATCH", "/api/v1/journal/{id}", patch(journal::api::update)),
        (
            "DELETE",
            "/api/v1/journal/{id}",
            delete(journal::api::delete),
        ),
        ("GET", "/api/v1/questions/today", get(questions::api::today)),
        ("GET", "/api/v1/questions", get(questions::api::history)),
        (
            "PUT",
            "/api/v1/questions/settings",
            put(questions::api::settings),
        ),
        ("GET", "/api/v1/questions/{id}", get(questions::api::show)),
        (
            "POST",
            "/api/v1/questions/{id}/answer",
            post(questions::api::answer),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/skip",
            post(questions::api::skip),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/reactions",
            post(questions::api::react),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/replies",
            post(questions::api::reply),
        ),
        ("GET", "/api/v1/decks", get(questions::api::decks)),
        (
            "POST",
            "/api/v1/decks/{slug}/ask",
            post(questions::api::ask),
        ),
        (
            "PUT",
            "/api/v1/decks/{slug}/choice",
            put(questions::api::choose),
        ),
        (
            "GET",
            "/api/v1/checkins/current",
            get(checkins::api::current),
        ),
        (
            "PUT",
            "/api/v1/checkins/schedule",
            put(checkins::api::schedule),
        ),
        (
            "GET",
            "/api/v1/checkins/instruments",
            get(checkins::api::instruments),
        ),
        ("GET", "/api/v1/checkins/trends", get(checkins::api::trends)),
        ("GET", "/api/v1/checkins", get(checkins::api::history)),
        ("POST", "/api/v1/checkins", post(checkins::api::begin)),
        ("GET", "/api/v1/checkins/{id}", get(checkins::api::show)),
        (
            "POST",
            "/api/v1/checkins/{id}/submission",
            post(checkins::api::submit),
        ),
        (
            "PUT",
            "/api/v1/checkins/{id}/loved",
            put(checkins::api::loved),
        ),
        ("POST", "/api/v1/coach/analyze", post(coach::api::analyze)),
        (
            "POST",
            "/api/v1/coach/paraphrase",
            post(coach::api::paraphrase),
        ),
        // Talk room
        ("GET", "/api/v1/talks", get(talk::api::list)),
        ("POST", "/api/v1/talks", post(talk::api::create)),
        ("GET", "/api/v1/talks/rules", get(talk::api::rules)),
        ("PUT", "/api/v1/talks/rules", put(talk::api::set_rules)),
        (
            "POST",
            "/api/v1/talks/rules/accept",
            post(talk::api::accept_rules),
        ),
        (
            "GET",
            "/api/v1/talks/calm-threshold",
            get(talk::api::calm_threshold),
        ),
        (
            "PUT",
            "/api/v1/talks/calm-threshold",
            put(talk::api::set_calm_threshold),
        ),
        ("GET", "/api/v1/talks/{id}", get(talk::api::show)),
        ("GET", "/api/v1/talks/{id}/calm", get(talk::api::calm)),
        (
            "POST",
            "/api/v1/talks/{id}/calm",
            post(talk::api::record_calm),
        ),
        ("DELETE", "/api/v1/talks/{id}", delete(talk::api::delete)),
        ("GET", "/api/v1/talks/{id}/notes", get(talk::api::notes)),
        (
            "POST",
            "/api/v1/talks/{id}/notes",
            post(talk::api::add_note),
        ),
        (
            "POST",
            "/api/v1/talks/{id}/notes/{note}/share",
            post(talk::api::share_note),
        ),
        (
            "POST",
            "/api/v1/talks/{id}/commands",
            post(talk::api::command),
        ),
        (
            "PUT",
            "/api/v1/talks/{id}/reflection",
            put(talk::api::reflect),
        ),
        // Problem board
        ("GET", "/board", get(board::page::overview)),
        ("POST", "/board/problems", post(board::page::propose)),
        ("GET", "/board/{id}", get(board::page::show)),
        ("POST", "/board/{id}/accept", post(board::page::accept)),
        (
            "POST",
            "/board/{id}/talk-first",
            post(board::page::talk_first),
        ),
        ("POST", "/board/{id}/withdraw", post(board::page::withdraw)),
        ("POST", "/board/{id}/options", post(board::page::add_option)),
        (
            "POST",
            "/board/{id}/done",
            post(board::page::finish_brainstorm),
        ),
        ("POST", "/board/{id}/ratings", post(board::page::rate)),
        (
            "POST",
            "/board/{id}/compromises",
            post(board::page::compromise),
        ),
        (
            "POST",
            "/board/{id}/agreement",
            post(board::page::propose_agreement),
        ),
        (
            "POST",
            "/board/{id}/agreement/confirm",
            post(board::page::confirm_agreement),
        ),
        (
            "POST",
            "/board/{id}/agreement/decline",
            post(board::page::decline_agreement),
        ),
        (
            "POST",
            "/board/{id}/follow-up",
            post(board::page::follow_up),
        ),
        ("POST", "/board/{id}/decision", post(board::page::decide)),
        ("GET", "/help/counseling", get(board::page::counseling)),
        ("GET", "/api/v1/board", get(board::api::overview)),
        ("POST", "/api/v1/board/coach", post(board::api::coach)),
        ("POST", "/api/v1/board/problems", post(board::api::propose)),
        ("GET", "/api/v1/board/problems/{id}", get(board::api::show)),
        (
            "POST",
            "/api/v1/board/problems/{id}/accept",
            post(board::api::accept),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/talk-first",
            post(board::api::talk_first),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/withdraw",
            post(board::api::withdraw),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/options",
            post(board::api::add_option),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/done",
            post(board::api::finish_brainstorm),
        ),
        (
            "PUT",
            "/api/v1/board/problems/{id}/ratings",
            put(board::api::rate),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/compromises",
            post(board::api::compromise),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/agreement",
            post(board::api::propose_agreement),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/agreement/confirm",
            post(board::api::confirm_agreement),
        ),
        (
            "DELETE",
            "/api/v1/board/problems/{id}/agreement",
            delete(board::api::decline_agreement),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/follow-up",
            post(board::api::follow_up),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/decision",
            post(board::api::decide),
        ),
    ]
}

/// The (method, path) pairs the router serves.
pub fn route_specs() -> Vec<RouteSpec> {
    table()
        .into_iter()
        .map(|(method, path, _)| RouteSpec { method, path })
        .collect()
}

pub fn build_router(state: AppState) -> Router {
    // Process-wide: the metrics recorder and the page frame (instance name,
    // quick-exit target); both keep their first setting.
    http::metrics::install();
    crate::view::set_frame(&state.config.instance_name, &state.config.quick_exit_url);
    let mut router = Router::new();
    for (_, path, handler) in table() {
        router = router.route(path, handler);
    }
    let request_id = HeaderName::from_static("x-request-id");
    router
        .fallback(http::ops::not_found)
        // The steps every request goes through, in one layer (see `http::pipeline`).
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::pipeline::run))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(CatchPanicLayer::new())
        // gzip or brotli, as the browser asks; small and already-packed bodies
        // (PNG) are left alone by the layer's default predicate, and static files
        // come compressed already (`http::assets`). Pages are compressed at the
        // fastest setting: at brotli's usual quality 4 compressing cost more server
        // time than building the page (BENCHMARKS.md, "browser's Accept-Encoding"),
        // for about a sixth fewer bytes (home: 2.7 instead of 3.2 KB).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|req: &Request<_>| {
                            let id = req
                                .headers()
                                .get("x-request-id")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or("-");
                            tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
                        })
                        .on_response(
                            tower_http::trace::DefaultOnResponse::new()
                                .level(tracing::Level::INFO)
                                .latency_unit(tower_http::LatencyUnit::Micros),
                        ),
                )
                .layer(PropagateRequestIdLayer::new(request_id)),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .with_state(state)
}
