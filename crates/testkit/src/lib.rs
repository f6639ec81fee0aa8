//! Test support shared by the integration suites.
//!
//! Every test gets a fresh database: a temporary SQLite directory, or a new
//! PostgreSQL database on the throwaway cluster that `scripts/test` starts
//! (`REKINDLE_TEST_PG_URL`). PostgreSQL is never skipped silently: without the
//! variable a test fails unless `REKINDLE_TEST_SKIP_PG=1` says so out loud.

pub mod browser;
// Web Push
pub mod push;
// Reminders
pub mod smtp;

use std::net::SocketAddr;

use rand::Rng;
use rekindle_storage::{Backend, Repo};
use rekindle_web::{AppState, Config, PasswordHashing};
use sqlx::Connection;

pub const PG_ENV: &str = "REKINDLE_TEST_PG_URL";

/// The backends every storage and API test runs on.
/// Any of the storage ids from its text, its type taken from where it goes:
/// `repo.space_of(&id("a"))` reads a `UserId`.
pub fn id<T: for<'a> From<&'a str>>(text: &str) -> T {
    T::from(text)
}

pub fn backends() -> Vec<Backend> {
    if std::env::var(PG_ENV).is_ok_and(|v| !v.is_empty()) {
        return vec![Backend::Sqlite, Backend::Postgres];
    }
    if std::env::var("REKINDLE_TEST_SKIP_PG").is_ok_and(|v| v == "1") {
        eprintln!(
            "WARNING: REKINDLE_TEST_SKIP_PG=1: running on SQLite only; PostgreSQL is NOT tested"
        );
        return vec![Backend::Sqlite];
    }
    panic!(
        "{PG_ENV} is not set. Run the suite with ./scripts/test (it starts a throwaway PostgreSQL), \
         or set REKINDLE_TEST_SKIP_PG=1 to run on SQLite only."
    );
}

/// A fresh, migrated database. Keeps its temporary directory alive.
pub struct TestDb {
    pub repo: Repo,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let repo = Repo::open_sqlite(dir.path()).await.expect("open sqlite");
            TestDb {
                repo,
                backend,
                _dir: Some(dir),
            }
        }
        Backend::Postgres => {
            let url = fresh_pg_database().await;
            let repo = Repo::open_postgres(&url, 8).await.expect("open postgres");
            TestDb {
                repo,
                backend,
                _dir: None,
            }
        }
    }
}

