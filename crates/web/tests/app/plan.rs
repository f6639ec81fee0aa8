//! The action plan, email reminders (against a real SMTP server on loopback) and
//! the calendar feed (read back with an independent iCalendar parser), on
//! SQLite and PostgreSQL.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rekindle_testkit::smtp::SmtpSink;
use rekindle_testkit::{ApiPerson, TestApp, backends, couple, test_config};
use rekindle_web::reminders::SmtpSettings;
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::metric;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn in_berlin(p: &ApiPerson) {
    let (s, v) = p
        .send_json(
            Method::PATCH,
            "/api/v1/me",
            json!({"time_zone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

async fn add(p: &ApiPerson, body: Value) -> Value {
    let (s, v) = p.send_json(Method::POST, "/api/v1/plan", body).await;
    assert_eq!(s, 201, "{v}");
    v
}

#[tokio::test]
async fn actions_recur_wait_for_acceptance_and_keep_their_done_history() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        in_berlin(&ana).await;
        app.clock.set(at("2027-03-29T10:00:00Z")); // a Monday
        // Assigning to the partner waits for their yes.
        let p = add(
            &ana,
            json!({"title": "Cook on Mondays", "owner": "partner", "due_date": "2027-03-29",
                   "rrule": "FREQ=WEEKLY;BYDAY=MO"}),
        )
        .await;
        assert_eq!(p["assignment"], "proposed", "{b:?}");
        let id = p["id"].as_str().unwrap();
        let (s, _) = ana
            .send_json(Method::POST, &format!("/api/v1/plan/{id}/done"), json!({}))
            .await;
        assert_eq!(s, 409, "not on the plan before the yes");
        let (s, _) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{id}/answer"),
                json!({"accept": true}),
            )
            .await;
        assert_eq!(s, 409, "the proposer cannot answer");
        let (_, list) = ben.get_json("/api/v1/plan").await;
        assert_eq!(list[0]["awaiting_me"], true);
        assert_eq!(list[0]["owner"], "me", "from Ben's side it is his");
        let (s, v) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{id}/answer"),
                json!({"accept": true}),
            )
            .await;
        assert_eq!((s, v["assignment"].as_str()), (200, Some("accepted")));
        // A daily action for both, across the DST change in Berlin (28 March 2027).
        let d = add(
            &ana,
            json!({"title": "Ten minutes, phones away", "owner": "both", "due_date": "2027-03-27", "rrule": "FREQ=DAILY"}),
        )
        .await;
        let did = d["id"].as_str().unwrap().to_owned();
        assert_eq!(d["assignment"], "proposed");
        ben.send_json(
            Method::POST,
            &format!("/api/v1/plan/{did}/answer"),
            json!({"accept": true}),
        )
        .await;
        let (_, v) = ana.get_json(&format!("/api/v1/plan/{did}")).await;
        let open: Vec<(&str, &str)> = v["open"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["date"].as_str().unwrap(), o["standing"].as_str().unwrap()))
            .collect();
        assert_eq!(
            open,
            vec![
                ("2027-03-27", "still_open"),
                ("2027-03-28", "still_open"),
                ("2027-03-29", "today"),
                ("2027-03-30", "upcoming")
            ]
        );
        // Done today by Ana, undone by Ben, done again for Sunday: history keeps it all.
        let (s, v) = ana
            .send_json(Method::POST, &format!("/api/v1/plan/{did}/done"), json!({}))
            .await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["done"], json!(["2027-03-29"]));
        let (_, v) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{did}/undo"),
                json!({"date": "2027-03-29"}),
            )
            .await;
        assert_eq!(v["done"], json!([]));
        let (_, v) = ben
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{did}/done"),
                json!({"date": "2027-03-28"}),
            )
            .await;
        assert_eq!(v["done"], json!(["2027-03-28"]));
        let (_, v) = ana.get_json(&format!("/api/v1/plan/{did}")).await;
        let events = v["events"].as_array().unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(events[0]["by_me"], true);
        assert_eq!(events[1]["done"], false);
        // Not one of its dates / bad input: clear errors.
        let (s, _) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{id}/done"),
                json!({"date": "2027-03-30"}),
            )
            .await;
        assert_eq!(s, 422);
        for bad in [
            json!({"title": "", "owner": "me", "due_date": "2027-03-29"}),
            json!({"title": "x", "owner": "everyone", "due_date": "2027-03-29"}),
            json!({"title": "x", "owner": "me", "due_date": "29/03/2027"}),
            json!({"title": "x", "owner": "me", "due_date": "2027-03-29", "rrule": "FREQ=YEARLY"}),
        ] {
            let (s, v) = ana.send_json(Method::POST, "/api/v1/plan", bad).await;
            assert_eq!(s, 422, "{v}");
        }
        // An outsider sees nothing of it.
        let olly = app.api_person("olly@example.org", "Olly").await;
        let (s, _) = olly.get_json(&format!("/api/v1/plan/{did}")).await;
        assert_eq!(s, 404);
    }
}

