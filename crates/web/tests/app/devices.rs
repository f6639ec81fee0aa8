//! Settings → Your devices on both databases: every signed-in browser is listed
//! with a neutral name, one can be signed out, or all others at once; the
//! discreet look changes the manifest this device installs.

use rekindle_testkit::{HtmlPerson, TestApp, backends, couple};
use serde_json::Value;

fn handles(page: &str) -> Vec<String> {
    page.split("name=\"device\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

async fn signed_in(p: &HtmlPerson) -> bool {
    p.get("/settings/devices").await.0 == 200
}

#[tokio::test]
async fn browsers_are_listed_and_signed_out_one_by_one_or_all_others() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (_ana, _ben) = couple(&app).await;
        let phone = app.html_person("ben@example.org").await;
        let laptop = app.html_person("ben@example.org").await;
        let tablet = app.html_person("ben@example.org").await;
        let (s, page) = laptop.get("/settings/devices").await;
        assert_eq!(s, 200);
        assert_eq!(page.matches("This device").count(), 1, "{b:?}");
        // The other two can be signed out from here (this one signs out normally).
        let others = handles(&page);
        assert_eq!(others.len(), 2, "{b:?}: {page}");
        assert!(page.contains("Sign out all other devices"));

        // Which handle is the phone's? Sign out each in turn and see.
        let (s, _, to) = laptop
            .post("/settings/devices/signout", &[("device", &others[0])])
            .await;
        assert_eq!(
            (s, to.as_deref()),
            (303, Some("/settings/devices?done=device-signed-out"))
        );
        let gone = [signed_in(&phone).await, signed_in(&tablet).await];
        assert_eq!(
            gone.iter().filter(|g| !**g).count(),
            1,
            "{b:?}: one signed out"
        );
        assert!(signed_in(&laptop).await);
        // Its handle no longer names anything.
        let (s, _, _) = laptop
            .post("/settings/devices/signout", &[("device", &others[0])])
            .await;
        assert_eq!(s, 404);

        let (s, _, _) = laptop.post("/settings/devices/signout-others", &[]).await;
        assert_eq!(s, 303);
        assert!(!signed_in(&phone).await && !signed_in(&tablet).await);
        assert!(signed_in(&laptop).await, "{b:?}: this device stays");
        let (_, page) = laptop.get("/settings/devices").await;
        assert!(handles(&page).is_empty());
        assert!(page.contains("Apps with a personal token"));
    }
}

#[tokio::test]
async fn the_discreet_look_is_a_device_setting_that_changes_the_manifest() {
    for b in backends() {
        let app = TestApp::spawn(b).await;
        let (_ana, _ben) = couple(&app).await;
        let phone = app.html_person("ben@example.org").await;
        let laptop = app.html_person("ben@example.org").await;
        let (_, home) = phone.get("/").await;
        assert!(home.contains("href=\"/manifest.webmanifest\""));
        let (s, _, _) = phone
            .post("/settings/devices/look", &[("look", "neutral")])
            .await;
        assert_eq!(s, 303);
        let (_, home) = phone.get("/").await;
        assert!(home.contains("href=\"/manifest.webmanifest?look=neutral\""));
        assert!(home.contains("/static/icons/neutral.svg"));
        let (_, other) = laptop.get("/").await;
        assert!(
            other.contains("href=\"/manifest.webmanifest\""),
            "only that device"
        );

        let neutral: Value = app
            .client()
            .get(app.url("/manifest.webmanifest?look=neutral"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(neutral["name"], "Notes");
        assert!(!neutral.to_string().contains("Rekindle"));
        let usual: Value = app
            .client()
            .get(app.url("/manifest.webmanifest"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(usual["name"], "Rekindle");

        let (s, _, _) = phone
            .post("/settings/devices/look", &[("look", "sparkly")])
            .await;
        assert_eq!(s, 400);
        let (s, _, _) = phone
            .post("/settings/devices/look", &[("look", "app")])
            .await;
        assert_eq!(s, 303);
        let (_, home) = phone.get("/").await;
        assert!(home.contains("href=\"/manifest.webmanifest\""));
    }
}
