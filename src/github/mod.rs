//! GitHub's REST API, for exporting postmortem action items as issues.
//!
//! GitHub takes no idempotency key: a create whose answer is lost may have opened
//! the issue. So the caller puts a hidden marker in the body (such as
//! `<!-- warroom-action:42 -->`) and, before creating again, asks
//! [`GithubClient::find_by_marker`]. That is how one action item becomes one issue
//! however often it is retried. Failures are classified like the pagers'
//! ([`crate::pagers`]); see [`GithubError`].

mod error;

pub use error::{FieldError, GithubError, SECONDARY_LIMIT_WAIT, classify};

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{ACCEPT, HeaderMap, LINK, USER_AGENT};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::time::SystemTime;
use url::Url;

pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The REST API version every request pins (`X-GitHub-Api-Version`).
pub const API_VERSION: &str = "2022-11-28";
/// GitHub refuses requests without a User-Agent.
const AGENT: &str = "warroom";
const MEDIA_TYPE: &str = "application/vnd.github+json";
const PER_PAGE: &str = "100";
/// Pages [`GithubClient::find_by_marker`] reads at most: 1,000 issues updated
/// since the first attempt, far more than a repository sees in a retry window.
pub const MAX_PAGES: usize = 10;

/// An issue to open. Empty `assignees` and `labels` are left out of the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub assignees: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
}

