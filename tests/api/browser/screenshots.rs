//! The README's pictures: `docs/dashboard-incident.png` (the sample export's incident)
//! and `docs/dashboard-trends.png` (the generated half year), taken by Chromium from
//! the seeded database after signing in through the login form. Ignored by default,
//! since it writes into the source tree; to retake them:
//!
//! ```sh
//! cargo test --test api browser::screenshots -- --ignored
//! ```

use super::harness::{Browser, Viewport};
use super::seeded::seed_all;
use crate::dashboard::{TOKEN, spawn_dashboard, with_token};
use crate::db::Backend;
use std::path::Path;

/// The incident page down to the first messages of its timeline (the rest is more of
/// the same); the trends page whole.
const INCIDENT_HEIGHT: u32 = 1800;
const TRENDS_HEIGHT: u32 = 6000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "writes docs/*.png; run with --ignored to retake the README's screenshots"]
async fn write_the_readme_screenshots_of_the_incident_and_trends_pages() {
    let Some(browser) = Browser::launch(
        "write_the_readme_screenshots_of_the_incident_and_trends_pages",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let dash = spawn_dashboard(Backend::Sqlite, with_token).await;
    let seeded = seed_all(&dash.store).await;
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");

    browser.open(&dash.url("/dashboard/login")).await;
    browser.type_into("#token", TOKEN).await;
    browser.click("form.login button[type=submit]").await;
    browser.wait_for_path("/dashboard/").await;

    let incident = format!("/dashboard/incidents/{}", seeded.outage_id);
    for (path, file, height) in [
        (incident.as_str(), "dashboard-incident.png", INCIDENT_HEIGHT),
        ("/dashboard/trends", "dashboard-trends.png", TRENDS_HEIGHT),
    ] {
        browser.open(&dash.url(path)).await;
        browser.wait_for_path(path).await;
        let problems = browser.problems().await;
        assert!(problems.is_empty(), "{path}: {problems:#?}");
        browser.screenshot_page(&docs.join(file), height).await;
        eprintln!("wrote docs/{file}");
    }
    browser.close().await;
}
