//! What Warroom shows in Slack, built from data: the channel topic, the pinned
//! summary, the announcement and the declare modal. No logic about *when* to show
//! them lives here.

//!
//! Every piece of text from outside goes through [`mrkdwn::echo`] (or [`mrkdwn::plain`]
//! in `plain_text` fields) on its way out, so a title or note cannot ping a group.

use super::mrkdwn::{echo, plain};
use crate::domain::{Incident, MAX_TITLE_CHARS};
use crate::store::PageRecord;
use serde_json::{Value, json};

/// Slack's limit on a topic.
const MAX_TOPIC: usize = 250;
pub const DECLARE_CALLBACK_ID: &str = "warroom_declare";
/// The Acknowledge button on a page; its value is the page id.
pub const ACK_ACTION_ID: &str = "warroom_ack";

/// A link that opens a channel in Slack, for places outside Slack (pagers).
pub fn channel_url(channel_id: &str) -> String {
    format!("https://slack.com/app_redirect?channel={channel_id}")
}

/// The page a person receives by DM: `(fallback text, blocks)`.
pub fn page_dm(i: &Incident, page: &PageRecord) -> (String, Value) {
    let room = i
        .channel_id
        .as_deref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| "its war room (opening now)".into());
    let title = echo(&i.title);
    let text = format!(
        ":rotating_light: You are paged: {} incident #{}: {title}",
        i.severity, i.id
    );
    let mut body = format!(
        "*{}* incident #{}: *{title}*\nStatus: {}. Join {room}.",
        i.severity, i.id, i.status
    );
    if let Some(note) = &page.note {
        // One quoted line per line of the note, so it cannot leave the quote.
        for line in echo(note).lines() {
            body.push_str(&format!("\n> {line}"));
        }
    }
    if let Some(by) = &page.paged_by {
        body.push_str(&format!("\nPaged by <@{by}>."));
    }
    let blocks = json!([
        {"type": "header", "text": {"type": "plain_text", "text": truncate("🚨 You are paged", 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate(&body, 3000)}},
        {"type": "actions", "block_id": "page", "elements": [
            {"type": "button", "action_id": ACK_ACTION_ID, "style": "primary", "value": page.id.to_string(),
             "text": {"type": "plain_text", "text": "Acknowledge"}}
        ]}
    ]);
    (text, blocks)
}

pub fn topic(i: &Incident) -> String {
    let lead = i
        .lead
        .as_deref()
        .map(|l| format!(" | Lead: <@{l}>"))
        .unwrap_or_default();
    let topic = format!(
        "{} | {} | {}{lead}",
        i.severity,
        i.status.as_str().to_uppercase(),
        echo(&one_line(&i.title))
    );
    truncate_escaped(&topic, MAX_TOPIC)
}

/// The pinned summary: `(fallback text, blocks)`.
pub fn summary(i: &Incident) -> (String, Value) {
    let text = format!(
        "Incident #{}: {} ({}, {})",
        i.id,
        echo(&i.title),
        i.severity,
        i.status
    );
    let mut fields = vec![
        field("Severity", &i.severity.to_string()),
        field("Status", i.status.as_str()),
        field(
            "Lead",
            &i.lead
                .as_deref()
                .map(|l| format!("<@{l}>"))
                .unwrap_or_else(|| "unassigned".into()),
        ),
        field(
            "Declared",
            &format!(
                "{} UTC by <@{}>",
                i.declared_at.format("%Y-%m-%d %H:%M"),
                i.declared_by
            ),
        ),
    ];
    if let Some(service) = &i.service {
        fields.push(field("Service", &echo(service)));
    }
    let header = format!("🚨 Incident #{}: {}", i.id, plain(&one_line(&i.title)));
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": truncate(&header, 150)}}),
        json!({"type": "section", "fields": fields}),
    ];
    if let Some(summary) = &i.summary {
        blocks.push(
            json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate_escaped(&echo(summary), 3000)}}),
        );
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text":
        "Commands here: `/incident status <investigating|identified|monitoring|resolved> [note]` · `sev <1-4>` · `lead @user` · `note <text>` · `resolve <what fixed it>` · `close`"}]}));
    (text, Value::Array(blocks))
}

pub fn announcement(i: &Incident) -> String {
    let room = i
        .channel_id
        .as_deref()
        .map(|c| format!(" Join <#{c}>."))
        .unwrap_or_default();
    format!(
        ":rotating_light: {} incident #{} declared by <@{}>: *{}*.{room}",
        i.severity,
        i.id,
        i.declared_by,
        echo(&i.title)
    )
}

/// The modal `/incident declare` opens when given no title.
pub fn declare_modal(channel_id: &str) -> Value {
    let option =
        |v: &str, label: &str| json!({"text": {"type": "plain_text", "text": label}, "value": v});
    json!({
        "type": "modal",
        "callback_id": DECLARE_CALLBACK_ID,
        "private_metadata": channel_id,
        "title": {"type": "plain_text", "text": "Declare an incident"},
        "submit": {"type": "plain_text", "text": "Declare"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
             "element": {"type": "plain_text_input", "action_id": "value", "max_length": MAX_TITLE_CHARS,
                         "placeholder": {"type": "plain_text", "text": "Checkout returns 500s"}}},
            {"type": "input", "block_id": "severity", "label": {"type": "plain_text", "text": "Severity"},
             "element": {"type": "static_select", "action_id": "value",
                         "initial_option": option("sev2", "SEV2: major"),
                         "options": [option("sev1", "SEV1: critical"), option("sev2", "SEV2: major"),
                                     option("sev3", "SEV3: minor"), option("sev4", "SEV4: low")]}},
            {"type": "input", "block_id": "service", "optional": true, "label": {"type": "plain_text", "text": "Affected service"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
            {"type": "input", "block_id": "summary", "optional": true, "label": {"type": "plain_text", "text": "Summary"},
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": true}}
        ]
    })
}

fn field(label: &str, value: &str) -> Value {
    json!({"type": "mrkdwn", "text": truncate_escaped(&format!("*{label}*\n{value}"), 2000)})
}

pub(super) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`truncate`] for escaped text: never cuts inside an entity or a `<…>` sequence.
pub(super) fn truncate_escaped(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    if let Some(amp) = cut.rfind('&')
        && !cut[amp..].contains(';')
    {
        cut.truncate(amp);
    }
    if let Some(open) = cut.rfind('<')
        && !cut[open..].contains('>')
    {
        cut.truncate(open);
    }
    cut.push('…');
    cut
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Declaration, IncidentTitle, Severity};
    use chrono::Utc;

    fn incident(title: &str) -> Incident {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse(title).unwrap(),
            severity: Severity::SEV1,
            service: Some("checkout".into()),
            summary: None,
            declared_by: "U1".into(),
            declared_at: Utc::now(),
        });
        i.id = 4;
        i
    }

    #[test]
    fn the_topic_shows_severity_status_and_lead() {
        assert_eq!(
            topic(&incident("Checkout down")),
            "SEV1 | INVESTIGATING | Checkout down | Lead: <@U1>"
        );
    }

    #[test]
    fn the_topic_never_exceeds_slacks_limit() {
        let t = topic(&incident(&"x".repeat(150)));
        assert!(t.chars().count() <= MAX_TOPIC);
    }

    #[test]
    fn the_modal_title_and_submit_fit_slacks_24_character_limit() {
        let m = declare_modal("C1");
        assert!(m["title"]["text"].as_str().unwrap().chars().count() <= 24);
        assert!(m["submit"]["text"].as_str().unwrap().chars().count() <= 24);
    }
}
