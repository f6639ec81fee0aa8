//! The versioned JSON API (`/api/v1`) and its OpenAPI document, generated from
//! the handlers' annotations so the two cannot drift apart.

pub mod account;
// Problem board
pub mod board;
pub mod checkins;
pub mod coach;
pub mod journal;
// Action plan
pub mod plan;
pub mod questions;
pub mod safety;
pub mod space;
// Talk room
pub mod talks;

use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::Problem;

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
        plan::get_reminders, plan::put_reminders, plan::new_feed, plan::revoke_feed,
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

/// JSON bodies with a clear problem when they do not parse.
pub struct JsonBody<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(crate::error::AppError::BadRequest(
                    "Send the body as JSON with `Content-Type: application/json`.".into(),
                )
                .into())
            }
            Err(JsonRejection::BytesRejection(_)) => Err(crate::error::AppError::PayloadTooLarge(
                "The request body is too large.".into(),
            )
            .into()),
            Err(e) => Err(crate::error::AppError::BadRequest(format!(
                "The JSON body could not be read: {}",
                e.body_text()
            ))
            .into()),
        }
    }
}
