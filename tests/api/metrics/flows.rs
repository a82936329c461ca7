//! What a scrape says after things happen, value by value.

use super::{scrape, scrape_until, value};
use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app, spawn_app_with, spawn_paging_app};
use crate::on_both_backends;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::time::Duration;
use warroom_fakes::{Failure, PagerFailure, payloads};

const ONCALL: &str = "U06SREONCL";
const NETWORK: &str = "U02BSPARRO";
const LEAD: &str = "U05GTREE00";

const POLICY: &str = r#"
[providers.pagerduty]
events_url = "{pagerduty}"
[providers.opsgenie]
api_url = "{opsgenie}"
api_key_env = "TEST_OG_KEY"

[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]
pagerduty_routing_key_env = "TEST_PD_KEY"

[teams.networking]
name = "Networking"
pocs = [{ slack = "U02BSPARRO" }]
opsgenie_team = "network"

[policies.app-down]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"

[policies.everyone]
[[policies.everyone.levels]]
targets = ["team:sre", "team:networking"]
ack_timeout = "5m"

[routing.severity]
sev1 = "app-down"
sev2 = "everyone"
"#;

/// Equal to within a millisecond.
fn assert_close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-3, "{got} is not {want}");
}

/// Every Web API call the fake Slack saw is in the latency histogram, once, under
/// its method; every 429 it answered is counted for that method.
async fn slack_calls_match_the_fake(app: &TestApp) {
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for call in app.slack.calls() {
        let entry = seen.entry(call.method.clone()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(call.status == 429);
    }
    let s = scrape_until(app, "every Slack call counted", |s| {
        seen.iter().all(|(m, (n, _))| {
            value(
                s,
                "warroom_slack_api_call_duration_seconds_count",
                &[("method", m)],
            ) == *n as f64
        })
    })
    .await;
    for (method, (_, limited)) in &seen {
        assert_eq!(
            value(
                &s,
                "warroom_slack_api_rate_limited_total",
                &[("method", method)]
            ),
            *limited as f64,
            "429s to {method}"
        );
    }
    let counted = s
        .series("warroom_slack_api_call_duration_seconds_count")
        .len();
    assert_eq!(counted, seen.len(), "no method the fake never saw");
}

async fn a_declare_a_page_an_ack_and_a_resolve_are_counted_with_their_times(backend: Backend) {
    let app = spawn_paging_app(backend, POLICY).await;
    app.slack.add_user(ONCALL, "oncall", "On-call SRE", "SRE");
    let before = scrape(&app).await;
    let sev1 = [("severity", "sev1"), ("source", "command")];
    let open = [("severity", "sev1"), ("status", "investigating")];
    assert_eq!(value(&before, "warroom_database_up", &[]), 1.0);
    // Known series start at zero rather than appearing with the first event.
    assert_eq!(
        before.value("warroom_incidents_declared_total", &sev1),
        Some(0.0)
    );
    assert_eq!(before.value("warroom_incidents_open", &open), Some(0.0));

    let inc = app.declare(ONCALL, "Checkout down sev1").await;
    app.pagers()
        .pagerduty
        .wait_for("the trigger", |pd| pd.alerts().len() == 1)
        .await;
    app.outbox_drained().await;
    let sent = [("provider", "slack_dm"), ("outcome", "sent")];
    let s = scrape_until(&app, "the page DM sent", |s| {
        value(s, "warroom_pages_total", &sent) == 1.0
    })
    .await;
    assert_eq!(value(&s, "warroom_incidents_declared_total", &sev1), 1.0);
    assert_eq!(value(&s, "warroom_incidents_open", &open), 1.0);
    let pd_sent = [("provider", "pagerduty"), ("outcome", "sent")];
    assert_eq!(value(&s, "warroom_pages_total", &pd_sent), 1.0);
    assert_eq!(
        value(
            &s,
            "warroom_escalation_levels_fired_total",
            &[("level", "1")]
        ),
        1.0
    );
    for op in ["create_war_room", "post_summary", "page_dm", "provider"] {
        let labels = [("op", op), ("outcome", "sent")];
        assert_eq!(
            value(&s, "warroom_outbox_items_total", &labels),
            1.0,
            "{op}"
        );
    }

    // Acknowledged three minutes after the declaration, resolved ten minutes later.
    app.clock.advance(Duration::from_secs(180));
    let page = app.pages(inc.incident_id).await[0].id;
    assert_eq!(app.click_ack(ONCALL, page).await, StatusCode::OK);
    app.clock.advance(Duration::from_secs(600));
    let answer = app
        .command(ONCALL, &inc.channel, "resolve Rolled back the deploy")
        .await;
    assert_eq!(answer.0, StatusCode::OK, "{answer:?}");
    app.outbox_drained().await;
    // The trigger, the ack and the resolve at PagerDuty: one page, three writes.
    let provider = [("op", "provider"), ("outcome", "sent")];
    let s = scrape_until(&app, "the ack and the resolve at PagerDuty", |s| {
        value(s, "warroom_outbox_items_total", &provider) == 3.0
    })
    .await;
    assert_eq!(value(&s, "warroom_pages_total", &pd_sent), 1.0);
    let sev = [("severity", "sev1")];
    let ack = "warroom_time_to_acknowledge_seconds";
    assert_eq!(value(&s, &format!("{ack}_count"), &sev), 1.0);
    // PostgreSQL keeps microseconds: the declaration read back may lose a few nanos.
    assert_close(value(&s, &format!("{ack}_sum"), &sev), 180.0);
    let bucket = |name: &str, le: &str| {
        value(
            &s,
            &format!("{name}_bucket"),
            &[("severity", "sev1"), ("le", le)],
        )
    };
    assert_eq!((bucket(ack, "120"), bucket(ack, "300")), (0.0, 1.0));
    let resolve = "warroom_time_to_resolve_seconds";
    assert_eq!(value(&s, &format!("{resolve}_count"), &sev), 1.0);
    assert_close(value(&s, &format!("{resolve}_sum"), &sev), 780.0);
    assert_eq!((bucket(resolve, "600"), bucket(resolve, "900")), (0.0, 1.0));
    let resolved = [("severity", "sev1"), ("status", "resolved")];
    assert_eq!(value(&s, "warroom_incidents_open", &resolved), 1.0);
    assert_eq!(value(&s, "warroom_incidents_open", &open), 0.0);
    let open_now: f64 = s
        .series("warroom_incidents_open")
        .iter()
        .map(|x| x.value)
        .sum();
    assert_eq!(open_now, 1.0);
    let fired: f64 = s
        .series("warroom_escalation_levels_fired_total")
        .iter()
        .map(|x| x.value)
        .sum();
    assert_eq!(fired, 1.0, "the ack stopped the escalation at level one");
    assert_eq!(
        value(&s, "warroom_outbox_backlog_items", &[("status", "pending")]),
        0.0
    );
    assert_eq!(
        value(&s, "warroom_outbox_oldest_pending_age_seconds", &[]),
        0.0
    );
    slack_calls_match_the_fake(&app).await;
}
on_both_backends!(
    a_declare_a_page_an_ack_and_a_resolve_are_counted_with_their_times,
    a_declare_a_page_an_ack_and_a_resolve_are_counted_with_their_times
);

async fn a_redelivered_message_event_is_counted_as_a_duplicate(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Replica lag sev2").await;
    let ts = app.next_ts();
    let event = payloads::message(&inc.channel, LEAD, "lag is 40s", &ts);
    assert_eq!(app.event("Ev0DUP0001", event.clone()).await, StatusCode::OK);
    // Slack's retry carries the same event id; a replay, a new one.
    assert_eq!(app.event("Ev0DUP0001", event.clone()).await, StatusCode::OK);
    assert_eq!(app.event("Ev0DUP0002", event).await, StatusCode::OK);
    let s = scrape(&app).await;
    let count = |outcome| value(&s, "warroom_message_events_total", &[("outcome", outcome)]);
    assert_eq!((count("stored"), count("duplicate")), (1.0, 2.0));
    let sev2 = [("severity", "sev2"), ("source", "command")];
    assert_eq!(value(&s, "warroom_incidents_declared_total", &sev2), 1.0);
    assert_eq!(
        app.entries(inc.incident_id).await.len(),
        2,
        "declared + one message"
    );
}
on_both_backends!(
    a_redelivered_message_event_is_counted_as_a_duplicate,
    a_redelivered_message_event_is_counted_as_a_duplicate
);

async fn a_slack_429_is_counted_for_its_method_and_the_write_retried(backend: Backend) {
    let app = spawn_app(backend).await;
    app.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    app.declare(LEAD, "Search is slow sev3").await;
    app.outbox_drained().await;
    let sent = [("op", "post_summary"), ("outcome", "sent")];
    let s = scrape_until(&app, "the summary sent after the 429", |s| {
        value(s, "warroom_outbox_items_total", &sent) == 1.0
    })
    .await;
    let retried = [("op", "post_summary"), ("outcome", "retried")];
    assert_eq!(value(&s, "warroom_outbox_items_total", &retried), 1.0);
    let limited = [("method", "chat.postMessage")];
    assert!(value(&s, "warroom_slack_api_rate_limited_total", &limited) >= 1.0);
    slack_calls_match_the_fake(&app).await;
}
on_both_backends!(
    a_slack_429_is_counted_for_its_method_and_the_write_retried,
    a_slack_429_is_counted_for_its_method_and_the_write_retried
);

async fn a_write_that_fails_for_good_is_counted_failed_under_its_operation(backend: Backend) {
    let app = spawn_app(backend).await;
    app.slack.fail_next(
        "conversations.setTopic",
        1,
        Failure::SlackError("channel_not_found".into()),
    );
    app.declare(LEAD, "Queue stuck sev3").await;
    app.outbox_drained().await;
    let failed = [("op", "sync_topic"), ("outcome", "failed")];
    let s = scrape_until(&app, "the topic given up", |s| {
        value(s, "warroom_outbox_items_total", &failed) == 1.0
    })
    .await;
    let others = [("sent", 0.0), ("retried", 0.0)];
    for (outcome, n) in others {
        let labels = [("op", "sync_topic"), ("outcome", outcome)];
        assert_eq!(
            value(&s, "warroom_outbox_items_total", &labels),
            n,
            "{outcome}"
        );
    }
}
on_both_backends!(
    a_write_that_fails_for_good_is_counted_failed_under_its_operation,
    a_write_that_fails_for_good_is_counted_failed_under_its_operation
);

async fn pages_are_counted_by_provider_and_outcome(backend: Backend) {
    let app = spawn_paging_app(backend, POLICY).await;
    app.slack.add_user(ONCALL, "oncall", "On-call SRE", "SRE");
    app.slack
        .add_user(NETWORK, "bsparrow", "Bob Sparrow", "Networking");
    let pagers = app.pagers().clone();
    pagers.pagerduty.fail_next(
        1,
        PagerFailure::RateLimited {
            retry_after_secs: 1,
        },
    );
    pagers.opsgenie.fail_next(1, PagerFailure::BadRequest);
    app.declare(LEAD, "Packet loss sev2").await;
    pagers
        .pagerduty
        .wait_for("the retried trigger", |pd| pd.alerts().len() == 1)
        .await;
    app.outbox_drained().await;
    let pd_sent = [("provider", "pagerduty"), ("outcome", "sent")];
    let s = scrape_until(&app, "the PagerDuty page sent", |s| {
        value(s, "warroom_pages_total", &pd_sent) == 1.0
    })
    .await;
    for (provider, outcome, n) in [
        ("pagerduty", "retried", 1.0),
        ("opsgenie", "failed", 1.0),
        ("opsgenie", "sent", 0.0),
        ("slack_dm", "sent", 2.0),
    ] {
        let labels = [("provider", provider), ("outcome", outcome)];
        assert_eq!(
            value(&s, "warroom_pages_total", &labels),
            n,
            "{provider} {outcome}"
        );
    }
    assert_eq!(
        value(
            &s,
            "warroom_escalation_levels_fired_total",
            &[("level", "1")]
        ),
        1.0
    );
}
on_both_backends!(
    pages_are_counted_by_provider_and_outcome,
    pages_are_counted_by_provider_and_outcome
);

#[tokio::test]
async fn with_a_token_configured_only_a_scrape_that_sends_it_is_answered() {
    const TOKEN: &str = "scrape-s3cret-value";
    let app = spawn_app_with(Backend::Sqlite, |settings, _| {
        settings.metrics.token = Some(TOKEN.to_string().into());
    })
    .await;
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.address);
    for auth in [
        None,
        Some("Bearer wrong"),
        Some(&format!("Basic {TOKEN}")[..]),
    ] {
        let mut req = http.get(&url);
        if let Some(auth) = auth {
            req = req.header("authorization", auth);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{auth:?}"
        );
        let body = res.text().await.unwrap();
        assert!(!body.contains("warroom_"), "{auth:?}: {body}");
    }
    let res = http
        .get(&url)
        .header("authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let text = res.text().await.unwrap();
    let s = super::exposition::parse(&text).unwrap();
    assert_eq!(value(&s, "warroom_database_up", &[]), 1.0);
    let health = http
        .get(format!("{}/healthz", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK, "the probe needs no token");
}
