//! The draft as a whole: ordering, stakeholders, days, file names, the summary, key
//! events and the blameless review.

use super::fixtures::*;
use super::*;
use crate::domain::PersonKind;
use chrono::TimeZone;

#[test]
fn bots_and_ids_nobody_knows_are_not_stakeholders() {
    let mut people = people();
    for (id, kind) in [
        ("U0BOTUSER1", PersonKind::Bot),
        ("U0GHOST001", PersonKind::Unknown),
    ] {
        let p = Person {
            user_id: id.into(),
            name: id.into(),
            title: None,
            kind,
        };
        people.insert(id.into(), p);
    }
    let entries = [
        msg(at(9, 16), "U1", "on it"),
        msg(at(9, 17), "B0GRAFANA1", "CPU 99%"),
        msg(at(9, 18), "U0BOTUSER1", "deploy finished"),
        msg(at(9, 19), "U0GHOST001", "who"),
        msg(at(9, 20), "USLACKBOT", "reminder"),
    ];
    let draft = build(&incident(), &entries, &people);
    let ids: Vec<_> = draft
        .stakeholders
        .iter()
        .map(|s| s.user_id.as_str())
        .collect();
    assert_eq!(ids, ["U2", "U1", "U3"]);
    assert_eq!(draft.timeline.len(), 5, "their posts stay in the timeline");
}

#[test]
fn entries_are_sorted_by_time_then_ts_whatever_order_they_arrive_in() {
    let mut a = msg(at(9, 20), "U1", "second");
    a.ts = Some("1615281600.000002".into());
    let mut b = msg(at(9, 20), "U1", "first");
    b.ts = Some("1615281600.000001".into());
    let c = msg(at(9, 16), "U1", "zeroth");
    let draft = build(&incident(), &[a, b, c], &people());
    let texts: Vec<_> = draft.timeline.iter().map(|l| l.text.plain()).collect();
    assert_eq!(texts, ["zeroth", "first", "second"]);
}

#[test]
fn stakeholders_are_deduplicated_with_titles_in_order_of_first_appearance() {
    let entries = [
        msg(at(9, 10), "U1", "early report"),
        msg(at(9, 20), "U9", "who am i"),
        msg(at(9, 21), "U1", "again"),
    ];
    let draft = build(&incident(), &entries, &people());
    let labels: Vec<_> = draft.stakeholders.iter().map(Stakeholder::label).collect();
    assert_eq!(
        labels,
        [
            "Susan Vega — Customer Support",
            "Glen Hammer",
            "U9",
            "U3 (Commander)"
        ]
    );
}

#[test]
fn days_are_marked_where_the_timeline_crosses_midnight() {
    let late = Utc.with_ymd_and_hms(2021, 3, 9, 23, 55, 0).unwrap();
    let early = Utc.with_ymd_and_hms(2021, 3, 10, 0, 5, 0).unwrap();
    let entries = [
        msg(late, "U1", "a"),
        msg(late, "U1", "b"),
        msg(early, "U1", "c"),
    ];
    let draft = build(&incident(), &entries, &people());
    let starts: Vec<_> = draft.timeline.iter().map(|l| l.starts_day).collect();
    assert_eq!(starts, [true, false, true]);
}

#[test]
fn file_names_are_slugged_and_safe() {
    let mut inc = incident();
    assert_eq!(file_name(&inc), "postmortem-inc-42-checkout-down.md");
    inc.title = "💥 ../../etc/passwd".into();
    assert_eq!(file_name(&inc), "postmortem-inc-42-etc-passwd.md");
    inc.title = "💥".into();
    assert_eq!(file_name(&inc), "postmortem-inc-42.md");
}

#[test]
fn the_duration_agrees_with_the_start_and_end_times_shown() {
    let mut inc = incident();
    inc.declared_at = Utc.with_ymd_and_hms(2021, 3, 9, 13, 1, 5).unwrap();
    inc.identified_at = Some(Utc.with_ymd_and_hms(2021, 3, 9, 13, 4, 0).unwrap());
    inc.closed_at = Some(Utc.with_ymd_and_hms(2021, 3, 9, 13, 10, 0).unwrap());
    let markdown = super::super::render_markdown(&build(&inc, &[], &people()));
    for shown in [
        "**Start:** 2021-03-09 13:01 UTC",
        "**End:** 2021-03-09 13:10 UTC",
        "**Duration:** 9m",
        "**Time to identified:** 3m (at 2021-03-09 13:04 UTC)",
    ] {
        assert!(
            markdown.contains(shown),
            "{shown} missing from:\n{markdown}"
        );
    }
}

