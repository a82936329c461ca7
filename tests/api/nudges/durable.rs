//! Nudges are durable timers: one overdue while the bot was down is sent once after
//! the restart, and two replicas on PostgreSQL send each nudge once.

use super::*;
use crate::on_both_backends;

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
