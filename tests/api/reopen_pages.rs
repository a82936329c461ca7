//! A resolved incident that comes back is paged again. Resolving stands the paging
//! down (escalation cancelled, provider alerts resolved); reopening it, by hand or by
//! its alert firing again within the flap window, starts a new paging round: new
//! page DMs, a new provider alert, and an escalation that only an ack given after
//! the reopen stops.

use crate::alerts::{A, ago, alerting_app, alertmanager};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app};
use crate::on_both_backends;
use crate::page_dms::pages_shown;
use crate::paging::ESCALATION;
use chrono::Utc;
use reqwest::StatusCode;
use std::time::Duration;
use warroom_fakes::pagerduty::{AlertStatus, FakePagerDuty};

const SRE: &str = "U06SREONCL";
const NET: &str = "U02BSPARRO";
const MANAGER: &str = "U07ENGMGR0";
const MIN: u64 = 60;

async fn app(backend: Backend) -> TestApp {
    let app = spawn_paging_app(backend, ESCALATION).await;
    app.slack.add_user(SRE, "oncall", "On-call SRE", "SRE");
    app.slack
        .add_user(NET, "bsparrow", "Bob Sparrow", "Networking");
    app
}

/// The PagerDuty dedup keys triggered so far, in order.
fn triggers(app: &TestApp) -> Vec<String> {
    app.pagers()
        .pagerduty
        .events()
        .iter()
        .filter(|e| e.body["event_action"] == "trigger")
        .map(|e| e.body["dedup_key"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Whether PagerDuty has heard two triggers (or more: then the assertions say so).
fn two_triggers(pd: &FakePagerDuty) -> bool {
    pd.events()
        .iter()
        .filter(|e| e.body["event_action"] == "trigger")
        .count()
        >= 2
}

/// Waits for the escalation worker to page level one of the reopened incident's new
/// round (it does so on its own time), then checks PagerDuty got a second alert of
/// its own, not a duplicate of the resolved one.
async fn second_round_triggered(app: &TestApp, id: i64) {
    app.pagers()
        .pagerduty
        .wait_for("the second round's trigger", two_triggers)
        .await;
    app.outbox_drained().await;
    assert_eq!(
        triggers(app),
        vec![
            format!("warroom-incident-{id}-sre"),
            format!("warroom-incident-{id}-sre-r1")
        ],
        "a second PagerDuty alert, not a duplicate of the resolved one"
    );
}

/// The one page of `user` not yet acknowledged.
async fn unacked_page(app: &TestApp, id: i64, user: &str) -> i64 {
    let open: Vec<i64> = app
        .pages(id)
        .await
        .into_iter()
        .filter(|p| p.user_id == user && p.acked_at.is_none())
        .map(|p| p.id)
        .collect();
    assert_eq!(open.len(), 1, "one open page for {user}: {open:?}");
    open[0]
}

async fn an_incident_set_back_to_investigating_after_resolving_pages_again(backend: Backend) {
    let app = app(backend).await;
    let inc = app.declare(SRE, "Checkout down sev1").await;
    let (id, room) = (inc.incident_id, inc.channel);
    app.slack
        .wait_for("the first round's DM", |s| !s.dms_to(SRE).is_empty())
        .await;
    app.outbox_drained().await;
    app.advance(Duration::from_secs(2 * MIN)).await;
    let first = unacked_page(&app, id, SRE).await;
    assert_eq!(app.click_ack(SRE, first).await, StatusCode::OK);
    app.command(SRE, &room, "resolve rolled back the deploy")
        .await;
    app.outbox_drained().await;
    let pd = app.pagers().pagerduty.clone();
    assert!(pd.open_alerts().is_empty(), "{:?}", pd.alerts());

    // It comes back ten minutes later.
    app.advance(Duration::from_secs(10 * MIN)).await;
    let (status, _) = app
        .command(SRE, &room, "status investigating errors are back")
        .await;
    assert_eq!(status, StatusCode::OK);
    second_round_triggered(&app, id).await;
    let open = pd.open_alerts();
    assert_eq!(
        open.iter()
            .map(|a| (a.dedup_key.clone(), a.status))
            .collect::<Vec<_>>(),
        vec![(
            format!("warroom-incident-{id}-sre-r1"),
            AlertStatus::Triggered
        )]
    );
    let second = unacked_page(&app, id, SRE).await;
    assert_ne!(second, first, "a new page record for the new round");
    app.slack
        .wait_for("the second round's page in the DM", |s| {
            pages_shown(s, SRE).len() == 2
        })
        .await;
    let timeline = app.entries(id).await;
    assert!(
        timeline.iter().any(|e| e
            .text
            .contains("Escalation restarted: the incident reopened")),
        "{timeline:#?}"
    );

    // The ack of the first round does not count: level two goes out at 5m.
    app.advance(Duration::from_secs(5 * MIN + 1)).await;
    assert_eq!(pages_shown(&app.slack, NET).len(), 1, "level two paged");

    // An ack of this round stops it.
    assert_eq!(app.click_ack(SRE, second).await, StatusCode::OK);
    app.outbox_drained().await;
    assert_eq!(
        pd.alert(&format!("warroom-incident-{id}-sre-r1"))
            .map(|a| a.status),
        Some(AlertStatus::Acknowledged)
    );
    app.advance(Duration::from_secs(60 * MIN)).await;
    assert!(
        pages_shown(&app.slack, MANAGER).is_empty(),
        "acked in this round: level three never goes out"
    );
    app.stop().await;
}
on_both_backends!(
    an_incident_set_back_to_investigating_after_resolving_pages_again,
    an_incident_set_back_to_investigating_after_resolving_pages_again
);

async fn an_alert_firing_again_within_the_flap_window_pages_again(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let db = |at| {
        let mut a = A::firing("ReplicationLag", "f-db", at)
            .label("team", "db")
            .label("instance", "db-7");
        a.starts_at = at;
        a
    };
    let first = app
        .alertmanager(&alertmanager("Db", &[db(ago(now, 3))], now))
        .await;
    let id = first["incident_id"].as_i64().expect("declared");
    app.pagers()
        .pagerduty
        .wait_for("the first trigger", |p| !p.events().is_empty())
        .await;
    app.outbox_drained().await;
    assert_eq!(triggers(&app).len(), 1, "paged once on declare");

    // Auto-resolved at the source, then firing again inside the 10-minute window.
    app.alertmanager(&alertmanager("Db", &[db(ago(now, 3)).resolved()], now))
        .await;
    app.advance(Duration::from_secs(5 * MIN)).await;
    let later = app.clock.now();
    let answer = app
        .alertmanager(&alertmanager("Db", &[db(later)], later))
        .await;
    assert_eq!(answer["reopened"], true, "{answer}");
    second_round_triggered(&app, id).await;
    let pages = app.pages(id).await;
    assert_eq!(
        pages.iter().filter(|p| p.user_id == SRE).count(),
        2,
        "the on-call SRE is paged in each round: {pages:#?}"
    );
    app.stop().await;
}
on_both_backends!(
    an_alert_firing_again_within_the_flap_window_pages_again,
    an_alert_firing_again_within_the_flap_window_pages_again
);
