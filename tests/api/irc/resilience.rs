//! The fallback connection survives what happens to processes and servers: Warroom
//! restarting mid-fallback (it rejoins, does not brief again, stores no line twice),
//! the IRC server restarting (it reconnects, rejoins, and hears later lines), and
//! its nick being taken (it joins under an alternative one and works), and the
//! database holding its writes back (it keeps reading, and stores the lines after).

use super::fixture::{irc_entries, wait_for_irc_entries, warroom_on};
use super::{IrcServer, Person};
use crate::db::Backend;
use irc::client::prelude::Command;
use std::time::Duration;
use warroom::domain::Status;

/// Reads until the brief's last line; returns how many lines it had.
async fn read_brief(person: &mut Person, channel: &str, bot: &str) -> usize {
    let mut n = 0;
    loop {
        n += 1;
        let line = person.wait_for_privmsg_from(channel, bot, |_| true).await;
        if line.starts_with("Commands:") {
            return n;
        }
    }
}

#[tokio::test]
async fn a_warroom_restart_in_fallback_rejoins_without_briefing_again_or_storing_twice() {
    let server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    room.open_room().await;
    read_brief(&mut alice, &room.channel, "warroom").await;
    alice.say(&room.channel, "before the restart");
    wait_for_irc_entries(&room.app, room.id, 1).await;

    let (id, channel) = (room.id, room.channel.clone());
    let stopped = room.app.kill().await;
    alice
        .wait_for("the bot leaving", |m| {
            m.source_nickname() == Some("warroom") && matches!(m.command, Command::QUIT(_))
        })
        .await;
    let app = stopped.start().await;
    alice
        .wait_for("the bot joining again", |m| {
            m.source_nickname() == Some("warroom")
                && matches!(&m.command, Command::JOIN(c, _, _) if c == &channel)
        })
        .await;
    let said_again = alice
        .privmsgs_within(&channel, "warroom", Duration::from_secs(2))
        .await;
    assert!(
        said_again.iter().all(|l| !l.contains("Checkout is down")),
        "briefed again: {said_again:?}"
    );
    alice.say(&channel, "after the restart");

    let entries = wait_for_irc_entries(&app, id, 2).await;
    let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["before the restart", "after the restart"]);
}

#[tokio::test]
async fn after_the_irc_server_restarts_the_bot_reconnects_rejoins_and_hears_later_lines() {
    let mut server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    room.open_room().await;
    alice.wait_for_topic(&room.channel, |_| true).await;
    alice.say(&room.channel, "before the server restart");
    wait_for_irc_entries(&room.app, room.id, 1).await;

    drop(alice);
    server.restart().await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    // The bot sets the topic when it is back in the channel (or it is there already).
    let (topic, _) = alice
        .wait_for_topic(&room.channel, |t| t.contains("Checkout is down"))
        .await;
    assert!(topic.contains("SEV2"), "{topic}");
    alice.say(&room.channel, "after the server restart");

    let entries = wait_for_irc_entries(&room.app, room.id, 2).await;
    let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(
        texts,
        ["before the server restart", "after the server restart"]
    );
}

#[tokio::test]
async fn when_someone_holds_the_bot_s_nick_it_joins_under_another_and_works() {
    let server = IrcServer::start().await;
    let _squatter = Person::connect(&server, "warroom").await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    room.open_room().await;

    let (_, by) = alice.wait_for_topic(&room.channel, |_| true).await;
    assert_eq!(by.as_deref(), Some("warroom_"));
    read_brief(&mut alice, &room.channel, "warroom_").await;
    alice.say(&room.channel, "!status identified");
    alice
        .wait_for_privmsg_from(&room.channel, "warroom_", |t| t.contains("identified"))
        .await;
    assert_eq!(room.app.incident(room.id).await.status, Status::Identified);
    alice.say(&room.channel, "heard under any nick");
    let entries = wait_for_irc_entries(&room.app, room.id, 1).await;
    assert_eq!(entries[0].text, "heard under any nick");
    assert_eq!(irc_entries(&room.app, room.id).await.len(), 1);
}

#[tokio::test]
async fn while_the_database_holds_writes_back_the_bot_keeps_reading_and_stores_the_lines_after() {
    let server = IrcServer::start().await;
    // No lease renewal (a write) within the test.
    let room = warroom_on(Backend::Sqlite, &server, |irc| {
        irc.lease = Duration::from_secs(600)
    })
    .await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    room.open_room().await;
    read_brief(&mut alice, &room.channel, "warroom").await;

    // Someone else holds SQLite's one writer's turn: the line cannot be stored yet.
    let held = room.app.store.begin().await.unwrap();
    alice.say(&room.channel, "db failover started");
    alice.say(&room.channel, "replica is up");
    alice.say(&room.channel, "!help");
    let answer = alice
        .wait_for_privmsg_from(&room.channel, "warroom", |_| true)
        .await;
    assert!(answer.starts_with("alice"), "{answer}");
    assert!(irc_entries(&room.app, room.id).await.is_empty());
    held.commit().await.unwrap();

    let entries = wait_for_irc_entries(&room.app, room.id, 2).await;
    let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["db failover started", "replica is up"]);
}
