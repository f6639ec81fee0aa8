//! A whole problem in two real headless Chromium sessions, on both databases:
//! the agenda (propose, accept), both brainstorm with sealed ideas, both rate,
//! the ranked board, the agreement, and an action from it on the plan, marked done.

use fantoccini::{Client, Locator};
use rekindle_storage::Backend;
use rekindle_testkit::TestApp;
use rekindle_testkit::browser::{Driver, Page};

use crate::support::{couple_in_browsers, in_a_browser};

const ANA_IDEA: &str = "SEALED-ana-idea-take-the-bus-on-fridays";
const BEN_IDEA: &str = "Ben drives, Ana has the car at weekends";

/// Picks each rating on the 0–10 scale, found by the idea in its legend.
async fn rate(c: &Client, values: &[(&str, &str)]) {
    let fields = c
        .wait()
        .for_element(Locator::Css(".rate-form"))
        .await
        .expect("rating form")
        .find_all(Locator::Css("fieldset.rating"))
        .await
        .expect("fields");
    assert_eq!(fields.len(), values.len(), "one field per idea");
    for f in fields {
        let label = f
            .find(Locator::Css("legend"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let value = values
            .iter()
            .find(|(idea, _)| label.contains(idea))
            .unwrap_or_else(|| panic!("no rating for {label}"))
            .1;
        let choice = f
            .find(Locator::Css(&format!("label.rate-{value}")))
            .await
            .unwrap();
        c.execute(
            "arguments[0].scrollIntoView({block: 'center'});",
            vec![serde_json::to_value(&choice).unwrap()],
        )
        .await
        .unwrap();
        choice.click().await.unwrap();
    }
}

async fn whole_problem(driver: &Driver, backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, ca, cb) = couple_in_browsers(driver, &app).await;
    let (a, b) = (Page { c: &ca }, Page { c: &cb });

    // Agenda: Ana names the problem; the coach reads along as she types.
    ca.goto(&app.url("/board")).await.unwrap();
    a.fill("#title", "your nagging").await;
    ca.wait()
        .for_element(Locator::Css("#title-coach .coach-finding"))
        .await
        .expect("the coach underlines the problem's name");
    a.fill("#title", "Evenings when we both need the car").await;
    a.click("form[action='/board/problems'] button[type=submit]")
        .await;
    let problem = a.path().await;
    assert!(problem.starts_with("/board/"), "{problem}");
    assert!(
        a.source().await.contains("can take it on"),
        "{}",
        a.source().await
    );

    cb.goto(&app.url("/board")).await.unwrap();
    b.click("a.problem-link").await;
    b.click("button.accept").await;
    assert!(b.source().await.contains("Collect ideas"));

    // Brainstorm: Ana's idea stays sealed from Ben until both are done.
    ca.goto(&app.url(&problem)).await.unwrap();
    a.fill("#idea", ANA_IDEA).await;
    a.click("form.add-idea button").await;
    a.click("button.finish").await;
    a.wait_for_text("You are done").await;
    cb.goto(&app.url(&problem)).await.unwrap();
    assert!(
        !b.source().await.contains(ANA_IDEA),
        "a sealed idea reached the partner"
    );
    b.fill("#idea", BEN_IDEA).await;
    b.click("form.add-idea button").await;
    assert!(!b.source().await.contains(ANA_IDEA));
    b.click("button.finish").await;
    assert!(
        b.source().await.contains(ANA_IDEA),
        "both done: the ideas open"
    );

    // Rating: each privately; the ranked board once both rated.
    rate(&cb, &[(ANA_IDEA, "5"), (BEN_IDEA, "9")]).await;
    b.click(".rate-form button[type=submit]").await;
    assert!(
        b.source()
            .await
            .contains("open together once they have rated too")
    );
    ca.goto(&app.url(&problem)).await.unwrap();
    rate(&ca, &[(ANA_IDEA, "8"), (BEN_IDEA, "6")]).await;
    a.click(".rate-form button[type=submit]").await;
    let first = a
        .text("ol.ranked li.ranked-option:first-child .idea-text")
        .await;
    assert!(first.contains(BEN_IDEA), "lower rating 6 beats 5: {first}");
    assert!(
        a.text(".ranking-explained")
            .await
            .contains("lower of your two ratings")
    );

    // Agreement: Ana writes it from the top idea, Ben agrees.
    ca.goto(&app.url(&format!("{problem}#agreement")))
        .await
        .unwrap();
    a.press(".agreement-form input[name=option_id]").await;
    a.fill(
        "#agreement-body",
        "Ben drives on weekdays; Ana has the car on Saturdays and Sundays",
    )
    .await;
    a.click(".agreement-form button[type=submit]").await;
    assert!(a.source().await.contains("Waiting for Ben to agree"));
    cb.goto(&app.url(&problem)).await.unwrap();
    b.click("button.confirm-agreement").await;
    let plan = cb
        .find(Locator::Css("a.plan-link"))
        .await
        .expect("plan link")
        .attr("href")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(plan.starts_with("/plan/new?agreement="), "{plan}");
    assert!(b.source().await.contains("You look back on it together"));

    // The agreement becomes an action on Ben's plan, which he then marks done.
    b.click("a.plan-link").await;
    b.fill("#title", "Try the new evenings plan").await;
    b.click("#add-action").await;
    b.wait_for_text("Added to the plan.").await;
    assert!(
        b.text("#today").await.contains("Try the new evenings plan"),
        "{backend:?}"
    );
    b.click("#today .mark-done").await;
    b.wait_for_text("Marked done. Nice.").await;
    assert!(
        b.text("#history")
            .await
            .contains("Done: Try the new evenings plan")
    );

    // Home: step 5 is done together.
    ca.goto(&app.url("/")).await.unwrap();
    let step5 = ca
        .find(Locator::Css("li.step[data-step='5']"))
        .await
        .unwrap()
        .attr("class")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(step5.contains("progress-done"), "{step5}");

    ca.close().await.ok();
    cb.close().await.ok();
}

#[tokio::test]
async fn a_whole_problem_in_two_browsers() {
    in_a_browser(whole_problem).await;
}
