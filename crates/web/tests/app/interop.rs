//! The API document as independent, widely used tools read it, on both databases:
//! `openapi-spec-validator` validates the served `/api/openapi.json`, and
//! schemathesis replays generated requests (examples, coverage, fuzzing and
//! stateful sequences) against a server with a seeded couple and checks every
//! answer against the document.
//!
//! Both tools come from PyPI; `scripts/test` installs them into a virtualenv and
//! exports `REKINDLE_TEST_VENV`. Without it the tests look on `PATH` and fail
//! with a clear message when the tools are missing (they never skip).

use std::path::PathBuf;
use std::process::Stdio;

use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

/// A Python tool from the test virtualenv (or `PATH`).
fn python_tool(name: &str) -> PathBuf {
    if let Ok(venv) = std::env::var("REKINDLE_TEST_VENV") {
        let p = PathBuf::from(venv).join("bin").join(name);
        assert!(
            p.exists(),
            "{} is missing: run scripts/test, which installs it",
            p.display()
        );
        return p;
    }
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    found.unwrap_or_else(|| {
        panic!(
            "{name} not found: run scripts/test (it installs {name} from PyPI into a virtualenv \
             and sets REKINDLE_TEST_VENV), or put it on PATH"
        )
    })
}

async fn served_document(app: &TestApp) -> String {
    let r = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.text().await.unwrap()
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rekindle-{label}-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Runs `openapi-spec-validator` on a document; its verdict and output.
async fn validate(doc: &str) -> (bool, String) {
    let dir = temp_dir("openapi");
    let file = dir.join("openapi.json");
    std::fs::write(&file, doc).unwrap();
    let out = tokio::process::Command::new(python_tool("openapi-spec-validator"))
        .arg(&file)
        .output()
        .await
        .expect("run openapi-spec-validator");
    let _ = std::fs::remove_dir_all(&dir);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn the_served_document_passes_openapi_spec_validator() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let doc = served_document(&app).await;
        let (ok, out) = validate(&doc).await;
        assert!(
            ok,
            "{b:?}: openapi-spec-validator rejects the document:\n{out}"
        );

        // The validator itself refuses a duplicate operation id, whoever adds it:
        // give a second operation the id of the first and it must fail.
        let mut v: Value = serde_json::from_str(&doc).unwrap();
        let first_id = v["paths"]["/api/v1/me"]["get"]["operationId"]
            .as_str()
            .unwrap()
            .to_owned();
        v["paths"]["/api/v1/journal"]["get"]["operationId"] = json!(first_id);
        let (ok, out) = validate(&v.to_string()).await;
        assert!(!ok, "a duplicate operation id must be rejected");
        assert!(out.contains(&first_id), "{out}");
    }
}

/// What the seeded couple has, so that generated requests meet real content.
async fn seed(a: &ApiPerson, b: &ApiPerson) {
    let ok = |s: u16, what: &str| assert!((200..300).contains(&s), "seeding {what}: {s}");
    let (s, _) = a
        .send_json(
            Method::POST,
            "/api/v1/journal",
            json!({"body": "A quiet evening"}),
        )
        .await;
    ok(s, "journal");
    let (s, _) = a
        .send_json(
            Method::POST,
            "/api/v1/plan",
            json!({"title": "Walk together", "owner": "me", "due_date": "2027-03-06",
                   "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR"}),
        )
        .await;
    ok(s, "action");
    let (s, _) = b
        .send_json(
            Method::POST,
            "/api/v1/board/problems",
            json!({"title": "Dishes pile up in the evening"}),
        )
        .await;
    ok(s, "problem");
}

/// The summary lines schemathesis prints (operations and test cases).
fn summary(out: &str) -> String {
    out.lines()
        .filter(|l| {
            let l = l.trim_start();
            [
                "API Operations",
                "Selected",
                "Tested",
                "Skipped",
                "Test Phases",
                "Examples",
                "Coverage",
                "Fuzzing",
                "Stateful",
                "Test cases",
                "generated",
                "Failures",
                "Errors",
                "Warnings",
                "Seed",
                "Test Results",
                "No issues found",
                "Tested operations",
            ]
            .iter()
            .any(|k| l.contains(k))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Test cases per operation and phase. Two backends × ~85 operations at this
/// setting run in about two minutes on two cores.
const MAX_EXAMPLES: &str = "15";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_mismatch_between_the_document_and_the_server() {
    let schemathesis = python_tool("schemathesis");
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, ben) = couple(&app).await;
        seed(&ana, &ben).await;
        let reports = temp_dir("schemathesis");
        let run = |token: &str, filters: &[&str]| {
            let mut c = tokio::process::Command::new(&schemathesis);
            c.env("NO_COLOR", "1")
                .env("PYTHONIOENCODING", "utf-8")
                .arg("--config-file")
                .arg(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/tests/app/schemathesis.toml"
                ))
                .arg("run")
                .arg(app.url("/api/openapi.json"))
                .args(["--checks", "all"])
                .args(["--header", &format!("Authorization: Bearer {token}")])
                .args(["--max-examples", MAX_EXAMPLES])
                .args(["--phases", "examples,coverage,fuzzing,stateful"])
                .args(["--seed", "20"])
                .args(["--workers", "2"])
                .args(["--request-timeout", "10"])
                .args(["--suppress-health-check", "all"])
                .args(["--report-dir"])
                .arg(&reports)
                .args(["--report", "junit"])
                .args(filters)
                // Its cache (`.schemathesis/`) goes with the reports.
                .current_dir(&reports)
                .stdin(Stdio::null());
            c
        };
        // Operations that end the caller's access (revoking a token, which may
        // be the caller's own, and erasing the account) run last, each as a
        // person of its own, so that every other operation is exercised signed
        // in. The live stream never ends by itself; `waiting` tests it.
        let cy = app.api_person("cy@example.org", "Cy").await;
        let dee = app.api_person("dee@example.org", "Dee").await;
        let runs: [(&str, &str, Vec<&str>); 3] = [
            (
                "every operation but these",
                &ana.token,
                vec![
                    "--exclude-operation-id",
                    "revokeToken",
                    "--exclude-operation-id",
                    "eraseMe",
                    "--exclude-operation-id",
                    "streamWaitingEvents",
                ],
            ),
            (
                "revokeToken",
                &cy.token,
                vec!["--include-operation-id", "revokeToken"],
            ),
            (
                "eraseMe",
                &dee.token,
                vec!["--include-operation-id", "eraseMe"],
            ),
        ];
        for (what, token, filters) in runs {
            let out = run(token, &filters)
                .output()
                .await
                .expect("run schemathesis");
            let text = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            println!("==> schemathesis on {b:?}, {what}:\n{}", summary(&text));
            assert!(
                out.status.success(),
                "{b:?} ({what}): schemathesis found mismatches:\n{text}"
            );
            assert!(
                !text.contains("Authentication failed"),
                "{b:?} ({what}): the run lost its sign-in:\n{text}"
            );
        }
        let _ = std::fs::remove_dir_all(&reports);
    }
}
