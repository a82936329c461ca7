//! Captured text made safe for the Markdown file, before any template sees it.
//!
//! Message text is kept as its authors wrote it (code, emphasis), but nothing they
//! wrote can change the file's structure: a block marker at the start of any line is
//! escaped, `&`, `<` and `>` become entities, and only web links are linked. Names,
//! labels and URLs that we insert are escaped inline. Templates receive only strings
//! made here, and render with auto-escaping off.

use crate::domain::FileRef;
use crate::postmortem::draft::{Line, LineChange};
use crate::postmortem::rich_text::{RichText, Span};
use chrono::Timelike;
use std::fmt::Write;

/// A paragraph of captured text, its first line included.
pub(super) fn paragraph(text: &RichText) -> String {
    let mut out = String::new();
    write_rich(&mut out, text, "", true);
    out
}

/// Captured text inside a list item: later lines continue at `indent`.
pub(super) fn in_item(text: &RichText, indent: &str) -> String {
    let mut out = String::new();
    write_rich(&mut out, text, indent, false);
    out.trim().to_string()
}

/// Captured text inside a table cell: one line, and a `|` cannot end the cell.
pub(super) fn cell(text: &RichText) -> String {
    let mut out = String::new();
    write_rich(&mut out, text, "", false);
    let one_line: Vec<&str> = out.split_whitespace().collect();
    one_line.join(" ").replace('|', "\\|")
}

/// One timeline entry as its list item (a reply nested under the message before it),
/// with the earlier versions of an edited message nested below; no final newline.
pub(super) fn timeline_line(out: &mut String, line: &Line) {
    // Replies nest under the message before them; their continuation lines indent deeper.
    let (bullet, indent) = if line.reply {
        ("  - ↳ ", "    ")
    } else {
        ("- ", "  ")
    };
    out.push_str(bullet);
    let _ = write!(out, "{:02}:{:02} ", line.at.hour(), line.at.minute());
    if line.system {
        out.push_str("_[system]_ ");
    }
    let _ = write!(out, "**{}**:", escape_inline(&line.author));

    let mut body = String::new();
    write_rich(&mut body, &line.text, indent, false);
    let body = body.trim();
    if !body.is_empty() {
        out.push(' ');
        if line.change == LineChange::Deleted {
            strike(out, body);
        } else {
            out.push_str(body);
        }
    }
    match &line.change {
        LineChange::Unchanged => {}
        LineChange::Deleted => out.push_str(" (deleted)"),
        LineChange::Edited { .. } => out.push_str(" (edited)"),
    }
    for file in &line.files {
        out.push(' ');
        write_file(out, file);
    }
    if let LineChange::Edited { earlier } = &line.change {
        out.push('\n');
        earlier_versions(out, earlier, indent);
        // The versions end with a newline; the caller adds its own.
        out.pop();
    }
}

/// Each earlier version of an edited message, as a list nested in its item: the
/// file is the record, so it keeps what the message said before.
fn earlier_versions(
    out: &mut String,
    earlier: &[(chrono::DateTime<chrono::Utc>, RichText)],
    indent: &str,
) {
    for (at, text) in earlier {
        let mut was = String::new();
        write_rich(&mut was, text, "", false);
        let _ = write!(out, "{indent}- _earlier, {}:_", at.format("%H:%M"));
        // One line each, so a version cannot break out of the list.
        for word in was.split_whitespace() {
            out.push(' ');
            out.push_str(word);
        }
        out.push('\n');
    }
}

/// Strikes each line separately: `~~` does not reach across line breaks everywhere.
fn strike(out: &mut String, body: &str) {
    for (i, part) in body.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let text = part.trim();
        let lead = &part[..part.len() - part.trim_start().len()];
        out.push_str(lead);
        if !text.is_empty() {
            out.push_str("~~");
            out.push_str(text);
            out.push_str("~~");
        }
    }
}

fn write_file(out: &mut String, file: &FileRef) {
    out.push_str("📎 ");
    let web = |u: &&String| {
        let lower = u.to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    };
    match file.permalink.as_ref().filter(web) {
        Some(url) => {
            let _ = write!(out, "[{}]({})", escape_inline(&file.name), safe_url(url));
        }
        None => out.push_str(&escape_inline(&file.name)),
    }
}

/// Writes rich text as Markdown; line breaks continue at `indent` so a multi-line
/// message stays inside its list item. The authors' inline formatting (code,
/// emphasis) is kept, but nothing they wrote can change the file's structure: every
/// line their text starts (the first too, when `starts_line`) has its block marker
/// escaped (a heading, a list or task item, a quote, a fence), and `&`, `<` and `>`
/// are written as entities, so decoded `&lt;img …&gt;` stays text, not HTML.
pub(super) fn write_rich(out: &mut String, text: &RichText, indent: &str, starts_line: bool) {
    let mut at_line_start = starts_line;
    for span in &text.0 {
        match span {
            Span::Text(t) => {
                for (i, part) in t.split('\n').enumerate() {
                    if i > 0 {
                        out.push('\n');
                        out.push_str(indent);
                        at_line_start = true;
                    }
                    write_text(out, part, at_line_start);
                    if !part.is_empty() {
                        at_line_start = false;
                    }
                }
            }
            Span::Mention(name) => {
                out.push('@');
                out.push_str(&escape_inline(name));
                at_line_start = false;
            }
            Span::Channel(name) => {
                out.push('#');
                out.push_str(&escape_inline(name));
                at_line_start = false;
            }
            Span::Link { url, label } => {
                match label {
                    Some(l) => {
                        let _ = write!(out, "[{}]({})", escape_inline(l), safe_url(url));
                    }
                    None => out.push_str(&safe_url(url)),
                }
                at_line_start = false;
            }
        }
    }
}

/// One line's worth of the authors' text: HTML-significant characters as entities,
/// and, at the start of a line, a block marker escaped.
fn write_text(out: &mut String, text: &str, at_line_start: bool) {
    let trimmed = text.trim_start();
    let lead = &text[..text.len() - trimmed.len()];
    let body = if at_line_start {
        out.push_str(lead);
        if let Some(marker) = block_marker(trimmed) {
            entities(out, &trimmed[..marker]);
            out.push('\\');
            &trimmed[marker..]
        } else {
            trimmed
        }
    } else {
        text
    };
    entities(out, body);
}

/// Where the character that would open a block sits, if the line starts one: `#`,
/// `>`, `-`, `+`, `*`, `=`, `|`, `` ` ``, `~`, or a number followed by `.` or `)`.
fn block_marker(line: &str) -> Option<usize> {
    let first = line.chars().next()?;
    if matches!(first, '#' | '>' | '-' | '+' | '*' | '=' | '|' | '`' | '~') {
        return Some(0);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    (digits > 0 && matches!(line.as_bytes().get(digits), Some(b'.' | b')'))).then_some(digits)
}

fn entities(out: &mut String, text: &str) {
    // Most text has none of the three: copy it whole.
    if !text.contains(['&', '<', '>']) {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// Backslash-escapes what would otherwise turn a name into emphasis or a link, and
/// writes `&`, `<` and `>` as entities, as [`write_rich`] does, so no text becomes HTML.
pub(super) fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' | '[' | ']' | '`' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes the few characters that would end a Markdown link destination early.
pub(super) fn safe_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c => out.push(c),
        }
    }
    out
}
