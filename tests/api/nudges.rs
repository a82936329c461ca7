//! Update cadence and nudges, on both backends and the app's manual clock: each nudge
//! fires when due and not once it is no longer true; Snooze and Dismiss; a restart
//! with a nudge overdue; two replicas on PostgreSQL; the working-hours rule.

use crate::alerts::{A, AM_TOKEN, GRAFANA_TOKEN, RULES, SRE, alertmanager};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app_at, spawn_paging_app_with};
use crate::on_both_backends;
use crate::paging::ESCALATION;
use chrono::{DateTime, Datelike, Duration as ChronoDuration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use warroom::config::NudgeSettings;
use warroom::config::alert_rules::AlertRules;
use warroom::domain::{STAKEHOLDER_UPDATE_KIND, TimelineEntry};
use warroom_fakes::{BOT_APP_ID, payloads};

const IC: &str = "U0ALICE01";
const OTHER: &str = "U02BSPARRO";
const MIN: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn nudges_on() -> NudgeSettings {
    NudgeSettings::default()
}

async fn app_at(backend: Backend, now: DateTime<Utc>, nudges: NudgeSettings) -> TestApp {
    spawn_app_at(backend, now, move |s, _| s.nudges = nudges).await
}

/// An app whose critical alerts declare SEV1 incidents with no commander.
async fn alerting_app(backend: Backend, now: DateTime<Utc>) -> TestApp {
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
async fn settle(app: &TestApp) {
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

async fn advance(app: &TestApp, by: Duration) {
    app.clock.advance(by);
    settle(app).await;
}

/// The nudge posts in a channel (the messages with a nudge's buttons).
fn nudge_posts(app: &TestApp, channel: &str) -> Vec<warroom_fakes::Message> {
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

fn system(entries: &[TimelineEntry], kind: &str) -> Vec<String> {
    entries
        .iter()
        .filter(|e| e.kind.system_kind() == Some(kind))
        .map(|e| e.text.clone())
        .collect()
}

async fn nudges_in_timeline(app: &TestApp, id: i64) -> Vec<String> {
    system(&app.entries(id).await, "nudge")
}

/// The value of a nudge post's buttons (`<timer>:<firing>`).
fn button_value(post: &warroom_fakes::Message) -> String {
    let blocks = post.blocks.as_ref().expect("a nudge has blocks");
    blocks[1]["elements"][0]["value"]
        .as_str()
        .expect("its buttons carry a value")
        .to_string()
}

/// Presses a nudge button as `user`; returns the answer posted to the response_url.
async fn press(app: &TestApp, user: &str, action_id: &str, value: &str) -> Value {
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
async fn stakeholder_update(app: &TestApp, id: i64) {
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
async fn say_now(app: &TestApp, id: i64, channel: &str, user: &str, text: &str) {
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

async fn an_overdue_update_nudges_the_commander_once_per_cadence(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Checkout is slow sev2").await;
    advance(&app, 29 * MIN).await;
    assert!(
        nudge_posts(&app, &room.channel).is_empty(),
        "not before 30m"
    );

    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room.channel);
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].text.contains(&format!("<@{IC}>")) && posts[0].text.contains("every 30m"),
        "{}",
        posts[0].text
    );
    let labels: Vec<String> = posts[0].blocks.as_ref().unwrap()[1]["elements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["text"]["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels, ["Snooze 15m", "Snooze 1h", "Dismiss"]);
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("No stakeholder update"), "{}", said[0]);

    settle(&app).await;
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1, "sent once");
    advance(&app, 30 * MIN).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        2,
        "still no update: nudged again one cadence later"
    );
    let scrape = app
        .state
        .metrics
        .render(None, warroom::metrics::Format::Prometheus);
    assert!(
        scrape.contains("warroom_nudges_sent_total{kind=\"update_due\"} 2"),
        "{scrape}"
    );
    app.stop().await;
}
on_both_backends!(
    overdue_update_nudges,
    an_overdue_update_nudges_the_commander_once_per_cadence
);

async fn an_update_posted_in_time_holds_the_nudge_back_and_restarts_the_cadence(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Search is down sev1").await;
    advance(&app, 10 * MIN).await;
    stakeholder_update(&app, room.incident_id).await;
    advance(&app, 10 * MIN).await;
    assert!(
        nudge_posts(&app, &room.channel).is_empty(),
        "20m after the declare, but only 10m after the update"
    );
    advance(&app, 5 * MIN).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        1,
        "15m after the update"
    );
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert!(
        said[0].contains("The last stakeholder update was 15m ago"),
        "{said:?}"
    );
    app.stop().await;
}
on_both_backends!(
    an_update_holds_the_nudge_back,
    an_update_posted_in_time_holds_the_nudge_back_and_restarts_the_cadence
);

