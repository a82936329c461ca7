//! The GitHub export client against the strict fake GitHub: what it sends, how it
//! reads GitHub's refusals, and how a retry finds an issue whose answer was lost
//! instead of opening a second one.

use chrono::{Duration as Span, Utc};
use secrecy::SecretString;
use std::time::Duration;
use warroom::github::{GithubClient, GithubError, MAX_PAGES, NewIssue};
use warroom_fakes::{FakeGithub, GithubFault};

const REPO: &str = "acme/ops";
const TOKEN: &str = "ghp_api_test_token_0123456789";

fn client(api_url: String, token: &str, timeout: Duration) -> GithubClient {
    warroom::tls::install_crypto_provider();
    let http = reqwest::Client::builder().timeout(timeout).build().unwrap();
    GithubClient::new(api_url, REPO.to_string(), SecretString::from(token), http)
}

async fn github() -> (FakeGithub, GithubClient) {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let client = client(gh.url(), TOKEN, Duration::from_secs(5));
    (gh, client)
}

fn marker(item: u64) -> String {
    format!("<!-- warroom-action:{item} -->")
}

fn action_item(item: u64) -> NewIssue {
    NewIssue {
        title: format!("Action item {item}: alert on queue depth"),
        body: format!("From the postmortem of incident 12.\n\n{}", marker(item)),
        assignees: Vec::new(),
        labels: vec!["postmortem".to_string()],
    }
}

/// What the outbox will do: look for the marker, create only if it is absent.
async fn export(client: &GithubClient, item: u64) -> Result<u64, GithubError> {
    let since = Utc::now() - Span::minutes(10);
    if let Some(found) = client.find_by_marker(&marker(item), since).await? {
        return Ok(found.number);
    }
    Ok(client.create_issue(&action_item(item)).await?.number)
}

#[tokio::test]
async fn an_action_item_becomes_an_issue_with_the_headers_github_requires() {
    let (gh, client) = github().await;
    let created = client.create_issue(&action_item(7)).await.unwrap();
    assert_eq!(created.number, 2, "pull request #1 holds the first number");
    assert_eq!(created.html_url, "https://github.com/acme/ops/issues/2");
    let request = &gh.requests()[0];
    assert_eq!(request.user_agent.as_deref(), Some("warroom"));
    assert_eq!(
        request.accept.as_deref(),
        Some("application/vnd.github+json")
    );
    assert_eq!(request.api_version.as_deref(), Some("2022-11-28"));
    assert_eq!(request.authorization, Some(format!("Bearer {TOKEN}")));
    assert!(
        request.body.get("assignees").is_none(),
        "{:?}",
        request.body
    );
    let issues = gh.issues(REPO);
    assert_eq!(issues[0].labels, ["postmortem"]);
    assert!(issues[0].body.as_deref().unwrap().ends_with(&marker(7)));
}

#[tokio::test]
async fn a_retry_after_a_lost_response_finds_the_issue_instead_of_opening_another() {
    let (gh, client) = github().await;
    gh.fail_next_creates(1, GithubFault::AppliedThenBadGateway);
    let first = export(&client, 7).await.unwrap_err();
    assert_eq!(first, GithubError::Unavailable { status: 502 });
    assert!(!first.is_permanent(), "the outbox retries it");
    let number = export(&client, 7).await.unwrap();
    assert_eq!(number, 2);
    assert_eq!(gh.issues(REPO).len(), 1, "one item, one issue");
    let calls: Vec<(String, u16)> = gh
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.status))
        .collect();
    let expected = [("GET", 200), ("POST", 502), ("GET", 200)];
    let expected: Vec<(String, u16)> = expected.iter().map(|(m, s)| (m.to_string(), *s)).collect();
    assert_eq!(
        calls, expected,
        "looked, created, lost the answer, looked again"
    );
}