fn smtp_config(sink: &SmtpSink) -> rekindle_web::Config {
    rekindle_web::Config {
        smtp: Some(SmtpSettings {
            url: sink.url(),
            from: "Rekindle <rekindle@example.org>".into(),
            username: None,
            password: None,
        }),
        reminder_interval: Duration::from_millis(100),
        public_url: Some("http://rekindle.test".into()),
        // These tests count reminder mails; sign-up confirmation has its own.
        confirm_signups: false,
        ..test_config()
    }
}

/// Chooses reminder kinds at 08:00 local; the answer.
async fn remind(p: &ApiPerson, kinds: &[&str]) -> Value {
    let (s, v) = p
        .send_json(
            Method::PUT,
            "/api/v1/plan/reminders",
            json!({"kinds": kinds, "time": "08:00"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Asks for a talk at one proposed time; its id.
async fn ask_for_talk(p: &ApiPerson, topic: &str, when: i64) -> String {
    let (s, talk) = p
        .send_json(
            Method::POST,
            "/api/v1/talks",
            json!({"topic": topic, "times": [when]}),
        )
        .await;
    assert_eq!(s, 201, "{talk}");
    talk["id"].as_str().unwrap().to_owned()
}

async fn accept_talk(p: &ApiPerson, id: &str, when: i64) {
    let (s, v) = p
        .send_json(
            Method::POST,
            &format!("/api/v1/talks/{id}/commands"),
            json!({"cmd": "accept", "at": when}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

const SECRET_TITLE: &str = "Apologise-for-Tuesday-7f3a";

#[tokio::test]
async fn a_talk_reminder_comes_on_the_day_of_an_agreed_talk_only() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(b, smtp_config(&sink)).await;
        let (ana, ben) = couple(&app).await;
        app.clock.set(at("2027-03-01T09:00:00Z"));
        remind(&ben, &["talks"]).await;
        let when = at("2027-03-03T18:30:00Z").timestamp_millis();
        let id = ask_for_talk(&ana, SECRET_TITLE, when).await;
        // Asked for but not agreed: no reminder, even on that day.
        app.clock.set(at("2027-03-03T08:00:05Z"));
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(sink.mails().is_empty(), "{b:?}: a talk only asked for");
        accept_talk(&ben, &id, when).await;
        let mails = sink.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(mails.len(), 1, "{b:?}");
        assert_eq!(mails[0].to, vec!["ben@example.org".to_owned()]);
        assert!(mails[0].data.contains("http://rekindle.test/talks"));
        assert!(
            !mails[0].data.contains(SECRET_TITLE),
            "the topic must never be in the mail"
        );
        // The next day there is no talk: nothing more.
        app.clock.set(at("2027-03-04T08:00:05Z"));
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(sink.mails().len(), 1, "{b:?}");
    }
}

#[tokio::test]
async fn a_reminder_arrives_once_at_the_local_time_and_says_nothing_intimate() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        let app = TestApp::spawn_with(b, smtp_config(&sink)).await;
        let (ana, ben) = couple(&app).await;
        in_berlin(&ana).await;
        // Sunday 28 March 2027, the day Berlin moves to summer time; 07:00 local.
        app.clock.set(at("2027-03-28T05:00:00Z"));
        add(
            &ana,
            json!({"title": SECRET_TITLE, "owner": "me", "due_date": "2027-03-28", "notes": SECRET_TITLE}),
        )
        .await;
        let v = remind(&ana, &["actions"]).await;
        assert_eq!(v["email_available"], true);
        // Ben chose nothing: he gets nothing.
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert!(sink.mails().is_empty(), "{b:?}: nothing before 08:00 local");
        // 07:59:50 CEST is still early; 08:00 CEST is 06:00 UTC on this day.
        app.clock.set(at("2027-03-28T05:59:50Z"));
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(sink.mails().is_empty(), "{b:?}: still early");
        app.clock.set(at("2027-03-28T06:00:05Z"));
        let mails = sink.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(mails.len(), 1, "{b:?}");
        let m = &mails[0];
        assert_eq!(m.to, vec!["ana@example.org".to_owned()]);
        assert!(
            m.data
                .contains("You have something planned in Rekindle today"),
            "{}",
            m.data
        );
        assert!(m.data.contains("http://rekindle.test/plan"));
        assert!(
            !m.data.contains(SECRET_TITLE),
            "the title must never be in the mail"
        );
        // Later the same day, and with more ticks: still one.
        app.clock.set(at("2027-03-28T15:00:00Z"));
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(sink.mails().len(), 1, "{b:?}: sent once");
        // The next day nothing is due (a one-off), so nothing more.
        app.clock.set(at("2027-03-29T07:00:00Z"));
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(sink.mails().len(), 1);
        // Turning reminders off is one call.
        let (s, _) = ana
            .send_json(
                Method::PUT,
                "/api/v1/plan/reminders",
                json!({"kinds": [], "time": "08:00"}),
            )
            .await;
        assert_eq!(s, 200);
        let (_, v) = ben.get_json("/api/v1/plan/reminders").await;
        assert_eq!(v["kinds"], json!([]));
    }
}

#[tokio::test]
async fn a_failed_send_is_retried_with_backoff_and_counted() {
    for b in backends() {
        let sink = SmtpSink::start().await;
        sink.refuse_next(1);
        let app = TestApp::spawn_with(b, smtp_config(&sink)).await;
        // The recorder is shared by every test in this process: count the change.
        let before = app.metrics_text().await;
        let (ana, _ben) = couple(&app).await;
        app.clock.set(at("2027-06-01T06:00:00Z"));
        add(
            &ana,
            json!({"title": SECRET_TITLE, "owner": "me", "due_date": "2027-06-01"}),
        )
        .await;
        ana.send_json(
            Method::PUT,
            "/api/v1/plan/reminders",
            json!({"kinds": ["actions"], "time": "07:00"}),
        )
        .await;
        app.clock.set(at("2027-06-01T07:00:10Z"));
        for _ in 0..100 {
            if sink.refused() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sink.refused(), 1, "{b:?}");
        // Backoff: not again within the first minute.
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(sink.mails().is_empty(), "{b:?}: waits before retrying");
        app.clock.advance(Duration::from_secs(65));
        let mails = sink.wait_for(1, Duration::from_secs(10)).await;
        assert_eq!(mails.len(), 1, "{b:?}: retried");
        // The sender counts a mail after the server took it: allow it a moment.
        let counters = [
            "rekindle_reminder_send_failures_total",
            "rekindle_reminders_sent_total",
        ];
        let went_up = |now: &str| {
            counters
                .iter()
                .all(|c| metric(now, c, &[]) > metric(&before, c, &[]))
        };
        let mut metrics = app.metrics_text().await;
        for _ in 0..50 {
            if went_up(&metrics) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            metrics = app.metrics_text().await;
        }
        assert!(
            metrics.contains("rekindle_reminder_send_failures_total"),
            "{metrics}"
        );
        assert!(metrics.contains("rekindle_reminders_sent_total"));
        assert!(went_up(&metrics), "{b:?}: both counters went up: {metrics}");
    }
}

struct Ev {
    summary: String,
    rrule: Option<String>,
    dtstart: String,
}

/// Reads a feed with the `ical` crate, an independent parser.
fn parse_feed(text: &str) -> Vec<Ev> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()));
    let mut out = Vec::new();
    for cal in reader {
        let cal = cal.expect("a valid calendar");
        for e in cal.events {
            let prop = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
            };
            assert!(prop("UID").is_some() && prop("DTSTAMP").is_some());
            out.push(Ev {
                summary: prop("SUMMARY").unwrap_or_default(),
                rrule: prop("RRULE"),
                dtstart: prop("DTSTART").unwrap_or_default(),
            });
        }
    }
    out
}

