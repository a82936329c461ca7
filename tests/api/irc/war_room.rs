//! The fallback war room on a real IRC server: the bot joins an open room's channel,
//! sets its topic and briefs it, stores what people say there (once each, source
//! IRC, nick, mapped author, plain text), and runs `!` commands through the same
//! handlers as Slack, answering on IRC.

use super::fixture::{ALICE, irc_entries, wait_for_irc_entries, warroom_on};
use super::{IrcServer, Person};
use crate::db::Backend;
use crate::on_both_backends;
use warroom::domain::{EntryKind, Status};

async fn lines_said_on_irc_are_stored_once_each_with_nick_and_author(backend: Backend) {
    let server = IrcServer::start().await;
    let room = warroom_on(backend, &server, |_| {}).await;
    let mut alice = Person::connect(&server, "alice").await;
    let mut mallory = Person::connect(&server, "mallory").await;
    alice.join(&room.channel).await;
    mallory.join(&room.channel).await;

    room.open_room().await;
    alice
        .wait_for_topic(&room.channel, |t| t.contains("Checkout is down"))
        .await;
    alice.say(&room.channel, "\x02restarting\x02 the \x0304pods\x03 now");
    mallory.say(&room.channel, "\x01ACTION looks at the dashboards\x01");
    mallory.say(&room.channel, "error rate is back under 1%");

    let entries = wait_for_irc_entries(&room.app, room.id, 3).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let entries_later = irc_entries(&room.app, room.id).await;
    assert_eq!(
        entries_later.len(),
        3,
        "stored more than once: {entries_later:?}"
    );
    // Two people's lines reach the server over two connections: their order between
    // them is the server's; each one's own lines keep theirs.
    let mut said: Vec<(&str, Option<&str>, Option<&str>)> = entries
        .iter()
        .map(|e| {
            (
                e.text.as_str(),
                e.author_nick.as_deref(),
                e.author_id.as_deref(),
            )
        })
        .collect();
    said.sort_by_key(|(_, nick, _)| *nick);
    assert_eq!(
        said,
        [
            ("restarting the pods now", Some("alice"), Some(ALICE)),
            ("* mallory looks at the dashboards", Some("mallory"), None),
            ("error rate is back under 1%", Some("mallory"), None),
        ]
    );
    assert!(entries.iter().all(|e| e.kind == EntryKind::Message));
    let channel_id = format!("irc:{}", room.channel);
    let mut keys: Vec<_> = entries.iter().map(|e| e.ts.clone().unwrap()).collect();
    keys.dedup();
    assert_eq!(keys.len(), 3, "each line has a key of its own");
    let mut tx = room.app.store.read().await.unwrap();
    for key in &keys {
        assert!(tx.has_message(&channel_id, key).await.unwrap(), "{key}");
    }
    tx.commit().await.unwrap();
}

on_both_backends!(
    people_s_lines_in_the_fallback_channel_join_the_timeline_once_each,
    lines_said_on_irc_are_stored_once_each_with_nick_and_author
);

#[tokio::test]
async fn the_bot_sets_the_topic_and_briefs_the_channel_when_it_joins() {
    let server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    room.app
        .command_text(
            ALICE,
            &room.app.war_room_of(room.id).await,
            "summary Payments fail at checkout for EU users",
        )
        .await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;

    room.open_room().await;

    let (topic, by) = alice.wait_for_topic(&room.channel, |_| true).await;
    assert_eq!(by.as_deref(), Some("warroom"));
    assert!(topic.contains("Checkout is down"), "{topic}");
    assert!(topic.contains("SEV2"), "{topic}");
    assert!(topic.contains("INVESTIGATING"), "{topic}");
    assert!(
        topic.contains("Lead: alice"),
        "the commander by nick: {topic}"
    );
    let first = alice
        .wait_for_privmsg_from(&room.channel, "warroom", |t| t.contains("Checkout is down"))
        .await;
    assert!(first.contains(&format!("#{}", room.id)), "{first}");
    // Servers throttle a burst of lines: read until the brief's last line.
    let mut lines = Vec::new();
    while !lines
        .last()
        .is_some_and(|l: &String| l.starts_with("Commands:"))
    {
        lines.push(
            alice
                .wait_for_privmsg_from(&room.channel, "warroom", |_| true)
                .await,
        );
    }
    let rest = lines.join("\n");
    assert!(rest.contains("Commander: alice"), "{rest}");
    assert!(
        rest.contains("Payments fail at checkout for EU users"),
        "{rest}"
    );
    assert!(rest.contains("key events"), "{rest}");
    assert!(
        !rest.contains('*') && !rest.contains("<@"),
        "plain text: {rest}"
    );
    let mut tx = room.app.store.read().await.unwrap();
    let stored = tx.fallback_room(room.id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert!(stored.briefed_at.is_some(), "the brief is recorded");
}

#[tokio::test]
async fn commands_on_irc_change_the_incident_and_answer_on_irc() {
    let server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |irc| irc.trusted_only = true).await;
    let mut alice = Person::connect(&server, "alice").await;
    let mut mallory = Person::connect(&server, "mallory").await;
    alice.join(&room.channel).await;
    mallory.join(&room.channel).await;
    room.open_room().await;
    alice.wait_for_topic(&room.channel, |_| true).await;

    alice.say(&room.channel, "!status identified");
    let answer = alice
        .wait_for_privmsg_from(&room.channel, "warroom", |t| {
            t.to_lowercase().contains("identified")
        })
        .await;
    assert!(
        answer.starts_with("alice"),
        "the answer names alice by nick: {answer}"
    );
    assert!(!answer.contains("<@") && !answer.contains('*'), "{answer}");
    assert_eq!(room.app.incident(room.id).await.status, Status::Identified);
    let (topic, _) = alice
        .wait_for_topic(&room.channel, |t| t.contains("IDENTIFIED"))
        .await;
    assert!(topic.contains("SEV2"), "{topic}");

    alice.say(&room.channel, "!note the EU database is failing over");
    alice
        .wait_for_privmsg_from(&room.channel, "warroom", |t| t.contains("EU database"))
        .await;
    let notes: Vec<_> = room
        .app
        .entries(room.id)
        .await
        .into_iter()
        .filter(|e| e.text.contains("the EU database is failing over"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].author_id.as_deref(), Some(ALICE));

    mallory.say(&room.channel, "!resolve I did it");
    let refused = mallory
        .wait_for_privmsg_from(&room.channel, "warroom", |t| t.starts_with("mallory"))
        .await;
    assert!(refused.contains("mapped"), "{refused}");
    assert_eq!(room.app.incident(room.id).await.status, Status::Identified);
    assert!(
        irc_entries(&room.app, room.id).await.is_empty(),
        "commands are not chat lines: {:?}",
        irc_entries(&room.app, room.id).await
    );
}

