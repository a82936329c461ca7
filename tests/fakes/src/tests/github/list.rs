use chrono::{Duration as Span, Utc};
use reqwest::Method;
use serde_json::Value;

use super::{Answer, REPO, TOKEN, issues_url, request, send};
use crate::FakeGithub;
use crate::github::SEEDED_PULL_REQUEST_TITLE;

async fn list(gh: &FakeGithub, query: &str) -> Answer {
    send(request(
        Method::GET,
        format!("{}?{query}", issues_url(gh, REPO)),
    ))
    .await
}

async fn get(url: &str) -> Answer {
    send(request(Method::GET, url.to_string())).await
}

fn numbers(a: &Answer) -> Vec<u64> {
    a.body
        .as_array()
        .expect("a JSON array")
        .iter()
        .map(|i| i["number"].as_u64().unwrap())
        .collect()
}

/// The URL of `rel` in the answer's `Link` header.
fn rel(a: &Answer, rel: &str) -> Option<String> {
    let link = a.header("link")?;
    link.split(", ").find_map(|entry| {
        let (url, r) = entry.split_once("; ")?;
        (r == format!("rel=\"{rel}\"")).then(|| url.trim_matches(['<', '>']).to_string())
    })
}

/// Seeds `n` issues a minute apart, the newest now.
fn seed(gh: &FakeGithub, n: i64) {
    for i in 0..n {
        let at = Utc::now() - Span::minutes(n - i);
        gh.seed_issue(REPO, &format!("issue {i}"), "body", at);
    }
}

#[tokio::test]
async fn the_list_pages_newest_first_with_a_link_header_and_holds_the_pull_request() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    seed(&gh, 4);
    let first = list(&gh, "state=all&per_page=2").await;
    assert_eq!(first.status, 200);
    assert_eq!(numbers(&first), [5, 4]);
    assert_eq!(rel(&first, "prev"), None);
    let next = rel(&first, "next").expect("a next page");
    assert!(
        next.starts_with(&gh.url()) && next.contains("state=all") && next.contains("page=2"),
        "{next}"
    );
    let last = rel(&first, "last").expect("a last page");
    assert!(last.ends_with("page=3"), "{last}");

    let second = get(&next).await;
    assert_eq!(numbers(&second), [3, 2]);
    assert!(rel(&second, "prev").is_some_and(|p| p.ends_with("page=1")));
    let third = get(&rel(&second, "next").unwrap()).await;
    assert_eq!(numbers(&third), [1]);
    assert_eq!(rel(&third, "next"), None, "the last page has no next");
    assert!(rel(&third, "first").is_some());
    let pr = &third.body[0];
    assert_eq!(pr["title"], SEEDED_PULL_REQUEST_TITLE);
    assert!(pr["pull_request"].is_object(), "{pr}");
    assert_eq!(pr["html_url"], "https://github.com/acme/ops/pull/1");
    assert!(second.body[0].get("pull_request").is_none());
}

#[tokio::test]
async fn a_single_page_has_no_link_header_and_asc_reverses_the_order() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    seed(&gh, 2);
    let a = list(&gh, "direction=asc").await;
    assert_eq!(numbers(&a), [1, 2, 3]);
    assert_eq!(a.header("link"), None);
}

#[tokio::test]
async fn per_page_defaults_to_30_and_is_capped_at_100() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    seed(&gh, 120);
    assert_eq!(numbers(&list(&gh, "").await).len(), 30);
    let capped = list(&gh, "per_page=500").await;
    assert_eq!(numbers(&capped).len(), 100);
    assert!(rel(&capped, "last").is_some_and(|l| l.ends_with("page=2")));
    let beyond = list(&gh, "per_page=100&page=3").await;
    assert_eq!(beyond.body, Value::Array(vec![]));
}

#[tokio::test]
async fn state_and_since_filter_what_is_listed() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let old = gh.seed_issue(REPO, "old", "b", Utc::now() - Span::days(30));
    let recent = gh.seed_issue(REPO, "recent", "b", Utc::now() - Span::minutes(5));
    let closed = gh.seed_issue(REPO, "closed", "b", Utc::now() - Span::minutes(5));
    gh.close_issue(REPO, closed);
    assert_eq!(
        numbers(&list(&gh, "").await),
        [recent, old, 1],
        "open only by default"
    );
    assert_eq!(numbers(&list(&gh, "state=closed").await), [closed]);
    let since = (Utc::now() - Span::days(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let a = list(&gh, &format!("state=all&since={since}")).await;
    assert_eq!(numbers(&a), [closed, recent], "updated since a day ago");
}

#[tokio::test]
async fn bad_values_and_unmodelled_filters_are_refused() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    for query in [
        "state=done",
        "since=yesterday",
        "sort=votes",
        "direction=up",
        "per_page=ten",
    ] {
        let a = list(&gh, query).await;
        assert_eq!(a.status, 422, "{query}");
        assert_eq!(a.body["message"], "Validation Failed", "{query}");
    }
    let a = list(&gh, "labels=bug").await;
    assert_eq!(a.status, 400);
    assert!(
        a.body["message"]
            .as_str()
            .unwrap()
            .contains("does not model"),
        "{a:?}"
    );
}
