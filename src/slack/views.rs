//! What Warroom shows in Slack, built from data: the channel topic, the pinned
//! summary, the announcement and the declare modal. No logic about *when* to show
//! them lives here.

//!
//! Every piece of text from outside goes through [`mrkdwn::echo`] (or [`mrkdwn::plain`]
//! in `plain_text` fields) on its way out, so a title or note cannot ping a group.

use super::mrkdwn::{echo, plain};
use crate::domain::clip;
use crate::domain::{Incident, MAX_TITLE_CHARS, Role};
use serde_json::{Value, json};

/// Slack's limit on a topic.
const MAX_TOPIC: usize = 250;
/// The least of the title a topic keeps, however long the role holders' ids.
const MIN_TOPIC_TITLE: usize = 20;
pub const DECLARE_CALLBACK_ID: &str = "warroom_declare";
/// The value of the declare modal's "Drill" checkbox.
pub const DRILL_OPTION: &str = "drill";
/// The "Add as action item" message shortcut, as the app manifests declare it.
pub const ACTION_ITEM_SHORTCUT_ID: &str = "add_action_item";
/// The modal that shortcut opens.
pub const ACTION_ITEM_CALLBACK_ID: &str = "warroom_action_item";
/// Block Kit's limit on what a `plain_text_input` holds (`max_length` at most 3000).
pub const MAX_INPUT_CHARS: usize = 3000;
/// The Acknowledge button on a page (see [`super::page_views`]); its value is the
/// page id.
pub const ACK_ACTION_ID: &str = "warroom_ack";

/// A link that opens a channel in Slack, for places outside Slack (pagers).
pub fn channel_url(channel_id: &str) -> String {
    format!("https://slack.com/app_redirect?channel={channel_id}")
}

/// `SEV1 | INVESTIGATING | <title> | Lead: <@U1> | Comms: <@U2> | Scribe: <@U3>`,
/// within Slack's limit: the title is cut to make room, never the roles.
pub fn topic(i: &Incident) -> String {
    let mut roles = String::new();
    for (role, user) in i.roles() {
        // `Lead` is the commander's short name, and the topic is short on room.
        let label = match role {
            Role::Commander => "Lead",
            other => other.title(),
        };
        roles.push_str(&format!(" | {label}: <@{user}>"));
    }
    let drill = if i.drill { "DRILL | " } else { "" };
    let head = format!(
        "{drill}{} | {} | ",
        i.severity,
        i.status.as_str().to_uppercase()
    );
    let room = MAX_TOPIC.saturating_sub(head.chars().count() + roles.chars().count());
    let title = truncate_escaped(&echo(&one_line(&i.title)), room.max(MIN_TOPIC_TITLE));
    truncate_escaped(&format!("{head}{title}{roles}"), MAX_TOPIC)
}

/// The pinned summary: `(fallback text, blocks)`.
pub fn summary(i: &Incident) -> (String, Value) {
    let text = format!(
        "{}Incident #{}: {} ({}, {})",
        i.drill_mark(),
        i.id,
        echo(&i.title),
        i.severity,
        i.status
    );
    let mut fields = vec![
        field("Severity", &i.severity.to_string()),
        field("Status", i.status.as_str()),
    ];
    for role in Role::ALL {
        let holder = i
            .role(role)
            .map(|u| format!("<@{u}>"))
            .unwrap_or_else(|| "unassigned".into());
        fields.push(field(role.title(), &holder));
    }
    fields.extend([field(
        "Declared",
        &format!(
            "{} UTC by {}",
            i.declared_at.format("%Y-%m-%d %H:%M"),
            declarer(i)
        ),
    )]);
    if let Some(service) = &i.service {
        fields.push(field("Service", &echo(service)));
    }
    let header = match i.drill {
        true => format!(
            "🧯 DRILL #{}: {} (practice)",
            i.id,
            plain(&one_line(&i.title))
        ),
        false => format!("🚨 Incident #{}: {}", i.id, plain(&one_line(&i.title))),
    };
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": clip(&header, 150)}}),
        json!({"type": "section", "fields": fields}),
    ];
    if let Some(summary) = &i.summary {
        blocks.push(
            json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate_escaped(&format!("*Summary*\n{}", echo(summary)), 3000)}}),
        );
    }
    blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text":
        "Commands here: `/incident status <investigating|identified|monitoring|resolved> [note]` · `sev <1-4>` · `role commander|comms|scribe @user` · `summary <text>` · `impact [customers:] <text>` · `action <text> [@owner] [due <date>]` · `actions` · `note <text>` · `resolve <what fixed it>` · `close` · `help`"}]}));
    (text, Value::Array(blocks))
}

