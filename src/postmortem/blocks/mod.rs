//! Renders a [`Draft`] as a Slack Block Kit message that Slack will accept, however
//! long the incident: at most [`MAX_BLOCKS`] blocks, section text within
//! [`MAX_SECTION_CHARS`], header within [`MAX_HEADER_CHARS`]. The message holds the
//! summary, the facts, the stakeholders, the key events and the action plan, each
//! bounded, then as much of the timeline as room is left for; it always points to
//! the `.md` attachment, which has everything, and says what it left out.
//!
//! Lengths are counted in UTF-16 units, which is never less than the character count,
//! so the limits hold whichever way Slack counts. Mentions are rendered as plain
//! `@Name`, not `<@U…>`, so posting the draft doesn't ping everyone in the timeline.

mod clip;
mod lines;
mod sections;

#[cfg(test)]
mod tests;

use super::draft::{Draft, NOT_RECORDED};
use super::duration::format_duration;
use clip::{Clip, escape, mrkdwn};
use lines::{pack, timeline_line};
use serde_json::{Value, json};

pub const MAX_BLOCKS: usize = 50;
pub const MAX_SECTION_CHARS: usize = 3000;
pub const MAX_HEADER_CHARS: usize = 150;
pub const MAX_FALLBACK_CHARS: usize = 3000;

/// Past this much timeline the message stops being readable in a channel; the
/// attachment has the rest.
const MAX_TIMELINE_CHARS: usize = 12_000;
/// Key events get at most this much text, in at most [`MAX_KEY_SECTIONS`].
const MAX_KEY_EVENT_CHARS: usize = 6_000;
const MAX_KEY_SECTIONS: usize = 3;
/// A longer URL can't be cut without breaking it, so it is left out of the message.
const MAX_URL_CHARS: usize = 300;
const MAX_FILES_PER_LINE: usize = 3;
const TIMELINE_HEADING: &str = "*Incident timeline* (UTC)";
const KEY_EVENTS_HEADING: &str = "*Key events* (UTC)";

pub fn render_blocks(draft: &Draft) -> Vec<Value> {
    let file = escape(&draft.file_name);
    let mut blocks = sections::head(draft);

    let key: Vec<&_> = draft.key_events().collect();
    let key_lines = key.iter().enumerate().map(|(i, line)| {
        let new_day = i == 0 || key[i - 1].at.date_naive() != line.at.date_naive();
        timeline_line(line, new_day)
    });
    let (sections, shown) = if key.is_empty() {
        let none = format!("_{}_", escape(super::KEY_EVENTS_NOTE));
        pack(
            KEY_EVENTS_HEADING,
            std::iter::once(none),
            1,
            MAX_KEY_EVENT_CHARS,
        )
    } else {
        pack(
            KEY_EVENTS_HEADING,
            key_lines,
            MAX_KEY_SECTIONS,
            MAX_KEY_EVENT_CHARS,
        )
    };
    blocks.extend(sections);
    if shown < key.len() {
        blocks.push(note(&format!(
            "{} more key {} in the attached `{file}`.",
            key.len() - shown,
            if key.len() - shown == 1 {
                "event"
            } else {
                "events"
            },
        )));
    }
    blocks.push(clip::section(&sections::actions(draft)));
    if !draft.review.is_empty() {
        let n = draft.review.len();
        blocks.push(note(&format!(
            "The blameless review in `{file}` points at {n} {} that {} at people rather \
             than systems, each with a question to ask instead. Nobody's words were changed.",
            if n == 1 { "phrase" } else { "phrases" },
            if n == 1 { "looks" } else { "look" },
        )));
    }
    blocks.push(json!({ "type": "divider" }));

    // Two blocks stay free: the note about omitted entries, and the tail.
    let room = MAX_BLOCKS.saturating_sub(blocks.len() + 2);
    let (timeline, shown) = if draft.timeline.is_empty() {
        let empty = std::iter::once("No entries were recorded.".to_string());
        (pack(TIMELINE_HEADING, empty, room, MAX_TIMELINE_CHARS).0, 0)
    } else {
        let lines = draft
            .timeline
            .iter()
            .map(|l| timeline_line(l, l.starts_day));
        pack(TIMELINE_HEADING, lines, room, MAX_TIMELINE_CHARS)
    };
    blocks.extend(timeline);
    let omitted = draft.timeline.len() - shown;
    if omitted > 0 {
        blocks.push(note(&format!(
            "{omitted} more timeline {} not shown here. The full draft is in the attached `{file}`.",
            if omitted == 1 { "entry" } else { "entries" },
        )));
    }
    let to_write = if draft.actions.is_empty() {
        "*Root cause* and *action plan* are"
    } else {
        "*Root cause* is"
    };
    blocks.push(note(&format!(
        "Everything is in the attached `{file}`. {to_write} for the team to write there: \
         ask how our systems and processes allowed this, not who is at fault."
    )));
    blocks
}

/// Plain notification text for clients that can't show blocks.
pub fn fallback_text(draft: &Draft) -> String {
    let mut clip = Clip::new(MAX_FALLBACK_CHARS);
    clip.text(&draft.title);
    let duration = draft.impact.duration.map(format_duration);
    clip.text(&format!(
        " — {}, declared {}, lasted {}.",
        draft.impact.severity,
        draft.declared(),
        duration.as_deref().unwrap_or(NOT_RECORDED)
    ));
    clip.atom(" ");
    clip.text(&draft.summary.text.plain());
    clip.finish()
}

fn note(text: &str) -> Value {
    json!({ "type": "context", "elements": [mrkdwn(&clip::clip_section(text.to_string()))] })
}
