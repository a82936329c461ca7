//! `warroom actions [--open] [--owner U…]`: action items on the command line, offline.

use super::{ANA, BEN, add_item, day, incident_in, set_status};
use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use std::process::Command;
use warroom::domain::ActionStatus;
use warroom::store::Store;

/// Two incidents: an exported, a finished and an ownerless item in the first, one
/// open item in the second.
async fn seeded(store: &Store) -> (i64, i64) {
    let first = incident_in(store, "C0FIRST01", "Checkout down").await;
    let second = incident_in(store, "C0SECOND1", "Search slow").await;
    let canary = add_item(store, first, "Canary deploys", Some(ANA), Some(day(4))).await;
    let fixed = add_item(store, first, "Fix the\nretry loop", Some(BEN), None).await;
    add_item(store, first, "Write the runbook", None, None).await;
    add_item(store, second, "Index orders", Some(ANA), Some(day(9))).await;
    set_status(store, &fixed, ActionStatus::Done).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_action_issue(canary.id, 7, "https://github.com/acme/ops/issues/7")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (first, second)
}

async fn the_list_shows_every_item_aligned_newest_incident_first(backend: Backend) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (first, second) = seeded(&store).await;

    let all = warroom::cli::actions(&store, false, None).await.unwrap();

    let expected = format!(
        "\
INCIDENT  TITLE          #  TEXT                OWNER       DUE         STATUS  ISSUE
{second}         Search slow    1  Index orders        {ANA}  2026-12-09  open    -
{first}         Checkout down  1  Canary deploys      {ANA}  2026-12-04  open    https://github.com/acme/ops/issues/7
{first}         Checkout down  2  Fix the retry loop  {BEN}  -           done    -
{first}         Checkout down  3  Write the runbook   -           -           open    -
"
    );
    assert_eq!(all, expected, "\n{all}");
}
on_both_backends!(
    the_list_shows_every_item_aligned_newest_incident_first,
    the_list_shows_every_item_aligned_newest_incident_first
);

#[tokio::test]
async fn open_and_owner_narrow_the_list_and_an_empty_one_says_so() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    seeded(&store).await;

    let open = warroom::cli::actions(&store, true, None).await.unwrap();
    let anas = warroom::cli::actions(&store, true, Some(ANA))
        .await
        .unwrap();
    let bens_open = warroom::cli::actions(&store, true, Some(BEN))
        .await
        .unwrap();
    let bens = warroom::cli::actions(&store, false, Some(BEN))
        .await
        .unwrap();

    assert_eq!(open.lines().count(), 4, "{open}");
    assert!(!open.contains("Fix the retry loop"), "{open}");
    assert_eq!(anas.lines().count(), 3, "{anas}");
    assert!(anas.lines().skip(1).all(|l| l.contains(ANA)), "{anas}");
    assert_eq!(bens_open, format!("No open action items owned by {BEN}.\n"));
    assert!(bens.contains("Fix the retry loop"), "{bens}");
}

fn warroom_binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    // Outside the repository, so no config file is read; only what is set here.
    cmd.current_dir(std::env::temp_dir()).env_clear();
    cmd
}

#[test]
fn an_owner_that_is_not_a_slack_user_id_is_a_usage_error_with_exit_code_2() {
    for bad in ["bob", "@ana", "C0123ABCD", "u02anaownr"] {
        let out = warroom_binary()
            .args(["actions", "--owner", bad])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("is not a Slack user id"), "{bad}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test]
async fn the_binary_lists_open_items_from_the_database_without_slack() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    seeded(&store).await;
    store.close().await;

    let out = warroom_binary()
        .env("DATABASE_URL", &db.url)
        .args(["actions", "--open", "--owner", &format!("<@{ANA}>")])
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    assert!(stdout.starts_with("INCIDENT  TITLE"), "{stdout}");
    assert!(stdout.contains("Index orders"), "{stdout}");
    assert!(stdout.contains("Canary deploys"), "{stdout}");
}
