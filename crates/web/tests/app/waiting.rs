//! "Waiting for you" on both databases: what the partner did that needs me
//! appears on the API, the home page and the navigation's count; it goes away
//! when I act; it never carries what anybody wrote; it is empty while the space
//! is paused and once the partner has left; the live stream sends changes
//! within moments and ends when the sign-in stops holding.

use std::time::{Duration, Instant};

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

const SECRET: &str = "WAITING-SECRET-5e1d";

async fn waiting(p: &ApiPerson) -> Vec<(String, String)> {
    let (s, v) = p.get_json("/api/v1/waiting").await;
    assert_eq!(s, 200, "{v}");
    assert!(
        !v.to_string().contains(SECRET),
        "an item carries what was written: {v}"
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(v["count"].as_u64().unwrap() as usize, items.len());
    items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["href"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn kinds(items: &[(String, String)]) -> Vec<&str> {
    let mut k: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
    k.sort_unstable();
    k
}

async fn ok(p: &ApiPerson, method: Method, path: &str, body: Value) -> Value {
    let (s, v) = p.send_json(method, path, body).await;
    assert!((200..300).contains(&s), "{path}: {s} {v}");
    v
}

#[tokio::test]
async fn what_the_partner_did_waits_for_me_until_i_act_and_never_shows_content() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        assert!(waiting(&ana).await.is_empty() && waiting(&ben).await.is_empty());

        // Ana answers a question: it waits for Ben, not for Ana.
        let q = ok(&ana, Method::POST, "/api/v1/decks/our-story/ask", json!({})).await;
        let qid = q["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            json!({"body": SECRET}),
        )
        .await;
        assert_eq!(
            waiting(&ben).await,
            [("question".to_owned(), format!("/questions/{qid}"))],
            "{b:?}"
        );
        assert!(waiting(&ana).await.is_empty());

        // Ana shares a journal entry, puts a problem on the board, plans an
        // action for Ben and asks for a talk.
        let e = ok(
            &ana,
            Method::POST,
            "/api/v1/journal",
            json!({"body": SECRET}),
        )
        .await;
        let eid = e["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::PATCH,
            &format!("/api/v1/journal/{eid}"),
            json!({"visibility": "shared"}),
        )
        .await;
        let problem = ok(
            &ana,
            Method::POST,
            "/api/v1/board/problems",
            json!({"title": SECRET}),
        )
        .await;
        let pid = problem["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::POST,
            "/api/v1/plan",
            json!({"title": SECRET, "owner": "partner", "due_date": "2030-03-29"}),
        )
        .await;
        let in_an_hour = chrono::Utc::now().timestamp_millis() + 3_600_000;
        let t = ok(
            &ana,
            Method::POST,
            "/api/v1/talks",
            json!({"topic": SECRET, "times": [in_an_hour], "length_min": 30}),
        )
        .await;
        let tid = t["id"].as_str().unwrap().to_owned();
        let ben_items = waiting(&ben).await;
        assert_eq!(
            kinds(&ben_items),
            [
                "action",
                "problem_proposed",
                "question",
                "shared_entry",
                "talk_request"
            ],
            "{b:?}: {ben_items:?}"
        );
        assert!(
            waiting(&ana).await.is_empty(),
            "nothing waits for the one who acted"
        );

        // The count on the navigation is the same number, on every page.
        let ben_html = app.html_person("ben@example.org").await;
        for path in ["/", "/journal", "/plan"] {
            let (_, html) = ben_html.get(path).await;
            assert!(
                html.contains("id=\"waiting-count\"") && html.contains(">5<"),
                "{path} shows the count"
            );
        }
        let (_, home) = ben_html.get("/").await;
        let start = home
            .find("data-waiting-list")
            .expect("the list is on the home page");
        let list = &home[start..start + home[start..].find("</section>").unwrap()];
        assert!(list.contains("Waiting for you") && list.contains("Ana answered a question"));
        assert!(
            !list.contains(SECRET),
            "the list carries what was written: {list}"
        );

        // Ben acts on each: every item goes away.
        ok(
            &ben,
            Method::POST,
            &format!("/api/v1/questions/{qid}/answer"),
            json!({"body": "mine"}),
        )
        .await;
        ben.get_json(&format!("/api/v1/journal/{eid}")).await;
        let plan = ben.get_json("/api/v1/plan").await.1;
        let aid = plan[0]["id"].as_str().unwrap().to_owned();
        ok(
            &ben,
            Method::POST,
            &format!("/api/v1/plan/{aid}/answer"),
            json!({"accept": true}),
        )
        .await;
        ok(
            &ben,
            Method::POST,
            &format!("/api/v1/board/problems/{pid}/accept"),
            json!({}),
        )
        .await;
        ok(
            &ben,
            Method::POST,
            &format!("/api/v1/talks/{tid}/commands"),
            json!({"cmd": "accept", "at": in_an_hour}),
        )
        .await;
        assert!(
            waiting(&ben).await.is_empty(),
            "{b:?}: {:?}",
            waiting(&ben).await
        );
        let (_, html) = ben_html.get("/").await;
        assert!(
            html.contains("aria-label=\"0 waiting\" hidden"),
            "the badge hides at 0"
        );
    }
}

#[tokio::test]
async fn a_pause_hides_everything_and_a_partner_who_left_names_nothing() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let e = ok(
            &ana,
            Method::POST,
            "/api/v1/journal",
            json!({"body": SECRET}),
        )
        .await;
        let eid = e["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::PATCH,
            &format!("/api/v1/journal/{eid}"),
            json!({"visibility": "shared"}),
        )
        .await;
        assert_eq!(waiting(&ben).await.len(), 1);
        ok(&ben, Method::POST, "/api/v1/space/pause", json!({})).await;
        assert!(
            waiting(&ben).await.is_empty(),
            "{b:?}: nothing while paused"
        );
        ok(&ben, Method::DELETE, "/api/v1/space/pause", json!({})).await;
        assert_eq!(waiting(&ben).await.len(), 1);
        ok(&ana, Method::DELETE, "/api/v1/space", json!({})).await;
        assert!(waiting(&ben).await.is_empty(), "{b:?}: the partner left");
    }
}

