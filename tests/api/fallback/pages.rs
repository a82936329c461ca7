//! While an incident's fallback room on IRC is open, pages point to it: PagerDuty's
//! summary, Opsgenie's description, the webhook's body and the Slack page DM name the
//! channel and the server, within each provider's limits. A page DM sent before the
//! room opened is updated to name it, and one that named it is updated when it closes.

use super::irc_settings;
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app_with};
use crate::paging::ESCALATION;
use warroom_fakes::slack::Message;

const SRE: &str = "U06SREONCL";
const MANAGER: &str = "U07ENGMGR0";

/// The paging tests' app, with `[fallback.irc]` configured (no server is needed to
/// open a room: the IRC side joins it when it can).
async fn paging_app_with_irc() -> TestApp {
    spawn_paging_app_with(
        Backend::Sqlite,
        ESCALATION,
        chrono::Utc::now(),
        |s, _, _| irc_settings(s),
    )
    .await
}

/// A page DM's blocks as JSON text.
fn dm_blocks(dm: &Message) -> String {
    dm.blocks.clone().expect("a page DM has blocks").to_string()
}

/// The blocks of each `chat.update` of `dm` after the first `skip` updates (of any
/// message), in order.
fn updates_of(app: &TestApp, dm: &Message, skip: usize) -> Vec<String> {
    app.slack.calls_to("chat.update")[skip..]
        .iter()
        .filter(|c| c.args["channel"] == dm.channel.as_str() && c.args["ts"] == dm.ts.as_str())
        .map(|c| c.args["blocks"].to_string())
        .collect()
}

#[tokio::test]
async fn provider_pages_name_the_irc_room_while_it_is_open() {
    let app = paging_app_with_irc().await;
    let d = app.declare(SRE, "Disk full sev3").await;
    let reply = app.command_text(SRE, &d.channel, "fallback").await;
    assert!(reply.contains("is open on IRC"), "{reply}");
    let place = format!("#warroom-inc-{} on irc.example.org:6667", d.incident_id);

    for team in ["sre", "networking", "support", &format!("<@{MANAGER}|mgr>")] {
        let (_, json) = app.command(SRE, &d.channel, &format!("page {team}")).await;
        assert_eq!(json["response_type"], "in_channel", "{team}: {json}");
    }
    app.outbox_drained().await;

    let pd = app.pagers().pagerduty.alerts();
    assert_eq!(pd.len(), 1, "{pd:?}");
    assert!(pd[0].summary.contains(&place), "{}", pd[0].summary);
    assert!(pd[0].summary.chars().count() <= 1024);
    assert_eq!(
        pd[0].payload["custom_details"]["war_room_irc"],
        place.as_str()
    );

    let og = app.pagers().opsgenie.alerts();
    assert_eq!(og.len(), 1, "{og:?}");
    let description = og[0].description.clone().unwrap_or_default();
    assert!(description.contains(&place), "{description}");
    assert!(og[0].message.chars().count() <= 130);

    let dm = app.slack.dms_to(MANAGER);
    let blocks = dm_blocks(&dm[0]);
    assert!(blocks.contains(&place), "{blocks}");

    let hooks = app.pagers().webhook.received("support");
    let paged = hooks.last().expect("the webhook was called");
    assert_eq!(paged["incident"]["war_room_irc"], place.as_str());
    assert!(
        paged["summary"].as_str().unwrap().contains(&place),
        "{paged}"
    );
}

#[tokio::test]
async fn without_an_open_room_pages_say_nothing_of_irc() {
    let app = paging_app_with_irc().await;
    let d = app.declare(SRE, "Disk full sev3").await;
    app.command(SRE, &d.channel, "page sre").await;
    app.outbox_drained().await;
    let pd = app.pagers().pagerduty.alerts();
    assert_eq!(pd.len(), 1, "{pd:?}");
    assert!(!pd[0].summary.contains("IRC"), "{}", pd[0].summary);
}

#[tokio::test]
async fn a_page_dm_sent_before_the_room_opened_is_updated_to_name_it() {
    let app = paging_app_with_irc().await;
    let d = app.declare(SRE, "Disk full sev3").await;
    app.command(SRE, &d.channel, &format!("page <@{MANAGER}|mgr>"))
        .await;
    app.outbox_drained().await;
    let place = format!("#warroom-inc-{} on irc.example.org:6667", d.incident_id);
    let dm = app.slack.dms_to(MANAGER)[0].clone();
    let before = dm_blocks(&dm);
    assert!(!before.contains(&place), "{before}");
    let updates_before = app.slack.calls_to("chat.update").len();

    let reply = app.command_text(SRE, &d.channel, "fallback").await;
    assert!(reply.contains("is open on IRC"), "{reply}");
    app.outbox_drained().await;

    let updates = updates_of(&app, &dm, updates_before);
    let naming_it: Vec<_> = updates.iter().filter(|b| b.contains(&place)).collect();
    assert_eq!(naming_it.len(), 1, "{updates:?}");
    let now = dm_blocks(&app.slack.dms_to(MANAGER)[0]);
    assert!(now.contains(&place), "{now}");
}

/// Pages `MANAGER` with the room open, closes the room by `close` (commands in the
/// war room, the last one closing it), and checks the DM's update after it no longer
/// names the channel.
async fn the_page_dm_drops_the_room_once_closed_by(close: &[&str]) {
    let app = paging_app_with_irc().await;
    let d = app.declare(SRE, "Disk full sev3").await;
    let reply = app.command_text(SRE, &d.channel, "fallback").await;
    assert!(reply.contains("is open on IRC"), "{reply}");
    app.command(SRE, &d.channel, &format!("page <@{MANAGER}|mgr>"))
        .await;
    app.outbox_drained().await;
    let channel = format!("#warroom-inc-{}", d.incident_id);
    let dm = app.slack.dms_to(MANAGER)[0].clone();
    let sent = dm_blocks(&dm);
    assert!(sent.contains(&channel), "{sent}");
    let updates_before = app.slack.calls_to("chat.update").len();

    let mut reply = String::new();
    for command in close {
        reply = app.command_text(SRE, &d.channel, command).await;
    }
    assert!(reply.contains("closed"), "{close:?}: {reply}");
    app.outbox_drained().await;

    let of_the_dm = updates_of(&app, &dm, updates_before);
    let last = of_the_dm
        .last()
        .unwrap_or_else(|| panic!("{close:?}: no update of the DM"));
    assert!(!last.contains(&channel), "{close:?}: {last}");
    let now = dm_blocks(&app.slack.dms_to(MANAGER)[0]);
    assert!(!now.contains(&channel), "{close:?}: {now}");
}

#[tokio::test]
async fn closing_the_room_updates_the_page_dms_that_named_it() {
    the_page_dm_drops_the_room_once_closed_by(&["fallback close"]).await;
}

#[tokio::test]
async fn closing_the_incident_updates_the_page_dms_that_named_its_room() {
    the_page_dm_drops_the_room_once_closed_by(&["resolve rolled back", "close"]).await;
}
