//! [`FakeGithub`]: a strict fake of the two GitHub REST endpoints Warroom uses to
//! export action items: create an issue (`POST /repos/{owner}/{repo}/issues`) and
//! list a repository's issues (`GET` on the same path).
//!
//! As strict as GitHub, and a little stricter where GitHub would silently ignore
//! something:
//! * a User-Agent is required (403, plain text, otherwise); `Authorization:
//!   Bearer <token>` or `token <token>` (401 "Requires authentication" without,
//!   "Bad credentials" with another); an `X-GitHub-Api-Version` other than
//!   `2022-11-28` is refused (400);
//! * unknown repositories answer 404 "Not Found", a repository with issues
//!   disabled 410 "Issues are disabled for this repo";
//! * a create needs a non-empty `title`, assignees who are collaborators, labels
//!   as strings (or `{name}` objects), a body up to 65,536 characters; no
//!   milestone (none exist) and no unknown keys. Refusals are 422 "Validation
//!   Failed" with GitHub's `errors[]`;
//! * the list takes `state`, `since`, `sort`, `direction`, `per_page` (default 30,
//!   at most 100) and `page`, answers a correct `Link` header, and holds a pull
//!   request (#1, from the start), since GitHub lists those too. Issue and pull
//!   request numbers share one sequence, as on GitHub. Other filters are refused
//!   (the fake does not model them).
//!
//! Every request is recorded; [`GithubFault`]s are injected like the pagers', to
//! any request or only to creates or lists (they never change state, except the
//! `Applied…` ones, which are the point).

mod issues;
mod list;
mod server;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::pagers::{ServerTask, lock, serve, wait_until};
use server::{Repo, Shared, State};

/// The only `X-GitHub-Api-Version` the fake accepts (when one is sent).
pub const API_VERSION: &str = "2022-11-28";
/// The title of the pull request every repository starts with (number 1).
pub const SEEDED_PULL_REQUEST_TITLE: &str = "Bump dependencies";

/// What the next request(s) meet instead of (or after) being handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GithubFault {
    /// 403, "You have exceeded a secondary rate limit…", with `retry-after` if set.
    SecondaryRateLimit { retry_after_secs: Option<u64> },
    /// 429 with `retry-after` and the secondary-limit message.
    TooManyRequests { retry_after_secs: u64 },
    /// 403 "API rate limit exceeded…" with `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` this many seconds from now (UTC epoch seconds).
    PrimaryRateLimit { reset_in_secs: u64 },
    /// 500 `{"message":"Server Error"}`.
    ServerError,
    /// 502 with a plain-text body, as a proxy answers.
    BadGateway,
    /// "It worked but the answer was lost": the request is handled (an issue it
    /// creates stays), then answered 502. Recorded with `applied: true`.
    AppliedThenBadGateway,
    /// Handled (its effect stays), then the answer waits this long. A client
    /// with a shorter timeout gives up; the request stays recorded with status 0
    /// and `applied: true`.
    AppliedThenHang(Duration),
}

/// An issue or pull request the fake holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    /// `owner/name`.
    pub repo: String,
    pub number: u64,
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    /// `open` or `closed`.
    pub state: String,
    pub assignees: Vec<String>,
    pub labels: Vec<String>,
    pub pull_request: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One request, whatever its path.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The raw query string (`""` when none).
    pub query: String,
    pub authorization: Option<String>,
    pub user_agent: Option<String>,
    pub accept: Option<String>,
    pub api_version: Option<String>,
    /// The body parsed as JSON (`Value::Null` when empty or not JSON).
    pub body: Value,
    /// HTTP status answered; `0` when the client went away before the answer.
    pub status: u16,
    /// JSON answered (`Value::Null` when the answer was not JSON).
    pub response: Value,
    /// Whether it changed state (created an issue), answered or not.
    pub applied: bool,
}

