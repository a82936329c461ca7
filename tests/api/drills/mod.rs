//! Drills: `/incident drill` declares a practice incident that says DRILL in its war
//! room's name, topic, pinned summary, page DMs and postmortem; pages nobody through
//! a provider unless `[drills] page_providers` is on; stays out of the metrics and
//! trends; and never changes kind. The Wheel of Misfortune replay is [`replay`], the
//! `warroom drill` command line [`cli`].

mod cli;
mod replay;

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app, spawn_paging_app_with};
use crate::metrics::{scrape, value};
use crate::paging::ESCALATION;
use chrono::Duration as ChronoDuration;

const SRE: &str = "U06SREONCL";

async fn app(backend: Backend) -> TestApp {
    let app = spawn_paging_app(backend, ESCALATION).await;
    app.slack.add_user(SRE, "oncall", "On-call SRE", "SRE");
    app
}

/// Declares a drill from the incidents channel; returns its number and war room.
async fn drill(app: &TestApp, args: &str) -> (i64, String) {
    drill_by(app, SRE, args).await
}

/// Declares a drill as `user` from the incidents channel; returns its number and war
/// room.
pub async fn drill_by(app: &TestApp, user: &str, args: &str) -> (i64, String) {
    let answer = app
        .ephemeral(user, "C0INCIDENTS", &format!("drill {args}"))
        .await;
    assert!(answer.contains("Declared DRILL #"), "{answer}");
    let id: i64 = answer
        .split("DRILL #")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .expect("the answer names the drill's number");
    (id, app.war_room_of(id).await)
}

fn channel_name(app: &TestApp, id: &str) -> String {
    app.slack
        .channels()
        .into_iter()
        .find(|c| c.id == id)
        .expect("the war room exists")
        .name
}

