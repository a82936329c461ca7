//! The Markdown report: what it says for the sample shift, and that outside text
//! cannot change its structure.

use super::*;
use crate::config::escalation::EscalationConfig;
use crate::report::build::assemble;
use crate::report::fixtures::{now, stored, window};

fn rendered() -> String {
    render(&assemble(
        &stored(),
        window(),
        now(),
        &EscalationConfig::empty(),
    ))
}

#[test]
fn the_report_names_its_window_in_utc_and_sums_it_up() {
    let md = rendered();
    assert!(
        md.starts_with("# On-call report: 2026-12-01 09:00 UTC to 2026-12-02 09:00 UTC\n"),
        "{md}"
    );
    assert!(
        md.contains("2 incidents (2 declared in this window, 1 resolved in it, 1 still open at its end); 3 pages sent in it, 1 acknowledged."),
        "{md}"
    );
}

#[test]
fn an_incident_shows_its_times_pages_and_resolution() {
    let md = rendered();
    for line in [
        "## #7 Checkout &amp; payments down (SEV1, resolved)",
        "- **Declared:** 2026-12-01 10:00 UTC by U3GLENHAM",
        "- **First acknowledged:** 2026-12-01 10:09 UTC by Bob Sparrow, 9m 15s after the declaration",
        "- **Resolved:** 2026-12-01 11:15 UTC, 1h 15m after the declaration",
        "- **Resolution:** Rolled back the QA build with @Karen House",
        "| 2026-12-01 10:00 UTC | Karen House (sre) | 1 | not acknowledged |  |  |  |",
        "| 2026-12-01 10:05 UTC | Bob Sparrow (sre) | 2 | 2026-12-01 10:09 UTC | Bob Sparrow | 4m 10s | Slack button |",
        "- 2026-12-01 10:05 UTC: Escalated to level 2: nobody acknowledged within 5m",
        "- 2026-12-01 10:20 UTC, Bob Sparrow: Restarted the app servers, no change",
        "- 1. Add a canary stage (owner Bob Sparrow, due 2026-12-10)",
        "- 3. Write the runbook (no owner, due 2026-11-30, overdue)",
        "## #8 Search slow (SEV3, investigating)",
        "- **First acknowledged:** no acknowledgement recorded",
        "- **Resolved:** not yet",
    ] {
        assert!(md.contains(line), "missing `{line}` in\n{md}");
    }
}

#[test]
fn an_empty_window_says_so() {
    let empty = crate::report::build::Stored::default();
    let md = render(&assemble(
        &empty,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    assert!(
        md.contains("No incidents and no pages in this window."),
        "{md}"
    );
    assert!(!md.contains("##"), "{md}");
}

#[test]
fn outside_text_cannot_add_headings_columns_html_or_lines() {
    let mut rows = stored();
    // Slack's wire format: `&lt;` is a typed `<`.
    rows.incidents[0].title =
        "x\n# Fake heading | col &lt;script&gt;alert(1)&lt;/script&gt;".into();
    rows.incidents[0].resolution = Some("*bold* [link](javascript:x) `code`\n\n- item".into());
    rows.people
        .get_mut(crate::report::fixtures::BOB)
        .unwrap()
        .name = "Bob | Evil".into();
    let md = render(&assemble(
        &rows,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    assert!(!md.contains("\n# Fake"), "{md}");
    assert!(!md.contains("<script>"), "{md}");
    assert!(
        md.contains("## #7 x \\# Fake heading \\| col &lt;script&gt;"),
        "{md}"
    );
    assert!(
        md.contains("- **Resolution:** \\*bold\\* \\[link\\](javascript:x) \\`code\\` - item\n"),
        "{md}"
    );
    // Every table row keeps its seven columns.
    for row in md.lines().filter(|l| l.starts_with("| 2026")) {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 8, "{row}");
    }
}

#[test]
fn md_escapes_inline_markers_and_entities_on_one_line() {
    assert_eq!(md("a_b*c\nd & <e>"), "a\\_b\\*c d &amp; &lt;e&gt;");
}

#[test]
fn an_incident_closed_without_a_resolve_says_its_resolve_time_is_not_recorded() {
    use crate::domain::Status;
    use crate::report::fixtures::{at, incident};
    let mut data = stored();
    let mut imported = incident(
        9,
        "Imported outage",
        crate::domain::Severity::SEV2,
        at(1, 12, 0, 0),
    );
    imported.status = Status::Closed;
    imported.closed_at = Some(at(1, 13, 0, 0));
    data.incidents.push(imported);
    let md = render(&assemble(
        &data,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    let section = md
        .split("## #9 ")
        .nth(1)
        .expect("incident #9 is in the report");
    assert!(
        section.contains("- **Resolved:** not recorded"),
        "{section}"
    );
    assert!(!section.contains("not yet"), "{section}");
}