/// Creates an empty database on the test cluster and returns its URL.
pub async fn fresh_pg_database() -> String {
    let admin = std::env::var(PG_ENV).expect("REKINDLE_TEST_PG_URL");
    let name = format!("rk_test_{:016x}", rand::rng().random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("connect to test cluster");
    let sql = format!("CREATE DATABASE {name}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&mut conn)
        .await
        .expect("create database");
    let _ = conn.close().await;
    replace_db_name(&admin, &name)
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let root = match path_start {
        Some(i) => &base[..i],
        None => base,
    };
    match query {
        Some(q) => format!("{root}/{name}?{q}"),
        None => format!("{root}/{name}"),
    }
}

pub fn test_config() -> Config {
    Config {
        password_hashing: PasswordHashing::FastInsecure,
        auth_attempts_per_ip: 10_000,
        auth_failures_per_account: 10_000,
        ..Config::default()
    }
}

/// A running app on a random loopback port.
pub struct TestApp {
    pub addr: SocketAddr,
    pub db: TestDb,
    /// The app's clock; `advance` it to skip waiting (shared with the server).
    pub clock: rekindle_web::Clock,
    /// Where `/metrics` is served (a listener of its own, as `--metrics-listen`).
    pub metrics_addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    metrics: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, test_config()).await
    }

    pub async fn spawn_with(backend: Backend, config: Config) -> Self {
        let db = fresh_db(backend).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let clock = config.clock.clone();
        let state = AppState::new(db.repo.clone(), config);
        let metrics_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind metrics");
        let metrics_addr = metrics_listener.local_addr().expect("addr");
        let metrics = tokio::spawn(rekindle_web::serve_metrics(metrics_listener, state.clone()));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = rekindle_web::serve(listener, state, async {
                let _ = rx.await;
            })
            .await;
        });
        TestApp {
            addr,
            db,
            clock,
            metrics_addr,
            shutdown: Some(tx),
            metrics,
        }
    }

    /// The Prometheus exposition, from the metrics listener.
    pub async fn metrics_text(&self) -> String {
        reqwest::get(format!("http://{}/metrics", self.metrics_addr))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text")
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with its own cookie jar that does not follow redirects.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// Signs up through the API and returns a personal token for the new person.
    pub async fn api_person(&self, email: &str, name: &str) -> ApiPerson {
        let c = self.client();
        let r = c
            .post(self.url("/api/v1/accounts"))
            .json(&serde_json::json!({"email": email, "password": "correct horse battery", "display_name": name}))
            .send()
            .await
            .expect("sign up");
        assert_eq!(
            r.status(),
            201,
            "sign up {email}: {}",
            r.text().await.unwrap_or_default()
        );
        let r = c
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await
            .expect("token");
        assert_eq!(r.status(), 201);
        let v: serde_json::Value = r.json().await.expect("json");
        ApiPerson {
            token: v["token"].as_str().expect("token").to_owned(),
            base: self.url(""),
            client: self.client(),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.metrics.abort();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Someone using the API with a bearer token.
pub struct ApiPerson {
    pub token: String,
    pub base: String,
    pub client: reqwest::Client,
}

impl ApiPerson {
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(&self.token)
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self
            .req(reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let r = self
            .req(method, path)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// Two partners sharing a space, made through the API.
pub async fn couple(app: &TestApp) -> (ApiPerson, ApiPerson) {
    let a = app.api_person("ana@example.org", "Ana").await;
    let b = app.api_person("ben@example.org", "Ben").await;
    let (s, _) = a
        .send_json(
            reqwest::Method::POST,
            "/api/v1/space",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, inv) = a
        .send_json(
            reqwest::Method::POST,
            "/api/v1/space/invitations",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 201);
    let code = inv["code"].as_str().expect("code").to_owned();
    let (s, _) = b
        .send_json(
            reqwest::Method::POST,
            &format!("/api/v1/invitations/{code}/accept"),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(s, 200);
    (a, b)
}

/// Someone using the HTML pages, with a cookie jar and the CSRF token of their page.
pub struct HtmlPerson {
    pub client: reqwest::Client,
    pub csrf: String,
    pub base: String,
}

/// Pulls the CSRF token out of a page (`<meta name="csrf-token">` or a form field).
pub fn csrf_in(html: &str) -> Option<String> {
    for marker in ["name=\"csrf-token\" content=\"", "name=\"_csrf\" value=\""] {
        if let Some(i) = html.find(marker) {
            let rest = &html[i + marker.len()..];
            return rest.split('"').next().map(str::to_owned);
        }
    }
    None
}

impl TestApp {
    /// An anonymous visitor who has loaded the sign-in page (and so holds a form token).
    pub async fn html_visitor(&self) -> HtmlPerson {
        let client = self.client();
        let html = client
            .get(self.url("/signin"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        HtmlPerson {
            client,
            csrf: csrf_in(&html).expect("csrf on sign-in page"),
            base: self.url(""),
        }
    }

    /// Signs in through the sign-in form.
    pub async fn html_person(&self, email: &str) -> HtmlPerson {
        let v = self.html_visitor().await;
        let r = v
            .client
            .post(self.url("/signin"))
            .form(&[
                ("_csrf", v.csrf.as_str()),
                ("email", email),
                ("password", "correct horse battery"),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(r.status(), 303, "sign in as {email}");
        let html = v
            .client
            .get(self.url("/settings"))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("text");
        HtmlPerson {
            csrf: csrf_in(&html).expect("csrf"),
            client: v.client,
            base: v.base,
        }
    }
}

impl HtmlPerson {
    pub async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .client
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .expect("get");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    /// Posts a form with this person's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (u16, String, Option<String>) {
        let mut form: Vec<(&str, &str)> = vec![("_csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        let r = self
            .client
            .post(format!("{}{}", self.base, path))
            .form(&form)
            .send()
            .await
            .expect("post");
        let location = r
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        (
            r.status().as_u16(),
            r.text().await.unwrap_or_default(),
            location,
        )
    }
}

impl TestDb {
    /// Every row of `table` rendered as text, for tests that search the whole
    /// database (e.g. that an erased person's strings are gone).
    pub async fn dump_table(&self, table: &str) -> String {
        self.repo
            .debug_dump_table(table)
            .await
            .unwrap_or_else(|e| panic!("dump {table}: {e}"))
    }

    /// The raw bytes of the SQLite database file (after its WAL was folded in).
    pub fn sqlite_file_bytes(&self) -> String {
        let dir = self._dir.as_ref().expect("a SQLite test database");
        let mut bytes = std::fs::read(dir.path().join("rekindle.db")).expect("database file");
        if let Ok(wal) = std::fs::read(dir.path().join("rekindle.db-wal")) {
            bytes.extend(wal);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::replace_db_name;

    #[test]
    fn database_name_is_swapped_in_urls() {
        assert_eq!(
            replace_db_name("postgres://u@h:5/postgres", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            replace_db_name("postgres://u@h:5", "x"),
            "postgres://u@h:5/x"
        );
        assert_eq!(
            replace_db_name("postgres://u@h/p?sslmode=disable", "x"),
            "postgres://u@h/x?sslmode=disable"
        );
    }
}