#[tokio::test]
async fn a_check_in_and_a_talk_arrival_wait_for_the_other() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let c = ok(&ana, Method::POST, "/api/v1/checkins", json!({})).await;
        let cid = c["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::POST,
            &format!("/api/v1/checkins/{cid}/submission"),
            json!({"csi": [4, 4, 4, 4], "technoference": [1, 1, 1, 1], "hours_together": 10,
                   "hours_device_free": 3, "appreciation": SECRET, "went_well": SECRET,
                   "topic": SECRET, "keep_private": false}),
        )
        .await;
        assert_eq!(
            waiting(&ben).await,
            [("checkin".to_owned(), format!("/checkins/{cid}"))]
        );
        // The talk: rules agreed, Ana asks to talk now and arrives.
        ok(
            &ana,
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 0}),
        )
        .await;
        ok(
            &ben,
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 1}),
        )
        .await;
        let t = ok(
            &ben,
            Method::POST,
            "/api/v1/talks",
            json!({"topic": "x", "times": [chrono::Utc::now().timestamp_millis() + 3_600_000]}),
        )
        .await;
        let tid = t["id"].as_str().unwrap().to_owned();
        // Starting now brings Ana into the room.
        ok(
            &ana,
            Method::POST,
            &format!("/api/v1/talks/{tid}/commands"),
            json!({"cmd": "start_now"}),
        )
        .await;
        let kinds_now = kinds(&waiting(&ben).await).join(",");
        assert_eq!(kinds_now, "checkin,talk_arrived", "{b:?}");
        ok(
            &ben,
            Method::POST,
            &format!("/api/v1/talks/{tid}/commands"),
            json!({"cmd": "arrive"}),
        )
        .await;
        assert_eq!(kinds(&waiting(&ben).await), ["checkin"]);
    }
}

/// Reads server-sent events from a response until `want` says stop or the
/// stream ends; returns every `waiting` payload seen and whether it ended.
struct Events {
    resp: reqwest::Response,
    buf: String,
}

impl Events {
    async fn open(p: &ApiPerson) -> Events {
        Events::from(p.req(Method::GET, "/api/v1/waiting/events")).await
    }

    async fn from(req: reqwest::RequestBuilder) -> Events {
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Events {
            resp,
            buf: String::new(),
        }
    }

    /// The next `waiting` event's count, or None when the stream ended.
    async fn next_count(&mut self, within: Duration) -> Option<u64> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let event: String = self.buf.drain(..end + 2).collect();
                if let Some(data) = event
                    .lines()
                    .find_map(|l| l.strip_prefix("data: ").or(l.strip_prefix("data:")))
                {
                    let v: Value = serde_json::from_str(data).unwrap();
                    assert!(!data.contains(SECRET));
                    return Some(v["count"].as_u64().unwrap());
                }
                continue;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match tokio::time::timeout(left, self.resp.chunk()).await {
                Ok(Ok(Some(bytes))) => self.buf.push_str(&String::from_utf8_lossy(&bytes)),
                Ok(Ok(None)) | Ok(Err(_)) => return None,
                Err(_) => panic!("no event within {within:?}"),
            }
        }
    }
}

