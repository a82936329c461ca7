//! Hostile input: whatever arrives is stored safely on both backends.

use crate::db::Backend;
use crate::helpers::spawn_app_with;
use crate::on_both_backends;

const LEAD: &str = "U06SREONCL";

async fn a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown(backend: Backend) {
    let app = spawn_app_with(backend, |_, _| {}).await;
    let inc = app.declare(LEAD, "NUL bytes").await;
    let ts = app.next_ts();
    let status = app
        .event(
            "Ev-nul",
            warroom_fakes::payloads::message(&inc.channel, LEAD, "disk\u{0} full on db-1", &ts),
        )
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "acked, so Slack does not drop it"
    );
    let (status, reply) = app
        .command(LEAD, &inc.channel, "note restarted\u{0} db-1")
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{reply}");
    let texts: Vec<String> = app
        .entries(inc.incident_id)
        .await
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(texts.iter().any(|t| t == "disk full on db-1"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("restarted db-1")),
        "{texts:?}"
    );
}
on_both_backends!(
    a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown,
    a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown
);
