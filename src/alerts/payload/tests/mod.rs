//! Tests of webhook reading: the fixtures in `tests/fixtures/alerts/` ([`samples`]),
//! what is accepted though senders vary ([`lenient`]), what is refused and how the
//! refusal reads ([`malformed`]), the test builders' bodies ([`fakes`]), and that no
//! input panics ([`props`]).

mod fakes;
mod lenient;
mod malformed;
mod props;
mod samples;

use super::{PayloadError, parse};
use crate::domain::alert::{Notification, Source};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/alerts/",
            $name
        ))
    };
}

const AM_FIRING: &str = fixture!("alertmanager-firing.json");
const AM_RESOLVED: &str = fixture!("alertmanager-resolved.json");
const AM_NO_FINGERPRINT: &str = fixture!("alertmanager-no-fingerprint.json");
const GRAFANA_FIRING: &str = fixture!("grafana-firing.json");
const GRAFANA_RESOLVED: &str = fixture!("grafana-resolved.json");
const GRAFANA_LEGACY: &str = fixture!("grafana-legacy.json");

fn utc(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339)
        .expect("a test time")
        .with_timezone(&Utc)
}

fn read(source: Source, body: &Value) -> Result<Notification, PayloadError> {
    parse(source, body.to_string().as_bytes())
}

fn am(body: &Value) -> Notification {
    read(Source::Alertmanager, body).expect("a valid Alertmanager body")
}

/// The refusal's text.
fn refusal(source: Source, body: &Value) -> String {
    match read(source, body) {
        Ok(n) => panic!("expected a refusal, got {n:?}"),
        Err(e) => e.to_string(),
    }
}

/// A small valid Alertmanager body: two firing alerts of one group.
fn base() -> Value {
    json!({
        "receiver": "warroom",
        "status": "firing",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "host": "a", "severity": "critical"},
                "annotations": {"summary": "disk a"},
                "startsAt": "2026-11-30T09:00:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example.com/graph",
                "fingerprint": "aaaaaaaaaaaaaaaa"
            },
            {
                "status": "firing",
                "labels": {"alertname": "DiskFull", "host": "b", "severity": "critical"},
                "annotations": {"summary": "disk b"},
                "startsAt": "2026-11-30T09:01:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus.example.com/graph",
                "fingerprint": "bbbbbbbbbbbbbbbb"
            }
        ],
        "groupLabels": {"alertname": "DiskFull"},
        "commonLabels": {"alertname": "DiskFull", "severity": "critical"},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager.example.com:9093",
        "version": "4",
        "groupKey": "{}:{alertname=\"DiskFull\"}",
        "truncatedAlerts": 0
    })
}

/// [`base`] as Grafana sends it.
fn grafana_base() -> Value {
    let mut body = base();
    body["version"] = json!("1");
    body["orgId"] = json!(1);
    body["title"] = json!("[FIRING:2] DiskFull");
    body
}
