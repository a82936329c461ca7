//! Text from outside (titles, notes, page messages, provider answers), made safe to
//! echo into Slack. Slack reads `<…>` as a control sequence: `<!channel>`, `<!here>`,
//! `<!everyone>` and `<!subteam^…>` ping whole groups, and `<scheme:…|label>` is a link
//! under any label. Slack's formatting rules say to escape `&`, `<` and `>`; this keeps
//! the sequences that are safe and meant (a mention of a real user or channel, a plain
//! http(s) link) and turns every other one into visible text.
//!
//! Text arrives in Slack's wire format (slash commands escape `&`, `<`, `>` already), so
//! the three entities are kept as they are rather than escaped twice.

use crate::domain::{IdKind, is_slack_id};

/// Text for a `mrkdwn` field, a message's `text`, a topic or a reply.
pub fn echo(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['<', '>', '&']) {
        push_clean(&mut out, &rest[..open]);
        let tail = &rest[open..];
        rest = if let Some(after) = tail.strip_prefix('>') {
            out.push_str("&gt;");
            after
        } else if let Some(after) = tail.strip_prefix('&') {
            match ["amp;", "lt;", "gt;"]
                .into_iter()
                .find(|e| after.starts_with(e))
            {
                Some(entity) => {
                    out.push('&');
                    out.push_str(entity);
                    &after[entity.len()..]
                }
                None => {
                    out.push_str("&amp;");
                    after
                }
            }
        } else {
            // A `<`: a sequence up to the next `>`, unless another `<` comes first.
            let after = &tail[1..];
            match after.find(['<', '>']) {
                Some(close) if after.as_bytes()[close] == b'>' => {
                    push_sequence(&mut out, &after[..close]);
                    &after[close + 1..]
                }
                _ => {
                    out.push_str("&lt;");
                    after
                }
            }
        };
    }
    push_clean(&mut out, rest);
    out
}

/// Text for a `plain_text` field (headers, button labels), where Slack parses nothing:
/// sequences become the words they stand for, so a header never shows `<!channel>`.
pub fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        push_clean(&mut out, &unescape(&rest[..open]));
        let tail = &rest[open + 1..];
        match tail.find('>') {
            Some(close) if !tail[..close].contains('<') => {
                let inner = &tail[..close];
                let (target, label) = inner.split_once('|').unwrap_or((inner, ""));
                let shown = if !label.is_empty() {
                    label.trim_start_matches('@').to_string()
                } else {
                    target
                        .trim_start_matches(['!', '@', '#'])
                        .split('^')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                };
                let prefix = match target.chars().next() {
                    Some('@' | '!') => "@",
                    Some('#') => "#",
                    _ => "",
                };
                out.push_str(prefix);
                push_clean(&mut out, &unescape(&shown));
                rest = &tail[close + 1..];
            }
            _ => {
                out.push('<');
                rest = tail;
            }
        }
    }
    push_clean(&mut out, &unescape(rest));
    out
}

/// One `<…>` sequence (without the brackets), kept when safe and meant, else shown.
fn push_sequence(out: &mut String, inner: &str) {
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(l)),
        None => (inner, None),
    };
    if let Some(id) = target
        .strip_prefix('@')
        .filter(|id| is_slack_id(id, IdKind::User))
    {
        out.push_str(&format!("<@{id}>"));
    } else if let Some(id) = target
        .strip_prefix('#')
        .filter(|id| is_slack_id(id, IdKind::Channel))
    {
        out.push_str(&format!("<#{id}>"));
    } else if is_web_link(target) {
        // The label is shown as text beside the link, so it cannot pose as another URL.
        if let Some(label) = label.filter(|l| !l.trim().is_empty()) {
            out.push_str(&echo_text(label));
            out.push_str(" (");
            out.push_str(&format!("<{}>", target.replace('|', "%7C")));
            out.push(')');
        } else {
            out.push_str(&format!("<{target}>"));
        }
    } else {
        out.push_str("&lt;");
        out.push_str(&echo_text(inner));
        out.push_str("&gt;");
    }
}

