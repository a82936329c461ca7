//! `TestApp` methods for interactions: a message shortcut and a modal's submission,
//! over whichever transport the app uses (HTTP, or Socket Mode with the answer in the
//! envelope's ack).

use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use warroom_fakes::interactions::{self, Input};
use warroom_fakes::payloads;

/// What a message shortcut was used on.
pub struct ShortcutOn<'a> {
    pub channel: &'a str,
    pub ts: &'a str,
    pub text: &'a str,
    pub author: &'a str,
}

impl TestApp {
    /// Sends an interaction; returns the app's answer (`Null` when it is empty).
    pub async fn interact(&self, payload: Value) -> Value {
        if self.socket_mode {
            let id = self.slack.push_interaction(payload);
            return self
                .slack
                .wait_for_ack(&id)
                .await
                .payload
                .unwrap_or(Value::Null);
        }
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap();
        let res = self
            .post_signed(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                &form,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "the interaction was taken");
        let body = res.text().await.unwrap_or_default();
        serde_json::from_str(&body).unwrap_or(Value::Null)
    }

    /// `user` picks "Add as action item" on a message. Returns the app's answer and
    /// the id of the shortcut's `response_url` on the fake.
    pub async fn add_as_action_item(&self, user: &str, on: ShortcutOn<'_>) -> (Value, String) {
        let n = self.next();
        let url_id = format!("shortcut{n}");
        let message = json!({"type": "message", "ts": on.ts, "text": on.text, "user": on.author,
                             "team": warroom_fakes::TEAM_ID});
        let payload = interactions::message_shortcut(
            "add_action_item",
            user,
            on.channel,
            message,
            &payloads::trigger_id(n),
            &self.slack.response_url(&url_id),
        );
        (self.interact(payload).await, url_id)
    }

    /// Waits for the `n`-th modal the app opens (0 for the first) and returns its
    /// view id and view.
    pub async fn opened_view(&self, n: usize) -> (String, Value) {
        self.slack
            .wait_for("a modal", |s| s.opened_views().len() > n)
            .await;
        let opened = self.slack.opened_views()[n].clone();
        (opened.view_id, opened.view)
    }

    /// `user` submits an opened modal with `inputs` keyed by block id.
    pub async fn submit_view(
        &self,
        user: &str,
        (view_id, view): &(String, Value),
        inputs: &[(&str, Input<'_>)],
    ) -> Value {
        let payload = interactions::view_submission(view_id, view, user, inputs);
        self.interact(payload).await
    }
}
