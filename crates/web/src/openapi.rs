//! The OpenAPI document of the versioned JSON API (`/api/v1`), generated from the
//! handlers' annotations in each tool's `api.rs` so the two cannot drift apart.

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::Problem;
// Each tool's API, under the short names the document's paths were written with.
use crate::account::api as account;
use crate::board::api as board;
use crate::checkins::api as checkins;
use crate::coach::api as coach;
use crate::journal::api as journal;
use crate::notify::api as notify;
use crate::plan::api as plan;
use crate::questions::api as questions;
use crate::reminders::api as reminders;
use crate::safety::api as safety;
use crate::space::api as space;
use crate::talk::api as talks;
use crate::waiting::api as waiting;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Rekindle API",
        version = "1",
        description = "Everything a couple can do in Rekindle's pages, as JSON. Authenticate with a personal token \
                       (`Authorization: Bearer rk_…`, created in Settings or with `POST /api/v1/auth/token`). \
                       Errors are RFC 9457 problem details."
    ),
    paths(
        account::sign_up, account::sign_in, account::me, account::update_me, account::change_password,
        account::list_tokens, account::create_token, account::revoke_token,
        space::show, space::create, space::leave, space::invitations, space::invite, space::revoke_invitation,
        space::preview, space::accept, space::journey,
        journal::list, journal::create, journal::show, journal::update, journal::delete,
        coach::analyze, coach::paraphrase,
        safety::erase_me, safety::export, safety::my_checks, safety::take_check, safety::pause, safety::resume,
        questions::today, questions::history, questions::show, questions::answer, questions::skip,
        questions::react, questions::reply, questions::decks, questions::ask, questions::settings,
        checkins::current, checkins::schedule, checkins::history, checkins::begin, checkins::show,
        checkins::submit, checkins::loved, checkins::trends, checkins::instruments,
        // Talk room
        talks::list, talks::create, talks::show, talks::command, talks::delete, talks::reflect,
        talks::rules, talks::set_rules, talks::accept_rules,
        // Action plan
        plan::list, plan::create, plan::show, plan::done, plan::undo, plan::answer,
        reminders::get_reminders, reminders::put_reminders, reminders::new_feed, reminders::revoke_feed,
        // What waits for me
        waiting::list, waiting::events,
        // Notifications
        notify::key, notify::list, notify::subscribe, notify::unsubscribe,
        notify::get_settings, notify::put_settings,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    #[allow(unused_mut)]
    let mut doc = ApiDoc::openapi();
    // Problem board
    doc.merge(board::BoardApi::openapi());
    Json(doc)
}
