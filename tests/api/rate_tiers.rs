//! The bot under Slack's per-method rate tiers, which the fake enforces: writes that
//! only show the state as it stands are not repeated while a newer one waits, so a
//! burst of changes stays well within `conversations.setTopic`'s Tier 2.

use crate::db::Backend;
use crate::helpers::spawn_app;
use crate::on_both_backends;

async fn a_burst_of_status_changes_sets_the_topic_without_meeting_tier_2(backend: Backend) {
    let app = spawn_app(backend).await;
    let room = app.declare("U0ALICE01", "Login failures").await;
    app.outbox_drained().await;
    let before = app.slack.calls_to("conversations.setTopic").len();
    // Slack is slow to take the first topic, so the changes after it pile up.
    app.slack.fail_next(
        "conversations.setTopic",
        1,
        warroom_fakes::Failure::Hang(std::time::Duration::from_millis(1500)),
    );
    let statuses = ["identified", "monitoring", "investigating"];
    for n in 0..30 {
        let status = statuses[n % statuses.len()];
        let (_, reply) = app
            .command("U0ALICE01", &room.channel, &format!("status {status}"))
            .await;
        assert_eq!(reply["response_type"], "in_channel", "{reply}");
    }
    app.outbox_drained().await;
    let topic = app.slack.topic_of(&room.channel).unwrap();
    assert!(
        topic.contains("| INVESTIGATING |"),
        "the last status: {topic}"
    );
    let set = app.slack.calls_to("conversations.setTopic").len() - before;
    assert!(
        set <= 5,
        "30 changes while Slack was slow, {set} topic writes: the waiting ones were one"
    );
    assert_eq!(
        app.slack.tier_limited_calls("conversations.setTopic"),
        0,
        "Slack never had to refuse one"
    );
}
on_both_backends!(
    a_burst_of_status_changes_sets_the_topic_without_meeting_tier_2,
    a_burst_of_status_changes_sets_the_topic_without_meeting_tier_2
);
