//! A line said in a fallback channel, as it goes into the incident's timeline:
//! source `irc`, the nick, the Slack user it maps to, the time it was read (or the
//! server's `time` tag), plain text. Its key is given once, when the line is read
//! (the server's `msgid` tag when it sends one), and kept across retries, so a write
//! retried after a busy database is still one entry. Storing it is
//! [`super::writer`]'s, beside the read loop.

use chrono::{DateTime, Utc};
use irc::proto::Message;

/// What a line is, once read.
#[derive(Debug, Clone)]
pub struct Heard {
    pub key: String,
    pub at: DateTime<Utc>,
    pub nick: String,
    pub text: String,
}

impl Heard {
    /// `text` from `nick` in `message`, read now: the key and time from the
    /// message's tags when the server sent them, else ours.
    pub fn read(message: &Message, nick: &str, text: &str, now: DateTime<Utc>) -> Heard {
        let tag = |name: &str| {
            message
                .tags
                .iter()
                .flatten()
                .find(|t| t.0 == name)
                .and_then(|t| t.1.clone())
                .filter(|v| !v.is_empty() && v.len() <= 100)
        };
        let key = match tag("msgid") {
            Some(id) => format!("msgid:{id}"),
            None => received_key(),
        };
        let at = tag("time")
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now);
        let text = match action(text) {
            Some(did) => format!("* {nick} {did}"),
            None => text.to_string(),
        };
        Heard {
            key,
            at,
            nick: nick.to_string(),
            text: crate::fallback::text::plain(&text),
        }
    }
}

/// The text of a CTCP ACTION (`/me waves`), when `text` is one.
fn action(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('\u{1}')?;
    let inner = inner.strip_suffix('\u{1}').unwrap_or(inner);
    inner.strip_prefix("ACTION ")
}

/// A key for a line the server gave no id: unique (a random part), and in the order
/// lines were read (the system clock's microseconds, then a counter), because where
/// two lines share a time the timeline orders them by key, as Slack's ts.
pub(super) fn received_key() -> String {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let micros = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros());
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!(
        "rx:{micros:017}.{seq:010}.{}",
        uuid::Uuid::new_v4().simple()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use irc::proto::Command;

    fn privmsg(raw: &str) -> Message {
        raw.parse().unwrap()
    }

    #[test]
    fn lines_without_a_server_id_get_keys_that_sort_in_the_order_they_were_read() {
        let keys: Vec<String> = (0..50).map(|_| received_key()).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, keys, "keys out of read order, or repeated");
    }

    #[test]
    fn the_server_tags_give_the_key_and_time_when_present() {
        let now = Utc::now();
        let m =
            privmsg("@msgid=abc123;time=2026-12-03T09:15:00.000Z :alice!a@h PRIVMSG #c :hi\r\n");
        let Command::PRIVMSG(_, text) = &m.command else {
            panic!()
        };
        let h = Heard::read(&m, "alice", text, now);
        assert_eq!(h.key, "msgid:abc123");
        assert_eq!(h.at.to_rfc3339(), "2026-12-03T09:15:00+00:00");
        let m = privmsg(":alice!a@h PRIVMSG #c :hi\r\n");
        let (a, b) = (
            Heard::read(&m, "alice", "hi", now),
            Heard::read(&m, "alice", "hi", now),
        );
        assert_ne!(a.key, b.key, "two lines read are two keys");
        assert_eq!(a.at, now);
    }

    #[test]
    fn an_action_reads_as_the_nick_doing_it_and_codes_are_stripped() {
        let m = privmsg(":alice!a@h PRIVMSG #c :\u{1}ACTION waves\u{1}\r\n");
        let h = Heard::read(&m, "alice", "\u{1}ACTION \u{2}waves\u{2}\u{1}", Utc::now());
        assert_eq!(h.text, "* alice waves");
    }
}
