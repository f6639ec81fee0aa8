//! The JSON API on both databases: accounts, the space, the journal's privacy,
//! problem details, and the OpenAPI document.

use rekindle_testkit::{TestApp, backends, couple};
use reqwest::Method;
use serde_json::{Value, json};

use crate::support::metric;

#[tokio::test]
async fn sign_up_sign_in_and_tokens() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let a = app.api_person("Ana@Example.org", "Ana").await;
        let (s, me) = a.get_json("/api/v1/me").await;
        assert_eq!(s, 200);
        assert_eq!(
            me["email"], "ana@example.org",
            "emails are stored normalized"
        );
        assert_eq!(me["time_zone"], "UTC");

        let (s, me) = a
            .send_json(
                Method::PATCH,
                "/api/v1/me",
                json!({"display_name": "Ana M", "time_zone": "Europe/Paris"}),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(
            (me["display_name"].as_str(), me["time_zone"].as_str()),
            (Some("Ana M"), Some("Europe/Paris"))
        );
        let (s, p) = a
            .send_json(
                Method::PATCH,
                "/api/v1/me",
                json!({"time_zone": "Moon/Base"}),
            )
            .await;
        assert_eq!(s, 422);
        assert!(p["errors"]["time_zone"].is_string(), "{p}");

        // Duplicate email: a field error, not a crash.
        let r = app.client().post(app.url("/api/v1/accounts"))
            .json(&json!({"email": "ana@example.org", "password": "another long one", "display_name": "X"}))
            .send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.headers()["content-type"], "application/problem+json");

        // Wrong password and unknown email get the same answer.
        let mut answers = Vec::new();
        for (email, pw) in [
            ("ana@example.org", "wrong password!"),
            ("nobody@example.org", "wrong password!"),
        ] {
            let r = app
                .client()
                .post(app.url("/api/v1/auth/token"))
                .json(&json!({"email": email, "password": pw}))
                .send()
                .await
                .unwrap();
            answers.push((
                r.status().as_u16(),
                r.json::<Value>().await.unwrap()["detail"].clone(),
            ));
        }
        assert_eq!(answers[0], answers[1]);
        assert_eq!(answers[0].0, 422);

        // Tokens: list, create, revoke; a revoked token stops working.
        let (s, t) = a
            .send_json(Method::POST, "/api/v1/tokens", json!({"name": "script"}))
            .await;
        assert_eq!(s, 201);
        let (_, list) = a.get_json("/api/v1/tokens").await;
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(
            list.to_string()
                .find(t["token"].as_str().unwrap())
                .is_none(),
            "secrets are never listed"
        );
        let (s, _) = a
            .send_json(
                Method::DELETE,
                &format!("/api/v1/tokens/{}", t["id"].as_str().unwrap()),
                json!({}),
            )
            .await;
        assert_eq!(s, 204);
        let r = app
            .client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(t["token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);

        // Password change: old password no longer works.
        let (s, _) = a
            .send_json(
                Method::PUT,
                "/api/v1/me/password",
                json!({"current_password": "nope", "new_password": "a brand new password"}),
            )
            .await;
        assert_eq!(s, 422);
        let (s, _) = a.send_json(Method::PUT, "/api/v1/me/password", json!({"current_password": "correct horse battery", "new_password": "a brand new password"})).await;
        assert_eq!(s, 204);
        let r = app
            .client()
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "ana@example.org", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "the old password no longer signs in");
    }
}

