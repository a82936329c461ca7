//! Key events: a 📌 reaction or a pin on a war-room message marks it for the
//! postmortem, taking it away unmarks it, and each change is a `key_event` entry in
//! the timeline. On both backends, over HTTP Events and Socket Mode alike.

use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use crate::on_both_backends;
use reqwest::StatusCode;
use serde_json::json;
use warroom::domain::EntryKind;
use warroom_fakes::BOT_USER_ID;
use warroom_fakes::payloads::{self, Pinned};

const LEAD: &str = "U06SREONCL";
const DEV: &str = "U05GTREE00";
const DBA: &str = "U04KHOUSE0";

async fn app(backend: Backend, socket_mode: bool) -> TestApp {
    spawn_app_opts(Opts {
        backend,
        socket_mode,
        clock_at: None,
    })
    .await
}

/// The `key_event` entries of an incident: who, and what they say.
async fn key_entries(app: &TestApp, incident_id: i64) -> Vec<(Option<String>, String)> {
    app.entries(incident_id)
        .await
        .into_iter()
        .filter(|e| e.kind == EntryKind::System("key_event".into()))
        .map(|e| (e.author_id, e.text))
        .collect()
}

/// Whether the message `ts` stands in the timeline as a key event.
async fn is_key(app: &TestApp, incident_id: i64, ts: &str) -> bool {
    let entries = app.entries(incident_id).await;
    let entry = entries
        .iter()
        .find(|e| e.ts.as_deref() == Some(ts))
        .unwrap_or_else(|| panic!("message {ts} is in the timeline: {entries:?}"));
    entry.is_key()
}

fn by(user: &str, text: &str) -> (Option<String>, String) {
    (Some(user.to_string()), text.to_string())
}

async fn a_pushpin_marks_a_message_and_taking_it_away_unmarks_it(app: TestApp) {
    let inc = app.declare(LEAD, "Checkout down sev1").await;
    let room = inc.channel.as_str();
    let ts = app.post_message(room, DEV, "rolled back the deploy").await;
    assert!(!is_key(&app, inc.incident_id, &ts).await);

    app.react(room, LEAD, &ts, "pushpin").await;
    assert!(is_key(&app, inc.incident_id, &ts).await);
    app.unreact(room, LEAD, &ts, "pushpin").await;

    assert!(!is_key(&app, inc.incident_id, &ts).await);
    assert_eq!(
        key_entries(&app, inc.incident_id).await,
        [
            by(LEAD, "Marked a key event: “rolled back the deploy”"),
            by(LEAD, "Unmarked a key event: “rolled back the deploy”"),
        ]
    );
    let entries = app.entries(inc.incident_id).await;
    let marked = entries
        .iter()
        .find(|e| e.text.starts_with("Marked"))
        .unwrap();
    let message = entries
        .iter()
        .find(|e| e.ts.as_deref() == Some(&*ts))
        .unwrap();
    assert!(marked.at > message.at, "the entry is dated by the reaction");
}

async fn a_pushpin_marks_and_unmarks_over_http(backend: Backend) {
    a_pushpin_marks_a_message_and_taking_it_away_unmarks_it(app(backend, false).await).await
}
on_both_backends!(
    a_pushpin_marks_and_unmarks_over_http,
    a_pushpin_marks_and_unmarks_over_http
);

async fn a_pushpin_marks_and_unmarks_over_socket_mode(backend: Backend) {
    a_pushpin_marks_a_message_and_taking_it_away_unmarks_it(app(backend, true).await).await
}
on_both_backends!(
    a_pushpin_marks_and_unmarks_over_socket_mode,
    a_pushpin_marks_and_unmarks_over_socket_mode
);

async fn a_message_stays_key_while_anyones_pushpin_remains(backend: Backend) {
    let app = app(backend, false).await;
    let inc = app.declare(LEAD, "Replica lag sev2").await;
    let room = inc.channel.as_str();
    let ts = app.post_message(room, DBA, "replica 3 is 40s behind").await;

    app.react(room, LEAD, &ts, "pushpin").await;
    app.react(room, DEV, &ts, "pushpin").await;
    app.unreact(room, LEAD, &ts, "pushpin").await;

    assert!(
        is_key(&app, inc.incident_id, &ts).await,
        "the dev's 📌 remains"
    );
    let quote = "“replica 3 is 40s behind”";
    assert_eq!(
        key_entries(&app, inc.incident_id).await,
        [
            by(LEAD, &format!("Marked a key event: {quote}")),
            by(DEV, &format!("Marked a key event: {quote}")),
            by(LEAD, &format!("Unmarked a key event: {quote}")),
        ]
    );
    app.unreact(room, DEV, &ts, "pushpin").await;
    assert!(!is_key(&app, inc.incident_id, &ts).await);
}
on_both_backends!(
    a_message_stays_key_while_anyones_pushpin_remains,
    a_message_stays_key_while_anyones_pushpin_remains
);

