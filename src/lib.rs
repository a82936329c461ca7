//! Warroom: a Slack incident bot. This map names every module and what it owns.
//!
//! # In
//! Slack reaches Warroom over HTTP (signed requests) or Socket Mode; PagerDuty and
//! Opsgenie over webhooks. Everything that arrives enters through [`inbound`]:
//! - slash commands, buttons and modals go to [`commands`] (`declare`, `status`,
//!   `page`, `ack`, `update`, …, one file each; the modal and the command declare
//!   through the same code);
//! - message events (new, edited, deleted, threads, files) go to [`timeline`], which
//!   batches them into the store and absorbs redeliveries; 📌 reactions and pins on
//!   war-room messages go there too, as key-event marks;
//! - pager acknowledgements go to [`paging`]'s `ack`;
//! - Alertmanager's and Grafana's webhooks go to [`alerts`], which declares, updates,
//!   reopens or triages by the rules of [`config::alert_rules`];
//! - [`inbound::backfill`] fetches what was missed while the bot was away.
//!
//! The incident itself is [`domain`]: values valid by construction and the lifecycle
//! state machine, pure (no Slack, no database, no clock). [`store`] keeps it, on SQLite
//! or PostgreSQL, behind one type.
//!
//! # Out
//! Everything Warroom says to Slack or a pager is first stored in [`outbox`], in the
//! same transaction as the change that caused it, then sent by its worker: one file
//! per kind of operation under [`outbox::ops`] (create the war room, invite, topic,
//! post, summary and pin, page DM and the notice of pages added to one, provider page,
//! postmortem, stakeholder update, Statuspage incident). A slow or failing Slack never
//! blocks an ack and never loses a write.
//! [`slack`] is Slack's vocabulary (the Web API [`slack::client`], [`slack::views`]
//! for what people see, [`slack::mrkdwn`] escaping, [`slack::verify`] signatures,
//! [`slack::sign_in`] Sign in with Slack for the dashboard); [`pagers`] speaks
//! PagerDuty, Opsgenie and webhooks. [`paging`] decides who is paged and when
//! (escalation levels, durable timers, acks, and a new round when a resolved incident
//! reopens), from [`config::escalation`].
//! [`github`] opens GitHub issues for action items (it imports only [`net`]);
//! [`statuspage`] mirrors public stakeholder updates on Atlassian Statuspage (it
//! imports only [`net`] and [`domain`]).
//! [`fallback`] is the war room on IRC when Slack is down (issue 17): its text rules
//! (formatting stripped coming in, 512-byte lines going out) and [`fallback::watch`],
//! which opens a room for each real incident still being worked (not drills, not
//! resolved ones) once Slack's Web API has failed for `fallback.after`
//! ([`slack::health`] records every call's outcome) and tells the Slack war room what
//! happened on IRC once Slack is back. Opening and closing by hand
//! (`/incident fallback [close]`, `warroom fallback open|close`) is
//! `commands::fallback` (closing needs no `[fallback.irc]`, opening does); closing an
//! incident closes its room in the same transaction.
//! Opening or closing a room re-renders the page DMs already sent (through the
//! outbox's `RefreshPageDm`), so they name the room only while it is open.
//! [`fallback::irc`] is one connection (held by one replica through a lease) that joins every open
//! fallback room's channel, sets its topic, briefs it once per opening, stores what
//! people say there as timeline entries of source IRC (through a writer task beside
//! the read loop, so a slow database never stalls reading), and runs their `!` lines
//! through [`commands`]' handlers beside reading, answering on IRC; those command tasks
//! are tracked ([`fallback::irc::supervise`]): a panic is logged with the incident and
//! answered as an internal error, and an ending session waits briefly for them. It talks to IRC directly, not
//! through the outbox: the outbox is Slack's, and IRC is where Slack is not.
//!
//! Two Slack calls skip the outbox on purpose, both made straight from a handler after
//! the ack: `views.open`, whose trigger id expires within 3 seconds, and posts to a
//! `response_url` (a command's or a button's), which answer one person's action and
//! expire in 30 minutes. Neither changes what is stored; a failure is logged.
//!
//! # Look
//! [`web`] is the dashboard people read in a browser: incidents, one incident (with
//! its whole timeline, a page at a time, and the postmortem draft as a download) and
//! trends as SVG charts, under `/dashboard`. `warroom serve` serves it beside Slack's
//! routes; `warroom dashboard` serves it alone, from the database. It only reads.
//!
//! # Around
//! - [`followup`]: after the close, action items follow their owners (a DM on close,
//!   reminders on due dates from a durable worker, the optional GitHub export); it
//!   stands beside `paging` in the order below and imports only `outbox` and after.
//! - [`timers`]: the durable timer engine (rows with due times, claimed by one
//!   replica each) and its first kind, the nudges: a stakeholder update overdue by
//!   the severity's cadence, no commander, a quiet incident, one resolved but not
//!   closed, each posted with Snooze and Dismiss buttons (pressed in
//!   [`inbound::nudge_buttons`]); beside `paging` and `followup` in the order below.
//! - [`postmortem`]: the draft from a stored incident (Markdown file, Block Kit
//!   message); [`postmortem::gather`] is its one reader of the store.
//! - [`report`]: the on-call report of a time window (incidents, pages, acks,
//!   escalations, key events, resolutions, open action items), built from the store
//!   only, as Markdown (`warroom report`) or one Slack message (`/incident report`);
//!   one serializable value the dashboard renders too.
//! - [`drills`]: the Wheel of Misfortune, `warroom drill --replay`: a past incident
//!   from an export, declared as a drill and replayed into its war room through the
//!   outbox (`/incident drill` is a command like the others).
//! - [`import`]: a Slack export read into domain values; [`cli`]: the offline commands
//!   (`import`, `postmortem`, `status`, `actions`, `report`; `dashboard` is [`web::server`];
//!   `fallback open|close` is `commands::fallback::offline`, on the database alone, so
//!   the command line and `/incident fallback` share one code path).
//! - [`config`]: settings, secrets and the escalation file, each error naming its file
//!   and key. [`state`]: what every handler can reach ([`state::AppState`]).
//! - [`app`]: builds the state, wires routes and workers, runs until shutdown.
//!   [`supervisor`]: background tasks that must not die silently (`/healthz`).
//! - [`clock`]: the time Warroom acts on (a manual one in tests); [`error`]: the
//!   application error and how it answers; [`net`]: HTTP helpers every outbound
//!   client shares; [`tls`]: the process's one TLS provider; [`telemetry`]: logging;
//!   [`metrics`]: the Prometheus counters and histograms (one registry per app, in
//!   the state), served with the database's gauges at `GET /metrics` by
//!   [`inbound::scrape`]; what a transaction did is counted once it commits
//!   (`store::Tx::on_commit`).
//!
//! # Imports run one way
//! Each module imports only modules listed after it:
//! `app` → `inbound`, `web` → `alerts` → `drills` → `fallback` → `commands` → `paging`, `followup` → `cli`, `outbox` → `report` →
//! `postmortem`, `state` → `slack` → `error`, `github`, `pagers`, `statuspage`, `timeline` → `config`, `import`, `store` →
//! `clock`, `domain`, `metrics`, `net`, `supervisor`, `tls`, `telemetry`. Nothing imports `app`.

pub mod alerts;
pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod domain;
pub mod drills;
pub mod error;
pub mod fallback;
pub mod followup;
pub mod github;
pub mod import;
pub mod inbound;
pub mod metrics;
pub mod net;
pub mod outbox;
pub mod pagers;
pub mod paging;
pub mod postmortem;
pub mod report;
pub mod slack;
pub mod state;
pub mod statuspage;
pub mod store;
pub mod supervisor;
pub mod telemetry;
pub mod timeline;
pub mod timers;
pub mod tls;
pub mod web;
