//! Which pager, and what to tell it: the names stored in outbox items and in the
//! provider-alert table.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    Pagerduty,
    Opsgenie,
    Webhook,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderAction {
    Trigger,
    Acknowledge,
    Resolve,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Pagerduty => "pagerduty",
            Provider::Opsgenie => "opsgenie",
            Provider::Webhook => "webhook",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Provider::Pagerduty => "PagerDuty",
            Provider::Opsgenie => "Opsgenie",
            Provider::Webhook => "webhook",
        })
    }
}

impl Provider {
    /// The provider stored under `name` (as [`Provider::as_str`] wrote it).
    pub fn from_name(name: &str) -> Option<Provider> {
        match name {
            "pagerduty" => Some(Provider::Pagerduty),
            "opsgenie" => Some(Provider::Opsgenie),
            "webhook" => Some(Provider::Webhook),
            _ => None,
        }
    }
}