#[tokio::test]
async fn an_unmapped_nick_is_told_how_to_get_mapped_and_when_the_room_closes_the_bot_leaves() {
    let server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    let mut mallory = Person::connect(&server, "mallory").await;
    mallory.join(&room.channel).await;
    room.open_room().await;
    mallory.wait_for_topic(&room.channel, |_| true).await;

    mallory.say(&room.channel, "!status monitoring");
    let answer = mallory
        .wait_for_privmsg_from(&room.channel, "warroom", |t| t.starts_with("mallory"))
        .await;
    assert!(answer.contains("[fallback.irc.nicks]"), "{answer}");
    assert_eq!(
        room.app.incident(room.id).await.status,
        Status::Investigating
    );

    let mut tx = room.app.store.begin().await.unwrap();
    tx.close_fallback_room(room.id, room.app.clock.now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    room.app.state.wake_fallback();
    let channel = room.channel.clone();
    mallory
        .wait_for("the bot leaving the closed room", |m| {
            m.source_nickname() == Some("warroom")
                && matches!(&m.command, irc::client::prelude::Command::PART(c, _) if c == &channel)
        })
        .await;
}

#[tokio::test]
async fn broadcast_mentions_said_on_irc_never_reach_slack_as_mentions() {
    let server = IrcServer::start().await;
    let room = warroom_on(Backend::Sqlite, &server, |_| {}).await;
    let war_room = room.app.war_room_of(room.id).await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;
    room.open_room().await;
    alice.wait_for_topic(&room.channel, |_| true).await;

    alice.say(&room.channel, "<!channel> <!here|here> db is down");
    wait_for_irc_entries(&room.app, room.id, 1).await;
    alice.say(&room.channel, "!resolve <!everyone> fixed by failover");
    alice
        .wait_for_privmsg_from(&room.channel, "warroom", |t| {
            t.contains("fixed by failover")
        })
        .await;
    room.app.command_text(ALICE, &war_room, "close").await;
    room.app
        .slack
        .wait_for("the postmortem", |s| !s.uploaded_files().is_empty())
        .await;
    room.app.outbox_drained().await;

    let md = room.app.slack.uploaded_files()[0].content.clone();
    assert!(
        md.contains("db is down"),
        "the IRC line is in the draft:\n{md}"
    );
    let posted: Vec<String> = room
        .app
        .slack
        .messages_in(&war_room)
        .into_iter()
        .map(|m| m.raw.to_string())
        .collect();
    assert!(
        posted.iter().any(|m| m.contains("fixed by failover")),
        "the resolution reached Slack: {posted:?}"
    );
    for raw in &posted {
        for mention in ["<!channel>", "<!here", "<!everyone>"] {
            assert!(!raw.contains(mention), "{mention} reached Slack: {raw}");
        }
    }
}

#[tokio::test]
async fn the_paged_responder_acknowledges_from_irc_and_the_pager_hears_it() {
    const SRE: &str = "U06SREONCL";
    let server = IrcServer::start().await;
    let irc = crate::helpers::irc_fallback(server.port, &[(SRE, "sre")]);
    let app = crate::helpers::spawn_paging_app_with(
        Backend::Sqlite,
        crate::paging::ESCALATION,
        chrono::Utc::now(),
        move |s, _, _| s.fallback.irc = Some(irc),
    )
    .await;
    let d = app.declare(SRE, "Storefront down sev1").await;
    app.slack
        .wait_for("the level-one DM", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.outbox_drained().await;
    let channel = format!("#warroom-inc-{}", d.incident_id);
    let mut sre = Person::connect(&server, "sre").await;
    sre.join(&channel).await;
    let opened = app.command_text(SRE, &d.channel, "fallback").await;
    assert!(opened.contains(&channel), "{opened}");
    sre.wait_for_topic(&channel, |_| true).await;

    sre.say(&channel, "!ack");
    let answer = sre
        .wait_for_privmsg_from(&channel, "warroom", |t| t.starts_with("sre"))
        .await;
    let pages = app.pages(d.incident_id).await;
    let page = pages.iter().find(|p| p.user_id == SRE).expect("SRE paged");
    assert!(page.acked_at.is_some(), "not acked; IRC said: {answer}");
    assert_eq!(page.acked_by.as_deref(), Some(SRE));
    app.outbox_drained().await;
    let pd = app.pagers().pagerduty.alerts();
    assert!(
        pd.iter()
            .any(|a| a.status == warroom_fakes::pagers::pagerduty::AlertStatus::Acknowledged),
        "PagerDuty never heard the ack: {pd:?}"
    );
}
