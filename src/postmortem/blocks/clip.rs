//! Slack's side of the Block Kit limits: lengths in UTF-16 units, mrkdwn escaping,
//! and [`Clip`], which cuts text to a length without breaking an escape or a link.

use super::{MAX_SECTION_CHARS, MAX_URL_CHARS};
use crate::postmortem::rich_text::{RichText, Span};
use serde_json::{Value, json};

pub(super) fn section(text: &str) -> Value {
    json!({ "type": "section", "text": mrkdwn(text) })
}

pub(super) fn mrkdwn(text: &str) -> Value {
    json!({ "type": "mrkdwn", "text": text })
}

/// Last-resort guard: every caller already bounds its parts, but a section over the
/// limit would make Slack reject the whole message.
pub(super) fn clip_section(text: String) -> String {
    clip_section_to(text, MAX_SECTION_CHARS)
}

pub(super) fn clip_section_to(text: String, max: usize) -> String {
    if slack_len(&text) <= max {
        return text;
    }
    let mut clip = Clip::new(max);
    clip.atom_chars(&text);
    clip.finish()
}

pub(super) fn clipped_text(s: &str, max: usize) -> String {
    let mut clip = Clip::new(max);
    clip.text(s);
    clip.finish()
}

pub(super) fn slack_len(s: &str) -> usize {
    s.encode_utf16().count()
}

pub(super) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        c => out.push(c),
    }
}

/// Inside `<url|label>` a `|` would end the URL early.
pub(super) fn escape_url(url: &str) -> String {
    escape(url).replace('|', "%7C")
}

/// Builds mrkdwn up to a length, cutting only between escapes and whole links so the
/// result never holds half an entity or a broken `<url|label>`; ends in `…` if cut.
pub(super) struct Clip {
    out: String,
    left: usize,
    cut: bool,
}

impl Clip {
    pub(super) fn new(max: usize) -> Self {
        Clip {
            out: String::new(),
            // One unit is kept back for the ellipsis.
            left: max.saturating_sub(1),
            cut: false,
        }
    }

    /// Adds `s` whole, or nothing and stops.
    pub(super) fn atom(&mut self, s: &str) {
        if self.cut {
            return;
        }
        let len = slack_len(s);
        if len <= self.left {
            self.out.push_str(s);
            self.left -= len;
        } else {
            self.cut = true;
        }
    }

    /// Adds `s` character by character without escaping, as far as it fits.
    pub(super) fn atom_chars(&mut self, s: &str) {
        let mut buf = [0u8; 4];
        for c in s.chars() {
            self.atom(c.encode_utf8(&mut buf));
            if self.cut {
                return;
            }
        }
    }

    /// Adds plain text, escaped, as far as it fits.
    pub(super) fn text(&mut self, s: &str) {
        let mut piece = String::with_capacity(5);
        for c in s.chars() {
            piece.clear();
            push_escaped(&mut piece, c);
            self.atom(&piece);
            if self.cut {
                return;
            }
        }
    }

    pub(super) fn rich(&mut self, text: &RichText) {
        for span in &text.0 {
            match span {
                Span::Text(t) => self.text(t),
                Span::Mention(name) => {
                    self.atom("@");
                    self.text(name);
                }
                Span::Channel(name) => {
                    self.atom("#");
                    self.text(name);
                }
                Span::Link { url, label } if slack_len(url) <= MAX_URL_CHARS => {
                    let label = label.as_deref().map(escape);
                    let link = match label {
                        Some(l) => format!("<{}|{l}>", escape_url(url)),
                        None => format!("<{}>", escape_url(url)),
                    };
                    self.atom(&link);
                }
                Span::Link { url, label } => self.text(label.as_deref().unwrap_or(url)),
            }
            if self.cut {
                return;
            }
        }
    }

    pub(super) fn finish(mut self) -> String {
        if self.cut {
            self.out.push('…');
        }
        self.out
    }
}
