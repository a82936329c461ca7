//! Reaction and pin events in Slack's shapes (its event reference and the Java SDK's
//! payload samples), and what each means for key-event marks.

use super::*;
use serde_json::json;

fn event(v: serde_json::Value) -> MarkEvent {
    serde_json::from_value(v).expect("a reaction or pin event")
}

fn reaction(kind: &str, name: &str) -> MarkEvent {
    event(
        json!({"type": kind, "user": "U123ABC456", "reaction": name, "item_user": "U222222222",
        "item": {"type": "message", "channel": "C123ABC456", "ts": "1360782400.498405"},
        "event_ts": "1360782804.083113"}),
    )
}

fn pin(kind: &str, app_id: Option<&str>) -> MarkEvent {
    let mut message = json!({"type": "message", "text": "rolled back", "user": "U222222222",
        "ts": "1360782400.498405", "team": "T123ABC456", "pinned_to": ["C02ELGNBH"],
        "permalink": "https://x.slack.com/archives/C02ELGNBH/p1360782400498405"});
    if let Some(app) = app_id {
        message["app_id"] = json!(app);
        message["bot_id"] = json!("B0BOT00001");
    }
    event(
        json!({"type": kind, "user": "U123ABC456", "channel_id": "C02ELGNBH",
        "item": {"type": "message", "created": 1360782804, "created_by": "U123ABC456",
                 "channel": "C02ELGNBH", "message": message},
        "item_user": "U222222222", "pin_count": 2,
        "pinned_info": {"channel": "C02ELGNBH", "pinned_by": "U123ABC456", "pinned_ts": 1360782804},
        "event_ts": "1360782804.083113"}),
    )
}

const OURS: Ours<'static> = Ours {
    app_id: Some("A0APP00001"),
    bot_id: None,
};

#[test]
fn a_pushpin_reaction_is_a_mark_owned_by_whoever_added_it() {
    let mark = reaction("reaction_added", "pushpin").mark(&OURS).unwrap();
    assert_eq!(
        (
            mark.channel.as_str(),
            mark.ts.as_str(),
            mark.source,
            mark.owner.as_str(),
            mark.add
        ),
        (
            "C123ABC456",
            "1360782400.498405",
            MarkSource::Reaction,
            "U123ABC456",
            true
        )
    );
    assert_eq!(mark.by.as_deref(), Some("U123ABC456"));
    assert_eq!(mark.at.timestamp(), 1_360_782_804);
    let removed = reaction("reaction_removed", "pushpin::skin-tone-3")
        .mark(&OURS)
        .unwrap();
    assert!(!removed.add);
}

#[test]
fn other_reactions_and_files_mark_nothing() {
    assert_eq!(
        reaction("reaction_added", "thumbsup::skin-tone-2").mark(&OURS),
        Err("not the key-event reaction")
    );
    let file = event(
        json!({"type": "reaction_added", "user": "U1", "reaction": "pushpin",
        "item": {"type": "file", "file": "F123ABC456"}, "event_ts": "1360782804.083113"}),
    );
    assert_eq!(file.mark(&OURS), Err("not a message"));
}

#[test]
fn a_pin_is_one_mark_per_message_by_whoever_pinned_it() {
    let mark = pin("pin_added", None).mark(&OURS).unwrap();
    assert_eq!(
        (
            mark.channel.as_str(),
            mark.ts.as_str(),
            mark.source,
            mark.owner.as_str()
        ),
        ("C02ELGNBH", "1360782400.498405", MarkSource::Pin, "")
    );
    assert_eq!(mark.by.as_deref(), Some("U123ABC456"));
    assert!(!pin("pin_removed", None).mark(&OURS).unwrap().add);
}

#[test]
fn our_own_pinned_summary_is_not_a_key_event() {
    assert_eq!(
        pin("pin_added", Some("A0APP00001")).mark(&OURS),
        Err("our own post")
    );
    assert!(pin("pin_added", Some("A0OTHER001")).mark(&OURS).is_ok());
}

#[test]
fn malformed_ids_times_and_names_are_refused_before_anything_is_looked_up() {
    let cases = [
        json!({"type": "reaction_added", "user": "not-a-user", "reaction": "pushpin",
               "item": {"type": "message", "channel": "C1", "ts": "1.000001"}, "event_ts": "1.000002"}),
        json!({"type": "reaction_added", "user": "U1", "reaction": "pushpin",
               "item": {"type": "message", "channel": "general", "ts": "1.000001"}, "event_ts": "1.000002"}),
        json!({"type": "reaction_added", "user": "U1", "reaction": "pushpin",
               "item": {"type": "message", "channel": "C1", "ts": "yesterday"}, "event_ts": "1.000002"}),
        json!({"type": "reaction_added", "user": "U1", "reaction": "x".repeat(500),
               "item": {"type": "message", "channel": "C1", "ts": "1.000001"}, "event_ts": "1.000002"}),
        json!({"type": "pin_added", "user": "U1", "channel_id": "C1",
               "item": {"type": "message", "channel": "C1", "message": {"ts": "1.000001", "user": "bob"}},
               "event_ts": "1.000002"}),
    ];
    for case in cases {
        assert!(event(case.clone()).check().is_err(), "{case}");
    }
    assert!(reaction("reaction_added", "pushpin").check().is_ok());
    assert!(pin("pin_added", None).check().is_ok());
}

#[test]
fn history_marks_come_from_pinned_to_this_channel_and_the_pushpin_users() {
    let message = json!({"type": "message", "user": "U1", "text": "rolled back", "ts": "1.000001",
        "pinned_to": ["C1"],
        "reactions": [{"name": "pushpin", "users": ["U2", "U3", "not-a-user"], "count": 3},
                      {"name": "eyes", "users": ["U4"], "count": 1}]});
    assert_eq!(
        marks_in_history(&message, "C1"),
        [
            (MarkSource::Pin, String::new()),
            (MarkSource::Reaction, "U2".to_string()),
            (MarkSource::Reaction, "U3".to_string()),
        ]
    );
    assert_eq!(
        marks_in_history(&message, "C9").len(),
        2,
        "pinned elsewhere"
    );
    let odd = json!({"ts": "1.000001", "reactions": "pushpin"});
    assert!(marks_in_history(&odd, "C1").is_empty());
}
