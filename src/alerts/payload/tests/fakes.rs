//! The test builders of `warroom-fakes` (which cannot depend on this crate) produce
//! bodies this parser reads into what was built.

use super::*;
use crate::alerts::payload::fingerprint;
use crate::domain::alert::AlertStatus;
use warroom_fakes::alerts::{AlertGroup, FakeAlert, default_start};

fn group() -> AlertGroup {
    let later = default_start() + chrono::Duration::minutes(3);
    AlertGroup::new(r#"{}:{alertname="DiskFull"}"#)
        .receiver("db")
        .group_label("alertname", "DiskFull")
        .alert(
            FakeAlert::new("DiskFull")
                .label("host", "a")
                .label("team", "storage")
                .summary("/var on a is 97% full")
                .runbook("https://runbooks.example.com/disk")
                .dashboard(
                    "https://grafana.example.com/d/disk?orgId=1",
                    "https://grafana.example.com/d/disk?orgId=1&viewPanel=2",
                )
                .values(json!({"A": 97.1, "C": 1})),
        )
        .alert(
            FakeAlert::new("DiskFull")
                .label("host", "b")
                .label("team", "storage")
                .starts_at(later)
                .fingerprint("0123456789abcdef"),
        )
}

#[test]
fn the_alertmanager_builder_reads_back_as_built() {
    let g = group();
    let n = parse(Source::Alertmanager, &g.alertmanager_body()).expect("the builder's body");
    assert_eq!(n.group_key, g.group_key());
    assert_eq!(n.receiver, "db");
    assert_eq!(n.status, AlertStatus::Firing);
    assert_eq!(n.common_labels["team"], "storage");
    assert!(!n.common_labels.contains_key("host"));
    let fingerprints: Vec<String> = g.alerts().iter().map(FakeAlert::fingerprint_sent).collect();
    let read: Vec<String> = n.alerts.iter().map(|a| a.fingerprint.clone()).collect();
    assert_eq!(read, fingerprints);
    assert_eq!(n.alerts[0].fingerprint, fingerprint(&n.alerts[0].labels));
    assert_eq!(n.alerts[1].fingerprint, "0123456789abcdef");
    assert_eq!(
        n.alerts[0].runbook_url(),
        Some("https://runbooks.example.com/disk")
    );
    assert_eq!(n.alerts[0].starts_at, Some(default_start()));
    assert_eq!(
        n.alerts[1].starts_at,
        Some(default_start() + chrono::Duration::minutes(3))
    );
    assert_eq!(
        n.alerts[0].dashboard_url, None,
        "Alertmanager has no dashboards"
    );
    assert!(
        n.alerts[0]
            .generator_url
            .as_deref()
            .is_some_and(|u| u.ends_with("&g0.tab=1"))
    );
}

#[test]
fn the_grafana_builder_reads_back_with_links_values_and_no_end() {
    let g = group();
    let n = parse(Source::Grafana, &g.grafana_body()).expect("the builder's body");
    assert_eq!(n.group_key, g.group_key());
    assert_eq!(n.title.as_deref(), Some("[FIRING:2] DiskFull (storage)"));
    let first = &n.alerts[0];
    assert_eq!(first.ends_at, None);
    assert_eq!(
        first.dashboard_url.as_deref(),
        Some("https://grafana.example.com/d/disk?orgId=1")
    );
    assert_eq!(
        first.panel_url.as_deref(),
        Some("https://grafana.example.com/d/disk?orgId=1&viewPanel=2")
    );
    assert_eq!(first.values, Some(json!({"A": 97.1, "C": 1})));
    assert!(
        first
            .silence_url
            .as_deref()
            .is_some_and(|u| u.contains("&matcher=host%3Da&"))
    );
    assert_eq!(n.alerts[1].values, None);
    assert_eq!(n.alerts[1].dashboard_url, None);
}

#[test]
fn a_resolved_group_from_the_builder_reads_as_resolved_with_its_ends() {
    let end = default_start() + chrono::Duration::minutes(30);
    let g = AlertGroup::new("{}:{}")
        .alert(FakeAlert::new("A").resolved_at(end))
        .alert(FakeAlert::new("B").resolved_at(end));
    for (source, body) in [
        (Source::Alertmanager, g.alertmanager_body()),
        (Source::Grafana, g.grafana_body()),
    ] {
        let n = parse(source, &body).expect("the builder's body");
        assert_eq!(n.status, AlertStatus::Resolved, "{source}");
        assert!(n.alerts.iter().all(|a| a.ends_at == Some(end)), "{source}");
    }
}

#[test]
fn a_builder_alert_without_fingerprint_gets_the_one_the_builder_would_have_sent() {
    let g =
        AlertGroup::new("{}:{}").alert(FakeAlert::new("A").label("x", "1").without_fingerprint());
    let body = g.alertmanager();
    assert!(body["alerts"][0].get("fingerprint").is_none());
    let n = parse(Source::Alertmanager, &g.alertmanager_body()).expect("the builder's body");
    assert_eq!(n.alerts[0].fingerprint, g.alerts()[0].fingerprint_sent());
}