#[tokio::test]
async fn a_retry_after_a_timeout_finds_the_issue_too() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let client = client(gh.url(), TOKEN, Duration::from_millis(300));
    gh.fail_next_creates(1, GithubFault::AppliedThenHang(Duration::from_secs(5)));
    let first = export(&client, 9).await.unwrap_err();
    assert!(matches!(first, GithubError::Transport(_)), "{first:?}");
    assert!(!first.is_permanent());
    gh.wait_for("the lost create", |g| g.issues(REPO).len() == 1)
        .await;
    assert_eq!(export(&client, 9).await.unwrap(), 2);
    assert_eq!(
        export(&client, 10).await.unwrap(),
        3,
        "another item opens its own"
    );
    assert_eq!(gh.issues(REPO).len(), 2);
}

#[tokio::test]
async fn the_marker_is_found_on_a_later_page_by_following_the_link_header() {
    let (gh, client) = github().await;
    let start = Utc::now() - Span::hours(3);
    let wanted = gh.seed_issue(REPO, "mine", &marker(1), start);
    for i in 0..150 {
        gh.seed_issue(REPO, "other", "no marker", start + Span::minutes(i));
    }
    let found = client
        .find_by_marker(&marker(1), start - Span::minutes(1))
        .await
        .unwrap();
    assert_eq!(found.map(|f| f.number), Some(wanted));
    let gets: Vec<String> = gh.requests().iter().map(|r| r.query.clone()).collect();
    assert_eq!(gets.len(), 2, "{gets:?}");
    assert!(gets[0].contains("state=all") && gets[0].contains("per_page=100"));
    assert!(gets[0].contains("since="), "{}", gets[0]);
    assert!(gets[1].contains("page=2"), "{}", gets[1]);
}

#[tokio::test]
async fn a_pull_request_or_an_issue_older_than_since_is_not_taken_for_the_item() {
    let (gh, client) = github().await;
    gh.add_pull_request(REPO, "Fix queue alert", &marker(3));
    gh.seed_issue(REPO, "older", &marker(4), Utc::now() - Span::days(2));
    let since = Utc::now() - Span::hours(1);
    assert_eq!(
        client.find_by_marker(&marker(3), since).await.unwrap(),
        None
    );
    assert_eq!(
        client.find_by_marker(&marker(4), since).await.unwrap(),
        None
    );
    let all_time = Utc::now() - Span::days(3);
    let older = client.find_by_marker(&marker(4), all_time).await.unwrap();
    assert!(older.is_some(), "found once since reaches back to it");
}

#[tokio::test]
async fn a_search_that_reaches_its_page_bound_does_not_claim_the_issue_is_absent() {
    let (gh, client) = github().await;
    let start = Utc::now() - Span::hours(1);
    for i in 0..(MAX_PAGES as i64 * 100 + 1) {
        gh.seed_issue(REPO, "busy", "no marker", start + Span::milliseconds(i));
    }
    let e = client.find_by_marker(&marker(5), start).await.unwrap_err();
    assert_eq!(e, GithubError::SearchIncomplete { pages: MAX_PAGES });
    assert!(e.is_permanent(), "retrying reads the same pages");
    assert_eq!(gh.requests().len(), MAX_PAGES);
}

#[tokio::test]
async fn a_next_page_on_another_host_is_not_followed_with_the_token() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    // The fake writes its links for 127.0.0.1; the client was set up for localhost.
    let other_host = gh.url().replace("127.0.0.1", "localhost");
    let client = client(other_host, TOKEN, Duration::from_secs(5));
    for _ in 0..101 {
        gh.seed_issue(REPO, "other", "no marker", Utc::now());
    }
    let since = Utc::now() - Span::hours(1);
    let e = client.find_by_marker(&marker(1), since).await.unwrap_err();
    assert!(matches!(e, GithubError::NotConfigured(_)), "{e:?}");
    assert_eq!(gh.requests().len(), 1, "the second page was not asked for");
}

