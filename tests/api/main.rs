//! Warroom's integration tests: one binary. `store` runs the same bodies on SQLite
//! and PostgreSQL; the rest drive a running app over signed HTTP with a fake Slack.

mod bad_input;
mod db;
mod helpers;
mod import;
mod incident_loop;
mod paging;
mod signatures;
mod store;
mod war_room;
