//! Where an update is posted and what it says.

use super::{LEAD, app_with, set_service, update_entries};
use crate::db::Backend;
use crate::on_both_backends;
use std::time::Duration;
use warroom::domain::Severity;

async fn an_update_goes_to_the_war_room_announcements_and_the_channels_of_its_severity_and_service(
    backend: Backend,
) {
    let app = app_with(backend, |s, slack| {
        s.slack.announcements_channel = Some(slack.add_channel("announcements", false, true));
        let exec = slack.add_channel("exec-updates", false, true);
        let sev1 = slack.add_channel("sev1-only", false, true);
        let payments = slack.add_channel("payments", false, true);
        s.updates.severity_channels = [(2, vec![exec]), (1, vec![sev1])].into();
        s.updates.service_channels = [("checkout".to_string(), vec![payments])].into();
    })
    .await;
    let id_of = |name: &str| app.slack.channel_by_name(name).unwrap().id;
    let room = app.declare(LEAD, "Checkout down sev2").await;
    set_service(&app.store, room.incident_id, "checkout").await;
    app.advance(Duration::from_secs(25 * 60)).await;

    let answer = app
        .ephemeral(
            LEAD,
            &room.channel,
            "update Card payments fail for some; fix in progress",
        )
        .await;
    app.outbox_drained().await;

    let posted = |channel: &str| {
        app.slack
            .messages_in(channel)
            .into_iter()
            .filter(|m| m.text.contains("Update on incident"))
            .map(|m| m.text)
            .collect::<Vec<_>>()
    };
    let in_room = posted(&room.channel);
    assert_eq!(in_room.len(), 1, "{in_room:?}");
    let text = &in_room[0];
    for says in [
        &format!("Update on incident #{}: Checkout down", room.incident_id),
        "*SEV2* · *investigating*",
        "Card payments fail for some; fix in progress",
        "Began 25m ago",
        "(in 30m)",
    ] {
        assert!(text.contains(says), "lacks {says:?}: {text}");
    }
    for channel in ["announcements", "exec-updates", "payments"] {
        assert_eq!(posted(&id_of(channel)), in_room, "{channel}");
    }
    assert!(
        posted(&id_of("sev1-only")).is_empty(),
        "a SEV2 is not a SEV1"
    );
    assert!(answer.contains("Next update due in 30m"), "{answer}");
    assert!(
        answer.contains(&format!("<#{}>", id_of("payments"))),
        "{answer}"
    );
    assert_eq!(
        update_entries(&app, room.incident_id).await,
        ["Stakeholder update: Card payments fail for some; fix in progress"]
    );
}
on_both_backends!(
    an_update_goes_to_the_war_room_announcements_and_the_channels_of_its_severity_and_service,
    an_update_goes_to_the_war_room_announcements_and_the_channels_of_its_severity_and_service
);

#[tokio::test]
async fn the_next_update_is_due_by_the_cadence_of_the_severity_as_configured() {
    let app = app_with(Backend::Sqlite, |s, _| {
        s.updates.cadence =
            warroom::domain::Cadence::new([Some(Duration::from_secs(600)), None, None, None]);
    })
    .await;
    let room = app.declare(LEAD, "Search down sev1").await;
    let answer = app
        .ephemeral(LEAD, &room.channel, "update Looking into it")
        .await;
    assert!(answer.contains("Next update due in 10m"), "{answer}");
    assert_eq!(
        app.state.settings.updates.next_update_in(Severity::SEV2),
        Duration::from_secs(30 * 60),
        "unset levels keep their default"
    );
}

async fn text_from_slack_is_escaped_before_it_is_echoed(backend: Backend) {
    let app = app_with(backend, |_, _| {}).await;
    let room = app.declare(LEAD, "Search down sev3").await;
    app.ephemeral(
        LEAD,
        &room.channel,
        "update <!channel> see <javascript:alert(1)|the doc> & retry",
    )
    .await;
    app.outbox_drained().await;
    let posted: Vec<String> = app
        .slack
        .messages_in(&room.channel)
        .into_iter()
        .map(|m| m.text)
        .filter(|t| t.contains("Update on incident"))
        .collect();
    assert_eq!(posted.len(), 1);
    let text = &posted[0];
    assert!(!text.contains("<!channel>"), "pings everyone: {text}");
    assert!(!text.contains("<javascript:"), "a disguised link: {text}");
    assert!(text.contains("&amp; retry"), "{text}");
}
on_both_backends!(
    text_from_slack_is_escaped_before_it_is_echoed,
    text_from_slack_is_escaped_before_it_is_echoed
);

async fn an_update_is_a_key_event_of_the_postmortem(backend: Backend) {
    let app = app_with(backend, |_, _| {}).await;
    let room = app.declare(LEAD, "Search down sev3").await;
    app.ephemeral(LEAD, &room.channel, "update Search is back for most users")
        .await;
    let entries = app.entries(room.incident_id).await;
    let update = entries
        .iter()
        .find(|e| e.kind.system_kind() == Some("stakeholder_update"))
        .expect("the update is in the timeline");
    assert!(update.is_key(), "a key event by its kind");
    assert_eq!(update.author_id.as_deref(), Some(LEAD));

    app.command(LEAD, &room.channel, "close").await;
    app.outbox_drained().await;
    let postmortem = app
        .slack
        .messages_in(&room.channel)
        .into_iter()
        .map(|m| {
            format!(
                "{} {}",
                m.text,
                m.blocks.map(|b| b.to_string()).unwrap_or_default()
            )
        })
        .find(|t| t.contains("Key events"))
        .expect("the postmortem draft is posted");
    assert!(
        postmortem.contains("Search is back for most users"),
        "{postmortem}"
    );
}
on_both_backends!(
    an_update_is_a_key_event_of_the_postmortem,
    an_update_is_a_key_event_of_the_postmortem
);
