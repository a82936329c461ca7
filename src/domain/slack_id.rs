//! Slack's ids, as they arrive from outside: checked for shape and length at the edge,
//! so a 100 KB "user" or an event id too large for an index never reaches the store.
//! One place for the rules, used by events, commands, interactions, the escalation file
//! and mention parsing.

/// The longest id we accept. Slack's are 9–11 characters today; the room to spare
/// covers growth without letting a hostile one through.
pub const MAX_ID_LEN: usize = 32;
/// The longest event id, envelope id, trigger id or other opaque key we accept.
pub const MAX_KEY_LEN: usize = 128;

/// What an id names, by its first letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `U…` or `W…` (an enterprise user); `USLACKBOT` too.
    User,
    /// `C…` public, `G…` private, `D…` a DM.
    Channel,
    /// `B…`
    Bot,
    /// `A…`
    App,
    /// `T…`, or `E…` for an enterprise.
    Team,
    /// `F…`
    File,
}

impl IdKind {
    fn letters(self) -> &'static [char] {
        match self {
            IdKind::User => &['U', 'W'],
            IdKind::Channel => &['C', 'G', 'D'],
            IdKind::Bot => &['B'],
            IdKind::App => &['A'],
            IdKind::Team => &['T', 'E'],
            IdKind::File => &['F'],
        }
    }
}

/// A Slack id of this kind: its letter, then capitals and digits, 2 to 32 in all.
pub fn is_slack_id(id: &str, kind: IdKind) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| kind.letters().contains(&c))
        && (2..=MAX_ID_LEN).contains(&id.len())
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// An opaque key (event id, envelope id, trigger id): 1 to 128 printable ASCII
/// characters without spaces.
pub fn is_key(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// `<@U123>` or `<@U123|name>` → `U123`, when it is a user mention.
pub fn user_mention(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix("<@")?.strip_suffix('>')?;
    let id = inner.split('|').next()?;
    is_slack_id(id, IdKind::User).then(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_their_kinds_letter_capitals_and_digits_and_a_bounded_length() {
        for (id, kind) in [
            ("U06SREONCL", IdKind::User),
            ("W012A3CDE", IdKind::User),
            ("USLACKBOT", IdKind::User),
            ("C0INCIDENTS", IdKind::Channel),
            ("D0123ABCD", IdKind::Channel),
            ("B0BOT00001", IdKind::Bot),
        ] {
            assert!(is_slack_id(id, kind), "{id}");
        }
        let huge = format!("U{}", "A".repeat(100_000));
        for (id, kind) in [
            ("C0INCIDENTS", IdKind::User),
            ("u06sreoncl", IdKind::User),
            ("U", IdKind::User),
            ("U06 SRE", IdKind::User),
            (huge.as_str(), IdKind::User),
            ("", IdKind::Channel),
        ] {
            assert!(!is_slack_id(id, kind), "{id:.20}");
        }
    }

    #[test]
    fn keys_are_short_printable_and_spaceless() {
        assert!(is_key("Ev0123ABCD") && is_key("Ev-1700000000.000100"));
        assert!(is_key("8a1f6c0e-1c1b-4b7e-9f3a-1b2c3d4e5f60"));
        assert!(!is_key("") && !is_key("has space") && !is_key(&"E".repeat(129)));
        assert!(!is_key("nul\u{0}") && !is_key("é"));
    }

    #[test]
    fn a_user_mention_is_read_with_or_without_its_label() {
        assert_eq!(user_mention("<@U123ABC|bob>").as_deref(), Some("U123ABC"));
        assert_eq!(user_mention(" <@U123ABC> ").as_deref(), Some("U123ABC"));
        assert_eq!(user_mention("<#C123ABC>"), None);
        assert_eq!(user_mention("@bob"), None);
    }
}
