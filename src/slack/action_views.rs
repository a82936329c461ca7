//! The DMs that follow action items' owners after the incident: the list of what is
//! still theirs when the incident closes, and the reminder on an item's due date.
//! Item texts and titles come from people, so they go through [`echo`]. A drill's
//! items say so: "DRILL #7 (practice)" where a real incident says "Incident #7", so
//! nobody mistakes practice follow-ups for an outage's.

use super::mrkdwn::{echo, plain};
use super::views::{one_line, truncate_escaped};
use crate::domain::{ActionItem, Incident, describe_due};
use chrono::NaiveDate;
use serde_json::{Value, json};

/// Items listed one section each; a message holds at most 50 blocks, and the rest
/// of the message takes four.
pub const MAX_LISTED_ITEMS: usize = 40;
/// Slack's limit on a section's text.
const MAX_SECTION: usize = 3000;

/// The DM an owner gets when an incident closes: `(fallback text, blocks)` listing
/// `items`, the open ones in their name.
pub fn owner_actions(
    incident: &Incident,
    items: &[ActionItem],
    today: NaiveDate,
) -> (String, Value) {
    let title = echo(&one_line(&incident.title));
    let count = match items.len() {
        1 => "1 open action item".to_string(),
        n => format!("{n} open action items"),
    };
    let name = name(incident);
    let text = format!("{name} ({title}) is closed. You own {count} from it.");
    let header = format!("Your action items from {}", lower_first(&name));
    let intro = format!(
        "{name} *{title}* is closed, and {} still yours. Its war room: {}.",
        match items.len() {
            1 => "this item is".to_string(),
            n => format!("these {n} items are"),
        },
        room(incident)
    );
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": plain(&header)}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate_escaped(&intro, MAX_SECTION)}}),
    ];
    for item in items.iter().take(MAX_LISTED_ITEMS) {
        blocks.push(json!({"type": "section", "text": {"type": "mrkdwn",
            "text": truncate_escaped(&item_line(item, today), MAX_SECTION)}}));
    }
    if items.len() > MAX_LISTED_ITEMS {
        let more = format!(
            "…and {} more. `warroom actions --open --owner <your id>` lists them all.",
            items.len() - MAX_LISTED_ITEMS
        );
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]}));
    }
    (text, Value::Array(blocks))
}

/// The DM on an item's due date (or, after an outage, the first day Warroom could).
pub fn action_reminder(
    incident: &Incident,
    item: &ActionItem,
    today: NaiveDate,
) -> (String, Value) {
    let title = echo(&one_line(&incident.title));
    let due = item
        .due
        .map(|d| describe_due(d, today))
        .unwrap_or_else(|| "no date".into());
    let name = lower_first(&name(incident));
    let text = format!(
        "Reminder: action item {} of {name} is due {due}: {}",
        item.seq,
        echo(&one_line(&item.text))
    );
    let body = format!(
        "Action item *{}* of {name} *{title}* ({}) is due {due}:\n>{}",
        item.seq,
        room(incident),
        echo(&one_line(&item.text))
    );
    let mut blocks = vec![
        json!({"type": "header", "text": {"type": "plain_text", "text": "⏰ An action item is due"}}),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": truncate_escaped(&body, MAX_SECTION)}}),
    ];
    if let Some(url) = &item.issue_url {
        blocks.push(json!({"type": "context", "elements": [{"type": "mrkdwn",
            "text": truncate_escaped(&format!("Tracked in {}", echo(url)), MAX_SECTION)}]}));
    }
    (truncate_escaped(&text, MAX_SECTION), Value::Array(blocks))
}

/// `*2.* Canary deploys · due Fri 2026-12-04 (in 2 days)`.
fn item_line(item: &ActionItem, today: NaiveDate) -> String {
    let mut line = format!("*{}.* {}", item.seq, echo(&one_line(&item.text)));
    if let Some(due) = item.due {
        line.push_str(&format!(" · due {}", describe_due(due, today)));
    }
    if let Some(url) = &item.issue_url {
        line.push_str(&format!(" · {}", echo(url)));
    }
    line
}

