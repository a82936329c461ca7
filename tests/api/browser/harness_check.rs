//! The harness checked against pages made to pass and to fail, served by a tiny axum
//! router: a browser test that says "no console errors" means something only if the
//! same harness does see errors, CSP violations, failed loads and horizontal scroll
//! where they are, and kills its processes when dropped.

use super::driver::live_processes_in_group;
use super::harness::{Browser, Viewport};
use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use std::collections::HashMap;
use std::time::{Duration, Instant};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:";

/// A page with a stylesheet, an inline SVG of three points and an empty favicon.
const CLEAN: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/site.css"><title>clean</title></head>
<body><h1>Clean</h1><svg viewBox="0 0 100 20" width="300" height="60">
<circle class="point" cx="10" cy="10" r="3"/><circle class="point" cx="50" cy="5" r="3"/>
<circle class="point" cx="90" cy="15" r="3"/></svg></body></html>"#;

/// An inline script (blocked by the CSP), a script that logs an error and throws, and
/// an image that is not there.
const BROKEN: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>broken</title></head><body>
<script>document.title = "inline ran";</script><script src="/boom.js"></script>
<img src="/missing.png" alt=""></body></html>"#;

/// A form that goes to `/echo`, which shows what was typed.
const FORM: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,"><title>form</title></head><body>
<form method="get" action="/echo"><input id="q" name="q"><button type="submit">Go</button></form>
</body></html>"#;

/// Wider than a phone.
const WIDE: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><link rel="stylesheet" href="/site.css"><title>wide</title></head>
<body><div class="wide">a 600 px table</div></body></html>"#;

async fn serve() -> String {
    let page = |html: &'static str| {
        move || async move {
            (
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CONTENT_SECURITY_POLICY, CSP),
                ],
                html,
            )
                .into_response()
        }
    };
    let app = Router::new()
        .route("/", get(page(CLEAN)))
        .route("/broken", get(page(BROKEN)))
        .route("/wide", get(page(WIDE)))
        .route("/form", get(page(FORM)))
        .route(
            "/echo",
            get(|q: Query<HashMap<String, String>>| async move {
                let said = q.get("q").cloned().unwrap_or_default();
                // Escaped the lazy way: the tests type letters and spaces only.
                let said = said.replace(['<', '>', '&'], "");
                Html(format!(
                    "<!doctype html><title>echo</title><p id=said>{said}</p>"
                ))
            }),
        )
        .route(
            "/site.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css")],
                    "body { margin: 0; font-family: sans-serif } .wide { width: 600px }",
                )
            }),
        )
        .route(
            "/boom.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript")],
                    "console.error('boom'); throw new Error('thrown on purpose');",
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// The width of a PNG, from its IHDR chunk.
fn png_width(png: &[u8]) -> u32 {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    u32::from_be_bytes(png[16..20].try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_counts_svg_points_and_finds_a_clean_page_clean() {
    let Some(browser) = Browser::launch(
        "the_harness_counts_svg_points_and_finds_a_clean_page_clean",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let site = serve().await;

    browser.open(&format!("{site}/")).await;

    assert_eq!(browser.count("svg").await, 1);
    assert_eq!(browser.count("svg circle.point").await, 3);
    assert!(browser.text().await.contains("Clean"));
    assert_eq!(browser.problems().await.len(), 0, "a clean page");
    assert_eq!(png_width(&browser.screenshot().await), 1280);
    let file = std::env::temp_dir().join(format!("warroom-shot-{}.png", uuid::Uuid::new_v4()));
    browser.screenshot_page(&file, 2000).await;
    let png = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert_eq!(png_width(&png), 1280);
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_types_into_a_form_and_follows_its_submission() {
    let Some(browser) = Browser::launch(
        "the_harness_types_into_a_form_and_follows_its_submission",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let site = serve().await;

    browser.open(&format!("{site}/form")).await;
    browser.type_into("#q", "hello there").await;
    browser.click("button[type=submit]").await;

    browser.wait_for_path("/echo?q=hello+there").await;
    assert!(browser.text().await.contains("hello there"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_reports_csp_violations_exceptions_console_errors_and_failed_loads() {
    let Some(browser) = Browser::launch(
        "the_harness_reports_csp_violations_exceptions_console_errors_and_failed_loads",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let site = serve().await;

    browser.open(&format!("{site}/broken")).await;
    let problems = browser.problems().await;

    let said = |source: &str, words: &str| {
        problems
            .iter()
            .any(|p| p.source == source && p.message.contains(words))
    };
    assert!(said("security", "Content Security Policy"), "{problems:#?}");
    assert!(said("console-api", "boom"), "{problems:#?}");
    assert!(said("javascript", "thrown on purpose"), "{problems:#?}");
    assert!(said("network", "missing.png"), "{problems:#?}");
    let title: String = browser.eval("return document.title").await;
    assert_eq!(title, "broken", "the CSP blocked the inline script");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_harness_sees_horizontal_scroll_at_phone_width() {
    let Some(browser) = Browser::launch(
        "the_harness_sees_horizontal_scroll_at_phone_width",
        Viewport::Phone,
    )
    .await
    else {
        return;
    };
    let site = serve().await;

    browser.open(&format!("{site}/")).await;
    let fits = browser.phone_fit().await;
    assert_eq!(
        fits.client_width, 375,
        "the phone's layout viewport: {fits:?}"
    );
    assert!(fits.fits(), "{fits:?}");

    // A mobile browser zooms out to fit wide content: `innerWidth` grows with it, so
    // only the device's width tells that the page is too wide.
    browser.open(&format!("{site}/wide")).await;
    let wide = browser.phone_fit().await;
    assert!(wide.scroll_width >= 600, "{wide:?}");
    assert!(
        !wide.fits(),
        "a 600 px block does not fit a phone: {wide:?}"
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_browser_leaves_no_process_behind() {
    let Some(browser) = Browser::launch(
        "a_dropped_browser_leaves_no_process_behind",
        Viewport::Desktop,
    )
    .await
    else {
        return;
    };
    let site = serve().await;
    browser.open(&format!("{site}/")).await;
    let group = browser.pgid();
    assert!(
        live_processes_in_group(group) >= 2,
        "chromedriver and Chromium run in the browser's group"
    );

    // As a panicking test would: no close, just the drop.
    drop(browser);

    let deadline = Instant::now() + Duration::from_secs(10);
    while live_processes_in_group(group) > 0 {
        assert!(
            Instant::now() < deadline,
            "{} processes of the browser are still alive",
            live_processes_in_group(group)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
