//! Validation of an Events API v2 request, as strict as PagerDuty's (and a little
//! stricter: unknown fields are rejected instead of silently dropped).

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::super::is_json_content_type;

const TOP_LEVEL: &[&str] = &[
    "routing_key",
    "event_action",
    "dedup_key",
    "payload",
    "links",
    "images",
    "client",
    "client_url",
];
const PAYLOAD: &[&str] = &[
    "summary",
    "source",
    "severity",
    "timestamp",
    "component",
    "group",
    "class",
    "custom_details",
];
const SEVERITIES: &[&str] = &["critical", "error", "warning", "info"];
pub(super) const ROUTING_KEY_LEN: usize = 32;
pub(super) const MAX_DEDUP_KEY: usize = 255;
pub(super) const MAX_SUMMARY: usize = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    Trigger,
    Acknowledge,
    Resolve,
}

/// What a trigger's payload says (the whole payload is kept as sent, too).
#[derive(Debug, Clone)]
pub(super) struct TriggerPayload {
    pub summary: String,
    pub source: String,
    pub severity: String,
    pub raw: Value,
}

/// A valid event.
#[derive(Debug, Clone)]
pub(super) struct Event {
    pub routing_key: String,
    pub action: Action,
    /// `None` only for a trigger (PagerDuty generates one).
    pub dedup_key: Option<String>,
    /// `Some` exactly for a trigger.
    pub payload: Option<TriggerPayload>,
}

/// Parses and validates a request; `Err` carries every problem found.
pub(super) fn validate(headers: &HeaderMap, body: &[u8]) -> Result<Event, Vec<String>> {
    if !is_json_content_type(headers) {
        return Err(vec!["Content-Type must be application/json".to_string()]);
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Err(vec!["Event is not valid JSON".to_string()]);
    };
    let Value::Object(obj) = value else {
        return Err(vec!["Event must be a JSON object".to_string()]);
    };
    let mut errors = Vec::new();
    reject_unknown(&obj, TOP_LEVEL, "", &mut errors);

    let routing_key = required_str(&obj, "routing_key", "routing_key", &mut errors);
    if let Some(key) = &routing_key
        && key.chars().count() != ROUTING_KEY_LEN
    {
        errors.push(format!(
            "Length of 'routing_key' is incorrect (should be {ROUTING_KEY_LEN} characters)"
        ));
    }

    let action = match required_str(&obj, "event_action", "event_action", &mut errors).as_deref() {
        None => None,
        Some("trigger") => Some(Action::Trigger),
        Some("acknowledge") => Some(Action::Acknowledge),
        Some("resolve") => Some(Action::Resolve),
        Some(_) => {
            errors.push(
                "'event_action' is invalid (must be one of the following: 'trigger', \
                 'acknowledge' or 'resolve')"
                    .to_string(),
            );
            None
        }
    };

    let dedup_key =
        optional_str(&obj, "dedup_key", "dedup_key", &mut errors).filter(|k| !k.trim().is_empty());
    if let Some(key) = &dedup_key
        && key.chars().count() > MAX_DEDUP_KEY
    {
        errors.push(format!(
            "'dedup_key' must be at most {MAX_DEDUP_KEY} characters"
        ));
    }
    if matches!(action, Some(Action::Acknowledge | Action::Resolve)) && dedup_key.is_none() {
        errors.push("'dedup_key' is missing or blank".to_string());
    }

    let payload = match (action, obj.get("payload")) {
        (Some(Action::Trigger), None | Some(Value::Null)) => {
            errors.push("'payload' is missing or blank".to_string());
            None
        }
        (Some(Action::Trigger), Some(Value::Object(p))) => trigger_payload(p, &mut errors),
        (_, None | Some(Value::Null) | Some(Value::Object(_))) => None,
        (_, Some(_)) => {
            errors.push("'payload' must be an object".to_string());
            None
        }
    };

    check_list(&obj, "links", &["href", "text"], "href", &mut errors);
    check_list(&obj, "images", &["src", "href", "alt"], "src", &mut errors);
    optional_str(&obj, "client", "client", &mut errors);
    optional_str(&obj, "client_url", "client_url", &mut errors);

    match (routing_key, action) {
        (Some(routing_key), Some(action)) if errors.is_empty() => Ok(Event {
            routing_key,
            action,
            dedup_key,
            payload,
        }),
        _ => Err(errors),
    }
}

