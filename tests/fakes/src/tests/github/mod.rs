//! Tests proving the fake GitHub's strictness: the checks every request meets and
//! the create endpoint's validation. The list is in `list`, faults in `faults`.

mod faults;
mod list;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::pagers::http;
use crate::FakeGithub;

pub(crate) const REPO: &str = "acme/ops";
pub(crate) const TOKEN: &str = "ghp_fake_token_0123456789";

/// What came back: status, headers, JSON body (`Null` if not JSON) and text.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub(crate) async fn send(req: reqwest::RequestBuilder) -> Answer {
    let res = req.send().await.expect("request to fake github");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
    }
}

/// A request with the headers a well-behaved client sends.
pub(crate) fn request(method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
    http()
        .request(method, url)
        .bearer_auth(TOKEN)
        .header("user-agent", "warroom-tests")
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
}

pub(crate) fn issues_url(gh: &FakeGithub, repo: &str) -> String {
    format!("{}/repos/{repo}/issues", gh.url())
}

pub(crate) async fn create(gh: &FakeGithub, body: Value) -> Answer {
    send(request(reqwest::Method::POST, issues_url(gh, REPO)).json(&body)).await
}

fn errors(a: &Answer) -> Vec<(String, String)> {
    a.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                    (s("field"), s("code"))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_valid_create_answers_201_with_the_next_number_after_the_pull_request() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let a = create(
        &gh,
        json!({"title": "Add a canary", "body": "<!-- warroom-action:7 -->", "labels": ["postmortem"]}),
    )
    .await;
    assert_eq!(a.status, 201, "{a:?}");
    assert_eq!(a.body["number"], 2, "pull request #1 took the first number");
    assert_eq!(a.body["html_url"], "https://github.com/acme/ops/issues/2");
    assert_eq!(a.body["state"], "open");
    assert_eq!(a.body["labels"][0]["name"], "postmortem");
    assert!(a.body["id"].as_u64().is_some_and(|id| id > 0));
    assert_eq!(
        a.header("location"),
        Some(format!("{}/repos/acme/ops/issues/2", gh.url()).as_str())
    );
    let issues = gh.issues(REPO);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].body.as_deref(), Some("<!-- warroom-action:7 -->"));
    let second = create(&gh, json!({"title": "Page sooner"})).await;
    assert_eq!(second.body["number"], 3);
    let recorded = gh.requests();
    assert_eq!(
        (recorded[0].method.as_str(), recorded[0].status),
        ("POST", 201)
    );
    assert!(recorded[0].applied);
    assert_eq!(recorded[0].body["title"], "Add a canary");
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_refused_with_401_and_both_schemes_work() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let body = json!({"title": "t"});
    let anonymous = http()
        .post(issues_url(&gh, REPO))
        .header("user-agent", "t")
        .json(&body);
    let a = send(anonymous).await;
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (401, Some("Requires authentication"))
    );
    let wrong = http()
        .post(issues_url(&gh, REPO))
        .header("user-agent", "t")
        .bearer_auth("ghp_other")
        .json(&body);
    let a = send(wrong).await;
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (401, Some("Bad credentials"))
    );
    assert!(gh.issues(REPO).is_empty());
    let token_scheme = http()
        .post(issues_url(&gh, REPO))
        .header("user-agent", "t")
        .header("authorization", format!("token {TOKEN}"))
        .json(&body);
    assert_eq!(send(token_scheme).await.status, 201);
}

#[tokio::test]
async fn a_request_without_a_user_agent_is_forbidden_in_plain_text() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let req = http()
        .post(issues_url(&gh, REPO))
        .bearer_auth(TOKEN)
        .json(&json!({"title": "t"}));
    let a = send(req).await;
    assert_eq!(a.status, 403);
    assert!(a.text.contains("User-Agent header"), "{a:?}");
    assert_eq!(a.body, Value::Null, "not JSON");
    assert_ne!(
        a.header("x-ratelimit-remaining"),
        Some("0"),
        "not a rate limit"
    );
    assert!(gh.issues(REPO).is_empty());
}

#[tokio::test]
async fn an_unknown_repository_is_not_found_and_a_disabled_one_is_gone() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.add_repo("acme/legacy");
    gh.disable_issues("acme/legacy");
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let missing = request(method.clone(), issues_url(&gh, "acme/nope"));
        let a = send(missing.json(&json!({"title": "t"}))).await;
        assert_eq!(
            (a.status, a.body["message"].as_str()),
            (404, Some("Not Found"))
        );
        let disabled = request(method, issues_url(&gh, "acme/legacy"));
        let a = send(disabled.json(&json!({"title": "t"}))).await;
        assert_eq!(a.status, 410);
        assert_eq!(a.body["message"], "Issues are disabled for this repo");
    }
    assert!(gh.issues("acme/legacy").is_empty());
}

