//! The OpenAPI document of the versioned JSON API (`/api/v1`), generated from the
//! handlers' annotations in each tool's `api.rs` so the two cannot drift apart.

use std::collections::BTreeMap;

use axum::Json;
use serde_json::{Map, Value, json};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::Problem;
// Each tool's API, under the short names the document's paths were written with.
use crate::account::api as account;
use crate::appreciations::api as appreciations;
use crate::board::api as board;
use crate::checkins::api as checkins;
use crate::coach::api as coach;
use crate::handoff::api as handoff;
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
        // Appreciations
        appreciations::list, appreciations::create, appreciations::show, appreciations::update,
        appreciations::send, appreciations::keep, appreciations::delete,
        appreciations::get_prompt, appreciations::put_prompt, appreciations::coach,
        // Counselor hand-off
        handoff::show, handoff::choose, handoff::approve, handoff::final_summary,
        handoff::create_link, handoff::revoke_link,
        coach::analyze, coach::paraphrase,
        safety::erase_me, safety::export, safety::my_checks, safety::take_check, safety::pause, safety::resume,
        questions::today, questions::history, questions::show, questions::answer, questions::skip,
        questions::react, questions::reply, questions::decks, questions::choose, questions::ask, questions::settings,
        checkins::current, checkins::schedule, checkins::history, checkins::begin, checkins::show,
        checkins::submit, checkins::loved, checkins::trends, checkins::instruments,
        // Talk room
        talks::list, talks::create, talks::show, talks::command, talks::delete, talks::reflect,
        talks::rules, talks::set_rules, talks::accept_rules,
        talks::calm, talks::record_calm, talks::calm_threshold, talks::set_calm_threshold,
        talks::notes, talks::add_note, talks::share_note,
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

pub async fn openapi_json() -> Json<Value> {
    Json(document())
}

/// The served document: every tool's operations, then the error answers each
/// one can give (see [`declare_errors`]).
pub fn document() -> Value {
    let mut doc = ApiDoc::openapi();
    // Problem board
    doc.merge(board::BoardApi::openapi());
    let mut doc = serde_json::to_value(doc).unwrap_or(Value::Null);
    declare_errors(&mut doc);
    closed_request_bodies(&mut doc);
    doc
}

const PROBLEM_JSON: &str = "application/problem+json";
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of the document as (method, path, operation).
fn operations_mut(doc: &mut Value) -> Vec<(&'static str, String, &mut Map<String, Value>)> {
    let mut out = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                if let (Some(m), Some(op)) = (
                    METHODS.iter().find(|x| **x == method.as_str()),
                    op.as_object_mut(),
                ) {
                    out.push((*m, path.clone(), op));
                }
            }
        }
    }
    out
}

/// Operation ids used by more than one operation (client generators need them
/// unique; the OpenAPI specification requires it).
pub fn duplicate_operation_ids(doc: &Value) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for item in paths.values() {
            for m in METHODS {
                if let Some(id) = item
                    .get(m)
                    .and_then(|op| op.get("operationId"))
                    .and_then(Value::as_str)
                {
                    *seen.entry(id.to_owned()).or_default() += 1;
                }
            }
        }
    }
    seen.into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(id, _)| id)
        .collect()
}

/// The API refuses a body field it does not know (422, see `http::json`): the
/// object schemas of request bodies say so with `additionalProperties: false`.
fn closed_request_bodies(doc: &mut Value) {
    let mut names = Vec::new();
    for (_, _, op) in operations_mut(doc) {
        if let Some(r) = op
            .get("requestBody")
            .and_then(|b| b["content"]["application/json"]["schema"]["$ref"].as_str())
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            names.push(r.to_owned());
        }
    }
    for name in names {
        if let Some(schema) = doc["components"]["schemas"]
            .get_mut(&name)
            .and_then(Value::as_object_mut)
            && schema.get("type").and_then(Value::as_str) == Some("object")
        {
            schema
                .entry("additionalProperties")
                .or_insert(Value::Bool(false));
        }
    }
}