/// `Incident #7`, or `DRILL #7 (practice)` for a drill.
fn name(incident: &Incident) -> String {
    if incident.drill {
        format!("DRILL #{} (practice)", incident.id)
    } else {
        format!("Incident #{}", incident.id)
    }
}

/// `incident #7` mid-sentence; `DRILL` stays as it is.
fn lower_first(name: &str) -> String {
    match name.strip_prefix("Incident") {
        Some(rest) => format!("incident{rest}"),
        None => name.to_string(),
    }
}

fn room(incident: &Incident) -> String {
    incident
        .channel_id
        .as_deref()
        .map(|c| format!("<#{c}>"))
        .unwrap_or_else(|| "none was opened".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ActionStatus, Declaration, IncidentTitle, Severity};
    use chrono::Utc;

    fn incident() -> Incident {
        let (mut i, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse("Checkout <!channel> down").unwrap(),
            severity: Severity::SEV2,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: Utc::now(),
        });
        i.id = 7;
        i.channel_id = Some("C0WARROOM".into());
        i
    }

    fn item(seq: i64, text: &str, due: Option<NaiveDate>) -> ActionItem {
        ActionItem {
            id: seq + 100,
            incident_id: 7,
            seq,
            text: text.into(),
            owner_id: Some("U2".into()),
            due,
            status: ActionStatus::Open,
            created_by: "U1".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            source_ts: None,
            issue_url: None,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    #[test]
    fn the_close_dm_lists_each_item_with_its_number_due_date_and_the_war_room() {
        let items = [
            item(1, "Canary deploys", Some(day(4))),
            item(3, "DR plan", None),
        ];
        let (text, blocks) = owner_actions(&incident(), &items, day(2));
        assert!(
            text.contains("incident #7") || text.contains("Incident #7"),
            "{text}"
        );
        let shown = blocks.to_string();
        assert!(shown.contains("<#C0WARROOM>"), "{shown}");
        assert!(
            shown.contains("*1.* Canary deploys · due Fri 2026-12-04 (in 2 days)"),
            "{shown}"
        );
        assert!(shown.contains("*3.* DR plan\""), "{shown}");
        assert!(
            !shown.contains("<!channel>"),
            "the title is escaped: {shown}"
        );
    }

    #[test]
    fn a_long_list_stays_within_slacks_fifty_blocks() {
        let items: Vec<_> = (1..=60).map(|n| item(n, "Fix it", None)).collect();
        let (_, blocks) = owner_actions(&incident(), &items, day(2));
        let blocks = blocks.as_array().unwrap();
        assert!(blocks.len() <= 50, "{}", blocks.len());
        assert!(blocks.last().unwrap().to_string().contains("20 more"));
    }

    #[test]
    fn the_reminder_names_the_item_its_incident_and_when_it_is_due() {
        let (text, blocks) = action_reminder(
            &incident(),
            &item(2, "Rotate <!here> keys", Some(day(4))),
            day(4),
        );
        assert!(text.contains("action item 2 of incident #7"), "{text}");
        assert!(text.contains("due Fri 2026-12-04 (today)"), "{text}");
        assert!(!text.contains("<!here>") && !blocks.to_string().contains("<!here>"));
        assert!(blocks.to_string().contains("<#C0WARROOM>"));
    }

    #[test]
    fn a_drills_close_dm_and_reminder_say_drill_and_never_incident() {
        let mut drill = incident();
        drill.drill = true;
        let items = [item(1, "Practise the failover", Some(day(4)))];
        let (text, blocks) = owner_actions(&drill, &items, day(2));
        let shown = format!("{text} {blocks}");
        assert!(text.starts_with("DRILL #7 (practice)"), "{text}");
        assert!(shown.contains("Your action items from DRILL #7"), "{shown}");
        assert!(!shown.to_lowercase().contains("incident #7"), "{shown}");
        let (text, blocks) = action_reminder(&drill, &items[0], day(4));
        let shown = format!("{text} {blocks}");
        assert!(text.contains("action item 1 of DRILL #7"), "{text}");
        assert!(!shown.to_lowercase().contains("incident #7"), "{shown}");
    }
}
