//! Renders a [`Draft`] as a Slack Block Kit message that Slack will accept: at most
//! [`MAX_BLOCKS`] blocks, section text within [`MAX_SECTION_CHARS`], header within
//! [`MAX_HEADER_CHARS`]. The timeline gets what room is left; the full draft always
//! travels as the `.md` attachment, and the message says so when entries are cut.
//!
//! Lengths are counted in UTF-16 units, which is never less than the character count,
//! so the limits hold whichever way Slack counts. Mentions are rendered as plain
//! `@Name`, not `<@U…>`, so posting the draft doesn't ping everyone in the timeline.

use super::draft::{Draft, Line, LineChange, NOT_RECORDED, RESOLUTION_PROMPT, SUMMARY_PROMPT};
use super::duration::{format_datetime, format_duration};
use super::rich_text::{RichText, Span};
use serde_json::{Value, json};

pub const MAX_BLOCKS: usize = 50;
pub const MAX_SECTION_CHARS: usize = 3000;
pub const MAX_HEADER_CHARS: usize = 150;
pub const MAX_FALLBACK_CHARS: usize = 3000;

/// Past this much timeline the message stops being readable in a channel; the
/// attachment has the rest.
const MAX_TIMELINE_CHARS: usize = 12_000;
const MAX_BODY_CHARS: usize = 400;
const MAX_NAME_CHARS: usize = 80;
/// A longer URL can't be cut without breaking it, so it is left out of the message.
const MAX_URL_CHARS: usize = 300;
const MAX_FILES_PER_LINE: usize = 3;
/// Every part of a line is capped above, so a line stays well under a section's limit
/// and any line can start a new section.
const MAX_LINE_CHARS: usize = 2000;
const TIMELINE_HEADING: &str = "*Incident timeline* (UTC)";

pub fn render_blocks(draft: &Draft) -> Vec<Value> {
    let mut blocks = head(draft);
    let tail = json!({
        "type": "context",
        "elements": [mrkdwn(&format!(
            "*Root cause* and *action plan* are for the team to write in `{}`: \
             ask how our systems and processes allowed this, not who is at fault.",
            escape(&draft.file_name)
        ))],
    });
    // One block stays free for the note about omitted entries.
    let room = MAX_BLOCKS.saturating_sub(blocks.len() + 2);
    let (timeline, shown) = timeline_sections(&draft.timeline, room);
    blocks.extend(timeline);
    let omitted = draft.timeline.len() - shown;
    if omitted > 0 {
        let note = format!(
            "{omitted} more timeline {} not shown here. The full draft is in the attached `{}`.",
            if omitted == 1 { "entry" } else { "entries" },
            escape(&draft.file_name)
        );
        blocks.push(json!({ "type": "context", "elements": [mrkdwn(&note)] }));
    }
    blocks.push(tail);
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
    if let Some(summary) = &draft.summary {
        clip.atom(" ");
        clip.text(&summary.plain());
    }
    clip.finish()
}

fn head(draft: &Draft) -> Vec<Value> {
    // plain_text: no escaping, cut anywhere.
    let mut header = Clip::new(MAX_HEADER_CHARS);
    header.atom_chars(&draft.title);
    let context = format!(
        "Declared {} · {} · incident #{} · {}",
        draft.declared(),
        draft.impact.severity,
        draft.incident_id,
        draft.status
    );
    let impact = &draft.impact;
    let service = impact.service.as_deref().unwrap_or(NOT_RECORDED);
    let end = impact.end.map(format_datetime);
    let duration = impact.duration.map(format_duration);
    let mut impact_text = format!(
        "*Impact*\n• Severity: {}\n• Service affected: {}\n• Start: {}\n• End: {}\n• Duration: {}",
        impact.severity,
        clipped_text(service, MAX_NAME_CHARS),
        format_datetime(impact.start),
        end.as_deref().unwrap_or(NOT_RECORDED),
        duration.as_deref().unwrap_or(NOT_RECORDED),
    );
    impact_text.push_str("\n\n*Response metrics* (from the declaration)");
    for m in &draft.metrics {
        let took = m.elapsed.map(format_duration);
        let label = clipped_text(&m.label, MAX_NAME_CHARS);
        impact_text.push_str(&format!(
            "\n• {label}: {}",
            took.as_deref().unwrap_or(NOT_RECORDED)
        ));
    }

    vec![
        json!({
            "type": "header",
            "text": { "type": "plain_text", "text": header.finish(), "emoji": true },
        }),
        json!({ "type": "context", "elements": [mrkdwn(&escape(&context))] }),
        section(&titled_rich(
            "Summary",
            draft.summary.as_ref(),
            SUMMARY_PROMPT,
        )),
        section(&clip_section(impact_text)),
        section(&titled_rich(
            "Resolution",
            draft.resolution.as_ref(),
            RESOLUTION_PROMPT,
        )),
        section(&stakeholders(draft)),
        json!({ "type": "divider" }),
    ]
}

