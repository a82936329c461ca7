//! War-room details: channel names, the modal, updates to topic and summary,
//! announcements, listing, and Slack failing underneath.

use crate::db::Backend;
use crate::helpers::spawn_app;
use crate::helpers::spawn_app_with;
use reqwest::StatusCode;
use serde_json::json;
use warroom_fakes::Failure;

#[tokio::test]
async fn a_taken_channel_name_gets_a_numeric_suffix() {
    let app = spawn_app(Backend::Sqlite).await;
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    let taken = format!("inc-{today}-payments-down");
    app.slack.add_channel(&taken, false, false);
    app.slack.add_channel(&format!("{taken}-2"), false, false);
    let room = app.declare("U0ALICE01", "Payments down").await;
    assert_eq!(
        app.slack.channel(&room.channel).unwrap().name,
        format!("{taken}-3")
    );
    let tried: Vec<String> = app
        .slack
        .calls_to("conversations.create")
        .iter()
        .map(|c| {
            format!(
                "{}={}",
                c.args["name"].as_str().unwrap_or(""),
                c.response["error"].as_str().unwrap_or("ok")
            )
        })
        .collect();
    assert_eq!(
        tried,
        [
            format!("{taken}=name_taken"),
            format!("{taken}-2=name_taken"),
            format!("{taken}-3=ok")
        ]
    );
}

#[tokio::test]
async fn changes_in_the_war_room_update_the_topic_and_the_pinned_summary() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare("U0ALICE01", "Login failures").await;
    let (_, sev) = app.command("U0ALICE01", &room.channel, "sev 1").await;
    assert_eq!(sev["response_type"], "in_channel");
    assert!(
        sev["text"]
            .as_str()
            .unwrap()
            .contains("Severity changed from SEV3 to SEV1"),
        "{sev}"
    );
    app.command("U0ALICE01", &room.channel, "lead <@U02BSPARRO|bsparrow>")
        .await;
    app.outbox_drained().await;
    let topic = app.slack.topic_of(&room.channel).unwrap();
    assert!(
        topic.starts_with("SEV1 | INVESTIGATING") && topic.ends_with("Lead: <@U02BSPARRO>"),
        "{topic}"
    );
    let pinned = app.slack.pins_in(&room.channel)[0].clone();
    let summary = app
        .slack
        .messages_in(&room.channel)
        .into_iter()
        .find(|m| m.ts == pinned)
        .unwrap();
    assert!(
        summary.edited_ts.is_some(),
        "the pinned summary was updated in place"
    );
    assert!(
        summary
            .blocks
            .unwrap()
            .to_string()
            .contains("<@U02BSPARRO>")
    );
}

#[tokio::test]
async fn a_note_lands_in_the_timeline_as_a_system_entry_by_its_author() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare("U0ALICE01", "Cache stampede").await;
    app.command("U0CAROL07", &room.channel, "note paged the cache team")
        .await;
    let note = app
        .entries(room.incident_id)
        .await
        .into_iter()
        .find(|e| e.text.contains("paged the cache team"))
        .unwrap();
    assert_eq!(
        (note.is_system(), note.author_id.as_deref()),
        (true, Some("U0CAROL07"))
    );
}

#[tokio::test]
async fn declare_alone_opens_the_modal_and_its_submission_declares() {
    let app = spawn_app(Backend::Sqlite).await;
    let (status, body) = app.command("U0ALICE01", "C0GENERAL", "declare").await;
    assert_eq!((status, body), (StatusCode::OK, serde_json::Value::Null));
    app.slack
        .wait_for("views.open", |s| !s.opened_views().is_empty())
        .await;
    let view = app.slack.calls_to("views.open")[0].args["view"].clone();
    assert_eq!(view["callback_id"], "warroom_declare");

    let submission = |title: &str| {
        json!({"type": "view_submission", "user": {"id": "U0ALICE01"}, "view": {"callback_id": "warroom_declare", "state": {"values": {
            "title": {"value": {"type": "plain_text_input", "value": title}},
            "severity": {"value": {"type": "static_select", "selected_option": {"value": "sev1"}}},
            "service": {"value": {"type": "plain_text_input", "value": "checkout"}},
            "summary": {"value": {"type": "plain_text_input", "value": "Card payments fail"}}}}}})
    };
    let form =
        |v: serde_json::Value| serde_urlencoded::to_string([("payload", v.to_string())]).unwrap();

    let res = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &form(submission("  ")),
        )
        .await;
    let errors: serde_json::Value = res.json().await.unwrap();
    assert_eq!(errors["response_action"], "errors");
    assert!(errors["errors"]["title"].is_string(), "{errors}");
    assert_eq!(
        app.newest_open_incident().await,
        0,
        "an invalid form declares nothing"
    );

    let res = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &form(submission("Card payments fail")),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let incident = app.incident(app.newest_open_incident().await).await;
    assert_eq!(
        (incident.title.as_str(), incident.severity.to_string()),
        ("Card payments fail", "SEV1".to_string())
    );
    assert_eq!(incident.service.as_deref(), Some("checkout"));
    app.slack
        .wait_for("war room from the modal", |s| {
            s.channels()
                .iter()
                .any(|c| c.name.ends_with("card-payments-fail"))
        })
        .await;
}

