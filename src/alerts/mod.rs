//! Alerts declare incidents. Alertmanager and Grafana post their webhooks to
//! `/alerts/<source>` ([`crate::inbound::alert_routes`] checks the token);
//! [`payload`] reads either format into a [`crate::domain::alert::Notification`];
//! [`intake`] stores it and decides, under the group's row lock, whether it declares
//! an incident (by the rules of [`crate::config::alert_rules`]), updates the one the
//! group already feeds, reopens it (flapping), tells it the group resolved, or posts
//! the group to triage; [`triage`] declares from the triage post's button.

pub mod intake;
pub mod payload;
pub mod triage;

pub use intake::{Outcome, intake};