async fn feed_of(app: &TestApp, p: &ApiPerson, detailed: bool) -> (String, String) {
    let (s, v) = p
        .send_json(
            Method::POST,
            "/api/v1/plan/calendar",
            json!({"detailed": detailed}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let url = v["url"].as_str().unwrap().to_owned();
    let path = url[url.find("/calendar/").unwrap()..].to_owned();
    let r = app.client().get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    (path, r.text().await.unwrap())
}

#[tokio::test]
async fn a_scheduled_talk_is_in_both_feeds_at_its_time() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        app.clock.set(at("2027-03-01T09:00:00Z"));
        let when = at("2027-03-03T18:30:00Z").timestamp_millis();
        let id = ask_for_talk(&ana, "TALK-FEED-TOPIC", when).await;
        // Only asked for: not in the feed yet.
        let (_, asked) = feed_of(&app, &ana, true).await;
        assert!(!asked.contains("TALK-FEED-TOPIC"), "{b:?}: {asked}");
        accept_talk(&ben, &id, when).await;
        for person in [&ana, &ben] {
            let (_, text) = feed_of(&app, person, true).await;
            let events = parse_feed(&text);
            let talk = events
                .iter()
                .find(|e| e.summary == "Talk: TALK-FEED-TOPIC")
                .unwrap_or_else(|| panic!("{b:?}: the talk is in the feed: {text}"));
            assert_eq!(talk.dtstart, "20270303T183000Z");
            let (_, neutral) = feed_of(&app, person, false).await;
            assert!(!neutral.contains("TALK-FEED-TOPIC"), "{b:?}: {neutral}");
        }
    }
}

