//! Walks every route as anonymous, outsider, partner and owner and checks the
//! status each gets. The table must name every route the router serves, so a new
//! route fails this test until someone decides who may use it. Each response
//! body is also searched for the owner's private text.

use futures_util::StreamExt;
use rekindle_storage::Backend;
use rekindle_testkit::{ApiPerson, HtmlPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::export_text;

const PRIVATE_TEXT: &str = "PRIVATE-owner-5e1d";
const SHARED_TEXT: &str = "SHARED-owner-77aa";
/// The owner's answer to a question the partner has not answered: sealed for everyone else.
const SEALED_TEXT: &str = "SEALED-owner-3b9c";

/// What a case's request carries.
#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static [(&'static str, &'static str)]),
    Json(fn() -> Value),
    /// A fresh sign-up, different for every role.
    SignupForm,
    SignupJson,
}

struct Case {
    method: &'static str,
    /// The route pattern, exactly as in the router.
    pattern: &'static str,
    /// The concrete path; `{private}`, `{shared}`, `{token}`, `{invite}`, `{code}` are filled from the fixture.
    path: &'static str,
    body: Body,
    /// anonymous, outsider, partner, owner
    expect: [u16; 4],
}

impl Case {
    /// A GET that changes nothing on the server: all but the quick exit, which
    /// ends the session.
    fn only_reads(&self) -> bool {
        self.method == "GET" && self.pattern != "/exit"
    }
}

const fn case(
    method: &'static str,
    pattern: &'static str,
    path: &'static str,
    body: Body,
    expect: [u16; 4],
) -> Case {
    Case {
        method,
        pattern,
        path,
        body,
        expect,
    }
}

/// A complete check-in submission, as a form and as JSON.
const CHECKIN_FORM: &[(&str, &str)] = &[
    ("csi1", "4"),
    ("csi2", "4"),
    ("csi3", "3"),
    ("csi4", "3"),
    ("tech1", "2"),
    ("tech2", "1"),
    ("tech3", "1"),
    ("tech4", "0"),
    ("hours_together", "12"),
    ("hours_device_free", "6"),
    ("appreciation", "thanks"),
];

fn checkin_json() -> Value {
    json!({"csi": [4, 4, 3, 3], "technoference": [2, 1, 1, 0], "hours_together": 12, "hours_device_free": 6, "appreciation": "thanks"})
}

const ROLES: [&str; 4] = ["anonymous", "outsider", "partner", "owner"];

