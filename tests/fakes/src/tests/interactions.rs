use serde_json::json;

use crate::interactions::{Input, message_shortcut, view_submission};

fn form() -> serde_json::Value {
    json!({"type": "modal", "callback_id": "cb", "private_metadata": "meta",
    "title": {"type": "plain_text", "text": "Form"}, "submit": {"type": "plain_text", "text": "Go"},
    "blocks": [
        {"type": "input", "block_id": "text", "label": {"type": "plain_text", "text": "T"},
         "element": {"type": "plain_text_input", "action_id": "value", "initial_value": "prefilled"}},
        {"type": "input", "block_id": "owner", "label": {"type": "plain_text", "text": "O"},
         "element": {"type": "users_select", "action_id": "value"}},
        {"type": "input", "block_id": "due", "label": {"type": "plain_text", "text": "D"},
         "element": {"type": "datepicker", "action_id": "value"}}
    ]})
}

#[test]
fn a_submission_carries_every_input_block_in_its_elements_value_shape() {
    let p = view_submission(
        "V1",
        &form(),
        "U1",
        &[("due", Input::Date(Some("2026-12-04")))],
    );
    assert_eq!(p["type"], "view_submission");
    assert_eq!(p["view"]["callback_id"], "cb");
    assert_eq!(p["view"]["private_metadata"], "meta");
    let values = &p["view"]["state"]["values"];
    assert_eq!(
        values["text"]["value"]["value"], "prefilled",
        "left as opened"
    );
    assert_eq!(values["owner"]["value"]["selected_user"], json!(null));
    assert_eq!(values["due"]["value"]["selected_date"], "2026-12-04");
}

#[test]
#[should_panic(expected = "cannot take")]
fn a_submission_that_does_not_fit_the_element_is_a_test_bug() {
    view_submission("V1", &form(), "U1", &[("owner", Input::Text("bob"))]);
}

#[test]
#[should_panic(expected = "no input block")]
fn a_submission_naming_a_missing_block_is_a_test_bug() {
    view_submission("V1", &form(), "U1", &[("title", Input::Text("x"))]);
}

#[test]
fn a_message_shortcut_names_the_message_and_where_it_is() {
    let p = message_shortcut(
        "add_action_item",
        "U1",
        "C1",
        json!({"type": "message", "ts": "1.000002", "text": "hi", "user": "U2"}),
        "1.2.3",
        "http://x/response/1",
    );
    assert_eq!(p["type"], "message_action");
    assert_eq!(p["message_ts"], "1.000002");
    assert_eq!(
        (&p["channel"]["id"], &p["user"]["id"]),
        (&json!("C1"), &json!("U1"))
    );
}