#[tokio::test]
async fn the_calendar_feed_parses_repeats_and_shows_each_person_only_their_own() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        app.clock.set(at("2027-03-01T09:00:00Z"));
        add(
            &ana,
            json!({"title": "ANA-ONLY", "owner": "me", "due_date": "2027-03-01", "rrule": "FREQ=WEEKLY;BYDAY=MO,TH"}),
        )
        .await;
        let both = add(
            &ana,
            json!({"title": "TOGETHER", "owner": "both", "due_date": "2027-03-05"}),
        )
        .await;
        ben.send_json(
            Method::POST,
            &format!("/api/v1/plan/{}/answer", both["id"].as_str().unwrap()),
            json!({"accept": true}),
        )
        .await;
        add(
            &ben,
            json!({"title": "BEN-ONLY", "owner": "me", "due_date": "2027-03-02"}),
        )
        .await;
        let (s, _) = ana
            .send_json(
                Method::PUT,
                "/api/v1/checkins/schedule",
                json!({"rhythm": "weekly", "weekday": "sunday", "hour": 19}),
            )
            .await;
        assert_eq!(s, 204);
        let (_, text) = feed_of(&app, &ana, true).await;
        let events = parse_feed(&text);
        let titles: Vec<&str> = events.iter().map(|e| e.summary.as_str()).collect();
        assert!(
            titles.contains(&"ANA-ONLY") && titles.contains(&"TOGETHER"),
            "{b:?} {titles:?}"
        );
        assert!(
            !text.contains("BEN-ONLY"),
            "{b:?}: Ben's action is not in Ana's feed"
        );
        let weekly = events.iter().find(|e| e.summary == "ANA-ONLY").unwrap();
        assert_eq!(weekly.rrule.as_deref(), Some("FREQ=WEEKLY;BYDAY=MO,TH"));
        assert_eq!(weekly.dtstart, "20270301");
        let checkins: Vec<&Ev> = events
            .iter()
            .filter(|e| e.summary == "Check-in together")
            .collect();
        assert!(!checkins.is_empty());
        assert!(
            checkins.iter().all(|e| e.dtstart.ends_with('Z')),
            "timed events in UTC"
        );
        let (ben_path, ben_text) = feed_of(&app, &ben, true).await;
        assert!(ben_text.contains("BEN-ONLY") && ben_text.contains("TOGETHER"));
        assert!(
            !ben_text.contains("ANA-ONLY"),
            "{b:?}: Ana's action is not in Ben's feed"
        );
        // Neutral titles by default; a new link replaces the old one.
        let old_path = ben_path;
        let (_, neutral) = feed_of(&app, &ben, false).await;
        let events = parse_feed(&neutral);
        assert!(!events.is_empty());
        assert!(
            events.iter().all(|e| e.summary == "Something planned"),
            "{neutral}"
        );
        assert!(!neutral.contains("BEN-ONLY") && !neutral.contains("TOGETHER"));
        let r = app.client().get(app.url(&old_path)).send().await.unwrap();
        assert_eq!(r.status(), 404, "a replaced link stops working");
        // Revoked: gone.
        let (s, _) = ben
            .send_json(Method::DELETE, "/api/v1/plan/calendar", json!({}))
            .await;
        assert_eq!(s, 204);
        let (s, _) = ben.get_json("/api/v1/plan").await;
        assert_eq!(s, 200);
    }
}

#[tokio::test]
async fn the_form_keeps_input_on_errors_and_carries_the_agreement() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan/new?agreement=agr-42").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("name=\"agreement\" value=\"agr-42\""),
            "{b:?}"
        );
        let (s, html, _) = page
            .post(
                "/plan",
                &[
                    ("title", "Plan a picnic"),
                    ("owner", "me"),
                    ("due_date", "not a date"),
                    ("repeat", "weekly"),
                    ("days", "TU"),
                    ("days", "FR"),
                    ("agreement", "agr-42"),
                ],
            )
            .await;
        assert_eq!(s, 422);
        assert!(html.contains("Plan a picnic") && html.contains("Enter a date"));
        assert!(html.contains("value=\"TU\" checked") && html.contains("value=\"FR\" checked"));
        // An id that is no agreement of this couple is refused, and the input stays.
        let (s, html, _) = page
            .post(
                "/plan",
                &[
                    ("title", "Plan a picnic"),
                    ("owner", "me"),
                    ("due_date", "2027-05-04"),
                    ("repeat", "weekly"),
                    ("days", "TU"),
                    ("days", "FR"),
                    ("agreement", "agr-42"),
                ],
            )
            .await;
        assert_eq!(s, 422, "{b:?}");
        assert!(html.contains("not one of yours") && html.contains("Plan a picnic"));
        let (s, _, to) = page
            .post(
                "/plan",
                &[
                    ("title", "Plan a picnic"),
                    ("owner", "me"),
                    ("due_date", "2027-05-04"),
                    ("repeat", "weekly"),
                    ("days", "TU"),
                    ("days", "FR"),
                ],
            )
            .await;
        assert_eq!(s, 303);
        assert_eq!(to.as_deref(), Some("/plan?done=added"));
        let (_, list) = ana.get_json("/api/v1/plan").await;
        assert_eq!(list[0]["rrule"], "FREQ=WEEKLY;BYDAY=TU,FR");
        assert!(list[0]["agreement_id"].is_null(), "{}", list[0]);
        let (s, html) = page.get("/settings/reminders").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("reminders-off"),
            "no SMTP here: the page says reminders are off"
        );
    }
}

