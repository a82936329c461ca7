//! The incident endpoints: a create or update body checked as Statuspage checks it,
//! the incident stored, and its JSON as Statuspage renders it.

use axum::body::Bytes;
use axum::http::Uri;
use chrono::{SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::server::{Reply, State, error, invalid};
use super::{COMPONENT_STATUSES, IMPACTS, INCIDENT_STATUSES, Incident, IncidentUpdate};

const KEYS: &[&str] = &[
    "name",
    "status",
    "body",
    "impact_override",
    "component_ids",
    "components",
    "metadata",
    "deliver_notifications",
];
const DEFAULT_PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 100;

/// A create or update's values, checked.
#[derive(Default)]
struct Checked {
    name: Option<String>,
    status: Option<String>,
    body: Option<String>,
    impact: Option<String>,
    component_ids: Option<Vec<String>>,
    components: Vec<(String, String)>,
    metadata: Option<Value>,
}

/// The `incident` object of a body, or the 400 Statuspage answers.
fn incident_of(body: &Bytes) -> Result<Map<String, Value>, Reply> {
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        return Err(error(400, "Malformed JSON"));
    };
    match parsed.get("incident") {
        Some(Value::Object(fields)) => Ok(fields.clone()),
        _ => Err(error(
            400,
            "param is missing or the value is empty: incident",
        )),
    }
}

fn check(fields: &Map<String, Value>, components: &[(String, String)]) -> Result<Checked, Reply> {
    let mut errors = Vec::new();
    if let Some(unknown) = fields.keys().find(|k| !KEYS.contains(&k.as_str())) {
        errors.push(format!("{unknown} is not a permitted parameter"));
    }
    let text = |key: &str, errors: &mut Vec<String>| match fields.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.push(format!("{key} must be a string"));
            None
        }
    };
    let one_of = |key: &str, allowed: &[&str], errors: &mut Vec<String>| {
        let value = text(key, errors)?;
        if allowed.contains(&value.as_str()) {
            Some(value)
        } else {
            errors.push(format!("{key} `{value}` is not included in the list"));
            None
        }
    };
    let known = |id: &str| components.iter().any(|(c, _)| c == id);
    let mut checked = Checked {
        name: text("name", &mut errors),
        status: one_of("status", INCIDENT_STATUSES, &mut errors),
        body: text("body", &mut errors),
        impact: one_of("impact_override", IMPACTS, &mut errors),
        ..Default::default()
    };
    match fields.get("component_ids") {
        None | Some(Value::Null) => {}
        Some(Value::Array(ids)) => {
            let mut list = Vec::new();
            for id in ids {
                match id.as_str() {
                    Some(id) if known(id) => list.push(id.to_string()),
                    _ => errors.push(format!("Component {id} not found")),
                }
            }
            checked.component_ids = Some(list);
        }
        Some(_) => errors.push("component_ids must be an array".into()),
    }
    match fields.get("components") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (id, status) in map {
                match status.as_str() {
                    _ if !known(id) => errors.push(format!("Component {id} not found")),
                    Some(s) if COMPONENT_STATUSES.contains(&s) => {
                        checked.components.push((id.clone(), s.to_string()))
                    }
                    _ => errors.push(format!(
                        "Component status {status} is not included in the list"
                    )),
                }
            }
        }
        Some(_) => errors.push("components must be an object".into()),
    }
    match fields.get("metadata") {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) if map.values().all(Value::is_object) => {
            checked.metadata = fields.get("metadata").cloned();
        }
        Some(_) => errors.push("metadata must be an object of objects".into()),
    }
    if errors.is_empty() {
        Ok(checked)
    } else {
        Err(invalid(errors))
    }
}

