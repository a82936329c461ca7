//! How Go's senders write things: times, JSON, Prometheus's label fingerprint, URL
//! query encoding, and the common labels of a group.

use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;

use super::GO_ZERO_TIME;

/// Prometheus's label fingerprint (FNV-1a 64 over `name 0xff value 0xff`, names in
/// order), which Alertmanager sends as `fingerprint`.
pub fn label_fingerprint(labels: &BTreeMap<String, String>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, value) in labels {
        for b in [name.as_bytes(), &[0xff], value.as_bytes(), &[0xff]].concat() {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// A time as Go's `time.Time` marshals it: RFC 3339, nanoseconds with trailing
/// zeros trimmed, the zero time for `None`.
pub fn go_time(at: Option<DateTime<Utc>>) -> String {
    let Some(at) = at else {
        return GO_ZERO_TIME.to_string();
    };
    let base = at.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = format!("{:09}", at.timestamp_subsec_nanos());
    let fraction = nanos.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{base}Z")
    } else {
        format!("{base}.{fraction}Z")
    }
}

/// JSON as Go's `encoding/json` writes it: `&`, `<` and `>` escaped in strings.
pub(super) fn go_json(value: &Value) -> Vec<u8> {
    let text = serde_json::to_string(value).expect("JSON values always serialize");
    text.replace('&', "\\u0026")
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .into_bytes()
}

pub(super) fn common<'a>(
    mut sets: impl Iterator<Item = &'a BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let Some(first) = sets.next() else {
        return BTreeMap::new();
    };
    let mut shared = first.clone();
    for set in sets {
        shared.retain(|k, v| set.get(k) == Some(v));
    }
    shared
}

/// Percent-encoding of everything but unreserved characters, as in a URL query.
pub(super) fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{AlertGroup, FakeAlert};
    use chrono::TimeZone;

    #[test]
    fn go_time_trims_trailing_zeros_and_writes_the_zero_time_for_none() {
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 14, 27).unwrap();
        assert_eq!(go_time(Some(at)), "2026-11-30T09:14:27Z");
        let later = at + chrono::Duration::milliseconds(250);
        assert_eq!(go_time(Some(later)), "2026-11-30T09:14:27.25Z");
        assert_eq!(go_time(None), GO_ZERO_TIME);
    }

    #[test]
    fn the_fingerprint_is_the_one_grafana_sends_for_the_same_labels() {
        // grafana/alerting receivers/webhook/v1/webhook_test.go.
        let labels = BTreeMap::from([
            ("alertname".to_string(), "alert1".to_string()),
            ("lbl1".to_string(), "val1".to_string()),
        ]);
        assert_eq!(label_fingerprint(&labels), "fac0861a85de433a");
    }

    #[test]
    fn bodies_escape_ampersands_as_go_does() {
        let body = AlertGroup::new("{}:{}")
            .alert(FakeAlert::new("A"))
            .alertmanager_body();
        let text = String::from_utf8(body).unwrap();
        assert!(text.contains("\\u0026g0.tab=1"), "{text}");
        assert!(!text.contains('&'));
    }
}
