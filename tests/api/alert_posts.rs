//! The alert posts in Slack: the group's context pinned in the war room (once, however
//! often retried), the pinned summary's "Firing" section, the triage post and its
//! update, and the Declare and Resolve buttons. Groups and alerts are stored through
//! the store's API and the ops queued by hand, as intake would.

use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app, spawn_app_opts, spawn_app_with};
use crate::on_both_backends;
use chrono::Utc;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use warroom::config::alert_rules::AlertRules;
use warroom::domain::alert::{Alert, AlertStatus, Notification, Pairs, Source};
use warroom::domain::{EntryKind, Status};
use warroom::outbox::{self, Op};
use warroom::store::AlertGroup;
use warroom_fakes::{BOT_APP_ID, BOT_ID, Failure, Message, TEAM_ID, payloads};

const LEAD: &str = "U0LEAD0001";
const OTHER: &str = "U0OTHER001";

fn pairs(kv: &[(&str, &str)]) -> Pairs {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn alert(name: &str, status: AlertStatus) -> Alert {
    Alert {
        status,
        labels: pairs(&[("alertname", name), ("severity", "critical")]),
        annotations: pairs(&[("summary", "<!channel> disk 95% full <@U0LEAD0001>")]),
        starts_at: Some(Utc::now() - chrono::Duration::minutes(5)),
        ends_at: (status == AlertStatus::Resolved).then(Utc::now),
        generator_url: Some("https://prom.example/graph?g0.expr=up".into()),
        fingerprint: format!("fp-{name}"),
        silence_url: None,
        dashboard_url: Some("javascript:alert(1)".into()),
        panel_url: None,
        values: None,
    }
}

fn notification(key: &str, alerts: Vec<Alert>) -> Notification {
    let status = if alerts.iter().all(|a| a.status == AlertStatus::Resolved) {
        AlertStatus::Resolved
    } else {
        AlertStatus::Firing
    };
    Notification {
        source: Source::Alertmanager,
        receiver: "warroom".into(),
        status,
        group_key: key.into(),
        group_labels: BTreeMap::new(),
        common_labels: pairs(&[("severity", "critical")]),
        common_annotations: pairs(&[("summary", "<!channel> disk 95% full <@U0LEAD0001>")]),
        external_url: Some("https://am.example".into()),
        truncated_alerts: 0,
        title: None,
        alerts,
    }
}

/// Stores `n`'s group and alerts (feeding `incident_id`, if given) and queues `ops`
/// for it, as intake does; returns the group.
async fn store_group(
    app: &TestApp,
    n: &Notification,
    incident_id: Option<i64>,
    ops: impl Fn(i64) -> Vec<Op>,
) -> AlertGroup {
    let now = Utc::now();
    let mut tx = app.store.begin().await.unwrap();
    let mut group = tx.lock_alert_group(n, now).await.unwrap();
    for a in &n.alerts {
        tx.upsert_alert(group.id, a, now).await.unwrap();
    }
    group.incident_id = incident_id;
    group.status = n.status;
    if n.status == AlertStatus::Resolved {
        group.resolved_at = Some(now);
    }
    tx.update_alert_group(&group).await.unwrap();
    for op in ops(group.id) {
        outbox::enqueue(&mut tx, &op, None).await.unwrap();
    }
    tx.commit().await.unwrap();
    app.state.wake_outbox();
    group
}

async fn group(app: &TestApp, id: i64) -> AlertGroup {
    let mut tx = app.store.read().await.unwrap();
    let g = tx.alert_group(id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    g
}

/// Messages in `channel` whose blocks carry `needle`.
fn posts_with(app: &TestApp, channel: &str, needle: &str) -> Vec<Message> {
    app.slack
        .messages_in(channel)
        .into_iter()
        .filter(|m| {
            m.blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains(needle))
        })
        .collect()
}

/// `user` presses the button `action_id` with `value` on the message `ts` in
/// `channel`; the answer goes to the fake's `response_url` `url_id`.
async fn press(
    app: &TestApp,
    user: &str,
    action_id: &str,
    value: &str,
    at: (&str, &str),
    url_id: &str,
) {
    let (channel, ts) = at;
    let n = app.next();
    let payload = json!({
        "type": "block_actions",
        "user": {"id": user, "username": user.to_lowercase(), "team_id": TEAM_ID},
        "api_app_id": BOT_APP_ID,
        "team": {"id": TEAM_ID, "domain": "example"},
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
        "channel": {"id": channel, "name": "alerts"},
        "message": {"type": "message", "ts": ts, "text": "alert", "bot_id": BOT_ID},
        "trigger_id": payloads::trigger_id(n),
        "response_url": app.slack.response_url(url_id),
        "actions": [{"action_id": action_id, "block_id": "alert", "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": "Press"}, "action_ts": app.next_ts()}]
    });
    assert_eq!(
        app.interact(payload).await,
        Value::Null,
        "buttons are acked empty"
    );
}

