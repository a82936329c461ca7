//! How a nudge looks in the war room: whom it is for, what is overdue, and the
//! Snooze 15m, Snooze 1h and Dismiss buttons. Each button's value names the timer and
//! the firing it answers (`<timer id>:<firing>`), so a press on an older nudge, or a
//! second press, changes nothing.

use serde_json::{Value, json};

pub const SNOOZE_15M_ACTION_ID: &str = "warroom_nudge_snooze_15m";
pub const SNOOZE_1H_ACTION_ID: &str = "warroom_nudge_snooze_1h";
pub const DISMISS_ACTION_ID: &str = "warroom_nudge_dismiss";
/// Every button of a nudge.
pub const NUDGE_ACTION_IDS: [&str; 3] =
    [SNOOZE_15M_ACTION_ID, SNOOZE_1H_ACTION_ID, DISMISS_ACTION_ID];

/// The post's fallback text and blocks. `lead` is the commander as they stand; with
/// none, the nudge is for whoever leads (no `@channel`: a nudge wakes nobody).
pub fn nudge(lead: Option<&str>, text: &str, timer_id: i64, seq: i64) -> (String, Value) {
    let to = match lead {
        Some(user) => format!("<@{user}>"),
        None => "To whoever leads this incident:".to_string(),
    };
    let line = format!(":bell: {to} {text}");
    let value = format!("{timer_id}:{seq}");
    let button = |action_id: &str, label: &str| {
        json!({"type": "button", "action_id": action_id, "value": value,
               "text": {"type": "plain_text", "text": label}})
    };
    let blocks = json!([
        {"type": "section", "text": {"type": "mrkdwn", "text": line}},
        {"type": "actions", "block_id": "nudge", "elements": [
            button(SNOOZE_15M_ACTION_ID, "Snooze 15m"),
            button(SNOOZE_1H_ACTION_ID, "Snooze 1h"),
            button(DISMISS_ACTION_ID, "Dismiss"),
        ]},
    ]);
    (line, blocks)
}

/// A button's value back as (timer id, firing); `None` when it is not ours.
pub fn parse_value(value: &str) -> Option<(i64, i64)> {
    let (timer, seq) = value.split_once(':')?;
    let (timer, seq) = (timer.parse().ok()?, seq.parse().ok()?);
    (timer > 0 && seq > 0).then_some((timer, seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_is_for_the_commander_or_whoever_leads_and_never_pings_the_channel() {
        let (text, blocks) = nudge(Some("U1"), "Post an update.", 7, 2);
        assert!(text.starts_with(":bell: <@U1> Post an update."), "{text}");
        let (text, _) = nudge(None, "Take the lead.", 7, 1);
        assert!(
            text.contains("whoever leads") && !text.contains("<!channel>"),
            "{text}"
        );
        let buttons = blocks[1]["elements"].as_array().unwrap();
        assert_eq!(buttons.len(), 3);
        assert!(buttons.iter().all(|b| b["value"] == "7:2"));
    }

    #[test]
    fn only_our_values_parse() {
        assert_eq!(parse_value("7:2"), Some((7, 2)));
        for bad in ["", "7", "7:", ":2", "a:b", "7:0", "-1:2", "7:2:3"] {
            assert_eq!(parse_value(bad), None, "{bad}");
        }
    }
}
