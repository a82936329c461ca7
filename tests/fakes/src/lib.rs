//! Test support for Warroom.
//!
//! * [`FakeSlack`]: a strict, in-process fake of the Slack Web API (plus the file
//!   upload URLs and slash-command `response_url`s it hands out), with Socket
//!   Mode (`apps.connections.open` and its WebSocket; see [`slack::socket`]).
//!   It is meant to be as strict as Slack, never kinder, so that the bot's
//!   defects show up in tests rather than in production. What it models:
//!   * **Tokens and scopes**: the bot token, the app-level token (Socket Mode
//!     only), and the bot scopes granted ([`FakeSlackConfig::scopes`]; all known
//!     scopes by default, or the app manifest's with
//!     [`FakeSlackConfig::with_manifest`]). A call without its scope answers
//!     `missing_scope` with `needed` and `provided`; scopes follow the channel
//!     type (see [`slack::scopes`]).
//!   * **Conversations**: public and private channels and DMs
//!     ([`ChannelKind`]; `conversations.open` and [`FakeSlack::add_dm`] make
//!     `D…` DMs), with Slack's name rules, membership rules, and
//!     `conversations.invite`'s all-or-nothing answer (an `errors` list per
//!     user; `force=true` invites the valid ones anyway).
//!   * **Messages**: posting, ephemeral messages, updates, pins, metadata, Block
//!     Kit checks, history and threads with Slack's paging (`limit` defaults and
//!     caps, `has_more`, `next_cursor`, `oldest`/`latest`/`inclusive`, the thread
//!     parent on every `conversations.replies` page), and what humans do while
//!     the bot is away (seeded messages, edits, deletions with the event Slack
//!     sends: `message_deleted`, or a tombstone `message_changed` for a thread
//!     parent with replies; see [`FakeSlack::delete_message_event`]).
//!   * **Reactions and pins** people make ([`FakeSlack::add_reaction`],
//!     [`FakeSlack::pin_message`], …): history shows `reactions` and `pinned_to`,
//!     and each returns the `reaction_*` / `pin_*` event Slack sends.
//!   * **Event subscriptions**: with a manifest, only the bot events it subscribes
//!     to, with their scopes, are delivered ([`FakeSlack::check_delivery`]).
//!   * **Users**: `users.info`, deactivated users ([`FakeSlack::deactivate_user`])
//!     and how other methods treat them.
//!   * **Files v2** (`files.getUploadURLExternal`, the upload URL,
//!     `files.completeUploadExternal`) and modals (`views.open`).
//!   * **Failures**: outages, 429s (injected, or a per-channel post limit),
//!     500s, Slack errors, hangs, and "applied but the answer was lost"
//!     ([`Failure::AppliedThenServerError`], [`Failure::AppliedThenHang`]).
//!   * **Sign in with Slack** (OpenID Connect): the authorize page, played by a
//!     browser session a test sets up ([`FakeSlack::browser_signed_in_as`]),
//!     `openid.connect.token`, `openid.connect.userInfo` and the key set, with
//!     id_tokens signed by a key made at test time ([`IdTokenSigner`]); see
//!     [`slack::oidc`].
//!   * **Socket Mode**: hello, envelopes, acks, disconnects, duplicate delivery
//!     and redelivery of unacked events, by hand or automatically
//!     ([`FakeSlack::set_auto_redeliver`]).
//!
//!   Not modelled: group DMs (mpim), Slack Connect, archiving through the API,
//!   `chat:write.public`, user tokens (beyond Sign in with Slack's), and the Events API over HTTP (tests push
//!   events themselves, signed with [`SlackSigner`]).
//! * [`SlackSigner`]: signs request bodies the way Slack does, so tests can act as
//!   Slack toward the bot.
//! * [`payloads`]: builders for the payloads Slack sends (slash commands, Events API
//!   callbacks, message events including the tombstone `message_changed`, and
//!   reaction and pin events); [`interactions`]: message shortcuts and modal
//!   submissions.
//! * [`pagers`]: strict fake paging providers — [`FakePagerDuty`] (Events API v2),
//!   [`FakeOpsgenie`] (Alert API v2) and [`FakeWebhook`] (generic JSON hooks) —
//!   sharing [`PagerFailure`] injection.
//! * [`FakeGithub`]: the GitHub REST issue endpoints (create, list) with GitHub's
//!   checks, pagination and rate limits, and [`GithubFault`] injection, including
//!   "created but the answer was lost" (see [`github`]).
//! * [`FakeStatuspage`]: the Atlassian Statuspage v1 incident endpoints (create,
//!   update, read, list) with Statuspage's enums, `OAuth` key, 400/401/404/422
//!   answers, rolling-minute rate limit and [`StatuspageFault`] injection, including
//!   "created but the answer was lost" (see [`statuspage`]).
//! * [`alerts`]: Alertmanager (v4) and Grafana (unified alerting) webhook bodies,
//!   built from a group of alerts ([`alerts::AlertGroup`], [`alerts::FakeAlert`]).

pub mod alerts;
pub mod github;
pub mod interactions;
pub mod pagers;
pub mod payloads;
mod rest;
pub mod signer;
pub mod slack;
pub mod statuspage;

pub use github::{FakeGithub, GithubFault};
pub use pagers::{
    FakeOpsgenie, FakePagerDuty, FakeWebhook, PagerFailure, opsgenie, pagerduty, webhook,
};
pub use signer::SlackSigner;
pub use slack::{
    BOT_APP_ID, BOT_ID, BOT_USER_ID, Channel, ChannelKind, Consent, DisconnectReason, Failure,
    FakeSlack, FakeSlackConfig, IdTokenSigner, Message, OpenedView, RecordedCall, ResponseUrlPost,
    Scopes, SlackPerson, SocketAck, SocketDelivery, TEAM_ID, UploadedFile, User,
};
pub use statuspage::{FakeStatuspage, StatuspageFault};

#[cfg(test)]
mod tests;
