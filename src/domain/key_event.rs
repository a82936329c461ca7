//! Key events: the messages the team marks for the postmortem's short timeline, with a
//! 📌 reaction or a pin, and the words the timeline records when one is marked or
//! unmarked. Pure: the store keeps the marks, `timeline` hears them.

/// Slack's name for the 📌 reaction, the one that marks a key event.
pub const KEY_REACTION: &str = "pushpin";

/// The kind of the system entry that records a mark or an unmark.
pub const KEY_EVENT_KIND: &str = "key_event";

/// The most characters of the marked message the entry quotes.
pub const EXCERPT_CHARS: usize = 80;

/// Whether a reaction name is the key-event one. Slack sends names without colons,
/// with a skin tone as a `::skin-tone-N` suffix; both are allowed for here.
pub fn is_key_reaction(name: &str) -> bool {
    base_reaction(name) == KEY_REACTION
}

/// `thumbsup::skin-tone-2` → `thumbsup`; `:pushpin:` → `pushpin`.
pub fn base_reaction(name: &str) -> &str {
    let name = name.trim().trim_matches(':');
    name.split("::").next().unwrap_or(name)
}

/// What the timeline says when a message is marked (or unmarked) a key event, quoting
/// the message when it is stored.
pub fn key_event_text(marked: bool, message: Option<&str>) -> String {
    let head = if marked {
        "Marked a key event"
    } else {
        "Unmarked a key event"
    };
    match message.map(excerpt).filter(|e| !e.is_empty()) {
        Some(quote) => format!("{head}: “{quote}”"),
        None => head.to_string(),
    }
}

/// The start of `text` on one line, at most [`EXCERPT_CHARS`] characters, cut between
/// words and never inside Slack markup (`<@U123>`, `<https://…|label>`), which would
/// otherwise render half a mention or link; `…` says it was cut.
pub fn excerpt(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let whole = words.join(" ");
    if whole.chars().count() <= EXCERPT_CHARS {
        return whole;
    }
    let mut out = String::new();
    for word in words {
        let extra = usize::from(!out.is_empty()) + word.chars().count();
        if out.chars().count() + extra > EXCERPT_CHARS {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    // An unclosed `<` means the cut fell inside markup: drop back to before it.
    if let Some(open) = out.rfind('<')
        && !out[open..].contains('>')
    {
        out.truncate(open);
    }
    if out.trim().is_empty() {
        // One long word (a URL): cut it by characters, unless it is markup.
        if whole.starts_with('<') {
            return "…".to_string();
        }
        out = whole.chars().take(EXCERPT_CHARS).collect();
    }
    format!("{}…", out.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushpin_is_the_key_reaction_with_or_without_colons_or_a_skin_tone() {
        for name in ["pushpin", ":pushpin:", "pushpin::skin-tone-2", " pushpin "] {
            assert!(is_key_reaction(name), "{name}");
        }
        for name in [
            "round_pushpin",
            "thumbsup",
            "thumbsup::skin-tone-2",
            "",
            "::",
        ] {
            assert!(!is_key_reaction(name), "{name}");
        }
        assert_eq!(base_reaction("thumbsup::skin-tone-2"), "thumbsup");
    }

    #[test]
    fn the_entry_quotes_the_message_when_it_is_stored() {
        assert_eq!(
            key_event_text(true, Some("rolled back  the\ndeploy")),
            "Marked a key event: “rolled back the deploy”"
        );
        assert_eq!(key_event_text(true, None), "Marked a key event");
        assert_eq!(key_event_text(true, Some("  ")), "Marked a key event");
        assert_eq!(
            key_event_text(false, Some("rolled back")),
            "Unmarked a key event: “rolled back”"
        );
    }

    #[test]
    fn a_long_message_is_cut_between_words_within_the_limit() {
        let text = "word ".repeat(40);
        let cut = excerpt(&text);
        assert!(cut.ends_with("word…"), "{cut}");
        assert!(cut.chars().count() <= EXCERPT_CHARS + 1, "{cut}");
    }

    #[test]
    fn a_cut_never_leaves_half_a_mention_or_link() {
        let text = format!(
            "{} <https://grafana.example/d/abc|the latency dashboard> shows it",
            "x".repeat(60)
        );
        let cut = excerpt(&text);
        assert!(!cut.contains('<'), "{cut}");
        assert!(cut.starts_with("xxx") && cut.ends_with('…'), "{cut}");
    }

    #[test]
    fn one_long_word_is_cut_by_characters_and_long_markup_is_left_out() {
        let url = format!("https://example.com/{}", "a".repeat(200));
        let cut = excerpt(&url);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(&format!("<{url}>")), "…");
    }
}
