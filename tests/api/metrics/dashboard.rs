//! The shipped Grafana dashboard (`deploy/grafana/warroom.json`) and the code agree:
//! every series a panel's query names is in a real scrape, every label it matches on
//! is one that series carries (with a value from its vocabulary), and every family
//! the scrape has is shown somewhere.

use super::exposition::Scrape;
use super::{scrape_until, value, vocabulary};
use crate::db::Backend;
use crate::helpers::spawn_app;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const DASHBOARD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/grafana/warroom.json");

/// Every `expr` of every panel, nested rows included.
fn queries(panel: &Value, out: &mut Vec<String>) {
    for target in panel["targets"].as_array().into_iter().flatten() {
        if let Some(expr) = target["expr"].as_str() {
            out.push(expr.to_string());
        }
    }
    for inner in panel["panels"].as_array().into_iter().flatten() {
        queries(inner, out);
    }
}

/// A selector in a query: the series name and its label matchers (`key`, `op`,
/// `value`).
#[derive(Debug)]
struct Selector {
    series: String,
    matchers: Vec<(String, String, String)>,
}

/// The `warroom_…` selectors of a PromQL query. Names of other things (functions,
/// `by (…)` lists, range durations) are not series and are left alone.
fn selectors(expr: &str) -> Vec<Selector> {
    let mut found = Vec::new();
    let mut rest = expr;
    while let Some(at) = rest.find("warroom_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        let series = tail[..end].to_string();
        let mut matchers = Vec::new();
        let after = &tail[end..];
        if let Some(body) = after.strip_prefix('{') {
            let body = &body[..body.find('}').expect("a closed label matcher")];
            for m in body.split(',').map(str::trim).filter(|m| !m.is_empty()) {
                let op_at = m.find(['=', '!']).expect("a matcher operator");
                let op_len = if m[op_at..].starts_with("=~")
                    || m[op_at..].starts_with("!=")
                    || m[op_at..].starts_with("!~")
                {
                    2
                } else {
                    1
                };
                let key = m[..op_at].trim().to_string();
                let op = m[op_at..op_at + op_len].to_string();
                let value = m[op_at + op_len..].trim().trim_matches('"').to_string();
                matchers.push((key, op, value));
            }
        }
        found.push(Selector { series, matchers });
        rest = &tail[end..];
    }
    found
}

/// The label keys each series carries in `scrape`.
fn label_keys(scrape: &Scrape) -> BTreeMap<String, BTreeSet<String>> {
    let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &scrape.samples {
        keys.entry(s.name.clone())
            .or_default()
            .extend(s.labels.keys().cloned());
    }
    keys
}

#[tokio::test]
async fn every_dashboard_query_asks_for_series_and_labels_a_real_scrape_has() {
    let app = spawn_app(Backend::Sqlite).await;
    // Enough happens that every labelled family has a series to show its labels.
    let inc = app.declare("U05GTREE00", "Disk full sev2").await;
    app.say(&inc.channel, "U05GTREE00", "df shows 100%").await;
    app.outbox_drained().await;
    let scrape = scrape_until(&app, "the summary post counted", |s| {
        value(
            s,
            "warroom_outbox_items_total",
            &[("op", "post_summary"), ("outcome", "sent")],
        ) == 1.0
    })
    .await;
    let dashboard: Value =
        serde_json::from_str(&std::fs::read_to_string(DASHBOARD).unwrap()).unwrap();
    assert_eq!(dashboard["uid"], "warroom");
    let mut exprs = Vec::new();
    for panel in dashboard["panels"].as_array().expect("panels") {
        queries(panel, &mut exprs);
    }
    assert!(exprs.len() >= 15, "{exprs:#?}");
    let names = scrape.series_names();
    let keys = label_keys(&scrape);
    let vocabulary = vocabulary();
    let mut used = BTreeSet::new();
    for expr in &exprs {
        let found = selectors(expr);
        assert!(!found.is_empty(), "a query on nothing of ours: {expr}");
        for sel in found {
            assert!(
                names.contains(&sel.series),
                "{expr}: {} is not in a scrape",
                sel.series
            );
            let (family, _) = scrape.family_of(&sel.series).expect("a family");
            used.insert(family.to_string());
            for (key, op, wanted) in &sel.matchers {
                let carried = keys.get(&sel.series).is_some_and(|k| k.contains(key));
                assert!(carried, "{expr}: {} has no label {key}", sel.series);
                if let Some(allowed) = vocabulary.get(key.as_str()) {
                    let values: Vec<&str> = if op.ends_with('~') {
                        wanted.split('|').collect()
                    } else {
                        vec![wanted.as_str()]
                    };
                    for v in values {
                        assert!(allowed.contains(&v), "{expr}: {key}=\"{v}\" never occurs");
                    }
                }
            }
        }
    }
    let shown: Vec<&String> = scrape
        .families
        .keys()
        .filter(|name| !used.contains(*name))
        .collect();
    assert!(shown.is_empty(), "families no panel shows: {shown:?}");
}

#[test]
fn selectors_are_read_with_their_matchers() {
    let found = selectors(
        "sum by (op) (increase(warroom_outbox_items_total{outcome=\"failed\", op=~\"a|b\"}[1h])) / warroom_x",
    );
    assert_eq!(found.len(), 2);
    assert_eq!(found[0].series, "warroom_outbox_items_total");
    assert_eq!(
        found[0].matchers,
        vec![
            ("outcome".into(), "=".into(), "failed".into()),
            ("op".into(), "=~".into(), "a|b".into())
        ]
    );
    assert_eq!(found[1].series, "warroom_x");
}