/// Who declared: a mention, or the alert source's name.
fn declarer(i: &Incident) -> String {
    if i.declared_by == crate::domain::REPLAY_DECLARER {
        return "a Wheel of Misfortune replay".into();
    }
    match crate::domain::alert::source_title(&i.declared_by) {
        Some(source) => format!("an alert from {source}"),
        None => format!("<@{}>", i.declared_by),
    }
}

/// The pinned summary of an incident alerts feed: [`summary`] with a "Firing" section
/// after the facts. Without alerts it is [`summary`] exactly.
pub fn summary_with_alerts(i: &Incident, alerts: &[crate::store::StoredAlert]) -> (String, Value) {
    let (text, mut blocks) = summary(i);
    if let (Some(firing), Some(list)) = (
        super::alert_views::firing_block(alerts),
        blocks.as_array_mut(),
    ) {
        list.insert(2.min(list.len()), firing);
    }
    (text, blocks)
}

pub fn announcement(i: &Incident) -> String {
    let room = i
        .channel_id
        .as_deref()
        .map(|c| format!(" Join <#{c}>."))
        .unwrap_or_default();
    format!(
        ":rotating_light: {}{} incident #{} declared by {}: *{}*.{room}",
        i.drill_mark(),
        i.severity,
        i.id,
        declarer(i),
        echo(&i.title)
    )
}

/// A stakeholder update as everyone sees it, in the war room and beyond: the
/// incident, its severity and status, what was said (escaped here), how long since it
/// began and when the next update is due. `now` is when it was given.
pub fn stakeholder_update(
    i: &Incident,
    text: &str,
    now: chrono::DateTime<chrono::Utc>,
    next_in: std::time::Duration,
    public: bool,
) -> String {
    use crate::domain::Span;
    let began = (now - i.declared_at).to_std().unwrap_or_default();
    let due = now + chrono::Duration::from_std(next_in).unwrap_or_default();
    let room = i
        .channel_id
        .as_deref()
        .map(|c| format!(" · <#{c}>"))
        .unwrap_or_default();
    let public = if public {
        " · also on the status page"
    } else {
        ""
    };
    format!(
        ":mega: *Update on incident #{}: {}*\n*{}* · *{}*{room}\n{}\n_Began {} ago · next update due by {} UTC (in {}){public}_",
        i.id,
        echo(&i.title),
        i.severity,
        i.status,
        echo(text),
        Span(began),
        due.format("%H:%M"),
        Span(next_in),
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
             "element": {"type": "plain_text_input", "action_id": "value", "multiline": true}},
            {"type": "input", "block_id": "drill", "optional": true, "label": {"type": "plain_text", "text": "Practice"},
             "element": {"type": "checkboxes", "action_id": "value", "options": [
                 {"text": {"type": "plain_text", "text": "Drill"}, "value": DRILL_OPTION,
                  "description": {"type": "plain_text", "text": "Practice: marked DRILL, out of metrics, pages by DM only."}}]}}
        ]
    })
}

