//! Properties over arbitrary input: nothing panics, and a computed fingerprint does
//! not depend on the order labels were written in. Case counts are bounded for CI;
//! `PROPTEST_CASES` raises them.

use super::*;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

/// JSON values of every type, a few levels deep.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
        Just(json!("0001-01-01T00:00:00Z")),
        Just(json!("firing")),
        Just(json!("\u{0}")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const FIELDS: [&str; 18] = [
    "/version",
    "/status",
    "/receiver",
    "/groupKey",
    "/groupLabels",
    "/commonLabels",
    "/truncatedAlerts",
    "/title",
    "/alerts",
    "/alerts/0",
    "/alerts/0/status",
    "/alerts/0/labels",
    "/alerts/0/annotations",
    "/alerts/0/startsAt",
    "/alerts/0/endsAt",
    "/alerts/0/fingerprint",
    "/alerts/0/values",
    "/alerts/1/dashboardURL",
];

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        for source in Source::ALL {
            let _ = parse(source, &body);
        }
    }

    #[test]
    fn any_json_in_any_field_is_read_or_refused_without_panic(
        field in prop::sample::select(&FIELDS[..]),
        value in any_json(),
    ) {
        for mut body in [base(), grafana_base()] {
            if let Some(slot) = body.pointer_mut(field) {
                *slot = value.clone();
            } else {
                let (parent, key) = field.rsplit_once('/').expect("a pointer");
                if let Some(obj) = body.pointer_mut(parent).and_then(Value::as_object_mut) {
                    obj.insert(key.to_string(), value.clone());
                }
            }
            for source in Source::ALL {
                if let Err(e) = read(source, &body) {
                    prop_assert!(!e.0.is_empty());
                }
            }
        }
    }

    #[test]
    fn a_computed_fingerprint_does_not_depend_on_label_order(
        labels in prop::collection::btree_map("[^\u{0}]{0,8}", "[^\u{0}]{0,8}", 0..6),
    ) {
        let write = |pairs: Vec<(&String, &String)>| {
            let fields: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", json!(k), json!(v)))
                .collect();
            format!(r#"{{"status":"firing","alerts":[{{"labels":{{{}}}}}]}}"#, fields.join(","))
        };
        let forward = write(labels.iter().collect());
        let backward = write(labels.iter().rev().collect());
        let one = parse(Source::Alertmanager, forward.as_bytes()).expect("labels of strings");
        let other = parse(Source::Alertmanager, backward.as_bytes()).expect("labels of strings");
        prop_assert_eq!(&one.alerts[0].fingerprint, &other.alerts[0].fingerprint);
        prop_assert_eq!(one.alerts[0].labels.len(), labels.len());
    }
}