async fn a_pin_marks_a_message_and_unpinning_unmarks_it(backend: Backend) {
    let app = app(backend, true).await;
    let inc = app.declare(LEAD, "Queue backlog sev2").await;
    let room = inc.channel.as_str();
    let ts = app
        .post_message(room, DEV, "consumer crashed at 09:20")
        .await;

    app.pin(room, DEV, &ts).await;
    assert!(is_key(&app, inc.incident_id, &ts).await);
    app.unpin(room, LEAD, &ts).await;

    assert!(!is_key(&app, inc.incident_id, &ts).await);
    assert_eq!(
        key_entries(&app, inc.incident_id).await,
        [
            by(DEV, "Marked a key event: “consumer crashed at 09:20”"),
            by(LEAD, "Unmarked a key event: “consumer crashed at 09:20”"),
        ]
    );
}
on_both_backends!(
    a_pin_marks_a_message_and_unpinning_unmarks_it,
    a_pin_marks_a_message_and_unpinning_unmarks_it
);

async fn a_reaction_that_arrives_before_its_message_counts_once_the_message_is_stored(
    backend: Backend,
) {
    let app = app(backend, false).await;
    let inc = app.declare(LEAD, "DNS failures sev2").await;
    let room = inc.channel.as_str();
    let ts = app.next_ts();
    app.slack
        .add_message_at(room, DEV, "resolver pool exhausted", &ts);

    app.react(room, LEAD, &ts, "pushpin").await;
    app.deliver(
        "Ev-late-message",
        payloads::message(room, DEV, "resolver pool exhausted", &ts),
    )
    .await;

    assert!(is_key(&app, inc.incident_id, &ts).await);
    assert_eq!(
        key_entries(&app, inc.incident_id).await,
        [by(LEAD, "Marked a key event")],
        "nothing to quote yet when the mark came"
    );
}
on_both_backends!(
    a_reaction_that_arrives_before_its_message_counts_once_the_message_is_stored,
    a_reaction_that_arrives_before_its_message_counts_once_the_message_is_stored
);

async fn other_reactions_and_redeliveries_change_nothing(backend: Backend) {
    let app = app(backend, true).await;
    let inc = app.declare(LEAD, "Login errors sev2").await;
    let room = inc.channel.as_str();
    let ts = app.post_message(room, DEV, "saw 500s from auth").await;

    app.react(room, LEAD, &ts, "eyes").await;
    app.react(room, DBA, &ts, "thumbsup::skin-tone-2").await;
    assert!(!is_key(&app, inc.incident_id, &ts).await);
    assert!(key_entries(&app, inc.incident_id).await.is_empty());

    let marked = app.react(room, LEAD, &ts, "pushpin").await;
    app.redeliver(&marked).await;
    let unmarked = app.unreact(room, LEAD, &ts, "pushpin").await;
    // Slack retries the add after the removal: it must not mark the message again.
    app.redeliver(&marked).await;
    app.redeliver(&unmarked).await;

    assert!(!is_key(&app, inc.incident_id, &ts).await);
    assert_eq!(key_entries(&app, inc.incident_id).await.len(), 2);
}
on_both_backends!(
    other_reactions_and_redeliveries_change_nothing,
    other_reactions_and_redeliveries_change_nothing
);

