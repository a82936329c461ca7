//! The Slack reply: what it says, what it escapes, and how it stays within Slack's
//! limit when a window holds more than fits.

use super::*;
use crate::config::escalation::EscalationConfig;
use crate::domain::Severity;
use crate::report::build::assemble;
use crate::report::fixtures::{KAREN, at, incident, now, page, stored, window};

fn reply() -> String {
    render(&assemble(
        &stored(),
        window(),
        now(),
        &EscalationConfig::empty(),
    ))
}

#[test]
fn the_reply_puts_open_incidents_first_and_says_who_answered_how_fast() {
    let text = reply();
    let open = text.find("*#8 Search slow*").expect("#8 shown");
    let resolved = text
        .find("*#7 Checkout &amp; payments down*")
        .expect("#7 shown");
    assert!(open < resolved, "{text}");
    for part in [
        "2 incidents (2 declared in this window",
        "Paged: Karen House (level 1, not acknowledged), Bob Sparrow (level 2, acked after 4m 10s via Slack button)",
        "first ack 2026-12-01 10:09 UTC by Bob Sparrow after 9m 15s",
        "resolved 2026-12-01 11:15 UTC after 1h 15m",
        "Resolution: Rolled back the QA build with @Karen House",
        "Open action items: 1. Add a canary stage (Bob Sparrow, due 2026-12-10); 3. Write the runbook (no owner, overdue since 2026-11-30)",
        "Key events: 2026-12-01 10:20 UTC Bob Sparrow: Restarted the app servers, no change",
        "<#C0INC0007>",
    ] {
        assert!(text.contains(part), "missing `{part}` in\n{text}");
    }
}

#[test]
fn text_from_slack_and_alerts_cannot_ping_or_link() {
    let mut rows = stored();
    rows.incidents[0].title = "&lt;!channel&gt; wake up".into();
    rows.incidents[0].resolution = Some("see <javascript:alert(1)|this>".into());
    let text = render(&assemble(
        &rows,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    assert!(!text.contains("<!channel>"), "{text}");
    assert!(text.contains("&lt;!channel&gt; wake up"), "{text}");
    assert!(!text.contains("<javascript:"), "{text}");
    // The reply is escaped once more as it is sent; that changes nothing.
    assert_eq!(echo(&text), text);
}

/// A window of `n` open SEV2 incidents, each paged once.
fn busy_window(n: i64) -> crate::report::build::Stored {
    let mut rows = crate::report::build::Stored::default();
    for id in 1..=n {
        let title = format!(
            "Incident number {id} with a fairly long title {}",
            "x".repeat(60)
        );
        rows.incidents
            .push(incident(id, &title, Severity::SEV2, at(1, 10, 0, 0)));
        rows.pages
            .push(page(id, id, KAREN, Some(0), at(1, 10, 0, 0)));
    }
    rows
}

#[test]
fn a_long_report_is_cut_honestly_within_slacks_limit() {
    let report = assemble(
        &busy_window(80),
        window(),
        now(),
        &EscalationConfig::empty(),
    );
    let text = render(&report);
    assert!(
        slack_len(&text) <= MAX_REPLY_CHARS,
        "{} units",
        slack_len(&text)
    );
    let shown = text.matches("\n\n*#").count();
    assert!(shown > 0 && shown < 80, "{shown} shown");
    assert!(
        text.ends_with(&format!(
            "… and {} more; run `warroom report --since 2026-12-01T09:00:00Z --until 2026-12-02T09:00:00Z` for all of them.",
            plural(80 - shown, "incident")
        )),
        "{text}"
    );
}

#[test]
fn a_report_that_fits_is_not_cut() {
    let report = assemble(&busy_window(2), window(), now(), &EscalationConfig::empty());
    let text = render(&report);
    assert_eq!(text.matches("\n\n*#").count(), 2);
    assert!(!text.contains("more; run"), "{text}");
}

#[test]
fn long_lists_and_texts_are_bounded_per_incident() {
    let mut rows = stored();
    for n in 0..20 {
        rows.pages
            .push(page(100 + n, 8, KAREN, Some(0), at(1, 21, 0, 0)));
    }
    rows.incidents[1].resolution = Some("word ".repeat(400));
    let text = render(&assemble(
        &rows,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    assert!(text.contains("(and 15 more)"), "{text}");
    let resolution = text
        .lines()
        .find(|l| l.starts_with("Resolution: word"))
        .unwrap();
    assert!(
        resolution.chars().count() <= "Resolution: ".len() + MAX_QUOTE_CHARS,
        "{resolution}"
    );
    assert!(slack_len(&text) <= MAX_REPLY_CHARS);
}

#[test]
fn an_empty_window_says_so_in_one_line_or_two() {
    let empty = crate::report::build::Stored::default();
    let text = render(&assemble(
        &empty,
        window(),
        now(),
        &EscalationConfig::empty(),
    ));
    assert_eq!(
        text,
        "*On-call report*, 2026-12-01 09:00 UTC to 2026-12-02 09:00 UTC\nNo incidents and no pages in this window."
    );
}
