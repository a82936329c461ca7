//! The message's fixed sections: header, summary, impact and metrics, resolution,
//! stakeholders by team, and the action plan. Each is bounded on its own.

use super::clip::{
    Clip, clip_section, clipped_text, escape, escape_url, mrkdwn, section, slack_len,
};
use super::lines::MAX_NAME_CHARS;
use super::{MAX_HEADER_CHARS, MAX_SECTION_CHARS, MAX_URL_CHARS};
use crate::postmortem::draft::{Draft, GENERATED_NOTE, NOT_RECORDED, RESOLUTION_PROMPT};
use crate::postmortem::duration::{format_datetime, format_duration};
use crate::postmortem::rich_text::RichText;
use crate::postmortem::{ACTION_PLAN_PROMPT, Stakeholder};
use serde_json::{Value, json};

/// Room kept at the end of a list section for its "…and N more" line.
const MORE_ROOM: usize = 60;
const MAX_ACTION_CHARS: usize = 300;

pub(super) fn head(draft: &Draft) -> Vec<Value> {
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
    let summary = if draft.summary.generated {
        let note = format!("\n_{GENERATED_NOTE}_");
        titled_rich("Summary", Some(&draft.summary.text), "", slack_len(&note)) + &note
    } else {
        titled_rich("Summary", Some(&draft.summary.text), "", 0)
    };
    vec![
        json!({
            "type": "header",
            "text": { "type": "plain_text", "text": header.finish(), "emoji": true },
        }),
        json!({ "type": "context", "elements": [mrkdwn(&escape(&context))] }),
        section(&summary),
        section(&clip_section(facts(draft))),
        section(&titled_rich(
            "Resolution",
            draft.resolution.as_ref(),
            RESOLUTION_PROMPT,
            0,
        )),
        section(&stakeholders(draft)),
    ]
}

/// The measured impact and the headline response metrics (per-page ones are in the
/// file).
fn facts(draft: &Draft) -> String {
    let impact = &draft.impact;
    let service = impact.service.as_deref().unwrap_or(NOT_RECORDED);
    let end = impact.end.map(format_datetime);
    let duration = impact.duration.map(format_duration);
    let mut text = format!(
        "*Impact*\n• Severity: {}\n• Service affected: {}\n• Start: {}\n• End: {}\n• Duration: {}",
        impact.severity,
        clipped_text(service, MAX_NAME_CHARS),
        format_datetime(impact.start),
        end.as_deref().unwrap_or(NOT_RECORDED),
        duration.as_deref().unwrap_or(NOT_RECORDED),
    );
    let statements: usize = impact.groups.iter().map(|g| g.statements.len()).sum();
    if statements > 0 {
        text.push_str(&format!(
            "\n• The team's {statements} impact {} in the file",
            if statements == 1 {
                "statement is"
            } else {
                "statements are"
            }
        ));
    }
    text.push_str("\n\n*Response metrics* (from the declaration)");
    for m in draft.metrics.iter().filter(|m| !m.key.starts_with("ack:")) {
        let took = m.elapsed.map(format_duration);
        let label = clipped_text(&m.label, MAX_NAME_CHARS);
        text.push_str(&format!(
            "\n• {label}: {}",
            took.as_deref().unwrap_or(m.missing)
        ));
    }
    text.push_str(&format!(
        "\n• Pages sent: {}\n• Highest escalation level reached: {}",
        draft.paging.sent,
        draft.paging.describe_level()
    ));
    text
}

/// `*Title*` and the text (or the prompt, in italics), within a section with `spare`
/// units left over for the caller.
fn titled_rich(title: &str, text: Option<&RichText>, prompt: &str, spare: usize) -> String {
    let heading = format!("*{title}*\n");
    let mut clip = Clip::new(MAX_SECTION_CHARS - slack_len(&heading) - spare);
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

/// `• Customer Support: Susan Vega, Karen House (Commander)`, one team a line.
fn stakeholders(draft: &Draft) -> String {
    let mut out = String::from("*Stakeholders*");
    let teams = draft.teams();
    if teams.is_empty() {
        out.push_str("\nNobody recorded.");
    }
    let limit = MAX_SECTION_CHARS - MORE_ROOM;
    let mut listed = 0;
    for team in &teams {
        let name = team.name.unwrap_or("No team on record");
        let mut line = format!("\n• {}: ", clipped_text(name, MAX_NAME_CHARS));
        let mut in_line = 0;
        let mut full = false;
        for s in &team.members {
            let person = clipped_text(&label(s), 2 * MAX_NAME_CHARS);
            let sep = if in_line == 0 { "" } else { ", " };
            if slack_len(&out) + slack_len(&line) + slack_len(sep) + slack_len(&person) > limit {
                full = true;
                break;
            }
            line.push_str(sep);
            line.push_str(&person);
            in_line += 1;
        }
        if in_line > 0 {
            out.push_str(&line);
            listed += in_line;
        }
        if full {
            break;
        }
    }
    if listed < draft.stakeholders.len() {
        out.push_str(&format!(
            "\n…and {} more",
            draft.stakeholders.len() - listed
        ));
    }
    out
}

fn label(s: &Stakeholder) -> String {
    match s.note() {
        Some(note) => format!("{} ({note})", s.name),
        None => s.name.clone(),
    }
}

/// The action plan, open items first: `• [open] text — Owner, due 2021-03-16, #12`.
pub(super) fn actions(draft: &Draft) -> String {
    let mut out = String::from("*Action plan*");
    if draft.actions.is_empty() {
        out.push_str(&format!("\n_{}_", escape(ACTION_PLAN_PROMPT)));
        return out;
    }
    let limit = MAX_SECTION_CHARS - MORE_ROOM;
    for (i, a) in draft.actions.iter().enumerate() {
        let mut text = Clip::new(MAX_ACTION_CHARS);
        text.rich(&a.text);
        let mut line = format!("\n• [{}] {}", a.status, text.finish().replace('\n', " "));
        let mut details = Vec::new();
        if let Some(owner) = &a.owner {
            details.push(clipped_text(owner, MAX_NAME_CHARS));
        }
        if let Some(due) = a.due_date() {
            details.push(format!("due {due}"));
        }
        if let Some(url) = a
            .issue_url
            .as_ref()
            .filter(|u| slack_len(u) <= MAX_URL_CHARS)
        {
            details.push(format!("<{}|issue>", escape_url(url)));
        }
        if !details.is_empty() {
            line.push_str(&format!(" — {}", details.join(", ")));
        }
        if slack_len(&out) + slack_len(&line) > limit {
            out.push_str(&format!(
                "\n…and {} more in the file",
                draft.actions.len() - i
            ));
            break;
        }
        out.push_str(&line);
    }
    out
}