fn trigger_payload(p: &Map<String, Value>, errors: &mut Vec<String>) -> Option<TriggerPayload> {
    reject_unknown(p, PAYLOAD, "payload.", errors);
    let summary = required_str(p, "summary", "payload.summary", errors);
    if let Some(s) = &summary
        && s.chars().count() > MAX_SUMMARY
    {
        errors.push(format!(
            "'payload.summary' must be at most {MAX_SUMMARY} characters"
        ));
    }
    let source = required_str(p, "source", "payload.source", errors);
    let severity = required_str(p, "severity", "payload.severity", errors);
    if let Some(s) = &severity
        && !SEVERITIES.contains(&s.as_str())
    {
        errors.push(
            "'payload.severity' is invalid (must be one of the following: 'critical', \
             'warning', 'error' or 'info')"
                .to_string(),
        );
    }
    if let Some(ts) = optional_str(p, "timestamp", "payload.timestamp", errors)
        && !is_iso8601(&ts)
    {
        errors.push(format!(
            "'payload.timestamp' is not a valid ISO 8601 timestamp: {ts:?}"
        ));
    }
    for field in ["component", "group", "class"] {
        optional_str(p, field, &format!("payload.{field}"), errors);
    }
    match p.get("custom_details") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => errors.push("'payload.custom_details' must be an object".to_string()),
    }
    Some(TriggerPayload {
        summary: summary?,
        source: source?,
        severity: severity?,
        raw: Value::Object(p.clone()),
    })
}

/// ISO 8601 with a date, a time and a zone: RFC 3339 (`2015-07-17T08:42:58.315Z`,
/// `…+00:00`) or a numeric offset without colon (`2015-07-17T08:42:58.315+0000`,
/// the form PagerDuty's own examples use).
pub(super) fn is_iso8601(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok()
        || chrono::DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").is_ok()
}

fn reject_unknown(
    obj: &Map<String, Value>,
    known: &[&str],
    prefix: &str,
    errors: &mut Vec<String>,
) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.push(format!("'{prefix}{key}' is not a recognized field"));
    }
}

/// A non-blank string, or an error `'label' is missing or blank` / `must be a string`.
fn required_str(
    obj: &Map<String, Value>,
    key: &str,
    label: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            errors.push(format!("'{label}' is missing or blank"));
            None
        }
        Some(_) => {
            errors.push(format!("'{label}' must be a string"));
            None
        }
    }
}

/// A string if present (`null` counts as absent), or an error `must be a string`.
fn optional_str(
    obj: &Map<String, Value>,
    key: &str,
    label: &str,
    errors: &mut Vec<String>,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("'{label}' must be a string"));
            None
        }
    }
}

/// `links` / `images`: an array of objects with the `required` string field and
/// only `known` fields, all strings.
fn check_list(
    obj: &Map<String, Value>,
    key: &str,
    known: &[&str],
    required: &str,
    errors: &mut Vec<String>,
) {
    let items = match obj.get(key) {
        None | Some(Value::Null) => return,
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.push(format!("'{key}' must be an array"));
            return;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let label = format!("{key}[{i}]");
        let Value::Object(item) = item else {
            errors.push(format!("'{label}' must be an object"));
            continue;
        };
        reject_unknown(item, known, &format!("{label}."), errors);
        for field in known {
            let field_label = format!("{label}.{field}");
            if *field == required {
                required_str(item, field, &field_label, errors);
            } else {
                optional_str(item, field, &field_label, errors);
            }
        }
    }
}
