//! Rekindle as an installable web app: the manifest, the service worker and the
//! page it shows when the phone is offline.
//!
//! The service worker caches only the static shell (styles, scripts, icons) and
//! the offline page, which is the same for everybody. Pages, API answers and
//! anything a person wrote never enter Cache Storage: on a shared device the
//! browser's storage must not hold what a partner marked private.

use std::sync::OnceLock;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::http::assets;
use crate::http::error::PageResult;
use crate::state::AppState;
use crate::view::{Chrome, render};

/// The files the service worker keeps for offline use.
const SHELL: &[&str] = &[
    "/offline",
    "/static/app.css",
    "/static/app.js",
    "/static/icons/app-192.png",
    "/static/icons/app.svg",
];

#[derive(Deserialize)]
pub struct ManifestQuery {
    /// `neutral`: a plain name and icon for people who need discretion.
    look: Option<String>,
}

pub async fn manifest(State(state): State<AppState>, Query(q): Query<ManifestQuery>) -> Response {
    let neutral = q.look.as_deref() == Some("neutral");
    let (name, short_name, icon) = if neutral {
        ("Notes".to_owned(), "Notes".to_owned(), "neutral")
    } else {
        let n = state.config.instance_name.clone();
        (n.clone(), n, "app")
    };
    let body = json!({
        "id": "/",
        "name": name,
        "short_name": short_name,
        "description": if neutral { "Notes" } else { "Exercises for two, to grow close again." },
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "background_color": "#fbf6f1",
        "theme_color": "#7a3514",
        "icons": [
            { "src": format!("/static/icons/{icon}-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any" },
            { "src": format!("/static/icons/{icon}-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any" },
            { "src": format!("/static/icons/{icon}-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable" },
            { "src": format!("/static/icons/{icon}.svg"), "sizes": "any", "type": "image/svg+xml", "purpose": "any" }
        ]
    });
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body.to_string(),
    )
        .into_response()
}

/// A name for this version of the shell: it changes whenever an asset does, so
/// an updated server replaces the old cache.
fn shell_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h = Sha256::new();
        for path in shell() {
            if let Some(file) = path.strip_prefix("/static/").and_then(assets::get) {
                h.update(file.as_ref());
            }
        }
        h.update(include_bytes!("sw.js"));
        let d = h.finalize();
        d[..6].iter().map(|b| format!("{b:02x}")).collect()
    })
}

/// The shell's files that this build has (a missing one would make the
/// worker's installation fail as a whole).
fn shell() -> impl Iterator<Item = &'static str> {
    SHELL
        .iter()
        .copied()
        .filter(|path| match path.strip_prefix("/static/") {
            Some(file) => assets::get(file).is_some(),
            None => true,
        })
}

pub async fn service_worker() -> Response {
    let shell: Vec<String> = shell().map(|s| format!("{s:?}")).collect();
    let script = include_str!("sw.js")
        .replace("__VERSION__", shell_version())
        .replace("__SHELL__", &shell.join(", "));
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Browsers check for a new worker on navigation; never keep it long.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        script,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "offline.html")]
struct OfflinePage {
    c: Chrome,
}

/// The same for everybody (it is cached): no name, no partner, nothing written.
pub async fn offline() -> PageResult {
    render(&OfflinePage {
        c: Chrome::anonymous("You are offline", String::new()),
    })
}