/// The dates a real RRULE implementation (the `rrule` crate) expands from an
/// event of the feed: DTSTART and RRULE as the feed wrote them.
fn expand_with_rrule(ev: &Ev, limit: u16) -> Vec<chrono::NaiveDate> {
    let text = format!(
        "DTSTART;VALUE=DATE:{}\nRRULE:{}",
        ev.dtstart,
        ev.rrule.as_deref().expect("a repeating event")
    );
    let set: rrule::RRuleSet = text
        .parse()
        .unwrap_or_else(|e| panic!("rrule refuses {text:?}: {e}"));
    set.all(limit)
        .dates
        .into_iter()
        .map(|d| d.date_naive())
        .collect()
}

/// What the plan shows, day after day: with the clock at noon on the chosen
/// date, the action's "today" (if any) and then each "next" date, following
/// the clock to it.
async fn dates_the_plan_shows(
    app: &TestApp,
    p: &ApiPerson,
    id: &str,
    from: chrono::NaiveDate,
    tz: chrono_tz::Tz,
    limit: usize,
) -> Vec<chrono::NaiveDate> {
    use chrono::TimeZone;
    let parse =
        |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
    let mut out = Vec::new();
    let mut day = from;
    while out.len() < limit {
        let noon = tz
            .from_local_datetime(&day.and_hms_opt(12, 0, 0).unwrap())
            .earliest()
            .unwrap();
        app.clock.set(noon.with_timezone(&Utc));
        let (s, a) = p.get_json(&format!("/api/v1/plan/{id}")).await;
        assert_eq!(s, 200, "{a}");
        let open = a["open"].as_array().unwrap();
        if let Some(today) = open.iter().find(|o| o["standing"] == "today") {
            assert_eq!(parse(&today["date"]), day, "{a}");
            if out.last() != Some(&day) {
                out.push(day);
            }
        } else {
            assert!(
                out.last() != Some(&day),
                "the plan showed {day} as a date, then not as today: {a}"
            );
        }
        match open.iter().find(|o| o["standing"] == "upcoming") {
            Some(next) => {
                let next = parse(&next["date"]);
                assert!(next > day, "{a}");
                if out.len() < limit {
                    out.push(next);
                }
                day = next;
            }
            None => break,
        }
    }
    out.truncate(limit);
    out
}

