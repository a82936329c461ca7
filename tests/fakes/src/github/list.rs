//! `GET /repos/{owner}/{repo}/issues`: filters, order, pages and the `Link` header.
//! Pull requests are listed with the issues, as GitHub lists them.

use std::cmp::Ordering;

use axum::http::Uri;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Issue;
use super::issues::render;
use super::server::{Reply, State, error, invalid};

const DOCS: &str = "https://docs.github.com/rest/issues/issues#list-repository-issues";
const DEFAULT_PER_PAGE: usize = 30;
const MAX_PER_PAGE: usize = 100;
/// Filters GitHub has and the fake does not: refused rather than ignored, so a
/// test never passes on an unfiltered list.
const NOT_MODELLED: &[&str] = &[
    "milestone",
    "assignee",
    "type",
    "creator",
    "mentioned",
    "labels",
];
const KNOWN: &[&str] = &["state", "since", "sort", "direction", "per_page", "page"];

#[derive(Debug)]
struct Query {
    state: String,
    since: Option<DateTime<Utc>>,
    by_updated: bool,
    ascending: bool,
    per_page: usize,
    page: usize,
}

pub(super) fn answer(state: &State, repo: &str, uri: &Uri) -> Reply {
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
    else {
        return error(400, "Invalid query string", DOCS);
    };
    let q = match parse(&pairs) {
        Ok(q) => q,
        Err(refused) => return refused,
    };
    let mut items: Vec<&Issue> = state
        .issues
        .iter()
        .filter(|i| i.repo == repo)
        .filter(|i| q.state == "all" || i.state == q.state)
        .filter(|i| q.since.is_none_or(|since| i.updated_at >= since))
        .collect();
    items.sort_by(|a, b| {
        let by = match q.by_updated {
            true => a.updated_at.cmp(&b.updated_at),
            false => Ordering::Equal,
        };
        by.then(a.created_at.cmp(&b.created_at))
            .then(a.number.cmp(&b.number))
    });
    if !q.ascending {
        items.reverse();
    }
    let last_page = items.len().div_ceil(q.per_page).max(1);
    let page: Vec<Value> = items
        .iter()
        .skip((q.page - 1) * q.per_page)
        .take(q.per_page)
        .map(|i| render(&state.base_url, i))
        .collect();
    let reply = Reply::json(200, Value::Array(page));
    match link(&state.base_url, uri.path(), &pairs, q.page, last_page) {
        Some(link) => reply.with("link", link),
        None => reply,
    }
}

fn parse(pairs: &[(String, String)]) -> Result<Query, Reply> {
    // The last of a repeated parameter wins.
    let get = |key: &str| {
        pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if let Some((key, _)) = pairs.iter().find(|(k, _)| !KNOWN.contains(&k.as_str())) {
        let why = match NOT_MODELLED.contains(&key.as_str()) {
            true => "is a GitHub filter the fake does not model",
            false => "is not a parameter of this endpoint",
        };
        return Err(error(400, &format!("fake github: `{key}` {why}"), DOCS));
    }
    let invalid = |field: &str, value: &str| {
        invalid(
            vec![json!({"resource": "Issue", "field": field, "code": "invalid", "value": value})],
            DOCS,
        )
    };
    let state = get("state").unwrap_or("open");
    if !["open", "closed", "all"].contains(&state) {
        return Err(invalid("state", state));
    }
    let since = match get("since") {
        None => None,
        Some(s) => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|_| invalid("since", s))?
                .with_timezone(&Utc),
        ),
    };
    let sort = get("sort").unwrap_or("created");
    if !["created", "updated", "comments"].contains(&sort) {
        return Err(invalid("sort", sort));
    }
    let direction = get("direction").unwrap_or("desc");
    if !["asc", "desc"].contains(&direction) {
        return Err(invalid("direction", direction));
    }
    let number = |key: &str, default: usize| -> Result<usize, Reply> {
        match get(key) {
            None => Ok(default),
            Some(v) => match v.parse::<usize>() {
                Ok(0) => Ok(default),
                Ok(n) => Ok(n),
                Err(_) => Err(invalid(key, v)),
            },
        }
    };
    Ok(Query {
        state: state.to_string(),
        since,
        by_updated: sort == "updated",
        ascending: direction == "asc",
        // GitHub caps rather than refuses.
        per_page: number("per_page", DEFAULT_PER_PAGE)?.min(MAX_PER_PAGE),
        page: number("page", 1)?,
    })
}

/// GitHub's `Link`: `prev` and `first` after page 1, `next` and `last` before the
/// last page; every URL the request's own with its `page` replaced.
fn link(
    base_url: &str,
    path: &str,
    pairs: &[(String, String)],
    page: usize,
    last: usize,
) -> Option<String> {
    let url = |p: usize| {
        let mut query: Vec<(&str, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| (k.as_str(), v.clone()))
            .collect();
        query.push(("page", p.to_string()));
        let query = serde_urlencoded::to_string(&query).unwrap_or_default();
        format!("{base_url}{path}?{query}")
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("<{}>; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        links.push(format!("<{}>; rel=\"next\"", url(page + 1)));
        links.push(format!("<{}>; rel=\"last\"", url(last)));
    }
    if page > 1 {
        links.push(format!("<{}>; rel=\"first\"", url(1)));
    }
    (!links.is_empty()).then(|| links.join(", "))
}
