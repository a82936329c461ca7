//! Socket Mode: the same handlers over a WebSocket, acks only after storage, replies
//! in the ack, and reconnects that backfill what was missed.

use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use serde_json::json;
use std::time::Duration;
use warroom_fakes::{DisconnectReason, payloads};

const SRE: &str = "U06SREONCL";

async fn socket_app() -> TestApp {
    spawn_app_opts(Opts {
        backend: Backend::Sqlite,
        socket_mode: true,
        clock_at: None,
    })
    .await
}

async fn declare(app: &TestApp) -> String {
    let answer = app
        .command_text(SRE, "C0INCIDENTS", "declare Socket test sev2")
        .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    app.war_room_of(1).await
}

/// A person says something: Slack stores it and delivers it as an event.
async fn say(app: &TestApp, room: &str, text: &str) -> String {
    let ts = app.next_ts();
    app.slack.add_message_at(room, SRE, text, &ts);
    app.deliver(&format!("Ev-{ts}"), payloads::message(room, SRE, text, &ts))
        .await;
    ts
}

async fn stored_texts(app: &TestApp) -> Vec<String> {
    app.entries(1)
        .await
        .into_iter()
        .filter(|e| !e.is_system())
        .map(|e| e.text)
        .collect()
}

#[tokio::test]
async fn slash_commands_and_modal_errors_are_answered_in_the_envelope_ack() {
    let app = socket_app().await;
    let help = app.command_text(SRE, "C0GENERAL", "help").await;
    assert!(help.contains("/incident declare"), "{help}");

    let bad_form = json!({"type": "view_submission", "user": {"id": SRE}, "view": {"callback_id": "warroom_declare",
        "state": {"values": {"title": {"value": {"type": "plain_text_input", "value": " "}},
                              "severity": {"value": {"type": "static_select", "selected_option": {"value": "sev1"}}}}}}});
    let id = app.slack.push_interaction(bad_form);
    let ack = app.slack.wait_for_ack(&id).await;
    assert_eq!(ack.payload.unwrap()["response_action"], "errors");
}

#[tokio::test]
async fn an_event_is_acked_only_after_its_message_is_stored() {
    let app = socket_app().await;
    let room = declare(&app).await;
    for n in 0..5 {
        say(&app, &room, &format!("stored before ack {n}")).await;
        // No waiting: the ack itself proves the write landed.
        assert!(
            stored_texts(&app)
                .await
                .contains(&format!("stored before ack {n}"))
        );
    }
}

#[tokio::test]
async fn a_refresh_requested_disconnect_reconnects_and_keeps_delivering() {
    let app = socket_app().await;
    let room = declare(&app).await;
    say(&app, &room, "before the refresh").await;
    assert!(
        app.slack
            .socket_disconnect(DisconnectReason::RefreshRequested)
    );
    say(&app, &room, "after the refresh").await;
    assert!(
        app.slack.socket_connects_total() >= 2,
        "the bot opened a new connection"
    );
    assert_eq!(
        stored_texts(&app).await,
        ["before the refresh", "after the refresh"]
    );
}

#[tokio::test]
async fn a_dropped_connection_reconnects_and_backfills_what_was_missed() {
    let app = socket_app().await;
    let room = declare(&app).await;
    let first = say(&app, &room, "said while connected").await;
    assert!(app.slack.socket_drop() >= 1);
    // While the bot is away people keep talking, in the channel and in a thread.
    app.slack
        .add_message_at(&room, SRE, "said while the socket was down", &app.next_ts());
    app.slack.add_thread_reply_at(
        &room,
        SRE,
        "a reply while the socket was down",
        &app.next_ts(),
        &first,
    );
    for _ in 0..250 {
        if stored_texts(&app).await.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(40)).await;
    }
    assert!(
        app.slack.socket_connects_total() >= 2,
        "the bot reconnected"
    );
    assert_eq!(
        stored_texts(&app).await,
        [
            "said while connected",
            "said while the socket was down",
            "a reply while the socket was down"
        ]
    );
}

/// Makes every insert into `table` fail until [`heal`] runs: a store that is down.
async fn break_inserts(app: &TestApp, table: &str) {
    let statements: Vec<String> = match &app.store {
        warroom::store::Store::Sqlite(..) => vec![format!(
            "CREATE TRIGGER broken BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
        )],
        warroom::store::Store::Postgres(_) => vec![
            "CREATE FUNCTION broken() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$ LANGUAGE plpgsql".into(),
            format!("CREATE TRIGGER broken BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION broken()"),
        ],
    };
    for sql in statements {
        raw(app, &sql).await;
    }
}

async fn heal(app: &TestApp, table: &str) {
    match &app.store {
        warroom::store::Store::Sqlite(..) => raw(app, "DROP TRIGGER broken").await,
        warroom::store::Store::Postgres(_) => {
            raw(app, &format!("DROP TRIGGER broken ON {table}")).await;
            raw(app, "DROP FUNCTION broken()").await;
        }
    }
}

async fn raw(app: &TestApp, sql: &str) {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match &app.store {
        warroom::store::Store::Sqlite(pool, _) => sqlx::query(sql).execute(pool).await.map(drop),
        warroom::store::Store::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(drop),
    }
    .expect("raw SQL");
}

async fn a_command_whose_storing_failed_runs_on_redelivery_and_answers_the_same_after(
    backend: Backend,
) {
    let app = spawn_app_opts(Opts {
        backend,
        socket_mode: true,
        clock_at: None,
    })
    .await;
    break_inserts(&app, "incidents").await;
    let cmd = payloads::SlashCommand::new(
        "/incident declare Database refuses writes sev2",
        "C0INCIDENTS",
        SRE,
        "sre",
        "",
        "",
    );
    let id = app.slack.push_slash_command(&cmd);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        app.slack.unacked(),
        vec![id.clone()],
        "not stored, so not acked"
    );
    heal(&app, "incidents").await;

    app.slack.redeliver_unacked();
    let first = app.slack.wait_for_ack(&id).await.payload.expect("a reply");
    let text = first["text"].as_str().unwrap_or_default().to_string();
    // PostgreSQL's sequence moved on at the failed insert, so the number may be 2.
    let id_declared: i64 = text
        .split("incident #")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a declaration: {first}"));
    app.war_room_of(id_declared).await;

    // Slack retries once more (the ack was slow, say): same answer, nothing new.
    let again = app
        .slack
        .socket_deliveries()
        .last()
        .unwrap()
        .envelope
        .clone();
    app.slack.push_envelope(again);
    app.slack
        .wait_for("a second ack", |s| {
            s.socket_acks()
                .iter()
                .filter(|a| a.envelope_id == id)
                .count()
                == 2
        })
        .await;
    let acks: Vec<_> = app
        .slack
        .socket_acks()
        .into_iter()
        .filter(|a| a.envelope_id == id)
        .collect();
    assert_eq!(
        acks[1].payload, acks[0].payload,
        "the same reply as the first time"
    );
    let mut tx = app.store.read().await.unwrap();
    assert_eq!(tx.open_incidents().await.unwrap().len(), 1, "declared once");
    tx.commit().await.unwrap();
}
crate::on_both_backends!(
    a_command_whose_storing_failed_runs_on_redelivery_and_answers_the_same_after,
    a_command_whose_storing_failed_runs_on_redelivery_and_answers_the_same_after
);