#[test]
fn a_team_summary_is_kept_and_a_missing_one_is_generated_from_the_record() {
    let mut inc = incident();
    inc.summary = Some("Payments failed".into());
    let draft = build(&inc, &[], &people());
    assert_eq!(draft.summary.text.plain(), "Payments failed");
    assert!(!draft.summary.generated);
    inc.summary = Some("  ".into());
    assert!(build(&inc, &[], &people()).summary.generated);
}

#[test]
fn the_generated_summary_of_a_captured_incident_states_only_recorded_facts() {
    let captured = Captured::new();
    let draft = captured.draft();
    assert_eq!(
        draft.summary.text.plain(),
        "SEV2 incident “Checkout down!”, affecting checkout, from 2021-03-09 09:15 UTC to \
         2021-03-09 10:30 UTC (1h 15m). 3 people took part, 1 of them from 1 team. It was \
         identified at 2021-03-09 09:45 UTC and resolved at 2021-03-09 10:00 UTC. \
         Resolution, in the team's words: “Rolled back deploy v42.”"
    );
    assert_summary_is_factual(&draft, &captured.facts());
}

#[test]
fn a_sparse_record_gives_a_shorter_summary_without_unknowns() {
    let mut inc = incident();
    inc.status = Status::Investigating;
    inc.identified_at = None;
    inc.lead = None;
    let draft = build(&inc, &[], &people());
    assert_eq!(
        draft.summary.text.plain(),
        "SEV2 incident “Checkout down!”, from 2021-03-09 09:15 UTC; it is investigating. \
         1 person took part."
    );
    assert_summary_is_factual(&draft, &Facts::new(&inc, &[], &people()));
}

#[test]
fn the_factual_check_fails_on_a_number_or_name_the_record_does_not_hold() {
    let captured = Captured::new();
    for invented in ["7 people took part.", "Caused by Kubernetes."] {
        let mut draft = captured.draft();
        draft
            .summary
            .text
            .0
            .push(crate::postmortem::Span::Text(format!(" {invented}")));
        let facts = captured.facts();
        let caught = std::panic::catch_unwind(|| assert_summary_is_factual(&draft, &facts));
        assert!(caught.is_err(), "{invented} passed the check");
    }
}

#[test]
fn the_resolution_is_quoted_on_one_line_with_its_links_kept() {
    let mut inc = incident();
    inc.resolution = Some("Rolled back.\n\nSee <https://x/pr/1|the PR>".into());
    let draft = build(&inc, &[], &people());
    let spans = &draft.summary.text.0;
    assert!(
        draft
            .summary
            .text
            .plain()
            .ends_with("“Rolled back. See the PR”"),
        "{spans:?}"
    );
    assert!(
        spans
            .iter()
            .any(|s| matches!(s, crate::postmortem::Span::Link { .. }))
    );
}

#[test]
fn key_events_are_key_system_kinds_and_marked_messages_in_order() {
    let draft = Captured::new().draft();
    let keys: Vec<String> = draft.key_events().map(|l| l.text.plain()).collect();
    assert_eq!(
        keys,
        [
            "Incident declared: Checkout down! (SEV2)",
            "Checkout returns 500s since the v42 deploy",
            "Resolved: Rolled back deploy v42."
        ]
    );
    assert_eq!(draft.timeline.len(), 5, "the full timeline stays");
}

#[test]
fn the_review_flags_captured_words_with_their_source_and_never_changes_them() {
    let captured = Captured::new();
    let draft = captured.draft();
    let got: Vec<(&str, &str)> = draft
        .review
        .iter()
        .map(|f| (f.phrase.as_str(), f.source.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("broke", "Glen Hammer at 09:40"),
            ("human error", "Glen Hammer at 09:40")
        ]
    );
    assert!(
        draft
            .timeline
            .iter()
            .any(|l| l.text.plain() == "Glen broke it, human error")
    );
}

#[test]
fn the_review_reads_impact_actions_summary_and_resolution_with_the_configured_phrases() {
    let mut captured = Captured::new();
    captured.incident.summary = Some("A careless deploy".into());
    captured.incident.resolution = Some("Rolled back the careless deploy".into());
    captured.impacts[0].text = "Orders stopped: careless".into();
    captured.actions[0].text = "Stop being careless".into();
    let phrases = [crate::postmortem::BlamePhrase {
        pattern: "careless".into(),
        question: "What made it easy?".into(),
    }];
    let mut facts = captured.facts();
    facts.phrases = &phrases;
    let sources: Vec<String> = facts.build().review.into_iter().map(|f| f.source).collect();
    assert_eq!(
        sources,
        [
            "the summary",
            "impact statement 1, Susan Vega at 10:01",
            "action item 1",
            "the resolution"
        ]
    );
}
