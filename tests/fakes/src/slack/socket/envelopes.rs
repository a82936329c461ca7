//! The JSON frames Socket Mode sends, shaped like Slack's.
//!
//! Slack's samples (and slack-morphism's models) show:
//! * `hello`: `{"type":"hello","num_connections":1,"debug_info":{…},"connection_info":{"app_id":…}}`
//! * `disconnect`: `{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":…}}`
//! * `events_api`: `{"envelope_id","payload":<event_callback>,"type":"events_api",
//!   "accepts_response_payload":false,"retry_attempt":0,"retry_reason":""}`
//! * `slash_commands` / `interactive`: `{"envelope_id","payload","type",
//!   "accepts_response_payload":true}` (no retry fields).

use serde_json::{Value, json};

use crate::slack::BOT_APP_ID;

/// `debug_info.host` of every frame the fake sends.
pub const HOST: &str = "applink-fake";

/// The `hello` frame sent as soon as a connection is upgraded.
pub fn hello(num_connections: usize) -> Value {
    json!({
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {
            "host": HOST,
            "build_number": 1,
            "approximate_connection_time": 18060,
        },
        "connection_info": { "app_id": BOT_APP_ID },
    })
}

/// The `disconnect` frame Slack sends before closing a connection.
pub fn disconnect(reason: &str) -> Value {
    json!({
        "type": "disconnect",
        "reason": reason,
        "debug_info": { "host": HOST },
    })
}

/// An `events_api` envelope around an `event_callback` payload.
pub fn events_api(envelope_id: &str, event_callback: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "payload": event_callback,
        "type": "events_api",
        "accepts_response_payload": false,
        "retry_attempt": 0,
        "retry_reason": "",
    })
}

/// A `slash_commands` envelope; `fields` become a JSON object of strings.
pub fn slash_commands<'a>(
    envelope_id: &str,
    fields: impl IntoIterator<Item = (&'a str, String)>,
) -> Value {
    let payload: serde_json::Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v)))
        .collect();
    json!({
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "slash_commands",
        "accepts_response_payload": true,
    })
}

/// An `interactive` envelope (block actions, view submissions, shortcuts…).
pub fn interactive(envelope_id: &str, payload: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "interactive",
        "accepts_response_payload": true,
    })
}

/// `envelope` as Slack redelivers it: same `envelope_id`, `retry_attempt` and
/// `retry_reason` set. A non-object is returned unchanged.
pub fn retried(envelope: &Value, attempt: u64, reason: &str) -> Value {
    let mut copy = envelope.clone();
    if let Some(obj) = copy.as_object_mut() {
        obj.insert("retry_attempt".into(), json!(attempt));
        obj.insert("retry_reason".into(), json!(reason));
    }
    copy
}

/// The `retry_attempt` of an envelope (0 when absent).
pub fn retry_attempt(envelope: &Value) -> u64 {
    envelope
        .get("retry_attempt")
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// The `envelope_id` of an envelope (`""` when absent).
pub fn envelope_id(envelope: &Value) -> String {
    envelope
        .get("envelope_id")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Unique, uuid-shaped ids: `n` goes through a bijective mixer, so distinct
/// `n` give distinct ids for the same `seed`.
pub(crate) fn uuid_like(seed: u64, n: u64) -> String {
    let high = mix(seed ^ n);
    let low = mix(high ^ seed.rotate_left(17));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        high >> 32,
        (high >> 16) & 0xffff,
        (high >> 4) & 0x0fff,
        0x8000 | (high & 0xf) << 10 | (low >> 54) & 0x3ff,
        low & 0xffff_ffff_ffff,
    )
}

/// splitmix64's finalizer: a bijection on `u64`.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
