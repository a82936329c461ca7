//! Everything that arrives, over either transport, and where it goes. [`routes`] is
//! the HTTP server (signature-checked Slack requests, pager webhooks, health);
//! [`socket_mode`] receives the same Slack payloads over a WebSocket. Both hand slash
//! commands to [`crate::commands`], message, reaction and pin events to [`events`]
//! (and on to [`crate::timeline`]), and buttons, shortcuts and modals to
//! [`interactions`] (the "Add as action item" shortcut in [`shortcuts`], the alert
//! posts' buttons in [`alert_buttons`], the nudges' in [`nudge_buttons`]); each returns a [`crate::slack::Answer`] the
//! transport sends back. [`pager_acks`] hears PagerDuty's and Opsgenie's
//! acknowledgements; [`alert_routes`] takes Alertmanager's and Grafana's webhooks (on
//! to [`crate::alerts`]); [`scrape`] answers Prometheus at `/metrics`; [`backfill`]
//! fetches what was missed while the bot was away.

pub mod alert_buttons;
pub mod alert_routes;
pub mod backfill;
pub mod events;
pub mod interactions;
pub mod nudge_buttons;
pub mod pager_acks;
pub mod routes;
pub mod scrape;
pub mod shortcuts;
pub mod socket_mode;
