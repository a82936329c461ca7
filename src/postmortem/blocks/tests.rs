//! The Slack message: within Block Kit's limits for an incident of any size, and
//! holding the summary, key events, action plan and a pointer to the file.

use super::clip::slack_len;
use super::*;
use crate::domain::{
    ActionItem, ActionStatus, FileRef, Incident, Person, Severity, Status, TimelineEntry,
};
use crate::postmortem::{Facts, build};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::collections::HashMap;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, 9, 9, 15, 0).unwrap()
}

fn incident(title: &str) -> Incident {
    Incident {
        id: 42,
        title: title.into(),
        severity: Severity::SEV1,
        status: Status::Closed,
        service: Some("checkout".into()),
        summary: Some("Payments & refunds failed".into()),
        lead: None,
        comms: None,
        scribe: None,
        declared_by: "U1".into(),
        declared_at: t0(),
        identified_at: None,
        mitigated_at: None,
        resolved_at: None,
        closed_at: Some(t0() + TimeDelta::minutes(75)),
        resolution: Some("Rolled back".into()),
        channel_id: None,
        channel_name: None,
        drill: false,
    }
}

fn msg(i: i64, text: &str) -> TimelineEntry {
    let at = t0() + TimeDelta::seconds(i);
    let ts = format!("{}.{:06}", at.timestamp(), i % 1_000_000);
    TimelineEntry::message(42, at, Some(format!("U{}", i % 7)), text.into(), ts)
}

fn people() -> HashMap<String, Person> {
    let p = Person {
        user_id: "U1".into(),
        name: "Susan Vega".into(),
        title: Some("Customer Support".into()),
        kind: crate::domain::PersonKind::Human,
    };
    HashMap::from([("U1".to_string(), p)])
}

fn texts(blocks: &[Value], kind: &str) -> Vec<String> {
    blocks
        .iter()
        .filter(|b| b["type"] == kind)
        .map(|b| match kind {
            "context" => b["elements"][0]["text"].as_str().unwrap().to_string(),
            _ => b["text"]["text"].as_str().unwrap().to_string(),
        })
        .collect()
}

fn assert_within_limits(blocks: &[Value]) {
    assert!(blocks.len() <= MAX_BLOCKS, "{} blocks", blocks.len());
    for t in texts(blocks, "section")
        .iter()
        .chain(&texts(blocks, "context"))
    {
        assert!(
            !t.is_empty() && slack_len(t) <= MAX_SECTION_CHARS,
            "{}",
            t.len()
        );
    }
    for t in texts(blocks, "header") {
        assert!(slack_len(&t) <= MAX_HEADER_CHARS);
    }
}

#[test]
fn a_small_incident_fits_whole_with_every_summary_section() {
    let entries: Vec<_> = (0..26)
        .map(|i| msg(i, "<@U1> checking &amp; fixing"))
        .collect();
    let blocks = render_blocks(&build(&incident("Checkout down"), &entries, &people()));
    assert_within_limits(&blocks);
    assert_eq!(texts(&blocks, "header"), ["Postmortem: Checkout down"]);
    let all = texts(&blocks, "section").join("\n");
    for part in [
        "*Summary*\nPayments &amp; refunds failed",
        "• Duration: 1h 15m",
        "*Response metrics*",
        "*Resolution*\nRolled back",
        "• Customer Support: Susan Vega",
        "`09:15` *Susan Vega*: @Susan Vega checking &amp; fixing",
    ] {
        assert!(all.contains(part), "{part} missing in\n{all}");
    }
    assert!(!all.contains("**"), "Slack bold is a single star");
    assert!(
        !texts(&blocks, "context")
            .iter()
            .any(|c| c.contains("not shown"))
    );
}