/// Declares the error answers every operation can give, all as RFC 9457 problem
/// details (`application/problem+json`, schema `Problem`), on top of the ones a
/// handler names itself (409, 403, 429, …):
/// - 400 when a body or query string may fail to parse,
/// - 401 for every operation that needs a token,
/// - 404 for every path with an id in it,
/// - 413 for every operation with a body,
/// - 422 for every operation that takes input (body, query string or path):
///   fields the rules refuse, and text with a NUL character anywhere.
fn declare_errors(doc: &mut Value) {
    let global_security = doc
        .get("security")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty());
    for (_, path, op) in operations_mut(doc) {
        let has_body = op.contains_key("requestBody");
        let has_query = op
            .get("parameters")
            .and_then(Value::as_array)
            .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
        let secured = match op.get("security").and_then(Value::as_array) {
            // `security(())` is an empty requirement: no token needed.
            Some(reqs) => reqs
                .iter()
                .any(|r| r.as_object().is_some_and(|o| !o.is_empty())),
            None => global_security,
        };
        let responses = op
            .entry("responses")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .expect("responses is an object");
        // Problem bodies a handler declared: served as problem+json.
        for resp in responses.values_mut() {
            if let Some(content) = resp.get_mut("content").and_then(Value::as_object_mut)
                && content
                    .get("application/json")
                    .is_some_and(|c| c["schema"]["$ref"] == "#/components/schemas/Problem")
                && let Some(c) = content.remove("application/json")
            {
                content.insert(PROBLEM_JSON.into(), c);
            }
        }
        let mut add = |status: &str, description: &str| {
            let resp = responses
                .entry(status)
                .or_insert_with(|| json!({"description": description}));
            let resp = resp.as_object_mut().expect("a response is an object");
            if resp
                .get("description")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                resp.insert("description".into(), json!(description));
            }
            resp.entry("content").or_insert_with(
                || json!({PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}),
            );
        };
        if has_body || has_query {
            add("400", "The body or query string could not be read");
        }
        if secured {
            add(
                "401",
                "No valid token (`Authorization: Bearer rk_…`) or session",
            );
        }
        if path.contains('{') {
            add("404", "Nothing here, or not the caller's to see");
        }
        if has_body {
            add("413", "The body is too large");
        }
        if has_body || has_query || path.contains('{') {
            add(
                "422",
                "Some fields need attention (`errors` names them); text may not contain NUL",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_id_is_unique_and_a_duplicate_is_caught() {
        let doc = document();
        assert_eq!(duplicate_operation_ids(&doc), Vec::<String>::new());
        let mut doctored = doc.clone();
        doctored["paths"]["/api/v1/journal"]["get"]["operationId"] =
            doc["paths"]["/api/v1/plan"]["get"]["operationId"].clone();
        assert_eq!(duplicate_operation_ids(&doctored), vec!["listActions"]);
    }

    #[test]
    fn every_operation_has_an_id_a_tag_and_problem_details_for_its_errors() {
        let mut doc = document();
        let ops = operations_mut(&mut doc);
        assert!(ops.len() > 80);
        for (method, path, op) in ops {
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
            assert!(
                !id.is_empty() && id.chars().next().is_some_and(|c| c.is_ascii_lowercase()),
                "{method} {path}: operation id {id:?}"
            );
            assert!(op["tags"].as_array().is_some_and(|t| t.len() == 1), "{id}");
            for (status, resp) in op["responses"].as_object().unwrap() {
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        resp["content"][PROBLEM_JSON].is_object()
                            && resp["content"].as_object().unwrap().len() == 1,
                        "{id} {status} is not declared as problem details: {resp}"
                    );
                }
            }
            if path.contains('{') {
                assert!(op["responses"]["404"].is_object(), "{id}: no 404");
            }
            // Every path parameter is in the path (a query struct read by a
            // custom extractor needs `#[into_params(parameter_in = Query)]`).
            for p in op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if p["in"] == "path" {
                    let name = p["name"].as_str().unwrap();
                    assert!(
                        path.contains(&format!("{{{name}}}")),
                        "{id}: path parameter {name}"
                    );
                }
            }
        }
    }
}