async fn reactions_outside_war_rooms_and_on_our_own_summary_are_ignored(backend: Backend) {
    let app = app(backend, false).await;
    let inc = app.declare(LEAD, "Cache misses sev3").await;
    let room = inc.channel.as_str();
    let general = app.slack.add_channel("general", false, true);
    let elsewhere = app.post_message(&general, DEV, "lunch?").await;
    app.react(&general, LEAD, &elsewhere, "pushpin").await;
    app.pin(&general, LEAD, &elsewhere).await;
    // We pinned the summary ourselves; Slack tells us so with a pin_added.
    let summary_ts = app.slack.pins_in(room)[0].clone();
    let summary = app
        .slack
        .messages_in(room)
        .into_iter()
        .find(|m| m.ts == summary_ts)
        .unwrap();
    let ours = payloads::pin_added(
        room,
        &summary.raw,
        Pinned {
            by: BOT_USER_ID,
            at: chrono::Utc::now().timestamp(),
        },
        1,
        &app.next_ts(),
    );
    app.deliver("Ev-our-pin", ours).await;

    let mut tx = app.store.read().await.unwrap();
    assert!(!tx.is_marked_key(&general, &elsewhere).await.unwrap());
    assert!(!tx.is_marked_key(room, &summary_ts).await.unwrap());
    tx.commit().await.unwrap();
    assert!(key_entries(&app, inc.incident_id).await.is_empty());
}
on_both_backends!(
    reactions_outside_war_rooms_and_on_our_own_summary_are_ignored,
    reactions_outside_war_rooms_and_on_our_own_summary_are_ignored
);

#[tokio::test]
async fn a_malformed_reaction_is_refused_with_a_400_and_stores_nothing() {
    let app = app(Backend::Sqlite, false).await;
    let inc = app.declare(LEAD, "Bad input sev3").await;
    let room = inc.channel.as_str();
    let ts = app.post_message(room, DEV, "x").await;
    let good = || payloads::reaction_added(room, &ts, LEAD, "pushpin", Some(DEV), &ts);
    let mut cases = Vec::new();
    for (field, value) in [
        ("user", json!("lead")),
        ("event_ts", json!("soon")),
        ("reaction", json!("p".repeat(1000))),
        (
            "item",
            json!({"type": "message", "channel": format!("C{}", "0".repeat(300)), "ts": ts}),
        ),
    ] {
        let mut event = good();
        event[field] = value;
        cases.push(event);
    }
    for (n, event) in cases.into_iter().enumerate() {
        let status = app.event(&format!("Ev-bad-{n}"), event.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{event}");
    }
    assert!(!is_key(&app, inc.incident_id, &ts).await);
    assert!(key_entries(&app, inc.incident_id).await.is_empty());
}

async fn backfill_adds_the_pins_and_pushpins_made_while_the_bot_was_away(backend: Backend) {
    let app = app(backend, false).await;
    let inc = app.declare(LEAD, "Disk full sev2").await;
    let room = inc.channel.clone();
    let heard = app.post_message(&room, DEV, "disk at 100% on db-2").await;
    let summary_ts = app.slack.pins_in(&room)[0].clone();

    let away = app.kill().await;
    away.slack().pin_message(&room, &heard, LEAD);
    let missed = away
        .slack()
        .add_message(&room, DBA, "purged the old WAL files");
    away.slack().add_reaction(&room, &missed, LEAD, "pushpin");
    away.slack().add_reaction(&room, &missed, DEV, "pushpin");
    away.slack().add_reaction(&room, &missed, DBA, "eyes");
    let app = away.start().await;

    let mut marked = (false, false);
    for _ in 0..200 {
        let entries = app.entries(inc.incident_id).await;
        let key = |ts: &str| {
            entries
                .iter()
                .any(|e| e.ts.as_deref() == Some(ts) && e.is_key())
        };
        marked = (key(&heard), key(&missed));
        if marked == (true, true) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(marked, (true, true), "the pin and the 📌s are marks now");
    let mut tx = app.store.read().await.unwrap();
    assert!(
        !tx.is_marked_key(&room, &summary_ts).await.unwrap(),
        "our own pinned summary is not a key event"
    );
    tx.commit().await.unwrap();
    assert!(
        key_entries(&app, inc.incident_id).await.is_empty(),
        "history gives no time for a mark, so no entry claims one"
    );
    // Both 📌s were stored: taking one away leaves the message key.
    app.unreact(&room, LEAD, &missed, "pushpin").await;
    assert!(is_key(&app, inc.incident_id, &missed).await);
}
on_both_backends!(
    backfill_adds_the_pins_and_pushpins_made_while_the_bot_was_away,
    backfill_adds_the_pins_and_pushpins_made_while_the_bot_was_away
);