#[tokio::test]
async fn bad_input_gets_problem_details() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        let r = c
            .post(app.url("/api/v1/accounts"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        let p: Value = r.json().await.unwrap();
        assert_eq!(p["status"], 400);
        assert!(p["detail"].as_str().unwrap().contains("JSON"));

        let r = c
            .post(app.url("/api/v1/accounts"))
            .json(&json!({"email": "bad", "password": "short", "display_name": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let p: Value = r.json().await.unwrap();
        for f in ["email", "password", "display_name"] {
            assert!(p["errors"][f].is_string(), "missing error for {f}: {p}");
        }
        let r = c.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let r = c.get(app.url("/api/v1/nothing-here")).send().await.unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(r.headers()["content-type"], "application/problem+json");
        // Oversized bodies are refused with a problem, not a dropped connection.
        let a = app.api_person("big@example.org", "Big").await;
        let huge = "x".repeat(400 * 1024);
        let (s, _) = a
            .send_json(Method::POST, "/api/v1/journal", json!({"body": huge}))
            .await;
        assert_eq!(s, 413);
    }
}

#[tokio::test]
async fn the_journal_keeps_private_entries_private() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (a, bee) = couple(&app).await;
        let outsider = app.api_person("xena@example.org", "Xena").await;

        let (s, private) = a
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"title": "mine", "body": "PRIVATE-7f3a only for me"}),
            )
            .await;
        assert_eq!(s, 201);
        assert_eq!(private["visibility"], "private");
        let (_, shared) = a
            .send_json(
                Method::POST,
                "/api/v1/journal",
                json!({"body": "SHARED-91bc for both of us"}),
            )
            .await;
        let shared_id = shared["id"].as_str().unwrap().to_owned();
        let private_id = private["id"].as_str().unwrap().to_owned();
        let (s, _) = a
            .send_json(
                Method::PATCH,
                &format!("/api/v1/journal/{shared_id}"),
                json!({"visibility": "shared"}),
            )
            .await;
        assert_eq!(s, 200);

        let (_, list) = bee.get_json("/api/v1/journal").await;
        let text = list.to_string();
        assert!(text.contains("SHARED-91bc"));
        assert!(
            !text.contains("PRIVATE-7f3a"),
            "private text reached the partner"
        );
        assert_eq!(
            bee.get_json(&format!("/api/v1/journal/{private_id}"))
                .await
                .0,
            404
        );
        assert_eq!(
            bee.get_json(&format!("/api/v1/journal/{shared_id}"))
                .await
                .0,
            200
        );
        // The partner may read but never change or delete.
        assert_eq!(
            bee.send_json(
                Method::PATCH,
                &format!("/api/v1/journal/{shared_id}"),
                json!({"body": "changed"})
            )
            .await
            .0,
            404
        );
        assert_eq!(
            bee.send_json(
                Method::DELETE,
                &format!("/api/v1/journal/{shared_id}"),
                json!({})
            )
            .await
            .0,
            404
        );
        // Outsiders see nothing at all.
        let (_, list) = outsider.get_json("/api/v1/journal").await;
        assert_eq!(list, json!([]));
        assert_eq!(
            outsider
                .get_json(&format!("/api/v1/journal/{shared_id}"))
                .await
                .0,
            404
        );

        // Unsharing hides it again.
        a.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{shared_id}"),
            json!({"visibility": "private"}),
        )
        .await;
        assert!(
            !bee.get_json("/api/v1/journal")
                .await
                .1
                .to_string()
                .contains("SHARED-91bc")
        );

        // Step 2 of the journey follows what was shared.
        a.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{shared_id}"),
            json!({"visibility": "shared"}),
        )
        .await;
        let (_, j) = bee.get_json("/api/v1/journey").await;
        assert_eq!(j[1]["progress"], "begun");
        let (_, e) = bee
            .send_json(Method::POST, "/api/v1/journal", json!({"body": "from ben"}))
            .await;
        bee.send_json(
            Method::PATCH,
            &format!("/api/v1/journal/{}", e["id"].as_str().unwrap()),
            json!({"visibility": "shared"}),
        )
        .await;
        let (_, j) = a.get_json("/api/v1/journey").await;
        assert_eq!(j.as_array().unwrap().len(), 7);
        assert_eq!(j[1]["progress"], "done");
        // Talk room: step 1 has its tool now.
        assert_eq!(j[0]["progress"], "not_started");
    }
}

