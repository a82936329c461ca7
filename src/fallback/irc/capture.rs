//! A line said in a fallback channel, as it goes into the incident's timeline:
//! source `irc`, the nick, the Slack user it maps to, its time, plain text. Its key is
//! given once, when the line is read (the server's `msgid` tag when it sends one), and
//! kept across retries, so a write retried after a busy database is still one entry.
//! Storing it is [`super::writer`]'s, beside the read loop.
//!
//! The time is the server's `time` tag (IRCv3 server-time, asked for by
//! [`super::caps`]) when it parses: when the line was said, not when we read it,
//! which differs for lines a bouncer replays or that arrive after lag. A tag later
//! than our clock is the server's clock running ahead, never a line from the future:
//! it is taken as now. Without a usable tag the time is when the line was read.

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
        let at = tag("time").map_or(now, |t| said_at(&t, now));
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

/// When a line with the `time` tag `tag` was said, read at `now`: the tag's time,
/// but never after `now`; `now` when the tag is no RFC 3339 time.
fn said_at(tag: &str, now: DateTime<Utc>) -> DateTime<Utc> {
    match DateTime::parse_from_rfc3339(tag) {
        Ok(t) => t.with_timezone(&Utc).min(now),
        Err(_) => now,
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

    fn read_at(raw: &str, now: DateTime<Utc>) -> Heard {
        let m = privmsg(raw);
        let Command::PRIVMSG(_, text) = &m.command else {
            panic!("not a PRIVMSG: {raw}")
        };
        Heard::read(&m, "alice", text, now)
    }

    fn utc(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    #[test]
    fn a_line_replayed_late_keeps_the_time_the_server_says_it_was_said() {
        let now = utc("2026-12-03T10:00:00Z");
        let h = read_at(
            "@time=2026-12-03T09:15:00.250Z :alice!a@h PRIVMSG #c :replayed\r\n",
            now,
        );
        assert_eq!(h.at, utc("2026-12-03T09:15:00.250Z"));
        assert!(h.key.starts_with("rx:"), "no msgid, so our key: {}", h.key);
    }

    #[test]
    fn a_server_time_ahead_of_our_clock_is_taken_as_now() {
        let now = utc("2026-12-03T10:00:00Z");
        for ahead in ["2026-12-03T10:00:02.000Z", "2031-01-01T00:00:00.000Z"] {
            let h = read_at(&format!("@time={ahead} :alice!a@h PRIVMSG #c :hi\r\n"), now);
            assert_eq!(h.at, now, "{ahead}");
        }
    }

    #[test]
    fn a_time_tag_that_is_not_a_time_falls_back_to_when_the_line_was_read() {
        let now = utc("2026-12-03T10:00:00Z");
        for bad in [
            "yesterday",
            "2026-13-03T09:15:00.000Z",
            "1733217300",
            "2026-12-03T09:15",
        ] {
            let h = read_at(&format!("@time={bad} :alice!a@h PRIVMSG #c :hi\r\n"), now);
            assert_eq!(h.at, now, "{bad}");
        }
        let h = read_at("@time= :alice!a@h PRIVMSG #c :hi\r\n", now);
        assert_eq!(h.at, now, "an empty tag");
    }

    #[test]
    fn a_msgid_tag_alone_gives_the_key_and_the_read_time() {
        let now = utc("2026-12-03T10:00:00Z");
        let h = read_at("@msgid=Zx-91_q :alice!a@h PRIVMSG #c :hi\r\n", now);
        assert_eq!(h.key, "msgid:Zx-91_q");
        assert_eq!(h.at, now);
    }

    #[test]
    fn an_action_reads_as_the_nick_doing_it_and_codes_are_stripped() {
        let m = privmsg(":alice!a@h PRIVMSG #c :\u{1}ACTION waves\u{1}\r\n");
        let h = Heard::read(&m, "alice", "\u{1}ACTION \u{2}waves\u{2}\u{1}", Utc::now());
        assert_eq!(h.text, "* alice waves");
    }
}
