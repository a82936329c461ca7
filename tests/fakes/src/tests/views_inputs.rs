//! `views.open` checks a modal's input elements as Slack does.

use serde_json::{Value, json};

use super::Client;

fn modal_with(element: Value) -> Value {
    json!({
        "type": "modal",
        "callback_id": "form",
        "title": { "type": "plain_text", "text": "A form" },
        "submit": { "type": "plain_text", "text": "Send" },
        "blocks": [{
            "type": "input",
            "block_id": "b",
            "label": { "type": "plain_text", "text": "Field" },
            "element": element,
        }],
    })
}

async fn open(c: &Client, n: usize, view: Value) -> Option<String> {
    let a = c
        .json(
            "views.open",
            json!({ "trigger_id": format!("1.2.{n}"), "view": view }),
        )
        .await;
    a.error().map(str::to_string)
}

#[tokio::test]
async fn well_formed_input_elements_are_accepted() {
    let c = Client::start().await;
    let good = [
        json!({"type": "plain_text_input", "action_id": "v", "multiline": true, "max_length": 3000,
               "initial_value": "x".repeat(3000)}),
        json!({"type": "plain_text_input", "action_id": "v", "initial_value": "é".repeat(3000)}),
        json!({"type": "users_select", "action_id": "v", "initial_user": "U02GLEN",
               "placeholder": {"type": "plain_text", "text": "Who?"}}),
        json!({"type": "datepicker", "action_id": "v", "initial_date": "2026-12-04"}),
        json!({"type": "static_select", "action_id": "v",
               "options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}]}),
    ];
    for (n, element) in good.into_iter().enumerate() {
        assert_eq!(
            open(&c, n, modal_with(element.clone())).await,
            None,
            "{element}"
        );
    }
}

#[tokio::test]
async fn malformed_input_elements_are_refused_with_invalid_arguments() {
    let c = Client::start().await;
    let bad = [
        json!({"type": "plain_text_input", "initial_value": "x".repeat(3001)}),
        json!({"type": "plain_text_input", "max_length": 10, "initial_value": "x".repeat(11)}),
        json!({"type": "plain_text_input", "max_length": 3001}),
        json!({"type": "plain_text_input", "max_length": 0}),
        json!({"type": "plain_text_input", "multiline": "yes"}),
        json!({"type": "plain_text_input", "action_id": "a".repeat(256)}),
        json!({"type": "users_select", "initial_user": "bob"}),
        json!({"type": "users_select", "placeholder": {"type": "plain_text", "text": "x".repeat(151)}}),
        json!({"type": "users_select", "placeholder": {"type": "mrkdwn", "text": "Who?"}}),
        json!({"type": "datepicker", "initial_date": "2026-12-4"}),
        json!({"type": "datepicker", "initial_date": "2026-02-30"}),
        json!({"type": "datepicker", "initial_date": "04/12/2026"}),
        json!({"type": "static_select", "options": []}),
        json!({"type": "button", "text": {"type": "plain_text", "text": "Go"}}),
        json!({"type": "no_such_element"}),
    ];
    for (n, element) in bad.into_iter().enumerate() {
        assert_eq!(
            open(&c, n, modal_with(element.clone())).await.as_deref(),
            Some("invalid_arguments"),
            "{element}"
        );
    }
    assert!(c.slack.opened_views().is_empty());
}

#[tokio::test]
async fn metadata_callback_ids_and_a_missing_submit_are_checked() {
    let c = Client::start().await;
    let input = json!({"type": "plain_text_input", "action_id": "v"});
    let mut long_metadata = modal_with(input.clone());
    long_metadata["private_metadata"] = json!("m".repeat(3001));
    let mut long_callback = modal_with(input.clone());
    long_callback["callback_id"] = json!("c".repeat(256));
    let mut no_submit = modal_with(input.clone());
    no_submit.as_object_mut().unwrap().remove("submit");
    for (n, view) in [long_metadata, long_callback, no_submit]
        .into_iter()
        .enumerate()
    {
        assert_eq!(
            open(&c, n, view).await.as_deref(),
            Some("invalid_arguments")
        );
    }
    let mut fits = modal_with(input);
    fits["private_metadata"] = json!("m".repeat(3000));
    assert_eq!(open(&c, 9, fits).await, None);
}
