//! The Markdown file in the default template: sections in order, and captured text
//! kept as written but unable to change the file's structure.

use super::*;
use crate::domain::{FileRef, Incident, Person, Severity, Status, TimelineEntry};
use crate::postmortem::{RESOLUTION_PROMPT, build};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, d, h, m, 0).unwrap()
}

fn incident() -> Incident {
    Incident {
        id: 42,
        title: "Checkout down".into(),
        severity: Severity::SEV1,
        status: Status::Closed,
        service: Some("checkout".into()),
        summary: Some("Payments failed &amp; retried".into()),
        lead: None,
        comms: None,
        scribe: None,
        declared_by: "U1".into(),
        declared_at: at(9, 9, 15),
        identified_at: None,
        mitigated_at: None,
        resolved_at: Some(at(9, 10, 0)),
        closed_at: Some(at(9, 10, 30)),
        resolution: None,
        channel_id: None,
        channel_name: None,
        drill: false,
    }
}

fn msg(at: DateTime<Utc>, author: &str, text: &str) -> TimelineEntry {
    TimelineEntry::message(
        42,
        at,
        Some(author.into()),
        text.into(),
        format!("{}.000100", at.timestamp()),
    )
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

fn render(entries: &[TimelineEntry]) -> String {
    render_markdown(&build(&incident(), entries, &people()))
}

#[test]
fn message_text_cannot_open_headings_tasks_quotes_or_raw_html_in_the_file() {
    let hostile = "look:\n# Heading\n- [ ] task\n> quoted\n1. listed\n```\n&lt;img src=x onerror=alert(1)&gt;";
    let mut with_file = msg(at(9, 9, 21), "U1", "evidence");
    with_file.files.push(FileRef {
        id: "F1".into(),
        name: "trap.html".into(),
        permalink: Some("javascript:alert(1)".into()),
    });
    let mut inc = incident();
    inc.summary = Some("# Summary heading\n- [ ] a task".into());
    let md = render_markdown(&build(
        &inc,
        &[msg(at(9, 9, 20), "U1", hostile), with_file],
        &people(),
    ));
    for line in md.lines() {
        let body = line.trim_start();
        let ours = ["# Postmortem:", "## ", "- ", "  - _earlier", "| "];
        if ours.iter().any(|o| line.starts_with(o)) && !line.contains("[ ] task") {
            continue;
        }
        assert!(
            !(body.starts_with('#')
                || body.starts_with("- [ ]")
                || body.starts_with('>')
                || body.starts_with("```")
                || body.starts_with("1.")),
            "message text opened a block: {line:?}\n{md}"
        );
    }
    assert!(!md.contains("<img"), "raw HTML in the file:\n{md}");
    assert!(md.contains("&lt;img src=x onerror=alert(1)&gt;"), "{md}");
    assert!(!md.contains("](javascript:"), "a script link:\n{md}");
    assert!(
        md.contains("\\# Heading"),
        "the words are kept, escaped:\n{md}"
    );
}

#[test]
fn the_document_has_every_section_of_the_default_template_in_order() {
    let md = render(&[msg(at(9, 9, 15), "U1", "hi")]);
    let headings = [
        "# Postmortem: Checkout down",
        "**Date:** 2021-03-09 09:15 UTC",
        "## Summary",
        "## Stakeholders",
        "## Key events",
        "## Impact",
        "## Action plan",
        "| Done | Action | Owner | Due |",
        "## Response metrics",
        "## Resolution",
        "## Root cause",
        "## Incident timeline",
    ];
    let mut from = 0;
    for h in headings {
        let pos = md[from..]
            .find(h)
            .unwrap_or_else(|| panic!("{h} missing:\n{md}"));
        from += pos + h.len();
    }
    // `&` as an entity: what a Markdown viewer shows as `&`.
    assert!(md.contains("Payments failed &amp; retried"), "{md}");
    assert!(md.contains("- **Duration:** 1h 15m"), "{md}");
    assert!(
        md.contains("- **Time to identified:** not recorded"),
        "{md}"
    );
    assert!(
        md.contains("- **Time to resolved:** 45m (at 2021-03-09 10:00 UTC)"),
        "{md}"
    );
    assert!(md.contains(RESOLUTION_PROMPT));
}

#[test]
fn mentions_links_and_channels_become_markdown() {
    let md = render(&[msg(
        at(9, 9, 20),
        "U1",
        "<@U1> see <https://g/x?a=1&amp;b=2|graph> and <https://y> in <#C1|ops> &lt;3",
    )]);
    assert!(
        md.contains("@Susan Vega see [graph](https://g/x?a=1&b=2) and https://y in #ops &lt;3"),
        "{md}"
    );
}

#[test]
fn edits_deletions_files_threads_and_system_events_are_all_visible() {
    let mut edited = msg(at(9, 9, 20), "U1", "fixed text");
    edited.previous_text = Some("fxied text".into());
    edited.edited_at = Some(at(9, 9, 21));
    let mut deleted = msg(at(9, 9, 22), "U1", "oops\nsecond line");
    deleted.deleted_at = Some(at(9, 9, 23));
    let mut file = msg(at(9, 9, 24), "U9", "");
    file.files.push(FileRef {
        id: "F1".into(),
        name: "app log.txt".into(),
        permalink: Some("https://files/F1".into()),
    });
    let mut reply = msg(at(9, 9, 25), "U1", "in thread");
    reply.thread_ts = edited.ts.clone();
    let system = TimelineEntry::system(42, at(9, 9, 26), "status", None, "Status x".into());
    let md = render(&[system, reply, file, deleted, edited]);

    assert!(
        md.contains(
            "- 09:20 **Susan Vega**: fixed text (edited)\n  - _earlier, 09:20:_ fxied text\n"
        ),
        "{md}"
    );
    assert!(md.contains("- 09:22 **Susan Vega**: ~~oops~~\n  ~~second line~~ (deleted)"));
    assert!(
        md.contains("- 09:24 **U9**: 📎 [app log.txt](https://files/F1)"),
        "{md}"
    );
    assert!(md.contains("  - ↳ 09:25 **Susan Vega**: in thread"), "{md}");
    assert!(
        md.contains("- 09:26 _[system]_ **Warroom**: Status x"),
        "{md}"
    );
}

#[test]
fn a_timeline_crossing_midnight_shows_each_new_date() {
    let md = render(&[
        msg(at(9, 23, 55), "U1", "late"),
        msg(at(10, 0, 5), "U1", "early"),
    ]);
    let first = md.find("**2021-03-09**").expect("first day");
    let second = md.find("**2021-03-10**").expect("second day");
    assert!(first < md.find("- 23:55 **Susan Vega**: late").unwrap());
    assert!(second < md.find("- 00:05 **Susan Vega**: early").unwrap());
    assert!(first < second);
}

#[test]
fn unknown_users_show_their_raw_id() {
    let md = render(&[msg(at(9, 9, 20), "U404", "who <@U405>")]);
    assert!(md.contains("| No team on record | U404 |"), "{md}");
    assert!(md.contains("**U404**: who @U405"), "{md}");
}

#[test]
fn names_we_insert_cannot_inject_markdown() {
    let mut p = people();
    p.insert(
        "U2".into(),
        Person {
            user_id: "U2".into(),
            name: "*bold* [x](y)".into(),
            title: None,
            kind: crate::domain::PersonKind::Human,
        },
    );
    let md = render_markdown(&build(&incident(), &[msg(at(9, 9, 20), "U2", "t")], &p));
    assert!(md.contains(r"**\*bold\* \[x\](y)**: t"), "{md}");
}