#[tokio::test]
async fn the_feed_expanded_by_an_rrule_library_gives_the_dates_the_plan_shows() {
    // (time zone, clock when created, chosen date, rule, expected first dates)
    let cases: &[(&str, &str, &str, &str, &[&str])] = &[
        // Mon/Wed/Fri chosen on a Saturday: Monday is the first.
        (
            "UTC",
            "2027-03-06T09:00:00Z",
            "2027-03-06",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR",
            &[
                "2027-03-08",
                "2027-03-10",
                "2027-03-12",
                "2027-03-15",
                "2027-03-17",
                "2027-03-19",
            ],
        ),
        (
            "UTC",
            "2027-03-06T09:00:00Z",
            "2027-03-06",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH",
            &[
                "2027-03-15",
                "2027-03-18",
                "2027-03-29",
                "2027-04-01",
                "2027-04-12",
                "2027-04-15",
            ],
        ),
        (
            "UTC",
            "2027-03-06T09:00:00Z",
            "2027-03-06",
            "FREQ=DAILY;INTERVAL=2;UNTIL=20270314",
            &[
                "2027-03-06",
                "2027-03-08",
                "2027-03-10",
                "2027-03-12",
                "2027-03-14",
            ],
        ),
        // The 31st, chosen on 10 February: March, May, July.
        (
            "UTC",
            "2027-02-10T09:00:00Z",
            "2027-02-10",
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=3",
            &["2027-03-31", "2027-05-31", "2027-07-31"],
        ),
        (
            "UTC",
            "2027-03-06T09:00:00Z",
            "2027-03-06",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=4",
            &["2027-03-08", "2027-03-10", "2027-03-12", "2027-03-15"],
        ),
        // In Auckland it is already Sunday 7 March when UTC's date is the 6th;
        // chosen "today" there (Sunday) for Mon/Wed/Fri: Monday the 8th.
        (
            "Pacific/Auckland",
            "2027-03-06T12:00:00Z",
            "2027-03-07",
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20270317",
            &[
                "2027-03-08",
                "2027-03-10",
                "2027-03-12",
                "2027-03-15",
                "2027-03-17",
            ],
        ),
    ];
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        for (i, (tz, now, chosen, rule, expected)) in cases.iter().enumerate() {
            let (s, v) = ana
                .send_json(Method::PATCH, "/api/v1/me", json!({"time_zone": tz}))
                .await;
            assert_eq!(s, 200, "{v}");
            app.clock.set(at(now));
            let title = format!("RRULE-CASE-{i}");
            let a = add(
                &ana,
                json!({"title": title, "owner": "me", "due_date": chosen, "rrule": rule}),
            )
            .await;
            let expected: Vec<chrono::NaiveDate> = expected.iter().map(|x| d(x)).collect();
            assert_eq!(
                a["due_date"],
                json!(expected[0].to_string()),
                "{b:?} {rule}: {a}"
            );
            // The feed, read by `ical` and expanded by `rrule`.
            let (_, text) = feed_of(&app, &ana, true).await;
            let events = parse_feed(&text);
            let ev = events.iter().find(|e| e.summary == title).unwrap();
            assert_eq!(
                ev.dtstart,
                expected[0].format("%Y%m%d").to_string(),
                "{b:?} {rule}"
            );
            let from_feed = expand_with_rrule(ev, expected.len() as u16);
            assert_eq!(from_feed, expected, "{b:?} {rule}: the feed's dates");
            // The plan, day after day from the chosen date.
            let tz: chrono_tz::Tz = tz.parse().unwrap();
            let from_plan = dates_the_plan_shows(
                &app,
                &ana,
                a["id"].as_str().unwrap(),
                d(chosen),
                tz,
                // A bounded rule (COUNT, UNTIL) must show nothing after its end.
                if rule.contains("COUNT") || rule.contains("UNTIL") {
                    expected.len() + 1
                } else {
                    expected.len()
                },
            )
            .await;
            assert_eq!(from_plan, expected, "{b:?} {rule}: the plan's dates");
            // A date off the rule cannot be marked done; the first one can.
            let id = a["id"].as_str().unwrap();
            if d(chosen) != expected[0] {
                let (s, v) = ana
                    .send_json(
                        Method::POST,
                        &format!("/api/v1/plan/{id}/done"),
                        json!({"date": chosen}),
                    )
                    .await;
                assert_eq!(s, 422, "{b:?} {rule}: {v}");
            }
            let (s, v) = ana
                .send_json(
                    Method::POST,
                    &format!("/api/v1/plan/{id}/done"),
                    json!({"date": expected[0].to_string()}),
                )
                .await;
            assert!((200..300).contains(&s), "{b:?} {rule}: {s} {v}");
        }
    }
}

/// The items of the page's "still open from earlier" list.
fn still_open_items(html: &str) -> Vec<String> {
    let Some(list) = html.split("id=\"still-open\">").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap();
    list.split("<li ").skip(1).map(str::to_owned).collect()
}

/// The items of the page's "coming up" list.
fn upcoming_items(html: &str) -> Vec<String> {
    let list = html.split("id=\"upcoming\">").nth(1).expect("the list");
    let list = list.split("</ul>").next().unwrap();
    list.split("<li ").skip(1).map(str::to_owned).collect()
}

#[tokio::test]
async fn a_long_plan_shows_the_nearest_lines_first_and_all_on_request() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        in_berlin(&ana).await;
        app.clock.set(at("2027-03-29T10:00:00Z"));
        // Twelve missed one-off actions (10–21 March) and twelve to come (1–12 April).
        for i in 0..12 {
            add(
                &ana,
                json!({"title": format!("Missed {:02}", 10 + i), "owner": "me", "due_date": format!("2027-03-{:02}", 10 + i)}),
            )
            .await;
            add(
                &ana,
                json!({"title": format!("Soon {:02}", 1 + i), "owner": "me", "due_date": format!("2027-04-{:02}", 1 + i)}),
            )
            .await;
        }
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        let titles = |items: Vec<String>| -> Vec<String> {
            items
                .iter()
                .map(|i| {
                    i.split("action-title\">")
                        .nth(1)
                        .unwrap()
                        .split('<')
                        .next()
                        .unwrap()
                        .to_owned()
                })
                .collect()
        };
        let open = titles(still_open_items(&html));
        let want: Vec<String> = (12..22).map(|d| format!("Missed {d:02}")).collect();
        assert_eq!(
            open, want,
            "{b:?}: the ten most recent still open, oldest first"
        );
        let soon = titles(upcoming_items(&html));
        let want: Vec<String> = (1..11).map(|d| format!("Soon {d:02}")).collect();
        assert_eq!(soon, want, "{b:?}: the ten soonest");
        assert!(html.contains("Show all 12 still open"), "{b:?}");
        assert!(html.contains("Show all 12 coming up"), "{b:?}");
        assert!(!html.contains("Show the first few only"), "{b:?}");
        let (s, all) = page.get("/plan?all=1").await;
        assert_eq!(s, 200, "{b:?}");
        assert_eq!(still_open_items(&all).len(), 12, "{b:?}");
        assert_eq!(upcoming_items(&all).len(), 12, "{b:?}");
        assert!(!all.contains("Show all 12"), "{b:?}");
        assert!(all.contains("Show the first few only"), "{b:?}");
    }
}

