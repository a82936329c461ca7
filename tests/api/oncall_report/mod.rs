//! The on-call report of a window, from what the app stored as a shift went by:
//! declares, pages, an escalation, acks by button and by command, a key event, a
//! resolution and action items. Read by `report::build` and asked for with
//! `/incident report` on both backends; [`cli`] runs the `warroom report` binary, and
//! [`many`] fills a window with more incidents than one query binds.

mod cli;
mod many;

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app_at};
use crate::on_both_backends;
use crate::paging::ESCALATION;
use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use std::time::Duration;
use warroom::domain::{Person, PersonKind};
use warroom::report::{self, OncallReport, Window};

const SRE: &str = "U06SREONCL";
const NET: &str = "U02BSPARRO";
const SUPPORT: &str = "U01SVEGA00";

pub fn t(day: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, day, h, m, s).unwrap()
}

/// The shift: 2026-12-01 09:00 to 12:00 UTC.
fn shift_window() -> Window {
    Window::new(t(1, 9, 0, 0), t(1, 12, 0, 0)).unwrap()
}

pub struct Shift {
    pub app: TestApp,
    /// SEV3 declared and resolved on 2026-11-29, long before the shift.
    pub before: i64,
    /// SEV1 at 10:00: the SRE acks by button after 2m 30s; resolved at 10:15.
    pub checkout: i64,
    /// SEV1 at 11:02:30: nobody acks level one; Networking acks level two by command.
    pub search: i64,
}

async fn run_command(app: &TestApp, user: &str, channel: &str, text: &str) {
    let (status, json) = app.command(user, channel, text).await;
    assert_eq!(status, StatusCode::OK, "`{text}` answered {json}");
}