#[tokio::test]
async fn invitations_are_single_use_and_revocable() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let a = app.api_person("a@example.org", "A").await;
        let bee = app.api_person("b@example.org", "B").await;
        let c = app.api_person("c@example.org", "C").await;
        assert_eq!(
            a.send_json(Method::POST, "/api/v1/space/invitations", json!({}))
                .await
                .0,
            409,
            "no space yet"
        );
        a.send_json(Method::POST, "/api/v1/space", json!({})).await;
        let (_, inv) = a
            .send_json(Method::POST, "/api/v1/space/invitations", json!({}))
            .await;
        let code = inv["code"].as_str().unwrap();
        assert!(code.len() >= 22, "at least 128 bits");
        assert!(
            inv["url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/join/{code}"))
        );
        let (_, list) = a.get_json("/api/v1/space/invitations").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        // Revoke it: the link dies.
        assert_eq!(
            a.send_json(
                Method::DELETE,
                &format!("/api/v1/space/invitations/{}", inv["id"].as_str().unwrap()),
                json!({})
            )
            .await
            .0,
            204
        );
        assert_eq!(
            bee.send_json(
                Method::POST,
                &format!("/api/v1/invitations/{code}/accept"),
                json!({})
            )
            .await
            .0,
            409
        );
        // A new link works once.
        let (_, inv) = a
            .send_json(Method::POST, "/api/v1/space/invitations", json!({}))
            .await;
        let code = inv["code"].as_str().unwrap();
        assert_eq!(
            bee.get_json(&format!("/api/v1/invitations/{code}")).await.1["inviter_name"],
            "A"
        );
        assert_eq!(
            bee.send_json(
                Method::POST,
                &format!("/api/v1/invitations/{code}/accept"),
                json!({})
            )
            .await
            .0,
            200
        );
        assert_eq!(
            c.send_json(
                Method::POST,
                &format!("/api/v1/invitations/{code}/accept"),
                json!({})
            )
            .await
            .0,
            409
        );
        assert_eq!(
            c.get_json(&format!("/api/v1/invitations/{code}")).await.0,
            404
        );
        let (_, space) = bee.get_json("/api/v1/space").await;
        assert_eq!(space["partner"]["display_name"], "A");
        // Leaving.
        assert_eq!(
            bee.send_json(Method::DELETE, "/api/v1/space", json!({}))
                .await
                .0,
            204
        );
        assert_eq!(bee.get_json("/api/v1/space").await.0, 404);
        assert!(a.get_json("/api/v1/space").await.1["partner"].is_null());
    }
}

#[tokio::test]
async fn openapi_document_describes_every_api_route() {
    let app = TestApp::spawn(rekindle_storage::Backend::Sqlite).await;
    let doc: Value = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for spec in rekindle_web::route_specs()
        .into_iter()
        .filter(|s| s.path.starts_with("/api/v1/"))
    {
        let op = &doc["paths"][spec.path][spec.method.to_lowercase()];
        assert!(
            op.is_object(),
            "{} {} is served but not in the OpenAPI document",
            spec.method,
            spec.path
        );
    }
    let paths = doc["paths"].as_object().unwrap();
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            assert!(
                rekindle_web::route_specs()
                    .iter()
                    .any(|s| s.path == path && s.method.eq_ignore_ascii_case(method)),
                "the document lists {method} {path}, which is not served"
            );
        }
    }
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let c = app.client();
        // The recorder is shared by every test in this process: count the change.
        let healthz = [r#"route="/healthz""#, r#"status="200""#];
        let before = metric(&app.metrics_text().await, "http_requests_total", &healthz);
        assert_eq!(
            c.get(app.url("/healthz")).send().await.unwrap().status(),
            200
        );
        assert_eq!(
            c.get(app.url("/readyz")).send().await.unwrap().status(),
            200
        );
        let text = app.metrics_text().await;
        assert!(text.contains("http_requests_total"), "{text}");
        assert!(text.contains("route=\"/healthz\""));
        assert!(
            metric(&text, "http_requests_total", &healthz) > before,
            "this test's /healthz is counted: {text}"
        );
        assert!(text.contains("http_request_duration_seconds_bucket"));
        assert!(text.contains("db_pool_connections"));
        app.db.repo.close().await;
        assert_eq!(
            c.get(app.url("/readyz")).send().await.unwrap().status(),
            503
        );
    }
}

#[tokio::test]
async fn the_coach_api_returns_the_builder_and_the_document_declares_it() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (ana, _ben) = couple(&app).await;
        let (status, a) = ana
            .send_json(
                Method::POST,
                "/api/v1/coach/analyze",
                json!({"text": "You left your dishes in the sink again."}),
            )
            .await;
        assert_eq!(status, 200);
        assert_eq!(
            a["builder"]["observation"], "you left your dishes in the sink",
            "{a}"
        );
        assert!(a["builder"]["feeling_choices"].as_array().unwrap().len() > 1);
        let (_, calm) = ana
            .send_json(
                Method::POST,
                "/api/v1/coach/analyze",
                json!({"text": "Dinner at seven?"}),
            )
            .await;
        assert!(calm["builder"].is_null(), "{calm}");
    }
    let app = TestApp::spawn(rekindle_storage::Backend::Sqlite).await;
    let doc: Value = app
        .client()
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["AnalysisOut"]["properties"]["builder"].is_object(),
        "{}",
        schemas["AnalysisOut"]
    );
    let builder = &schemas["BuilderOut"]["properties"];
    for field in [
        "sense",
        "observation",
        "feeling",
        "feeling_choices",
        "need",
        "need_choices",
        "request",
        "text",
    ] {
        assert!(builder[field].is_object(), "BuilderOut.{field}: {builder}");
    }
}