#[tokio::test]
async fn a_repeating_action_missed_for_days_is_one_line_that_can_mark_any_of_them() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        in_berlin(&ana).await;
        app.clock.set(at("2027-03-29T10:00:00Z")); // a Monday
        let walk = add(
            &ana,
            json!({"title": "Evening walk", "owner": "me", "due_date": "2027-03-25", "rrule": "FREQ=DAILY"}),
        )
        .await;
        let walk = walk["id"].as_str().unwrap().to_owned();
        add(
            &ana,
            json!({"title": "Call the plumber", "owner": "me", "due_date": "2027-03-27"}),
        )
        .await;
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        let items = still_open_items(&html);
        assert_eq!(items.len(), 2, "{b:?}: one line per action: {items:?}");
        let walk_item = items
            .iter()
            .find(|i| i.contains("Evening walk"))
            .expect("the walk is still open");
        assert!(
            walk_item.contains("Yesterday and 3 earlier days"),
            "{b:?}: {walk_item}"
        );
        let options: Vec<&str> = walk_item
            .split("<option value=\"")
            .skip(1)
            .map(|o| &o[..10])
            .collect();
        assert_eq!(
            options,
            ["2027-03-28", "2027-03-27", "2027-03-26", "2027-03-25"],
            "{b:?}: every open day, latest first"
        );
        // A one-off keeps its plain line: one day, no choice to make.
        let call_item = items
            .iter()
            .find(|i| i.contains("Call the plumber"))
            .unwrap();
        assert!(
            call_item.contains("name=\"on\" value=\"2027-03-27\"")
                && !call_item.contains("<select"),
            "{b:?}: {call_item}"
        );
        // Marking an earlier day from the one line.
        let (s, _, to) = page
            .post(&format!("/plan/{walk}/done"), &[("on", "2027-03-26")])
            .await;
        assert_eq!(s, 303, "{b:?}");
        assert_eq!(to.as_deref(), Some("/plan?done=marked"));
        let (_, v) = ana.get_json(&format!("/api/v1/plan/{walk}")).await;
        assert_eq!(v["done"], json!(["2027-03-26"]), "{b:?}");
        let (_, html) = page.get("/plan").await;
        let items = still_open_items(&html);
        let walk_item = items.iter().find(|i| i.contains("Evening walk")).unwrap();
        assert!(
            walk_item.contains("Yesterday and 2 earlier days")
                && !walk_item.contains("value=\"2027-03-26\""),
            "{b:?}: {walk_item}"
        );
        // The API still lists every open day.
        let still: usize = v["open"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| o["standing"] == "still_open")
            .count();
        assert_eq!(still, 3, "{b:?}: {v}");
    }
}

/// The items of the page's "Done" list, in the order shown.
fn done_list_items(html: &str) -> Vec<&str> {
    let list = html.split("id=\"history\">").nth(1).expect("the list");
    let list = list.split("</ul>").next().unwrap();
    list.split("<li>").skip(1).collect()
}

/// The dates of the page's "Done" list, in the order shown (each mark there
/// can be undone, so each carries its date).
fn done_list_dates(html: &str) -> Vec<String> {
    done_list_items(html)
        .into_iter()
        .map(|item| {
            let date = item
                .split("name=\"on\" value=\"")
                .nth(1)
                .unwrap_or_else(|| panic!("no date in {item}"));
            date[..10].to_owned()
        })
        .collect()
}

/// Adds a daily "Evening walk" from today (2027-01-01 in these tests) for
/// `p` and ticks it off on the day, `days` days running, moving the clock on
/// a day each time. Returns the walk's id.
async fn walk_daily(app: &TestApp, p: &ApiPerson, days: usize) -> String {
    let walk = add(
        p,
        json!({"title": "Evening walk", "owner": "me", "due_date": "2027-01-01", "rrule": "FREQ=DAILY"}),
    )
    .await;
    let walk = walk["id"].as_str().unwrap().to_owned();
    tick_off_daily(app, p, std::slice::from_ref(&walk), days).await;
    walk
}

/// Ticks off each of `actions` on the day, `days` days running, moving the
/// clock on a day each time.
async fn tick_off_daily(app: &TestApp, p: &ApiPerson, actions: &[String], days: usize) {
    for _ in 0..days {
        for id in actions {
            let (s, v) = p
                .send_json(Method::POST, &format!("/api/v1/plan/{id}/done"), json!({}))
                .await;
            assert_eq!(s, 200, "{v}");
        }
        app.clock.advance(std::time::Duration::from_secs(24 * 3600));
    }
}

/// The date of the `n`-th day of these tests, day 1 being 2027-01-01.
fn test_day(n: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() + chrono::Duration::days(n - 1))
        .to_string()
}

