//! Warroom's Slack text (mrkdwn, as the command handlers and the summary write it)
//! as IRC plain text: mentions become nicks or names, links their label and address,
//! `*bold*`, `_italic_`, `~strike~` and backtick markers go, `:emoji:` codes go, and
//! `/incident <word>` reads `!<word>`, as it is typed on IRC.

use crate::config::IrcFallbackSettings;
use crate::domain::Person;
use std::collections::HashMap;

/// Who is who, for text read on IRC: the mapped nick first, else the person's
/// name from Slack, else the id.
pub struct Names<'a> {
    pub settings: &'a IrcFallbackSettings,
    pub people: &'a HashMap<String, Person>,
}

impl Names<'_> {
    pub fn of(&self, user: &str) -> String {
        if let Some(nick) = self.settings.nick_of(user) {
            return nick.to_string();
        }
        match self.people.get(user) {
            Some(p) if !p.name.trim().is_empty() => p.name.clone(),
            _ => user.to_string(),
        }
    }
}

/// `text` (mrkdwn) as plain IRC text.
pub fn plain(text: &str, names: &Names<'_>) -> String {
    let linked = links(text, names).replace("/incident ", "!");
    let unmarked = markers(&linked);
    let text = emoji(&unmarked)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    text.lines()
        .map(|l| {
            l.split(' ')
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `<@U1|x>`, `<#C1|name>`, `<!here>`, `<https://…|label>` as plain words.
fn links(text: &str, names: &Names<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            return out;
        };
        let inner = &after[..close];
        let (target, label) = match inner.split_once('|') {
            Some((t, l)) => (t, Some(l)),
            None => (inner, None),
        };
        let word = if let Some(user) = target.strip_prefix('@') {
            names.of(user)
        } else if let Some(chan) = target.strip_prefix('#') {
            format!("#{}", label.unwrap_or(chan))
        } else if let Some(special) = target.strip_prefix('!') {
            format!("@{}", label.unwrap_or(special))
        } else {
            match label {
                Some(l) if l != target => format!("{l} ({target})"),
                _ => target.to_string(),
            }
        };
        out.push_str(&word);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Drops `*` and backticks, and `_`/`~` where they open or close a span (not inside
/// a word such as `trusted_only`).
fn markers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let word = |j: Option<usize>| {
            j.and_then(|j| chars.get(j))
                .is_some_and(|c| c.is_alphanumeric())
        };
        match c {
            '*' | '`' => {}
            '_' | '~' if !(word(i.checked_sub(1)) && word(Some(i + 1))) => {}
            c => out.push(c),
        }
    }
    out
}

/// Drops `:emoji_codes:` (lowercase letters, digits, `_`, `+`, `-`, at least one
/// letter: `12:30:45` stays).
fn emoji(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(':') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let code_len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-".contains(c)))
            .unwrap_or(after.len());
        let code = &after[..code_len];
        if !code.is_empty()
            && code.chars().any(|c| c.is_ascii_lowercase())
            && after[code_len..].starts_with(':')
        {
            rest = &after[code_len + 1..];
        } else {
            out.push(':');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonKind;

    fn settings() -> IrcFallbackSettings {
        let mut s = IrcFallbackSettings::new("h", 6667, "warroom");
        s.nicks.insert("U0ALICE".into(), "alice".into());
        s
    }

    #[test]
    fn mentions_become_nicks_or_names_and_markers_go() {
        let s = settings();
        let mut people = HashMap::new();
        people.insert(
            "U0BOB".to_string(),
            Person {
                user_id: "U0BOB".into(),
                name: "Bob Builder".into(),
                title: None,
                kind: PersonKind::Human,
            },
        );
        let names = Names {
            settings: &s,
            people: &people,
        };
        let cases = [
            (
                "<@U0ALICE>: Status → *identified*",
                "alice: Status → identified",
            ),
            (
                ":warning: Unknown `x`. Try `/incident help`",
                "Unknown x. Try !help",
            ),
            ("<@U0BOB|bob> and <@U0NOBODY>", "Bob Builder and U0NOBODY"),
            (
                "see <https://x.test/a|the doc> at 12:30:45",
                "see the doc (https://x.test/a) at 12:30:45",
            ),
            ("_italic_ trusted_only ~gone~", "italic trusted_only gone"),
            ("<#C123|inc-1> <!here>", "#inc-1 @here"),
        ];
        for (mrkdwn, want) in cases {
            assert_eq!(plain(mrkdwn, &names), want, "{mrkdwn}");
        }
    }
}
