//! Test support for Warroom.
//!
//! * [`FakeSlack`]: a strict, in-process fake of the Slack Web API (plus the file
//!   upload URLs and slash-command `response_url`s it hands out), with Socket
//!   Mode (`apps.connections.open` and its WebSocket; see [`slack::socket`]).
//! * [`SlackSigner`]: signs request bodies the way Slack does, so tests can act as
//!   Slack toward the bot.
//! * [`payloads`]: builders for the payloads Slack sends (slash commands, Events API
//!   callbacks and message events).
//! * [`pagers`]: strict fake paging providers — [`FakePagerDuty`] (Events API v2),
//!   [`FakeOpsgenie`] (Alert API v2) and [`FakeWebhook`] (generic JSON hooks) —
//!   sharing [`PagerFailure`] injection.

pub mod pagers;
pub mod payloads;
pub mod signer;
pub mod slack;

pub use pagers::{
    FakeOpsgenie, FakePagerDuty, FakeWebhook, PagerFailure, opsgenie, pagerduty, webhook,
};
pub use signer::SlackSigner;
pub use slack::{
    BOT_APP_ID, BOT_ID, BOT_USER_ID, Channel, DisconnectReason, Failure, FakeSlack,
    FakeSlackConfig, Message, OpenedView, RecordedCall, ResponseUrlPost, SocketAck, SocketDelivery,
    TEAM_ID, UploadedFile, User,
};

#[cfg(test)]
mod tests;
