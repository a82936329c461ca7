//! Action items exported as GitHub issues when the incident closes, against the
//! strict fake GitHub: one issue per item however often a create is retried (a lost
//! answer included), refusals given up and recorded, rate limits waited out as GitHub
//! asks, a refused assignee dropped, and the issue's URL kept on the item.

use super::{ANA, BEN, LEAD, add_item, day, set_status};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app_with};
use crate::on_both_backends;
use std::time::{Duration, Instant};
use warroom::config::GithubExportSettings;
use warroom::domain::{ActionStatus, EntryKind};
use warroom_fakes::{FakeGithub, GithubFault};

const REPO: &str = "acme/ops";
const TOKEN: &str = "ghp_followup_test_token_0123";

/// An app exporting to `repo` on `gh` with `token`; Ana is `octocat` on GitHub.
async fn app_exporting(backend: Backend, gh: &FakeGithub, repo: &str, token: &str) -> TestApp {
    let settings = GithubExportSettings {
        repo: repo.into(),
        api_url: gh.url(),
        token: token.to_string().into(),
        users: [(ANA.to_string(), "octocat".to_string())].into(),
    };
    spawn_app_with(backend, move |s, _| s.postmortem.github = Some(settings)).await
}

fn marker(item_id: i64) -> String {
    format!("<!-- warroom-action:{item_id} -->")
}

async fn issue_url_of(app: &TestApp, item_id: i64) -> Option<String> {
    let mut tx = app.store.read().await.unwrap();
    let item = tx.action_by_id(item_id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    item.issue_url
}

fn calls(gh: &FakeGithub) -> Vec<String> {
    gh.requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.status))
        .collect()
}

async fn each_item_not_dropped_becomes_one_issue_across_retries_and_keeps_its_url(
    backend: Backend,
) {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    gh.add_collaborator(REPO, "octocat");
    let app = app_exporting(backend, &gh, REPO, TOKEN).await;
    let room = app.declare(LEAD, "Checkout down").await;
    let id = room.incident_id;
    let canary = add_item(&app.store, id, "Canary deploys", Some(ANA), Some(day(4))).await;
    let done = add_item(&app.store, id, "Fix retries", Some(BEN), None).await;
    let dropped = add_item(&app.store, id, "Rewrite it", None, None).await;
    set_status(&app.store, &done, ActionStatus::Done).await;
    set_status(&app.store, &dropped, ActionStatus::Dropped).await;
    // The first create opens its issue but the answer is lost; the second fails.
    gh.fail_next_creates(1, GithubFault::AppliedThenBadGateway);
    gh.fail_next_creates(1, GithubFault::ServerError);

    app.command(LEAD, &room.channel, "close").await;
    gh.wait_for("two issues", |g| g.issues(REPO).len() == 2)
        .await;
    app.outbox_drained().await;

    let issues = gh.issues(REPO);
    assert_eq!(issues.len(), 2, "one issue per item not dropped");
    let mine = issues
        .iter()
        .find(|i| i.body.as_deref().unwrap().contains(&marker(canary.id)));
    let mine = mine.expect("the canary item's issue");
    assert_eq!(mine.title, "Canary deploys");
    assert_eq!(mine.assignees, ["octocat"]);
    let body = mine.body.as_deref().unwrap();
    assert!(body.contains(&format!("of incident #{id}")), "{body}");
    assert!(
        body.contains(&format!("channel={}", room.channel)),
        "{body}"
    );
    assert!(
        !issues
            .iter()
            .any(|i| i.body.as_deref().unwrap().contains(&marker(dropped.id)))
    );
    assert_eq!(
        calls(&gh),
        ["POST 502", "GET 200", "POST 500", "GET 200", "POST 201"],
        "each retry looked for its marker before creating"
    );
    assert_eq!(
        issue_url_of(&app, canary.id).await,
        Some(format!("https://github.com/{REPO}/issues/{}", mine.number))
    );
    assert!(issue_url_of(&app, done.id).await.is_some());
    assert_eq!(issue_url_of(&app, dropped.id).await, None);
    assert_eq!(app.store.outbox_backlog().await.unwrap().failed, 0);

    // Closing again queues nothing; an item added after the close is exported.
    let incident = app.incident(id).await;
    let mut tx = app.store.begin().await.unwrap();
    let again = warroom::followup::on_close(&mut tx, &app.state.settings, &incident)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let late = add_item(&app.store, id, "Add a dashboard", None, None).await;
    let mut tx = app.store.begin().await.unwrap();
    let added = warroom::followup::on_action_added(&mut tx, &app.state.settings, &incident, &late)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.state.wake_outbox();
    gh.wait_for("the late item's issue", |g| g.issues(REPO).len() == 3)
        .await;
    app.outbox_drained().await;

    assert_eq!(again, warroom::followup::Queued::default());
    assert!(added);
    assert_eq!(gh.issues(REPO).len(), 3);
    assert!(issue_url_of(&app, late.id).await.is_some());
}
on_both_backends!(
    each_item_not_dropped_becomes_one_issue_across_retries_and_keeps_its_url,
    each_item_not_dropped_becomes_one_issue_across_retries_and_keeps_its_url
);