#[tokio::test]
async fn the_live_stream_updates_within_moments_and_ends_with_the_sign_in() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let mut events = Events::open(&ben).await;
        assert_eq!(events.next_count(Duration::from_secs(2)).await, Some(0));
        let started = Instant::now();
        let e = ok(
            &ana,
            Method::POST,
            "/api/v1/journal",
            json!({"body": SECRET}),
        )
        .await;
        let eid = e["id"].as_str().unwrap().to_owned();
        ok(
            &ana,
            Method::PATCH,
            &format!("/api/v1/journal/{eid}"),
            json!({"visibility": "shared"}),
        )
        .await;
        assert_eq!(events.next_count(Duration::from_secs(2)).await, Some(1));
        println!(
            "{b:?}: live update {} ms after the partner acted",
            started.elapsed().as_millis()
        );
        // Opening it clears it for Ben's other screens too.
        ben.get_json(&format!("/api/v1/journal/{eid}")).await;
        assert_eq!(events.next_count(Duration::from_secs(2)).await, Some(0));

        // Revoking the token the stream was opened with ends it.
        let (_, tokens) = ben.get_json("/api/v1/tokens").await;
        let tok = tokens[0]["id"].as_str().unwrap().to_owned();
        let (s, _) = ben
            .send_json(Method::DELETE, &format!("/api/v1/tokens/{tok}"), json!({}))
            .await;
        assert_eq!(s, 204);
        assert_eq!(events.next_count(Duration::from_secs(2)).await, None);
        let (s, _) = ben.get_json("/api/v1/waiting").await;
        assert_eq!(s, 401);
    }
}

#[tokio::test]
async fn a_browsers_stream_ends_on_sign_out_password_change_and_leaving() {
    let second = Duration::from_secs(2);
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (_ana, _ben) = couple(&app).await;
        let events = |web: &rekindle_testkit::HtmlPerson| {
            Events::from(web.client.get(app.url("/api/v1/waiting/events")))
        };
        // Signing out of this browser.
        let web = app.html_person("ben@example.org").await;
        let mut stream = events(&web).await;
        assert_eq!(stream.next_count(second).await, Some(0));
        let (s, _, _) = web.post("/signout", &[]).await;
        assert_eq!(s, 303);
        assert_eq!(stream.next_count(second).await, None, "{b:?}: sign-out");

        // A password change on another device signs this one out.
        let web = app.html_person("ben@example.org").await;
        let other = app.html_person("ben@example.org").await;
        let mut stream = events(&web).await;
        assert_eq!(stream.next_count(second).await, Some(0));
        let (s, _, _) = other
            .post(
                "/settings/password",
                &[
                    ("current_password", "correct horse battery"),
                    ("new_password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(stream.next_count(second).await, None, "{b:?}: password");

        // Leaving the space (from the browser that changed the password: the
        // change removed Ben's personal tokens).
        let mut stream = events(&other).await;
        assert_eq!(stream.next_count(second).await, Some(0));
        let (s, _, _) = other.post("/space/leave", &[]).await;
        assert_eq!(s, 303);
        assert_eq!(stream.next_count(second).await, None, "{b:?}: leaving");
    }
}

#[tokio::test]
async fn the_stream_and_the_list_need_a_sign_in() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        for path in ["/api/v1/waiting", "/api/v1/waiting/events"] {
            let r = app.client().get(app.url(path)).send().await.unwrap();
            assert_eq!(r.status(), 401, "{path}");
            assert_eq!(
                r.headers()["content-type"].to_str().unwrap(),
                "application/problem+json"
            );
        }
    }
}