/// The modal "Add as action item" opens on a war-room message: the item's text
/// (prefilled with the message, cut to what the input holds), an owner and a due date.
/// `metadata` comes back with the submission (Slack keeps up to 3000 characters).
pub fn action_item_modal(metadata: &str, message_text: &str) -> Value {
    let initial: String = message_text.trim().chars().take(MAX_INPUT_CHARS).collect();
    let mut text_input = json!({"type": "plain_text_input", "action_id": "value", "multiline": true,
        "max_length": MAX_INPUT_CHARS,
        "placeholder": {"type": "plain_text", "text": "Add canary deploys for the checkout service"}});
    if !initial.is_empty() {
        text_input["initial_value"] = Value::String(initial);
    }
    json!({
        "type": "modal",
        "callback_id": ACTION_ITEM_CALLBACK_ID,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Add an action item"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "What should be done"},
             "element": text_input},
            {"type": "input", "block_id": "owner", "optional": true, "label": {"type": "plain_text", "text": "Owner"},
             "element": {"type": "users_select", "action_id": "value",
                         "placeholder": {"type": "plain_text", "text": "Who will do it?"}}},
            {"type": "input", "block_id": "due", "optional": true, "label": {"type": "plain_text", "text": "Due date"},
             "element": {"type": "datepicker", "action_id": "value",
                         "placeholder": {"type": "plain_text", "text": "When it should be done"}}}
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
    fn the_modal_titles_and_submits_fit_slacks_24_character_limit() {
        for m in [declare_modal("C1"), action_item_modal("{}", "text")] {
            assert!(m["title"]["text"].as_str().unwrap().chars().count() <= 24);
            assert!(m["submit"]["text"].as_str().unwrap().chars().count() <= 24);
        }
    }

    #[test]
    fn the_topic_shows_every_role_held_and_cuts_the_title_to_keep_them() {
        let mut i = incident(&format!("{}the end", "long title ".repeat(13)));
        let (comms, scribe) = (
            format!("U{}", "C".repeat(29)),
            format!("U{}", "S".repeat(29)),
        );
        i.comms = Some(comms.clone());
        i.scribe = Some(scribe.clone());
        let t = topic(&i);
        assert!(t.chars().count() <= MAX_TOPIC, "{t}");
        assert!(t.starts_with("SEV1 | INVESTIGATING | long title"), "{t}");
        let roles = format!("… | Lead: <@U1> | Comms: <@{comms}> | Scribe: <@{scribe}>");
        assert!(t.ends_with(&roles), "{t}");
    }

    #[test]
    fn the_pinned_summary_names_every_role_and_the_teams_summary() {
        let mut i = incident("Checkout down");
        i.scribe = Some("U03SCRIBE".into());
        i.summary = Some("Card payments fail since 09:10".into());
        let (_, blocks) = summary(&i);
        let shown = blocks.to_string();
        for expected in [
            "*Commander*\\n<@U1>",
            "*Comms*\\nunassigned",
            "*Scribe*\\n<@U03SCRIBE>",
            "*Summary*\\nCard payments fail since 09:10",
        ] {
            assert!(shown.contains(expected), "{expected} not in {shown}");
        }
    }

    #[test]
    fn the_summary_shows_what_fires_only_when_alerts_feed_the_incident() {
        let i = incident("Checkout down");
        assert_eq!(summary_with_alerts(&i, &[]), summary(&i));
        let (_, plain) = summary(&i);
        let now = Utc::now();
        let alert = crate::store::StoredAlert {
            id: 1,
            group_id: 1,
            fingerprint: "fp".into(),
            status: crate::domain::alert::AlertStatus::Firing,
            alertname: "HighErrorRate".into(),
            labels: Default::default(),
            annotations: Default::default(),
            starts_at: Some(now),
            ends_at: None,
            generator_url: None,
            dashboard_url: None,
            panel_url: None,
            silence_url: None,
            values: None,
            first_seen: now,
            changed_at: now,
            fired_count: 1,
        };
        let (_, with) = summary_with_alerts(&i, &[alert]);
        assert_eq!(
            with.as_array().unwrap().len(),
            plain.as_array().unwrap().len() + 1
        );
        assert_eq!(with[2]["text"]["text"], "*Firing*\n🔴 HighErrorRate");
        assert_eq!(with[0], plain[0]);
    }

    #[test]
    fn the_action_item_modal_is_prefilled_with_the_message_cut_on_a_char_boundary() {
        let long = "é".repeat(MAX_INPUT_CHARS + 5);
        let m = action_item_modal(r#"{"channel":"C1","ts":"1.2"}"#, &long);
        let input = &m["blocks"][0]["element"];
        let initial = input["initial_value"].as_str().unwrap();
        assert_eq!(initial.chars().count(), MAX_INPUT_CHARS);
        assert_eq!(input["multiline"], true);
        assert_eq!(m["private_metadata"], r#"{"channel":"C1","ts":"1.2"}"#);
        assert_eq!(m["blocks"][1]["element"]["type"], "users_select");
        assert_eq!(m["blocks"][2]["element"]["type"], "datepicker");
        let empty = action_item_modal("{}", "  ");
        assert!(empty["blocks"][0]["element"].get("initial_value").is_none());
    }
}
