//! Warroom: a Slack incident bot.
//!
//! Data flows one way: Slack → [`slack`] (HTTP routes, signature checks) → [`commands`]
//! (slash commands) or [`timeline`] (message events) → [`domain`] (the pure incident
//! state machine) → [`store`] (SQLite or PostgreSQL). Everything Warroom says back to
//! Slack goes through [`outbox`], a durable queue drained by a worker, so a slow or
//! failing Slack never blocks an ack and never loses a write.
//!
//! Two Slack calls skip the outbox on purpose, both made straight from a handler after
//! the ack: `views.open`, whose trigger id expires within 3 seconds, and posts to a
//! `response_url` (a command's or a button's), which answer one person's action and
//! expire in 30 minutes. Neither changes what is stored; a failure is logged.
//!
//! [`postmortem`] turns a stored incident into a draft (Markdown, Block Kit);
//! [`import`] reads a Slack export into the store. [`app`] wires it all together,
//! [`config`] loads settings, secrets and the escalation setup, [`telemetry`] sets up
//! logging, [`cli`] holds the offline commands (`import`, `postmortem`, `status`).

pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod domain;
pub mod error;
pub mod import;
pub mod outbox;
pub mod paging;
pub mod postmortem;
pub mod report;
pub mod slack;
pub mod store;
pub mod supervisor;
pub mod telemetry;
pub mod timeline;
pub mod tls;
