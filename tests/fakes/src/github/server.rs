//! The axum app: recording, faults, the checks every GitHub request meets (User-Agent,
//! API version, credentials, repository, issues enabled), then the endpoint.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{API_VERSION, GithubFault, Issue, RecordedRequest, issues, list};
use crate::pagers::lock;
pub(super) use crate::rest::Reply;
use crate::rest::{Credentials, Faults, credentials, header_text};

const DOCS: &str = "https://docs.github.com/rest";
const RATE_LIMIT: usize = 5000;
const SECONDARY_MESSAGE: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.";
const NO_USER_AGENT: &str = "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n";

#[derive(Debug)]
pub(crate) struct Repo {
    pub issues_enabled: bool,
    pub collaborators: Vec<String>,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub base_url: String,
    pub repos: HashMap<String, Repo>,
    /// Issues and pull requests of every repository, in creation order.
    pub issues: Vec<Issue>,
    pub requests: Vec<RecordedRequest>,
    pub faults: Faults<GithubFault>,
    pub down: bool,
    /// The last number given out, per repository (issues and pull requests share it).
    numbers: HashMap<String, u64>,
    last_id: u64,
}

impl State {
    /// Stores `issue` under the repository's next number and a fresh id, created
    /// and updated `at`. Returns its number.
    pub fn push(&mut self, repo: &str, mut issue: Issue, at: DateTime<Utc>) -> u64 {
        let number = self.numbers.entry(repo.to_string()).or_default();
        *number += 1;
        self.last_id += 1;
        issue.number = *number;
        issue.id = 2_000_000_000 + self.last_id;
        issue.created_at = at;
        issue.updated_at = at;
        let n = issue.number;
        self.issues.push(issue);
        n
    }
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub token: String,
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// GitHub's error body: `{message, documentation_url, status}`.
pub(super) fn error(status: u16, message: &str, docs: &str) -> Reply {
    Reply::json(
        status,
        json!({"message": message, "documentation_url": docs, "status": status.to_string()}),
    )
}

/// 422 "Validation Failed" with these `errors`.
pub(super) fn invalid(errors: Vec<Value>, docs: &str) -> Reply {
    Reply::json(
        422,
        json!({"message": "Validation Failed", "errors": errors,
               "documentation_url": docs, "status": "422"}),
    )
}

async fn handle(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = record(&shared, &method, &uri, &headers, &body);
    let (down, fault) = {
        let mut state = lock(&shared.state);
        match state.down {
            true => (true, None),
            false => (false, state.faults.take(|m| *m == method)),
        }
    };
    let reply = match (down, fault.as_ref().and_then(refusal)) {
        (true, _) => Reply::text(503, "Service Unavailable"),
        (false, Some(refused)) => refused,
        (false, None) => {
            let reply = serve(&shared, index, &method, &uri, &headers, &body);
            match fault {
                Some(GithubFault::AppliedThenBadGateway) => Reply::text(502, "Bad Gateway"),
                Some(GithubFault::AppliedThenHang(wait)) => {
                    tokio::time::sleep(wait).await;
                    reply
                }
                _ => reply,
            }
        }
    };
    let reply = with_rate_headers(reply, index + 1);
    if let Some(recorded) = lock(&shared.state).requests.get_mut(index) {
        recorded.status = reply.status;
        recorded.response = reply.recorded();
    }
    reply.into_response()
}

fn record(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> usize {
    let text = |name: &str| header_text(headers, name).map(str::to_string);
    let mut state = lock(&shared.state);
    state.requests.push(RecordedRequest {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        authorization: text("authorization"),
        user_agent: text("user-agent"),
        accept: text("accept"),
        api_version: text("x-github-api-version"),
        body: serde_json::from_slice(body).unwrap_or(Value::Null),
        status: 0,
        response: Value::Null,
        applied: false,
    });
    state.requests.len() - 1
}

/// The answer a fault gives instead of handling the request; `None` for the
/// faults that handle it first.
fn refusal(fault: &GithubFault) -> Option<Reply> {
    let secondary = || error(403, SECONDARY_MESSAGE, DOCS);
    match fault {
        GithubFault::SecondaryRateLimit { retry_after_secs } => Some(match retry_after_secs {
            Some(secs) => secondary().retry_after(*secs),
            None => secondary(),
        }),
        GithubFault::TooManyRequests { retry_after_secs } => {
            Some(error(429, SECONDARY_MESSAGE, DOCS).retry_after(*retry_after_secs))
        }
        GithubFault::PrimaryRateLimit { reset_in_secs } => {
            let reset = Utc::now().timestamp() + *reset_in_secs as i64;
            Some(
                error(403, "API rate limit exceeded for user ID 1.", DOCS)
                    .with("x-ratelimit-limit", RATE_LIMIT)
                    .with("x-ratelimit-remaining", 0)
                    .with("x-ratelimit-used", RATE_LIMIT)
                    .with("x-ratelimit-reset", reset)
                    .with("x-ratelimit-resource", "core"),
            )
        }
        GithubFault::ServerError => Some(Reply::json(500, json!({"message": "Server Error"}))),
        GithubFault::BadGateway => Some(Reply::text(502, "Bad Gateway")),
        GithubFault::AppliedThenBadGateway | GithubFault::AppliedThenHang(_) => None,
    }
}

/// The primary-limit headers GitHub sends on every answer, unless a fault set its own.
fn with_rate_headers(reply: Reply, used: usize) -> Reply {
    if reply
        .headers
        .iter()
        .any(|(n, _)| *n == "x-ratelimit-remaining")
    {
        return reply;
    }
    reply
        .with("x-ratelimit-limit", RATE_LIMIT)
        .with(
            "x-ratelimit-remaining",
            RATE_LIMIT.saturating_sub(used).max(1),
        )
        .with("x-ratelimit-used", used)
        .with("x-ratelimit-reset", Utc::now().timestamp() + 3600)
        .with("x-ratelimit-resource", "core")
}

fn serve(
    shared: &Shared,
    index: usize,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Reply {
    if header_text(headers, "user-agent").is_none_or(|ua| ua.trim().is_empty()) {
        return Reply::text(403, NO_USER_AGENT);
    }
    if let Some(version) = header_text(headers, "x-github-api-version")
        && version != API_VERSION
    {
        let message = format!("API version '{version}' is not supported.");
        return error(400, &message, DOCS);
    }
    let Some(repo) = issues_route(uri.path()) else {
        return error(404, "Not Found", DOCS);
    };
    if let Err(refused) = authenticate(headers, &shared.token) {
        return refused;
    }
    let mut state = lock(&shared.state);
    match state.repos.get(&repo) {
        None => return error(404, "Not Found", DOCS),
        Some(r) if !r.issues_enabled => {
            return error(410, "Issues are disabled for this repo", DOCS);
        }
        Some(_) => {}
    }
    match *method {
        Method::GET => list::answer(&state, &repo, uri),
        Method::POST => issues::create(&mut state, &repo, body, index),
        _ => error(404, "Not Found", DOCS),
    }
}

/// `owner/name` from `/repos/{owner}/{name}/issues`.
fn issues_route(path: &str) -> Option<String> {
    match path.split('/').collect::<Vec<_>>().as_slice() {
        ["", "repos", owner, name, "issues"] if !owner.is_empty() && !name.is_empty() => {
            Some(format!("{owner}/{name}"))
        }
        _ => None,
    }
}

/// `Authorization: Bearer <token>` or `token <token>`, scheme in any case.
fn authenticate(headers: &HeaderMap, token: &str) -> Result<(), Reply> {
    let scheme_ok = |s: &str| s.eq_ignore_ascii_case("bearer") || s.eq_ignore_ascii_case("token");
    match credentials(headers, scheme_ok, token) {
        Credentials::Accepted => Ok(()),
        Credentials::Missing => Err(error(401, "Requires authentication", DOCS)),
        Credentials::Wrong => Err(error(401, "Bad credentials", DOCS)),
    }
}
