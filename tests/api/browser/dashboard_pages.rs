//! The dashboard's pages in Chromium, against a seeded database (SQLite: the store is
//! tested on both backends elsewhere; here the browser is under test): each loads
//! with a clean console, the trends charts draw the seeded data's points, and on a
//! phone nothing scrolls sideways.

use super::harness::{Browser, LogEntry, Viewport};
use super::seeded::{Seeded, expected_monthly_points, expected_weekly_points, seed_all};
use crate::dashboard::{Dash, spawn_dashboard};
use crate::db::Backend;
use serde::Deserialize;

/// An open dashboard (loopback, no sign-in) over the seeded database.
async fn seeded_dashboard() -> (Dash, Seeded) {
    let dash = spawn_dashboard(Backend::Sqlite, |_| {}).await;
    let seeded = seed_all(&dash.store).await;
    (dash, seeded)
}

/// The pages a person opens, with the `<title>` each must have.
fn pages(seeded: &Seeded) -> Vec<(String, String)> {
    let id = seeded.outage_id;
    [
        ("/dashboard/".to_string(), "Incidents"),
        (
            format!("/dashboard/incidents/{id}"),
            &*format!("#{id} Application Down"),
        ),
        ("/dashboard/trends".to_string(), "Trends"),
        ("/dashboard/report?since=30d".to_string(), "On-call report"),
    ]
    .into_iter()
    .map(|(path, title)| (path, format!("{title} · Warroom")))
    .collect()
}

/// How one chart came out in the browser.
#[derive(Debug, Deserialize)]
struct DrawnChart {
    svgs: usize,
    points: usize,
    /// Points with no size, hidden, or drawn outside their SVG: `data-x data-series`.
    misplaced: Vec<String>,
    /// Axis labels cut off by the SVG's edge.
    clipped: Vec<String>,
    /// Pairs of axis labels drawn over each other.
    overlapping: Vec<String>,
}

const DRAWN_CHART: &str = r#"
const fig = document.getElementById(arguments[0]);
if (!fig) { return null; }
const svg = fig.querySelector('svg');
const box = svg ? svg.getBoundingClientRect() : null;
const points = [...fig.querySelectorAll('svg .point')];
const misplaced = points.filter(p => {
  const r = p.getBoundingClientRect();
  const s = getComputedStyle(p);
  const inside = box && r.left >= box.left - 1 && r.right <= box.right + 1
    && r.top >= box.top - 1 && r.bottom <= box.bottom + 1;
  return !(r.width > 0 && r.height > 0 && inside && s.display !== 'none'
    && s.visibility !== 'hidden' && s.opacity !== '0');
}).map(p => p.dataset.x + ' ' + p.dataset.series);
const labels = [...fig.querySelectorAll('svg text')];
const clipped = labels.filter(t => {
  const r = t.getBoundingClientRect();
  return !(box && r.left >= box.left - 0.5 && r.right <= box.right + 0.5
    && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5);
}).map(t => t.textContent);
const overlapping = [];
for (const cls of ['x-label', 'y-label']) {
  const boxes = labels.filter(t => t.classList.contains(cls))
    .map(t => [t.textContent, t.getBoundingClientRect()]);
  for (let i = 0; i + 1 < boxes.length; i++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[i + 1];
    if (ra.left < rb.right && rb.left < ra.right && ra.top < rb.bottom && rb.top < ra.bottom) {
      overlapping.push(a + ' / ' + b);
    }
  }
}
return { svgs: fig.querySelectorAll('svg').length, points: points.length, misplaced,
  clipped, overlapping };
"#;

async fn drawn_chart(browser: &Browser, id: &str) -> DrawnChart {
    let script = format!(
        "return (function() {{ {DRAWN_CHART} }}).apply(null, [{}])",
        serde_json::to_string(id).unwrap()
    );
    let found: Option<DrawnChart> = browser.eval(&script).await;
    found.unwrap_or_else(|| panic!("the trends page has no chart #{id}"))
}

