//! The "Add as action item" message shortcut: a modal prefilled with the message,
//! whose submission adds the item (with the message as its source) through the same
//! code as `/incident action`, confirmed in the war room.

use crate::action_items::{app_on_a_wednesday, items};
use crate::capture_commands::entries_of;
use crate::db::Backend;
use crate::helpers::TestApp;
use crate::interact::ShortcutOn;
use crate::on_both_backends;
use serde_json::Value;
use warroom_fakes::interactions::Input;

const IC: &str = "U06SREONCL";
const DEV: &str = "U05GTREE00";
const GLEN: &str = "U02GLENOPS";

/// A person writes in `channel` (Slack stores it; the shortcut needs no more).
fn write(app: &TestApp, channel: &str, text: &str) -> String {
    let ts = app.next_ts();
    app.slack.add_message_at(channel, DEV, text, &ts);
    ts
}

/// Waits for a message in `channel` containing `text`; returns it.
async fn posted(app: &TestApp, channel: &str, text: &str) -> String {
    app.slack
        .wait_for("the confirmation", |s| {
            s.messages_in(channel).iter().any(|m| m.text.contains(text))
        })
        .await;
    let messages = app.slack.messages_in(channel);
    messages
        .into_iter()
        .find(|m| m.text.contains(text))
        .unwrap()
        .text
}

async fn a_message_becomes_an_action_item_with_its_owner_date_and_source(backend: Backend) {
    let app = app_on_a_wednesday(backend, false).await;
    let room = app.declare(IC, "Checkout down").await;
    let ch = room.channel.as_str();
    let said = "we need canary deploys &amp; a rollback button";
    let ts = write(&app, ch, said);

    let on = ShortcutOn {
        channel: ch,
        ts: &ts,
        text: said,
        author: DEV,
    };
    let (answer, _) = app.add_as_action_item(IC, on).await;
    assert_eq!(answer, Value::Null, "acknowledged at once");
    let view = app.opened_view(0).await;
    assert_eq!(view.1["callback_id"], "warroom_action_item");
    let input = &view.1["blocks"][0]["element"];
    assert_eq!(
        input["initial_value"],
        "we need canary deploys & a rollback button"
    );
    assert_eq!(input["multiline"], true);

    let inputs = [
        ("text", Input::Text("Canary deploys and a rollback button")),
        ("owner", Input::User(Some(GLEN))),
        ("due", Input::Date(Some("2026-12-01"))),
    ];
    assert_eq!(
        app.submit_view(IC, &view, &inputs).await,
        Value::Null,
        "the modal closes"
    );

    let stored = items(&app, room.incident_id).await;
    assert_eq!(stored.len(), 1);
    let item = &stored[0];
    assert_eq!(item.text, "Canary deploys and a rollback button");
    assert_eq!(item.owner_id.as_deref(), Some(GLEN));
    assert_eq!(item.due, Some("2026-12-01".parse().unwrap()));
    assert_eq!(item.source_ts.as_deref(), Some(ts.as_str()));
    assert_eq!(item.created_by, IC);
    assert_eq!(entries_of(&app, room.incident_id, "action").await.len(), 1);
    let confirmation = posted(&app, ch, "added action item #1").await;
    assert_eq!(
        confirmation,
        format!(
            "<@{IC}> added action item #1: Canary deploys and a rollback button · owner <@{GLEN}> · due Tue 2026-12-01 (yesterday)\n:warning: that date is in the past."
        )
    );
}
on_both_backends!(
    a_message_becomes_an_action_item_with_its_owner_date_and_source,
    a_message_becomes_an_action_item_with_its_owner_date_and_source
);

