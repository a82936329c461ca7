//! The report as one Slack message (`/incident report`), in mrkdwn. Slack splits a
//! message's text past about 4,000 characters and cuts it at 40,000, so the text is
//! kept within [`MAX_REPLY_CHARS`] (counted in UTF-16 units, never fewer than Slack's
//! characters): open incidents come first, then the most severe; each incident is a
//! few bounded lines; and when they do not all fit, the message says how many were
//! left out and which `warroom report` command prints them all. Outside text goes
//! through [`crate::slack::mrkdwn::echo`], so nothing in it pings or links.

use super::format::{one_line, rfc3339, utc};
use super::markdown::{plural, summary};
use super::model::{EventReport, IncidentReport, OncallReport, PageReport};
use crate::slack::mrkdwn::echo;
use std::cmp::Reverse;

/// The longest reply: Slack's advice for a message's text.
pub const MAX_REPLY_CHARS: usize = 4_000;
/// Per incident, at most this many of each list; the rest is counted.
const MAX_PAGES: usize = 6;
const MAX_EVENTS: usize = 3;
const MAX_ACTIONS: usize = 3;
/// Longest title, and longest quoted text (a key event, the resolution, an item).
const MAX_TITLE_CHARS: usize = 150;
const MAX_QUOTE_CHARS: usize = 200;

/// The report as the text of one ephemeral reply, within [`MAX_REPLY_CHARS`].
pub fn render(report: &OncallReport) -> String {
    let mut text = format!(
        "*On-call report*, {} to {}\n{}",
        utc(report.since),
        utc(report.until),
        summary(&report.totals)
    );
    if report.incidents.is_empty() {
        return text;
    }
    text.push_str(" Open incidents first, then by severity.");
    let mut order: Vec<&IncidentReport> = report.incidents.iter().collect();
    order.sort_by_key(|i| (!i.open, i.severity_level, Reverse(i.declared_at), i.id));
    let rerun = format!(
        "`warroom report --since {} --until {}`",
        rfc3339(report.since),
        rfc3339(report.until)
    );
    let more = |left: usize| {
        format!(
            "\n\n… and {} more; run {rerun} for all of them.",
            plural(left, "incident")
        )
    };
    for (shown, incident) in order.iter().enumerate() {
        let block = format!("\n\n{}", incident_block(incident));
        let left_after = order.len() - shown - 1;
        let footer = if left_after > 0 {
            slack_len(&more(left_after))
        } else {
            0
        };
        if slack_len(&text) + slack_len(&block) + footer > MAX_REPLY_CHARS {
            text.push_str(&more(order.len() - shown));
            return text;
        }
        text.push_str(&block);
    }
    text
}

/// How long Slack may count `s`: UTF-16 units are never fewer than its characters.
pub fn slack_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Outside text, on one line, cut to `max` characters, made safe for mrkdwn.
fn safe(text: &str, max: usize) -> String {
    echo(&crate::domain::clip(&one_line(text), max))
}

fn incident_block(i: &IncidentReport) -> String {
    let mut head = format!(
        "*#{} {}{}* · {} · {}",
        i.id,
        if i.drill { "DRILL: " } else { "" },
        safe(&i.title, MAX_TITLE_CHARS),
        i.severity,
        i.status
    );
    if let Some(service) = &i.service {
        head.push_str(&format!(" · {}", safe(service, 60)));
    }
    if let Some(channel) = &i.channel_id {
        // A channel id renders as the room's link; `echo` keeps only real ids.
        head.push_str(&format!(" · {}", echo(&format!("<#{channel}>"))));
    }
    let mut lines = vec![head, times(i)];
    lines.push(format!("Paged: {}", pages(&i.pages)));
    if !i.escalations.is_empty() {
        lines.push(format!("Escalation: {}", events(&i.escalations)));
    }
    if !i.key_events.is_empty() {
        lines.push(format!("Key events: {}", events(&i.key_events)));
    }
    if let Some(r) = &i.resolution {
        lines.push(format!("Resolution: {}", safe(r, MAX_QUOTE_CHARS)));
    }
    if !i.open_actions.is_empty() {
        let items: Vec<String> = i
            .open_actions
            .iter()
            .take(MAX_ACTIONS)
            .map(|a| {
                let owner = a
                    .owner
                    .as_ref()
                    .map_or_else(|| "no owner".to_string(), |o| safe(&o.name, 60));
                let due = match (a.due, a.overdue) {
                    (Some(d), true) => format!(", overdue since {d}"),
                    (Some(d), false) => format!(", due {d}"),
                    (None, _) => String::new(),
                };
                format!(
                    "{}. {} ({owner}{due})",
                    a.seq,
                    safe(&a.text, MAX_QUOTE_CHARS)
                )
            })
            .collect();
        lines.push(format!(
            "Open action items: {}{}",
            items.join("; "),
            and_more(i.open_actions.len(), MAX_ACTIONS)
        ));
    }
    lines.join("\n")
}

fn times(i: &IncidentReport) -> String {
    let mut parts = vec![format!(
        "Declared {} by {}",
        utc(i.declared_at),
        safe(&i.declared_by.name, 60)
    )];
    match &i.first_ack {
        Some(a) => parts.push(format!(
            "first ack {} by {} after {}",
            utc(a.at),
            safe(&a.by.name, 60),
            a.after_declared.text
        )),
        None if !i.pages.is_empty() => parts.push("no acknowledgement recorded".into()),
        None => {}
    }
    match (i.resolved_at, &i.time_to_resolve) {
        (Some(at), Some(ttr)) => parts.push(format!("resolved {} after {}", utc(at), ttr.text)),
        _ => parts.push("not resolved yet".into()),
    }
    parts.join(" · ")
}

fn pages(pages: &[PageReport]) -> String {
    if pages.is_empty() {
        return "nobody (no pages were sent)".into();
    }
    let shown: Vec<String> = pages
        .iter()
        .take(MAX_PAGES)
        .map(|p| {
            let level = p
                .level
                .map_or_else(|| "by hand".to_string(), |l| format!("level {l}"));
            let answer = match (&p.ack_after, &p.acked_by) {
                (Some(after), Some(by)) if by.id == p.person.id => {
                    format!("acked after {}{}", after.text, via(p))
                }
                (Some(after), Some(by)) => format!(
                    "acked by {} after {}{}",
                    safe(&by.name, 60),
                    after.text,
                    via(p)
                ),
                _ => "not acknowledged".to_string(),
            };
            format!("{} ({level}, {answer})", safe(&p.person.name, 60))
        })
        .collect();
    format!("{}{}", shown.join(", "), and_more(pages.len(), MAX_PAGES))
}

fn via(p: &PageReport) -> String {
    p.ack_via
        .as_deref()
        .map(|v| format!(" via {}", safe(v, 40)))
        .unwrap_or_default()
}

fn events(events: &[EventReport]) -> String {
    let shown: Vec<String> = events
        .iter()
        .take(MAX_EVENTS)
        .map(|e| {
            let who = e
                .author
                .as_ref()
                .map(|a| format!(" {}:", safe(&a.name, 60)))
                .unwrap_or_default();
            format!("{}{who} {}", utc(e.at), safe(&e.text, MAX_QUOTE_CHARS))
        })
        .collect();
    format!("{}{}", shown.join("; "), and_more(events.len(), MAX_EVENTS))
}

/// ` (and 2 more)` when `total` is over `shown`.
fn and_more(total: usize, shown: usize) -> String {
    if total > shown {
        format!(" (and {} more)", total - shown)
    } else {
        String::new()
    }
}

#[cfg(test)]
#[path = "mrkdwn_tests.rs"]
mod tests;