/// What the app posted to the `response_url` `url_id`.
async fn answer_at(app: &TestApp, url_id: &str) -> Value {
    app.slack
        .wait_for("the button's answer", |s| {
            s.response_url_posts().iter().any(|p| p.id == url_id)
        })
        .await;
    let posts = app.slack.response_url_posts();
    posts.into_iter().find(|p| p.id == url_id).unwrap().body
}

async fn the_alert_post_is_pinned_once_with_its_runbook_however_often_it_is_retried(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |s, _| {
        let mut rules = AlertRules::empty();
        rules
            .runbooks
            .insert("DiskFull".into(), "https://runbooks.example/disk".into());
        s.alerts = Arc::new(rules);
    })
    .await;
    let inc = app.declare(LEAD, "Disk full sev2").await;
    app.outbox_drained().await;
    let room = inc.channel.clone();
    // The post lands but its answer is lost, then the pin fails once.
    app.slack
        .fail_next("chat.postMessage", 1, Failure::AppliedThenServerError);
    app.slack.fail_next("pins.add", 1, Failure::ServerError);
    let n = notification("disk", vec![alert("DiskFull", AlertStatus::Firing)]);
    let id = inc.incident_id;
    store_group(&app, &n, Some(id), |g| {
        vec![
            Op::PostAlert {
                incident_id: id,
                group_id: g,
            },
            Op::RefreshSummary { incident_id: id },
        ]
    })
    .await;
    app.slack
        .wait_for("the alert pinned", |s| s.pins_in(&room).len() == 2)
        .await;
    app.outbox_drained().await;
    // Queued again (declared twice over, say): still one post, one pin.
    store_group(&app, &n, Some(id), |g| {
        vec![Op::PostAlert {
            incident_id: id,
            group_id: g,
        }]
    })
    .await;
    app.outbox_drained().await;

    let lost = |method: &str| {
        app.slack
            .calls_to(method)
            .iter()
            .filter(|c| c.status == 500)
            .count()
    };
    assert_eq!(
        (lost("chat.postMessage"), lost("pins.add")),
        (1, 1),
        "both failed once"
    );
    let posts = posts_with(&app, &room, "Runbook");
    assert_eq!(posts.len(), 1, "posted once: {posts:#?}");
    let post = &posts[0];
    let pins = app.slack.pins_in(&room);
    assert_eq!(
        pins.iter().filter(|ts| **ts == post.ts).count(),
        1,
        "{pins:?}"
    );
    let blocks = post.blocks.as_ref().unwrap();
    assert_eq!(
        blocks[1]["text"]["text"],
        "📖 *Runbook:* <https://runbooks.example/disk|https://runbooks.example/disk>"
    );
    let shown = blocks.to_string();
    assert!(
        shown.contains("&lt;!channel&gt; disk 95% full &lt;@U0LEAD0001&gt;"),
        "{shown}"
    );
    assert!(
        shown.contains("<https://prom.example/graph?g0.expr=up|Source>"),
        "{shown}"
    );
    assert!(
        !shown.contains("javascript") && !shown.contains("<!channel>"),
        "{shown}"
    );

    // The pinned summary shows what fires.
    let summary = posts_with(&app, &room, "Commands here");
    assert_eq!(summary.len(), 1);
    let firing = summary[0].blocks.as_ref().unwrap()[2]["text"]["text"].clone();
    assert_eq!(firing, "*Firing*\n🔴 DiskFull");
}
on_both_backends!(
    the_alert_post_is_pinned_once_with_its_runbook_however_often_it_is_retried,
    the_alert_post_is_pinned_once_with_its_runbook_however_often_it_is_retried
);

