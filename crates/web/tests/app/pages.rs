//! Every page, on a phone (360×800) and a desktop (1366×900), light and dark.
//!
//! The pages come from the router's own table (`route_specs`): every GET route
//! that renders a template is visited, and a new one fails this test until it is
//! given a way to be filled in below or an exclusion with a reason. Each page is
//! checked for: no sideways scrolling; on a phone a top bar ≤ 56 px and a tab bar
//! ≤ 64 px; radios and checkboxes on the line of their label; buttons and
//! navigation targets at least 44×44 px; axe-core reports nothing, in light and
//! in dark mode; nothing in the browser console.
//!
//! `scripts/screenshots DIR` runs this test with `REKINDLE_SCREENSHOTS=DIR`: it
//! then also writes a full-page PNG of every page, size and colour scheme.
//!
//! The pages look the same on both databases, so this runs on SQLite only.

use std::time::Instant;

use base64::Engine;
use fantoccini::Client;
use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page, Screen, cdp, console_errors};
use serde_json::{Value, json};

use crate::authorization::{Fixture, fixture};

/// GET routes that render no page, with the reason.
const NOT_PAGES: &[(&str, &str)] = &[
    ("/exit", "redirects to the neutral quick-exit site"),
    ("/settings/export", "downloads a zip archive"),
    ("/checkins/export.csv", "downloads a CSV file"),
    ("/calendar/{file}", "an iCalendar feed"),
    ("/talks/{id}/ws", "the talk room's WebSocket"),
    ("/healthz", "a health probe"),
    ("/readyz", "a readiness probe"),
    ("/manifest.webmanifest", "the web app manifest (JSON)"),
    ("/sw.js", "the service worker script"),
    (
        "/static/{*path}",
        "static files (checked through the pages using them)",
    ),
    ("/api/openapi.json", "the OpenAPI document (JSON)"),
];

/// The concrete path of a page route, with the fixture's ids filled in.
fn concrete(pattern: &str) -> Option<&'static str> {
    Some(match pattern {
        "/journal/{id}" => "/journal/{private}",
        "/questions/{id}" => "/questions/{question}",
        "/checkins/{id}" => "/checkins/{checkin}",
        "/talks/{id}" => "/talks/{talk}",
        "/board/{id}" => "/board/{problem}",
        "/join/{code}" => "/join/{code}",
        "/password/reset/{secret}" => "/password/reset/{reset}",
        // The fixture has no summary both approved: the link page answers as for a dead link.
        "/handoff/s/{token}" => "/handoff/s/not-a-real-token",
        // A spent link: the page that says so (a working one needs a mail server).
        "/signup/confirm/{token}" => "/signup/confirm/not-a-real-link",
        _ => return None,
    })
}

/// Every page to visit: the router's GET routes minus the API and `NOT_PAGES`.
fn page_paths() -> Vec<String> {
    let mut out = Vec::new();
    for r in rekindle_web::route_specs() {
        if r.method != "GET"
            || r.path.starts_with("/api/")
            || NOT_PAGES.iter().any(|(p, _)| *p == r.path)
        {
            continue;
        }
        if !r.path.contains('{') {
            out.push(r.path.to_owned());
            continue;
        }
        match concrete(r.path) {
            Some(p) => out.push(p.to_owned()),
            None => panic!(
                "the page route {} has no entry in tests/app/pages.rs: say how to fill it in \
                 (`concrete`) or why it renders no page (`NOT_PAGES`)",
                r.path
            ),
        }
    }
    out
}

/// axe-core's script: `REKINDLE_AXE_JS`, or where `scripts/test` puts it.
/// Missing, the test fails: it never skips.
fn axe_source() -> String {
    let path = std::env::var("REKINDLE_AXE_JS").unwrap_or_else(|_| {
        let cache = std::env::var("XDG_CACHE_HOME")
            .unwrap_or_else(|_| format!("{}/.cache", std::env::var("HOME").unwrap_or_default()));
        format!("{cache}/rekindle/axe-core-4.14.1/axe.min.js")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("axe-core is missing at {path} ({e}): run ./scripts/test, or `. scripts/lib/axe.sh; ensure_axe`")
    })
}

