//! How the report writes what it shows: durations as people say them (`4m 10s`),
//! times in UTC with `UTC` written out, and stored Slack text as plain text.

use crate::domain::Person;
use crate::postmortem::{RichText, Span};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Seconds as people say them, at most three parts and only the parts that matter at
/// that size: `42s`, `4m 10s`, `5m`, `1h 15m`, `2d 3h 4m`. Zero or less is `0s`.
pub fn human(seconds: i64) -> String {
    if seconds <= 0 {
        return "0s".to_string();
    }
    let (days, hours, mins, secs) = (
        seconds / 86_400,
        seconds / 3_600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    // Seconds matter under an hour (time to acknowledge); beyond, minutes do.
    let parts: &[(i64, &str)] = if seconds < 3_600 {
        &[(mins, "m"), (secs, "s")]
    } else {
        &[(days, "d"), (hours, "h"), (mins, "m")]
    };
    parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `2026-12-01 10:04 UTC`
pub fn utc(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `2026-12-01T10:04:00Z`: the form `warroom report --since` takes back.
pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Stored text (Slack's wire format) as plain text: mentions become `@Name` from the
/// people cache, channels `#name`, links `label (url)`, entities their characters.
/// Nothing is escaped: that is each renderer's job.
pub fn plain(raw: &str, people: &HashMap<String, Person>) -> String {
    let mut out = String::with_capacity(raw.len());
    for span in RichText::parse(raw, people).0 {
        match span {
            Span::Text(t) => out.push_str(&t),
            Span::Mention(name) => {
                out.push('@');
                out.push_str(&name);
            }
            Span::Channel(name) => {
                out.push('#');
                out.push_str(&name);
            }
            Span::Link { url, label } => match label.filter(|l| *l != url) {
                Some(label) => {
                    out.push_str(&label);
                    out.push_str(" (");
                    out.push_str(&url);
                    out.push(')');
                }
                None => out.push_str(&url),
            },
        }
    }
    out
}

/// Text on one line: every run of whitespace (newlines too) becomes one space, and
/// control characters go, so nothing can start a new line in a list or a table.
pub fn one_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonKind;
    use chrono::TimeZone;

    #[test]
    fn durations_read_as_an_on_call_engineer_says_them() {
        for (secs, said) in [
            (0, "0s"),
            (-5, "0s"),
            (42, "42s"),
            (60, "1m"),
            (250, "4m 10s"),
            (3_599, "59m 59s"),
            (3_600, "1h"),
            (4_500, "1h 15m"),
            (4_530, "1h 15m"),
            (2 * 86_400 + 3 * 3_600 + 4 * 60, "2d 3h 4m"),
            (86_400, "1d"),
        ] {
            assert_eq!(human(secs), said, "{secs}s");
        }
    }

    #[test]
    fn times_are_written_in_utc_and_say_so() {
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 9, 5, 30).unwrap();
        assert_eq!(utc(at), "2026-12-01 09:05 UTC");
        assert_eq!(rfc3339(at), "2026-12-01T09:05:30Z");
    }

    #[test]
    fn slack_markup_becomes_plain_text_with_names_from_the_people_cache() {
        let people = HashMap::from([(
            "U1KAREN00".to_string(),
            Person {
                user_id: "U1KAREN00".into(),
                name: "Karen House".into(),
                title: None,
                kind: PersonKind::Human,
            },
        )]);
        assert_eq!(
            plain(
                "<@U1KAREN00> saw <https://grafana.example/d/1|the graph> &amp; <@U2UNKNOWN> &lt;b&gt;",
                &people
            ),
            "@Karen House saw the graph (https://grafana.example/d/1) & @U2UNKNOWN <b>"
        );
        assert_eq!(plain("<https://x.example>", &people), "https://x.example");
    }

    #[test]
    fn one_line_folds_newlines_and_drops_control_characters() {
        assert_eq!(one_line("  a\n\n b\t\u{1b}[31mc "), "a b [31mc");
    }
}
