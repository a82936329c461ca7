//! Renders a [`Draft`] as a complete Markdown document (the `.md` attachment).
//!
//! Written into one growing `String`, so rendering stays linear in the size of the
//! timeline. Message text is kept as its authors wrote it (code, emphasis); only names,
//! labels and URLs that we insert are escaped.

use super::draft::{
    ACTION_PLAN_PROMPT, Draft, Line, LineChange, NOT_RECORDED, RESOLUTION_PROMPT,
    ROOT_CAUSE_PROMPT, SUMMARY_PROMPT,
};
use super::duration::{format_datetime, format_duration};
use super::rich_text::{RichText, Span};
use crate::domain::FileRef;
use std::fmt::Write;

pub fn render_markdown(draft: &Draft) -> String {
    // Rough guess at the final size so the buffer grows a handful of times, not per line.
    let mut out = String::with_capacity(4096 + draft.timeline.len() * 120);
    // `write!` into a `String` cannot fail, hence the ignored results below.
    let _ = writeln!(out, "# {}\n", escape_inline(&draft.title));
    let _ = writeln!(out, "**Date:** {}  ", draft.declared());
    let _ = writeln!(
        out,
        "**Incident:** #{} ({})\n",
        draft.incident_id, draft.status
    );

    section(&mut out, "Summary");
    paragraph_or_prompt(&mut out, draft.summary.as_ref(), SUMMARY_PROMPT);

    section(&mut out, "Stakeholders");
    if draft.stakeholders.is_empty() {
        out.push_str("_Nobody recorded._\n");
    }
    for s in &draft.stakeholders {
        let _ = writeln!(out, "- {}", escape_inline(&s.label()));
    }
    out.push('\n');

    section(&mut out, "Incident timeline");
    timeline(&mut out, &draft.timeline);

    section(&mut out, "Impact");
    let impact = &draft.impact;
    let _ = writeln!(out, "- **Severity:** {}", impact.severity);
    let service = impact.service.as_deref().unwrap_or(NOT_RECORDED);
    let _ = writeln!(out, "- **Service affected:** {}", escape_inline(service));
    let _ = writeln!(out, "- **Start:** {}", format_datetime(impact.start));
    let _ = writeln!(
        out,
        "- **End:** {}",
        or_not_recorded(impact.end.map(format_datetime))
    );
    let duration = impact.duration.map(format_duration);
    let _ = writeln!(out, "- **Duration:** {}\n", or_not_recorded(duration));

    section(&mut out, "Response metrics");
    out.push_str("Measured from the declaration unless noted.\n\n");
    for m in &draft.metrics {
        match (m.elapsed, m.at) {
            (Some(elapsed), Some(at)) => {
                let (took, when) = (format_duration(elapsed), format_datetime(at));
                let _ = writeln!(out, "- **{}:** {took} (at {when})", m.label);
            }
            _ => {
                let _ = writeln!(out, "- **{}:** {NOT_RECORDED}", m.label);
            }
        }
    }
    out.push('\n');

    section(&mut out, "Resolution");
    paragraph_or_prompt(&mut out, draft.resolution.as_ref(), RESOLUTION_PROMPT);

    section(&mut out, "Root cause");
    let _ = writeln!(out, "_{ROOT_CAUSE_PROMPT}_\n");

    section(&mut out, "Action plan");
    let _ = writeln!(out, "_{ACTION_PLAN_PROMPT}_\n");
    out.push_str("| Done | Action | Owner | Due |\n|---|---|---|---|\n| [ ] |  |  |  |\n");
    out
}

fn section(out: &mut String, name: &str) {
    let _ = writeln!(out, "## {name}\n");
}

fn paragraph_or_prompt(out: &mut String, text: Option<&RichText>, prompt: &str) {
    match text {
        Some(t) => write_rich(out, t, "", true),
        None => {
            let _ = write!(out, "_{prompt}_");
        }
    }
    out.push_str("\n\n");
}

fn or_not_recorded(value: Option<String>) -> String {
    value.unwrap_or_else(|| NOT_RECORDED.to_string())
}

