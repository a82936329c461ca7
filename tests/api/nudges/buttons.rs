//! Snooze re-arms a nudge once; Dismiss stops it for the incident; a second press,
//! or a press on an older nudge, changes nothing; buttons not ours are refused.

use super::*;
use crate::on_both_backends;

async fn snooze_rearms_the_nudge_once_and_dismiss_stops_it_for_good(backend: Backend) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    let room = app.declare(IC, "Payments retries sev2").await;
    advance(&app, 30 * MIN).await;
    let first = nudge_posts(&app, &room.channel);
    assert_eq!(first.len(), 1);
    let value = button_value(&first[0]);

    let answer = press(&app, IC, "warroom_nudge_snooze_15m", &value).await;
    assert_eq!(answer["replace_original"], true, "{answer}");
    assert!(
        answer["text"].as_str().unwrap().contains("snoozed"),
        "{answer}"
    );
    let again = press(&app, OTHER, "warroom_nudge_snooze_1h", &value).await;
    assert_eq!(again["response_type"], "ephemeral", "{again}");
    let entries = app.entries(room.incident_id).await;
    assert_eq!(
        system(&entries, "nudge_snoozed").len(),
        1,
        "a second press changes nothing"
    );

    advance(&app, 14 * MIN).await;
    assert_eq!(nudge_posts(&app, &room.channel).len(), 1, "snoozed for 15m");
    advance(&app, MIN).await;
    let posts = nudge_posts(&app, &room.channel);
    assert_eq!(posts.len(), 2, "back after the snooze");
    let second = button_value(&posts[1]);
    assert_ne!(second, value, "each firing has its own buttons");

    let answer = press(&app, OTHER, "warroom_nudge_dismiss", &second).await;
    assert!(
        answer["text"].as_str().unwrap().contains("dismissed"),
        "{answer}"
    );
    let again = press(&app, IC, "warroom_nudge_dismiss", &value).await;
    assert_eq!(again["response_type"], "ephemeral", "{again}");
    let late_snooze = press(&app, IC, "warroom_nudge_snooze_15m", &second).await;
    assert_eq!(late_snooze["response_type"], "ephemeral", "{late_snooze}");
    advance(&app, 3 * HOUR).await;
    assert_eq!(
        nudge_posts(&app, &room.channel).len(),
        2,
        "dismissed for this incident"
    );
    let entries = app.entries(room.incident_id).await;
    assert_eq!(system(&entries, "nudge_dismissed").len(), 1);
    assert_eq!(system(&entries, "nudge_snoozed").len(), 1);
    assert!(
        system(&entries, "nudge_dismissed")[0].contains(&format!("<@{OTHER}>")),
        "{entries:?}"
    );
    app.stop().await;
}
on_both_backends!(
    snooze_and_dismiss,
    snooze_rearms_the_nudge_once_and_dismiss_stops_it_for_good
);

async fn a_nudge_button_that_is_not_ours_is_refused_and_an_unknown_nudge_is_answered(
    backend: Backend,
) {
    let app = app_at(backend, Utc::now(), nudges_on()).await;
    for value in ["", "7", "x:1", "7:0", "-3:1"] {
        let payload = json!({
            "type": "block_actions",
            "user": {"id": IC, "username": "alice", "team_id": warroom_fakes::TEAM_ID},
            "api_app_id": BOT_APP_ID,
            "trigger_id": payloads::trigger_id(app.next()),
            "response_url": app.slack.response_url("bad"),
            "actions": [{"action_id": "warroom_nudge_dismiss", "block_id": "nudge", "type": "button",
                         "value": value, "text": {"type": "plain_text", "text": "Dismiss"}}]
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let res = app
            .post_signed(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                &form,
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "value {value:?}");
    }
    let answer = press(&app, IC, "warroom_nudge_snooze_1h", "999:1").await;
    assert_eq!(answer["response_type"], "ephemeral", "{answer}");
    assert!(
        answer["text"].as_str().unwrap().contains("does not know"),
        "{answer}"
    );
    app.stop().await;
}
on_both_backends!(
    bad_nudge_buttons,
    a_nudge_button_that_is_not_ours_is_refused_and_an_unknown_nudge_is_answered
);