/// Measures what the invariants need in one go; returns a list of problems.
const CHECK_JS: &str = r#"
const phone = arguments[0];
const bad = [];
const visible = el => el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true }) && el.getClientRects().length > 0;
const name = el => (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + ' "' + (el.textContent || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 40) + '"');
const doc = document.documentElement;
if (doc.scrollWidth > window.innerWidth) bad.push('scrolls sideways: ' + doc.scrollWidth + 'px wide on ' + window.innerWidth + 'px');
if (phone) {
  if (window.innerWidth !== 360) bad.push('the phone zoomed out to ' + window.innerWidth + 'px: something is wider than the screen');
  const top = document.querySelector('.topbar');
  if (!top) bad.push('no top bar');
  else if (top.getBoundingClientRect().height > 56) bad.push('top bar is ' + top.getBoundingClientRect().height + 'px tall');
  const tabs = document.querySelector('.tabbar');
  if (tabs && tabs.getBoundingClientRect().height > 64) bad.push('tab bar is ' + tabs.getBoundingClientRect().height + 'px tall');
}
for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
  if (!visible(input) || getComputedStyle(input).opacity === '0') continue;
  const label = input.labels && input.labels[0];
  if (!label) { bad.push('no label: ' + name(input)); continue; }
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, { acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP });
  const text = walker.nextNode();
  if (!text) continue;
  const range = document.createRange();
  range.selectNodeContents(text);
  const line = range.getClientRects()[0];
  const box = input.getBoundingClientRect();
  const mid = (box.top + box.bottom) / 2;
  if (!line || mid < line.top - 2 || mid > line.bottom + 2) bad.push('not on the line of its label: ' + name(input));
}
const targets = 'button, .button, input[type=submit], .tabbar a, .tabbar summary, .topbar a, .segmented a, .menu a, .back-link, .path a';
for (const el of document.querySelectorAll(targets)) {
  if (!visible(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.width < 43.5 || r.height < 43.5) bad.push('smaller than 44×44 (' + Math.round(r.width) + '×' + Math.round(r.height) + '): ' + name(el));
}
return bad;
"#;

const AXE_RUN_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] }).then(
  r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))),
  e => done(['axe failed: ' + e]));
"#;

/// Shows what the live coach hides for readers with JavaScript (and keeps it from hiding
/// it again): the server-rendered coach panels and the "Check with the coach" buttons.
const SHOW_SERVER_COACH_JS: &str = r#"
let n = 0;
document.querySelectorAll('.coach-builder-server, button.coach-check').forEach(e => {
  e.hidden = false; e.classList.remove('coach-builder-server'); n++;
});
return n;
"#;

struct Sweep {
    axe: String,
    shots: Option<String>,
    problems: Vec<String>,
    visited: usize,
}

/// Opens `base` + `path` in the browser.
async fn open(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}"))
        .await
        .unwrap_or_else(|e| panic!("open {path}: {e}"));
}

impl Sweep {
    async fn axe(&self, c: &Client) -> Vec<String> {
        c.execute(&format!("{}\n;return true;", self.axe), vec![])
            .await
            .expect("load axe-core into the page");
        let v = c
            .execute_async(AXE_RUN_JS, vec![])
            .await
            .expect("run axe-core");
        strings(&v)
    }