fn option_of(problem: &Value, body: &str) -> String {
    problem["options"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["body"] == body)
        .unwrap_or_else(|| panic!("no option {body} in {problem}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn each_step_of_the_board_waits_for_the_one_who_has_not_done_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        let p = ok(
            &ana,
            Method::POST,
            "/api/v1/board/problems",
            json!({"title": "Dishes"}),
        )
        .await;
        let id = p["id"].as_str().unwrap().to_owned();
        let base = format!("/api/v1/board/problems/{id}");
        assert_eq!(kinds(&waiting(&ben).await), ["problem_proposed"]);
        ok(&ben, Method::POST, &format!("{base}/accept"), json!({})).await;
        assert!(waiting(&ben).await.is_empty() && waiting(&ana).await.is_empty());

        // Ideas: Ana is done first, so the ideas wait for Ben.
        ok(
            &ana,
            Method::POST,
            &format!("{base}/options"),
            json!({"body": "Ana's idea"}),
        )
        .await;
        ok(&ana, Method::POST, &format!("{base}/done"), json!({})).await;
        assert_eq!(kinds(&waiting(&ben).await), ["ideas"], "{b:?}");
        ok(
            &ben,
            Method::POST,
            &format!("{base}/options"),
            json!({"body": "Ben's idea"}),
        )
        .await;
        ok(&ben, Method::POST, &format!("{base}/done"), json!({})).await;
        assert!(waiting(&ben).await.is_empty());

        // Ratings: Ana rates every idea; Ben's ratings are missing.
        let all = ok(&ana, Method::GET, &base, Value::Null).await;
        let ratings = json!({"ratings": {
            option_of(&all, "Ana's idea"): 8,
            option_of(&all, "Ben's idea"): 6,
        }});
        ok(
            &ana,
            Method::PUT,
            &format!("{base}/ratings"),
            ratings.clone(),
        )
        .await;
        assert_eq!(kinds(&waiting(&ben).await), ["ratings"], "{b:?}");
        ok(&ben, Method::PUT, &format!("{base}/ratings"), ratings).await;
        assert!(waiting(&ben).await.is_empty());

        // An agreement awaits Ben's yes.
        ok(
            &ana,
            Method::POST,
            &format!("{base}/agreement"),
            json!({"option_id": option_of(&all, "Ana's idea"), "trial_days": 7}),
        )
        .await;
        assert_eq!(kinds(&waiting(&ben).await), ["agreement"]);
        assert!(waiting(&ana).await.is_empty());
        ok(
            &ben,
            Method::POST,
            &format!("{base}/agreement/confirm"),
            json!({}),
        )
        .await;
        assert!(waiting(&ben).await.is_empty());

        // After the trial, Ana says how it went: Ben's view is missing.
        app.clock.advance(Duration::from_secs(8 * 24 * 3600));
        ok(
            &ana,
            Method::POST,
            &format!("{base}/follow-up"),
            json!({"worked": "partly"}),
        )
        .await;
        assert_eq!(kinds(&waiting(&ben).await), ["follow_up"], "{b:?}");
        ok(
            &ben,
            Method::POST,
            &format!("{base}/follow-up"),
            json!({"worked": "yes"}),
        )
        .await;
        assert!(waiting(&ben).await.is_empty() && waiting(&ana).await.is_empty());
    }
}

#[tokio::test]
async fn a_shared_reflection_waits_until_the_talk_is_opened() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        ok(
            &ana,
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 0}),
        )
        .await;
        ok(
            &ben,
            Method::POST,
            "/api/v1/talks/rules/accept",
            json!({"version": 1}),
        )
        .await;
        let soon = chrono::Utc::now().timestamp_millis() + 3_600_000;
        let t = ok(
            &ben,
            Method::POST,
            "/api/v1/talks",
            json!({"topic": "x", "times": [soon]}),
        )
        .await;
        let tid = t["id"].as_str().unwrap().to_owned();
        let cmd = |who: &'static str, body: Value| {
            let p = if who == "ana" { &ana } else { &ben };
            let path = format!("/api/v1/talks/{tid}/commands");
            async move { ok(p, Method::POST, &path, body).await }
        };
        cmd("ana", json!({"cmd": "start_now"})).await;
        cmd("ben", json!({"cmd": "arrive"})).await;
        cmd("ben", json!({"cmd": "end"})).await;
        let path = format!("/api/v1/talks/{tid}/reflection");
        ok(
            &ana,
            Method::PUT,
            &path,
            json!({"understood": SECRET, "feel_now": "calm"}),
        )
        .await;
        assert!(
            waiting(&ben).await.is_empty(),
            "a private reflection waits for nobody"
        );
        ok(
            &ana,
            Method::PUT,
            &path,
            json!({"understood": SECRET, "feel_now": "calm", "shared": true}),
        )
        .await;
        assert_eq!(
            waiting(&ben).await,
            [("shared_reflection".to_owned(), format!("/talks/{tid}"))]
        );
        let ben_web = app.html_person("ben@example.org").await;
        let (s, _) = ben_web.get(&format!("/talks/{tid}")).await;
        assert_eq!(s, 200);
        assert!(waiting(&ben).await.is_empty(), "{b:?}: opened");
    }
}
