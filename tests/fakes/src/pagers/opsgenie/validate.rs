//! Validation of Opsgenie Alert API v2 bodies. Errors are keyed by field, as in
//! Opsgenie's 422 answers. Stricter than Opsgenie in one way: unknown fields are
//! rejected instead of silently dropped (a typo would otherwise lose data).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{Responder, ResponderRef};

const CREATE_FIELDS: &[&str] = &[
    "message",
    "alias",
    "description",
    "responders",
    "visibleTo",
    "actions",
    "tags",
    "details",
    "entity",
    "source",
    "priority",
    "user",
    "note",
];
const ACTION_FIELDS: &[&str] = &["user", "source", "note"];
const RESPONDER_TYPES: &[&str] = &["team", "user", "escalation", "schedule"];
const PRIORITIES: &[&str] = &["P1", "P2", "P3", "P4", "P5"];

pub(super) const MAX_MESSAGE: usize = 130;
pub(super) const MAX_ALIAS: usize = 512;
pub(super) const MAX_DESCRIPTION: usize = 15_000;
const MAX_ENTITY: usize = 512;
const MAX_SOURCE: usize = 100;
const MAX_USER: usize = 100;
const MAX_NOTE: usize = 25_000;
const MAX_RESPONDERS: usize = 50;
const MAX_TAGS: usize = 20;
const MAX_TAG: usize = 50;
const MAX_ACTIONS: usize = 10;
const MAX_ACTION: usize = 50;
const MAX_DETAILS_CHARS: usize = 8_000;

pub(super) type Errors = BTreeMap<String, String>;

/// A valid create request.
#[derive(Debug, Clone)]
pub(super) struct Create {
    pub message: String,
    pub alias: Option<String>,
    pub description: Option<String>,
    pub responders: Vec<Responder>,
    pub priority: String,
    pub tags: Vec<String>,
    pub details: BTreeMap<String, String>,
}

/// Validates a create body (already parsed).
pub(super) fn create(body: &Value) -> Result<Create, Errors> {
    let mut errors = Errors::new();
    let Value::Object(obj) = body else {
        errors.insert("body".into(), "Request body must be a JSON object.".into());
        return Err(errors);
    };
    reject_unknown(obj, CREATE_FIELDS, &mut errors);

    let message = match obj.get("message") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            errors.insert("message".into(), "Message can not be empty.".into());
            None
        }
        Some(_) => {
            errors.insert("message".into(), "Message must be a string.".into());
            None
        }
    };
    if let Some(m) = &message
        && m.chars().count() > MAX_MESSAGE
    {
        errors.insert(
            "message".into(),
            format!("Message can not be longer than {MAX_MESSAGE} characters."),
        );
    }
    let alias = bounded_str(obj, "alias", MAX_ALIAS, &mut errors);
    let description = bounded_str(obj, "description", MAX_DESCRIPTION, &mut errors);
    for (field, max) in [
        ("entity", MAX_ENTITY),
        ("source", MAX_SOURCE),
        ("user", MAX_USER),
        ("note", MAX_NOTE),
    ] {
        bounded_str(obj, field, max, &mut errors);
    }
    let parsed_responders = responders(obj, "responders", &mut errors);
    responders(obj, "visibleTo", &mut errors);
    let tags = string_list(obj, "tags", MAX_TAGS, MAX_TAG, &mut errors);
    string_list(obj, "actions", MAX_ACTIONS, MAX_ACTION, &mut errors);
    let details = details(obj, &mut errors);
    let priority = match obj.get("priority") {
        None | Some(Value::Null) => "P3".to_string(),
        Some(Value::String(p)) if PRIORITIES.contains(&p.as_str()) => p.clone(),
        Some(_) => {
            errors.insert(
                "priority".into(),
                "Priority should be one of [P1, P2, P3, P4, P5].".into(),
            );
            String::new()
        }
    };
    match message {
        Some(message) if errors.is_empty() => Ok(Create {
            message,
            alias,
            description,
            responders: parsed_responders,
            priority,
            tags,
            details,
        }),
        _ => Err(errors),
    }
}