fn describe(problems: &[LogEntry]) -> String {
    problems
        .iter()
        .map(|p| format!("  [{} {}] {}", p.level, p.source, p.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_page_loads_without_console_errors_csp_violations_or_failed_loads() {
    let Some(browser) = Browser::launch(
        "every_dashboard_page_loads_without_console_errors_csp_violations_or_failed_loads",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let (dash, seeded) = seeded_dashboard().await;

    let mut failures = Vec::new();
    for (path, title) in pages(&seeded) {
        browser.open(&dash.url(&path)).await;
        let shown: String = browser.eval("return document.title").await;
        if shown != title {
            failures.push(format!("{path}: the title is {shown:?}, not {title:?}"));
        }
        // The stylesheet loaded and applies (a CSP or a path mistake would drop it).
        let rules: usize = browser
            .eval("return [...document.styleSheets].reduce((n, s) => n + s.cssRules.length, 0)")
            .await;
        if rules == 0 {
            failures.push(format!("{path}: no stylesheet rule applies"));
        }
        let problems = browser.problems().await;
        if !problems.is_empty() {
            failures.push(format!("{path}: the console says\n{}", describe(&problems)));
        }
    }

    assert!(failures.is_empty(), "{}", failures.join("\n"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trends_charts_draw_one_point_per_seeded_week_and_severity_and_per_month_with_legible_labels()
 {
    let Some(browser) = Browser::launch(
        "the_trends_charts_draw_one_point_per_seeded_week_and_severity_and_per_month_with_legible_labels",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let (dash, seeded) = seeded_dashboard().await;
    let seeds = &seeded.trends;
    let expected = [
        ("incidents-per-week", expected_weekly_points(seeds)),
        (
            "mtta-chart",
            expected_monthly_points(seeds, |t| t.ack_after.is_some()),
        ),
        (
            "mttr-chart",
            expected_monthly_points(seeds, |t| t.resolve_after.is_some()),
        ),
    ];

    browser.open(&dash.url("/dashboard/trends")).await;

    for (id, points) in expected {
        let drawn = drawn_chart(&browser, id).await;
        assert_eq!(drawn.svgs, 1, "#{id} is one SVG: {drawn:?}");
        assert!(points > 2, "the seed gives #{id} something to draw");
        assert_eq!(drawn.points, points, "#{id}'s points: {drawn:?}");
        assert!(
            drawn.misplaced.is_empty(),
            "#{id}: points not drawn inside the chart: {:?}",
            drawn.misplaced
        );
        assert!(
            drawn.clipped.is_empty(),
            "#{id}: labels cut off: {:?}",
            drawn.clipped
        );
        assert!(
            drawn.overlapping.is_empty(),
            "#{id}: labels drawn over each other: {:?}",
            drawn.overlapping
        );
    }
    let problems = browser.problems().await;
    assert!(problems.is_empty(), "{}", describe(&problems));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_the_list_incident_and_trends_pages_fit_without_sideways_scroll_or_squeezed_text()
 {
    let Some(browser) = Browser::launch(
        "on_a_phone_the_list_incident_and_trends_pages_fit_without_sideways_scroll_or_squeezed_text",
        Viewport::Phone,
    )
    .await
    else {
        return;
    };
    let (dash, seeded) = seeded_dashboard().await;

    let mut too_wide = Vec::new();
    for (path, _) in pages(&seeded) {
        browser.open(&dash.url(&path)).await;
        let fit = browser.phone_fit().await;
        if !fit.fits() {
            // Name what sticks out, to say where to look.
            let culprits: Vec<String> = browser
                .eval(
                    "return [...document.querySelectorAll('body *')]
                       .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                       .slice(0, 5)
                       .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                         + (e.className && e.className.baseVal === undefined ? '.' + e.className : ''))",
                )
                .await;
            too_wide.push(format!(
                "{path}: {fit:?}, wider than the phone: {culprits:?}"
            ));
        }
        // Fitting by squeezing text into a letter-wide column is no better.
        let squeezed = browser.squeezed_text().await;
        if !squeezed.is_empty() {
            too_wide.push(format!("{path}: text squeezed into a sliver: {squeezed:?}"));
        }
    }

    assert!(too_wide.is_empty(), "{}", too_wide.join("\n"));
    browser.close().await;
}