pub(super) fn create(state: &mut State, page_id: &str, body: &Bytes) -> Reply {
    let fields = match incident_of(body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let checked = match check(&fields, &state.pages[page_id]) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Some(name) = checked.name.filter(|n| !n.trim().is_empty()) else {
        return invalid(vec!["Name can't be blank".into()]);
    };
    let now = Utc::now();
    let status = checked.status.unwrap_or_else(|| "investigating".into());
    let mut components = checked.components;
    for id in checked.component_ids.unwrap_or_default() {
        if !components.iter().any(|(c, _)| *c == id) {
            components.push((id, "major_outage".into()));
        }
    }
    let incident = Incident {
        page_id: page_id.to_string(),
        id: state.next_id(),
        name,
        resolved_at: (status == "resolved").then_some(now),
        updates: vec![IncidentUpdate {
            status: status.clone(),
            body: checked.body,
            created_at: now,
        }],
        status,
        impact: checked.impact.unwrap_or_else(|| "none".into()),
        components,
        metadata: checked.metadata.unwrap_or_else(|| json!({})),
        created_at: now,
    };
    let rendered = render(state, &incident);
    state.incidents.push(incident);
    Reply::json(201, rendered)
}

pub(super) fn update(state: &mut State, page_id: &str, id: &str, body: &Bytes) -> Reply {
    let fields = match incident_of(body) {
        Ok(f) => f,
        Err(refused) => return refused,
    };
    let checked = match check(&fields, &state.pages[page_id]) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let Some(at) = state
        .incidents
        .iter()
        .position(|i| i.page_id == page_id && i.id == id)
    else {
        return error(404, "Not found");
    };
    let now = Utc::now();
    let incident = &mut state.incidents[at];
    if let Some(name) = checked.name {
        if name.trim().is_empty() {
            return invalid(vec!["Name can't be blank".into()]);
        }
        incident.name = name;
    }
    let changed_status = checked
        .status
        .as_ref()
        .is_some_and(|s| *s != incident.status);
    if let Some(status) = checked.status {
        incident.resolved_at = match status.as_str() {
            "resolved" => incident.resolved_at.or(Some(now)),
            _ => None,
        };
        incident.status = status;
    }
    if let Some(impact) = checked.impact {
        incident.impact = impact;
    }
    if let Some(ids) = checked.component_ids {
        incident.components.retain(|(c, _)| ids.contains(c));
        for id in ids {
            if !incident.components.iter().any(|(c, _)| *c == id) {
                incident.components.push((id, "major_outage".into()));
            }
        }
    }
    for (id, status) in checked.components {
        match incident.components.iter_mut().find(|(c, _)| *c == id) {
            Some(entry) => entry.1 = status,
            None => incident.components.push((id, status)),
        }
    }
    if checked.body.is_some() || changed_status {
        incident.updates.push(IncidentUpdate {
            status: incident.status.clone(),
            body: checked.body,
            created_at: now,
        });
    }
    let incident = state.incidents[at].clone();
    Reply::json(200, render(state, &incident))
}

pub(super) fn get(state: &State, page_id: &str, id: &str) -> Reply {
    match state
        .incidents
        .iter()
        .find(|i| i.page_id == page_id && i.id == id)
    {
        Some(i) => Reply::json(200, render(state, i)),
        None => error(404, "Not found"),
    }
}

/// Newest first, `per_page` (at most 100) a page, from `page` 1.
pub(super) fn list(state: &State, page_id: &str, uri: &Uri) -> Reply {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
    else {
        return error(400, "Invalid query string");
    };
    let mut per_page = DEFAULT_PER_PAGE;
    let mut page = 1;
    for (key, value) in &pairs {
        let n = value.parse::<usize>().ok().filter(|n| *n >= 1);
        match (key.as_str(), n) {
            ("per_page", Some(n)) => per_page = n.min(MAX_PER_PAGE),
            ("page", Some(n)) => page = n,
            ("per_page" | "page", None) => {
                return error(400, &format!("{key} must be a positive number"));
            }
            // `q` and `limit` exist at Statuspage; the fake does not model them.
            _ => return error(400, &format!("{key} is not modelled by the fake")),
        }
    }
    let mut mine: Vec<&Incident> = state
        .incidents
        .iter()
        .filter(|i| i.page_id == page_id)
        .collect();
    mine.sort_by_key(|i| std::cmp::Reverse(i.created_at));
    let shown: Vec<Value> = mine
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|i| render(state, i))
        .collect();
    Reply::json(200, Value::Array(shown))
}

/// The incident as Statuspage renders it.
fn render(state: &State, i: &Incident) -> Value {
    let time = |t: &chrono::DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Millis, true);
    let names = state.pages.get(&i.page_id);
    let components: Vec<Value> = i
        .components
        .iter()
        .map(|(id, status)| {
            let name = names
                .and_then(|n| n.iter().find(|(c, _)| c == id))
                .map_or("", |(_, n)| n.as_str());
            json!({"id": id, "name": name, "status": status, "page_id": i.page_id})
        })
        .collect();
    let updates: Vec<Value> = i
        .updates
        .iter()
        .rev()
        .map(|u| json!({"status": u.status, "body": u.body, "created_at": time(&u.created_at)}))
        .collect();
    json!({
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "impact": i.impact,
        "page_id": i.page_id,
        "created_at": time(&i.created_at),
        "updated_at": time(&i.updates.last().map_or(i.created_at, |u| u.created_at)),
        "resolved_at": i.resolved_at.as_ref().map(time),
        "shortlink": format!("https://stspg.io/{}", i.id),
        "metadata": i.metadata,
        "components": components,
        "incident_updates": updates,
    })
}
