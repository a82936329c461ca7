//! Lines of the message: timeline entries (and key events, which are entries too)
//! and the packing of lines into sections within the limits.

use super::clip::{Clip, clip_section_to, clipped_text, escape_url, section, slack_len};
use super::{MAX_FILES_PER_LINE, MAX_SECTION_CHARS, MAX_URL_CHARS};
use crate::postmortem::draft::{Line, LineChange};
use serde_json::Value;

const MAX_BODY_CHARS: usize = 400;
pub(super) const MAX_NAME_CHARS: usize = 80;
/// Every part of a line is capped, so a line stays well under a section's limit and
/// any line can start a new section.
const MAX_LINE_CHARS: usize = 2000;

/// Packs `lines` under `heading` into at most `room` sections and `max_chars` in all.
/// Returns them and how many lines they hold. Stops at the first line that doesn't
/// fit, so what is shown is always the start, in order.
pub(super) fn pack(
    heading: &str,
    lines: impl Iterator<Item = String>,
    room: usize,
    max_chars: usize,
) -> (Vec<Value>, usize) {
    if room == 0 {
        return (Vec::new(), 0);
    }
    let mut sections = Vec::new();
    let mut chunk = String::from(heading);
    let mut total = 0;
    let mut shown = 0;
    for text in lines {
        let len = slack_len(&text);
        if total + len > max_chars {
            break;
        }
        if slack_len(&chunk) + 1 + len > MAX_SECTION_CHARS {
            if sections.len() + 1 >= room {
                break;
            }
            sections.push(section(&chunk));
            chunk.clear();
        } else if !chunk.is_empty() {
            chunk.push('\n');
        }
        chunk.push_str(&text);
        total += len;
        shown += 1;
    }
    if !chunk.is_empty() {
        sections.push(section(&chunk));
    }
    (sections, shown)
}

/// One line as the message shows it; `show_day` puts its date on a line before it.
pub(super) fn timeline_line(line: &Line, show_day: bool) -> String {
    let mut out = String::new();
    if show_day {
        out.push_str(&format!("*{}*\n", line.at.format("%Y-%m-%d")));
    }
    if line.reply {
        out.push_str("      ↳ ");
    }
    out.push_str(&format!("`{}` ", line.at.format("%H:%M")));
    if line.system {
        out.push_str("_[system]_ ");
    }
    out.push_str(&format!(
        "*{}*:",
        clipped_text(&line.author, MAX_NAME_CHARS)
    ));

    let mut body = Clip::new(MAX_BODY_CHARS);
    if line.change == LineChange::Deleted {
        // Strike-through can't span lines in Slack, so a deleted message is shown on one.
        body.text(
            &line
                .text
                .plain()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        );
    } else {
        body.rich(&line.text);
    }
    let body = body.finish();
    if !body.trim().is_empty() {
        out.push(' ');
        match line.change {
            LineChange::Deleted => out.push_str(&format!("~{}~", body.trim())),
            _ => out.push_str(&body),
        }
    }
    match &line.change {
        LineChange::Unchanged => {}
        LineChange::Deleted => out.push_str(" _(deleted)_"),
        // The message shows where things ended; earlier versions are in the file.
        LineChange::Edited { .. } => out.push_str(" _(edited)_"),
    }
    for file in line.files.iter().take(MAX_FILES_PER_LINE) {
        let name = clipped_text(&file.name, MAX_NAME_CHARS);
        let web = |u: &&String| {
            let lower = u.to_ascii_lowercase();
            lower.starts_with("https://") || lower.starts_with("http://")
        };
        match file.permalink.as_ref().filter(web) {
            Some(url) if slack_len(url) <= MAX_URL_CHARS => {
                out.push_str(&format!(" 📎 <{}|{name}>", escape_url(url)));
            }
            _ => out.push_str(&format!(" 📎 {name}")),
        }
    }
    if line.files.len() > MAX_FILES_PER_LINE {
        let more = line.files.len() - MAX_FILES_PER_LINE;
        out.push_str(&format!(" (+{more} more files)"));
    }
    clip_section_to(out, MAX_LINE_CHARS)
}