    async fn shot(&self, c: &Client, label: &str) {
        let Some(dir) = &self.shots else { return };
        let v = cdp(
            c,
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true}),
        )
        .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v["data"].as_str().expect("screenshot data"))
            .expect("base64");
        std::fs::write(format!("{dir}/{label}.png"), png).expect("write a screenshot");
    }

    /// Opens `path` and checks it; `what` names the visit in messages and file names.
    async fn visit(&mut self, c: &Client, base: &str, path: &str, what: &str, phone: bool) {
        open(c, base, path).await;
        self.check_here(c, path, what, phone).await;
    }

    /// Opens `path` as a reader without JavaScript sees its coach: the server-rendered
    /// coach panels and "Check with the coach" buttons shown (the live coach hides them).
    async fn visit_no_js_coach(
        &mut self,
        c: &Client,
        base: &str,
        path: &str,
        what: &str,
        phone: bool,
    ) {
        open(c, base, path).await;
        let shown = c
            .execute(SHOW_SERVER_COACH_JS, vec![])
            .await
            .expect("show the server coach");
        assert!(
            shown.as_u64().unwrap_or(0) > 0,
            "{what}: no server-rendered coach on {path}"
        );
        self.check_here(c, path, what, phone).await;
    }

    /// Opens `path`, writes `text` into the text box `selector` and presses that form's
    /// "Check with the coach" (the no-JS coach path, which stores nothing), then checks the
    /// answer page as a reader without JavaScript sees it.
    #[allow(clippy::too_many_arguments)]
    async fn visit_coach_answer(
        &mut self,
        c: &Client,
        base: &str,
        path: &str,
        selector: &str,
        text: &str,
        what: &str,
        phone: bool,
    ) {
        open(c, base, path).await;
        let pressed = c
            .execute(
                r#"const t = document.querySelector(arguments[0]);
                   if (!t) return false;
                   t.value = arguments[1];
                   const b = t.form.querySelector('button.coach-check');
                   b.hidden = false; b.click(); return true;"#,
                vec![json!(selector), json!(text)],
            )
            .await
            .expect("press Check with the coach");
        assert_eq!(pressed, json!(true), "{what}: no {selector} on {path}");
        c.wait()
            .for_element(fantoccini::Locator::Css(".coach-panel"))
            .await
            .unwrap_or_else(|e| panic!("{what}: no coach answer: {e}"));
        let shown = c
            .execute(SHOW_SERVER_COACH_JS, vec![])
            .await
            .expect("show the server coach");
        assert!(shown.as_u64().unwrap_or(0) > 0, "{what}: no server coach");
        self.check_here(c, path, what, phone).await;
    }

    /// Checks the page now open (see the module's comment).
    async fn check_here(&mut self, c: &Client, path: &str, what: &str, phone: bool) {
        self.visited += 1;
        let mut found: Vec<String> = Vec::new();
        found.extend(strings(
            &c.execute(CHECK_JS, vec![json!(phone)])
                .await
                .expect("run the checks"),
        ));
        found.extend(self.axe(c).await);
        self.shot(c, what).await;
        cdp(
            c,
            "Emulation.setEmulatedMedia",
            // Reduced motion too: colours must not be caught mid-transition.
            json!({"features": [
                {"name": "prefers-color-scheme", "value": "dark"},
                {"name": "prefers-reduced-motion", "value": "reduce"}
            ]}),
        )
        .await;
        found.extend(self.axe(c).await.into_iter().map(|v| format!("dark: {v}")));
        self.shot(c, &format!("{what}-dark")).await;
        cdp(c, "Emulation.setEmulatedMedia", json!({"features": []})).await;
        found.extend(
            console_errors(c)
                .await
                .into_iter()
                .filter(|e| !expected_console(e, path))
                .map(|e| format!("console: {e}")),
        );
        self.problems
            .extend(found.into_iter().map(|p| format!("{what} ({path}): {p}")));
    }
}