async fn a_drill_says_drill_everywhere_pages_by_dm_only_and_stays_out_of_metrics(backend: Backend) {
    let app = app(backend).await;
    let real = app.declare(SRE, "Checkout down sev1").await;
    let (id, room) = drill(&app, "Database failover sev1").await;

    assert!(app.incident(id).await.drill);
    assert!(!app.incident(real.incident_id).await.drill);
    let name = channel_name(&app, &room);
    assert!(name.starts_with("drill-inc-"), "{name}");
    assert!(!channel_name(&app, &real.channel).starts_with("drill-"));
    let topic = app.slack.topic_of(&room).unwrap_or_default();
    assert!(topic.starts_with("DRILL | SEV1 |"), "{topic}");
    let pinned = app.slack.pins_in(&room)[0].clone();
    let summary = app
        .slack
        .messages_in(&room)
        .into_iter()
        .find(|m| m.ts == pinned)
        .expect("the pinned summary");
    assert!(summary.text.starts_with("[DRILL] "), "{}", summary.text);
    let blocks = summary.blocks.unwrap().to_string();
    assert!(blocks.contains("DRILL #"), "{blocks}");

    // Level one pages the SRE team: by Slack DM, marked, and through PagerDuty only
    // for the real incident.
    app.slack
        .wait_for("both page DMs", |s| {
            s.dms_to(SRE).iter().any(|m| {
                m.text.contains("[DRILL]")
                    || m.blocks.iter().any(|b| b.to_string().contains("DRILL"))
            })
        })
        .await;
    app.outbox_drained().await;
    let dms: Vec<String> = app
        .slack
        .dms_to(SRE)
        .iter()
        .map(|m| format!("{} {}", m.text, m.blocks.clone().unwrap_or_default()))
        .collect();
    assert!(
        dms.iter()
            .any(|d| d.contains(&format!("[DRILL] *SEV1* incident #{id}"))),
        "{dms:#?}"
    );
    let pagers = app.pagers();
    let dedups: Vec<String> = pagers
        .pagerduty
        .events()
        .iter()
        .map(|e| e.body["dedup_key"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        dedups,
        vec![format!("warroom-incident-{}-sre", real.incident_id)],
        "only the real incident reached PagerDuty"
    );
    assert!(pagers.opsgenie.requests().is_empty());
    assert!(pagers.webhook.requests().is_empty());

    // Metrics count the real incident only; the open gauge too.
    let s = scrape(&app).await;
    let declared = value(
        &s,
        "warroom_incidents_declared_total",
        &[("severity", "sev1"), ("source", "command")],
    );
    assert_eq!(declared, 1.0, "the drill is not counted");
    let open = value(
        &s,
        "warroom_incidents_open",
        &[("severity", "sev1"), ("status", "investigating")],
    );
    assert_eq!(open, 1.0, "the open drill is not counted");

    // The trends read the real incident only.
    let now = app.clock.now();
    let mut tx = app.store.read().await.unwrap();
    let rows = tx
        .trend_rows(now - ChronoDuration::days(1), now + ChronoDuration::days(1))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");

    // Resolved and closed, it stays out of time-to-resolve, and its postmortem says
    // DRILL in its title.
    let answer = app
        .command_text(SRE, &room, "resolve failed back by hand")
        .await;
    assert!(!answer.contains(":warning:"), "{answer}");
    app.command_text(SRE, &room, "close").await;
    assert!(app.incident(id).await.drill, "closing keeps it a drill");
    let s = scrape(&app).await;
    assert_eq!(
        value(
            &s,
            "warroom_time_to_resolve_seconds_count",
            &[("severity", "sev1")]
        ),
        0.0
    );
    let style = warroom::postmortem::Style::default();
    let md = warroom::cli::draft_markdown(
        &app.store,
        id,
        &warroom::config::escalation::EscalationConfig::empty(),
        &style,
    )
    .await
    .unwrap();
    let title = md.lines().next().unwrap_or_default();
    // Markdown shows `\[DRILL\]` as [DRILL].
    assert!(
        title.starts_with(r"# Postmortem: \[DRILL\] Database failover"),
        "{title}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_drill_on_sqlite_says_drill_everywhere_pages_by_dm_only_and_stays_out_of_metrics() {
    a_drill_says_drill_everywhere_pages_by_dm_only_and_stays_out_of_metrics(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_drill_on_postgres_says_drill_everywhere_pages_by_dm_only_and_stays_out_of_metrics() {
    a_drill_says_drill_everywhere_pages_by_dm_only_and_stays_out_of_metrics(Backend::Postgres)
        .await;
}

async fn with_page_providers_on_a_drill_reaches_pagerduty(backend: Backend) {
    let app = spawn_paging_app_with(backend, ESCALATION, chrono::Utc::now(), |s, _, _| {
        s.drills.page_providers = true;
    })
    .await;
    app.slack.add_user(SRE, "oncall", "On-call SRE", "SRE");
    let (id, _) = drill(&app, "Pager chain test sev1").await;
    app.pagers()
        .pagerduty
        .wait_for("the drill's PagerDuty trigger", |pd| {
            pd.events().iter().any(|e| {
                e.body["dedup_key"] == format!("warroom-incident-{id}-sre")
                    && e.body["event_action"] == "trigger"
            })
        })
        .await;
    assert!(!app.slack.dms_to(SRE).is_empty(), "the DM goes too");
    app.stop().await;
}

#[tokio::test]
async fn with_page_providers_on_a_drill_on_sqlite_reaches_pagerduty() {
    with_page_providers_on_a_drill_reaches_pagerduty(Backend::Sqlite).await;
}

#[tokio::test]
async fn with_page_providers_on_a_drill_on_postgres_reaches_pagerduty() {
    with_page_providers_on_a_drill_reaches_pagerduty(Backend::Postgres).await;
}

async fn no_incident_changes_kind(backend: Backend) {
    let app = app(backend).await;
    let real = app.declare(SRE, "Search slow sev3").await;
    let answer = app
        .ephemeral(SRE, &real.channel, "drill Search slow practice")
        .await;
    assert!(
        answer.contains("a real incident") && answer.contains("/incident declare"),
        "{answer}"
    );
    let (id, room) = drill(&app, "Queue backlog sev3").await;
    assert_eq!(
        id,
        real.incident_id + 1,
        "the refused drill declared nothing"
    );
    let answer = app.ephemeral(SRE, &room, "drill Queue backlog").await;
    assert!(answer.contains("a drill and stays one"), "{answer}");
    // Changes that write the incident back leave its kind alone.
    app.command_text(SRE, &room, "sev 2").await;
    app.command_text(SRE, &real.channel, "sev 2").await;
    assert!(app.incident(id).await.drill);
    assert!(!app.incident(real.incident_id).await.drill);
    let open = app.newest_open_incident().await;
    assert_eq!(open, id, "no third incident");
    app.stop().await;
}

#[tokio::test]
async fn no_incident_on_sqlite_changes_kind() {
    no_incident_changes_kind(Backend::Sqlite).await;
}

#[tokio::test]
async fn no_incident_on_postgres_changes_kind() {
    no_incident_changes_kind(Backend::Postgres).await;
}

#[tokio::test]
async fn an_empty_title_or_a_malformed_severity_gets_an_ephemeral_usage() {
    let app = app(Backend::Sqlite).await;
    for bad in ["drill", "drill   ", "drill Failover sev9", "drill sev2"] {
        let answer = app.ephemeral(SRE, "C0INCIDENTS", bad).await;
        assert!(
            answer.contains("Usage: `/incident drill &lt;title&gt;"),
            "{bad}: {answer}"
        );
    }
    app.stop().await;
}
