//! When an incident closes, each owner of open items gets one DM listing them.

use super::{ANA, BEN, LEAD, add_item, day, set_status};
use crate::db::Backend;
use crate::helpers::spawn_app;
use crate::on_both_backends;
use warroom::domain::ActionStatus;
use warroom_fakes::Failure;

async fn each_owner_of_open_items_gets_one_dm_listing_only_their_open_items(backend: Backend) {
    let app = spawn_app(backend).await;
    let room = app.declare(LEAD, "Checkout down").await;
    let id = room.incident_id;
    add_item(&app.store, id, "Canary deploys", Some(ANA), Some(day(4))).await;
    add_item(&app.store, id, "Nobody's item", None, None).await;
    let done = add_item(&app.store, id, "Already fixed", Some(ANA), None).await;
    add_item(
        &app.store,
        id,
        "Runbook for the <!channel> cache",
        Some(ANA),
        None,
    )
    .await;
    let dropped = add_item(&app.store, id, "Dropped idea", Some(BEN), None).await;
    set_status(&app.store, &done, ActionStatus::Done).await;
    set_status(&app.store, &dropped, ActionStatus::Dropped).await;
    app.outbox_drained().await;

    app.command(LEAD, &room.channel, "close").await;
    app.slack
        .wait_for("Ana's DM", |s| !s.dms_to(ANA).is_empty())
        .await;
    app.outbox_drained().await;

    let dms = app.slack.dms_to(ANA);
    assert_eq!(dms.len(), 1, "one DM per owner");
    let shown = dms[0].blocks.clone().unwrap().to_string();
    assert!(
        shown.contains("*1.* Canary deploys · due Fri 2026-12-04"),
        "{shown}"
    );
    assert!(shown.contains("*4.* Runbook for the"), "{shown}");
    assert!(shown.contains(&format!("<#{}>", room.channel)), "{shown}");
    assert!(
        !shown.contains("Already fixed"),
        "done items are left out: {shown}"
    );
    assert!(!shown.contains("Nobody's item"), "{shown}");
    assert!(
        !shown.contains("<!channel>"),
        "item text is escaped: {shown}"
    );
    assert!(
        dms[0].text.contains(&format!("Incident #{id}")),
        "{}",
        dms[0].text
    );
    assert!(app.slack.dms_to(BEN).is_empty(), "only dropped items");
    let opened: Vec<String> = app
        .slack
        .calls_to("conversations.open")
        .iter()
        .map(|c| c.args["users"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(opened, [ANA], "no DM is opened for items without an owner");
}
on_both_backends!(
    each_owner_of_open_items_gets_one_dm_listing_only_their_open_items,
    each_owner_of_open_items_gets_one_dm_listing_only_their_open_items
);

#[tokio::test]
async fn lost_answers_a_second_close_and_a_second_queueing_never_send_a_dm_twice() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare(LEAD, "Search is slow").await;
    let id = room.incident_id;
    add_item(&app.store, id, "Index the orders table", Some(ANA), None).await;
    add_item(&app.store, id, "Alert on p99", Some(BEN), None).await;
    app.outbox_drained().await;
    // Every post of the close (the postmortem draft, both DMs) reaches Slack, and
    // each answer is lost: every one is retried.
    app.slack
        .fail_next("chat.postMessage", 3, Failure::AppliedThenServerError);

    app.command(LEAD, &room.channel, "close").await;
    app.slack
        .wait_for("both DMs", |s| {
            !s.dms_to(ANA).is_empty() && !s.dms_to(BEN).is_empty()
        })
        .await;
    app.outbox_drained().await;
    let again = app.ephemeral(LEAD, &room.channel, "close").await;
    assert!(again.contains("already closed"), "{again}");
    let incident = app.incident(id).await;
    let mut tx = app.store.begin().await.unwrap();
    let queued = warroom::followup::on_close(&mut tx, &app.state.settings, &incident)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.outbox_drained().await;

    assert_eq!(
        queued.owner_dms, 0,
        "the DMs of this close were queued before"
    );
    assert_eq!(app.slack.dms_to(ANA).len(), 1);
    assert_eq!(app.slack.dms_to(BEN).len(), 1);
    let failed = app
        .slack
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.status == 500)
        .count();
    assert_eq!(failed, 3, "the lost answers were really injected");
}

#[tokio::test]
async fn a_close_with_no_owned_open_items_sends_no_dm() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare(LEAD, "Webhooks delayed").await;
    add_item(&app.store, room.incident_id, "Write it up", None, None).await;
    let finished = add_item(&app.store, room.incident_id, "Fix", Some(ANA), None).await;
    set_status(&app.store, &finished, ActionStatus::Done).await;

    app.command(LEAD, &room.channel, "close").await;
    app.slack
        .wait_for("the postmortem draft", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;

    assert!(app.slack.calls_to("conversations.open").is_empty());
    assert!(app.slack.dms_to(ANA).is_empty());
}