#[tokio::test]
async fn a_refusal_is_given_up_at_once_and_recorded_in_the_timeline_and_status() {
    for (case, repo, token, disabled, expected) in [
        ("bad token", REPO, "ghp_wrong", false, "HTTP 401"),
        ("no such repository", "acme/gone", TOKEN, false, "HTTP 404"),
        ("issues disabled", REPO, TOKEN, true, "HTTP 410"),
    ] {
        let gh = FakeGithub::start(REPO, TOKEN).await;
        if disabled {
            gh.disable_issues(REPO);
        }
        let app = app_exporting(Backend::Sqlite, &gh, repo, token).await;
        let room = app.declare(LEAD, "Checkout down").await;
        let item = add_item(&app.store, room.incident_id, "Canary", Some(ANA), None).await;

        app.command(LEAD, &room.channel, "close").await;
        gh.wait_for("the create", |g| !g.requests().is_empty())
            .await;
        app.outbox_drained().await;
        tokio::time::sleep(Duration::from_millis(300)).await;

        assert_eq!(calls(&gh).len(), 1, "{case}: not retried: {:?}", calls(&gh));
        assert!(calls(&gh)[0].starts_with("POST 4"), "{case}");
        assert_eq!(issue_url_of(&app, item.id).await, None, "{case}");
        let recorded: Vec<String> = app
            .entries(room.incident_id)
            .await
            .into_iter()
            .filter(|e| e.kind == EntryKind::System("delivery_failed".into()))
            .map(|e| e.text)
            .collect();
        assert_eq!(recorded.len(), 1, "{case}: {recorded:?}");
        assert!(
            recorded[0].starts_with("Could not open a GitHub issue for action item 1")
                && recorded[0].contains(expected),
            "{case}: {recorded:?}"
        );
        let status = warroom::cli::status(&app.store).await.unwrap();
        assert!(status.contains("1 failed"), "{case}: {status}");
        assert!(status.contains(expected), "{case}: {status}");
        assert!(!status.contains(TOKEN), "{case}: {status}");
    }
}

#[tokio::test]
async fn a_secondary_rate_limit_is_waited_out_as_long_as_github_asks() {
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let app = app_exporting(Backend::Sqlite, &gh, REPO, TOKEN).await;
    let room = app.declare(LEAD, "Checkout down").await;
    add_item(&app.store, room.incident_id, "Canary", None, None).await;
    gh.fail_next_creates(
        1,
        GithubFault::SecondaryRateLimit {
            retry_after_secs: Some(2),
        },
    );

    app.command(LEAD, &room.channel, "close").await;
    gh.wait_for("the limited create", |g| !g.requests().is_empty())
        .await;
    let limited_at = Instant::now();
    gh.wait_for("the issue", |g| g.issues(REPO).len() == 1)
        .await;
    let waited = limited_at.elapsed();
    app.outbox_drained().await;

    // Without Retry-After the test settings retry after about 100 ms.
    assert!(
        waited >= Duration::from_millis(1800),
        "retried after {waited:?}"
    );
    assert_eq!(calls(&gh), ["POST 403", "GET 200", "POST 201"]);
    assert_eq!(gh.issues(REPO).len(), 1);
}

#[tokio::test]
async fn an_owner_github_refuses_as_assignee_gets_an_unassigned_issue() {
    // octocat is not a collaborator of the repository: GitHub answers 422.
    let gh = FakeGithub::start(REPO, TOKEN).await;
    let app = app_exporting(Backend::Sqlite, &gh, REPO, TOKEN).await;
    let room = app.declare(LEAD, "Checkout down").await;
    let item = add_item(&app.store, room.incident_id, "Canary", Some(ANA), None).await;

    app.command(LEAD, &room.channel, "close").await;
    gh.wait_for("the issue", |g| g.issues(REPO).len() == 1)
        .await;
    app.outbox_drained().await;

    assert_eq!(calls(&gh), ["POST 422", "POST 201"]);
    let refused = &gh.requests()[0];
    assert_eq!(refused.body["assignees"], serde_json::json!(["octocat"]));
    assert_eq!(refused.response["errors"][0]["field"], "assignees");
    assert!(gh.issues(REPO)[0].assignees.is_empty());
    assert!(issue_url_of(&app, item.id).await.is_some());
    assert_eq!(app.store.outbox_backlog().await.unwrap().failed, 0);
}