/// Validates the optional body of close / acknowledge: absent, or an object with
/// `user` (≤100), `source` (≤100), `note` (≤25000).
pub(super) fn action(body: Option<&Value>) -> Result<(), Errors> {
    let mut errors = Errors::new();
    match body {
        None => {}
        Some(Value::Object(obj)) => {
            reject_unknown(obj, ACTION_FIELDS, &mut errors);
            for (field, max) in [
                ("user", MAX_USER),
                ("source", MAX_SOURCE),
                ("note", MAX_NOTE),
            ] {
                bounded_str(obj, field, max, &mut errors);
            }
        }
        Some(_) => {
            errors.insert("body".into(), "Request body must be a JSON object.".into());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

fn reject_unknown(obj: &Map<String, Value>, known: &[&str], errors: &mut Errors) {
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        errors.insert(key.clone(), "Unknown field.".into());
    }
}

/// An optional string of at most `max` characters (`null` counts as absent).
fn bounded_str(
    obj: &Map<String, Value>,
    field: &str,
    max: usize,
    errors: &mut Errors,
) -> Option<String> {
    match obj.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= max => Some(s.clone()),
        Some(Value::String(_)) => {
            errors.insert(
                field.into(),
                format!("{field} can not be longer than {max} characters."),
            );
            None
        }
        Some(_) => {
            errors.insert(field.into(), format!("{field} must be a string."));
            None
        }
    }
}

fn string_list(
    obj: &Map<String, Value>,
    field: &str,
    max_items: usize,
    max_len: usize,
    errors: &mut Errors,
) -> Vec<String> {
    let items = match obj.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.insert(
                field.into(),
                format!("{field} must be an array of strings."),
            );
            return Vec::new();
        }
    };
    if items.len() > max_items {
        errors.insert(
            field.into(),
            format!("{field} can not have more than {max_items} entries."),
        );
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !s.is_empty() && s.chars().count() <= max_len => {
                out.push(s.clone())
            }
            Value::String(_) => {
                errors.insert(
                    format!("{field}[{i}]"),
                    format!("must be 1 to {max_len} characters."),
                );
            }
            _ => {
                errors.insert(format!("{field}[{i}]"), "must be a string.".into());
            }
        }
    }
    out
}

fn details(obj: &Map<String, Value>, errors: &mut Errors) -> BTreeMap<String, String> {
    let map = match obj.get("details") {
        None | Some(Value::Null) => return BTreeMap::new(),
        Some(Value::Object(map)) => map,
        Some(_) => {
            errors.insert(
                "details".into(),
                "details must be an object of strings.".into(),
            );
            return BTreeMap::new();
        }
    };
    let mut out = BTreeMap::new();
    let mut total = 0;
    for (key, value) in map {
        total += key.chars().count();
        match value {
            Value::String(s) => {
                total += s.chars().count();
                out.insert(key.clone(), s.clone());
            }
            _ => {
                errors.insert(format!("details.{key}"), "must be a string.".into());
            }
        }
    }
    if total > MAX_DETAILS_CHARS {
        errors.insert(
            "details".into(),
            format!("details can not be longer than {MAX_DETAILS_CHARS} characters in total."),
        );
    }
    out
}

fn responders(obj: &Map<String, Value>, field: &str, errors: &mut Errors) -> Vec<Responder> {
    let items = match obj.get(field) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => {
            errors.insert(field.into(), format!("{field} must be an array."));
            return Vec::new();
        }
    };
    if items.len() > MAX_RESPONDERS {
        errors.insert(
            field.into(),
            format!("{field} can not have more than {MAX_RESPONDERS} entries."),
        );
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = format!("{field}[{i}]");
        match responder(item) {
            Ok(r) => out.push(r),
            Err(why) => {
                errors.insert(label, why);
            }
        }
    }
    out
}

fn responder(item: &Value) -> Result<Responder, String> {
    let Value::Object(obj) = item else {
        return Err("must be an object.".into());
    };
    if let Some(key) = obj
        .keys()
        .find(|k| !["type", "id", "name", "username"].contains(&k.as_str()))
    {
        return Err(format!("unknown field {key:?}."));
    }
    let kind = match obj.get("type") {
        Some(Value::String(t)) if RESPONDER_TYPES.contains(&t.as_str()) => t.clone(),
        _ => {
            return Err("type should be one of [team, user, escalation, schedule].".into());
        }
    };
    let mut refs = Vec::new();
    for key in ["id", "name", "username"] {
        match obj.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if !s.trim().is_empty() => refs.push((key, s.clone())),
            Some(_) => return Err(format!("{key} must be a non-empty string.")),
        }
    }
    let by = match refs.as_slice() {
        [("id", v)] => ResponderRef::Id(v.clone()),
        [("name", v)] if kind != "user" => ResponderRef::Name(v.clone()),
        [("name", _)] => return Err("a user is given by id or username, not name.".into()),
        [("username", v)] if kind == "user" => ResponderRef::Username(v.clone()),
        [("username", _)] => return Err("username is only valid for type user.".into()),
        _ => return Err("exactly one of id, name or username is required.".into()),
    };
    Ok(Responder { kind, by })
}