fn timeline(out: &mut String, lines: &[Line]) {
    if lines.is_empty() {
        out.push_str("_No entries were recorded._\n\n");
        return;
    }
    out.push_str("All times UTC. Thread replies are marked ↳.\n");
    let mut body = String::new();
    for line in lines {
        if line.starts_day {
            let _ = writeln!(out, "\n**{}**\n", line.at.format("%Y-%m-%d"));
        }
        // Replies nest under the message before them; their continuation lines indent deeper.
        let (bullet, indent) = if line.reply {
            ("  - ↳ ", "    ")
        } else {
            ("- ", "  ")
        };
        out.push_str(bullet);
        let _ = write!(out, "{} ", line.at.format("%H:%M"));
        if line.system {
            out.push_str("_[system]_ ");
        }
        let _ = write!(out, "**{}**:", escape_inline(&line.author));

        body.clear();
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
        out.push('\n');
        if let LineChange::Edited { earlier } = &line.change {
            earlier_versions(out, earlier, indent);
        }
    }
    out.push('\n');
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
fn write_rich(out: &mut String, text: &RichText, indent: &str, starts_line: bool) {
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
            out.push_str(&entities(&trimmed[..marker]));
            out.push('\\');
            &trimmed[marker..]
        } else {
            trimmed
        }
    } else {
        text
    };
    out.push_str(&entities(body));
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

