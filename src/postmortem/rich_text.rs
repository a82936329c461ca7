//! Slack message text parsed once into spans, so each renderer (Markdown, Block Kit)
//! can escape and format it its own way. Owns mention resolution and entity unescaping.
//!
//! Hand-parsed in one pass: the postmortem of a long incident parses every message, so
//! this must stay linear and must not compile patterns per entry.

use crate::domain::Person;
use std::collections::HashMap;

/// One piece of a message, with Slack's escaping already undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Text(String),
    /// A user mention, resolved to the display name (or raw id when unknown).
    Mention(String),
    /// A channel reference, by name without the `#`.
    Channel(String),
    Link {
        url: String,
        label: Option<String>,
    },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RichText(pub Vec<Span>);

impl RichText {
    /// Parses Slack's wire format: `<@U1>`, `<@U1|name>`, `<#C1|name>`, `<!here>`,
    /// `<url|label>`, `<url>` and the `&amp; &lt; &gt;` escapes.
    pub fn parse(raw: &str, people: &HashMap<String, Person>) -> Self {
        // NUL and bidi overrides are never meant to be read (an override can make a
        // line of the draft read backwards).
        let cleaned: String;
        let raw = if raw.chars().any(crate::slack::mrkdwn::is_hidden_control) {
            cleaned = raw
                .chars()
                .filter(|c| !crate::slack::mrkdwn::is_hidden_control(*c))
                .collect();
            &cleaned
        } else {
            raw
        };
        let mut spans = Vec::new();
        let mut text = String::new();
        let mut rest = raw;
        while let Some(open) = rest.find('<') {
            unescape_into(&rest[..open], &mut text);
            let after = &rest[open + 1..];
            let close = match after.find(['<', '>']) {
                Some(i) if after.as_bytes()[i] == b'>' => i,
                // Slack escapes a literal `<`, so an unclosed one is malformed input: keep it.
                _ => {
                    text.push('<');
                    rest = after;
                    continue;
                }
            };
            match parse_tag(&after[..close], people) {
                Span::Text(t) => text.push_str(&t),
                span => {
                    if !text.is_empty() {
                        spans.push(Span::Text(std::mem::take(&mut text)));
                    }
                    spans.push(span);
                }
            }
            rest = &after[close + 1..];
        }
        unescape_into(rest, &mut text);
        if !text.is_empty() {
            spans.push(Span::Text(text));
        }
        RichText(spans)
    }

    /// As [`RichText::plain`], borrowed when the text is one plain span (most
    /// messages are).
    pub fn plain_cow(&self) -> std::borrow::Cow<'_, str> {
        match self.0.as_slice() {
            [] => std::borrow::Cow::Borrowed(""),
            [Span::Text(t)] => std::borrow::Cow::Borrowed(t),
            _ => std::borrow::Cow::Owned(self.plain()),
        }
    }

    /// Text without markup: names for mentions, labels (or URLs) for links.
    pub fn plain(&self) -> String {
        let mut out = String::new();
        for span in &self.0 {
            match span {
                Span::Text(t) => out.push_str(t),
                Span::Mention(name) => {
                    out.push('@');
                    out.push_str(name);
                }
                Span::Channel(name) => {
                    out.push('#');
                    out.push_str(name);
                }
                Span::Link { url, label } => out.push_str(label.as_deref().unwrap_or(url)),
            }
        }
        out
    }

    pub fn is_blank(&self) -> bool {
        self.0
            .iter()
            .all(|s| matches!(s, Span::Text(t) if t.trim().is_empty()))
    }
}

