//! Key events in an export: a message pinned in the channel, or given a 📌, is marked
//! as live events would have marked it.

use super::*;

/// A pinned message, one pinned only elsewhere, one with two 📌s and an 👀, one
/// with only a 👍, and a join (left out of the timeline, marks and all).
const DAY: &str = r#"[
    {"type":"message","user":"U1","text":"rolled back the deploy","ts":"1615281300.000100",
     "pinned_to":["C1"]},
    {"type":"message","user":"U1","text":"see the other room","ts":"1615281360.000200",
     "pinned_to":["C9"]},
    {"type":"message","user":"U2","text":"replica 3 is 40s behind","ts":"1615281420.000300",
     "reactions":[{"name":"pushpin","users":["U1","U3","not a user"],"count":3},
                  {"name":"eyes","users":["U4"],"count":1}]},
    {"type":"message","user":"U2","text":"thanks","ts":"1615281480.000400",
     "reactions":[{"name":"+1::skin-tone-2","users":["U1"],"count":1}]},
    {"type":"message","subtype":"channel_join","user":"U5","text":"joined","ts":"1615281540.000500",
     "pinned_to":["C1"]}
]"#;

#[test]
fn pins_in_this_channel_and_pushpins_mark_messages_as_key_events() {
    let t = TempExport::with_day(DAY);
    let ch = read_export(&t.0, "inc").unwrap();

    let key: Vec<&str> = ch
        .entries
        .iter()
        .filter(|e| e.is_key())
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(key, ["rolled back the deploy", "replica 3 is 40s behind"]);
    let marks: Vec<(&str, MarkSource, &str)> = ch
        .key_marks
        .iter()
        .map(|m| (m.ts.as_str(), m.source, m.user_id.as_str()))
        .collect();
    assert_eq!(
        marks,
        [
            ("1615281300.000100", MarkSource::Pin, ""),
            ("1615281420.000300", MarkSource::Reaction, "U1"),
            ("1615281420.000300", MarkSource::Reaction, "U3"),
        ]
    );
    assert_eq!(ch.key_marks[1].at, ch.entries[2].at, "dated by the message");
}

#[test]
fn the_app_outage_fixture_has_no_key_events() {
    let ch = fixture();
    assert!(ch.key_marks.is_empty());
    assert!(ch.entries.iter().all(|e| !e.marked_key));
}

#[test]
fn malformed_marks_are_left_out_without_failing_the_import() {
    let t = TempExport::with_day(
        r#"[{"type":"message","user":"U1","text":"x","ts":"1615281300.000100",
             "pinned_to":[], "reactions":[{"count":1},{"name":"pushpin"}]}]"#,
    );
    let ch = read_export(&t.0, "inc").unwrap();
    assert!(ch.key_marks.is_empty());
    assert!(!ch.entries[0].marked_key);
}