#[tokio::test]
async fn the_done_list_shows_the_newest_fifty_marks_newest_first() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        app.clock.set(at("2027-01-01T10:00:00Z"));
        // Ticked off on each of 55 days, on the day.
        walk_daily(&app, &ana, 55).await;
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        let shown = done_list_dates(&html);
        // The newest first by time, not by how the time reads ("Wed 3 Mar"
        // sorts after "Fri 5 Mar" as text).
        let expected: Vec<String> = (6..=55).rev().map(test_day).collect();
        assert_eq!(shown, expected, "{b:?}");
    }
}

#[tokio::test]
async fn a_one_off_done_long_ago_stays_done_behind_months_of_newer_marks() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        app.clock.set(at("2027-01-01T10:00:00Z"));
        let trip = add(
            &ana,
            json!({"title": "Book the weekend away", "owner": "me", "due_date": "2027-01-01"}),
        )
        .await;
        let (s, v) = ana
            .send_json(
                Method::POST,
                &format!("/api/v1/plan/{}/done", trip["id"].as_str().unwrap()),
                json!({}),
            )
            .await;
        assert_eq!(s, 200, "{b:?}: {v}");
        // More newer marks than the page reads as "newest" (twice the fifty
        // it lists), most for days long past the week it looks back on.
        walk_daily(&app, &ana, 110).await;
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        // Booked in January, so not "still open" in April.
        assert_eq!(still_open_items(&html), Vec::<String>::new(), "{b:?}");
        assert_eq!(done_list_dates(&html).len(), 50, "{b:?}");
        // The API still gives every mark.
        let (s, v) = ana.get_json("/api/v1/plan").await;
        assert_eq!(s, 200, "{b:?}");
        let marks: usize = v
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["done"].as_array().unwrap().len())
            .sum();
        assert_eq!(marks, 111, "{b:?}: {v}");
    }
}

#[tokio::test]
async fn a_busy_plan_lists_its_newest_fifty_marks_from_the_last_fortnight() {
    // Eight daily actions ticked off for sixteen days: more than the hundred
    // newest marks the page looks for were made in the last fortnight, so the
    // page finds them there (`plan_shown`) and must still list exactly the
    // newest fifty, newest first.
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        app.clock.set(at("2027-01-01T10:00:00Z"));
        let mut ids = Vec::new();
        for n in 0..8 {
            let a = add(
                &ana,
                json!({"title": format!("Habit {n}"), "owner": "me", "due_date": "2027-01-01", "rrule": "FREQ=DAILY"}),
            )
            .await;
            ids.push(a["id"].as_str().unwrap().to_owned());
        }
        tick_off_daily(&app, &ana, &ids, 16).await;
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        // Days 16 down to 11 in full (6 × 8 = 48), then two of day 10.
        let mut expected: Vec<String> =
            (11..=16).rev().flat_map(|n| vec![test_day(n); 8]).collect();
        expected.extend([test_day(10), test_day(10)]);
        assert_eq!(done_list_dates(&html), expected, "{b:?}");
    }
}

#[tokio::test]
async fn a_late_change_to_an_old_day_lists_each_of_its_marks_once() {
    // A day from weeks ago, undone and done again today: its marks are among
    // the newest, but its day is older than the week the page reads in full,
    // so the page fetches that day's marks on their own and must list each of
    // them once.
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        app.clock.set(at("2027-01-01T10:00:00Z"));
        let walk = walk_daily(&app, &ana, 20).await;
        for path in ["undo", "done"] {
            let (s, v) = ana
                .send_json(
                    Method::POST,
                    &format!("/api/v1/plan/{walk}/{path}"),
                    json!({"date": test_day(3)}),
                )
                .await;
            assert_eq!(s, 200, "{b:?}: {v}");
        }
        let page = app.html_person("ana@example.org").await;
        let (s, html) = page.get("/plan").await;
        assert_eq!(s, 200, "{b:?}");
        // Newest first: day 3 done again and undone (made today), then the
        // twenty days as they were ticked off, day 3's first mark among them.
        let items = done_list_items(&html);
        assert_eq!(items.len(), 22, "{b:?}: {items:#?}");
        let day_3 = "for Sun 3 Jan 2027";
        assert!(
            items[0].starts_with("Done:") && items[0].contains(day_3),
            "{b:?}: {}",
            items[0]
        );
        assert!(
            items[1].starts_with("Undone:") && items[1].contains(day_3),
            "{b:?}: {}",
            items[1]
        );
        assert_eq!(
            items.iter().filter(|i| i.contains(day_3)).count(),
            3,
            "{b:?}"
        );
        // Only the newest mark of a day can be undone.
        let undo = |i: &str| i.contains("class=\"link undo\"");
        assert!(undo(items[0]) && !undo(items[1]), "{b:?}");
        assert_eq!(items.iter().filter(|i| undo(i)).count(), 20, "{b:?}");
    }
}
