//! Helpers more than one test module uses.

use fantoccini::Client;
use rekindle_storage::Backend;
use rekindle_testkit::browser::{Driver, Page};
use rekindle_testkit::{ApiPerson, TestApp, backends, couple};
use reqwest::Method;

/// The body of `path` as a visitor without a session sees it.
pub async fn get_text(app: &TestApp, path: &str) -> String {
    app.client()
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The sum of the samples of `name` whose labels contain every one of `labels`
/// (e.g. `route="/healthz"`) in a Prometheus exposition; 0 when there is none.
/// The recorder is process-wide and every test shares the process, so tests
/// compare a metric before and after what they did, never its mere presence.
pub fn metric(exposition: &str, name: &str, labels: &[&str]) -> f64 {
    exposition
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let labelled = series.strip_prefix(name)?;
            let matches = (labelled.is_empty() || labelled.starts_with('{'))
                && labels.iter().all(|want| labelled.contains(want));
            matches.then(|| value.parse::<f64>().ok()).flatten()
        })
        .sum()
}

/// Runs a browser flow once per backend with one chromedriver.
pub async fn in_a_browser(flow: impl AsyncFn(&Driver, Backend)) {
    let driver = Driver::start().await;
    for b in backends() {
        flow(&driver, b).await;
    }
}

/// The couple (`couple`: Ana and Ben), each signed in in a browser of their own.
pub async fn couple_in_browsers(
    driver: &Driver,
    app: &TestApp,
) -> (ApiPerson, ApiPerson, Client, Client) {
    let (ana, ben) = couple(app).await;
    let ca = driver.browser().await;
    let cb = driver.browser().await;
    Page { c: &ca }
        .sign_in(&app.url("/signin"), "ana@example.org")
        .await;
    Page { c: &cb }
        .sign_in(&app.url("/signin"), "ben@example.org")
        .await;
    (ana, ben, ca, cb)
}

/// Everything `p` exports (the zip's entries are stored uncompressed, so the
/// archive can be searched as text).
pub async fn export_text(p: &ApiPerson) -> String {
    let r = p.req(Method::GET, "/api/v1/export").send().await.unwrap();
    assert_eq!(r.status(), 200);
    String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned()
}
