//! Warroom's integration tests: one binary. `store` runs the same bodies on SQLite
//! and PostgreSQL; the rest drive a running app over signed HTTP with a fake Slack.

mod action_items;
mod action_shortcut;
mod alert_posts;
mod alerts;
mod bad_input;
mod capture_commands;
mod capture_store;
mod db;
mod escalations;
mod faults;
mod followup;
mod fuzz;
mod github;
mod helpers;
mod hostile;
mod import;
mod incident_loop;
mod interact;
mod key_events;
mod marking;
mod metrics;
mod oncall_report;
mod outbox;
mod page_dm_bursts;
mod page_dms;
mod paging;
mod postmortem_loop;
mod rate_tiers;
mod shutdown;
mod signatures;
mod slack_sign_in;
mod socket_mode;
mod store;
mod timeline;
mod war_room;
