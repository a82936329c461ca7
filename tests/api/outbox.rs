//! The outbox under races and crashes: claims that outlast their lease, holders
//! that die mid-send. Each story must end with every write made once.

use crate::db::Backend;
use crate::helpers::spawn_app_with;
use std::time::Duration;
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
