//! The report as a Markdown file, as `warroom report` prints it: a summary line, then
//! per incident its times, pages (a table), escalation, key events, resolution and
//! open action items. Every text that came from Slack or an alert is escaped, so a
//! title or a message cannot add a heading, a table column or HTML; times are UTC
//! and say so.

use super::format::{one_line, utc};
use super::model::{EventReport, IncidentReport, OncallReport, PageReport, Totals};
use std::fmt::Write;

pub fn render(report: &OncallReport) -> String {
    let mut out = format!(
        "# On-call report: {} to {}\n\n",
        utc(report.since),
        utc(report.until)
    );
    let _ = writeln!(out, "{}\n", summary(&report.totals));
    let _ = writeln!(
        out,
        "Read from Warroom's records at {}. All times are UTC; the window includes its start, not its end.",
        utc(report.generated_at)
    );
    for incident in &report.incidents {
        out.push('\n');
        write_incident(&mut out, incident);
    }
    out
}

/// `2 incidents (1 declared in this window, …); 3 pages sent in it, 1 acknowledged.`
pub fn summary(t: &Totals) -> String {
    if t.incidents == 0 {
        return "No incidents and no pages in this window.".to_string();
    }
    format!(
        "{} ({} declared in this window, {} resolved in it, {} still open at its end); {} sent in it, {} acknowledged.",
        plural(t.incidents, "incident"),
        t.declared,
        t.resolved,
        t.open_at_end,
        plural(t.pages, "page"),
        t.pages_acked
    )
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn write_incident(out: &mut String, i: &IncidentReport) {
    let _ = writeln!(
        out,
        "## #{} {}{} ({}, {})\n",
        i.id,
        if i.drill { "DRILL: " } else { "" },
        md(&i.title),
        i.severity,
        i.status
    );
    if let Some(service) = &i.service {
        let _ = writeln!(out, "- **Service:** {}", md(service));
    }
    if let Some(room) = &i.war_room {
        let _ = writeln!(out, "- **War room:** #{}", md(room));
    }
    let _ = writeln!(
        out,
        "- **Declared:** {} by {}",
        utc(i.declared_at),
        md(&i.declared_by.name)
    );
    if let Some(c) = &i.commander {
        let _ = writeln!(out, "- **Commander:** {}", md(&c.name));
    }
    match &i.first_ack {
        Some(a) => {
            let _ = writeln!(
                out,
                "- **First acknowledged:** {} by {}, {} after the declaration",
                utc(a.at),
                md(&a.by.name),
                a.after_declared.text
            );
        }
        None if i.pages.is_empty() => {}
        None => out.push_str("- **First acknowledged:** no acknowledgement recorded\n"),
    }
    match (i.resolved_at, &i.time_to_resolve) {
        (Some(at), Some(ttr)) => {
            let _ = writeln!(
                out,
                "- **Resolved:** {}, {} after the declaration",
                utc(at),
                ttr.text
            );
        }
        // Closed without a resolve (an import, or a close straight from open): the
        // time it was resolved is not known, which is not the same as "not yet".
        _ if i.closed_at.is_some() => out.push_str("- **Resolved:** not recorded\n"),
        _ => out.push_str("- **Resolved:** not yet\n"),
    }
    if let Some(at) = i.closed_at {
        let _ = writeln!(out, "- **Closed:** {}", utc(at));
    }
    match &i.resolution {
        Some(r) => {
            let _ = writeln!(out, "- **Resolution:** {}", md(r));
        }
        None => out.push_str("- **Resolution:** not recorded\n"),
    }
    write_pages(out, &i.pages);
    write_events(out, "Escalation", &i.escalations);
    write_events(out, "Key events", &i.key_events);
    if !i.open_actions.is_empty() {
        out.push_str("\n### Open action items\n\n");
        for a in &i.open_actions {
            let owner = a.owner.as_ref().map_or_else(
                || "no owner".to_string(),
                |o| format!("owner {}", md(&o.name)),
            );
            let due = match (a.due, a.overdue) {
                (Some(d), true) => format!(", due {d}, overdue"),
                (Some(d), false) => format!(", due {d}"),
                (None, _) => ", no due date".to_string(),
            };
            let issue = a
                .issue_url
                .as_deref()
                .filter(|u| is_plain_web_link(u))
                .map(|u| format!(", issue <{u}>"))
                .unwrap_or_default();
            let _ = writeln!(out, "- {}. {} ({owner}{due}{issue})", a.seq, md(&a.text));
        }
    }
}

fn write_pages(out: &mut String, pages: &[PageReport]) {
    out.push_str("\n### Pages\n\n");
    if pages.is_empty() {
        out.push_str("No pages were sent.\n");
        return;
    }
    out.push_str("| Paged | Who | Level | Acknowledged | By | After | Via |\n");
    out.push_str("|---|---|---|---|---|---|---|\n");
    for p in pages {
        let when = if p.in_window {
            utc(p.paged_at)
        } else {
            format!("{} (outside this window)", utc(p.paged_at))
        };
        let who = match &p.team {
            Some(team) => format!("{} ({})", md(&p.person.name), md(team)),
            None => md(&p.person.name),
        };
        let level = match (p.level, &p.paged_by) {
            (Some(l), _) => l.to_string(),
            (None, Some(by)) => format!("by hand, by {}", md(&by.name)),
            (None, None) => "by hand".to_string(),
        };
        let level = match &p.note {
            Some(note) => format!("{level}: “{}”", md(note)),
            None => level,
        };
        let (acked, by, after, via) = match p.acked_at {
            Some(at) => (
                utc(at),
                p.acked_by.as_ref().map(|b| md(&b.name)).unwrap_or_default(),
                p.ack_after
                    .as_ref()
                    .map(|e| e.text.clone())
                    .unwrap_or_default(),
                p.ack_via.as_deref().map(md).unwrap_or_default(),
            ),
            None => (
                "not acknowledged".into(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        let _ = writeln!(
            out,
            "| {when} | {who} | {level} | {acked} | {by} | {after} | {via} |"
        );
    }
}

fn write_events(out: &mut String, heading: &str, events: &[EventReport]) {
    if events.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### {heading}\n");
    for e in events {
        match &e.author {
            Some(a) => {
                let _ = writeln!(out, "- {}, {}: {}", utc(e.at), md(&a.name), md(&e.text));
            }
            None => {
                let _ = writeln!(out, "- {}: {}", utc(e.at), md(&e.text));
            }
        }
    }
}

/// Outside text made inline Markdown that cannot change the file's structure: one
/// line, Markdown's inline markers backslash-escaped, and `&`, `<`, `>` as entities
/// so no text becomes HTML. Used only mid-line (after a bullet, in a cell or a
/// heading), so block markers need no escaping.
pub fn md(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '*' | '_' | '[' | ']' | '`' | '|' | '~' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A URL that can stand in `<…>` as an autolink: http(s), nothing that ends it early.
fn is_plain_web_link(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.contains(|c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
