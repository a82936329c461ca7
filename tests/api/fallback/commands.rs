//! `/incident fallback` opens the war room's fallback on IRC (once, however often it
//! is asked), `fallback close` closes it, closing the incident closes it too, and bad
//! words or a missing `[fallback.irc]` get a clear answer.

use super::irc_settings;
use crate::db::Backend;
use crate::helpers::{spawn_app, spawn_app_with};
use warroom::domain::EntryKind;

#[tokio::test]
async fn fallback_opens_the_room_once_and_tells_the_war_room_where_it_is() {
    let app = spawn_app_with(Backend::Sqlite, |s, _| irc_settings(s)).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;

    let reply = app.command_text("U0ALICE", &d.channel, "fallback").await;
    assert!(
        reply.contains("#warroom-inc-") && reply.contains("irc.example.org:6667"),
        "{reply}"
    );
    let again = app.command_text("U0BOB", &d.channel, "fallback open").await;
    assert!(again.contains("already open"), "{again}");

    let mut tx = app.store.read().await.unwrap();
    let room = tx.fallback_room(d.incident_id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(room.channel, format!("#warroom-inc-{}", d.incident_id));
    assert_eq!(room.reason, "command");
    assert_eq!(room.opened_by.as_deref(), Some("U0ALICE"));

    let opened: Vec<_> = app
        .entries(d.incident_id)
        .await
        .into_iter()
        .filter(|e| e.kind == EntryKind::System("fallback_opened".into()))
        .collect();
    assert_eq!(opened.len(), 1, "one entry for one opening: {opened:?}");
    assert!(
        opened[0].text.contains("irc.example.org:6667"),
        "{}",
        opened[0].text
    );

    app.outbox_drained().await;
    let said: Vec<String> = app
        .slack
        .messages_in(&d.channel)
        .into_iter()
        .map(|m| m.text)
        .filter(|t| t.contains("fallback war room is open on IRC"))
        .collect();
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].contains(&room.channel), "{}", said[0]);
}

#[tokio::test]
async fn fallback_close_closes_it_and_a_second_close_says_none_is_open() {
    let app = spawn_app_with(Backend::Sqlite, |s, _| irc_settings(s)).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    app.command_text("U0ALICE", &d.channel, "fallback").await;

    let closed = app
        .command_text("U0ALICE", &d.channel, "fallback close")
        .await;
    assert!(closed.contains("is closed"), "{closed}");
    let again = app
        .command_text("U0ALICE", &d.channel, "fallback close")
        .await;
    assert!(again.contains("no fallback war room open"), "{again}");

    let mut tx = app.store.read().await.unwrap();
    assert!(tx.open_fallback_rooms().await.unwrap().is_empty());
    tx.commit().await.unwrap();
    let kinds: Vec<_> = app
        .entries(d.incident_id)
        .await
        .into_iter()
        .filter_map(|e| e.kind.system_kind().map(str::to_string))
        .filter(|k| k.starts_with("fallback_"))
        .collect();
    assert_eq!(kinds, ["fallback_opened", "fallback_closed"]);
}

#[tokio::test]
async fn closing_the_incident_closes_its_fallback_room() {
    let app = spawn_app_with(Backend::Sqlite, |s, _| irc_settings(s)).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    app.command_text("U0ALICE", &d.channel, "fallback").await;
    app.command_text("U0ALICE", &d.channel, "resolve rolled back")
        .await;

    app.command_text("U0ALICE", &d.channel, "close").await;

    let mut tx = app.store.read().await.unwrap();
    let room = tx.fallback_room(d.incident_id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert!(room.closed_at.is_some(), "{room:?}");
    let reopen = app.command_text("U0ALICE", &d.channel, "fallback").await;
    assert!(reopen.contains("is closed"), "{reopen}");
}

#[tokio::test]
async fn without_an_irc_server_fallback_names_the_config_section() {
    let app = spawn_app(Backend::Sqlite).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    let reply = app.command_text("U0ALICE", &d.channel, "fallback").await;
    assert!(reply.contains("[fallback.irc]"), "{reply}");
    let mut tx = app.store.read().await.unwrap();
    assert!(tx.fallback_room(d.incident_id).await.unwrap().is_none());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn bad_fallback_words_get_the_usage_and_outside_a_war_room_it_says_so() {
    let app = spawn_app_with(Backend::Sqlite, |s, _| irc_settings(s)).await;
    let d = app.declare("U0ALICE", "Checkout down sev2").await;
    for bad in ["shut", "close now", "<!channel>"] {
        let reply = app
            .command_text("U0ALICE", &d.channel, &format!("fallback {bad}"))
            .await;
        assert!(
            reply.contains("Usage: `/incident fallback [close]`"),
            "{bad}: {reply}"
        );
        assert!(!reply.contains("<!channel>"), "echoed unescaped: {reply}");
    }
    let elsewhere = app.command_text("U0ALICE", "C0GENERAL", "fallback").await;
    assert!(
        elsewhere.contains("not an incident war room"),
        "{elsewhere}"
    );
    let mut tx = app.store.read().await.unwrap();
    assert!(tx.open_fallback_rooms().await.unwrap().is_empty());
    tx.commit().await.unwrap();
}
