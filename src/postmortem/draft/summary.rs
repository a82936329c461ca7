//! The summary: the team's own, or, when they wrote none, one paragraph composed
//! only of what was stored. What was not recorded is left out of the sentence, never
//! written as "unknown"; the resolution is quoted as the team's words.

use super::{Impact, Stakeholder};
use crate::domain::{Incident, Status};
use crate::postmortem::duration::{format_datetime, format_duration};
use crate::postmortem::rich_text::{RichText, Span};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub text: RichText,
    /// Composed by the draft rather than written by the team: renderers say so.
    pub generated: bool,
}

/// `SEV1 incident “Application Down”, affecting checkout, from 2021-03-09 09:15 UTC to
/// 2021-03-09 10:30 UTC (1h 15m). 6 people from 6 teams took part. It was identified
/// at … and resolved at …. Resolution, in the team's words: “…”`
pub fn generated_summary(
    incident: &Incident,
    impact: &Impact,
    stakeholders: &[Stakeholder],
    resolution: Option<&RichText>,
) -> Summary {
    let mut spans = vec![Span::Text(format!(
        "{} incident “{}”",
        incident.severity,
        one_line(&incident.title)
    ))];
    let mut text = String::new();
    if let Some(service) = &impact.service {
        text.push_str(&format!(", affecting {}", one_line(service)));
    }
    let finished = matches!(incident.status, Status::Resolved | Status::Closed);
    match (impact.end, impact.duration) {
        (Some(end), Some(duration)) if finished => text.push_str(&format!(
            ", from {} to {} ({}).",
            format_datetime(impact.start),
            format_datetime(end),
            format_duration(duration)
        )),
        _ => text.push_str(&format!(
            ", from {}; it is {}.",
            format_datetime(impact.start),
            incident.status
        )),
    }
    if let Some(sentence) = took_part(stakeholders) {
        text.push(' ');
        text.push_str(&sentence);
    }
    let milestones: Vec<String> = [
        ("identified", incident.identified_at),
        ("resolved", incident.resolved_at),
    ]
    .into_iter()
    .filter_map(|(what, at)| at.map(|at| format!("{what} at {}", format_datetime(at))))
    .collect();
    if !milestones.is_empty() {
        text.push_str(&format!(" It was {}.", milestones.join(" and ")));
    }
    if let Some(resolution) = resolution {
        text.push_str(" Resolution, in the team's words: “");
        spans.push(Span::Text(std::mem::take(&mut text)));
        spans.extend(one_line_spans(resolution));
        text.push('”');
    }
    spans.push(Span::Text(text));
    Summary {
        text: RichText(spans),
        generated: true,
    }
}

/// `6 people from 6 teams took part.`: people are the stakeholders, teams their
/// distinct titles. When some have no team on record, the count says so.
fn took_part(stakeholders: &[Stakeholder]) -> Option<String> {
    let people = stakeholders.len();
    if people == 0 {
        return None;
    }
    let titled: Vec<&str> = stakeholders
        .iter()
        .filter_map(|s| s.title.as_deref())
        .collect();
    let teams = titled.iter().collect::<BTreeSet<_>>().len();
    let who = count(people, "person", "people");
    Some(match titled.len() {
        0 => format!("{who} took part."),
        n if n == people => format!("{who} from {} took part.", count(teams, "team", "teams")),
        n => format!(
            "{who} took part, {n} of them from {}.",
            count(teams, "team", "teams")
        ),
    })
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The team's words on one line, so the quote stays inside the paragraph.
fn one_line_spans(text: &RichText) -> Vec<Span> {
    let mut spans: Vec<Span> = text
        .0
        .iter()
        .map(|span| match span {
            Span::Text(t) => {
                let joined: Vec<&str> = t.split_whitespace().collect();
                let lead = if t.starts_with(char::is_whitespace) {
                    " "
                } else {
                    ""
                };
                let tail = if t.ends_with(char::is_whitespace) {
                    " "
                } else {
                    ""
                };
                Span::Text(format!("{lead}{}{tail}", joined.join(" ")))
            }
            other => other.clone(),
        })
        .collect();
    if let Some(Span::Text(first)) = spans.first_mut() {
        *first = first.trim_start().to_string();
    }
    if let Some(Span::Text(last)) = spans.last_mut() {
        *last = last.trim_end().to_string();
    }
    spans
}
