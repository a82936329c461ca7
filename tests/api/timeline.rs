//! What the timeline keeps of edits and deletes, on both backends, and what the
//! draft shows of them.

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app};
use crate::on_both_backends;
use warroom_fakes::payloads;

const LEAD: &str = "U06SREONCL";
const DEV: &str = "U05GTREE00";

async fn edit_at(app: &TestApp, room: &str, ts: &str, previous: &str, new: &str, when: &str) {
    let event = payloads::message_changed(room, ts, new, LEAD, when, previous);
    app.deliver(&format!("Ev-edit-{when}"), event).await;
}

async fn close_and_read_draft(app: &TestApp, room: &str) -> (String, String) {
    app.command(LEAD, room, "close").await;
    app.slack
        .wait_for("the postmortem file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;
    let md = app.slack.uploaded_files().remove(0).content;
    let posted = app
        .slack
        .messages_in(room)
        .into_iter()
        .filter_map(|m| m.blocks)
        .map(|b| b.to_string())
        .find(|b| b.contains("Postmortem"))
        .expect("the draft was posted as a message");
    (md, posted)
}

async fn an_entry_keeps_every_earlier_version_and_a_tombstone_marks_it_deleted(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Replica lag sev2").await;
    let room = inc.channel.as_str();
    let typo = app.say(room, LEAD, "replcia lag is 40s").await;
    let first_edit = app.next_ts();
    let second_edit = app.next_ts();
    // The second edit arrives first: the history must not depend on the order.
    edit_at(
        &app,
        room,
        &typo,
        "replica lag is 40s",
        "replica lag is 40s, rising",
        &second_edit,
    )
    .await;
    edit_at(
        &app,
        room,
        &typo,
        "replcia lag is 40s",
        "replica lag is 40s",
        &first_edit,
    )
    .await;

    let parent = app.say(room, DEV, "is it the batch job?").await;
    let reply = app.reply(room, LEAD, "no, it is idle", &parent).await;
    let deleted_at = app.next_ts();
    let tombstone = payloads::thread_parent_deleted(
        room,
        &parent,
        "is it the batch job?",
        DEV,
        &[(LEAD, reply.as_str())],
        &deleted_at,
    );
    app.deliver("Ev-tombstone", tombstone).await;

    let entries = app.entries(inc.incident_id).await;
    let edited = entries
        .iter()
        .find(|e| e.ts.as_deref() == Some(typo.as_str()))
        .unwrap();
    assert_eq!(
        edited.text, "replica lag is 40s, rising",
        "the newest edit wins"
    );
    let versions: Vec<&str> = edited.versions.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(versions, ["replcia lag is 40s", "replica lag is 40s"]);
    let parent_entry = entries
        .iter()
        .find(|e| e.ts.as_deref() == Some(parent.as_str()))
        .unwrap();
    assert!(parent_entry.deleted_at.is_some(), "{parent_entry:?}");
    assert_eq!(
        parent_entry.text, "is it the batch job?",
        "what was said is kept"
    );
    assert_eq!(parent_entry.author_id.as_deref(), Some(DEV));

    let (md, posted) = close_and_read_draft(&app, room).await;
    assert!(md.contains("replica lag is 40s, rising (edited)"), "{md}");
    for earlier in ["replcia lag is 40s", "replica lag is 40s\n"] {
        assert!(md.contains(earlier), "the file keeps `{earlier}`:\n{md}");
    }
    assert!(md.contains("~~is it the batch job?~~ (deleted)"), "{md}");
    assert!(
        posted.contains("replica lag is 40s, rising _(edited)_"),
        "{posted}"
    );
    assert!(
        !posted.contains("replcia"),
        "the message shows the final text only: {posted}"
    );
}
on_both_backends!(
    an_entry_keeps_every_earlier_version_and_a_tombstone_marks_it_deleted,
    an_entry_keeps_every_earlier_version_and_a_tombstone_marks_it_deleted
);

async fn backfill_recovers_a_message_missed_while_later_ones_got_through(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Queue backlog sev2").await;
    let room = inc.channel.clone();
    // Slack holds every message; the bot hears all but the middle one and one reply.
    let heard = |text: &'static str| {
        let (app, room) = (&app, room.clone());
        async move {
            let ts = app.next_ts();
            app.slack.add_message_at(&room, LEAD, text, &ts);
            app.deliver(
                &format!("Ev-{ts}"),
                payloads::message(&room, LEAD, text, &ts),
            )
            .await;
            ts
        }
    };
    heard("first: queue at 10k").await;
    let missed = app.next_ts();
    app.slack
        .add_message_at(&room, DEV, "second: consumer crashed", &missed);
    let parent = heard("third: restarting consumers").await;
    for (n, text) in ["reply one", "reply two (missed)", "reply three"]
        .into_iter()
        .enumerate()
    {
        let ts = app.next_ts();
        app.slack
            .add_thread_reply_at(&room, DEV, text, &ts, &parent);
        if n != 1 {
            let event = payloads::thread_reply(&room, DEV, text, &ts, &parent);
            app.deliver(&format!("Ev-{ts}"), event).await;
        }
    }

    // A restart backfills the war room.
    let app = app.kill().await.start().await;
    let mut stored = Vec::new();
    for _ in 0..200 {
        stored = app
            .entries(inc.incident_id)
            .await
            .into_iter()
            .filter(|e| !e.is_system())
            .map(|e| e.text)
            .collect();
        if stored.len() >= 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        stored,
        [
            "first: queue at 10k",
            "second: consumer crashed",
            "third: restarting consumers",
            "reply one",
            "reply two (missed)",
            "reply three"
        ],
        "every message once, the holes filled"
    );
}
on_both_backends!(
    backfill_recovers_a_message_missed_while_later_ones_got_through,
    backfill_recovers_a_message_missed_while_later_ones_got_through
);
