//! What is accepted though real senders vary, and how it reads.

use super::*;
use crate::alerts::payload::{derived_group_key, fingerprint};
use crate::domain::alert::{AlertStatus, Pairs};

fn set(body: &mut Value, at: &str, value: Value) {
    *body.pointer_mut(at).expect("the field exists") = value;
}

fn remove(body: &mut Value, at: &str) {
    let (parent, key) = at.rsplit_once('/').expect("a pointer");
    body.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("an object")
        .remove(key);
}

#[test]
fn unknown_fields_are_ignored_at_every_level() {
    let plain = am(&base());
    let mut body = base();
    body["notification_reason"] = json!("repeat interval elapsed");
    body["routeLabels"] = json!({"team": "db"});
    body["somethingNew"] = json!({"deep": [1, 2, {"x": null}]});
    body["alerts"][0]["enrichments"] = json!({"owner": "db-team"});
    body["alerts"][1]["imageURL"] = json!("https://img.example.com/1.png");
    assert_eq!(am(&body), plain);
}

#[test]
fn a_missing_version_is_accepted_by_both_sources() {
    let mut body = base();
    remove(&mut body, "/version");
    assert_eq!(am(&body).alerts.len(), 2);
    let mut body = grafana_base();
    remove(&mut body, "/version");
    let n = read(Source::Grafana, &body).expect("a Grafana body without version");
    assert_eq!(n.title.as_deref(), Some("[FIRING:2] DiskFull"));
}

#[test]
fn a_missing_group_key_is_derived_from_the_receiver_and_sorted_group_labels() {
    let mut body = base();
    remove(&mut body, "/groupKey");
    body["groupLabels"] = json!({"severity": "critical", "alertname": "DiskFull"});
    let n = am(&body);
    assert_eq!(
        n.group_key,
        r#"derived:"warroom":{"alertname":"DiskFull","severity":"critical"}"#
    );
    assert_eq!(n.group_key, derived_group_key("warroom", &n.group_labels));
    // The same group written in another order, or with an empty key, is the same group.
    let reordered = br#"{"groupLabels": {"alertname": "DiskFull", "severity": "critical"},
        "groupKey": "", "receiver": "warroom",
        "alerts": [{"status": "firing", "labels": {"alertname": "DiskFull"}}]}"#;
    let again = parse(Source::Alertmanager, reordered).expect("a minimal body");
    assert_eq!(again.group_key, n.group_key);
    body["receiver"] = json!("other");
    assert_ne!(am(&body).group_key, n.group_key);
}

#[test]
fn a_missing_fingerprint_is_computed_and_does_not_depend_on_label_order() {
    let forward = br#"{"status": "firing", "alerts": [{"labels": {"alertname": "A", "host": "x", "zone": "1"}}]}"#;
    let backward = br#"{"status": "firing", "alerts": [{"labels": {"zone": "1", "host": "x", "alertname": "A"}}]}"#;
    let one = parse(Source::Alertmanager, forward).expect("minimal body");
    let other = parse(Source::Alertmanager, backward).expect("minimal body");
    assert_eq!(one.alerts[0].fingerprint, other.alerts[0].fingerprint);
    assert_eq!(
        one.alerts[0].fingerprint,
        fingerprint(&one.alerts[0].labels)
    );
    assert_eq!(one.alerts[0].fingerprint.len(), 16);
    let changed = br#"{"status": "firing", "alerts": [{"labels": {"alertname": "A", "host": "y", "zone": "1"}}]}"#;
    let changed = parse(Source::Alertmanager, changed).expect("minimal body");
    assert_ne!(changed.alerts[0].fingerprint, one.alerts[0].fingerprint);
}

#[test]
fn an_alert_without_status_has_the_notifications() {
    let mut body = base();
    remove(&mut body, "/alerts/0/status");
    assert_eq!(am(&body).alerts[0].status, AlertStatus::Firing);
    let mut body = base();
    set(&mut body, "/status", json!("resolved"));
    set(&mut body, "/alerts/1/status", json!("resolved"));
    remove(&mut body, "/alerts/0/status");
    let n = am(&body);
    assert_eq!(n.alerts[0].status, AlertStatus::Resolved);
    assert_eq!(n.status, AlertStatus::Resolved);
}

