//! The Slack edge. Inbound, over either transport — [`routes`] (HTTP, signature-checked)
//! or [`socket`] (Socket Mode) — slash commands go to `commands`, message events to
//! `timeline` via [`events`], and buttons and modals to [`interactions`]; each returns an
//! [`Answer`] the transport sends back (HTTP body or envelope ack payload). Outbound:
//! [`client`] speaks the Web API; [`views`] builds what users see; [`backfill`] fetches
//! what was missed while the bot was away.

pub mod backfill;
pub mod client;
pub mod events;
pub mod interactions;
pub mod mrkdwn;
pub mod routes;
pub mod socket;
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
