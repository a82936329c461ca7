//! What is refused, and that each refusal names the path and what was expected.

use super::*;
use crate::alerts::payload::MAX_ALERTS;

/// `body` with the value at JSON pointer `at` set (or added) to `value`.
fn with(mut body: Value, at: &str, value: Value) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("a pointer");
    let parent = body.pointer_mut(parent).expect("the parent exists");
    match parent {
        Value::Object(obj) => {
            obj.insert(key.to_string(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().expect("an index")] = value,
        _ => panic!("{at} is not inside an object or array"),
    }
    body
}

fn without(mut body: Value, at: &str) -> Value {
    let (parent, key) = at.rsplit_once('/').expect("a pointer");
    body.pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .expect("an object")
        .remove(key);
    body
}

fn assert_refused(source: Source, body: &Value, expected: &str) {
    let e = refusal(source, body);
    assert!(e.contains(expected), "expected {expected:?} in {e:?}");
}

#[test]
fn bodies_that_are_not_a_json_object_are_refused_saying_what_was_expected() {
    let cases: [(&[u8], &str); 8] = [
        (
            b"",
            "the body is empty: expected an Alertmanager webhook notification",
        ),
        (b" \n", "the body is empty"),
        (
            b"alerts=1",
            "the body is not JSON (expected value at line 1 column 1)",
        ),
        (b"{\"alerts\": [", "the body is not JSON"),
        (b"\xff\xfe{}", "the body is not JSON"),
        (
            b"[1, 2]",
            "the body must be a JSON object (an Alertmanager webhook notification, version \"4\"), not an array",
        ),
        (b"\"firing\"", "must be a JSON object"),
        (b"null", "must be a JSON object"),
    ];
    for (body, expected) in cases {
        let e = parse(Source::Alertmanager, body).unwrap_err().to_string();
        assert!(
            e.contains(expected),
            "{:?}: expected {expected:?} in {e:?}",
            String::from_utf8_lossy(body)
        );
    }
    let e = parse(Source::Grafana, b"[]").unwrap_err().to_string();
    assert!(
        e.contains("a Grafana alerting webhook notification, version \"1\""),
        "{e}"
    );
}

#[test]
fn alerts_that_are_missing_empty_or_not_an_array_are_refused() {
    let cases = [
        (
            without(base(), "/alerts"),
            "`alerts` is missing: expected an array of alerts",
        ),
        (with(base(), "/alerts", json!(null)), "`alerts` is missing"),
        (
            with(base(), "/alerts", json!({})),
            "`alerts` must be an array of alerts, not an object",
        ),
        (
            with(base(), "/alerts", json!("x")),
            "`alerts` must be an array of alerts, not a string",
        ),
        (with(base(), "/alerts", json!([])), "`alerts` is empty"),
        (
            with(base(), "/alerts/1", json!("x")),
            "`alerts[1]` must be an alert object, not a string",
        ),
    ];
    for (body, expected) in &cases {
        assert_refused(Source::Alertmanager, body, expected);
        assert_refused(
            Source::Grafana,
            &with(body.clone(), "/version", json!("1")),
            expected,
        );
    }
}

#[test]
fn each_bad_field_is_refused_naming_its_path() {
    let cases = [
        (
            "/alerts/1/labels/severity",
            json!(5),
            "`alerts[1].labels.severity` must be a string, not a number",
        ),
        (
            "/alerts/0/labels",
            json!(["a"]),
            "`alerts[0].labels` must be an object of strings, not an array",
        ),
        (
            "/alerts/0/labels/odd key",
            json!(true),
            "`alerts[0].labels[\"odd key\"]` must be a string, not true/false",
        ),
        (
            "/alerts/0/annotations/summary",
            json!({}),
            "`alerts[0].annotations.summary` must be a string, not an object",
        ),
        (
            "/commonLabels",
            json!("x"),
            "`commonLabels` must be an object of strings, not a string",
        ),
        (
            "/groupLabels/alertname",
            json!(1),
            "`groupLabels.alertname` must be a string",
        ),
        (
            "/commonAnnotations/summary",
            json!(null),
            "`commonAnnotations.summary` must be a string, not null",
        ),
        (
            "/alerts/0/startsAt",
            json!("yesterday"),
            "`alerts[0].startsAt` must be an RFC 3339 time such as \"2026-11-30T09:14:27Z\", not \"yesterday\"",
        ),
        (
            "/alerts/1/endsAt",
            json!("2026-11-30 09:00"),
            "`alerts[1].endsAt` must be an RFC 3339 time",
        ),
        (
            "/alerts/0/endsAt",
            json!(1764493390),
            "`alerts[0].endsAt` must be a string, not a number",
        ),
        (
            "/alerts/0/status",
            json!("pending"),
            "`alerts[0].status` must be \"firing\" or \"resolved\", not \"pending\"",
        ),
        (
            "/status",
            json!("ok"),
            "`status` must be \"firing\" or \"resolved\", not \"ok\"",
        ),
        (
            "/status",
            json!(1),
            "`status` must be a string, not a number",
        ),
        (
            "/truncatedAlerts",
            json!(-1),
            "`truncatedAlerts` must be a whole number of 0 or more, not a number",
        ),
        (
            "/truncatedAlerts",
            json!("3"),
            "`truncatedAlerts` must be a whole number of 0 or more, not a string",
        ),
        (
            "/receiver",
            json!(7),
            "`receiver` must be a string, not a number",
        ),
        (
            "/groupKey",
            json!({}),
            "`groupKey` must be a string, not an object",
        ),
        (
            "/externalURL",
            json!([]),
            "`externalURL` must be a string, not an array",
        ),
        (
            "/alerts/0/fingerprint",
            json!(12),
            "`alerts[0].fingerprint` must be a string, not a number",
        ),
        (
            "/alerts/0/generatorURL",
            json!(false),
            "`alerts[0].generatorURL` must be a string",
        ),
        (
            "/alerts/1/labels/team",
            json!("a\u{0}b"),
            "`alerts[1].labels.team` contains a NUL character",
        ),
        (
            "/groupKey",
            json!("k\u{0}"),
            "`groupKey` contains a NUL character",
        ),
    ];
    for (at, value, expected) in cases {
        assert_refused(
            Source::Alertmanager,
            &with(base(), at, value.clone()),
            expected,
        );
        assert_refused(Source::Grafana, &with(grafana_base(), at, value), expected);
    }
}

#[test]
fn grafanas_own_fields_are_checked_too() {
    let cases = [
        (
            "/alerts/0/values",
            json!([1, 2]),
            "`alerts[0].values` must be an object, not an array",
        ),
        (
            "/alerts/1/dashboardURL",
            json!(3),
            "`alerts[1].dashboardURL` must be a string, not a number",
        ),
        (
            "/alerts/0/panelURL",
            json!({}),
            "`alerts[0].panelURL` must be a string",
        ),
        (
            "/alerts/0/silenceURL",
            json!(true),
            "`alerts[0].silenceURL` must be a string",
        ),
        (
            "/title",
            json!(["x"]),
            "`title` must be a string, not an array",
        ),
    ];
    for (at, value, expected) in cases {
        assert_refused(Source::Grafana, &with(grafana_base(), at, value), expected);
    }
}

#[test]
fn another_version_is_refused_naming_it() {
    let cases = [
        (
            Source::Alertmanager,
            base(),
            json!("3"),
            "unsupported Alertmanager webhook version \"3\": Warroom reads version \"4\"",
        ),
        (
            Source::Alertmanager,
            base(),
            json!(4),
            "`version` must be the string \"4\", not a number",
        ),
        (
            Source::Grafana,
            grafana_base(),
            json!("2"),
            "unsupported Grafana webhook version \"2\"",
        ),
        (
            Source::Grafana,
            grafana_base(),
            json!(1),
            "`version` must be the string \"1\", not a number",
        ),
    ];
    for (source, body, version, expected) in cases {
        assert_refused(source, &with(body, "/version", version), expected);
    }
}

#[test]
fn a_resolved_notification_with_a_firing_alert_is_refused() {
    let body = with(base(), "/status", json!("resolved"));
    let body = with(body, "/alerts/0/status", json!("resolved"));
    assert_refused(
        Source::Alertmanager,
        &body,
        "`status` is \"resolved\" but `alerts[1]` is firing",
    );
}

#[test]
fn an_alert_without_status_in_a_notification_without_one_is_refused() {
    let body = without(without(base(), "/status"), "/alerts/1/status");
    assert_refused(
        Source::Alertmanager,
        &body,
        "`alerts[1].status` is missing, and so is the notification's `status`",
    );
}

#[test]
fn two_alerts_with_one_fingerprint_keep_the_later_and_the_rest_is_taken() {
    let body = with(base(), "/alerts/1/fingerprint", json!("aaaaaaaaaaaaaaaa"));
    let body = with(body, "/alerts/0/fingerprint", json!("aaaaaaaaaaaaaaaa"));
    let n = parse(Source::Alertmanager, body.to_string().as_bytes()).expect("taken");
    let sent = base()["alerts"].as_array().unwrap().len();
    assert_eq!(n.alerts.len(), sent - 1, "one of the pair is kept");
    let kept = n
        .alerts
        .iter()
        .find(|a| a.fingerprint == "aaaaaaaaaaaaaaaa")
        .expect("the pair's later reading");
    assert_eq!(kept.labels["host"], "b", "the later reading wins");
}

fn many_alerts(count: usize) -> Value {
    let alerts: Vec<Value> = (0..count)
        .map(|i| json!({"status": "firing", "labels": {"alertname": "A", "n": i.to_string()}}))
        .collect();
    with(base(), "/alerts", Value::Array(alerts))
}

#[test]
fn more_alerts_than_the_limit_are_refused_and_the_limit_itself_is_read() {
    let e = refusal(Source::Alertmanager, &many_alerts(MAX_ALERTS + 1));
    assert!(
        e.contains("`alerts` has 10001 alerts, over the 10000"),
        "{e}"
    );
    assert!(e.contains("max_alerts"), "{e}");
    assert_eq!(am(&many_alerts(MAX_ALERTS)).alerts.len(), MAX_ALERTS);
}

#[test]
fn a_long_bad_value_is_quoted_clipped_in_the_refusal() {
    let long = "p".repeat(10_000);
    let e = refusal(
        Source::Alertmanager,
        &with(base(), "/alerts/0/status", json!(long)),
    );
    assert!(e.len() < 300, "{} characters", e.len());
    assert!(e.contains("…"), "{e}");
}
