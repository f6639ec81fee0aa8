//! Every route, in one table. The router is built from this table and the
//! authorization test walks the same table, so a route cannot be added without
//! the test noticing.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::routing::{MethodRouter, delete, get, patch, post, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{api, assets, auth, csrf, http_metrics, pages};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
}

fn table() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        // pages
        ("GET", "/", get(pages::home::index)),
        ("GET", "/about", get(pages::home::about)),
        ("GET", "/signup", get(pages::account::signup_form)),
        ("POST", "/signup", post(pages::account::signup)),
        ("GET", "/signin", get(pages::account::signin_form)),
        ("POST", "/signin", post(pages::account::signin)),
        ("POST", "/signout", post(pages::account::signout)),
        ("GET", "/settings", get(pages::settings::show)),
        ("POST", "/settings/profile", post(pages::settings::profile)),
        (
            "POST",
            "/settings/password",
            post(pages::settings::password),
        ),
        (
            "POST",
            "/settings/tokens",
            post(pages::settings::create_token),
        ),
        (
            "POST",
            "/settings/tokens/{id}/revoke",
            post(pages::settings::revoke_token),
        ),
        ("POST", "/space", post(pages::space::create)),
        ("POST", "/space/invitations", post(pages::space::invite)),
        (
            "POST",
            "/space/invitations/{id}/revoke",
            post(pages::space::revoke_invitation),
        ),
        ("POST", "/space/leave", post(pages::space::leave)),
        ("POST", "/space/pause", post(pages::safety::pause)),
        ("POST", "/space/resume", post(pages::safety::resume)),
        ("GET", "/safety", get(pages::safety::check_form)),
        ("POST", "/safety/check", post(pages::safety::check)),
        ("POST", "/safety/later", post(pages::safety::later)),
        ("GET", "/safety/resources", get(pages::safety::resources)),
        ("GET", "/help", get(pages::safety::help)),
        ("GET", "/exit", get(pages::safety::exit)),
        (
            "POST",
            "/notices/dismiss",
            post(pages::safety::dismiss_notices),
        ),
        ("GET", "/settings/export", get(pages::safety::export)),
        ("POST", "/settings/erase", post(pages::safety::erase)),
        ("GET", "/join/{code}", get(pages::space::join_form)),
        ("POST", "/join/{code}", post(pages::space::join)),
        ("GET", "/journal", get(pages::journal::list)),
        ("POST", "/journal", post(pages::journal::create)),
        ("GET", "/journal/{id}", get(pages::journal::show)),
        ("POST", "/journal/{id}", post(pages::journal::update)),
        ("POST", "/journal/{id}/share", post(pages::journal::share)),
        (
            "POST",
            "/journal/{id}/unshare",
            post(pages::journal::unshare),
        ),
        ("POST", "/journal/{id}/delete", post(pages::journal::delete)),
        ("GET", "/questions", get(pages::questions::today)),
        (
            "POST",
            "/questions/settings",
            post(pages::questions::settings),
        ),
        ("GET", "/questions/decks", get(pages::questions::decks)),
        (
            "POST",
            "/questions/decks/{slug}",
            post(pages::questions::ask),
        ),
        ("GET", "/questions/history", get(pages::questions::history)),
        ("GET", "/questions/{id}", get(pages::questions::show)),
        (
            "POST",
            "/questions/{id}/answer",
            post(pages::questions::answer),
        ),
        ("POST", "/questions/{id}/skip", post(pages::questions::skip)),
        (
            "POST",
            "/questions/{id}/react",
            post(pages::questions::react),
        ),
        (
            "POST",
            "/questions/{id}/reply",
            post(pages::questions::reply),
        ),
        ("GET", "/checkins", get(pages::checkins::overview)),
        (
            "POST",
            "/checkins/schedule",
            post(pages::checkins::schedule),
        ),
        ("POST", "/checkins/begin", post(pages::checkins::begin)),
        ("GET", "/checkins/trends", get(pages::checkins::trends)),
        ("GET", "/checkins/export.csv", get(pages::checkins::export)),
        ("GET", "/checkins/{id}", get(pages::checkins::show)),
        (
            "POST",
            "/checkins/{id}/submit",
            post(pages::checkins::submit),
        ),
        ("POST", "/checkins/{id}/loved", post(pages::checkins::loved)),
        // Talk room
        ("GET", "/talks", get(pages::talks::list)),
        ("POST", "/talks", post(pages::talks::create)),
        ("GET", "/talks/rules", get(pages::talks::rules)),
        ("POST", "/talks/rules", post(pages::talks::save_rules)),
        (
            "POST",
            "/talks/rules/accept",
            post(pages::talks::accept_rules),
        ),
        ("GET", "/talks/{id}", get(pages::talks::show)),
        ("POST", "/talks/{id}/act", post(pages::talks::act)),
        (
            "POST",
            "/talks/{id}/reflection",
            post(pages::talks::reflect),
        ),
        ("POST", "/talks/{id}/delete", post(pages::talks::delete)),
        ("GET", "/talks/{id}/ws", get(crate::talk::ws::socket)),
        // Action plan
        ("GET", "/plan", get(pages::plan::list)),
        ("GET", "/plan/new", get(pages::plan::new_form)),
        ("POST", "/plan", post(pages::plan::create)),
        ("POST", "/plan/{id}/done", post(pages::plan::done)),
        ("POST", "/plan/{id}/undo", post(pages::plan::undo)),
        ("POST", "/plan/{id}/accept", post(pages::plan::accept)),
        ("POST", "/plan/{id}/decline", post(pages::plan::decline)),
        (
            "GET",
            "/settings/reminders",
            get(pages::plan::reminder_settings),
        ),
        (
            "POST",
            "/settings/reminders",
            post(pages::plan::save_reminders),
        ),
        (
            "POST",
            "/settings/calendar/new",
            post(pages::plan::new_feed),
        ),
        (
            "POST",
            "/settings/calendar/revoke",
            post(pages::plan::revoke_feed),
        ),
        (
            "POST",
            "/settings/calendar/titles",
            post(pages::plan::feed_titles),
        ),
        ("GET", "/calendar/{file}", get(pages::plan::feed)),
        ("GET", "/api/v1/plan", get(api::plan::list)),
        ("POST", "/api/v1/plan", post(api::plan::create)),
        (
            "GET",
            "/api/v1/plan/reminders",
            get(api::plan::get_reminders),
        ),
        (
            "PUT",
            "/api/v1/plan/reminders",
            put(api::plan::put_reminders),
        ),
        ("POST", "/api/v1/plan/calendar", post(api::plan::new_feed)),
        (
            "DELETE",
            "/api/v1/plan/calendar",
            delete(api::plan::revoke_feed),
        ),
        ("GET", "/api/v1/plan/{id}", get(api::plan::show)),
        ("POST", "/api/v1/plan/{id}/done", post(api::plan::done)),
        ("POST", "/api/v1/plan/{id}/undo", post(api::plan::undo)),
        ("POST", "/api/v1/plan/{id}/answer", post(api::plan::answer)),
        // operations
        ("GET", "/healthz", get(pages::ops::healthz)),
        ("GET", "/readyz", get(pages::ops::readyz)),
        ("GET", "/metrics", get(http_metrics::render)),
        ("GET", "/static/{*path}", get(assets::serve)),
        ("GET", "/api/openapi.json", get(api::openapi_json)),
        // API v1
        ("POST", "/api/v1/accounts", post(api::account::sign_up)),
        ("POST", "/api/v1/auth/token", post(api::account::sign_in)),
        ("GET", "/api/v1/me", get(api::account::me)),
        ("PATCH", "/api/v1/me", patch(api::account::update_me)),
        (
            "PUT",
            "/api/v1/me/password",
            put(api::account::change_password),
        ),
        ("DELETE", "/api/v1/me", delete(api::safety::erase_me)),
        ("GET", "/api/v1/export", get(api::safety::export)),
        ("GET", "/api/v1/safety/check", get(api::safety::my_checks)),
        (
            "POST",
            "/api/v1/safety/check",
            post(api::safety::take_check),
        ),
        ("POST", "/api/v1/space/pause", post(api::safety::pause)),
        ("DELETE", "/api/v1/space/pause", delete(api::safety::resume)),
        ("GET", "/api/v1/tokens", get(api::account::list_tokens)),
        ("POST", "/api/v1/tokens", post(api::account::create_token)),
        (
            "DELETE",
            "/api/v1/tokens/{id}",
            delete(api::account::revoke_token),
        ),
        ("GET", "/api/v1/space", get(api::space::show)),
        ("POST", "/api/v1/space", post(api::space::create)),
        ("DELETE", "/api/v1/space", delete(api::space::leave)),
        (
            "GET",
            "/api/v1/space/invitations",
            get(api::space::invitations),
        ),
        (
            "POST",
            "/api/v1/space/invitations",
            post(api::space::invite),
        ),
        (
            "DELETE",
            "/api/v1/space/invitations/{id}",
            delete(api::space::revoke_invitation),
        ),
        (
            "GET",
            "/api/v1/invitations/{code}",
            get(api::space::preview),
        ),
        (
            "POST",
            "/api/v1/invitations/{code}/accept",
            post(api::space::accept),
        ),
        ("GET", "/api/v1/journey", get(api::space::journey)),
        ("GET", "/api/v1/journal", get(api::journal::list)),
        ("POST", "/api/v1/journal", post(api::journal::create)),
        ("GET", "/api/v1/journal/{id}", get(api::journal::show)),
        ("PATCH", "/api/v1/journal/{id}", patch(api::journal::update)),
        (
            "DELETE",
            "/api/v1/journal/{id}",
            delete(api::journal::delete),
        ),
        ("GET", "/api/v1/questions/today", get(api::questions::today)),
        ("GET", "/api/v1/questions", get(api::questions::history)),
        (
            "PUT",
            "/api/v1/questions/settings",
            put(api::questions::settings),
        ),
        ("GET", "/api/v1/questions/{id}", get(api::questions::show)),
        (
            "POST",
            "/api/v1/questions/{id}/answer",
            post(api::questions::answer),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/skip",
            post(api::questions::skip),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/reactions",
            post(api::questions::react),
        ),
        (
            "POST",
            "/api/v1/questions/{id}/replies",
            post(api::questions::reply),
        ),
        ("GET", "/api/v1/decks", get(api::questions::decks)),
        (
            "POST",
            "/api/v1/decks/{slug}/ask",
            post(api::questions::ask),
        ),
        (
            "GET",
            "/api/v1/checkins/current",
            get(api::checkins::current),
        ),
        (
            "PUT",
            "/api/v1/checkins/schedule",
            put(api::checkins::schedule),
        ),
        (
            "GET",
            "/api/v1/checkins/instruments",
            get(api::checkins::instruments),
        ),
        ("GET", "/api/v1/checkins/trends", get(api::checkins::trends)),
        ("GET", "/api/v1/checkins", get(api::checkins::history)),
        ("POST", "/api/v1/checkins", post(api::checkins::begin)),
        ("GET", "/api/v1/checkins/{id}", get(api::checkins::show)),
        (
            "POST",
            "/api/v1/checkins/{id}/submission",
            post(api::checkins::submit),
        ),
        (
            "PUT",
            "/api/v1/checkins/{id}/loved",
            put(api::checkins::loved),
        ),
        ("POST", "/api/v1/coach/analyze", post(api::coach::analyze)),
        (
            "POST",
            "/api/v1/coach/paraphrase",
            post(api::coach::paraphrase),
        ),
        // Talk room
        ("GET", "/api/v1/talks", get(api::talks::list)),
        ("POST", "/api/v1/talks", post(api::talks::create)),
        ("GET", "/api/v1/talks/rules", get(api::talks::rules)),
        ("PUT", "/api/v1/talks/rules", put(api::talks::set_rules)),
        (
            "POST",
            "/api/v1/talks/rules/accept",
            post(api::talks::accept_rules),
        ),
        ("GET", "/api/v1/talks/{id}", get(api::talks::show)),
        ("DELETE", "/api/v1/talks/{id}", delete(api::talks::delete)),
        (
            "POST",
            "/api/v1/talks/{id}/commands",
            post(api::talks::command),
        ),
        (
            "PUT",
            "/api/v1/talks/{id}/reflection",
            put(api::talks::reflect),
        ),
        // Problem board
        ("GET", "/board", get(pages::board::overview)),
        ("POST", "/board/problems", post(pages::board::propose)),
        ("GET", "/board/{id}", get(pages::board::show)),
        ("POST", "/board/{id}/accept", post(pages::board::accept)),
        (
            "POST",
            "/board/{id}/talk-first",
            post(pages::board::talk_first),
        ),
        ("POST", "/board/{id}/withdraw", post(pages::board::withdraw)),
        (
            "POST",
            "/board/{id}/options",
            post(pages::board::add_option),
        ),
        (
            "POST",
            "/board/{id}/done",
            post(pages::board::finish_brainstorm),
        ),
        ("POST", "/board/{id}/ratings", post(pages::board::rate)),
        (
            "POST",
            "/board/{id}/compromises",
            post(pages::board::compromise),
        ),
        (
            "POST",
            "/board/{id}/agreement",
            post(pages::board::propose_agreement),
        ),
        (
            "POST",
            "/board/{id}/agreement/confirm",
            post(pages::board::confirm_agreement),
        ),
        (
            "POST",
            "/board/{id}/agreement/decline",
            post(pages::board::decline_agreement),
        ),
        (
            "POST",
            "/board/{id}/follow-up",
            post(pages::board::follow_up),
        ),
        ("POST", "/board/{id}/decision", post(pages::board::decide)),
        ("GET", "/help/counseling", get(pages::board::counseling)),
        ("GET", "/api/v1/board", get(api::board::overview)),
        ("POST", "/api/v1/board/coach", post(api::board::coach)),
        ("POST", "/api/v1/board/problems", post(api::board::propose)),
        ("GET", "/api/v1/board/problems/{id}", get(api::board::show)),
        (
            "POST",
            "/api/v1/board/problems/{id}/accept",
            post(api::board::accept),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/talk-first",
            post(api::board::talk_first),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/withdraw",
            post(api::board::withdraw),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/options",
            post(api::board::add_option),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/done",
            post(api::board::finish_brainstorm),
        ),
        (
            "PUT",
            "/api/v1/board/problems/{id}/ratings",
            put(api::board::rate),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/compromises",
            post(api::board::compromise),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/agreement",
            post(api::board::propose_agreement),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/agreement/confirm",
            post(api::board::confirm_agreement),
        ),
        (
            "DELETE",
            "/api/v1/board/problems/{id}/agreement",
            delete(api::board::decline_agreement),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/follow-up",
            post(api::board::follow_up),
        ),
        (
            "POST",
            "/api/v1/board/problems/{id}/decision",
            post(api::board::decide),
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

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn build_router(state: AppState) -> Router {
    let mut router = Router::new();
    for (_, path, handler) in table() {
        router = router.route(path, handler);
    }
    let request_id = HeaderName::from_static("x-request-id");
    let header_layers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    router
        .fallback(pages::ops::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::resolve_session))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(axum::middleware::from_fn(http_metrics::track))
        .layer(header_layers)
        .layer(CatchPanicLayer::new())
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
