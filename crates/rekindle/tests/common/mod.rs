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
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_rekindle"))
        .args([
            "serve",
            "--listen",
            &addr,
            "--auth-attempts-per-ip",
            "10000",
        ])
        // An empty URL: SQLite in the node's data dir.
        .args(
            Some(["--database-url", db_url])
                .filter(|_| !db_url.is_empty())
                .into_iter()
                .flatten(),
        )
        .args(extra)
        .arg("--data-dir")
        .arg(dir.path())
        .env("RUST_LOG", "warn")
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