async fn a_triage_post_carries_the_declare_button_and_turns_into_what_became_of_it(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let triage = app.slack.add_channel("alerts-triage", false, true);
    let n = notification("noisy", vec![alert("HighLatency", AlertStatus::Firing)]);
    let channel = triage.clone();
    let g = store_group(&app, &n, None, |g| {
        vec![Op::TriageAlert {
            group_id: g,
            channel: channel.clone(),
        }]
    })
    .await;
    app.outbox_drained().await;
    let posts = posts_with(&app, &triage, "warroom_alert_declare");
    assert_eq!(posts.len(), 1, "{:#?}", app.slack.messages_in(&triage));
    let post = &posts[0];
    let buttons = post
        .blocks
        .as_ref()
        .unwrap()
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(buttons["elements"][0]["value"], g.id.to_string());
    let stored = group(&app, g.id).await;
    assert_eq!(stored.triage_channel.as_deref(), Some(triage.as_str()));
    assert_eq!(stored.triage_ts.as_deref(), Some(post.ts.as_str()));

    // Every alert resolves: the post says so, without the button.
    let resolved = notification("noisy", vec![alert("HighLatency", AlertStatus::Resolved)]);
    store_group(&app, &resolved, None, |g| {
        vec![Op::RefreshTriage { group_id: g }]
    })
    .await;
    app.outbox_drained().await;
    let now = app.slack.messages_in(&triage);
    assert_eq!(now.len(), 1, "updated in place");
    assert!(now[0].edited_ts.is_some());
    let shown = now[0].blocks.as_ref().unwrap().to_string();
    assert!(shown.contains("Resolved at the source at "), "{shown}");
    assert!(!shown.contains("warroom_alert_declare"), "{shown}");
}
on_both_backends!(
    a_triage_post_carries_the_declare_button_and_turns_into_what_became_of_it,
    a_triage_post_carries_the_declare_button_and_turns_into_what_became_of_it
);

/// Declares from a triage post, pressing twice, over the app's transport.
async fn declare_twice(app: TestApp) {
    let triage = app.slack.add_channel("alerts-triage", false, true);
    let n = notification(
        "checkout",
        vec![alert("CheckoutErrors", AlertStatus::Firing)],
    );
    let channel = triage.clone();
    let g = store_group(&app, &n, None, |g| {
        vec![Op::TriageAlert {
            group_id: g,
            channel: channel.clone(),
        }]
    })
    .await;
    app.outbox_drained().await;
    let ts = app.slack.messages_in(&triage)[0].ts.clone();
    let value = g.id.to_string();
    press(
        &app,
        LEAD,
        "warroom_alert_declare",
        &value,
        (&triage, &ts),
        "declare1",
    )
    .await;
    press(
        &app,
        OTHER,
        "warroom_alert_declare",
        &value,
        (&triage, &ts),
        "declare2",
    )
    .await;

    let first = answer_at(&app, "declare1").await;
    let incident_id = app.newest_open_incident().await;
    assert_eq!(first["response_type"], "ephemeral");
    assert_eq!(
        first["text"],
        format!(":rotating_light: Declared incident #{incident_id}; opening the war room.")
    );
    let room = app.war_room_of(incident_id).await;
    let second = answer_at(&app, "declare2").await;
    let text = second["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            ":information_source: Already incident #{incident_id}"
        )),
        "{text}"
    );
    let mut tx = app.store.read().await.unwrap();
    let open = tx.open_incidents().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(open.len(), 1, "declared once: {open:#?}");
    assert_eq!(
        open[0].lead.as_deref(),
        Some(LEAD),
        "the first presser leads"
    );
    assert_eq!(group(&app, g.id).await.incident_id, Some(incident_id));

    // The triage post says where the incident is; the war room has the alert pinned.
    let said = format!("Declared as incident #{incident_id} <#{room}>");
    app.slack
        .wait_for("the triage post updated", |s| {
            s.messages_in(&triage)[0]
                .blocks
                .as_ref()
                .is_some_and(|b| b.to_string().contains(&said))
        })
        .await;
    app.outbox_drained().await;
    assert!(
        !app.slack.messages_in(&triage)[0]
            .blocks
            .as_ref()
            .unwrap()
            .to_string()
            .contains("warroom_alert_declare")
    );
    let pinned = posts_with(&app, &room, "No runbook linked");
    assert_eq!(pinned.len(), 1, "{:#?}", app.slack.messages_in(&room));
    assert!(app.slack.pins_in(&room).contains(&pinned[0].ts));
}

