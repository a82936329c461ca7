//! What identifies an alert and a group when the sender leaves it out.
//!
//! * A missing `fingerprint` is computed the way Alertmanager and Grafana compute
//!   the ones they send (Prometheus's `LabelSet.Fingerprint`): FNV-1a 64 over the
//!   labels in name order, each as `name 0xff value 0xff`, written as 16 hex digits.
//!   So an alert keeps its fingerprint whether or not its sender includes it.
//! * A missing `groupKey` is derived from the receiver and the group labels:
//!   `derived:<receiver as a JSON string>:<groupLabels as a JSON object in name
//!   order>`, e.g. `derived:"web.hook":{"alertname":"DiskFull"}`. That is the
//!   grouping Alertmanager itself applies (one group per receiver and group-label
//!   values), and the prefix keeps it apart from any key a sender sends.

use crate::domain::alert::Pairs;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
const SEPARATOR: u8 = 0xff;

/// The fingerprint Alertmanager would send for `labels`.
pub fn fingerprint(labels: &Pairs) -> String {
    let mut hash = FNV_OFFSET;
    let mut add = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(FNV_PRIME);
        }
    };
    // `Pairs` is a BTreeMap: names in byte order, as Go's sort.Strings has them.
    for (name, value) in labels {
        add(name.as_bytes());
        add(&[SEPARATOR]);
        add(value.as_bytes());
        add(&[SEPARATOR]);
    }
    format!("{hash:016x}")
}

/// The group key for a notification that sent none.
pub fn derived_group_key(receiver: &str, group_labels: &Pairs) -> String {
    let receiver = serde_json::to_string(receiver).expect("a string always serializes");
    let labels = serde_json::to_string(group_labels).expect("a string map always serializes");
    format!("derived:{receiver}:{labels}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprints_match_the_values_prometheus_publishes_in_its_own_tests() {
        // prometheus/common model/signature_test.go: TestMetricToFingerprint and
        // BenchmarkMetricToFingerprintDouble (decimal there, hex here).
        assert_eq!(
            fingerprint(&Pairs::new()),
            format!("{:016x}", 14695981039346656037u64)
        );
        let fear = pairs(&[("name", "garland, briggs"), ("fear", "love is not enough")]);
        assert_eq!(
            fingerprint(&fear),
            format!("{:016x}", 5799056148416392346u64)
        );
        let double = pairs(&[
            ("first-label", "first-label-value"),
            ("second-label", "second-label-value"),
        ]);
        assert_eq!(
            fingerprint(&double),
            format!("{:016x}", 3195800080984914717u64)
        );
    }

    #[test]
    fn fingerprints_match_the_one_grafana_sends_in_its_webhook_tests() {
        // grafana/alerting receivers/webhook/v1/webhook_test.go: these labels are sent
        // with "fingerprint": "fac0861a85de433a".
        let labels = pairs(&[("alertname", "alert1"), ("lbl1", "val1")]);
        assert_eq!(fingerprint(&labels), "fac0861a85de433a");
    }

    #[test]
    fn a_label_boundary_changes_the_fingerprint() {
        // `a=bc` and `ab=c` hash different bytes thanks to the separator.
        let one = fingerprint(&pairs(&[("a", "bc")]));
        let other = fingerprint(&pairs(&[("ab", "c")]));
        assert_ne!(one, other);
    }

    #[test]
    fn a_derived_group_key_names_the_receiver_and_sorted_group_labels() {
        let labels = pairs(&[("job", "node"), ("alertname", "DiskFull")]);
        assert_eq!(
            derived_group_key("web.hook", &labels),
            r#"derived:"web.hook":{"alertname":"DiskFull","job":"node"}"#
        );
        assert_ne!(
            derived_group_key("web.hook", &labels),
            derived_group_key("other", &labels)
        );
    }
}
