//! What a fallback channel is told: its topic (title, severity, status, commander,
//! DRILL for a drill), kept in step with the incident, and the brief people read on
//! arriving (the pinned summary's content and the last key events), once per
//! opening. Plain text: [`super::plain`] turns Warroom's Slack text into IRC's.

use super::plain::{Names, plain};
use crate::domain::{Incident, Role, TimelineEntry};

/// Key events the brief lists, the latest last.
pub const KEY_EVENTS_IN_BRIEF: usize = 5;

/// The channel topic for `i`.
pub fn topic(i: &Incident, names: &Names<'_>) -> String {
    let drill = if i.drill { "DRILL | " } else { "" };
    let lead = i
        .lead
        .as_deref()
        .map(|u| names.of(u))
        .unwrap_or_else(|| "no commander".into());
    let text = format!(
        "{drill}#{} {} | {} | {} | Lead: {lead}",
        i.id,
        one_line(&i.title),
        i.severity,
        i.status.as_str().to_uppercase(),
    );
    crate::fallback::text::plain(&text)
}

/// The brief: where things stand, then the last key events, then how to act.
pub fn brief(i: &Incident, entries: &[TimelineEntry], names: &Names<'_>) -> String {
    let mut out = Vec::new();
    let kind = if i.drill {
        "DRILL (practice)"
    } else {
        "Incident"
    };
    out.push(format!(
        "{kind} #{}: {}. This is its war room while Slack is unavailable; what is said here joins the incident's timeline.",
        i.id,
        one_line(&i.title)
    ));
    out.push(format!(
        "Severity {}, status {}, declared {} UTC by {}.",
        i.severity,
        i.status.as_str(),
        i.declared_at.format("%Y-%m-%d %H:%M"),
        names.of(&i.declared_by),
    ));
    let roles: Vec<String> = Role::ALL
        .into_iter()
        .map(|r| {
            let who = i.role(r).map(|u| names.of(u));
            format!("{}: {}", r.title(), who.as_deref().unwrap_or("unassigned"))
        })
        .collect();
    out.push(format!("{}.", roles.join(", ")));
    if let Some(service) = &i.service {
        out.push(format!("Service: {}", one_line(service)));
    }
    match &i.summary {
        Some(s) if !s.trim().is_empty() => out.push(format!("What is known: {}", one_line(s))),
        _ => out.push("What is known: no summary yet (!summary <text> sets one).".into()),
    }
    let key: Vec<&TimelineEntry> = entries.iter().filter(|e| e.is_key()).collect();
    let last = &key[key.len().saturating_sub(KEY_EVENTS_IN_BRIEF)..];
    if last.is_empty() {
        out.push("No key events yet.".into());
    } else {
        out.push(format!("Last {} key events:", last.len()));
        for e in last {
            let who = e
                .author_id
                .as_deref()
                .map(|u| format!(" ({})", names.of(u)))
                .unwrap_or_default();
            out.push(format!(
                "- {} UTC {}{who}",
                e.at.format("%H:%M"),
                one_line(&plain(&e.text, names))
            ));
        }
    }
    out.push(
        "Commands: !status <status> [note], !note <text>, !ack, !sev <1-4>, !lead <nick>, !resolve <what fixed it>, !help"
            .into(),
    );
    out.join("\n")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