async fn a_raised_severity_brings_the_update_nudge_forward(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Billing lag sev3").await;
    advance(&app, 20 * MIN).await;
    assert!(nudge_posts(&app, &room.channel).is_empty(), "SEV3 waits 2h");
    app.command(IC, &room.channel, "sev sev1").await;
    settle(&app).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        1,
        "SEV1 asks every 15m, and 20m have passed"
    );
    app.stop().await;
}
on_both_backends!(
    a_raised_severity_nudges_sooner,
    a_raised_severity_brings_the_update_nudge_forward
);

async fn an_incident_declared_without_a_commander_is_nudged_to_the_channel_after_five_minutes(
    backend: Backend,
) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let answer = app
        .alertmanager(&alertmanager(
            "CheckoutDown",
            &[A::firing("CheckoutDown", "c0ffee01", now)],
            now,
        ))
        .await;
    let id = answer["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    advance(&app, 4 * MIN).await;
    assert!(nudge_posts(&app, &room).is_empty());
    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room);
    assert_eq!(posts.len(), 1);
    assert!(
        posts[0].text.contains("To whoever leads this incident")
            && posts[0].text.contains("Nobody commands this incident")
            && !posts[0].text.contains("<!channel>")
            && !posts[0].text.contains("<@"),
        "{}",
        posts[0].text
    );
    advance(&app, 5 * MIN).await;
    assert_eq!(nudge_posts(&app, &room).len(), 1, "said once");
    app.stop().await;
}
on_both_backends!(
    no_commander_nudges,
    an_incident_declared_without_a_commander_is_nudged_to_the_channel_after_five_minutes
);

async fn a_commander_named_in_time_means_no_commander_nudge(backend: Backend) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let answer = app
        .alertmanager(&alertmanager(
            "CheckoutDown",
            &[A::firing("CheckoutDown", "c0ffee02", now)],
            now,
        ))
        .await;
    let id = answer["incident_id"].as_i64().unwrap();
    let room = app.war_room_of(id).await;
    advance(&app, 3 * MIN).await;
    app.command(SRE, &room, &format!("lead <@{SRE}|oncall>"))
        .await;
    advance(&app, 5 * MIN).await;
    assert!(nudge_posts(&app, &room).is_empty());
    assert!(nudges_in_timeline(&app, id).await.is_empty());
    app.stop().await;
}
on_both_backends!(
    a_commander_in_time_stops_the_nudge,
    a_commander_named_in_time_means_no_commander_nudge
);

/// Every day and hour is working time, so the quiet nudge is due exactly a day on.
fn always_working() -> NudgeSettings {
    let mut s = nudges_on();
    s.working_hours.days = [true; 7];
    s.working_hours.start = chrono::NaiveTime::from_hms_opt(0, 0, 0).unwrap();
    s.working_hours.end = chrono::NaiveTime::from_hms_opt(23, 59, 0).unwrap();
    s.cadence = [30 * 24 * HOUR; 4];
    s
}

async fn a_quiet_incident_is_asked_whether_it_can_be_resolved_unless_someone_speaks(
    backend: Backend,
) {
    let app = app_at(backend, days_ago(3), always_working()).await;
    let room = app.declare(IC, "Slow reports sev3").await;
    advance(&app, 20 * HOUR).await;
    say_now(
        &app,
        room.incident_id,
        &room.channel,
        OTHER,
        "still looking at it",
    )
    .await;
    advance(&app, 4 * HOUR).await;
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "a day since the declare, but someone spoke 4h ago"
    );
    advance(&app, 20 * HOUR).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(said[0].starts_with("Can it be resolved?"), "{}", said[0]);
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1);
    app.stop().await;
}
on_both_backends!(
    quiet_incidents_are_asked,
    a_quiet_incident_is_asked_whether_it_can_be_resolved_unless_someone_speaks
);

