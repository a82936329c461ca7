//! Bad input gets a clear ephemeral answer and changes nothing.

use crate::db::Backend;
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_kind_of_bad_command_gets_an_ephemeral_usage_answer_and_changes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare("U0ALICE01", "Search is slow").await;
    let calls_before = app.slack.calls().len();
    let entries_before = app.entries(room.incident_id).await.len();

    let outside = "C0GENERAL";
    let cases: &[(&str, &str, &str)] = &[
        (outside, "frobnicate", "Unknown subcommand `frobnicate`"),
        (outside, "declare sev1", "needs a title"),
        (
            outside,
            "declare Checkout down sev7",
            "severity must be one of",
        ),
        (outside, "close", "not an incident war room"),
        (outside, "status identified", "not an incident war room"),
        (&room.channel, "sev 7", "/incident sev <1-4>"),
        (&room.channel, "sev", "Which severity?"),
        (&room.channel, "status fixed", "status must be one of"),
        (&room.channel, "status closed", "/incident close"),
        (
            &room.channel,
            "status investigating",
            "already investigating",
        ),
        (&room.channel, "lead bob", "mention them with @"),
        (&room.channel, "note", "needs some text"),
        (&room.channel, "resolve", "what fixed it"),
        (&room.channel, "sev3", "Unknown subcommand"),
    ];
    for (channel, text, expected) in cases {
        // As Slack shows it: the reply's `&lt;` and `&gt;` read as `<` and `>`.
        let answer = app
            .ephemeral("U0ALICE01", channel, text)
            .await
            .replace("&lt;", "<")
            .replace("&gt;", ">");
        assert!(
            answer.contains(expected),
            "`/incident {text}` answered `{answer}`, expected `{expected}`"
        );
    }
    assert_eq!(
        app.entries(room.incident_id).await.len(),
        entries_before,
        "no bad command wrote to the timeline"
    );
    app.outbox_drained().await;
    assert_eq!(
        app.slack.calls().len(),
        calls_before,
        "no bad command reached Slack"
    );
}

#[tokio::test]
async fn closing_twice_is_refused_the_second_time() {
    let app = spawn_app(Backend::Sqlite).await;
    let room = app.declare("U0ALICE01", "Queue backlog").await;
    let (_, first) = app.command("U0ALICE01", &room.channel, "close").await;
    assert_eq!(first["response_type"], "in_channel");
    let second = app.ephemeral("U0ALICE01", &room.channel, "close").await;
    assert!(second.contains("already closed"), "{second}");
    app.slack
        .wait_for("one postmortem", |s| s.uploaded_files().len() == 1)
        .await;
    app.outbox_drained().await;
    assert_eq!(app.slack.uploaded_files().len(), 1, "one draft, not two");
}

#[tokio::test]
async fn help_and_an_empty_command_list_every_subcommand() {
    let app = spawn_app(Backend::Sqlite).await;
    for text in ["help", ""] {
        let answer = app.ephemeral("U0ALICE01", "C0GENERAL", text).await;
        for sub in [
            "declare", "status", "sev", "lead", "note", "resolve", "close", "list",
        ] {
            assert!(
                answer.contains(&format!("/incident {sub}")),
                "`{text}` help lacks {sub}: {answer}"
            );
        }
    }
}