/// A running fake GitHub. Clones share the same server and state; the server
/// stops when the last clone is dropped.
#[derive(Clone)]
pub struct FakeGithub {
    shared: Arc<Shared>,
    base_url: String,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakeGithub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGithub")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl FakeGithub {
    /// Starts the fake on `127.0.0.1:0` holding `repo` (`owner/name`, issues
    /// enabled, the owner a collaborator, pull request #1 open since a year ago,
    /// so `since` leaves it out unless older) and accepting
    /// `token`. Panics if it cannot bind or `repo` is not `owner/name`.
    pub async fn start(repo: &str, token: &str) -> FakeGithub {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            token: token.to_string(),
        });
        let (base_url, task) = serve("fake github", server::router(shared.clone())).await;
        lock(&shared.state).base_url = base_url.clone();
        let fake = FakeGithub {
            shared,
            base_url,
            _server: Arc::new(task),
        };
        fake.add_repo(repo);
        fake
    }

    /// `http://127.0.0.1:PORT`: the API URL to give a client.
    pub fn url(&self) -> String {
        self.base_url.clone()
    }

    /// Adds a repository like the one [`FakeGithub::start`] makes.
    pub fn add_repo(&self, repo: &str) {
        let (owner, _) = repo
            .split_once('/')
            .unwrap_or_else(|| panic!("fake github: {repo:?} is not owner/name"));
        let mut state = lock(&self.shared.state);
        state.repos.insert(
            repo.to_string(),
            Repo {
                issues_enabled: true,
                collaborators: vec![owner.to_string()],
            },
        );
        let long_ago = Utc::now() - chrono::Duration::days(365);
        state.push(repo, issues::seeded_pull_request(repo), long_ago);
    }

    /// From now on, the repository answers 410 "Issues are disabled for this repo".
    pub fn disable_issues(&self, repo: &str) {
        self.with_repo(repo, |r| r.issues_enabled = false);
    }

    /// Lets `login` be assigned issues in `repo`.
    pub fn add_collaborator(&self, repo: &str, login: &str) {
        self.with_repo(repo, |r| r.collaborators.push(login.to_string()));
    }

    /// An open issue created and last updated at `updated_at`; its number. Seed in
    /// time order: numbers follow the order of seeding.
    pub fn seed_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        updated_at: DateTime<Utc>,
    ) -> u64 {
        let issue = issues::seeded(repo, title, body, false);
        lock(&self.shared.state).push(repo, issue, updated_at)
    }

    /// An open pull request, updated now; its number.
    pub fn add_pull_request(&self, repo: &str, title: &str, body: &str) -> u64 {
        let pr = issues::seeded(repo, title, body, true);
        lock(&self.shared.state).push(repo, pr, Utc::now())
    }

    /// Closes an issue (updating it now). Panics if there is none.
    pub fn close_issue(&self, repo: &str, number: u64) {
        let mut state = lock(&self.shared.state);
        let issue = state
            .issues
            .iter_mut()
            .find(|i| i.repo == repo && i.number == number)
            .unwrap_or_else(|| panic!("fake github: no issue {repo}#{number}"));
        issue.state = "closed".to_string();
        issue.updated_at = Utc::now();
    }

    /// The issues (not pull requests) of `repo`, in creation order.
    pub fn issues(&self, repo: &str) -> Vec<Issue> {
        lock(&self.shared.state)
            .issues
            .iter()
            .filter(|i| i.repo == repo && !i.pull_request)
            .cloned()
            .collect()
    }

    /// Every request received, in arrival order (refused and failed ones too).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.state).requests.clone()
    }

    /// The next `n` requests meet `fault` (queued after those already queued).
    pub fn fail_next(&self, n: usize, fault: GithubFault) {
        lock(&self.shared.state).faults.queue(None, n, fault);
    }

    /// The next `n` creates (`POST`) meet `fault`; lists pass by. A caller looks
    /// before it creates, so this is how a create's answer gets lost.
    pub fn fail_next_creates(&self, n: usize, fault: GithubFault) {
        lock(&self.shared.state)
            .faults
            .queue(Some(Method::POST), n, fault);
    }

    /// The next `n` lists (`GET`) meet `fault`; creates pass by.
    pub fn fail_next_lists(&self, n: usize, fault: GithubFault) {
        lock(&self.shared.state)
            .faults
            .queue(Some(Method::GET), n, fault);
    }

    /// While down, every request answers 503 (plain text); queued faults wait.
    pub fn set_down(&self, down: bool) {
        lock(&self.shared.state).down = down;
    }

    /// Polls `f` every 20 ms until it holds; panics naming `what` after 10 s.
    pub async fn wait_for<F: Fn(&Self) -> bool>(&self, what: &str, f: F) {
        wait_until(what, Duration::from_secs(10), || f(self)).await;
    }

    fn with_repo(&self, repo: &str, f: impl FnOnce(&mut Repo)) {
        let mut state = lock(&self.shared.state);
        let r = state
            .repos
            .get_mut(repo)
            .unwrap_or_else(|| panic!("fake github: no repository {repo}"));
        f(r);
    }
}
