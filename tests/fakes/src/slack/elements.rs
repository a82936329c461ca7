//! Checks on an `input` block's element, as Slack's Block Kit reference states them:
//! the element types an input block takes, `action_id` ≤ 255, a plain-text
//! `placeholder` ≤ 150; `plain_text_input` with `min_length` 0–3000, `max_length`
//! 1–3000 and an `initial_value` no longer than the `max_length` (3000 without one);
//! `datepicker` with `initial_date` as `YYYY-MM-DD`; `users_select` with a user id as
//! `initial_user`; `static_select` with 1–100 options (or option groups).

use serde_json::Value;

const MAX_ACTION_ID: usize = 255;
const MAX_PLACEHOLDER: usize = 150;
const MAX_INPUT_LENGTH: u64 = 3000;
const MAX_OPTIONS: usize = 100;

/// The elements an `input` block may hold.
const INPUT_ELEMENTS: &[&str] = &[
    "checkboxes",
    "channels_select",
    "conversations_select",
    "datepicker",
    "datetimepicker",
    "email_text_input",
    "external_select",
    "file_input",
    "multi_channels_select",
    "multi_conversations_select",
    "multi_external_select",
    "multi_static_select",
    "multi_users_select",
    "number_input",
    "plain_text_input",
    "radio_buttons",
    "rich_text_input",
    "static_select",
    "timepicker",
    "url_text_input",
    "users_select",
];

pub(crate) fn input_element(element: &Value) -> Result<(), ()> {
    let kind = element.get("type").and_then(Value::as_str).ok_or(())?;
    if !INPUT_ELEMENTS.contains(&kind) {
        return Err(());
    }
    if let Some(id) = element.get("action_id") {
        let id = id.as_str().ok_or(())?;
        if id.is_empty() || id.chars().count() > MAX_ACTION_ID {
            return Err(());
        }
    }
    if let Some(p) = element.get("placeholder") {
        plain_text(p, MAX_PLACEHOLDER)?;
    }
    match kind {
        "plain_text_input" => plain_text_input(element),
        "datepicker" => match element.get("initial_date") {
            None => Ok(()),
            Some(d) => is_iso_date(d.as_str().ok_or(())?).then_some(()).ok_or(()),
        },
        "users_select" => match element.get("initial_user") {
            None => Ok(()),
            Some(u) => is_user_id(u.as_str().ok_or(())?).then_some(()).ok_or(()),
        },
        "static_select" | "multi_static_select" => options(element),
        _ => Ok(()),
    }
}

fn plain_text_input(element: &Value) -> Result<(), ()> {
    let bounded = |key: &str, least: u64| -> Result<Option<u64>, ()> {
        match element.get(key) {
            None => Ok(None),
            Some(v) => {
                let n = v.as_u64().ok_or(())?;
                (least..=MAX_INPUT_LENGTH)
                    .contains(&n)
                    .then_some(Some(n))
                    .ok_or(())
            }
        }
    };
    let min = bounded("min_length", 0)?.unwrap_or(0);
    let max = bounded("max_length", 1)?.unwrap_or(MAX_INPUT_LENGTH);
    if min > max {
        return Err(());
    }
    if let Some(m) = element.get("multiline") {
        m.as_bool().ok_or(())?;
    }
    if let Some(v) = element.get("initial_value") {
        let len = v.as_str().ok_or(())?.chars().count() as u64;
        if len > max {
            return Err(());
        }
    }
    Ok(())
}

fn options(element: &Value) -> Result<(), ()> {
    let list = element
        .get("options")
        .or_else(|| element.get("option_groups"))
        .and_then(Value::as_array)
        .ok_or(())?;
    if list.is_empty() || list.len() > MAX_OPTIONS {
        return Err(());
    }
    Ok(())
}

fn plain_text(value: &Value, max: usize) -> Result<(), ()> {
    if value.get("type").and_then(Value::as_str) != Some("plain_text") {
        return Err(());
    }
    let len = value
        .get("text")
        .and_then(Value::as_str)
        .ok_or(())?
        .chars()
        .count();
    (1..=max).contains(&len).then_some(()).ok_or(())
}

/// Exactly `YYYY-MM-DD`, and a real day.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

fn is_user_id(s: &str) -> bool {
    (s.starts_with('U') || s.starts_with('W'))
        && (2..=32).contains(&s.len())
        && s.bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}