#[tokio::test]
async fn rate_limits_are_retryable_and_say_how_long_to_wait() {
    let (gh, client) = github().await;
    gh.fail_next(
        1,
        GithubFault::SecondaryRateLimit {
            retry_after_secs: Some(30),
        },
    );
    gh.fail_next(
        1,
        GithubFault::TooManyRequests {
            retry_after_secs: 7,
        },
    );
    gh.fail_next(1, GithubFault::PrimaryRateLimit { reset_in_secs: 120 });
    gh.fail_next(
        1,
        GithubFault::SecondaryRateLimit {
            retry_after_secs: None,
        },
    );
    let item = action_item(1);
    let mut waits = Vec::new();
    for _ in 0..4 {
        let e = client.create_issue(&item).await.unwrap_err();
        assert!(
            matches!(e, GithubError::RateLimited { .. }) && !e.is_permanent(),
            "{e:?}"
        );
        waits.push(e.retry_after().map(|w| w.as_secs()));
    }
    assert_eq!(waits[..2], [Some(30), Some(7)]);
    assert!(
        waits[2].is_some_and(|s| (115..=120).contains(&s)),
        "until the reset: {waits:?}"
    );
    assert_eq!(
        waits[3],
        Some(60),
        "a secondary limit naming no time waits a minute"
    );
    assert!(gh.issues(REPO).is_empty());
    assert!(client.create_issue(&item).await.is_ok());
}

#[tokio::test]
async fn refusals_are_permanent_and_carry_githubs_message() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.add_repo("acme/legacy");
    gh.disable_issues("acme/legacy");
    let cases = [
        (REPO, "ghp_wrong", 401, "Bad credentials"),
        ("acme/nope", TOKEN, 404, "Not Found"),
        (
            "acme/legacy",
            TOKEN,
            410,
            "Issues are disabled for this repo",
        ),
    ];
    for (repo, token, status, message) in cases {
        warroom::tls::install_crypto_provider();
        let client = GithubClient::new(
            gh.url(),
            repo.to_string(),
            SecretString::from(token),
            reqwest::Client::new(),
        );
        let e = client.create_issue(&action_item(1)).await.unwrap_err();
        assert!(e.is_permanent(), "{repo}: {e:?}");
        match &e {
            GithubError::Rejected {
                status: s,
                message: m,
                ..
            } => assert_eq!((*s, m.as_str()), (status, message)),
            other => panic!("{repo}: {other:?}"),
        }
        let listed = client.find_by_marker(&marker(1), Utc::now()).await;
        assert!(listed.is_err_and(|e| e.is_permanent()), "{repo}");
    }
    assert!(gh.issues(REPO).is_empty() && gh.issues("acme/legacy").is_empty());
}

#[tokio::test]
async fn an_invalid_assignee_is_told_apart_and_the_item_goes_out_without_one() {
    let (gh, client) = github().await;
    let mut item = action_item(1);
    item.assignees = vec!["acme".to_string(), "dana".to_string()];
    let e = client.create_issue(&item).await.unwrap_err();
    assert!(e.is_invalid_assignee(), "{e:?}");
    assert!(
        e.to_string().contains(r#"assignees: invalid "dana""#),
        "{e}"
    );
    let created = client.create_issue(&item.without_assignees()).await;
    assert_eq!(created.unwrap().number, 2);
    assert!(gh.issues(REPO)[0].assignees.is_empty());
}

#[tokio::test]
async fn an_empty_title_is_refused_naming_the_field() {
    let (gh, client) = github().await;
    let mut item = action_item(1);
    item.title = String::new();
    let e = client.create_issue(&item).await.unwrap_err();
    assert!(e.is_permanent() && !e.is_invalid_assignee(), "{e:?}");
    assert!(
        e.to_string()
            .contains("Validation Failed (title: missing_field)"),
        "{e}"
    );
    assert!(gh.issues(REPO).is_empty());
}