fn entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Backslash-escapes what would otherwise turn a name into emphasis, a link or HTML.
fn escape_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`' | '|' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Percent-encodes the few characters that would end a Markdown link destination early.
fn safe_url(url: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FileRef, Incident, Person, Severity, Status, TimelineEntry};
    use crate::postmortem::build;
    use chrono::{DateTime, TimeZone, Utc};
    use std::collections::HashMap;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 3, d, h, m, 0).unwrap()
    }

    fn incident() -> Incident {
        Incident {
            id: 42,
            title: "Checkout down".into(),
            severity: Severity::SEV1,
            status: Status::Closed,
            service: Some("checkout".into()),
            summary: Some("Payments failed &amp; retried".into()),
            lead: None,
            comms: None,
            scribe: None,
            declared_by: "U1".into(),
            declared_at: at(9, 9, 15),
            identified_at: None,
            mitigated_at: None,
            resolved_at: Some(at(9, 10, 0)),
            closed_at: Some(at(9, 10, 30)),
            resolution: None,
            channel_id: None,
            channel_name: None,
        }
    }

    fn msg(at: DateTime<Utc>, author: &str, text: &str) -> TimelineEntry {
        TimelineEntry::message(
            42,
            at,
            Some(author.into()),
            text.into(),
            format!("{}.000100", at.timestamp()),
        )
    }

    fn people() -> HashMap<String, Person> {
        let p = Person {
            user_id: "U1".into(),
            name: "Susan Vega".into(),
            title: Some("Customer Support".into()),
            kind: crate::domain::PersonKind::Human,
        };
        HashMap::from([("U1".to_string(), p)])
    }

    fn render(entries: &[TimelineEntry]) -> String {
        render_markdown(&build(&incident(), entries, &people()))
    }

    #[test]
    fn message_text_cannot_open_headings_tasks_quotes_or_raw_html_in_the_file() {
        let hostile = "look:\n# Heading\n- [ ] task\n> quoted\n1. listed\n```\n&lt;img src=x onerror=alert(1)&gt;";
        let mut with_file = msg(at(9, 9, 21), "U1", "evidence");
        with_file.files.push(FileRef {
            id: "F1".into(),
            name: "trap.html".into(),
            permalink: Some("javascript:alert(1)".into()),
        });
        let mut inc = incident();
        inc.summary = Some("# Summary heading\n- [ ] a task".into());
        let md = render_markdown(&build(
            &inc,
            &[msg(at(9, 9, 20), "U1", hostile), with_file],
            &people(),
        ));
        for line in md.lines() {
            let body = line.trim_start();
            let ours = ["# Postmortem:", "## ", "- ", "  - _earlier", "| "];
            if ours.iter().any(|o| line.starts_with(o)) && !line.contains("[ ] task") {
                continue;
            }
            assert!(
                !(body.starts_with('#')
                    || body.starts_with("- [ ]")
                    || body.starts_with('>')
                    || body.starts_with("```")
                    || body.starts_with("1.")),
                "message text opened a block: {line:?}\n{md}"
            );
        }
        assert!(!md.contains("<img"), "raw HTML in the file:\n{md}");
        assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
        assert!(!md.contains("](javascript:"), "a script link:\n{md}");
        assert!(
            md.contains("\\# Heading"),
            "the words are kept, escaped:\n{md}"
        );
    }

    #[test]
    fn the_document_has_every_section_of_the_template_in_order() {
        let md = render(&[msg(at(9, 9, 15), "U1", "hi")]);
        let headings = [
            "# Postmortem: Checkout down",
            "**Date:** 2021-03-09 09:15 UTC",
            "## Summary",
            "## Stakeholders",
            "## Incident timeline",
            "## Impact",
            "## Response metrics",
            "## Resolution",
            "## Root cause",
            "## Action plan",
            "| Done | Action | Owner | Due |",
        ];
        let mut from = 0;
        for h in headings {
            let pos = md[from..]
                .find(h)
                .unwrap_or_else(|| panic!("{h} missing:\n{md}"));
            from += pos + h.len();
        }
        // `&` as an entity: what a Markdown viewer shows as `&`.
        assert!(md.contains("Payments failed &amp; retried"), "{md}");
        assert!(md.contains("- **Duration:** 1h 15m"), "{md}");
        assert!(
            md.contains("- **Time to identified:** not recorded"),
            "{md}"
        );
        assert!(
            md.contains("- **Time to resolved:** 45m (at 2021-03-09 10:00 UTC)"),
            "{md}"
        );
        assert!(md.contains(RESOLUTION_PROMPT));
    }

    #[test]
    fn mentions_links_and_channels_become_markdown() {
        let md = render(&[msg(
            at(9, 9, 20),
            "U1",
            "<@U1> see <https://g/x?a=1&amp;b=2|graph> and <https://y> in <#C1|ops> &lt;3",
        )]);
        assert!(
            md.contains("@Susan Vega see [graph](https://g/x?a=1&b=2) and https://y in #ops &lt;3"),
            "{md}"
        );
    }

    #[test]
    fn edits_deletions_files_threads_and_system_events_are_all_visible() {
        let mut edited = msg(at(9, 9, 20), "U1", "fixed text");
        edited.previous_text = Some("fxied text".into());
        edited.edited_at = Some(at(9, 9, 21));
        let mut deleted = msg(at(9, 9, 22), "U1", "oops\nsecond line");
        deleted.deleted_at = Some(at(9, 9, 23));
        let mut file = msg(at(9, 9, 24), "U9", "");
        file.files.push(FileRef {
            id: "F1".into(),
            name: "app log.txt".into(),
            permalink: Some("https://files/F1".into()),
        });
        let mut reply = msg(at(9, 9, 25), "U1", "in thread");
        reply.thread_ts = edited.ts.clone();
        let system = TimelineEntry::system(42, at(9, 9, 26), "status", None, "Status x".into());
        let md = render(&[system, reply, file, deleted, edited]);

        assert!(
            md.contains(
                "- 09:20 **Susan Vega**: fixed text (edited)\n  - _earlier, 09:20:_ fxied text\n"
            ),
            "{md}"
        );
        assert!(md.contains("- 09:22 **Susan Vega**: ~~oops~~\n  ~~second line~~ (deleted)"));
        assert!(
            md.contains("- 09:24 **U9**: 📎 [app log.txt](https://files/F1)"),
            "{md}"
        );
        assert!(md.contains("  - ↳ 09:25 **Susan Vega**: in thread"), "{md}");
        assert!(
            md.contains("- 09:26 _[system]_ **Warroom**: Status x"),
            "{md}"
        );
    }

    #[test]
    fn a_timeline_crossing_midnight_shows_each_new_date() {
        let md = render(&[
            msg(at(9, 23, 55), "U1", "late"),
            msg(at(10, 0, 5), "U1", "early"),
        ]);
        let first = md.find("**2021-03-09**").expect("first day");
        let second = md.find("**2021-03-10**").expect("second day");
        assert!(first < md.find("23:55").unwrap());
        assert!(second < md.find("00:05 **Susan Vega**: early").unwrap());
    }

    #[test]
    fn unknown_users_show_their_raw_id() {
        let md = render(&[msg(at(9, 9, 20), "U404", "who <@U405>")]);
        assert!(md.contains("- U404\n"), "{md}");
        assert!(md.contains("**U404**: who @U405"), "{md}");
    }

    #[test]
    fn names_we_insert_cannot_inject_markdown() {
        let mut p = people();
        p.insert(
            "U2".into(),
            Person {
                user_id: "U2".into(),
                name: "*bold* [x](y)".into(),
                title: None,
                kind: crate::domain::PersonKind::Human,
            },
        );
        let md = render_markdown(&build(&incident(), &[msg(at(9, 9, 20), "U2", "t")], &p));
        assert!(md.contains(r"**\*bold\* \[x\](y)**: t"), "{md}");
    }
}