fn titled_rich(title: &str, text: Option<&RichText>, prompt: &str) -> String {
    let heading = format!("*{title}*\n");
    let mut clip = Clip::new(MAX_SECTION_CHARS - slack_len(&heading));
    match text {
        Some(t) => clip.rich(t),
        None => {
            clip.atom("_");
            clip.text(prompt);
            clip.atom("_");
        }
    }
    heading + &clip.finish()
}

fn stakeholders(draft: &Draft) -> String {
    let mut out = String::from("*Stakeholders*");
    if draft.stakeholders.is_empty() {
        out.push_str("\nNobody recorded.");
    }
    // Room for the "and N more" line that may follow.
    let limit = MAX_SECTION_CHARS - 40;
    for (i, s) in draft.stakeholders.iter().enumerate() {
        let line = format!("\n• {}", clipped_text(&s.label(), 2 * MAX_NAME_CHARS));
        if slack_len(&out) + slack_len(&line) > limit {
            out.push_str(&format!("\n…and {} more", draft.stakeholders.len() - i));
            break;
        }
        out.push_str(&line);
    }
    out
}

/// Packs timeline lines into at most `room` sections. Returns them and how many
/// lines they hold. Stops at the first line that doesn't fit, so what is shown is
/// always the start of the timeline, in order.
fn timeline_sections(lines: &[Line], room: usize) -> (Vec<Value>, usize) {
    if room == 0 {
        return (Vec::new(), 0);
    }
    let mut sections = Vec::new();
    let mut chunk = String::from(TIMELINE_HEADING);
    let mut total = 0;
    let mut shown = 0;
    if lines.is_empty() {
        chunk.push_str("\nNo entries were recorded.");
    }
    for line in lines {
        let text = timeline_line(line);
        let len = slack_len(&text);
        if total + len > MAX_TIMELINE_CHARS {
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

fn timeline_line(line: &Line) -> String {
    let mut out = String::new();
    if line.starts_day {
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

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": mrkdwn(text) })
}

fn mrkdwn(text: &str) -> Value {
    json!({ "type": "mrkdwn", "text": text })
}

/// Last-resort guard: every caller already bounds its parts, but a section over the
/// limit would make Slack reject the whole message.
fn clip_section(text: String) -> String {
    clip_section_to(text, MAX_SECTION_CHARS)
}

fn clip_section_to(text: String, max: usize) -> String {
    if slack_len(&text) <= max {
        return text;
    }
    let mut clip = Clip::new(max);
    clip.atom_chars(&text);
    clip.finish()
}

fn clipped_text(s: &str, max: usize) -> String {
    let mut clip = Clip::new(max);
    clip.text(s);
    clip.finish()
}

fn slack_len(s: &str) -> usize {
    s.encode_utf16().count()
}

fn escape(s: &str) -> String {
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
fn escape_url(url: &str) -> String {
    escape(url).replace('|', "%7C")
}

/// Builds mrkdwn up to a length, cutting only between escapes and whole links so the
/// result never holds half an entity or a broken `<url|label>`; ends in `…` if cut.
struct Clip {
    out: String,
    left: usize,
    cut: bool,
}

impl Clip {
    fn new(max: usize) -> Self {
        Clip {
            out: String::new(),
            // One unit is kept back for the ellipsis.
            left: max.saturating_sub(1),
            cut: false,
        }
    }

    /// Adds `s` whole, or nothing and stops.
    fn atom(&mut self, s: &str) {
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
    fn atom_chars(&mut self, s: &str) {
        let mut buf = [0u8; 4];
        for c in s.chars() {
            self.atom(c.encode_utf8(&mut buf));
            if self.cut {
                return;
            }
        }
    }

    /// Adds plain text, escaped, as far as it fits.
    fn text(&mut self, s: &str) {
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

    fn rich(&mut self, text: &RichText) {
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

    fn finish(mut self) -> String {
        if self.cut {
            self.out.push('…');
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FileRef, Incident, Person, Severity, Status, TimelineEntry};
    use crate::postmortem::build;
    use chrono::{DateTime, TimeDelta, TimeZone, Utc};
    use std::collections::HashMap;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 3, 9, 9, 15, 0).unwrap()
    }

    fn incident(title: &str) -> Incident {
        Incident {
            id: 42,
            title: title.into(),
            severity: Severity::SEV1,
            status: Status::Closed,
            service: Some("checkout".into()),
            summary: Some("Payments & refunds failed".into()),
            lead: None,
            comms: None,
            scribe: None,
            declared_by: "U1".into(),
            declared_at: t0(),
            identified_at: None,
            mitigated_at: None,
            resolved_at: None,
            closed_at: Some(t0() + TimeDelta::minutes(75)),
            resolution: Some("Rolled back".into()),
            channel_id: None,
            channel_name: None,
        }
    }

    fn msg(i: i64, text: &str) -> TimelineEntry {
        let at = t0() + TimeDelta::seconds(i);
        let ts = format!("{}.{:06}", at.timestamp(), i % 1_000_000);
        TimelineEntry::message(42, at, Some(format!("U{}", i % 7)), text.into(), ts)
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

    fn texts(blocks: &[Value], kind: &str) -> Vec<String> {
        blocks
            .iter()
            .filter(|b| b["type"] == kind)
            .map(|b| match kind {
                "context" => b["elements"][0]["text"].as_str().unwrap().to_string(),
                _ => b["text"]["text"].as_str().unwrap().to_string(),
            })
            .collect()
    }

    fn assert_within_limits(blocks: &[Value]) {
        assert!(blocks.len() <= MAX_BLOCKS, "{} blocks", blocks.len());
        for t in texts(blocks, "section")
            .iter()
            .chain(&texts(blocks, "context"))
        {
            assert!(
                !t.is_empty() && slack_len(t) <= MAX_SECTION_CHARS,
                "{}",
                t.len()
            );
        }
        for t in texts(blocks, "header") {
            assert!(slack_len(&t) <= MAX_HEADER_CHARS);
        }
    }

    #[test]
    fn a_small_incident_fits_whole_with_every_summary_section() {
        let entries: Vec<_> = (0..26)
            .map(|i| msg(i, "<@U1> checking &amp; fixing"))
            .collect();
        let blocks = render_blocks(&build(&incident("Checkout down"), &entries, &people()));
        assert_within_limits(&blocks);
        assert_eq!(texts(&blocks, "header"), ["Postmortem: Checkout down"]);
        let all = texts(&blocks, "section").join("\n");
        for part in [
            "*Summary*\nPayments &amp; refunds failed",
            "• Duration: 1h 15m",
            "*Response metrics*",
            "*Resolution*\nRolled back",
            "• Susan Vega — Customer Support",
            "`09:15` *Susan Vega*: @Susan Vega checking &amp; fixing",
        ] {
            assert!(all.contains(part), "{part} missing in\n{all}");
        }
        assert!(!all.contains("**"), "Slack bold is a single star");
        assert!(
            !texts(&blocks, "context")
                .iter()
                .any(|c| c.contains("not shown"))
        );
    }

    #[test]
    fn ten_thousand_entries_stay_within_block_kit_limits_and_say_how_many_are_omitted() {
        let entries: Vec<_> = (0..10_000).map(|i| msg(i, "status update")).collect();
        let draft = build(&incident("Checkout down"), &entries, &people());
        let blocks = render_blocks(&draft);
        assert_within_limits(&blocks);
        let shown = texts(&blocks, "section")
            .join("\n")
            .matches("status update")
            .count();
        let note = texts(&blocks, "context")
            .into_iter()
            .find(|c| c.contains("not shown"))
            .expect("omission note");
        assert!(shown > 0);
        assert!(
            note.starts_with(&format!("{} more timeline entries", 10_000 - shown)),
            "{note}"
        );
        assert!(
            note.contains("postmortem-inc-42-checkout-down.md"),
            "{note}"
        );
    }

    #[test]
    fn a_forty_thousand_character_message_is_cut_not_rejected() {
        let huge = "💥 <@U1> &amp; <https://example.com|link> ".repeat(1_000);
        assert!(huge.chars().count() >= 40_000);
        let mut entries = vec![msg(0, &huge), msg(1, "after")];
        entries[0].files = (0..10)
            .map(|i| FileRef {
                id: format!("F{i}"),
                name: "x".repeat(5_000),
                permalink: Some(format!("https://f/{}", "y".repeat(5_000))),
            })
            .collect();
        let mut inc = incident(&"Long title ".repeat(40));
        inc.summary = Some(huge.clone());
        inc.resolution = Some(huge);
        let blocks = render_blocks(&build(&inc, &entries, &people()));
        assert_within_limits(&blocks);
        let header = &texts(&blocks, "header")[0];
        assert!(header.starts_with("Postmortem: Long title Long") && header.ends_with('…'));
        let all = texts(&blocks, "section").join("\n");
        assert!(all.contains("…") && all.contains("after"), "{all}");
        // Cut between whole links and escapes, never inside one.
        assert!(!all.contains("&am…") && !all.contains("<https://example.com…"));
    }

    #[test]
    fn the_timeline_never_takes_more_sections_than_it_is_given() {
        let long = "word ".repeat(300);
        let entries: Vec<_> = (0..100).map(|i| msg(i, &long)).collect();
        let draft = build(&incident("x"), &entries, &people());
        let (sections, shown) = timeline_sections(&draft.timeline, 3);
        assert_eq!(sections.len(), 3);
        assert!(shown > 0 && shown < 100);
        assert_eq!(timeline_sections(&draft.timeline, 0), (Vec::new(), 0));
    }

    #[test]
    fn fallback_text_is_short_plain_and_escaped() {
        let mut inc = incident("Checkout &lt;down&gt;");
        inc.summary = Some("x".repeat(10_000));
        let text = fallback_text(&build(&inc, &[], &people()));
        assert!(text.starts_with("Postmortem: Checkout &lt;down&gt; — SEV1, declared"));
        assert!(slack_len(&text) <= MAX_FALLBACK_CHARS);
    }

    #[test]
    fn mentions_are_names_not_pings_and_replies_edits_and_deletions_are_marked() {
        let mut reply = msg(1, "reply <@U1>");
        reply.thread_ts = Some("1.000000".into());
        let mut edited = msg(2, "new");
        edited.previous_text = Some("zqx-earlier-text".into());
        let mut deleted = msg(3, "gone\nfor good");
        deleted.deleted_at = Some(t0());
        let blocks = render_blocks(&build(&incident("x"), &[reply, edited, deleted], &people()));
        let all = texts(&blocks, "section").join("\n");
        assert!(!all.contains("<@U1>"));
        assert!(
            all.contains("      ↳ `09:15` *Susan Vega*: reply @Susan Vega"),
            "{all}"
        );
        assert!(all.contains(": new _(edited)_"), "{all}");
        assert!(
            !all.contains("zqx-earlier-text"),
            "earlier versions stay in the file: {all}"
        );
        assert!(all.contains(": ~gone for good~ _(deleted)_"), "{all}");
    }
}
