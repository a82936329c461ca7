//! IRCv3 capabilities against a scripted server (ngircd offers neither
//! `server-time` nor `message-tags`): the bot asks for them when offered, registers
//! after the server's answer, and a tagged line lands in the timeline with the time
//! it was said and its `msgid` as its key.

use super::fixture::{ALICE, Fallback, irc_entries, wait_for_irc_entries};
use crate::db::Backend;
use crate::helpers::{irc_fallback, spawn_app_with};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpListener;
use tokio::net::tcp::OwnedReadHalf;

/// The next line the bot sends, within 10 s.
async fn next_line(lines: &mut Lines<BufReader<OwnedReadHalf>>) -> String {
    tokio::time::timeout(Duration::from_secs(10), lines.next_line())
        .await
        .expect("the bot sent nothing within 10 s")
        .expect("read from the bot")
        .expect("the bot closed the connection")
}

/// Reads lines until one starts with `prefix`; returns those before it and it.
async fn read_until(
    lines: &mut Lines<BufReader<OwnedReadHalf>>,
    prefix: &str,
) -> (Vec<String>, String) {
    let mut before = Vec::new();
    loop {
        let line = next_line(lines).await;
        if line.starts_with(prefix) {
            return (before, line);
        }
        before.push(line);
    }
}

#[tokio::test]
async fn offered_server_time_and_message_tags_are_requested_and_a_tagged_line_keeps_its_time_and_id()
 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let irc = irc_fallback(port, &[(ALICE, "alice")]);
    let channel_of = irc.clone();
    let app = spawn_app_with(Backend::Sqlite, move |s, _| s.fallback.irc = Some(irc)).await;
    let id = app
        .declare(ALICE, "Checkout is down sev2")
        .await
        .incident_id;
    let room = Fallback {
        channel: channel_of.channel_of(id),
        app,
        id,
    };
    let (socket, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .expect("the bot did not connect")
        .unwrap();
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();

    // Registration: CAP LS 302 before NICK and USER, and nothing ends it yet.
    let (before, user) = read_until(&mut lines, "USER ").await;
    assert!(user.starts_with("USER warroom "), "{user}");
    assert_eq!(before, ["CAP LS 302", "NICK warroom"]);
    write
        .write_all(b":irc.test CAP * LS * :multi-prefix server-time\r\n")
        .await
        .unwrap();
    write
        .write_all(b":irc.test CAP * LS :sasl=PLAIN message-tags\r\n")
        .await
        .unwrap();
    let req = next_line(&mut lines).await;
    assert_eq!(req, "CAP REQ :server-time message-tags");
    write
        .write_all(b":irc.test CAP * ACK :server-time message-tags\r\n")
        .await
        .unwrap();
    assert_eq!(next_line(&mut lines).await, "CAP END");
    write
        .write_all(b":irc.test 001 warroom :Welcome to the test server\r\n")
        .await
        .unwrap();

    room.open_room().await;
    let (_, join) = read_until(&mut lines, "JOIN ").await;
    assert_eq!(join, format!("JOIN {}", room.channel));
    write
        .write_all(format!(":warroom!w@h JOIN {}\r\n", room.channel).as_bytes())
        .await
        .unwrap();

    // Said ten minutes ago (a bouncer replaying it, say), and replayed once more.
    let said = room.app.clock.now() - chrono::Duration::minutes(10);
    let said = said.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let tagged = format!(
        "@msgid=abc-123;time={said} :alice!a@h PRIVMSG {} :db failover started\r\n",
        room.channel
    );
    write.write_all(tagged.as_bytes()).await.unwrap();
    write.write_all(tagged.as_bytes()).await.unwrap();
    write
        .write_all(format!(":alice!a@h PRIVMSG {} :untagged line\r\n", room.channel).as_bytes())
        .await
        .unwrap();

    wait_for_irc_entries(&room.app, room.id, 2).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let entries = irc_entries(&room.app, room.id).await;
    assert_eq!(entries.len(), 2, "the replay was stored twice: {entries:?}");
    let failover = entries
        .iter()
        .find(|e| e.text == "db failover started")
        .expect("the tagged line");
    assert_eq!(failover.ts.as_deref(), Some("msgid:abc-123"));
    assert_eq!(
        failover
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        said
    );
    let untagged = entries
        .iter()
        .find(|e| e.text == "untagged line")
        .expect("the untagged line");
    assert!(untagged.ts.as_deref().is_some_and(|k| k.starts_with("rx:")));
    assert!(untagged.at > failover.at);
}