#[tokio::test]
async fn the_shortcut_outside_a_war_room_says_it_works_only_there_and_opens_nothing() {
    let app = app_on_a_wednesday(Backend::Sqlite, false).await;
    let ts = app.next_ts();
    let on = ShortcutOn {
        channel: "C0GENERAL",
        ts: &ts,
        text: "lunch?",
        author: DEV,
    };
    let (answer, url_id) = app.add_as_action_item(IC, on).await;
    assert_eq!(answer, Value::Null);
    app.slack
        .wait_for("the answer", |s| !s.response_url_posts().is_empty())
        .await;
    let post = app.slack.response_url_posts()[0].clone();
    assert_eq!(post.id, url_id);
    assert_eq!(post.body["response_type"], "ephemeral");
    let text = post.body["text"].as_str().unwrap();
    assert!(
        text.contains("works only in an incident war room"),
        "{text}"
    );
    assert!(app.slack.opened_views().is_empty());
}

#[tokio::test]
async fn a_blank_item_or_a_far_date_is_refused_beside_its_field_and_adds_nothing() {
    let app = app_on_a_wednesday(Backend::Sqlite, false).await;
    let room = app.declare(IC, "Checkout down").await;
    let ts = write(&app, &room.channel, "something");
    let on = ShortcutOn {
        channel: &room.channel,
        ts: &ts,
        text: "something",
        author: DEV,
    };
    app.add_as_action_item(IC, on).await;
    let view = app.opened_view(0).await;
    for (inputs, block) in [
        (vec![("text", Input::Text("   "))], "text"),
        (vec![("due", Input::Date(Some("2040-01-01")))], "due"),
    ] {
        let answer = app.submit_view(IC, &view, &inputs).await;
        assert_eq!(answer["response_action"], "errors", "{answer}");
        assert!(answer["errors"][block].is_string(), "{answer}");
    }
    assert!(items(&app, room.incident_id).await.is_empty());
    assert!(
        entries_of(&app, room.incident_id, "action")
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn a_long_message_is_cut_to_what_the_modal_input_holds() {
    let app = app_on_a_wednesday(Backend::Sqlite, false).await;
    let room = app.declare(IC, "Checkout down").await;
    let long = "ü".repeat(5_000);
    let ts = write(&app, &room.channel, &long);
    let on = ShortcutOn {
        channel: &room.channel,
        ts: &ts,
        text: &long,
        author: DEV,
    };
    app.add_as_action_item(IC, on).await;
    // The fake refuses an initial_value past 3000 characters, as Slack does.
    let (_, view) = app.opened_view(0).await;
    let initial = view["blocks"][0]["element"]["initial_value"]
        .as_str()
        .unwrap();
    assert_eq!(initial.chars().count(), 3_000);
}

#[tokio::test]
async fn the_shortcut_and_its_modal_work_over_socket_mode() {
    let app = app_on_a_wednesday(Backend::Sqlite, true).await;
    let answer = app
        .command_text(IC, "C0INCIDENTS", "declare Socket shortcut sev2")
        .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    let room = app.war_room_of(1).await;
    let ts = app.next_ts();
    app.slack
        .add_message_at(&room, DEV, "add a retry budget", &ts);

    let on = ShortcutOn {
        channel: &room,
        ts: &ts,
        text: "add a retry budget",
        author: DEV,
    };
    let (answer, _) = app.add_as_action_item(IC, on).await;
    assert_eq!(answer, Value::Null);
    let view = app.opened_view(0).await;
    let inputs = [
        ("owner", Input::User(Some(GLEN))),
        ("due", Input::Date(Some("2026-12-09"))),
    ];
    assert_eq!(app.submit_view(IC, &view, &inputs).await, Value::Null);

    let stored = items(&app, 1).await;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].text, "add a retry budget",
        "the prefilled text, kept"
    );
    assert_eq!(stored[0].source_ts.as_deref(), Some(ts.as_str()));
    let confirmation = posted(&app, &room, "added action item #1").await;
    assert!(
        confirmation.contains("due Wed 2026-12-09 (in 7 days)"),
        "{confirmation}"
    );
}
