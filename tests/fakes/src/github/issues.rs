//! `POST /repos/{owner}/{repo}/issues`: the body checked as GitHub checks it, the
//! issue stored, and the issue's JSON as GitHub renders it (shared with the list).

use axum::body::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::server::{Reply, State, error, invalid};
use super::{Issue, SEEDED_PULL_REQUEST_TITLE};

const DOCS: &str = "https://docs.github.com/rest/issues/issues#create-an-issue";
/// GitHub's limit on an issue body.
pub(super) const MAX_BODY: usize = 65_536;
const KEYS: &[&str] = &[
    "title",
    "body",
    "assignee",
    "assignees",
    "labels",
    "milestone",
    "type",
];

/// An issue or pull request as seeded (number, id and times are set on storing).
pub(super) fn seeded(repo: &str, title: &str, body: &str, pull_request: bool) -> Issue {
    Issue {
        repo: repo.to_string(),
        number: 0,
        id: 0,
        title: title.to_string(),
        body: Some(body.to_string()),
        state: "open".to_string(),
        assignees: Vec::new(),
        labels: Vec::new(),
        pull_request,
        created_at: DateTime::<Utc>::UNIX_EPOCH,
        updated_at: DateTime::<Utc>::UNIX_EPOCH,
    }
}

/// Pull request #1, which every repository starts with.
pub(super) fn seeded_pull_request(repo: &str) -> Issue {
    seeded(
        repo,
        SEEDED_PULL_REQUEST_TITLE,
        "Automated dependency update.",
        true,
    )
}

pub(super) fn create(state: &mut State, repo: &str, body: &Bytes, index: usize) -> Reply {
    let Ok(parsed) = serde_json::from_slice::<Value>(body) else {
        return error(400, "Problems parsing JSON", DOCS);
    };
    let Some(fields) = parsed.as_object() else {
        return error(422, "Invalid request.\n\nThe body is not an object.", DOCS);
    };
    if let Some(unknown) = fields.keys().find(|k| !KEYS.contains(&k.as_str())) {
        let message = format!("Invalid request.\n\n\"{unknown}\" is not a permitted key.");
        return error(422, &message, DOCS);
    }
    let collaborators = state
        .repos
        .get(repo)
        .map_or(&[][..], |r| &r.collaborators[..]);
    let checked = check(fields, collaborators);
    if !checked.errors.is_empty() {
        return invalid(checked.errors, DOCS);
    }
    let issue = Issue {
        body: checked.body,
        assignees: checked.assignees,
        labels: checked.labels,
        ..seeded(repo, &checked.title, "", false)
    };
    let number = state.push(repo, issue, Utc::now());
    if let Some(recorded) = state.requests.get_mut(index) {
        recorded.applied = true;
    }
    let stored = state.issues.last().filter(|i| i.number == number);
    let rendered = stored.map_or(Value::Null, |i| render(&state.base_url, i));
    let location = rendered["url"].as_str().unwrap_or_default().to_string();
    Reply::json(201, rendered).with("location", location)
}

/// A create body's values, and what is wrong with them (GitHub's `errors[]`).
struct Checked {
    title: String,
    body: Option<String>,
    assignees: Vec<String>,
    labels: Vec<String>,
    errors: Vec<Value>,
}

fn check(fields: &Map<String, Value>, collaborators: &[String]) -> Checked {
    let mut errors = Vec::new();
    let mut invalid = |field: &str, value: Option<&Value>| {
        let mut e = json!({"resource": "Issue", "field": field, "code": "invalid"});
        if let Some(v) = value {
            e["value"] = v.clone();
        }
        errors.push(e);
    };
    let title = match fields.get("title") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Null | Value::String(_)) | None => String::new(),
        Some(other) => {
            invalid("title", Some(other));
            String::new()
        }
    };
    let body = match fields.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            invalid("body", Some(other));
            None
        }
    };
    let labels = strings(fields.get("labels"), true).unwrap_or_else(|| {
        invalid("labels", fields.get("labels"));
        Vec::new()
    });
    let mut assignees = strings(fields.get("assignees"), false).unwrap_or_else(|| {
        invalid("assignees", fields.get("assignees"));
        Vec::new()
    });
    match fields.get("assignee") {
        None | Some(Value::Null) => {}
        Some(Value::String(login)) => assignees.push(login.clone()),
        Some(other) => invalid("assignee", Some(other)),
    }
    let mut known = Vec::new();
    for login in assignees {
        match collaborators
            .iter()
            .find(|c| c.eq_ignore_ascii_case(&login))
        {
            Some(c) if !known.contains(c) => known.push(c.clone()),
            Some(_) => {}
            None => invalid("assignees", Some(&Value::String(login))),
        }
    }
    if fields.get("milestone").is_some_and(|m| !m.is_null()) {
        invalid("milestone", fields.get("milestone"));
    }
    if fields.get("type").is_some_and(|t| !t.is_null()) {
        invalid("type", fields.get("type"));
    }
    if title.is_empty() && !errors.iter().any(|e| e["field"] == "title") {
        errors.insert(
            0,
            json!({"resource": "Issue", "field": "title", "code": "missing_field"}),
        );
    }
    if body.as_ref().is_some_and(|b| b.chars().count() > MAX_BODY) {
        errors.push(
            json!({"resource": "Issue", "field": "body", "code": "custom",
            "message": format!("body is too long (maximum is {MAX_BODY} characters)")}),
        );
    }
    Checked {
        title,
        body,
        assignees: known,
        labels,
        errors,
    }
}

/// An absent or null list is empty; otherwise every entry must be a string (or,
/// where `named` allows, an object with a string `name`).
fn strings(value: Option<&Value>, named: bool) -> Option<Vec<String>> {
    let items = match value {
        None | Some(Value::Null) => return Some(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return None,
    };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) if named => o.get("name")?.as_str().map(str::to_string),
            _ => None,
        })
        .collect()
}

/// The issue as GitHub renders it (a pull request with its `pull_request` key).
pub(super) fn render(base_url: &str, issue: &Issue) -> Value {
    let (owner_repo, n) = (&issue.repo, issue.number);
    let api = format!("{base_url}/repos/{owner_repo}");
    let kind = if issue.pull_request { "pull" } else { "issues" };
    let time = |t: &DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let logins: Vec<Value> = issue
        .assignees
        .iter()
        .map(|l| json!({"login": l}))
        .collect();
    let mut rendered = json!({
        "id": issue.id,
        "node_id": format!("I_kwDO{:08X}", issue.id),
        "url": format!("{api}/issues/{n}"),
        "repository_url": api,
        "html_url": format!("https://github.com/{owner_repo}/{kind}/{n}"),
        "number": n,
        "state": issue.state,
        "title": issue.title,
        "body": issue.body,
        "user": {"login": "warroom-bot", "type": "Bot"},
        "labels": issue.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "assignee": logins.first().cloned().unwrap_or(Value::Null),
        "assignees": logins,
        "milestone": null,
        "locked": false,
        "comments": 0,
        "created_at": time(&issue.created_at),
        "updated_at": time(&issue.updated_at),
        "closed_at": (issue.state == "closed").then(|| time(&issue.updated_at)),
        "author_association": "NONE",
    });
    if issue.pull_request {
        rendered["pull_request"] = json!({
            "url": format!("{api}/pulls/{n}"),
            "html_url": format!("https://github.com/{owner_repo}/pull/{n}"),
            "diff_url": format!("https://github.com/{owner_repo}/pull/{n}.diff"),
            "patch_url": format!("https://github.com/{owner_repo}/pull/{n}.patch"),
            "merged_at": null,
        });
    }
    rendered
}
