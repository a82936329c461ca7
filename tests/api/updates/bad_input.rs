//! What `/incident update` answers when it cannot do what was asked: usage, what to
//! configure, or where to run it. Nothing is recorded or posted then.

use super::{LEAD, app_with, update_entries};
use crate::db::Backend;
use crate::on_both_backends;

async fn bad_updates_get_an_ephemeral_answer_and_change_nothing(backend: Backend) {
    let app = app_with(backend, |_, _| {}).await;
    let room = app.declare(LEAD, "Search down sev3").await;
    app.outbox_drained().await;
    let before = app.slack.messages_in(&room.channel).len();
    for (text, says) in [
        ("update", "An update needs some text"),
        ("update    ", "An update needs some text"),
        ("update --public", "A public update needs the text"),
        ("update --pubic typo", "`--pubic` is not an option"),
        (
            "update --public We are on it",
            "Statuspage, which is not configured",
        ),
    ] {
        let answer = app.ephemeral(LEAD, &room.channel, text).await;
        assert!(answer.contains(says), "`{text}`: {answer}");
    }
    let answer = app
        .ephemeral(LEAD, &room.channel, "update --public We are on it")
        .await;
    assert!(
        answer.contains("[statuspage] page_id") && answer.contains("api_key_env"),
        "says what to configure: {answer}"
    );
    assert!(update_entries(&app, room.incident_id).await.is_empty());
    app.outbox_drained().await;
    assert_eq!(app.slack.messages_in(&room.channel).len(), before);
}

async fn an_update_outside_a_war_room_or_after_the_close_is_refused(backend: Backend) {
    let app = app_with(backend, |_, _| {}).await;
    let answer = app.ephemeral(LEAD, "C0INCIDENTS", "update All fine").await;
    assert!(answer.contains("not an incident war room"), "{answer}");
    let room = app.declare(LEAD, "Search down sev3").await;
    app.command(LEAD, &room.channel, "close").await;
    let answer = app.ephemeral(LEAD, &room.channel, "update All fine").await;
    assert!(answer.contains("is closed"), "{answer}");
    assert!(update_entries(&app, room.incident_id).await.is_empty());
}
on_both_backends!(
    bad_updates_get_an_ephemeral_answer_and_change_nothing,
    bad_updates_get_an_ephemeral_answer_and_change_nothing
);
on_both_backends!(
    an_update_outside_a_war_room_or_after_the_close_is_refused,
    an_update_outside_a_war_room_or_after_the_close_is_refused
);