async fn the_quiet_nudge_waits_for_monday_nine_in_the_configured_zone(backend: Backend) {
    let friday = a_past_friday_at_nine_utc();
    let mut settings = nudges_on();
    settings.working_hours.timezone = chrono_tz::Europe::Berlin;
    settings.cadence = [30 * 24 * HOUR; 4];
    let app = app_at(backend, friday, settings).await;
    let room = app.declare(IC, "Weekend queue backlog sev3").await;
    say_now(&app, room.incident_id, &room.channel, OTHER, "watching it").await;

    advance(&app, 26 * HOUR).await; // Saturday around noon in Berlin: a day of silence
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "not on Saturday"
    );
    let monday = (friday + ChronoDuration::days(3)).date_naive();
    let monday_nine = chrono_tz::Europe::Berlin
        .from_local_datetime(&monday.and_hms_opt(9, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let before = monday_nine - ChronoDuration::minutes(1);
    advance(&app, (before - app.clock.now()).to_std().unwrap()).await;
    assert!(
        nudges_in_timeline(&app, room.incident_id).await.is_empty(),
        "not before nine"
    );
    advance(&app, MIN).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "Monday 09:00 in Berlin");
    assert!(said[0].starts_with("Can it be resolved?"), "{}", said[0]);
    app.stop().await;
}
on_both_backends!(
    working_hours_rule,
    the_quiet_nudge_waits_for_monday_nine_in_the_configured_zone
);

async fn resolved_but_not_closed_for_a_day_is_nudged_and_a_close_stops_every_nudge(
    backend: Backend,
) {
    let app = app_at(backend, Utc::now(), always_working()).await;
    let room = app.declare(IC, "Cache stampede sev2").await;
    let later = app.declare(IC, "DNS flaps sev2").await;
    for r in [&room, &later] {
        app.command(IC, &r.channel, "resolve rolled back").await;
    }
    advance(&app, 23 * HOUR).await;
    app.command(IC, &later.channel, "close").await;
    advance(&app, HOUR).await;
    let said = nudges_in_timeline(&app, room.incident_id).await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert!(
        said[0].starts_with("Resolved 1d ago but not closed"),
        "{}",
        said[0]
    );
    assert!(
        nudges_in_timeline(&app, later.incident_id).await.is_empty(),
        "closed within the day"
    );
    app.command(IC, &room.channel, "close").await;
    advance(&app, 3 * 24 * HOUR).await;
    assert_eq!(
        nudges_in_timeline(&app, room.incident_id).await.len(),
        1,
        "closed: no more"
    );
    let mut tx = app.store.read().await.unwrap();
    let timers = tx.incident_timers(room.incident_id).await.unwrap();
    tx.commit().await.unwrap();
    assert!(timers.iter().all(|t| t.state == "done"), "{timers:?}");
    app.stop().await;
}
on_both_backends!(
    unclosed_nudges,
    resolved_but_not_closed_for_a_day_is_nudged_and_a_close_stops_every_nudge
);

async fn snooze_rearms_the_nudge_once_and_dismiss_stops_it_for_good(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Payments retries sev2").await;
    advance(&app, 30 * MIN).await;
    let first = nudge_posts(&app, &room.channel);
    assert_eq!(first.len(), 1);
    let value = button_value(&first[0]);

    let answer = press(&app, IC, "warroom_nudge_snooze_15m", &value).await;
    assert_eq!(answer["replace_original"], true, "{answer}");
    assert!(
        answer["text"].as_str().unwrap().contains("snoozed"),
        "{answer}"
    );
    let again = press(&app, OTHER, "warroom_nudge_snooze_1h", &value).await;
    assert_eq!(again["response_type"], "ephemeral", "{again}");
    let entries = app.entries(room.incident_id).await;
    assert_eq!(
        system(&entries, "nudge_snoozed").len(),
        1,
        "a second press changes nothing"
    );

    advance(&app, 14 * MIN).await;
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1, "snoozed for 15m");
    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room.channel);
    assert_eq!(posts.len(), 2, "back after the snooze");
    let second = button_value(&posts[1]);
    assert_ne!(second, value, "each firing has its own buttons");

    let answer = press(&app, OTHER, "warroom_nudge_dismiss", &second).await;
    assert!(
        answer["text"].as_str().unwrap().contains("dismissed"),
        "{answer}"
    );
    let again = press(&app, IC, "warroom_nudge_dismiss", &value).await;
    assert_eq!(again["response_type"], "ephemeral", "{again}");
    let late_snooze = press(&app, IC, "warroom_nudge_snooze_15m", &second).await;
    assert_eq!(late_snooze["response_type"], "ephemeral", "{late_snooze}");
    advance(&app, 3 * HOUR).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        2,
        "dismissed for this incident"
    );
    let entries = app.entries(room.incident_id).await;
    assert_eq!(system(&entries, "nudge_dismissed").len(), 1);
    assert_eq!(system(&entries, "nudge_snoozed").len(), 1);
    assert!(
        system(&entries, "nudge_dismissed")[0].contains(&format!("<@{OTHER}>")),
        "{entries:?}"
    );
    app.stop().await;
}
on_both_backends!(
    snooze_and_dismiss,
    snooze_rearms_the_nudge_once_and_dismiss_stops_it_for_good
);