async fn wait_for_page(app: &TestApp, incident: i64, user: &str) -> i64 {
    for _ in 0..500 {
        if let Some(p) = app
            .pages(incident)
            .await
            .into_iter()
            .find(|p| p.user_id == user)
        {
            return p.id;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{user} was never paged for #{incident}");
}

pub async fn shift(backend: Backend) -> Shift {
    let start = Utc.with_ymd_and_hms(2026, 11, 29, 6, 0, 0).unwrap();
    let app = spawn_paging_app_at(backend, ESCALATION, start).await;
    app.slack.add_user(SRE, "karen", "Karen House", "SRE");
    app.slack.add_user(NET, "bob", "Bob Sparrow", "Networking");

    let before = app.declare(SRE, "Disk nearly full sev3").await;
    app.advance(Duration::from_secs(3600)).await;
    run_command(&app, SRE, &before.channel, "resolve Cleared old logs").await;
    // On to 2026-12-01 10:00.
    app.advance(Duration::from_secs(51 * 3600)).await;

    let checkout = app.declare(SRE, "Checkout down sev1").await;
    let sre_page = wait_for_page(&app, checkout.incident_id, SRE).await;
    app.advance(Duration::from_secs(150)).await;
    assert_eq!(app.click_ack(SRE, sre_page).await, StatusCode::OK);
    let ts = app
        .post_message(
            &checkout.channel,
            NET,
            "Restarted the app servers, no change",
        )
        .await;
    app.react(&checkout.channel, SRE, &ts, "pushpin").await;
    let room = checkout.channel.as_str();
    run_command(
        &app,
        SRE,
        room,
        &format!("action Add canary deploys <@{NET}|bob> due 2026-12-10"),
    )
    .await;
    run_command(&app, SRE, room, "action Write the runbook").await;
    run_command(&app, SRE, room, "action done 2").await;
    app.advance(Duration::from_secs(750)).await;
    run_command(&app, SRE, room, "resolve Rolled back the QA build").await;
    // On to 11:02:30.
    app.advance(Duration::from_secs(2850)).await;

    let search = app.declare(SRE, "Search is slow sev1").await;
    wait_for_page(&app, search.incident_id, SRE).await;
    app.advance(Duration::from_secs(300)).await;
    wait_for_page(&app, search.incident_id, NET).await;
    wait_for_page(&app, search.incident_id, SUPPORT).await;
    app.advance(Duration::from_secs(70)).await;
    run_command(&app, NET, &search.channel, "ack").await;
    app.outbox_drained().await;

    // The names the report shows: the people cache as Slack lookups leave it, set
    // last so no lookup can change it. Support is not in it.
    let mut tx = app.store.begin().await.unwrap();
    for (id, name) in [(SRE, "Karen House"), (NET, "Bob Sparrow")] {
        let person = Person {
            user_id: id.into(),
            name: name.into(),
            title: None,
            kind: PersonKind::Human,
        };
        tx.upsert_person(&person, app.clock.now()).await.unwrap();
    }
    tx.commit().await.unwrap();
    Shift {
        before: before.incident_id,
        checkout: checkout.incident_id,
        search: search.incident_id,
        app,
    }
}

async fn report_of(app: &TestApp, window: Window) -> OncallReport {
    let config = app.state.settings.paging.escalation.clone();
    report::build(&app.store, window, app.clock.now(), &config)
        .await
        .unwrap()
}

async fn the_report_says_who_was_paged_who_acked_how_fast_and_what_is_left(backend: Backend) {
    let s = shift(backend).await;
    let r = report_of(&s.app, shift_window()).await;

    let ids: Vec<i64> = r.incidents.iter().map(|i| i.id).collect();
    assert_eq!(
        ids,
        [s.checkout, s.search],
        "the incident of 11-29 is outside"
    );

    let checkout = &r.incidents[0];
    assert_eq!(checkout.declared_at, t(1, 10, 0, 0));
    assert_eq!(checkout.pages.len(), 1);
    let page = &checkout.pages[0];
    assert_eq!(page.person.name, "Karen House");
    assert_eq!(page.team.as_deref(), Some("SRE on call"));
    assert_eq!(page.level, Some(1));
    assert_eq!(page.acked_by.as_ref().map(|p| p.id.as_str()), Some(SRE));
    assert_eq!(
        page.ack_after.as_ref().map(|e| e.text.as_str()),
        Some("2m 30s")
    );
    assert_eq!(page.ack_via.as_deref(), Some("Slack button"));
    let first = checkout.first_ack.as_ref().expect("acknowledged");
    assert_eq!(
        (first.by.name.as_str(), first.after_declared.seconds),
        ("Karen House", 150)
    );
    assert_eq!(checkout.resolved_at, Some(t(1, 10, 15, 0)));
    assert_eq!(
        checkout.time_to_resolve.as_ref().map(|e| e.text.as_str()),
        Some("15m")
    );
    assert_eq!(
        checkout.resolution.as_deref(),
        Some("Rolled back the QA build")
    );
    let items: Vec<(i64, &str, Option<&str>)> = checkout
        .open_actions
        .iter()
        .map(|a| {
            (
                a.seq,
                a.text.as_str(),
                a.owner.as_ref().map(|o| o.name.as_str()),
            )
        })
        .collect();
    assert_eq!(
        items,
        [(1, "Add canary deploys", Some("Bob Sparrow"))],
        "the done item is left out"
    );
    assert_eq!(
        checkout.open_actions[0]
            .due
            .map(|d| d.to_string())
            .as_deref(),
        Some("2026-12-10")
    );
    assert!(
        checkout.key_events.iter().any(|e| e.kind == "message"
            && e.text == "Restarted the app servers, no change"
            && e.author.as_ref().is_some_and(|a| a.name == "Bob Sparrow")),
        "{:#?}",
        checkout.key_events
    );

    let search = &r.incidents[1];
    assert!(search.open);
    // (name, level, acked after, via) of each page.
    type Answer<'a> = (&'a str, Option<i64>, Option<&'a str>, Option<&'a str>);
    let answers: Vec<Answer> = search
        .pages
        .iter()
        .map(|p| {
            (
                p.person.name.as_str(),
                p.level,
                p.ack_after.as_ref().map(|e| e.text.as_str()),
                p.ack_via.as_deref(),
            )
        })
        .collect();
    assert_eq!(answers.len(), 3, "{answers:?}");
    assert!(
        answers.contains(&("Karen House", Some(1), None, None)),
        "{answers:?}"
    );
    assert!(
        answers.contains(&(
            "Bob Sparrow",
            Some(2),
            Some("1m 10s"),
            Some("/incident ack")
        )),
        "{answers:?}"
    );
    assert!(
        answers.contains(&(SUPPORT, Some(2), None, None)),
        "not in the people cache: {answers:?}"
    );
    let first = search.first_ack.as_ref().expect("acknowledged");
    assert_eq!(
        (first.by.name.as_str(), first.after_declared.text.as_str()),
        ("Bob Sparrow", "6m 10s")
    );
    assert!(
        search
            .escalations
            .iter()
            .any(|e| e.text.starts_with("Escalated to level 2")),
        "{:#?}",
        search.escalations
    );
    assert_eq!(
        (r.totals.incidents, r.totals.pages, r.totals.pages_acked),
        (2, 4, 2)
    );
    assert_eq!(r.totals.open_at_end, 1);
}
on_both_backends!(
    the_report_says_who_was_paged_who_acked_how_fast_and_what_is_left,
    the_report_says_who_was_paged_who_acked_how_fast_and_what_is_left
);

async fn the_window_ends_keep_out_what_happened_outside_them(backend: Backend) {
    let s = shift(backend).await;
    let morning = report_of(&s.app, Window::new(t(1, 9, 0, 0), t(1, 11, 0, 0)).unwrap()).await;
    let ids: Vec<i64> = morning.incidents.iter().map(|i| i.id).collect();
    assert_eq!(ids, [s.checkout], "search began after 11:00");

    let later = report_of(
        &s.app,
        Window::new(t(1, 10, 30, 0), t(1, 12, 0, 0)).unwrap(),
    )
    .await;
    let ids: Vec<i64> = later.incidents.iter().map(|i| i.id).collect();
    assert_eq!(ids, [s.search], "checkout was resolved at 10:15");

    let at_the_end = report_of(
        &s.app,
        Window::new(t(1, 10, 15, 0), t(1, 10, 16, 0)).unwrap(),
    )
    .await;
    let ids: Vec<i64> = at_the_end.incidents.iter().map(|i| i.id).collect();
    assert_eq!(
        ids,
        [s.checkout],
        "resolved in the window: it was open at its start"
    );

    let that_weekend = report_of(
        &s.app,
        Window::new(t(1, 0, 0, 0) - chrono::TimeDelta::days(3), t(1, 0, 0, 0)).unwrap(),
    )
    .await;
    let ids: Vec<i64> = that_weekend.incidents.iter().map(|i| i.id).collect();
    assert_eq!(ids, [s.before]);
    assert_eq!(
        that_weekend.incidents[0].resolution.as_deref(),
        Some("Cleared old logs")
    );
}
on_both_backends!(
    the_window_ends_keep_out_what_happened_outside_them,
    the_window_ends_keep_out_what_happened_outside_them
);

async fn the_slash_command_answers_only_the_asker_with_the_last_day(backend: Backend) {
    let s = shift(backend).await;
    let day = s.app.ephemeral(NET, "C0INCIDENTS", "report").await;
    assert!(
        day.contains("*On-call report*, 2026-11-30 11:08 UTC to 2026-12-01 11:08 UTC"),
        "{day}"
    );
    assert!(
        day.contains("Search is slow") && day.contains("Checkout down"),
        "{day}"
    );
    assert!(!day.contains("Disk nearly full"), "{day}");
    assert!(
        day.contains("Karen House (level 1, acked after 2m 30s via Slack button)"),
        "{day}"
    );
    assert!(
        day.contains("Bob Sparrow (level 2, acked after 1m 10s via /incident ack)"),
        "{day}"
    );
    assert!(
        day.contains("Resolution: Rolled back the QA build"),
        "{day}"
    );
    assert!(
        day.find("Search is slow") < day.find("Checkout down"),
        "open first: {day}"
    );

    let week = s.app.ephemeral(NET, "C0INCIDENTS", "report 7d").await;
    assert!(week.contains("Disk nearly full"), "{week}");

    let bad = s.app.ephemeral(NET, "C0INCIDENTS", "report lots").await;
    assert!(
        bad.contains("is not a length of time")
            && bad.contains("Usage: `/incident report [24h|7d]`"),
        "{bad}"
    );
}
on_both_backends!(
    the_slash_command_answers_only_the_asker_with_the_last_day,
    the_slash_command_answers_only_the_asker_with_the_last_day
);
