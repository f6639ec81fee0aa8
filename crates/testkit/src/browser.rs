//! Headless Chromium through chromedriver (Debian's `chromium` and
//! `chromium-driver`, installed by `scripts/test`). A missing browser fails the
//! test: browser tests are never skipped silently.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// Browser tests take turns, process-wide. The web suite is one test binary
/// whose harness runs as many tests at once as there are cores, and a browser
/// test drives two or three Chromium sessions, each wanting a core of its own;
/// one browser test at a time leaves the other harness threads to the rest of
/// the suite instead of two browser tests crowding each other's waits.
static TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

pub struct Driver {
    child: Child,
    port: u16,
    _turn: tokio::sync::SemaphorePermit<'static>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Driver {
    /// Waits for this test's turn at the browser, then starts chromedriver.
    pub async fn start() -> Driver {
        let turn = TURN.acquire().await.expect("the semaphore is never closed");
        // Reminders: lettre (ring) and fantoccini (aws-lc-rs) both enable a rustls
        // provider in test builds, so rustls cannot pick one by itself.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let bin = std::env::var("REKINDLE_CHROMEDRIVER")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let port = free_port();
        let child = Command::new(&bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {bin} ({e}); run ./scripts/test, which installs chromium-driver"
                )
            });
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Driver {
            child,
            port,
            _turn: turn,
        }
    }

    /// A new, isolated browser (its own profile and cookies) emulating a 360 px wide phone.
    pub async fn browser(&self) -> Client {
        self.browser_sized(Screen::Phone { height: 740 }).await
    }

    /// A new, isolated browser on a phone (360 px wide, touch) or a desktop window.
    /// The browser's console is recorded (see [`console_errors`]).
    pub async fn browser_sized(&self, screen: Screen) -> Client {
        let chromium =
            std::env::var("REKINDLE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--hide-scrollbars",
        ];
        let mut options = serde_json::json!({ "binary": chromium });
        match screen {
            Screen::Phone { height } => {
                args.push("--window-size=800,900");
                options["mobileEmulation"] = serde_json::json!({
                    "deviceMetrics": { "width": 360, "height": height, "pixelRatio": 2.0, "touch": true }
                });
            }
            Screen::Desktop { .. } => {}
        }
        let mut args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        if let Screen::Desktop { width, height } = screen {
            args.push(format!("--window-size={width},{height}"));
        }
        options["args"] = serde_json::json!(args);
        let caps = serde_json::json!({
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "browser": "ALL" }
        });
        let caps = match caps {
            serde_json::Value::Object(m) => m,
            _ => unreachable!("literal object"),
        };
        ClientBuilder::rustls()
            .expect("tls setup")
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("open a browser session")
    }
}

/// The screen a test browser emulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// 360 px wide, 2x pixels, touch, `height` px tall.
    Phone { height: u32 },
    /// A desktop window of this size.
    Desktop { width: u32, height: u32 },
}

/// A chromedriver command on the current session that fantoccini has no method
/// for: `POST /session/{id}/{path}` with a JSON body.
#[derive(Debug)]
struct SessionPost {
    path: &'static str,
    body: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/{}",
            session_id.unwrap_or_default(),
            self.path
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.body.to_string()))
    }
}

/// Runs a Chrome DevTools Protocol command (chromedriver's `goog/cdp/execute`),
/// e.g. `Emulation.setEmulatedMedia` to see a page in dark mode.
pub async fn cdp(c: &Client, cmd: &str, params: serde_json::Value) -> serde_json::Value {
    try_cdp(c, cmd, params)
        .await
        .unwrap_or_else(|e| panic!("CDP {cmd}: {e}"))
}

/// A DevTools command that may be refused (e.g. probing for an id).
pub async fn try_cdp(
    c: &Client,
    cmd: &str,
    params: serde_json::Value,
) -> Result<serde_json::Value, fantoccini::error::CmdError> {
    c.issue_cmd(SessionPost {
        path: "goog/cdp/execute",
        body: serde_json::json!({ "cmd": cmd, "params": params }),
    })
    .await
}

/// The browser console's errors since the last call (messages at level SEVERE:
/// script errors, failed loads, CSP refusals), read through chromedriver's log.
pub async fn console_errors(c: &Client) -> Vec<String> {
    let log = c
        .issue_cmd(SessionPost {
            path: "se/log",
            body: serde_json::json!({ "type": "browser" }),
        })
        .await
        .expect("read the browser's console log");
    log.as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["level"] == "SEVERE")
        .map(|e| e["message"].as_str().unwrap_or_default().to_owned())
        .collect()
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Small conveniences over fantoccini for readable tests.
pub struct Page<'a> {
    pub c: &'a Client,
}

impl Page<'_> {
    pub async fn fill(&self, css: &str, text: &str) {
        let el = self
            .c
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        el.clear().await.expect("clear");
        el.send_keys(text).await.expect("type");
    }

    /// Clicks something that loads a new page (a link or a form button) and waits
    /// until the new page has replaced the old one.
    pub async fn click(&self, css: &str) {
        let el = self
            .c
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        let old = self.c.find(Locator::Css("html")).await.expect("html");
        self.click_in_view(&el, css).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while old.tag_name().await.is_ok() {
            assert!(
                Instant::now() < deadline,
                "clicking {css} did not load a page"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        while self
            .c
            .execute("return document.readyState", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            != Some("complete".to_owned())
        {
            assert!(
                Instant::now() < deadline,
                "page after {css} did not finish loading"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Clicks something that changes the current page in place (no navigation).
    pub async fn press(&self, css: &str) {
        let el = self
            .c
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        self.click_in_view(&el, css).await;
    }

    /// Clicks `el` once it is in the middle of the screen. Content the page's
    /// script adds meanwhile (the live coach under a text box) can push it
    /// back under the fixed tab bar between the scroll and the click; the
    /// browser then refuses the click ("intercepted") and nothing happens, so
    /// it is scrolled and tried again, for up to two seconds.
    async fn click_in_view(&self, el: &fantoccini::elements::Element, css: &str) {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            self.center(el).await;
            match el.click().await {
                Ok(()) => return,
                Err(e) if e.to_string().contains("intercepted") && Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("click {css}: {e}"),
            }
        }
    }

    /// Scrolls `el` to the middle of the screen, clear of the app's fixed top
    /// and tab bars (a click at the screen's edge would land on them).
    async fn center(&self, el: &fantoccini::elements::Element) {
        let arg = serde_json::to_value(el).expect("element reference");
        self.c
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});",
                vec![arg],
            )
            .await
            .expect("scroll into view");
    }

    pub async fn text(&self, css: &str) -> String {
        let el = self
            .c
            .wait()
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        el.text().await.expect("text")
    }

    /// Signs in through the sign-in form at `signin_url` with the test password.
    pub async fn sign_in(&self, signin_url: &str, email: &str) {
        self.c
            .goto(signin_url)
            .await
            .expect("open the sign-in page");
        self.fill("#email", email).await;
        self.fill("#password", "correct horse battery").await;
        self.click("form[action='/signin'] button[type=submit]")
            .await;
    }

    pub async fn source(&self) -> String {
        self.c.source().await.expect("source")
    }

    pub async fn path(&self) -> String {
        self.c.current_url().await.expect("url").path().to_owned()
    }

    /// Waits until the page source contains `needle` (for live updates).
    pub async fn wait_for_text(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if self.source().await.contains(needle) {
                return;
            }
            assert!(Instant::now() < deadline, "page never showed {needle:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