#[tokio::test]
async fn new_incidents_are_announced_with_a_link_to_the_war_room() {
    let app = spawn_app_with(Backend::Sqlite, |settings, slack| {
        let announcements = slack.add_channel("announcements", false, true);
        settings.slack.announcements_channel = Some(announcements);
    })
    .await;
    let announcements = app.slack.channel_by_name("announcements").unwrap().id;
    let room = app.declare("U0ALICE01", "Search down sev1").await;
    app.outbox_drained().await;
    let posted = app.slack.messages_in(&announcements);
    assert_eq!(posted.len(), 1);
    assert!(
        posted[0].text.contains("SEV1") && posted[0].text.contains("Search down"),
        "{}",
        posted[0].text
    );
    assert!(
        posted[0].text.contains(&format!("<#{}>", room.channel)),
        "{}",
        posted[0].text
    );
}

#[tokio::test]
async fn slack_failing_with_429_and_500_delays_the_war_room_but_loses_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    app.slack
        .fail_next("conversations.create", 1, Failure::ServerError);
    app.slack.fail_next(
        "chat.postMessage",
        1,
        Failure::RateLimited {
            retry_after_secs: 1,
        },
    );
    let room = app.declare("U0ALICE01", "Disk full on db-3").await;
    app.outbox_drained().await;
    assert_eq!(
        app.slack.calls_to("conversations.create").len(),
        2,
        "the 500 was retried"
    );
    let posts = app.slack.calls_to("chat.postMessage");
    assert_eq!(
        posts.iter().map(|c| c.status).collect::<Vec<_>>(),
        [429, 200],
        "the 429 was retried"
    );
    assert_eq!(app.slack.pins_in(&room.channel).len(), 1);
    let backlog = app.store.outbox_backlog().await.unwrap();
    assert_eq!(backlog.failed, 0);
}

#[tokio::test]
async fn a_permanent_slack_error_is_not_retried_and_shows_in_status() {
    let app = spawn_app(Backend::Sqlite).await;
    app.slack
        .fail_next("pins.add", 1, Failure::SlackError("not_in_channel".into()));
    let answer = app
        .ephemeral("U0ALICE01", "C0INCIDENTS", "declare Broken pins")
        .await;
    assert!(answer.contains("Declared"));
    app.outbox_drained().await;
    assert_eq!(app.slack.calls_to("pins.add").len(), 1, "not retried");
    let status = warroom::cli::status(&app.store).await.unwrap();
    assert!(
        status.contains("1 failed") && status.contains("not_in_channel"),
        "{status}"
    );
}

#[tokio::test]
async fn list_shows_open_incidents_with_their_war_rooms() {
    let app = spawn_app(Backend::Sqlite).await;
    let a = app.declare("U0ALICE01", "First fire sev1").await;
    let b = app.declare("U0ALICE01", "Second fire").await;
    app.command("U0ALICE01", &b.channel, "close").await;
    let list = app.ephemeral("U0BOBBY02", "C0GENERAL", "list").await;
    assert!(list.contains("1 open incident"), "{list}");
    assert!(
        list.contains(&format!("<#{}>", a.channel)) && list.contains("First fire"),
        "{list}"
    );
    assert!(!list.contains("Second fire"), "{list}");
}

#[tokio::test]
async fn posts_to_one_war_room_are_paced_under_slacks_limit_without_collecting_429s() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare("U0ALICE01", "Noisy incident").await;
    app.slack.limit_posts_per_channel_per_sec(Some(1.0));
    let mut tx = app.store.begin().await.unwrap();
    for n in 0..4 {
        let op = warroom::outbox::Op::Notice {
            incident_id: room.incident_id,
            text: format!("notice {n}"),
        };
        warroom::outbox::enqueue(&mut tx, &op, None).await.unwrap();
    }
    tx.commit().await.unwrap();
    app.state.wake_outbox();
    app.slack
        .wait_for("four notices", |s| {
            s.messages_in(&room.channel)
                .iter()
                .filter(|m| m.text.starts_with("notice"))
                .count()
                == 4
        })
        .await;
    let texts: Vec<String> = app
        .slack
        .messages_in(&room.channel)
        .into_iter()
        .map(|m| m.text)
        .filter(|t| t.starts_with("notice"))
        .collect();
    assert_eq!(
        texts,
        ["notice 0", "notice 1", "notice 2", "notice 3"],
        "in order"
    );
    assert_eq!(app.slack.rate_limited_posts(), 0, "paced, not rejected");
}