fn cases() -> Vec<Case> {
    use Body::*;
    let page = [303, 200, 200, 200];
    let all = [200, 200, 200, 200];
    let api = [401, 200, 200, 200];
    let mine_page = [303, 404, 404, 303];
    let mut cases = vec![
        case("GET", "/", "/", None, all),
        case("GET", "/about", "/about", None, all),
        case("GET", "/signup", "/signup", None, [200, 303, 303, 303]),
        case(
            "POST",
            "/signup",
            "/signup",
            SignupForm,
            [303, 303, 303, 303],
        ),
        case("GET", "/signup/sent", "/signup/sent", None, all),
        // The fixture has no mail server, so no link exists: every link is spent.
        case(
            "GET",
            "/signup/confirm/{token}",
            "/signup/confirm/not-a-real-link",
            None,
            [404, 404, 404, 404],
        ),
        case(
            "POST",
            "/signup/confirm/{token}",
            "/signup/confirm/not-a-real-link",
            None,
            [404, 404, 404, 404],
        ),
        case("GET", "/signin", "/signin", None, [200, 303, 303, 303]),
        case(
            "POST",
            "/signin",
            "/signin",
            Form(&[
                ("email", "owner@example.org"),
                ("password", "wrong password"),
            ]),
            [400, 400, 400, 400],
        ),
        case("POST", "/signout", "/signout", None, [303, 303, 303, 303]),
        // Password reset: open to everyone; without mail the page says whom to ask.
        case("GET", "/password/forgot", "/password/forgot", None, all),
        case(
            "POST",
            "/password/forgot",
            "/password/forgot",
            Form(&[("email", "owner@example.org")]),
            all,
        ),
        case(
            "GET",
            "/password/reset/{secret}",
            "/password/reset/{reset}",
            None,
            all,
        ),
        case(
            "GET",
            "/password/reset/{secret}",
            "/password/reset/not-a-real-secret",
            None,
            [404, 404, 404, 404],
        ),
        case(
            "POST",
            "/password/reset/{secret}",
            "/password/reset/{reset}",
            Form(&[("new_password", "short")]),
            [422, 422, 422, 422],
        ),
        case(
            "POST",
            "/password/reset/{secret}",
            "/password/reset/not-a-real-secret",
            Form(&[("new_password", "a long enough password")]),
            [404, 404, 404, 404],
        ),
        case("GET", "/settings", "/settings", None, page),
        case("GET", "/settings/devices", "/settings/devices", None, page),
        case(
            "POST",
            "/settings/devices/signout",
            "/settings/devices/signout",
            Form(&[("device", "0123456789abcdef")]),
            [303, 404, 404, 404],
        ),
        case(
            "POST",
            "/settings/devices/signout-others",
            "/settings/devices/signout-others",
            None,
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/devices/look",
            "/settings/devices/look",
            Form(&[("look", "neutral")]),
            [303, 303, 303, 303],
        ),
        case(
            "GET",
            "/settings/advanced",
            "/settings/advanced",
            None,
            page,
        ),
        case(
            "POST",
            "/settings/profile",
            "/settings/profile",
            Form(&[("display_name", "New"), ("time_zone", "UTC")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/password",
            "/settings/password",
            Form(&[
                ("current_password", "wrong"),
                ("new_password", "long enough pw"),
            ]),
            [303, 422, 422, 422],
        ),
        case(
            "POST",
            "/settings/tokens",
            "/settings/tokens",
            Form(&[("name", "t")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/tokens/{id}/revoke",
            "/settings/tokens/{token}/revoke",
            None,
            mine_page,
        ),
        case("POST", "/space", "/space", None, [303, 409, 409, 409]),
        case(
            "POST",
            "/space/invitations",
            "/space/invitations",
            None,
            [303, 303, 409, 409],
        ),
        case(
            "POST",
            "/space/invitations/{id}/revoke",
            "/space/invitations/{invite}/revoke",
            None,
            [303, 303, 404, 404],
        ),
        case(
            "POST",
            "/space/leave",
            "/space/leave",
            None,
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/space/pause",
            "/space/pause",
            None,
            [303, 303, 303, 409],
        ),
        case(
            "POST",
            "/space/resume",
            "/space/resume",
            None,
            [303, 404, 404, 404],
        ),
        case("GET", "/safety", "/safety", None, page),
        case(
            "POST",
            "/safety/check",
            "/safety/check",
            Form(&[("q0", "1"), ("q1", "1"), ("q2", "2"), ("q3", "1")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/safety/check",
            "/safety/check",
            Form(&[("q0", "1"), ("q1", "9")]),
            [303, 422, 422, 422],
        ),
        case(
            "POST",
            "/safety/later",
            "/safety/later",
            None,
            [303, 303, 303, 303],
        ),
        case("GET", "/safety/resources", "/safety/resources", None, page),
        case("GET", "/help", "/help", None, all),
        case("GET", "/exit", "/exit", None, [303, 303, 303, 303]),
        case(
            "POST",
            "/notices/dismiss",
            "/notices/dismiss",
            None,
            [303, 303, 303, 303],
        ),
        case("GET", "/settings/export", "/settings/export", None, page),
        case(
            "POST",
            "/settings/erase",
            "/settings/erase",
            Form(&[("password", "wrong password"), ("confirm", "erase")]),
            [303, 422, 422, 422],
        ),
        case("GET", "/join/{code}", "/join/{code}", None, all),
        case(
            "GET",
            "/join/{code}",
            "/join/not-a-real-code",
            None,
            [404, 404, 404, 404],
        ),
        case(
            "POST",
            "/join/{code}",
            "/join/{code}",
            None,
            [303, 409, 409, 409],
        ),
        case("GET", "/journal", "/journal", None, page),
        case(
            "POST",
            "/journal",
            "/journal",
            Form(&[("body", "a new entry")]),
            [303, 303, 303, 303],
        ),
        case(
            "GET",
            "/journal/{id}",
            "/journal/{private}",
            None,
            [303, 404, 404, 200],
        ),
        case(
            "GET",
            "/journal/{id}",
            "/journal/{shared}",
            None,
            [303, 404, 200, 200],
        ),
        case(
            "POST",
            "/journal/{id}",
            "/journal/{private}",
            Form(&[("title", "t"), ("body", "edited")]),
            mine_page,
        ),
        case(
            "POST",
            "/journal/{id}/share",
            "/journal/{private}/share",
            None,
            mine_page,
        ),
        case(
            "POST",
            "/journal/{id}/unshare",
            "/journal/{shared}/unshare",
            None,
            mine_page,
        ),
        case(
            "POST",
            "/journal/{id}/delete",
            "/journal/{private}/delete",
            None,
            mine_page,
        ),
        case("GET", "/questions", "/questions", None, page),
        case(
            "POST",
            "/questions/settings",
            "/questions/settings",
            Form(&[("hour", "8")]),
            [303, 409, 303, 303],
        ),
        case("GET", "/questions/decks", "/questions/decks", None, page),
        case(
            "POST",
            "/questions/decks/{slug}",
            "/questions/decks/our-story",
            None,
            [303, 409, 303, 303],
        ),
        // A deck choice is one's own, with or without a partner.
        case(
            "POST",
            "/questions/decks/{slug}/choice",
            "/questions/decks/play/choice",
            Form(&[("on", "off")]),
            [303, 303, 303, 303],
        ),
        case(
            "GET",
            "/questions/history",
            "/questions/history",
            None,
            page,
        ),
        case(
            "GET",
            "/questions/{id}",
            "/questions/{question}",
            None,
            [303, 404, 200, 200],
        ),
        case(
            "POST",
            "/questions/{id}/answer",
            "/questions/{question}/answer",
            Form(&[("body", "my answer")]),
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/questions/{id}/skip",
            "/questions/{question}/skip",
            None,
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/questions/{id}/react",
            "/questions/{question}/react",
            Form(&[("answer_id", "x"), ("kind", "heart")]),
            [303, 404, 404, 404],
        ),
        case(
            "POST",
            "/questions/{id}/reply",
            "/questions/{question}/reply",
            Form(&[("body", "hi")]),
            [303, 404, 409, 409],
        ),
        case("GET", "/checkins", "/checkins", None, page),
        case(
            "POST",
            "/checkins/schedule",
            "/checkins/schedule",
            Form(&[
                ("rhythm", "fortnightly"),
                ("weekday", "friday"),
                ("hour", "20"),
            ]),
            [303, 409, 303, 303],
        ),
        case(
            "POST",
            "/checkins/begin",
            "/checkins/begin",
            None,
            [303, 409, 409, 409],
        ),
        case("GET", "/checkins/trends", "/checkins/trends", None, page),
        case(
            "GET",
            "/checkins/export.csv",
            "/checkins/export.csv",
            None,
            page,
        ),
        case(
            "GET",
            "/checkins/{id}",
            "/checkins/{checkin}",
            None,
            [303, 404, 200, 200],
        ),
        case(
            "POST",
            "/checkins/{id}/submit",
            "/checkins/{checkin}/submit",
            Form(CHECKIN_FORM),
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/checkins/{id}/loved",
            "/checkins/{checkin}/loved",
            Form(&[("body", "a walk together")]),
            [303, 404, 409, 409],
        ),
        case("GET", "/healthz", "/healthz", None, all),
        case("GET", "/readyz", "/readyz", None, all),
        case("GET", "/static/{*path}", "/static/app.css", None, all),
        case(
            "GET",
            "/manifest.webmanifest",
            "/manifest.webmanifest",
            None,
            all,
        ),
        case("GET", "/sw.js", "/sw.js", None, all),
        case("GET", "/offline", "/offline", None, all),
        case(
            "GET",
            "/static/{*path}",
            "/static/nothing.css",
            None,
            [404, 404, 404, 404],
        ),
        case("GET", "/api/openapi.json", "/api/openapi.json", None, all),
        case(
            "POST",
            "/api/v1/accounts",
            "/api/v1/accounts",
            SignupJson,
            [201, 201, 201, 201],
        ),
        case(
            "POST",
            "/api/v1/auth/token",
            "/api/v1/auth/token",
            Json(|| json!({"email": "owner@example.org", "password": "wrong password"})),
            [422, 422, 422, 422],
        ),
        case("GET", "/api/v1/me", "/api/v1/me", None, api),
        case(
            "PATCH",
            "/api/v1/me",
            "/api/v1/me",
            Json(|| json!({"display_name": "Renamed"})),
            api,
        ),
        case(
            "PUT",
            "/api/v1/me/password",
            "/api/v1/me/password",
            Json(|| json!({"current_password": "wrong", "new_password": "long enough pw"})),
            [401, 422, 422, 422],
        ),
        case(
            "DELETE",
            "/api/v1/me",
            "/api/v1/me",
            Json(|| json!({"password": "wrong password"})),
            [401, 422, 422, 422],
        ),
        case("GET", "/api/v1/export", "/api/v1/export", None, api),
        case(
            "GET",
            "/api/v1/safety/check",
            "/api/v1/safety/check",
            None,
            api,
        ),
        case(
            "POST",
            "/api/v1/safety/check",
            "/api/v1/safety/check",
            Json(|| json!({"answers": [1, 1, 1, 1]})),
            [401, 201, 201, 201],
        ),
        case(
            "POST",
            "/api/v1/space/pause",
            "/api/v1/space/pause",
            None,
            [401, 204, 204, 409],
        ),
        case(
            "DELETE",
            "/api/v1/space/pause",
            "/api/v1/space/pause",
            None,
            [401, 404, 404, 404],
        ),
        case("GET", "/api/v1/tokens", "/api/v1/tokens", None, api),
        case(
            "POST",
            "/api/v1/tokens",
            "/api/v1/tokens",
            Json(|| json!({"name": "t"})),
            [401, 201, 201, 201],
        ),
        case(
            "DELETE",
            "/api/v1/tokens/{id}",
            "/api/v1/tokens/{token}",
            None,
            [401, 404, 404, 204],
        ),
        case("GET", "/api/v1/space", "/api/v1/space", None, api),
        case(
            "POST",
            "/api/v1/space",
            "/api/v1/space",
            None,
            [401, 409, 409, 409],
        ),
        case(
            "DELETE",
            "/api/v1/space",
            "/api/v1/space",
            None,
            [401, 204, 204, 204],
        ),
        case(
            "GET",
            "/api/v1/space/invitations",
            "/api/v1/space/invitations",
            None,
            api,
        ),
        case(
            "POST",
            "/api/v1/space/invitations",
            "/api/v1/space/invitations",
            None,
            [401, 201, 409, 409],
        ),
        case(
            "DELETE",
            "/api/v1/space/invitations/{id}",
            "/api/v1/space/invitations/{invite}",
            None,
            [401, 204, 404, 404],
        ),
        case(
            "GET",
            "/api/v1/invitations/{code}",
            "/api/v1/invitations/{code}",
            None,
            api,
        ),
        case(
            "POST",
            "/api/v1/invitations/{code}/accept",
            "/api/v1/invitations/{code}/accept",
            None,
            [401, 409, 409, 409],
        ),
        case("GET", "/api/v1/journey", "/api/v1/journey", None, api),
        case("GET", "/api/v1/waiting", "/api/v1/waiting", None, api),
        case(
            "GET",
            "/api/v1/waiting/events",
            "/api/v1/waiting/events",
            None,
            api,
        ),
        case("GET", "/api/v1/journal", "/api/v1/journal", None, api),
        case(
            "POST",
            "/api/v1/journal",
            "/api/v1/journal",
            Json(|| json!({"body": "hello"})),
            [401, 201, 201, 201],
        ),
        case(
            "GET",
            "/api/v1/journal/{id}",
            "/api/v1/journal/{private}",
            None,
            [401, 404, 404, 200],
        ),
        case(
            "GET",
            "/api/v1/journal/{id}",
            "/api/v1/journal/{shared}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "PATCH",
            "/api/v1/journal/{id}",
            "/api/v1/journal/{private}",
            Json(|| json!({"visibility": "shared"})),
            [401, 404, 404, 200],
        ),
        case(
            "DELETE",
            "/api/v1/journal/{id}",
            "/api/v1/journal/{private}",
            None,
            [401, 404, 404, 204],
        ),
        case(
            "GET",
            "/api/v1/questions/today",
            "/api/v1/questions/today",
            None,
            [401, 409, 200, 200],
        ),
        case("GET", "/api/v1/questions", "/api/v1/questions", None, api),
        case(
            "PUT",
            "/api/v1/questions/settings",
            "/api/v1/questions/settings",
            Json(|| json!({"hour": 9})),
            [401, 409, 204, 204],
        ),
        case(
            "GET",
            "/api/v1/questions/{id}",
            "/api/v1/questions/{question}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/questions/{id}/answer",
            "/api/v1/questions/{question}/answer",
            Json(|| json!({"body": "mine"})),
            [401, 404, 200, 409],
        ),
        case(
            "POST",
            "/api/v1/questions/{id}/skip",
            "/api/v1/questions/{question}/skip",
            None,
            [401, 404, 200, 409],
        ),
        case(
            "POST",
            "/api/v1/questions/{id}/reactions",
            "/api/v1/questions/{question}/reactions",
            Json(|| json!({"answer_id": "x", "kind": "heart"})),
            [401, 404, 404, 404],
        ),
        case(
            "POST",
            "/api/v1/questions/{id}/replies",
            "/api/v1/questions/{question}/replies",
            Json(|| json!({"body": "hi"})),
            [401, 404, 409, 409],
        ),
        case("GET", "/api/v1/decks", "/api/v1/decks", None, api),
        case(
            "POST",
            "/api/v1/decks/{slug}/ask",
            "/api/v1/decks/our-story/ask",
            None,
            [401, 409, 201, 201],
        ),
        case(
            "PUT",
            "/api/v1/decks/{slug}/choice",
            "/api/v1/decks/play/choice",
            Json(|| json!({"on": false})),
            [401, 200, 200, 200],
        ),
        case(
            "GET",
            "/api/v1/checkins/current",
            "/api/v1/checkins/current",
            None,
            [401, 409, 200, 200],
        ),
        case(
            "PUT",
            "/api/v1/checkins/schedule",
            "/api/v1/checkins/schedule",
            Json(|| json!({"rhythm": "monthly", "weekday": "saturday", "hour": 10})),
            [401, 409, 204, 204],
        ),
        case(
            "GET",
            "/api/v1/checkins/instruments",
            "/api/v1/checkins/instruments",
            None,
            api,
        ),
        case(
            "GET",
            "/api/v1/checkins/trends",
            "/api/v1/checkins/trends",
            None,
            api,
        ),
        case("GET", "/api/v1/checkins", "/api/v1/checkins", None, api),
        case(
            "POST",
            "/api/v1/checkins",
            "/api/v1/checkins",
            None,
            [401, 409, 409, 409],
        ),
        case(
            "GET",
            "/api/v1/checkins/{id}",
            "/api/v1/checkins/{checkin}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/checkins/{id}/submission",
            "/api/v1/checkins/{checkin}/submission",
            Json(checkin_json),
            [401, 404, 200, 409],
        ),
        case(
            "PUT",
            "/api/v1/checkins/{id}/loved",
            "/api/v1/checkins/{checkin}/loved",
            Json(|| json!({"body": "a walk together"})),
            [401, 404, 409, 409],
        ),
        // Action plan
        case("GET", "/plan", "/plan", None, page),
        case("GET", "/plan/new", "/plan/new?agreement=ag1", None, page),
        case(
            "POST",
            "/plan",
            "/plan",
            Form(&[
                ("title", "Walk"),
                ("owner", "me"),
                ("due_date", "2027-01-01"),
            ]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/plan/{id}/done",
            "/plan/{action}/done",
            None,
            [303, 404, 303, 303],
        ),
        case(
            "POST",
            "/plan/{id}/undo",
            "/plan/{action}/undo",
            None,
            [303, 404, 303, 303],
        ),
        case(
            "POST",
            "/plan/{id}/accept",
            "/plan/{action}/accept",
            None,
            [303, 404, 409, 409],
        ),
        case(
            "POST",
            "/plan/{id}/decline",
            "/plan/{action}/decline",
            None,
            [303, 404, 409, 409],
        ),
        case(
            "GET",
            "/settings/reminders",
            "/settings/reminders",
            None,
            page,
        ),
        case(
            "POST",
            "/settings/reminders",
            "/settings/reminders",
            Form(&[("kinds", "actions"), ("time", "08:00")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/calendar/new",
            "/settings/calendar/new",
            None,
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/calendar/revoke",
            "/settings/calendar/revoke",
            None,
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/calendar/titles",
            "/settings/calendar/titles",
            None,
            [303, 404, 404, 303],
        ),
        case("GET", "/calendar/{file}", "/calendar/{feed}.ics", None, all),
        case(
            "GET",
            "/calendar/{file}",
            "/calendar/cal_nothing.ics",
            None,
            [404, 404, 404, 404],
        ),
        case("GET", "/api/v1/plan", "/api/v1/plan", None, api),
        case(
            "POST",
            "/api/v1/plan",
            "/api/v1/plan",
            Json(|| json!({"title": "Walk", "owner": "me", "due_date": "2027-01-01"})),
            [401, 201, 201, 201],
        ),
        case(
            "GET",
            "/api/v1/plan/reminders",
            "/api/v1/plan/reminders",
            None,
            api,
        ),
        case(
            "PUT",
            "/api/v1/plan/reminders",
            "/api/v1/plan/reminders",
            Json(|| json!({"kinds": ["actions"], "time": "08:00"})),
            api,
        ),
        case(
            "POST",
            "/api/v1/plan/calendar",
            "/api/v1/plan/calendar",
            Json(|| json!({})),
            [401, 201, 201, 201],
        ),
        case(
            "DELETE",
            "/api/v1/plan/calendar",
            "/api/v1/plan/calendar",
            None,
            [401, 404, 404, 204],
        ),
        case(
            "GET",
            "/api/v1/plan/{id}",
            "/api/v1/plan/{action}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/plan/{id}/done",
            "/api/v1/plan/{action}/done",
            Json(|| json!({})),
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/plan/{id}/undo",
            "/api/v1/plan/{action}/undo",
            Json(|| json!({})),
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/plan/{id}/answer",
            "/api/v1/plan/{action}/answer",
            Json(|| json!({"accept": true})),
            [401, 404, 409, 409],
        ),
        case(
            "POST",
            "/api/v1/coach/analyze",
            "/api/v1/coach/analyze",
            Json(|| json!({"text": "I feel lonely"})),
            api,
        ),
        case(
            "POST",
            "/api/v1/coach/paraphrase",
            "/api/v1/coach/paraphrase",
            Json(|| json!({"text": "I feel lonely"})),
            api,
        ),
        // Talk room: `{talk}` is the owner's talk, started by the partner (arriving).
        case("GET", "/talks", "/talks", None, page),
        case(
            "POST",
            "/talks",
            "/talks",
            Form(talk_request_form()),
            [303, 409, 303, 303],
        ),
        case(
            "GET",
            "/talks/rules",
            "/talks/rules",
            None,
            [303, 409, 200, 200],
        ),
        case(
            "POST",
            "/talks/rules",
            "/talks/rules",
            Form(&[("rules", "One at a time"), ("min_time_out", "30")]),
            [303, 409, 303, 303],
        ),
        case(
            "POST",
            "/talks/rules/accept",
            "/talks/rules/accept",
            Form(&[("version", "0")]),
            [303, 409, 303, 303],
        ),
        case(
            "GET",
            "/talks/{id}",
            "/talks/{talk}",
            None,
            [303, 404, 200, 200],
        ),
        // The flooding check (issue 19): each person's own numbers and threshold.
        case(
            "POST",
            "/talks/calm-threshold",
            "/talks/calm-threshold",
            Form(&[("threshold", "7")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/talks/{id}/calm",
            "/talks/{talk}/calm",
            Form(&[("calm", "5")]),
            [303, 404, 303, 303],
        ),
        // One-line notes (issue 19): this talk is typed, so nobody writes one;
        // a note that is not the caller's is not found.
        case(
            "POST",
            "/talks/{id}/notes",
            "/talks/{talk}/notes",
            Form(&[("text", "x")]),
            [303, 404, 409, 409],
        ),
        case(
            "POST",
            "/talks/{id}/notes/{note}/share",
            "/talks/{talk}/notes/not-a-note/share",
            None,
            [303, 404, 404, 404],
        ),
        // Joining on one phone: this talk is typed, so nobody may.
        case(
            "POST",
            "/talks/{id}/join-here",
            "/talks/{talk}/join-here",
            Form(&[("password", "correct horse battery")]),
            [303, 404, 409, 409],
        ),
        case(
            "POST",
            "/talks/{id}/act",
            "/talks/{talk}/act",
            Form(&[("cmd", "end")]),
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/talks/{id}/reflection",
            "/talks/{talk}/reflection",
            Form(&[("understood", "x")]),
            [303, 404, 409, 409],
        ),
        case(
            "POST",
            "/talks/{id}/delete",
            "/talks/{talk}/delete",
            None,
            [303, 404, 303, 404],
        ),
        // Without an upgrade; a cookie without this site's Origin is refused before anything is read.
        case(
            "GET",
            "/talks/{id}/ws",
            "/talks/{talk}/ws",
            None,
            [401, 403, 403, 403],
        ),
        case("GET", "/api/v1/talks", "/api/v1/talks", None, api),
        case(
            "POST",
            "/api/v1/talks",
            "/api/v1/talks",
            Json(talk_request_json),
            [401, 409, 201, 201],
        ),
        case(
            "GET",
            "/api/v1/talks/rules",
            "/api/v1/talks/rules",
            None,
            [401, 409, 200, 200],
        ),
        case(
            "PUT",
            "/api/v1/talks/rules",
            "/api/v1/talks/rules",
            Json(|| json!({"rules": ["One at a time"]})),
            [401, 409, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/talks/rules/accept",
            "/api/v1/talks/rules/accept",
            Json(|| json!({"version": 0})),
            [401, 409, 200, 200],
        ),
        case(
            "GET",
            "/api/v1/talks/{id}",
            "/api/v1/talks/{talk}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "GET",
            "/api/v1/talks/calm-threshold",
            "/api/v1/talks/calm-threshold",
            None,
            api,
        ),
        case(
            "PUT",
            "/api/v1/talks/calm-threshold",
            "/api/v1/talks/calm-threshold",
            Json(|| json!({"threshold": 7})),
            api,
        ),
        case(
            "GET",
            "/api/v1/talks/{id}/calm",
            "/api/v1/talks/{talk}/calm",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/talks/{id}/calm",
            "/api/v1/talks/{talk}/calm",
            Json(|| json!({"value": 5})),
            [401, 404, 200, 200],
        ),
        case(
            "GET",
            "/api/v1/talks/{id}/notes",
            "/api/v1/talks/{talk}/notes",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/talks/{id}/notes",
            "/api/v1/talks/{talk}/notes",
            Json(|| json!({"text": "x"})),
            [401, 404, 409, 409],
        ),
        case(
            "POST",
            "/api/v1/talks/{id}/notes/{note}/share",
            "/api/v1/talks/{talk}/notes/not-a-note/share",
            None,
            [401, 404, 404, 404],
        ),
        case(
            "DELETE",
            "/api/v1/talks/{id}",
            "/api/v1/talks/{talk}",
            None,
            [401, 404, 204, 404],
        ),
        case(
            "POST",
            "/api/v1/talks/{id}/commands",
            "/api/v1/talks/{talk}/commands",
            Json(|| json!({"cmd": "end"})),
            [401, 404, 200, 409],
        ),
        case(
            "PUT",
            "/api/v1/talks/{id}/reflection",
            "/api/v1/talks/{talk}/reflection",
            Json(|| json!({"understood": "x"})),
            [401, 404, 409, 409],
        ),
    ];
    // Problem board
    cases.extend(board_cases());
    // Appreciations, the counselor hand-off, starting alone
    cases.extend(together_cases());
    cases.extend(notify_cases());
    cases
}

// Appreciations, the counselor hand-off and starting alone (issue 19 parts 3–5).
fn together_cases() -> Vec<Case> {
    use Body::*;
    let page = [303, 200, 200, 200];
    let api = [401, 200, 200, 200];
    let mine_page = [303, 404, 404, 303];
    let pair_only_page = [303, 409, 409, 409];
    let pair_only_api = [401, 409, 409, 409];
    vec![
        case("GET", "/appreciations", "/appreciations", None, page),
        case(
            "POST",
            "/appreciations",
            "/appreciations",
            Form(&[("body", "Thank you for the tea"), ("action", "draft")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/appreciations/prompt",
            "/appreciations/prompt",
            Form(&[("on", "1")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/appreciations/prompt/aside",
            "/appreciations/prompt/aside",
            None,
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/appreciations/{id}",
            "/appreciations/{appreciation}",
            Form(&[("body", "Thank you, edited"), ("action", "draft")]),
            mine_page,
        ),
        case(
            "POST",
            "/appreciations/{id}/keep",
            "/appreciations/{thanks}/keep",
            None,
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/appreciations/{id}/unkeep",
            "/appreciations/{thanks}/unkeep",
            None,
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/appreciations/{id}/delete",
            "/appreciations/{appreciation}/delete",
            None,
            mine_page,
        ),
        case(
            "GET",
            "/api/v1/appreciations",
            "/api/v1/appreciations",
            None,
            api,
        ),
        case(
            "POST",
            "/api/v1/appreciations",
            "/api/v1/appreciations",
            Json(|| json!({"body": "Thank you for the tea"})),
            [401, 201, 201, 201],
        ),
        case(
            "POST",
            "/api/v1/appreciations/coach",
            "/api/v1/appreciations/coach",
            Json(|| json!({"text": "Thanks for finally calling"})),
            api,
        ),
        case(
            "GET",
            "/api/v1/appreciations/prompt",
            "/api/v1/appreciations/prompt",
            None,
            api,
        ),
        case(
            "PUT",
            "/api/v1/appreciations/prompt",
            "/api/v1/appreciations/prompt",
            Json(|| json!({"on": true})),
            api,
        ),
        case(
            "GET",
            "/api/v1/appreciations/{id}",
            "/api/v1/appreciations/{appreciation}",
            None,
            [401, 404, 404, 200],
        ),
        case(
            "GET",
            "/api/v1/appreciations/{id}",
            "/api/v1/appreciations/{thanks}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "PATCH",
            "/api/v1/appreciations/{id}",
            "/api/v1/appreciations/{appreciation}",
            Json(|| json!({"body": "Thank you, edited"})),
            [401, 404, 404, 200],
        ),
        case(
            "DELETE",
            "/api/v1/appreciations/{id}",
            "/api/v1/appreciations/{appreciation}",
            None,
            [401, 404, 404, 204],
        ),
        case(
            "POST",
            "/api/v1/appreciations/{id}/send",
            "/api/v1/appreciations/{appreciation}/send",
            None,
            [401, 404, 404, 200],
        ),
        case(
            "PUT",
            "/api/v1/appreciations/{id}/kept",
            "/api/v1/appreciations/{thanks}/kept",
            Json(|| json!({"kept": true})),
            [401, 404, 200, 409],
        ),
        // Counselor hand-off: for the pair only; nothing is final in the fixture.
        case("GET", "/handoff", "/handoff", None, page),
        case(
            "POST",
            "/handoff/choose",
            "/handoff/choose",
            Form(&[("item", "topic:nothing"), ("chosen", "1")]),
            [303, 409, 422, 422],
        ),
        case(
            "POST",
            "/handoff/approve",
            "/handoff/approve",
            Form(&[("version", "1")]),
            pair_only_page,
        ),
        case("GET", "/handoff/print", "/handoff/print", None, page),
        case(
            "POST",
            "/handoff/links",
            "/handoff/links",
            Form(&[("days", "14")]),
            pair_only_page,
        ),
        case(
            "POST",
            "/handoff/links/{id}/revoke",
            "/handoff/links/nobody-s-link/revoke",
            None,
            [303, 409, 404, 404],
        ),
        case(
            "GET",
            "/handoff/s/{token}",
            "/handoff/s/not-a-real-token",
            None,
            [404, 404, 404, 404],
        ),
        case(
            "GET",
            "/api/v1/handoff",
            "/api/v1/handoff",
            None,
            [401, 409, 200, 200],
        ),
        case(
            "PUT",
            "/api/v1/handoff/items",
            "/api/v1/handoff/items",
            Json(|| json!({"item": "topic:nothing", "chosen": true})),
            [401, 409, 422, 422],
        ),
        case(
            "POST",
            "/api/v1/handoff/approve",
            "/api/v1/handoff/approve",
            Json(|| json!({"version": 1})),
            pair_only_api,
        ),
        case(
            "GET",
            "/api/v1/handoff/final",
            "/api/v1/handoff/final",
            None,
            pair_only_api,
        ),
        case(
            "POST",
            "/api/v1/handoff/links",
            "/api/v1/handoff/links",
            Json(|| json!({})),
            pair_only_api,
        ),
        case(
            "DELETE",
            "/api/v1/handoff/links/{id}",
            "/api/v1/handoff/links/nobody-s-link",
            None,
            [401, 409, 404, 404],
        ),
        // Starting alone: practice and the step guides, for anyone signed in.
        case("GET", "/practice", "/practice", None, page),
        case(
            "POST",
            "/practice",
            "/practice",
            Form(&[
                ("s", "0"),
                ("paraphrase", "It sounds like you felt hurt. Is that right?"),
            ]),
            page,
        ),
        case("GET", "/steps", "/steps", None, page),
    ]
}

// Notifications: the endpoint never resolves (.invalid), so nothing is sent.
fn push_subscription() -> Value {
    json!({
        "endpoint": "https://push.invalid/device",
        "keys": {
            "p256dh": "BLn9b-VR0ca83knDNZ32dCHGyjJp-1riX9ZTN40MqV8K_LpQmLqxC_DoHvqvFXO_nGdAB4W9dogZb_sM-uV4JbY",
            "auth": "_ordMnz7uTCmrpBTeUV4Bw"
        },
        "name": "Phone"
    })
}

fn notify_cases() -> Vec<Case> {
    use Body::*;
    let page = [303, 200, 200, 200];
    let api = [401, 200, 200, 200];
    vec![
        case(
            "GET",
            "/settings/notifications",
            "/settings/notifications",
            None,
            page,
        ),
        case(
            "POST",
            "/settings/notifications",
            "/settings/notifications",
            Form(&[("kinds", "question"), ("digest", "off")]),
            [303, 303, 303, 303],
        ),
        case(
            "POST",
            "/settings/notifications/devices/{id}/remove",
            "/settings/notifications/devices/nobody-s-device/remove",
            None,
            [303, 404, 404, 404],
        ),
        case("GET", "/api/v1/push/key", "/api/v1/push/key", None, api),
        case(
            "GET",
            "/api/v1/push/subscriptions",
            "/api/v1/push/subscriptions",
            None,
            api,
        ),
        case(
            "POST",
            "/api/v1/push/subscriptions",
            "/api/v1/push/subscriptions",
            Json(push_subscription),
            [401, 201, 201, 201],
        ),
        case(
            "DELETE",
            "/api/v1/push/subscriptions/{id}",
            "/api/v1/push/subscriptions/nobody-s-device",
            None,
            [401, 404, 404, 404],
        ),
        case(
            "GET",
            "/api/v1/notifications/settings",
            "/api/v1/notifications/settings",
            None,
            api,
        ),
        case(
            "PUT",
            "/api/v1/notifications/settings",
            "/api/v1/notifications/settings",
            Json(|| json!({"kinds": ["question"], "detail": false, "digest": "off"})),
            api,
        ),
    ]
}

// Talk room
fn talk_soon() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::days(2)
}

fn talk_request_form() -> &'static [(&'static str, &'static str)] {
    let when: &'static str = Box::leak(
        talk_soon()
            .format("%Y-%m-%dT19:30")
            .to_string()
            .into_boxed_str(),
    );
    Box::leak(Box::new([("topic", "A talk"), ("time1", when)]))
}

fn talk_request_json() -> Value {
    json!({"topic": "A talk", "times": [talk_soon().timestamp_millis()]})
}

#[test]
fn every_route_has_an_entry_in_the_table() {
    let table = cases();
    for spec in rekindle_web::route_specs() {
        assert!(
            table
                .iter()
                .any(|c| c.method == spec.method && c.pattern == spec.path),
            "{} {} has no entry in the authorization table",
            spec.method,
            spec.path
        );
    }
    for c in &table {
        assert!(
            rekindle_web::route_specs()
                .iter()
                .any(|s| s.method == c.method && s.path == c.pattern),
            "the table names {} {}, which the router does not serve",
            c.method,
            c.pattern
        );
    }
}

pub(crate) struct Fixture {
    pub(crate) app: TestApp,
    pub(crate) private: String,
    pub(crate) shared: String,
    pub(crate) token: String,
    pub(crate) invite: String,
    pub(crate) code: String,
    pub(crate) question: String,
    /// A check-in the owner has submitted to (with the sealed text, numbers kept private) and the partner has not.
    pub(crate) checkin: String,
    // Talk room
    pub(crate) talk: String,
    /// Problem board: on the agenda; the owner added the sealed idea and is done, the partner has not.
    pub(crate) problem: String,
    // Action plan: the owner's action (shared text in its title) and calendar feed token.
    pub(crate) action: String,
    pub(crate) feed: String,
    /// A working password reset link's secret (the outsider's).
    pub(crate) reset: String,
    // Appreciations: the owner's private draft (the private text) and one sent to the partner.
    pub(crate) appreciation: String,
    pub(crate) thanks: String,
    pub(crate) api: [Option<ApiPerson>; 4],
    pub(crate) html: [HtmlPerson; 4],
}

/// owner (Ana) and partner (Ben) share a space; the outsider has a space of their
/// own with an open invitation.
pub(crate) async fn fixture(backend: Backend) -> Fixture {
    let app = TestApp::spawn(backend).await;
    let (owner, partner) = couple(&app).await;
    let outsider = app.api_person("outsider@example.org", "Olly").await;
    let (_, p) = owner
        .send_json(
            Method::POST,
            "/api/v1/journal",
            json!({"body": PRIVATE_TEXT}),
        )
        .await;
    let (_, s) = owner
        .send_json(
            Method::POST,
            "/api/v1/journal",
            json!({"body": SHARED_TEXT}),
        )
        .await;
    let shared = s["id"].as_str().unwrap().to_owned();
    owner
        .send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{shared}"),
            json!({"visibility": "shared"}),
        )
        .await;
    let (_, t) = owner
        .send_json(Method::POST, "/api/v1/tokens", json!({"name": "spare"}))
        .await;
    outsider
        .send_json(Method::POST, "/api/v1/space", json!({}))
        .await;
    let (_, inv) = outsider
        .send_json(Method::POST, "/api/v1/space/invitations", json!({}))
        .await;
    let (s, q) = owner
        .send_json(Method::POST, "/api/v1/decks/our-story/ask", json!({}))
        .await;
    assert_eq!(s, 201, "{q}");
    let question = q["id"].as_str().unwrap().to_owned();
    let (s, _) = owner
        .send_json(
            Method::POST,
            &format!("/api/v1/questions/{question}/answer"),
            json!({"body": SEALED_TEXT}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, ck) = owner
        .send_json(Method::POST, "/api/v1/checkins", json!({}))
        .await;
    assert_eq!(s, 201, "{ck}");
    let checkin = ck["id"].as_str().unwrap().to_owned();
    let mut sub = checkin_json();
    sub["appreciation"] = json!(SEALED_TEXT);
    sub["keep_private"] = json!(true);
    let (s, v) = owner
        .send_json(
            Method::POST,
            &format!("/api/v1/checkins/{checkin}/submission"),
            sub,
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Talk room: the couple's shared topic must not reach anyone else.
    let (s, tk) = owner
        .send_json(
            Method::POST,
            "/api/v1/talks",
            json!({"topic": SHARED_TEXT, "times": [talk_soon().timestamp_millis()]}),
        )
        .await;
    assert_eq!(s, 201, "{tk}");
    let talk = tk["id"].as_str().unwrap().to_owned();
    let (s, v) = partner
        .send_json(
            Method::POST,
            &format!("/api/v1/talks/{talk}/commands"),
            json!({"cmd": "start_now"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    // Problem board
    let problem = board_fixture(&owner, &partner).await;
    // Action plan
    let (s, a) = owner
        .send_json(
            Method::POST,
            "/api/v1/plan",
            json!({"title": SHARED_TEXT, "owner": "me", "due_date": "2027-01-01", "notes": SHARED_TEXT}),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let (s, f) = owner
        .send_json(Method::POST, "/api/v1/plan/calendar", json!({}))
        .await;
    assert_eq!(s, 201, "{f}");
    let feed_url = f["url"].as_str().unwrap();
    let feed = feed_url[feed_url.find("/calendar/").unwrap() + 10..]
        .trim_end_matches(".ics")
        .to_owned();
    let reset =
        rekindle_web::new_reset_secret(&app.db.repo, "outsider@example.org", app.clock.now_ms())
            .await
            .unwrap()
            .unwrap();
    // Appreciations
    let (s, ap) = owner
        .send_json(
            Method::POST,
            "/api/v1/appreciations",
            json!({"body": PRIVATE_TEXT}),
        )
        .await;
    assert_eq!(s, 201, "{ap}");
    let (s, th) = owner
        .send_json(
            Method::POST,
            "/api/v1/appreciations",
            json!({"body": format!("Thank you {SHARED_TEXT}"), "send": true}),
        )
        .await;
    assert_eq!(s, 201, "{th}");
    let html = [
        app.html_visitor().await,
        app.html_person("outsider@example.org").await,
        app.html_person("ben@example.org").await,
        app.html_person("ana@example.org").await,
    ];
    Fixture {
        private: p["id"].as_str().unwrap().to_owned(),
        shared,
        token: t["id"].as_str().unwrap().to_owned(),
        invite: inv["id"].as_str().unwrap().to_owned(),
        code: inv["code"].as_str().unwrap().to_owned(),
        question,
        checkin,
        talk,
        problem,
        action: a["id"].as_str().unwrap().to_owned(),
        feed,
        reset,
        appreciation: ap["id"].as_str().unwrap().to_owned(),
        thanks: th["id"].as_str().unwrap().to_owned(),
        api: [None, Some(outsider), Some(partner), Some(owner)],
        html,
        app,
    }
}

impl Fixture {
    pub(crate) fn fill(&self, path: &str) -> String {
        path.replace("{private}", &self.private)
            .replace("{shared}", &self.shared)
            .replace("{token}", &self.token)
            .replace("{invite}", &self.invite)
            .replace("{code}", &self.code)
            .replace("{question}", &self.question)
            .replace("{checkin}", &self.checkin)
            .replace("{talk}", &self.talk)
            .replace("{problem}", &self.problem)
            .replace("{action}", &self.action)
            .replace("{feed}", &self.feed)
            .replace("{reset}", &self.reset)
            .replace("{appreciation}", &self.appreciation)
            .replace("{thanks}", &self.thanks)
    }

    async fn call(&self, c: &Case, role: usize) -> (u16, String) {
        let path = self.fill(c.path);
        let url = self.app.url(&path);
        let method = Method::from_bytes(c.method.as_bytes()).unwrap();
        let email = format!("new-{role}-{}@example.org", c.path.len());
        let is_api = path.starts_with("/api/");
        let req = if is_api {
            match &self.api[role] {
                Some(p) => p.req(method, &path),
                None => self.app.client().request(method, &url),
            }
        } else {
            self.html[role].client.request(method, &url)
        };
        let csrf = self.html[role].csrf.as_str();
        let req = match c.body {
            Body::None if is_api => req,
            Body::None => req.form(&[("_csrf", csrf)]),
            Body::Form(fields) => {
                let mut f = vec![("_csrf", csrf)];
                f.extend_from_slice(fields);
                req.form(&f)
            }
            Body::Json(make) => req.json(&make()),
            Body::SignupForm => req.form(&[
                ("_csrf", csrf),
                ("email", email.as_str()),
                ("display_name", "New"),
                ("password", "correct horse battery"),
            ]),
            Body::SignupJson => {
                req.json(&json!({"email": email, "display_name": "New", "password": "correct horse battery"}))
            }
        };
        let mut r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let stream = r
            .headers()
            .get("content-type")
            .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
        if !stream {
            return (status, r.text().await.unwrap_or_default());
        }
        // An event stream does not end: its first event is what a caller sees.
        let mut body = String::new();
        while !body.contains("\n\n") {
            match tokio::time::timeout(std::time::Duration::from_secs(5), r.chunk()).await {
                Ok(Ok(Some(bytes))) => body.push_str(&String::from_utf8_lossy(&bytes)),
                _ => break,
            }
        }
        (status, body)
    }
}

/// Calls one case as each role; what went wrong, if anything.
async fn check(f: &Fixture, c: &Case, backend: Backend) -> Vec<String> {
    let mut failures = Vec::new();
    for (role, expected) in c.expect.iter().enumerate() {
        let (status, body) = f.call(c, role).await;
        if status != *expected {
            failures.push(format!(
                "{backend:?} {} {} as {}: got {status}, expected {expected}",
                c.method, c.path, ROLES[role]
            ));
        }
        if ROLES[role] != "owner" && body.contains(PRIVATE_TEXT) {
            failures.push(format!(
                "{backend:?} {} {} as {}: the owner's private text leaked",
                c.method, c.path, ROLES[role]
            ));
        }
        let safety_trace = ["\"total\":14", "\"total\": 14"]
            .iter()
            .any(|m| body.contains(m));
        if ROLES[role] != "owner" && safety_trace {
            failures.push(format!(
                "{backend:?} {} {} as {}: the owner's safety check leaked",
                c.method, c.path, ROLES[role]
            ));
        }
        // The partner's own answer in this case opens the pair; before that, never.
        let partner_answered = (c.path.ends_with("/answer") || c.path.ends_with("/submission"))
            && ROLES[role] == "partner";
        if ROLES[role] != "owner" && !partner_answered && body.contains(SEALED_TEXT) {
            failures.push(format!(
                "{backend:?} {} {} as {}: a sealed answer leaked",
                c.method, c.path, ROLES[role]
            ));
        }
        if matches!(ROLES[role], "anonymous" | "outsider") && body.contains(SHARED_TEXT) {
            failures.push(format!(
                "{backend:?} {} {} as {}: the couple's shared text leaked",
                c.method, c.path, ROLES[role]
            ));
        }
    }
    failures
}

async fn walk(backend: Backend) {
    // A case that only reads shares one couple with the others that only read;
    // any other case gets a fresh one, so one role's change cannot colour the next.
    let reads = &fixture(backend).await;
    // Each writing case has its own couple on its own server, so a few cases run
    // at once (most of a case is waiting for the database); failures keep their order.
    let failures: Vec<String> = futures_util::stream::iter(cases())
        .map(|c| async move {
            let fresh;
            let f = if c.only_reads() {
                reads
            } else {
                fresh = fixture(backend).await;
                &fresh
            };
            check(f, &c, backend).await
        })
        .buffered(4)
        .concat()
        .await;
    assert!(
        failures.is_empty(),
        "authorization table mismatches:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn every_route_answers_each_role_as_the_table_says() {
    for b in backends() {
        walk(b).await;
    }
}

// Problem board ----------------------------------------------------------------------

fn board_cases() -> Vec<Case> {
    use Body::*;
    let page = [303, 200, 200, 200];
    let closed_page = [303, 404, 409, 409];
    let closed_api = [401, 409, 409, 409];
    vec![
        case("GET", "/board", "/board", None, page),
        case(
            "POST",
            "/board/problems",
            "/board/problems",
            Form(&[("title", "Money")]),
            [303, 409, 409, 409],
        ),
        case(
            "GET",
            "/board/{id}",
            "/board/{problem}",
            None,
            [303, 404, 200, 200],
        ),
        case(
            "POST",
            "/board/{id}/accept",
            "/board/{problem}/accept",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/talk-first",
            "/board/{problem}/talk-first",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/withdraw",
            "/board/{problem}/withdraw",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/options",
            "/board/{problem}/options",
            Form(&[("body", "an idea")]),
            [303, 404, 303, 409],
        ),
        case(
            "POST",
            "/board/{id}/done",
            "/board/{problem}/done",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/ratings",
            "/board/{problem}/ratings",
            Form(&[("rating_x", "5")]),
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/compromises",
            "/board/{problem}/compromises",
            Form(&[("body", "both")]),
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/agreement",
            "/board/{problem}/agreement",
            Form(&[("option_id", "x"), ("trial_days", "7")]),
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/agreement/confirm",
            "/board/{problem}/agreement/confirm",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/agreement/decline",
            "/board/{problem}/agreement/decline",
            None,
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/follow-up",
            "/board/{problem}/follow-up",
            Form(&[("worked", "yes")]),
            closed_page,
        ),
        case(
            "POST",
            "/board/{id}/decision",
            "/board/{problem}/decision",
            Form(&[("outcome", "keep")]),
            closed_page,
        ),
        case(
            "GET",
            "/help/counseling",
            "/help/counseling",
            None,
            [200, 200, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/board/coach",
            "/api/v1/board/coach",
            Json(|| json!({"text": "your nagging"})),
            [401, 200, 200, 200],
        ),
        case(
            "GET",
            "/api/v1/board",
            "/api/v1/board",
            None,
            [401, 409, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/board/problems",
            "/api/v1/board/problems",
            Json(|| json!({"title": "Money"})),
            closed_api,
        ),
        case(
            "GET",
            "/api/v1/board/problems/{id}",
            "/api/v1/board/problems/{problem}",
            None,
            [401, 404, 200, 200],
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/accept",
            "/api/v1/board/problems/{problem}/accept",
            None,
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/talk-first",
            "/api/v1/board/problems/{problem}/talk-first",
            None,
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/withdraw",
            "/api/v1/board/problems/{problem}/withdraw",
            None,
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/options",
            "/api/v1/board/problems/{problem}/options",
            Json(|| json!({"body": "an idea"})),
            [401, 409, 200, 409],
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/done",
            "/api/v1/board/problems/{problem}/done",
            None,
            closed_api,
        ),
        case(
            "PUT",
            "/api/v1/board/problems/{id}/ratings",
            "/api/v1/board/problems/{problem}/ratings",
            Json(|| json!({"ratings": {}})),
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/compromises",
            "/api/v1/board/problems/{problem}/compromises",
            Json(|| json!({"from": [], "body": "both"})),
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/agreement",
            "/api/v1/board/problems/{problem}/agreement",
            Json(|| json!({"option_id": "x", "trial_days": 7})),
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/agreement/confirm",
            "/api/v1/board/problems/{problem}/agreement/confirm",
            None,
            closed_api,
        ),
        case(
            "DELETE",
            "/api/v1/board/problems/{id}/agreement",
            "/api/v1/board/problems/{problem}/agreement",
            None,
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/follow-up",
            "/api/v1/board/problems/{problem}/follow-up",
            Json(|| json!({"worked": "yes"})),
            closed_api,
        ),
        case(
            "POST",
            "/api/v1/board/problems/{id}/decision",
            "/api/v1/board/problems/{problem}/decision",
            Json(|| json!({"outcome": "keep"})),
            closed_api,
        ),
    ]
}

/// The owner proposes a problem, the partner puts it on the agenda, the owner
/// adds the sealed idea and is done; the partner has added nothing yet.
async fn board_fixture(owner: &ApiPerson, partner: &ApiPerson) -> String {
    let (s, p) = owner
        .send_json(
            Method::POST,
            "/api/v1/board/problems",
            json!({"title": "Evenings"}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let id = p["id"].as_str().unwrap().to_owned();
    for (who, path, body) in [
        (partner, "accept", json!({})),
        (owner, "options", json!({"body": SEALED_TEXT})),
        (owner, "done", json!({})),
    ] {
        let (s, v) = who
            .send_json(
                Method::POST,
                &format!("/api/v1/board/problems/{id}/{path}"),
                body,
            )
            .await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    id
}

/// A rating of the owner's in any form a response could carry it.
fn shows_a_partner_rating(body: &str) -> bool {
    let after_digit = |marker: &str| {
        body.match_indices(marker).any(|(i, _)| {
            body[i + marker.len()..]
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
        })
    };
    after_digit("\"partner_rating\":")
        || after_digit("\"rating\":")
        || after_digit("\"my_rating\":")
        || body.contains("class=\"partner-rating\"")
}

/// With the brainstorm over and the owner's ratings in, no GET route (page, API
/// or export) shows the partner any rating before the partner has rated too.
#[tokio::test]
async fn a_partner_never_sees_a_rating_before_the_reveal_on_any_route() {
    for b in backends() {
        let f = fixture(b).await;
        let partner = f.api[2].as_ref().unwrap();
        let owner = f.api[3].as_ref().unwrap();
        let base = format!("/api/v1/board/problems/{}", f.problem);
        let (s, v) = partner
            .send_json(
                Method::POST,
                &format!("{base}/options"),
                json!({"body": "partner idea"}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let (s, v) = partner
            .send_json(Method::POST, &format!("{base}/done"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["stage"], "rating");
        let ratings: serde_json::Map<String, Value> = v["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["id"].as_str().unwrap().to_owned(), json!(7)))
            .collect();
        let (s, v) = owner
            .send_json(
                Method::PUT,
                &format!("{base}/ratings"),
                json!({"ratings": ratings}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
        let mut failures = Vec::new();
        for c in cases().iter().filter(|c| c.method == "GET") {
            let (status, body) = f.call(c, 2).await;
            if status == 200 && shows_a_partner_rating(&body) {
                failures.push(format!("{b:?} GET {}: the owner's rating leaked", c.path));
            }
        }
        let text = export_text(partner).await;
        assert!(
            !shows_a_partner_rating(&text),
            "{b:?}: a rating in the export"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Once the partner rated too, both see both (the check above is not vacuous).
        let (_, v) = partner
            .send_json(
                Method::PUT,
                &format!("{base}/ratings"),
                json!({"ratings": ratings}),
            )
            .await;
        assert!(shows_a_partner_rating(&v.to_string()), "{v}");
    }
}

/// Issue 19: the owner's private note in a talk held aloud reaches the partner
/// on no GET route (page, API, export), while the note the owner shared does.
#[tokio::test]
async fn a_private_talk_note_never_reaches_the_partner_on_any_route() {
    const PRIVATE: &str = "SENTINEL-PRIVATE-TALK-NOTE";
    const SHARED: &str = "SENTINEL-SHARED-TALK-NOTE";
    for b in backends() {
        let f = fixture(b).await;
        let partner = f.api[2].as_ref().unwrap();
        let owner = f.api[3].as_ref().unwrap();
        for (who, version) in [(owner, 0), (partner, 1)] {
            let (s, v) = who
                .send_json(
                    Method::POST,
                    "/api/v1/talks/rules/accept",
                    json!({"version": version}),
                )
                .await;
            assert_eq!(s, 200, "{v}");
        }
        let (s, t) = owner
            .send_json(
                Method::POST,
                "/api/v1/talks",
                json!({"topic": "Aloud", "times": [], "mode": "two_phones"}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        let talk = t["id"].as_str().unwrap().to_owned();
        for (who, cmd) in [(owner, "start_now"), (owner, "pledge"), (partner, "pledge")] {
            let (s, v) = who
                .send_json(
                    Method::POST,
                    &format!("/api/v1/talks/{talk}/commands"),
                    json!({"cmd": cmd}),
                )
                .await;
            assert_eq!(s, 200, "{cmd}: {v}");
        }
        let notes = format!("/api/v1/talks/{talk}/notes");
        for text in [PRIVATE, SHARED] {
            let (s, v) = owner
                .send_json(Method::POST, &notes, json!({"text": text}))
                .await;
            assert_eq!(s, 201, "{v}");
            if text == SHARED {
                let (s, v) = owner
                    .send_json(
                        Method::POST,
                        &format!("{notes}/{}/share", v["id"].as_str().unwrap()),
                        json!({}),
                    )
                    .await;
                assert_eq!(s, 200, "{v}");
            }
        }
        let mut failures = Vec::new();
        let mut seen = String::new();
        for c in cases().iter().filter(|c| c.method == "GET") {
            let (status, body) = f.call(c, 2).await;
            if body.contains(PRIVATE) {
                failures.push(format!(
                    "{b:?} GET {} ({status}): the private note leaked",
                    c.path
                ));
            }
            seen.push_str(&body);
        }
        // And the aloud talk's own routes, as page and API.
        for path in [
            format!("/talks/{talk}"),
            format!("/api/v1/talks/{talk}"),
            format!("/api/v1/talks/{talk}/notes"),
        ] {
            let body = if path.starts_with("/api/") {
                partner.get_json(&path).await.1.to_string()
            } else {
                let r = f.html[2].client.get(f.app.url(&path)).send().await.unwrap();
                r.text().await.unwrap()
            };
            if body.contains(PRIVATE) {
                failures.push(format!("{b:?} GET {path}: the private note leaked"));
            }
            seen.push_str(&body);
        }
        let text = export_text(partner).await;
        assert!(
            !text.contains(PRIVATE),
            "{b:?}: the private note in the export"
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // Not vacuous: the shared note did reach the partner, and the owner sees both.
        assert!(seen.contains(SHARED) && text.contains(SHARED), "{b:?}");
        let own = owner.get_json(&notes).await.1.to_string();
        assert!(own.contains(PRIVATE) && own.contains(SHARED), "{b:?}");
    }
}