async fn the_declare_button_declares_exactly_once_when_pressed_twice(backend: Backend) {
    declare_twice(spawn_app(backend).await).await;
}
on_both_backends!(
    the_declare_button_declares_exactly_once_when_pressed_twice,
    the_declare_button_declares_exactly_once_when_pressed_twice
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declare_button_works_over_socket_mode() {
    let app = spawn_app_opts(Opts {
        backend: Backend::Sqlite,
        socket_mode: true,
        clock_at: None,
    })
    .await;
    declare_twice(app).await;
}

/// An incident fed by a group whose every alert resolved (but another fires again,
/// when `firing_again`); returns (incident, war room, ts of the "every alert
/// resolved" post).
async fn resolved_group(app: &TestApp, firing_again: bool) -> (i64, String, String) {
    let inc = app.declare(LEAD, "Queue backlog sev2").await;
    app.outbox_drained().await;
    let mut alerts = vec![alert("QueueBacklog", AlertStatus::Resolved)];
    if firing_again {
        alerts.push(alert("QueueStuck", AlertStatus::Firing));
    }
    let n = notification("queue", alerts);
    let id = inc.incident_id;
    store_group(app, &n, Some(id), |g| {
        vec![Op::AlertsResolved {
            incident_id: id,
            group_id: g,
            auto_resolved: false,
        }]
    })
    .await;
    app.outbox_drained().await;
    let posts = posts_with(app, &inc.channel, "warroom_alert_resolve");
    assert_eq!(posts.len(), 1, "{:#?}", app.slack.messages_in(&inc.channel));
    assert_eq!(
        posts[0].text,
        "✅ Every alert of this group has resolved at Alertmanager."
    );
    (id, inc.channel, posts[0].ts.clone())
}

/// Resolves from the button, pressing twice, over the app's transport.
async fn resolve_twice(app: TestApp) {
    let (id, room, ts) = resolved_group(&app, false).await;
    press(
        &app,
        OTHER,
        "warroom_alert_resolve",
        &id.to_string(),
        (&room, &ts),
        "resolve1",
    )
    .await;
    let answer = answer_at(&app, "resolve1").await;
    assert_eq!(answer["replace_original"], true, "{answer}");
    let text = answer["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(":white_check_mark: <@{OTHER}>:")),
        "{text}"
    );
    let incident = app.incident(id).await;
    assert_eq!(incident.status, Status::Resolved);
    assert_eq!(
        incident.resolution.as_deref(),
        Some("Every alert resolved at the source")
    );

    press(
        &app,
        LEAD,
        "warroom_alert_resolve",
        &id.to_string(),
        (&room, &ts),
        "resolve2",
    )
    .await;
    let again = answer_at(&app, "resolve2").await;
    assert_eq!(again["response_type"], "ephemeral");
    assert_eq!(
        again["text"],
        format!(":information_source: Incident #{id} is already resolved.")
    );
    let resolutions: Vec<_> = app
        .entries(id)
        .await
        .into_iter()
        .filter(|e| e.kind == EntryKind::System("resolved".into()))
        .collect();
    assert_eq!(resolutions.len(), 1, "{resolutions:#?}");
    assert_eq!(resolutions[0].author_id.as_deref(), Some(OTHER));
}
async fn the_resolve_button_resolves_as_the_presser_once(backend: Backend) {
    resolve_twice(spawn_app(backend).await).await;
}
on_both_backends!(
    the_resolve_button_resolves_as_the_presser_once,
    the_resolve_button_resolves_as_the_presser_once
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resolve_button_works_over_socket_mode() {
    let app = spawn_app_opts(Opts {
        backend: Backend::Postgres,
        socket_mode: true,
        clock_at: None,
    })
    .await;
    resolve_twice(app).await;
}

async fn the_resolve_button_refuses_while_an_alert_fires_again(backend: Backend) {
    let app = spawn_app(backend).await;
    let (id, room, ts) = resolved_group(&app, true).await;
    press(
        &app,
        LEAD,
        "warroom_alert_resolve",
        &id.to_string(),
        (&room, &ts),
        "resolve1",
    )
    .await;
    let answer = answer_at(&app, "resolve1").await;
    assert_eq!(answer["response_type"], "ephemeral");
    let text = answer["text"].as_str().unwrap();
    assert!(text.contains("QueueStuck is firing again"), "{text}");
    assert_ne!(app.incident(id).await.status, Status::Resolved);
}
on_both_backends!(
    the_resolve_button_refuses_while_an_alert_fires_again,
    the_resolve_button_refuses_while_an_alert_fires_again
);

async fn an_auto_resolved_incident_is_told_so_without_a_button(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Cache misses sev3").await;
    app.outbox_drained().await;
    let n = notification("cache", vec![alert("CacheMiss", AlertStatus::Resolved)]);
    let id = inc.incident_id;
    store_group(&app, &n, Some(id), |g| {
        vec![Op::AlertsResolved {
            incident_id: id,
            group_id: g,
            auto_resolved: true,
        }]
    })
    .await;
    app.outbox_drained().await;
    let posts = posts_with(&app, &inc.channel, "auto_resolve");
    assert_eq!(posts.len(), 1);
    let shown = posts[0].blocks.as_ref().unwrap().to_string();
    assert!(shown.contains("`/incident close` when done"), "{shown}");
    assert!(!shown.contains("warroom_alert_resolve"), "{shown}");
}
on_both_backends!(
    an_auto_resolved_incident_is_told_so_without_a_button,
    an_auto_resolved_incident_is_told_so_without_a_button
);
