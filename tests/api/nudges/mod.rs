//! Update cadence and nudges, on both backends and the app's manual clock: each nudge
//! fires when due and not once it is no longer true ([`firing`]); Snooze and Dismiss
//! ([`buttons`]); a restart with a nudge overdue and two replicas on PostgreSQL
//! ([`durable`]); the working-hours rule (in [`firing`]).

mod buttons;
mod durable;
mod firing;

use crate::alerts::{AM_TOKEN, GRAFANA_TOKEN, RULES, SRE};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app_at, spawn_paging_app_with};
use crate::paging::ESCALATION;
use chrono::{DateTime, Datelike, Duration as ChronoDuration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use warroom::config::NudgeSettings;
use warroom::config::alert_rules::AlertRules;
use warroom::domain::{STAKEHOLDER_UPDATE_KIND, TimelineEntry};
use warroom_fakes::{BOT_APP_ID, payloads};

pub const IC: &str = "U0ALICE01";
pub const OTHER: &str = "U02BSPARRO";
pub const MIN: Duration = Duration::from_secs(60);
pub const HOUR: Duration = Duration::from_secs(3600);

pub fn nudges_on() -> NudgeSettings {
    NudgeSettings::default()
}

pub async fn app_at(backend: Backend, now: DateTime<Utc>, nudges: NudgeSettings) -> TestApp {
    spawn_app_at(backend, now, move |s, _| s.nudges = nudges).await
}

/// An app whose critical alerts declare SEV1 incidents with no commander.
pub async fn alerting_app(backend: Backend, now: DateTime<Utc>) -> TestApp {
    let app = spawn_paging_app_with(backend, ESCALATION, now, |settings, escalation, slack| {
        let triage = slack.add_channel("alerts-triage", false, true);
        let rules = RULES.replace("{triage}", &triage);
        let env = |k: &str| match k {
            "TEST_AM_TOKEN" => Some(AM_TOKEN.to_string()),
            "TEST_GRAFANA_TOKEN" => Some(GRAFANA_TOKEN.to_string()),
            _ => None,
        };
        let rules = AlertRules::parse(&rules, Path::new("test-alerts.toml"), &env, escalation)
            .expect("test rules are valid");
        settings.alerts = Arc::new(rules);
        settings.nudges = nudges_on();
    })
    .await;
    app.slack.add_user(SRE, "oncall", "On-call SRE", "SRE");
    app
}

/// Waits until no timer is due on the app's clock and what they queued went out.
pub async fn settle(app: &TestApp) {
    app.state.wake_timers();
    for _ in 0..1000 {
        let mut tx = app.store.read().await.unwrap();
        let due = tx.due_timer_count(app.clock.now()).await.unwrap();
        tx.commit().await.unwrap();
        if due == 0 {
            app.outbox_drained().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timers were still due after 20 s");
}

pub async fn advance(app: &TestApp, by: Duration) {
    app.clock.advance(by);
    settle(app).await;
}

/// The nudge posts in a channel (the messages with a nudge's buttons).
pub fn nudge_posts(app: &TestApp, channel: &str) -> Vec<warroom_fakes::Message> {
    app.slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains("warroom_nudge_dismiss"))
        })
        .collect()
}

pub fn system(entries: &[TimelineEntry], kind: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.kind.system_kind() == Some(kind))
        .map(|e| e.text.clone())
        .collect()
}

pub async fn nudges_in_timeline(app: &TestApp, id: i64) -> Vec<String> {
    system(&app.entries(id).await, "nudge")
}

/// The value of a nudge post's buttons (`<timer>:<firing>`).
pub fn button_value(post: &warroom_fakes::Message) -> String {
    let blocks = post.blocks.as_ref().expect("a nudge has blocks");
    blocks[1]["elements"][0]["value"]
        .as_str()
        .expect("its buttons carry a value")
        .to_string()
}

/// Presses a nudge button as `user`; returns the answer posted to the response_url.
pub async fn press(app: &TestApp, user: &str, action_id: &str, value: &str) -> Value {
    let n = app.next();
    let url_id = format!("nudge{n}");
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user, "username": user.to_lowercase(), "team_id": warroom_fakes::TEAM_ID},
        "api_app_id": BOT_APP_ID,
        "trigger_id": payloads::trigger_id(n),
        "response_url": app.slack.response_url(&url_id),
        "container": {"type": "message", "is_ephemeral": false},
        "actions": [{"action_id": action_id, "block_id": "nudge", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": "Snooze"}, "action_ts": app.next_ts()}]
    });
    let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
    let res = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &form,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.slack
        .wait_for("the button's answer", |s| {
            s.response_url_posts().iter().any(|p| p.id == url_id)
        })
        .await;
    let post = app.slack.response_url_posts();
    post.into_iter().find(|p| p.id == url_id).unwrap().body
}

/// Stores a stakeholder update as `/incident update` records it: a system entry.
pub async fn stakeholder_update(app: &TestApp, id: i64) {
    let entry = TimelineEntry::system(
        id,
        app.clock.now(),
        STAKEHOLDER_UPDATE_KIND,
        Some(IC),
        "Update: checkout is degraded; next update in 30m".into(),
    );
    let mut tx = app.store.begin().await.unwrap();
    tx.insert_system_entry(&entry).await.unwrap();
    tx.commit().await.unwrap();
}

/// `user` writes in the war room now on the app's clock; waits until it is stored.
pub async fn say_now(app: &TestApp, id: i64, channel: &str, user: &str, text: &str) {
    let ts = format!("{}.{:06}", app.clock.now().timestamp(), app.next());
    let event = payloads::message(channel, user, text, &ts);
    assert_eq!(
        app.event(&format!("Ev{}", app.next()), event).await,
        StatusCode::OK
    );
    for _ in 0..500 {
        if app.entries(id).await.iter().any(|e| e.text == text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the message never reached the timeline");
}

/// A Friday, 09:00 UTC, at least a week ago: the timeline refuses messages from the
/// future of the wall clock, so a manual clock that says what people write stays
/// behind it.
pub fn a_past_friday_at_nine_utc() -> DateTime<Utc> {
    let mut day = Utc::now().date_naive() - ChronoDuration::days(7);
    while day.weekday() != chrono::Weekday::Fri {
        day = day.pred_opt().unwrap();
    }
    day.and_hms_opt(9, 0, 0).unwrap().and_utc()
}

/// Some days ago, so a day or two of the manual clock stays behind the wall clock.
pub fn days_ago(n: i64) -> DateTime<Utc> {
    Utc::now() - ChronoDuration::days(n)
}
