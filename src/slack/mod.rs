//! Slack's vocabulary, with no knowledge of incidents' workflow: [`client`] speaks the
//! Web API; [`views`] builds the messages and modals users see, [`page_views`] the
//! page DMs, [`action_views`] the DMs that follow action items' owners and
//! [`alert_views`] the alert posts, [`nudge_views`] the nudges; [`mrkdwn`] escapes what Warroom echoes,
//! [`untrusted`] what alerts say;
//! [`health`] is whether Slack's Web API answers (every call's outcome, for the IRC
//! fallback); [`verify`] checks request signatures; [`sign_in`] is Sign in with Slack (OpenID
//! Connect) for the dashboard; [`Answer`] is what a handler says back,
//! whichever transport (in [`crate::inbound`]) carried the request.

pub mod action_views;
pub mod alert_views;
pub mod client;
pub mod health;
pub mod mrkdwn;
pub mod nudge_views;
pub mod page_views;
pub mod sign_in;
pub mod untrusted;
pub mod verify;
pub mod views;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use serde_json::Value;

/// What a handler says back to Slack, whichever way the request came.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// A plain acknowledgement.
    Empty,
    /// A body: a slash-command reply, a modal's errors, a challenge.
    Json(Value),
}

impl IntoResponse for Answer {
    fn into_response(self) -> Response {
        match self {
            Answer::Empty => StatusCode::OK.into_response(),
            Answer::Json(v) => Json(v).into_response(),
        }
    }
}
