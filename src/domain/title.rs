//! The incident title and the war-room channel name derived from it.

use chrono::{DateTime, Utc};
use std::fmt;

/// A non-empty, single-line title of bounded length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentTitle(String);

pub const MAX_TITLE_CHARS: usize = 150;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadTitle {
    #[error("the incident needs a title")]
    Empty,
    #[error("the title is {0} characters; keep it under {MAX_TITLE_CHARS}")]
    TooLong(usize),
}

impl IncidentTitle {
    pub fn parse(input: &str) -> Result<Self, BadTitle> {
        // Zero-width characters and bidi controls show as nothing, or reorder what
        // follows: a title of only those is empty, and none is kept in one.
        let visible: String = input.chars().filter(|c| !is_invisible(*c)).collect();
        let collapsed = visible.split_whitespace().collect::<Vec<_>>().join(" ");
        let chars = collapsed.chars().count();
        if chars == 0 {
            Err(BadTitle::Empty)
        } else if chars > MAX_TITLE_CHARS {
            Err(BadTitle::TooLong(chars))
        } else {
            Ok(Self(collapsed))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IncidentTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Format characters that render as nothing or reorder text: zero-width spaces and
/// joiners, bidi marks, embeddings, overrides and isolates, word joiners, the BOM,
/// soft hyphens; and control characters.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
        || (c.is_control() && !c.is_whitespace())
}

/// Slack's limit on channel names.
pub const MAX_CHANNEL_NAME: usize = 80;

/// `inc-YYYYMMDD-<slug>`: lowercase ASCII letters, digits and `-`, at most 80 characters.
pub fn war_room_channel_name(title: &IncidentTitle, declared_at: DateTime<Utc>) -> String {
    let prefix = format!("inc-{}", declared_at.format("%Y%m%d"));
    let slug = slugify(title.as_str());
    let name = if slug.is_empty() {
        prefix
    } else {
        format!("{prefix}-{slug}")
    };
    truncate_name(&name, MAX_CHANNEL_NAME)
}

/// A drill's war room: `drill-inc-YYYYMMDD-<slug>`, within the same 80 characters
/// (the slug is cut, never the mark), so nobody joins it thinking it is real.
pub fn drill_channel_name(title: &IncidentTitle, declared_at: DateTime<Utc>) -> String {
    let name = format!("drill-{}", war_room_channel_name(title, declared_at));
    truncate_name(&name, MAX_CHANNEL_NAME)
}

/// The name to try after `name_taken`: `base-2`, `base-3`, … still within 80 characters.
pub fn with_suffix(base: &str, attempt: u32) -> String {
    if attempt <= 1 {
        return base.to_string();
    }
    let suffix = format!("-{attempt}");
    let head = truncate_name(base, MAX_CHANNEL_NAME - suffix.len());
    format!("{head}{suffix}")
}

/// `text` as a slug, for channel and file names: lowercase ASCII letters and digits,
/// every other run of characters one `-`, none at either end.
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

fn truncate_name(name: &str, max: usize) -> String {
    // Names are ASCII by construction, so byte length equals char length.
    let cut = &name[..name.len().min(max)];
    cut.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drills_war_room_says_drill_first_and_stays_within_slacks_80_characters() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-03T09:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let short = IncidentTitle::parse("Failover practice").unwrap();
        assert_eq!(
            drill_channel_name(&short, at),
            "drill-inc-20261203-failover-practice"
        );
        let long = IncidentTitle::parse(&"database failover ".repeat(8)).unwrap();
        let name = drill_channel_name(&long, at);
        assert!(name.starts_with("drill-inc-20261203-"), "{name}");
        assert!(name.len() <= MAX_CHANNEL_NAME, "{name}");
        assert!(!name.ends_with('-'), "{name}");
        let suffixed = with_suffix(&name, 12);
        assert!(suffixed.starts_with("drill-") && suffixed.len() <= MAX_CHANNEL_NAME);
    }

    #[test]
    fn a_title_of_only_invisible_characters_is_empty() {
        for invisible in [
            "\u{200B}\u{200B}",
            "\u{202E}",
            "\u{2066}\u{FEFF}\u{2060}",
            " \u{200D} ",
        ] {
            assert_eq!(
                IncidentTitle::parse(invisible),
                Err(BadTitle::Empty),
                "{invisible:?}"
            );
        }
    }

    #[test]
    fn invisible_characters_are_taken_out_of_a_title() {
        let t = IncidentTitle::parse("Check\u{200B}out \u{202E}down").unwrap();
        assert_eq!(t.as_str(), "Checkout down");
    }

    use chrono::TimeZone;

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 3, 4, 5).unwrap()
    }

    #[test]
    fn blank_titles_are_rejected() {
        assert_eq!(IncidentTitle::parse("  \n "), Err(BadTitle::Empty));
    }

    #[test]
    fn titles_are_collapsed_to_one_line() {
        let t = IncidentTitle::parse(" Checkout  is\n down ").unwrap();
        assert_eq!(t.as_str(), "Checkout is down");
    }

    #[test]
    fn channel_name_is_dated_lowercase_and_slugged() {
        let t = IncidentTitle::parse("Checkout API: 500s on /pay!").unwrap();
        assert_eq!(
            war_room_channel_name(&t, at()),
            "inc-20261122-checkout-api-500s-on-pay"
        );
    }

    #[test]
    fn non_ascii_titles_still_give_a_valid_channel_name() {
        let t = IncidentTitle::parse("Ünïcode 💥 outage").unwrap();
        let name = war_room_channel_name(&t, at());
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        );
        assert!(name.starts_with("inc-20261122-"), "{name}");
    }

    #[test]
    fn long_titles_are_cut_to_eighty_characters_even_with_a_suffix() {
        let t = IncidentTitle::parse(&"word ".repeat(29)).unwrap();
        let name = war_room_channel_name(&t, at());
        assert!(name.len() <= 80);
        let suffixed = with_suffix(&name, 12);
        assert!(
            suffixed.len() <= 80 && suffixed.ends_with("-12"),
            "{suffixed}"
        );
        assert!(!suffixed.contains("--"));
    }
}