#[test]
fn a_notification_without_status_is_firing_while_any_alert_fires() {
    let mut body = base();
    remove(&mut body, "/status");
    set(&mut body, "/alerts/0/status", json!("resolved"));
    assert_eq!(am(&body).status, AlertStatus::Firing);
    set(&mut body, "/alerts/1/status", json!("resolved"));
    assert_eq!(am(&body).status, AlertStatus::Resolved);
}

#[test]
fn a_firing_notification_whose_alerts_have_all_resolved_reads_as_resolved() {
    let mut body = base();
    set(&mut body, "/alerts/0/status", json!("resolved"));
    set(&mut body, "/alerts/1/status", json!("resolved"));
    assert_eq!(body["status"], "firing");
    assert_eq!(am(&body).status, AlertStatus::Resolved);
}

#[test]
fn nulls_and_missing_maps_read_as_empty() {
    let mut body = base();
    set(&mut body, "/commonAnnotations", Value::Null);
    set(&mut body, "/alerts/0/annotations", Value::Null);
    remove(&mut body, "/groupLabels");
    remove(&mut body, "/alerts/1/annotations");
    remove(&mut body, "/truncatedAlerts");
    let n = am(&body);
    assert_eq!(n.common_annotations, Pairs::new());
    assert_eq!(n.group_labels, Pairs::new());
    assert!(n.alerts.iter().all(|a| a.annotations.is_empty()));
    assert_eq!(n.truncated_alerts, 0);
}

#[test]
fn an_empty_or_missing_receiver_is_accepted() {
    let mut body = base();
    set(&mut body, "/receiver", json!(""));
    assert_eq!(am(&body).receiver, "");
    remove(&mut body, "/receiver");
    assert_eq!(am(&body).receiver, "");
}

#[test]
fn times_in_any_offset_read_as_utc_and_go_zero_or_empty_or_missing_as_none() {
    let cases = [
        (
            "2026-11-30T10:14:27.123456789+01:00",
            // Whole microseconds, as both stores keep them.
            Some(utc("2026-11-30T09:14:27.123456Z")),
        ),
        (
            "2026-11-30T04:14:27-05:00",
            Some(utc("2026-11-30T09:14:27Z")),
        ),
        (
            "2026-11-30T09:14:27.5Z",
            Some(utc("2026-11-30T09:14:27.500Z")),
        ),
        ("0001-01-01T00:00:00Z", None),
        ("0001-01-01T01:00:00+01:00", None),
        ("", None),
    ];
    for (sent, expected) in cases {
        let mut body = base();
        set(&mut body, "/alerts/0/startsAt", json!(sent));
        assert_eq!(am(&body).alerts[0].starts_at, expected, "{sent}");
    }
    let mut body = base();
    remove(&mut body, "/alerts/0/startsAt");
    set(&mut body, "/alerts/0/endsAt", Value::Null);
    let alert = &am(&body).alerts[0];
    assert_eq!((alert.starts_at, alert.ends_at), (None, None));
}

#[test]
fn empty_urls_read_as_none() {
    let mut body = grafana_base();
    set(&mut body, "/externalURL", json!(""));
    set(&mut body, "/alerts/0/generatorURL", json!(""));
    body["alerts"][0]["silenceURL"] = json!(" ");
    body["alerts"][0]["dashboardURL"] = json!("");
    let n = read(Source::Grafana, &body).expect("a Grafana body");
    assert_eq!(n.external_url, None);
    let alert = &n.alerts[0];
    assert_eq!(
        (
            &alert.generator_url,
            &alert.silence_url,
            &alert.dashboard_url
        ),
        (&None, &None, &None)
    );
}

#[test]
fn values_are_kept_as_sent_for_escaping_where_they_are_shown() {
    let hostile = "<!channel> *bold* <https://evil.example|click> `code` &amp;";
    let mut body = base();
    set(&mut body, "/alerts/0/annotations/summary", json!(hostile));
    set(&mut body, "/alerts/0/labels/host", json!(hostile));
    let alert = &am(&body).alerts[0];
    assert_eq!(alert.annotations["summary"], hostile);
    assert_eq!(alert.labels["host"], hostile);
}

#[test]
fn grafana_only_fields_are_not_read_from_an_alertmanager_body() {
    let mut body = base();
    body["alerts"][0]["dashboardURL"] = json!("https://grafana.example.com/d/x");
    body["alerts"][0]["values"] = json!({"A": 1});
    body["title"] = json!("a title");
    let n = am(&body);
    assert_eq!(
        (&n.alerts[0].dashboard_url, &n.alerts[0].values),
        (&None, &None)
    );
    assert_eq!(n.title, None);
}