#[test]
fn ten_thousand_entries_stay_within_block_kit_limits_and_say_how_many_are_omitted() {
    let entries: Vec<_> = (0..10_000).map(|i| msg(i, "status update")).collect();
    let draft = build(&incident("Checkout down"), &entries, &people());
    let blocks = render_blocks(&draft);
    assert_within_limits(&blocks);
    let shown = texts(&blocks, "section")
        .join("\n")
        .matches("status update")
        .count();
    let note = texts(&blocks, "context")
        .into_iter()
        .find(|c| c.contains("not shown"))
        .expect("omission note");
    assert!(shown > 0);
    assert!(
        note.starts_with(&format!("{} more timeline entries", 10_000 - shown)),
        "{note}"
    );
    assert!(
        note.contains("postmortem-inc-42-checkout-down.md"),
        "{note}"
    );
}

#[test]
fn a_forty_thousand_character_message_is_cut_not_rejected() {
    let huge = "💥 <@U1> &amp; <https://example.com|link> ".repeat(1_000);
    assert!(huge.chars().count() >= 40_000);
    let mut entries = vec![msg(0, &huge), msg(1, "after")];
    entries[0].files = (0..10)
        .map(|i| FileRef {
            id: format!("F{i}"),
            name: "x".repeat(5_000),
            permalink: Some(format!("https://f/{}", "y".repeat(5_000))),
        })
        .collect();
    let mut inc = incident(&"Long title ".repeat(40));
    inc.summary = Some(huge.clone());
    inc.resolution = Some(huge);
    let blocks = render_blocks(&build(&inc, &entries, &people()));
    assert_within_limits(&blocks);
    let header = &texts(&blocks, "header")[0];
    assert!(header.starts_with("Postmortem: Long title Long") && header.ends_with('…'));
    let all = texts(&blocks, "section").join("\n");
    assert!(all.contains("…") && all.contains("after"), "{all}");
    // Cut between whole links and escapes, never inside one.
    assert!(!all.contains("&am…") && !all.contains("<https://example.com…"));
}

#[test]
fn the_timeline_never_takes_more_sections_than_it_is_given() {
    let long = "word ".repeat(300);
    let entries: Vec<_> = (0..100).map(|i| msg(i, &long)).collect();
    let draft = build(&incident("x"), &entries, &people());
    let lines = || {
        draft
            .timeline
            .iter()
            .map(|l| timeline_line(l, l.starts_day))
    };
    let (sections, shown) = pack(TIMELINE_HEADING, lines(), 3, MAX_TIMELINE_CHARS);
    assert_eq!(sections.len(), 3);
    assert!(shown > 0 && shown < 100);
    assert_eq!(
        pack(TIMELINE_HEADING, lines(), 0, MAX_TIMELINE_CHARS),
        (Vec::new(), 0)
    );
}

#[test]
fn fallback_text_is_short_plain_and_escaped() {
    let mut inc = incident("Checkout &lt;down&gt;");
    inc.summary = Some("x".repeat(10_000));
    let text = fallback_text(&build(&inc, &[], &people()));
    assert!(text.starts_with("Postmortem: Checkout &lt;down&gt; — SEV1, declared"));
    assert!(slack_len(&text) <= MAX_FALLBACK_CHARS);
}

#[test]
fn mentions_are_names_not_pings_and_replies_edits_and_deletions_are_marked() {
    let mut reply = msg(1, "reply <@U1>");
    reply.thread_ts = Some("1.000000".into());
    let mut edited = msg(2, "new");
    edited.previous_text = Some("zqx-earlier-text".into());
    let mut deleted = msg(3, "gone\nfor good");
    deleted.deleted_at = Some(t0());
    let blocks = render_blocks(&build(&incident("x"), &[reply, edited, deleted], &people()));
    let all = texts(&blocks, "section").join("\n");
    assert!(!all.contains("<@U1>"));
    assert!(
        all.contains("      ↳ `09:15` *Susan Vega*: reply @Susan Vega"),
        "{all}"
    );
    assert!(all.contains(": new _(edited)_"), "{all}");
    assert!(
        !all.contains("zqx-earlier-text"),
        "earlier versions stay in the file: {all}"
    );
    assert!(all.contains(": ~gone for good~ _(deleted)_"), "{all}");
}