async fn a_nudge_that_fell_due_while_the_bot_was_down_is_sent_once_after_the_restart(
    backend: Backend,
) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Login errors sev2").await;
    settle(&app).await;
    let stopped = app.kill().await;
    stopped.clock().advance(40 * MIN);
    assert!(nudge_posts_of(stopped.slack(), &room.channel).is_empty());
    let app = stopped.start().await;
    settle(&app).await;
    advance(&app, MIN).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        1,
        "overdue: sent once"
    );
    assert_eq!(nudges_in_timeline(&app, room.incident_id).await.len(), 1);
    app.stop().await;
}
on_both_backends!(
    restart_with_a_nudge_overdue,
    a_nudge_that_fell_due_while_the_bot_was_down_is_sent_once_after_the_restart
);

fn nudge_posts_of(slack: &warroom_fakes::FakeSlack, channel: &str) -> Vec<String> {
    slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains("warroom_nudge"))
        })
        .map(|m| m.text)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_postgres_send_each_nudge_once() {
    let app = app_at(Backend::Postgres, Utc::now(), nudges_on()).await;
    let other = app.replica().await;
    let mut rooms = Vec::new();
    for n in 0..3 {
        rooms.push(app.declare(IC, &format!("Replica race {n} sev1")).await);
    }
    for round in 1..=3 {
        app.clock.advance(15 * MIN);
        // Both look at once, as two processes woken by the same deadline would.
        other.state.wake_timers();
        settle(&app).await;
        settle(&other).await;
        for room in &rooms {
            assert_eq!(
                nudge_posts(&app, &room.channel).len(),
                round,
                "{}",
                room.channel
            );
            assert_eq!(
                nudges_in_timeline(&app, room.incident_id).await.len(),
                round
            );
        }
    }
    other.stop().await;
    app.stop().await;
}

/// A Friday, 09:00 UTC, at least a week ago: the timeline refuses messages from the
/// future of the wall clock, so a manual clock that says what people write stays
/// behind it.
fn a_past_friday_at_nine_utc() -> DateTime<Utc> {
    let mut day = Utc::now().date_naive() - ChronoDuration::days(7);
    while day.weekday() != chrono::Weekday::Fri {
        day = day.pred_opt().unwrap();
    }
    day.and_hms_opt(9, 0, 0).unwrap().and_utc()
}

/// Some days ago, so a day or two of the manual clock stays behind the wall clock.
fn days_ago(n: i64) -> DateTime<Utc> {
    Utc::now() - ChronoDuration::days(n)
}

async fn a_nudge_button_that_is_not_ours_is_refused_and_an_unknown_nudge_is_answered(
    backend: Backend,
) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    for value in ["", "7", "x:1", "7:0", "-3:1"] {
        let payload = json!({
            "type": "block_actions",
            "user": {"id": IC, "username": "alice", "team_id": warroom_fakes::TEAM_ID},
            "api_app_id": BOT_APP_ID,
            "trigger_id": payloads::trigger_id(app.next()),
            "response_url": app.slack.response_url("bad"),
            "actions": [{"action_id": "warroom_nudge_dismiss", "block_id": "nudge", "type": "button",
                         "value": value, "text": {"type": "plain_text", "text": "Dismiss"}}]
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let res = app
            .post_signed(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                &form,
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "value {value:?}");
    }
    let answer = press(&app, IC, "warroom_nudge_snooze_1h", "999:1").await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert!(
        answer["text"].as_str().unwrap().contains("does not know"),
        "{answer}"
    );
    app.stop().await;
}
on_both_backends!(
    bad_nudge_buttons,
    a_nudge_button_that_is_not_ours_is_refused_and_an_unknown_nudge_is_answered
);