/// Console lines that are not faults: the web app manifest comes with the
/// installable-app work (issue 14) and 404s until it lands; an error page's own
/// status (404) is reported by Chromium as a failed load.
fn expected_console(message: &str, path: &str) -> bool {
    message.contains("/manifest.webmanifest")
        || (path.contains("not-a-real") && message.contains(path) && message.contains("404"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn slug(path: &str) -> String {
    let s: String = path
        .trim_matches('/')
        .chars()
        .filter(|c| !matches!(c, '{' | '}'))
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    if s.is_empty() { "home".into() } else { s }
}

async fn sign_in(c: &Client, f: &Fixture, email: &str) {
    c.delete_all_cookies().await.expect("sign out");
    Page { c }.sign_in(&f.app.url("/signin"), email).await;
}

/// Talks in the states the room looks most different in.
struct Talks {
    live: String,
    paused: String,
    /// Held aloud on two phones, Ana's notes beside it: one private, one shared.
    aloud: String,
}

async fn talks(f: &Fixture) -> Talks {
    use crate::talk::{live_talk, ok, request};
    let (ana, ben) = (
        f.api[3].as_ref().expect("Ana"),
        f.api[2].as_ref().expect("Ben"),
    );
    let live = live_talk(ana, ben).await;
    ok(
        ana,
        &live,
        json!({"cmd": "statement", "text": "I miss our slow Sunday mornings."}),
    )
    .await;
    ok(
        ben,
        &live,
        json!({"cmd": "paraphrase", "text": "You miss our Sunday mornings together."}),
    )
    .await;
    let paused = request(ana, "Visiting my parents").await;
    ok(ben, &paused, json!({"cmd": "start_now"})).await;
    ok(ana, &paused, json!({"cmd": "pledge"})).await;
    ok(ben, &paused, json!({"cmd": "pledge"})).await;
    let back = chrono::Utc::now().timestamp_millis() + 3_600_000;
    ok(
        ben,
        &paused,
        json!({"cmd": "time_out", "minutes": 30, "return_at": back}),
    )
    .await;
    let (s, v) = ana
        .send_json(
            reqwest::Method::POST,
            "/api/v1/talks",
            json!({"topic": "Our evenings", "times": [], "mode": "two_phones", "turn_min": 3}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let aloud = v["id"].as_str().unwrap().to_owned();
    ok(ana, &aloud, json!({"cmd": "start_now"})).await;
    ok(ana, &aloud, json!({"cmd": "pledge"})).await;
    ok(ben, &aloud, json!({"cmd": "pledge"})).await;
    let notes = format!("/api/v1/talks/{aloud}/notes");
    for text in ["Come back to the money part", "I felt heard about Sundays"] {
        let (s, n) = ana
            .send_json(reqwest::Method::POST, &notes, json!({"text": text}))
            .await;
        assert_eq!(s, 201, "{n}");
        if text.starts_with("I felt") {
            let share = format!("{notes}/{}/share", n["id"].as_str().unwrap());
            let (s, v) = ana
                .send_json(reqwest::Method::POST, &share, json!({}))
                .await;
            assert_eq!(s, 200, "{v}");
        }
    }
    Talks {
        live,
        paused,
        aloud,
    }
}

/// Ana's private entry with words the coach notices (blame), for the no-JS coach path;
/// before it, twenty plain ones, so her journal is long enough to show its pager.
async fn coached_entry(f: &Fixture) -> String {
    let ana = f.api[3].as_ref().expect("Ana");
    for i in 1..=20 {
        let (status, e) = ana
            .send_json(
                reqwest::Method::POST,
                "/api/v1/journal",
                json!({"title": format!("A quiet evening, {i}"), "body": "We cooked together."}),
            )
            .await;
        assert_eq!(status, 201, "{e}");
    }
    let (status, e) = ana
        .send_json(
            reqwest::Method::POST,
            "/api/v1/journal",
            json!({"body": "You left your dishes in the sink again."}),
        )
        .await;
    assert_eq!(status, 201, "{e}");
    e["id"].as_str().expect("entry id").to_owned()
}

/// A daily action Ana has not marked for four days: the plan page's one line with a choice of day.
async fn missed_walk(f: &Fixture) {
    let ana = f.api[3].as_ref().expect("Ana");
    let start = chrono::DateTime::from_timestamp_millis(f.app.clock.now_ms())
        .expect("the app's clock")
        .date_naive()
        - chrono::Duration::days(4);
    let (status, a) = ana
        .send_json(
            reqwest::Method::POST,
            "/api/v1/plan",
            json!({"title": "Evening walk", "owner": "me", "due_date": start.to_string(), "rrule": "FREQ=DAILY"}),
        )
        .await;
    assert_eq!(status, 201, "{a}");
}

async fn sweep_screen(
    driver: &Driver,
    f: &Fixture,
    talks: &Talks,
    coached: &str,
    s: &mut Sweep,
    screen: Screen,
) {
    let (size, phone) = match screen {
        Screen::Phone { .. } => ("phone", true),
        Screen::Desktop { .. } => ("desktop", false),
    };
    let c = driver.browser_sized(screen).await;
    let base = f.app.url("");
    let base = base.trim_end_matches('/');
    let paths = page_paths();
    // Someone not signed in: the pages open to everyone (the rest send them to sign in).
    for pattern in &paths {
        let path = f.fill(pattern);
        c.goto(&format!("{base}{path}")).await.expect("open");
        let landed = c.current_url().await.expect("url").path().to_owned();
        if landed == "/signin" && path != "/signin" {
            continue;
        }
        s.visit(
            &c,
            base,
            &path,
            &format!("{size}-visitor-{}", slug(pattern)),
            phone,
        )
        .await;
    }
    // Someone alone in their space, with an open invitation.
    sign_in(&c, f, "outsider@example.org").await;
    s.visit(&c, base, "/", &format!("{size}-alone-home"), phone)
        .await;
    // A partner in a space with something in every tool.
    sign_in(&c, f, "ana@example.org").await;
    for pattern in &paths {
        let path = f.fill(pattern);
        if path == "/signin" || path == "/signup" {
            continue; // a signed-in person is sent home
        }
        s.visit(
            &c,
            base,
            &path,
            &format!("{size}-partner-{}", slug(pattern)),
            phone,
        )
        .await;
    }
    // The other partner, whose part is still to do: the check-in form, ideas to add.
    sign_in(&c, f, "ben@example.org").await;
    for (pattern, name) in [
        ("/checkins/{checkin}", "checkin-form"),
        ("/board/{problem}", "board-ideas"),
    ] {
        let path = f.fill(pattern);
        s.visit(&c, base, &path, &format!("{size}-other-{name}"), phone)
            .await;
    }
    sign_in(&c, f, "ana@example.org").await;
    // The talk room while a talk is live (a paraphrase waits for Ana's answer)
    // and while a time-out runs: states the fixture's arriving talk never shows.
    for (id, name) in [
        (&talks.live, "talk-live"),
        (&talks.paused, "talk-time-out"),
        (&talks.aloud, "talk-aloud-notes"),
    ] {
        s.visit(
            &c,
            base,
            &format!("/talks/{id}"),
            &format!("{size}-partner-{name}"),
            phone,
        )
        .await;
    }
    // A private entry the coach has something to say about, before sharing: its notes
    // and the fill-in I-statement rendered on the server.
    s.visit(
        &c,
        base,
        &format!("/journal/{coached}"),
        &format!("{size}-partner-entry-coached"),
        phone,
    )
    .await;
    // The same page as a reader without JavaScript sees it: the notes and the fill-in
    // I-statement as form fields, rendered on the server.
    s.visit_no_js_coach(
        &c,
        base,
        &format!("/journal/{coached}"),
        &format!("{size}-partner-entry-coached-nojs"),
        phone,
    )
    .await;
    // An appreciation draft checked with the coach without JavaScript: the notes and the
    // builder inside the list of drafts.
    s.visit_coach_answer(
        &c,
        base,
        "/appreciations",
        "textarea[id^='draft-']",
        "Thanks for finally doing the dishes, you never do.",
        &format!("{size}-partner-appreciation-draft-coached-nojs"),
        phone,
    )
    .await;
    // The error page, signed in.
    s.visit(
        &c,
        base,
        "/journal/not-a-real-entry",
        &format!("{size}-partner-not-found"),
        phone,
    )
    .await;
    let _ = c.close().await;
}

async fn sweep(driver: &Driver, backend: Backend) {
    let f = fixture(backend).await;
    let mut s = Sweep {
        axe: axe_source(),
        shots: std::env::var("REKINDLE_SCREENSHOTS").ok(),
        problems: Vec::new(),
        visited: 0,
    };
    if let Some(dir) = &s.shots {
        std::fs::create_dir_all(dir).expect("screenshot folder");
    }
    let talks = talks(&f).await;
    let coached = coached_entry(&f).await;
    missed_walk(&f).await;
    let started = Instant::now();
    sweep_screen(
        driver,
        &f,
        &talks,
        &coached,
        &mut s,
        Screen::Phone { height: 800 },
    )
    .await;
    sweep_screen(
        driver,
        &f,
        &talks,
        &coached,
        &mut s,
        Screen::Desktop {
            width: 1366,
            height: 900,
        },
    )
    .await;
    eprintln!(
        "pages: {} visits (light and dark) in {:.1}s",
        s.visited,
        started.elapsed().as_secs_f64()
    );
    assert!(
        s.problems.is_empty(),
        "{} problems:\n{}",
        s.problems.len(),
        s.problems.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_fits_a_phone_and_a_desktop_and_passes_axe_in_light_and_dark() {
    let driver = Driver::start().await;
    sweep(&driver, Backend::Sqlite).await;
}

/// What a browser fetches for `path`: the page, then each `/static/…` file it
/// names (once); compressed sizes as sent (`Accept-Encoding: br, gzip`).
async fn transfer(
    client: &reqwest::Client,
    base: &str,
    path: &str,
) -> (usize, Vec<(String, usize)>) {
    let get = |p: String| {
        let client = client.clone();
        let url = format!("{base}{p}");
        async move {
            let r = client
                .get(&url)
                .header("accept-encoding", "br, gzip")
                .send()
                .await
                .expect("fetch");
            assert_eq!(r.status(), 200, "{url}");
            let encoded = r.headers().get("content-encoding").is_some();
            let bytes = r.bytes().await.expect("body");
            (encoded, bytes)
        }
    };
    let (encoded, html) = get(path.to_owned()).await;
    assert!(encoded, "{path} is sent compressed");
    // The page itself, decompressed, to find what it links.
    let page = String::from_utf8_lossy(&decompress(&html)).into_owned();
    let mut files: Vec<String> = Vec::new();
    for marker in ["href=\"/static/", "src=\"/static/"] {
        for (i, _) in page.match_indices(marker) {
            let rest = &page[i + marker.len() - "/static/".len()..];
            let end = rest.find(['"', '#']).unwrap_or(rest.len());
            let file = rest[..end].to_owned();
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    let mut sizes = Vec::new();
    for f in files {
        let (_, body) = get(f.clone()).await;
        sizes.push((f, body.len()));
    }
    (html.len(), sizes)
}

/// Brotli or gzip, whichever the server chose (told apart by gzip's magic bytes).
fn decompress(body: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    if body.starts_with(&[0x1f, 0x8b]) {
        flate2::read::GzDecoder::new(body)
            .read_to_end(&mut out)
            .expect("gzip");
    } else {
        brotli::Decompressor::new(body, 4096)
            .read_to_end(&mut out)
            .expect("brotli");
    }
    out
}

/// A first visit (page, styles, script, icons) stays under 100 KB on the wire and
/// a later page (files cached) under 30 KB; prints what each weighs.
#[tokio::test]
async fn pages_are_compressed_and_light() {
    let f = fixture(Backend::Sqlite).await;
    let base = f.app.url("");
    let base = base.trim_end_matches('/').to_owned();
    let visitor = f.app.html_visitor().await;
    let ana = &f.html[3];
    let mut report = Vec::new();
    for (who, client, path) in [
        ("visitor", &visitor.client, "/".to_owned()),
        ("partner", &ana.client, "/".to_owned()),
    ] {
        let (html, files) = transfer(client, &base, &path).await;
        let total = html + files.iter().map(|(_, n)| n).sum::<usize>();
        report.push(format!(
            "first visit, {who} {path}: {total} B in all (page {html} B; {})",
            files
                .iter()
                .map(|(f, n)| format!("{f} {n} B"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        assert!(total <= 100 * 1024, "first visit of {path}: {total} bytes");
    }
    for path in page_paths() {
        let path = f.fill(&path);
        // Signed-in people are sent home from these; a spent link is a 404 page.
        if path == "/signin" || path == "/signup" || path.contains("not-a-real") {
            continue;
        }
        let (html, _) = transfer(&ana.client, &base, &path).await;
        report.push(format!("later page {path}: {html} B"));
        assert!(html <= 30 * 1024, "{path}: {html} bytes");
    }
    eprintln!("transfer sizes (compressed):\n  {}", report.join("\n  "));
}

/// `plain` compressed at the best setting of `encoding` ("br" or "gzip").
fn best_compressed(plain: &[u8], encoding: &str) -> Vec<u8> {
    use std::io::Write;
    let mut out = Vec::new();
    if encoding == "br" {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(plain).unwrap();
        drop(w);
    } else {
        let mut w = flate2::write::GzEncoder::new(&mut out, flate2::Compression::best());
        w.write_all(plain).unwrap();
        w.finish().unwrap();
    }
    out
}

/// Static files come compressed as the browser asks (brotli before gzip), the same
/// bytes each time, and unchanged once unpacked; a client that asks for nothing gets
/// the file as it is. Pages are compressed too.
#[tokio::test]
async fn static_files_come_compressed_as_the_browser_asks() {
    let app = rekindle_testkit::TestApp::spawn(Backend::Sqlite).await;
    let client = app.client();
    let fetch = |path: &'static str, accept: &'static str| {
        let request = client.get(app.url(path));
        async move {
            let r = if accept.is_empty() {
                request
            } else {
                request.header("accept-encoding", accept)
            }
            .send()
            .await
            .expect("fetch");
            assert_eq!(r.status(), 200, "{path}");
            let h = |n: &str| {
                r.headers()
                    .get(n)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_default()
            };
            let (encoding, vary) = (h("content-encoding"), h("vary"));
            (encoding, vary, r.bytes().await.expect("body").to_vec())
        }
    };
    for path in ["/static/app.css", "/static/app.js"] {
        let (encoding, _, plain) = fetch(path, "").await;
        assert_eq!(encoding, "", "{path}: as it is when nothing is asked for");
        for (accept, want) in [
            ("gzip, deflate, br, zstd", "br"),
            ("gzip, deflate, br", "br"),
            ("gzip", "gzip"),
            ("br;q=0, gzip", "gzip"),
        ] {
            let (encoding, vary, body) = fetch(path, accept).await;
            assert_eq!(encoding, want, "{path} {accept}");
            assert!(
                vary.to_lowercase().contains("accept-encoding"),
                "{path}: {vary}"
            );
            assert_eq!(decompress(&body), plain, "{path} {accept}");
            // At the best setting (made once, not per request at a quick one).
            let best = best_compressed(&plain, want).len();
            assert!(
                body.len() <= best + best / 50,
                "{path} {accept}: {} B, at best {best} B",
                body.len()
            );
            let (_, _, again) = fetch(path, accept).await;
            assert_eq!(again, body, "{path} {accept}: the same bytes each time");
        }
    }
    let (encoding, _, body) = fetch("/", "gzip, deflate, br, zstd").await;
    assert_eq!(encoding, "br", "the landing page is compressed");
    assert!(
        String::from_utf8(decompress(&body))
            .unwrap()
            .contains("</html>")
    );
}