fn parse_tag(inner: &str, people: &HashMap<String, Person>) -> Span {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(unescape(l)).filter(|l| !l.is_empty())),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        let name = match (people.get(id), label) {
            (Some(p), _) => p.name.clone(),
            // A labelled mention of someone we don't know still reads better by label.
            (None, Some(l)) => l.trim_start_matches('@').to_string(),
            (None, None) => id.to_string(),
        };
        Span::Mention(name)
    } else if let Some(id) = target.strip_prefix('#') {
        Span::Channel(label.unwrap_or_else(|| id.to_string()))
    } else if let Some(special) = target.strip_prefix('!') {
        // `<!here>`, `<!subteam^S1|@oncall>`, `<!date^…|fallback>`: plain text, never a ping.
        let text = match (special, label) {
            (_, Some(l)) => l,
            ("here" | "channel" | "everyone", None) => format!("@{special}"),
            (other, None) => other.to_string(),
        };
        Span::Text(text)
    } else if is_web_link(target) {
        Span::Link {
            url: unescape(target),
            label,
        }
    } else {
        // `javascript:`, `data:` and the like: shown, never linked.
        let target = unescape(target);
        Span::Text(match label {
            Some(l) => format!("{l} ({target})"),
            None => target,
        })
    }
}

/// Only these become links in a draft.
fn is_web_link(target: &str) -> bool {
    let lower = target.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    unescape_into(s, &mut out);
    out
}

/// Undoes Slack's three escapes in one pass, so `&amp;lt;` correctly becomes `&lt;`.
fn unescape_into(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let (ch, len) = if tail.starts_with("&amp;") {
            ('&', 5)
        } else if tail.starts_with("&lt;") {
            ('<', 4)
        } else if tail.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(ch);
        rest = &tail[len..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> HashMap<String, Person> {
        let p = Person {
            user_id: "U1".into(),
            name: "Susan Vega".into(),
            title: None,
            kind: crate::domain::PersonKind::Human,
        };
        HashMap::from([(p.user_id.clone(), p)])
    }

    fn parse(raw: &str) -> RichText {
        RichText::parse(raw, &people())
    }

    #[test]
    fn only_web_links_are_links_and_hidden_controls_are_dropped() {
        assert_eq!(
            parse("<javascript:alert(1)|click me>").0,
            vec![Span::Text("click me (javascript:alert(1))".into())]
        );
        assert!(matches!(parse("<https://x>").0[0], Span::Link { .. }));
        assert_eq!(parse("a\u{202E}b\u{0}c").plain(), "abc");
    }

    #[test]
    fn known_mentions_resolve_to_display_names_with_or_without_a_label() {
        assert_eq!(parse("hi <@U1>").plain(), "hi @Susan Vega");
        assert_eq!(parse("hi <@U1|svega>").plain(), "hi @Susan Vega");
    }

    #[test]
    fn unknown_mentions_fall_back_to_the_label_then_the_raw_id() {
        assert_eq!(parse("<@U9|bob>").plain(), "@bob");
        assert_eq!(parse("<@U9>").plain(), "@U9");
    }

    #[test]
    fn slack_escapes_are_undone_exactly_once() {
        assert_eq!(
            parse("a &amp; b &lt;c&gt; &amp;lt; &x").plain(),
            "a & b <c> &lt; &x"
        );
    }

    #[test]
    fn links_channels_and_broadcasts_become_spans_or_text() {
        let rt = parse("see <http://x/?a=1&amp;b=2|the graph> in <#C1|ops> <!here> <http://y>");
        assert_eq!(
            rt.0,
            vec![
                Span::Text("see ".into()),
                Span::Link {
                    url: "http://x/?a=1&b=2".into(),
                    label: Some("the graph".into())
                },
                Span::Text(" in ".into()),
                Span::Channel("ops".into()),
                Span::Text(" @here ".into()),
                Span::Link {
                    url: "http://y".into(),
                    label: None
                },
            ]
        );
    }

    #[test]
    fn an_unclosed_angle_bracket_is_kept_as_text() {
        assert_eq!(parse("a < b <@U1>").plain(), "a < b @Susan Vega");
        assert_eq!(parse("tail <").plain(), "tail <");
    }
}