#[tokio::test]
async fn a_missing_or_empty_title_fails_validation_as_a_missing_field() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    for body in [
        json!({}),
        json!({"title": ""}),
        json!({"title": "  "}),
        json!({"title": null, "body": "b"}),
    ] {
        let a = create(&gh, body.clone()).await;
        assert_eq!(a.status, 422, "{body}");
        assert_eq!(a.body["message"], "Validation Failed");
        assert_eq!(
            errors(&a),
            [("title".to_string(), "missing_field".to_string())],
            "{body}"
        );
        assert_eq!(a.body["errors"][0]["resource"], "Issue");
    }
    assert!(gh.issues(REPO).is_empty());
    assert!(gh.requests().iter().all(|r| !r.applied));
}

#[tokio::test]
async fn an_assignee_who_is_not_a_collaborator_is_refused_until_added() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let body = json!({"title": "t", "assignees": ["acme", "dana"]});
    let a = create(&gh, body.clone()).await;
    assert_eq!(a.status, 422);
    assert_eq!(
        errors(&a),
        [("assignees".to_string(), "invalid".to_string())]
    );
    assert_eq!(a.body["errors"][0]["value"], "dana");
    gh.add_collaborator(REPO, "Dana");
    let a = create(&gh, body).await;
    assert_eq!(a.status, 201, "{a:?}");
    assert_eq!(
        gh.issues(REPO)[0].assignees,
        ["acme", "Dana"],
        "the owner is a collaborator"
    );
    assert_eq!(a.body["assignee"]["login"], "acme");
}

#[tokio::test]
async fn malformed_fields_unknown_keys_and_bad_json_are_refused() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let cases = [
        (json!({"title": "t", "labels": [1]}), "labels"),
        (json!({"title": "t", "labels": "bug"}), "labels"),
        (json!({"title": "t", "assignees": "acme"}), "assignees"),
        (json!({"title": "t", "body": 5}), "body"),
        (json!({"title": ["t"]}), "title"),
        (json!({"title": "t", "milestone": 1}), "milestone"),
    ];
    for (body, field) in cases {
        let a = create(&gh, body.clone()).await;
        assert_eq!(a.status, 422, "{body}");
        assert_eq!(
            errors(&a),
            [(field.to_string(), "invalid".to_string())],
            "{body}"
        );
    }
    let a = create(&gh, json!({"title": "t", "priority": "high"})).await;
    assert_eq!(a.status, 422);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("\"priority\" is not a permitted key")
    );
    let raw = request(reqwest::Method::POST, issues_url(&gh, REPO)).body("{not json");
    let a = send(raw).await;
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (400, Some("Problems parsing JSON"))
    );
    let named = create(&gh, json!({"title": "t", "labels": [{"name": "sev1"}]})).await;
    assert_eq!(named.status, 201, "labels may be {{name}} objects");
    assert!(gh.requests().iter().filter(|r| r.applied).count() == 1);
}

#[tokio::test]
async fn a_body_over_65536_characters_is_too_long() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let a = create(&gh, json!({"title": "t", "body": "é".repeat(65_537)})).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.body["errors"][0]["code"], "custom");
    assert_eq!(
        a.body["errors"][0]["message"],
        "body is too long (maximum is 65536 characters)"
    );
    let a = create(&gh, json!({"title": "t", "body": "é".repeat(65_536)})).await;
    assert_eq!(a.status, 201);
}

#[tokio::test]
async fn an_unsupported_api_version_is_refused_and_headers_are_recorded() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let req = http()
        .post(issues_url(&gh, REPO))
        .bearer_auth(TOKEN)
        .header("user-agent", "warroom-tests")
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2019-01-01")
        .json(&json!({"title": "t"}));
    let a = send(req).await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body["message"],
        "API version '2019-01-01' is not supported."
    );
    let recorded = &gh.requests()[0];
    assert_eq!(recorded.user_agent.as_deref(), Some("warroom-tests"));
    assert_eq!(
        recorded.accept.as_deref(),
        Some("application/vnd.github+json")
    );
    assert_eq!(recorded.authorization, Some(format!("Bearer {TOKEN}")));
    assert_eq!(recorded.path, "/repos/acme/ops/issues");
    assert!(gh.issues(REPO).is_empty());
}