impl NewIssue {
    /// The same issue for nobody: the retry after [`GithubError::is_invalid_assignee`].
    pub fn without_assignees(&self) -> NewIssue {
        NewIssue {
            assignees: Vec::new(),
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedIssue {
    pub number: u64,
    pub html_url: String,
}

/// An entry of the issue list. Pull requests are listed too, with a `pull_request`
/// key.
#[derive(Deserialize)]
struct Listed {
    number: u64,
    html_url: String,
    body: Option<String>,
    pull_request: Option<serde_json::Value>,
}

#[derive(Clone)]
pub struct GithubClient {
    api_url: String,
    /// `owner/name`.
    repo: String,
    token: SecretString,
    http: reqwest::Client,
}

impl std::fmt::Debug for GithubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubClient")
            .field("api_url", &self.api_url)
            .field("repo", &self.repo)
            .field("token", &"[redacted]")
            .finish()
    }
}

impl GithubClient {
    /// `api_url` is [`DEFAULT_API_URL`] unless GitHub Enterprise; `repo` is
    /// `owner/name`. The client's timeout bounds every call.
    pub fn new(api_url: String, repo: String, token: SecretString, http: reqwest::Client) -> Self {
        Self {
            api_url,
            repo,
            token,
            http,
        }
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// `POST /repos/{owner}/{repo}/issues`, answered 201. Any other answer may
    /// still have opened the issue if it was lost on the way (a timeout, a 502):
    /// look for the marker before calling again.
    #[tracing::instrument(skip_all, fields(repo = %self.repo), err(Display))]
    pub async fn create_issue(&self, new: &NewIssue) -> Result<CreatedIssue, GithubError> {
        let url = self.issues_url()?;
        let response = self.send(self.http.post(url).json(new)).await?;
        let status = response.status().as_u16();
        let (headers, text) = read(response).await?;
        match status {
            201 => {
                let created: CreatedIssue = serde_json::from_str(&text).map_err(|e| {
                    GithubError::Transport(format!("unreadable answer to a create: {e}"))
                })?;
                tracing::info!(number = created.number, "opened a GitHub issue");
                Ok(created)
            }
            // A redirect followed as a GET (a moved repository) lists instead.
            200..=299 => Err(GithubError::Rejected {
                status,
                message: "expected 201 Created; has the repository moved?".to_string(),
                errors: Vec::new(),
            }),
            _ => Err(classify(status, &headers, &text, SystemTime::now())),
        }
    }

    /// The issue (never a pull request) whose body contains `marker`, among those
    /// updated at or after `since`: `GET /repos/{owner}/{repo}/issues?state=all`,
    /// 100 a page, following `Link: rel="next"` for up to [`MAX_PAGES`] pages.
    /// Pass the time of the first create attempt (a little earlier, for clock
    /// skew): the issue cannot have been created before it.
    #[tracing::instrument(skip_all, fields(repo = %self.repo), err(Display))]
    pub async fn find_by_marker(
        &self,
        marker: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<CreatedIssue>, GithubError> {
        if marker.trim().is_empty() {
            return Err(GithubError::NotConfigured(
                "an empty marker matches every issue".to_string(),
            ));
        }
        let mut url = self.issues_url()?;
        url.query_pairs_mut()
            .append_pair("state", "all")
            .append_pair("since", &since.to_rfc3339_opts(SecondsFormat::Secs, true))
            .append_pair("per_page", PER_PAGE);
        for _ in 0..MAX_PAGES {
            let response = self.send(self.http.get(url.clone())).await?;
            let status = response.status().as_u16();
            let (headers, text) = read(response).await?;
            if !(200..=299).contains(&status) {
                return Err(classify(status, &headers, &text, SystemTime::now()));
            }
            let page: Vec<Listed> = serde_json::from_str(&text)
                .map_err(|e| GithubError::Transport(format!("unreadable page of issues: {e}")))?;
            let found = page.into_iter().find(|i| {
                i.pull_request.is_none() && i.body.as_deref().is_some_and(|b| b.contains(marker))
            });
            if let Some(i) = found {
                return Ok(Some(CreatedIssue {
                    number: i.number,
                    html_url: i.html_url,
                }));
            }
            match next_link(&headers) {
                None => return Ok(None),
                Some(next) => url = self.same_host(&next)?,
            }
        }
        Err(GithubError::SearchIncomplete { pages: MAX_PAGES })
    }

    fn base(&self) -> Result<Url, GithubError> {
        Url::parse(&self.api_url).map_err(|e| {
            GithubError::NotConfigured(format!("GitHub API URL {:?}: {e}", self.api_url))
        })
    }

    /// `{api}/repos/{owner}/{name}/issues`, each part escaped.
    fn issues_url(&self) -> Result<Url, GithubError> {
        let (owner, name) = self
            .repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| {
                GithubError::NotConfigured(format!(
                    "GitHub repository {:?} is not owner/name",
                    self.repo
                ))
            })?;
        let mut url = self.base()?;
        url.path_segments_mut()
            .map_err(|()| GithubError::NotConfigured(format!("GitHub API URL {}", self.api_url)))?
            .pop_if_empty()
            .extend(["repos", owner, name, "issues"]);
        Ok(url)
    }

    /// A next page is followed only on the API's own host: the token goes with it.
    fn same_host(&self, next: &str) -> Result<Url, GithubError> {
        let next = Url::parse(next)
            .map_err(|e| GithubError::Transport(format!("unreadable next page link: {e}")))?;
        if next.origin() != self.base()?.origin() {
            return Err(GithubError::NotConfigured(format!(
                "the next page of issues is on {}, not the API's host; not sending the token there",
                next.origin().ascii_serialization()
            )));
        }
        Ok(next)
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, GithubError> {
        request
            .bearer_auth(self.token.expose_secret())
            .header(USER_AGENT, AGENT)
            .header(ACCEPT, MEDIA_TYPE)
            .header("x-github-api-version", API_VERSION)
            .send()
            .await
            .map_err(|e| GithubError::Transport(e.without_url().to_string()))
    }
}

async fn read(response: reqwest::Response) -> Result<(HeaderMap, String), GithubError> {
    let headers = response.headers().clone();
    let text = response
        .text()
        .await
        .map_err(|e| GithubError::Transport(e.without_url().to_string()))?;
    Ok((headers, text))
}

/// The `rel="next"` target of the `Link` headers, as GitHub writes them:
/// `<https://api.github.com/…&page=2>; rel="next", <…&page=5>; rel="last"`.
fn next_link(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|entry| {
            let mut parts = entry.split(';');
            let target = parts.next()?.trim().strip_prefix('<')?.strip_suffix('>')?;
            let is_next = parts.any(|p| {
                p.trim().strip_prefix("rel=").is_some_and(|rel| {
                    rel.trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
                })
            });
            is_next.then(|| target.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(api_url: &str, repo: &str) -> GithubClient {
        crate::tls::install_crypto_provider();
        GithubClient::new(
            api_url.to_string(),
            repo.to_string(),
            SecretString::from("ghp_SUPERSECRET"),
            reqwest::Client::new(),
        )
    }

    fn link(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(LINK, value.parse().unwrap());
        h
    }

    #[test]
    fn the_next_page_is_read_from_the_link_header_wherever_it_stands() {
        let h = link(
            r#"<https://api.github.com/repositories/1/issues?page=1>; rel="prev", <https://api.github.com/repositories/1/issues?page=3>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last""#,
        );
        assert_eq!(
            next_link(&h).as_deref(),
            Some("https://api.github.com/repositories/1/issues?page=3")
        );
        let last_page = link(
            r#"<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=4>; rel="prev""#,
        );
        assert_eq!(next_link(&last_page), None);
        assert_eq!(next_link(&HeaderMap::new()), None);
    }

    #[test]
    fn the_token_stays_out_of_debug_output() {
        let client = client(DEFAULT_API_URL, "acme/ops");
        let shown = format!("{client:?}");
        assert!(!shown.contains("SUPERSECRET"), "{shown}");
        assert!(shown.contains("acme/ops"), "{shown}");
    }

    #[test]
    fn a_repository_that_is_not_owner_slash_name_is_a_configuration_error() {
        for repo in ["acme", "acme/", "/ops", "acme/ops/extra"] {
            let e = client(DEFAULT_API_URL, repo).issues_url().unwrap_err();
            assert!(matches!(e, GithubError::NotConfigured(_)), "{repo}: {e:?}");
            assert!(e.is_permanent());
        }
    }

    #[test]
    fn the_issues_url_escapes_the_repository_and_keeps_an_enterprise_prefix() {
        let client = client("https://ghe.example/api/v3/", "acme/ops tools");
        assert_eq!(
            client.issues_url().unwrap().as_str(),
            "https://ghe.example/api/v3/repos/acme/ops%20tools/issues"
        );
    }
}
