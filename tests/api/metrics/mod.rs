//! `GET /metrics` as Prometheus sees it: after a declare, a page, an ack and a
//! resolve; a redelivered event; a Slack 429; writes that fail for good. Every scrape
//! is read by a strict reader of the text format ([`exposition`]), every label value
//! must come from the label's fixed vocabulary (never an id), and the shipped Grafana
//! dashboard may only ask for what a real scrape has ([`dashboard`]).

mod dashboard;
mod exposition;
mod flows;

use crate::helpers::TestApp;
use exposition::Scrape;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::time::Duration;

/// Scrapes `app` as a plain client would (no `Accept`): the classic text format,
/// read strictly, every label checked.
pub async fn scrape(app: &TestApp) -> Scrape {
    let res = reqwest::get(format!("{}/metrics", app.address))
        .await
        .expect("the scrape reaches the app");
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    let text = res.text().await.unwrap();
    let scrape = exposition::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    check_names(&scrape);
    check_labels(&scrape);
    scrape
}

/// The value of `name{labels}`, 0 when the series is absent (a counter not yet
/// incremented has no series).
pub fn value(scrape: &Scrape, name: &str, labels: &[(&str, &str)]) -> f64 {
    scrape.value(name, labels).unwrap_or(0.0)
}

/// Scrapes until `done` holds (the worker may still be settling what it just sent);
/// fails after 10 s, showing the last scrape.
pub async fn scrape_until(app: &TestApp, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
    let mut last = scrape(app).await;
    for _ in 0..200 {
        if done(&last) {
            return last;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        last = scrape(app).await;
    }
    panic!("the scrape never showed {what}: {:#?}", last.samples);
}

/// Prometheus's conventions: one prefix, counters in `_total`, durations in seconds.
fn check_names(scrape: &Scrape) {
    for (name, family) in &scrape.families {
        assert!(name.starts_with("warroom_"), "{name}");
        match family.kind {
            exposition::Kind::Counter => assert!(name.ends_with("_total"), "{name}"),
            exposition::Kind::Histogram => assert!(name.ends_with("_seconds"), "{name}"),
            exposition::Kind::Gauge => assert!(!name.ends_with("_total"), "{name}"),
        }
    }
}

/// Each label's values, all of them: anything outside is an id or a typo.
fn vocabulary() -> BTreeMap<&'static str, Vec<&'static str>> {
    let outcomes = vec!["sent", "retried", "failed", "skipped"];
    let ops = vec![
        "create_war_room",
        "invite",
        "sync_topic",
        "post_summary",
        "refresh_summary",
        "announce",
        "notice",
        "page_dm",
        "refresh_page_dm",
        "page_notice",
        "publish_postmortem",
        "provider",
        "owner_actions",
        "action_reminder",
        "github_issue",
        "post_alert",
        "alerts_resolved",
        "triage_alert",
        "refresh_triage",
        "nudge",
        "stakeholder_update",
        "statuspage",
        "unreadable",
    ];
    BTreeMap::from([
        ("severity", vec!["sev1", "sev2", "sev3", "sev4"]),
        ("source", vec!["command", "modal", "alert", "triage"]),
        (
            "status",
            vec![
                "investigating",
                "identified",
                "monitoring",
                "resolved",
                "pending",
                "in_flight",
            ],
        ),
        ("outcome", {
            let mut o = outcomes.clone();
            o.extend(["stored", "duplicate", "ignored", "refused"]);
            o
        }),
        ("op", ops),
        (
            "provider",
            vec!["slack_dm", "pagerduty", "opsgenie", "webhook"],
        ),
        (
            "level",
            vec!["1", "2", "3", "4", "5", "6", "7", "8", "9", "10+"],
        ),
        (
            "kind",
            vec!["update_due", "no_commander", "quiet", "unclosed"],
        ),
    ])
}

/// No label value is an id: each comes from its label's vocabulary, Slack methods
/// look like `family.method`, and `le` is a number.
fn check_labels(scrape: &Scrape) {
    let vocabulary = vocabulary();
    for sample in &scrape.samples {
        for (key, value) in &sample.labels {
            let ok = match key.as_str() {
                "le" => value == "+Inf" || value.parse::<f64>().is_ok(),
                "method" => {
                    value.split('.').count() >= 2
                        && value
                            .split('.')
                            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()))
                }
                other => vocabulary
                    .get(other)
                    .is_some_and(|allowed| allowed.contains(&value.as_str())),
            };
            assert!(
                ok,
                "{}: {key}=\"{value}\" is not a known value",
                sample.name
            );
        }
    }
}

#[tokio::test]
async fn prometheus_gets_openmetrics_ending_in_eof_with_the_same_families() {
    let app = crate::helpers::spawn_app(crate::db::Backend::Sqlite).await;
    let classic = scrape(&app).await;
    let res = reqwest::Client::new()
        .get(format!("{}/metrics", app.address))
        .header(
            "accept",
            "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.headers()["content-type"],
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    let text = res.text().await.unwrap();
    assert!(text.ends_with("# EOF\n"), "{text}");
    for name in classic.families.keys() {
        // OpenMetrics names a counter's family without `_total`.
        let family = name.strip_suffix("_total").unwrap_or(name);
        assert!(
            text.contains(&format!("# TYPE {family} ")),
            "{family} in {text}"
        );
    }
}
