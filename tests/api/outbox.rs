//! The outbox under races and crashes: claims that outlast their lease, holders
//! that die mid-send. Each story must end with every write made once.

use crate::db::Backend;
use crate::helpers::{spawn_app, spawn_app_with};
use crate::on_both_backends;
use std::time::{Duration, Instant};
use warroom_fakes::Failure;

const LEAD: &str = "U0LEAD0001";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_that_outlasts_its_lease_keeps_its_claim_so_no_replica_repeats_it() {
    let a = spawn_app_with(Backend::Postgres, |s, _| s.outbox.lease_secs = 1).await;
    let b = a.replica().await;
    // The topic call takes nearly twice the lease; eight workers in two replicas
    // watch the lane meanwhile.
    a.slack.fail_next(
        "conversations.setTopic",
        1,
        Failure::AppliedThenHang(Duration::from_millis(1800)),
    );
    let inc = a.declare(LEAD, "Slow topic sev2").await;
    a.outbox_drained().await;
    let topics = a.slack.calls_to("conversations.setTopic");
    assert_eq!(topics.len(), 1, "the topic was set once: {topics:#?}");
    assert!(
        a.slack
            .topic_of(&inc.channel)
            .is_some_and(|t| t.contains("SEV2")),
        "{:?}",
        a.slack.topic_of(&inc.channel)
    );
    assert_eq!(a.slack.calls_to("conversations.create").len(), 1);
    b.stop().await;
}

async fn a_bot_killed_right_after_creating_the_war_room_finishes_it_within_seconds(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    app.slack.fail_next(
        "conversations.create",
        1,
        Failure::AppliedThenHang(Duration::from_secs(60)),
    );
    let answer = app
        .ephemeral(LEAD, "C0INCIDENTS", "declare Frozen mid-create sev2")
        .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    app.slack
        .wait_for("the channel to exist at Slack", |s| {
            s.calls_to("conversations.create").iter().any(|c| c.applied)
        })
        .await;
    let stopped = app.kill().await;
    let restarted_at = Instant::now();
    let app = stopped.start().await;

    let room = app.war_room_of(1).await;
    let took = restarted_at.elapsed();
    // SQLite takes its own claims back at once; PostgreSQL waits out one lease (15 s).
    let bound = match backend {
        Backend::Sqlite => Duration::from_secs(5),
        Backend::Postgres => Duration::from_secs(25),
    };
    assert!(took < bound, "the war room took {took:?} after the restart");
    let created: Vec<_> = app
        .slack
        .channels()
        .into_iter()
        .filter(|c| c.name.contains("frozen-mid-create"))
        .collect();
    assert_eq!(
        created.len(),
        1,
        "the channel was adopted, not made twice: {created:#?}"
    );
    assert_eq!(created[0].id, room);
    assert!(app.slack.members_of(&room).contains(&LEAD.to_string()));
    assert!(
        app.slack
            .topic_of(&room)
            .is_some_and(|t| t.contains("SEV2")),
        "{:?}",
        app.slack.topic_of(&room)
    );
}
on_both_backends!(
    a_bot_killed_right_after_creating_the_war_room_finishes_it_within_seconds,
    a_bot_killed_right_after_creating_the_war_room_finishes_it_within_seconds
);

async fn a_postmortem_whose_upload_answer_was_lost_is_shared_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Upload answer lost sev3").await;
    // Slack shares the file, but the answer to completeUploadExternal never arrives.
    app.slack.fail_next(
        "files.completeUploadExternal",
        1,
        Failure::AppliedThenServerError,
    );
    app.command(LEAD, &inc.channel, "close").await;
    app.slack
        .wait_for("the draft file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.outbox_drained().await;
    assert_eq!(app.slack.uploaded_files().len(), 1, "shared once");
    assert_eq!(
        app.slack.calls_to("files.getUploadURLExternal").len(),
        1,
        "not uploaded again"
    );
}
on_both_backends!(
    a_postmortem_whose_upload_answer_was_lost_is_shared_once,
    a_postmortem_whose_upload_answer_was_lost_is_shared_once
);

async fn a_retried_post_finds_its_first_attempt_beyond_the_last_hundred_messages(backend: Backend) {
    let app = spawn_app(backend).await;
    let inc = app.declare(LEAD, "Busy war room sev2").await;
    let room = inc.channel.clone();
    // The draft's post reaches Slack but its answer is lost; before the retry looks,
    // the room has moved on by 150 messages.
    app.slack
        .fail_next("chat.postMessage", 1, Failure::AppliedThenServerError);
    app.slack.fail_next(
        "conversations.history",
        1,
        Failure::Hang(Duration::from_millis(500)),
    );
    app.command(LEAD, &room, "close").await;
    app.slack
        .wait_for("the first attempt", |s| {
            s.calls_to("chat.postMessage")
                .iter()
                .any(|c| c.applied && c.status == 500)
        })
        .await;
    for n in 0..150 {
        app.slack
            .add_message(&room, "U0CHATTY01", &format!("chatter {n}"));
    }
    app.slack
        .wait_for("the draft file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;
    let drafts = app
        .slack
        .messages_in(&room)
        .into_iter()
        .filter(|m| m.text.starts_with("Postmortem:"))
        .count();
    assert_eq!(drafts, 1, "the draft was posted once");
}
on_both_backends!(
    a_retried_post_finds_its_first_attempt_beyond_the_last_hundred_messages,
    a_retried_post_finds_its_first_attempt_beyond_the_last_hundred_messages
);
