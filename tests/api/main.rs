//! Warroom's integration tests: one binary. `store` runs the same bodies on SQLite
//! and PostgreSQL; the rest drive a running app over signed HTTP with a fake Slack.

mod db;
mod store;
