//! Text from machines, made inert for Slack: an alert's names, labels and annotations
//! ([`inert`]), and the URLs it carries ([`web_url`], [`link`]). Whoever can reach
//! Alertmanager or Grafana writes this text, and an alert names nobody on purpose, so
//! unlike [`super::mrkdwn::echo`] (for what people typed) nothing in it stays a
//! mention, a broadcast or a link, except the http(s) links Warroom itself builds.

use super::mrkdwn::is_hidden_control;

/// Text from a machine (an alert's labels, annotations, names), shown as sent and
/// nothing more: every `&`, `<` and `>` is escaped, so no part of it is a mention, a
/// broadcast or a link, and a bare `@channel`, `@here` or `@everyone` gets a word
/// joiner after its `@` so no parser can take it for one either. Unlike
/// [`echo`](super::mrkdwn::echo), which keeps the real mentions and web links a person
/// typed, this keeps none: an alert names nobody on purpose.
pub fn inert(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => {
                out.push('@');
                let word: String = rest
                    .chars()
                    .take_while(char::is_ascii_alphabetic)
                    .collect::<String>()
                    .to_ascii_lowercase();
                if ["channel", "here", "everyone"].contains(&word.as_str()) {
                    out.push('\u{2060}');
                }
            }
            c if is_hidden_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// The longest URL Warroom links to (Slack takes 3000 in a button's `url`).
pub const MAX_LINK_URL: usize = 2000;

/// `url` made safe to put inside `<…>`, when it is a web link: `http` or `https` with
/// a host, no whitespace or control characters, at most [`MAX_LINK_URL`] long. `|`,
/// `<` and `>` (which would end the URL and start a label or a new sequence) are
/// percent-encoded, and `&` written as Slack's entity. `None` for anything else
/// (`javascript:`, `file:`, a bare word).
pub fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let rest = ["https://", "http://"]
        .into_iter()
        .find_map(|scheme| lower.strip_prefix(scheme))?;
    let host_ok = rest
        .chars()
        .next()
        .is_some_and(|c| !matches!(c, '/' | '?' | '#' | '@' | ':'));
    if !host_ok
        || url.len() > MAX_LINK_URL
        || url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || is_hidden_control(c))
    {
        return None;
    }
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '|' => out.push_str("%7C"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    Some(out)
}

/// `<url|label>` for a web link (see [`web_url`]), with `label` shown as [`inert`]
/// text; `None` when `url` is not one.
pub fn link(url: &str, label: &str) -> Option<String> {
    let url = web_url(url)?;
    let label = inert(&label.replace('|', "¦"));
    Some(if label.trim().is_empty() {
        format!("<{url}>")
    } else {
        format!("<{url}|{label}>")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn machine_text_keeps_no_mention_broadcast_or_link() {
        for hostile in [
            "<!channel> disk full",
            "ping <@U123> now",
            "<https://evil.example|click>",
            "<#C0WAR>",
            "&lt;already&gt; & <<!here>>",
        ] {
            let shown = inert(hostile);
            assert!(
                !shown.contains('<') && !shown.contains('>'),
                "{hostile} -> {shown}"
            );
        }
        assert_eq!(inert("a & b <c>"), "a &amp; b &lt;c&gt;");
        assert_eq!(
            inert("&amp;"),
            "&amp;amp;",
            "shown as sent, not read as an entity"
        );
        assert_eq!(inert("nul\u{0}\u{202E}x"), "nulx");
    }

    #[test]
    fn machine_text_breaks_bare_broadcast_words_but_not_emails() {
        assert_eq!(inert("hey @channel"), "hey @\u{2060}channel");
        assert_eq!(inert("@HERE!"), "@\u{2060}HERE!");
        assert_eq!(inert("@everyone"), "@\u{2060}everyone");
        assert_eq!(
            inert("oncall@example.com @channels"),
            "oncall@example.com @channels"
        );
    }

    #[test]
    fn only_http_links_with_a_host_are_links() {
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT://x",
            "file:///etc/passwd",
            "https://",
            "https:///path",
            "http://@evil",
            "https://x y",
            "https://x\ny",
            "ftp://x",
            "runbooks/disk",
            "",
        ] {
            assert_eq!(web_url(bad), None, "{bad:?}");
        }
        assert_eq!(
            web_url(&format!("https://x/{}", "a".repeat(MAX_LINK_URL))),
            None
        );
        assert_eq!(
            web_url(" https://grafana.example/d/abc?from=now-1h&to=now "),
            Some("https://grafana.example/d/abc?from=now-1h&amp;to=now".into())
        );
    }

    #[test]
    fn a_hostile_url_cannot_leave_its_link() {
        let shown = link("https://x|<!channel>", "Source").unwrap();
        assert_eq!(shown, "<https://x%7C%3C!channel%3E|Source>");
        let shown = link("https://x>&<@U123>", "a|b <!here>").unwrap();
        assert_eq!(shown, "<https://x%3E&amp;%3C@U123%3E|a¦b &lt;!here&gt;>");
        assert_eq!(link("javascript:alert(1)", "Runbook"), None);
        assert_eq!(link("https://x", " "), Some("<https://x>".into()));
    }
}