#[test]
fn thousands_of_key_events_and_actions_with_long_texts_stay_within_the_limits() {
    // 2,000 characters each, with links and escapes to cut around.
    let long = "💥 <https://example.com/a|link> &amp; ".repeat(60);
    let entries: Vec<_> = (0..3_000)
        .map(|i| {
            let mut e = msg(i, &long);
            e.marked_key = true;
            e
        })
        .collect();
    let actions: Vec<ActionItem> = (1..=3_000)
        .map(|seq| ActionItem {
            id: seq,
            incident_id: 42,
            seq,
            text: long.clone(),
            owner_id: Some("U1".into()),
            due: chrono::NaiveDate::from_ymd_opt(2021, 3, 16),
            status: if seq % 2 == 0 {
                ActionStatus::Done
            } else {
                ActionStatus::Open
            },
            created_by: "U1".into(),
            created_at: t0(),
            updated_at: t0(),
            source_ts: None,
            issue_url: Some(format!("https://github.com/acme/shop/issues/{seq}")),
        })
        .collect();
    let mut people = people();
    for i in 0..2_000 {
        let id = format!("U{i:08}");
        people.insert(
            id.clone(),
            Person {
                user_id: id.clone(),
                name: "N".repeat(200),
                title: Some(format!("Team {}", i % 300)),
                kind: crate::domain::PersonKind::Human,
            },
        );
    }
    let mut entries = entries;
    entries.extend((0..2_000).map(|i| {
        let at = t0() + TimeDelta::seconds(10_000 + i);
        TimelineEntry::message(
            42,
            at,
            Some(format!("U{i:08}")),
            "Glen broke it".into(),
            format!("{}.{i:06}", at.timestamp()),
        )
    }));
    let mut inc = incident(&"Long title ".repeat(40));
    inc.summary = None;
    inc.resolution = Some(long.clone());
    let mut facts = Facts::new(&inc, &entries, &people);
    facts.actions = &actions;
    let draft = facts.build();
    let blocks = render_blocks(&draft);
    assert_within_limits(&blocks);
    let all = texts(&blocks, "section").join("\n");
    assert!(
        all.contains("*Key events* (UTC)") && all.contains("*Action plan*\n• [open]"),
        "{all}"
    );
    let notes = texts(&blocks, "context").join("\n");
    for said in [
        "more key events in the attached `postmortem-inc-42-long-title",
        "more timeline entries not shown here",
        "The blameless review in `postmortem-inc-42",
        "Everything is in the attached",
    ] {
        assert!(notes.contains(said), "{said} missing in\n{notes}");
    }
    assert!(
        all.contains("more in the file"),
        "actions say how many are left out"
    );
    assert!(
        all.contains("…and") && all.contains("more"),
        "stakeholders too"
    );
}

#[test]
fn key_events_actions_and_a_generated_summary_are_in_the_message() {
    let captured = crate::postmortem::Captured::new();
    let blocks = render_blocks(&captured.draft());
    assert_within_limits(&blocks);
    let all = texts(&blocks, "section").join("\n");
    for part in [
        "_Generated from the record; edit freely._",
        "*Key events* (UTC)\n*2021-03-09*\n`09:15` _[system]_ *Glen Hammer*: Incident declared",
        "`09:20` *Susan Vega*: Checkout returns 500s since the v42 deploy",
        "• [open] Canary deploys for checkout — Susan Vega, due 2021-03-16",
        "• [done] Write the rollback runbook — Susan Vega, due 2021-03-16, <https://github.com/acme/shop/issues/7|issue>",
        "• Pages sent: 1\n• Highest escalation level reached: level 1",
        "• No team on record: Glen Hammer (Scribe), U3 (Commander)",
    ] {
        assert!(all.contains(part), "{part} missing in\n{all}");
    }
    let notes = texts(&blocks, "context").join("\n");
    assert!(
        notes.contains("*Root cause* is for the team to write there"),
        "{notes}"
    );
}