/// Text with every `<`, `>` and bare `&` escaped (no sequence survives).
fn echo_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '>', '&']) {
        push_clean(&mut out, &rest[..i]);
        let tail = &rest[i..];
        let entity = ["&amp;", "&lt;", "&gt;"]
            .into_iter()
            .find(|e| tail.starts_with(e));
        match (tail.as_bytes()[0], entity) {
            (_, Some(e)) => {
                out.push_str(e);
                rest = &tail[e.len()..];
                continue;
            }
            (b'<', None) => out.push_str("&lt;"),
            (b'>', None) => out.push_str("&gt;"),
            _ => out.push_str("&amp;"),
        }
        rest = &tail[1..];
    }
    push_clean(&mut out, rest);
    out
}

fn is_web_link(target: &str) -> bool {
    let lower = target.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && !target.contains(char::is_whitespace)
}

/// Characters nobody means to echo: NUL (PostgreSQL refuses it) and the bidi
/// overrides, embeddings and isolates that can make a line read backwards.
pub fn is_hidden_control(c: char) -> bool {
    c == '\0' || ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
}

fn push_clean(out: &mut String, s: &str) {
    out.extend(s.chars().filter(|c| !is_hidden_control(*c)));
}

/// Slack's three entities back to the characters they stand for (for a `plain_text_input`
/// prefilled with a message, where they would show as typed).
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasts_and_group_pings_are_shown_not_sent() {
        for (hostile, shown) in [
            ("<!channel> checkout down", "&lt;!channel&gt; checkout down"),
            ("wake up <!here>", "wake up &lt;!here&gt;"),
            ("<!everyone>", "&lt;!everyone&gt;"),
            (
                "<!subteam^S0123ABC|@oncall> look",
                "&lt;!subteam^S0123ABC|@oncall&gt; look",
            ),
            (
                "<!date^1392734382^{date}|Feb 18>",
                "&lt;!date^1392734382^{date}|Feb 18&gt;",
            ),
        ] {
            assert_eq!(echo(hostile), shown, "{hostile}");
        }
    }

    #[test]
    fn real_mentions_and_web_links_stay_and_other_schemes_do_not() {
        assert_eq!(
            echo("ask <@U06SREONCL|oncall> in <#C0WAR|war>"),
            "ask <@U06SREONCL> in <#C0WAR>"
        );
        assert_eq!(
            echo("see <https://status.example/x>"),
            "see <https://status.example/x>"
        );
        assert_eq!(
            echo("<https://evil.example|https://bank.example>"),
            "https://bank.example (<https://evil.example>)"
        );
        assert_eq!(
            echo("<javascript:alert(1)|click me>"),
            "&lt;javascript:alert(1)|click me&gt;"
        );
        assert_eq!(echo("<@bogus id>"), "&lt;@bogus id&gt;");
    }

    #[test]
    fn entities_are_kept_and_bare_characters_escaped() {
        assert_eq!(echo("AT&amp;T &lt;3"), "AT&amp;T &lt;3");
        assert_eq!(echo("a & b > c < d"), "a &amp; b &gt; c &lt; d");
        assert_eq!(echo("<<!channel>"), "&lt;&lt;!channel&gt;");
        assert_eq!(
            echo("&lt;img src=x onerror=alert(1)&gt;"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
    }

    #[test]
    fn nul_and_bidi_overrides_are_dropped() {
        assert_eq!(echo("nul\u{0}byte \u{202E}evil\u{2066}x"), "nulbyte evilx");
        assert_eq!(plain("a\u{0}b\u{202E}"), "ab");
    }

    #[test]
    fn plain_text_reads_sequences_as_the_words_they_stand_for() {
        assert_eq!(
            plain("<!channel> down for <@U1|karen> &amp; co"),
            "@channel down for @karen & co"
        );
        assert_eq!(plain("<!subteam^S1|@oncall>"), "@oncall");
        assert_eq!(
            plain("see <https://x|the graph> in <#C1|ops>"),
            "see the graph in #ops"
        );
    }

    #[test]
    fn echo_never_lets_a_broadcast_through_whatever_the_nesting() {
        for hostile in [
            "<<!channel>>",
            "<!chan<!here>nel>",
            "<https://x|<!channel>>",
            "&lt;!channel&gt;<!channel>",
            "<@U1|<!here>>",
        ] {
            let shown = echo(hostile);
            assert!(!shown.contains("<!"), "{hostile} -> {shown}");
        }
    }
}
