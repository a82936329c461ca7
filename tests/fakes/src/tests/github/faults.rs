use std::time::Duration;

use chrono::Utc;
use serde_json::json;

use super::{REPO, TOKEN, create, issues_url, request, send};
use crate::{FakeGithub, GithubFault};

#[tokio::test]
async fn rate_limits_answer_as_github_does_and_store_nothing() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.fail_next(
        1,
        GithubFault::SecondaryRateLimit {
            retry_after_secs: Some(30),
        },
    );
    gh.fail_next(
        1,
        GithubFault::SecondaryRateLimit {
            retry_after_secs: None,
        },
    );
    gh.fail_next(
        1,
        GithubFault::TooManyRequests {
            retry_after_secs: 7,
        },
    );
    gh.fail_next(1, GithubFault::PrimaryRateLimit { reset_in_secs: 120 });
    let body = json!({"title": "t"});

    let a = create(&gh, body.clone()).await;
    assert_eq!((a.status, a.header("retry-after")), (403, Some("30")));
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded a secondary rate limit")
    );
    let a = create(&gh, body.clone()).await;
    assert_eq!((a.status, a.header("retry-after")), (403, None));
    let a = create(&gh, body.clone()).await;
    assert_eq!((a.status, a.header("retry-after")), (429, Some("7")));
    let a = create(&gh, body.clone()).await;
    assert_eq!(a.status, 403);
    assert_eq!(a.header("x-ratelimit-remaining"), Some("0"));
    let reset: i64 = a.header("x-ratelimit-reset").unwrap().parse().unwrap();
    let wait = reset - Utc::now().timestamp();
    assert!((115..=121).contains(&wait), "reset {wait}s away");

    assert!(
        gh.issues(REPO).is_empty(),
        "a refused request changes nothing"
    );
    let a = create(&gh, body).await;
    assert_eq!(a.status, 201, "the faults are used up");
    assert_ne!(a.header("x-ratelimit-remaining"), Some("0"));
    let statuses: Vec<u16> = gh.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [403, 403, 429, 403, 201]);
}

#[tokio::test]
async fn server_errors_and_an_outage_store_nothing() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.fail_next(1, GithubFault::ServerError);
    gh.fail_next(1, GithubFault::BadGateway);
    let body = json!({"title": "t"});
    assert_eq!(create(&gh, body.clone()).await.status, 500);
    let a = create(&gh, body.clone()).await;
    assert_eq!((a.status, a.text.as_str()), (502, "Bad Gateway"));
    gh.fail_next(1, GithubFault::ServerError);
    gh.set_down(true);
    assert_eq!(create(&gh, body.clone()).await.status, 503);
    gh.set_down(false);
    assert_eq!(
        create(&gh, body.clone()).await.status,
        500,
        "the outage kept the fault queued"
    );
    assert!(gh.issues(REPO).is_empty());
    assert_eq!(create(&gh, body).await.status, 201);
}

#[tokio::test]
async fn a_create_whose_answer_is_lost_to_a_502_still_opens_the_issue() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.fail_next(1, GithubFault::AppliedThenBadGateway);
    let a = create(&gh, json!({"title": "t", "body": "<!-- m -->"})).await;
    assert_eq!(a.status, 502);
    assert_eq!(
        gh.issues(REPO).len(),
        1,
        "created although the answer said otherwise"
    );
    let recorded = &gh.requests()[0];
    assert!(recorded.applied);
    assert_eq!(recorded.status, 502);
}

#[tokio::test]
async fn a_create_whose_client_gives_up_during_a_hang_still_opens_the_issue() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.fail_next(1, GithubFault::AppliedThenHang(Duration::from_secs(5)));
    let res = request(reqwest::Method::POST, issues_url(&gh, REPO))
        .json(&json!({"title": "t"}))
        .timeout(Duration::from_millis(200))
        .send()
        .await;
    assert!(res.is_err(), "the client timed out");
    gh.wait_for("the issue", |g| g.issues(REPO).len() == 1)
        .await;
    let recorded = &gh.requests()[0];
    assert!(recorded.applied);
    assert_eq!(recorded.status, 0, "never answered");
}

#[tokio::test]
async fn a_fault_for_creates_lets_lists_pass_and_waits_for_the_create() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.fail_next_creates(1, GithubFault::ServerError);
    gh.fail_next_lists(1, GithubFault::BadGateway);
    let list = || send(request(reqwest::Method::GET, issues_url(&gh, REPO)));
    assert_eq!(
        list().await.status,
        502,
        "the list fault, queued second, came first"
    );
    assert_eq!(list().await.status, 200);
    assert_eq!(create(&gh, json!({"title": "t"})).await.status, 500);
    assert_eq!(create(&gh, json!({"title": "t"})).await.status, 201);
}
