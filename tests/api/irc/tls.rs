//! TLS to the IRC server (on by default): the bot reaches a server whose own CA it
//! is given (`ca_file`), and says nothing to one it cannot verify.

use super::fixture::warroom_on;
use super::{IrcServer, Person};
use crate::db::Backend;

#[tokio::test]
async fn the_bot_reaches_a_server_over_tls_trusting_its_own_ca_file() {
    let server = IrcServer::start_tls().await;
    let (tls_port, ca) = server.tls.clone().expect("a TLS port");
    let room = warroom_on(Backend::Sqlite, &server, |irc| {
        irc.port = tls_port;
        irc.tls = true;
        irc.ca_file = Some(ca);
    })
    .await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;

    room.open_room().await;

    let (_, by) = alice.wait_for_topic(&room.channel, |_| true).await;
    assert_eq!(by.as_deref(), Some("warroom"), "the bot came in over TLS");
}

#[tokio::test]
async fn the_bot_does_not_talk_to_a_tls_server_it_cannot_verify() {
    let server = IrcServer::start_tls().await;
    let (tls_port, _) = server.tls.clone().expect("a TLS port");
    let room = warroom_on(Backend::Sqlite, &server, |irc| {
        irc.port = tls_port;
        irc.tls = true;
    })
    .await;
    let mut alice = Person::connect(&server, "alice").await;
    alice.join(&room.channel).await;

    room.open_room().await;

    let heard = alice
        .privmsgs_within(&room.channel, "warroom", std::time::Duration::from_secs(3))
        .await;
    assert!(heard.is_empty(), "{heard:?}");
    let mut tx = room.app.store.read().await.unwrap();
    let stored = tx.fallback_room(room.id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        stored.briefed_at, None,
        "briefed over an unverified connection"
    );
}
