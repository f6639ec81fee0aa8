//! What the multi-process tests share: a `rekindle serve` child process on a
//! free port, and people who use it through the API with a personal token.

#![allow(dead_code)] // each test binary uses a different part

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub struct Node {
    child: Child,
    pub base: String,
    pub addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `rekindle serve` on `db_url` ("": SQLite) with `extra` flags and waits until ready.
pub async fn start(db_url: &str, extra: &[&str]) -> Node {
    let dir = tempfile::tempdir().unwrap();
    // An empty URL: SQLite in the node's data dir.
    let mut args: Vec<String> = if db_url.is_empty() {
        Vec::new()
    } else {
        vec!["--database-url".to_owned(), db_url.to_owned()]
    };
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args.push("--data-dir".into());
    args.push(dir.path().to_str().unwrap().to_owned());
    launch(args, dir).await
}

/// Starts `rekindle serve` on the SQLite database in `data_dir`.
pub async fn start_sqlite(data_dir: &std::path::Path, extra: &[&str]) -> Node {
    let mut args = vec![
        "--data-dir".to_owned(),
        data_dir.to_str().unwrap().to_owned(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    launch(args, tempfile::tempdir().unwrap()).await
}

async fn launch(args: Vec<String>, dir: tempfile::TempDir) -> Node {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args([
            "serve",
            "--listen",
            &addr,
            "--auth-attempts-per-ip",
            "10000",
        ])
        .args(&args)
        .env("RUST_LOG", "warn")
        .env_remove("REKINDLE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start rekindle serve");
    let node = Node {
        child,
        base: format!("http://{addr}"),
        addr,
        _dir: dir,
    };
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{}/readyz", node.base)).send().await
            && r.status() == 200
        {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("rekindle serve on {} did not become ready", node.addr);
}

pub struct Person {
    pub token: String,
    pub base: String,
    pub client: reqwest::Client,
}

impl Person {
    pub fn req(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token)
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let r = self.req(method, path).json(&body).send().await.unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The same person with the same token, through another node.
    pub fn via(&self, node: &Node) -> Person {
        Person {
            token: self.token.clone(),
            base: node.base.clone(),
            client: self.client.clone(),
        }
    }

    /// Like `send`, for calls that must succeed.
    pub async fn ok(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let (s, v) = self.send(method, path, body).await;
        assert!((200..300).contains(&s), "{path}: {s} {v}");
        v
    }
}

/// Signs up through `node` and returns the person with a fresh token.
pub async fn person(node: &Node, email: &str) -> Person {
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/v1/accounts", node.base))
        .json(&json!({"email": email, "password": "correct horse battery", "display_name": email}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r = client
        .post(format!("{}/api/v1/auth/token", node.base))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    Person {
        token: v["token"].as_str().unwrap().to_owned(),
        base: node.base.clone(),
        client,
    }
}

/// Signs in through `node` (the account exists) and returns the person with a fresh token.
pub async fn sign_in(node: &Node, email: &str, password: &str) -> Option<Person> {
    let client = reqwest::Client::new();
    let r = client
        .post(format!("{}/api/v1/auth/token", node.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    if !r.status().is_success() {
        return None;
    }
    let v: Value = r.json().await.unwrap();
    Some(Person {
        token: v["token"].as_str().unwrap().to_owned(),
        base: node.base.clone(),
        client,
    })
}

/// Runs the `rekindle` binary with `args`; returns success and what it printed.
pub fn rekindle(args: &[&str]) -> (bool, String) {
    rekindle_with_input(args, "")
}

/// Runs the `rekindle` binary with `args` and `input` on its standard input.
pub fn rekindle_with_input(args: &[&str], input: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("REKINDLE_DATABASE_URL")
        .env_remove("REKINDLE_DATA_DIR")
        .env_remove("REKINDLE_PUBLIC_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run rekindle");
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    let out = child.wait_with_output().expect("rekindle output");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Ana through `a` creates a space; Ben through `b` joins it.
pub async fn couple(a: &Node, b: &Node) -> (Person, Person) {
    let ana = person(a, "ana@example.org").await;
    let ben = person(b, "ben@example.org").await;
    ana.ok(reqwest::Method::POST, "/api/v1/space", json!({}))
        .await;
    let inv = ana
        .ok(
            reqwest::Method::POST,
            "/api/v1/space/invitations",
            json!({}),
        )
        .await;
    let code = inv["code"].as_str().unwrap();
    ben.ok(
        reqwest::Method::POST,
        &format!("/api/v1/invitations/{code}/accept"),
        json!({}),
    )
    .await;
    (ana, ben)
}

/// A browser without JavaScript: keeps cookies by hand (name=value pairs).
pub struct Browser {
    pub base: String,
    pub cookies: std::collections::BTreeMap<String, String>,
    client: reqwest::Client,
}

impl Browser {
    pub fn new(node: &Node) -> Self {
        Browser {
            base: node.base.clone(),
            cookies: Default::default(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        }
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().unwrap();
            let pair = v.split(';').next().unwrap();
            let (k, val) = pair.split_once('=').unwrap();
            if val.is_empty() || v.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), val.to_owned());
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// GET: status, body, and the form token in the page.
    pub async fn get(&mut self, path: &str) -> (u16, String, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let s = r.status().as_u16();
        let html = r.text().await.unwrap();
        let marker = "name=\"_csrf\" value=\"";
        let csrf = html
            .find(marker)
            .map(|i| {
                html[i + marker.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .unwrap_or_default();
        (s, html, csrf)
    }

    /// POST a form: status and where it redirects.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>) {
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header("cookie", self.cookie_header())
            .form(form)
            .send()
            .await
            .unwrap();
        self.keep(&r);
        let loc = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (r.status().as_u16(), loc)
    }

    /// Signs in through the sign-in form.
    pub async fn sign_in(&mut self, email: &str, password: &str) -> u16 {
        let (_, _, csrf) = self.get("/signin").await;
        self.post(
            "/signin",
            &[("_csrf", &csrf), ("email", email), ("password", password)],
        )
        .await
        .0
    }
}

/// A talk's WebSocket on one server, opened with a person's token.
pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn talk_socket(node: &Node, who: &Person, talk: &str) -> Ws {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = format!("ws://{}/talks/{talk}/ws", node.addr)
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {}", who.token).parse().unwrap(),
    );
    tokio_tungstenite::connect_async(req)
        .await
        .expect("socket")
        .0
}

/// Reads a talk's socket until its state reaches `seq`; returns the events
/// seen on the way and that state message. A refusal fails the test.
pub async fn until_state(ws: &mut Ws, seq: i64) -> (Vec<Value>, Value) {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut events = Vec::new();
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .unwrap_or_else(|_| panic!("no state at seq {seq} in time; saw {events:?}"))
            .expect("open")
            .expect("frame");
        let Message::Text(t) = msg else { continue };
        let m: Value = serde_json::from_str(t.as_str()).unwrap();
        match m["type"].as_str() {
            Some("event") => events.push(m),
            Some("state") if m["seq"].as_i64().unwrap_or(0) >= seq => return (events, m),
            Some("error") => panic!("refused: {m}"),
            _ => {}
        }
    }
}

/// Reads a talk's socket until the refusal of a command; returns its code.
pub async fn refusal(ws: &mut Ws) -> String {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("an answer in time")
            .expect("open")
            .expect("frame");
        let Message::Text(t) = msg else { continue };
        let m: Value = serde_json::from_str(t.as_str()).unwrap();
        match m["type"].as_str() {
            Some("error") => return m["code"].as_str().unwrap_or_default().to_owned(),
            Some("ack") => panic!("accepted, but should be refused: {m}"),
            _ => {}
        }
    }
}
