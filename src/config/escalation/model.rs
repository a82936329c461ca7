//! The escalation setup as the rest of Warroom uses it: teams and how to page them,
//! policies and their levels, routing, and provider endpoints. Built only by
//! [`super::checks`], so every value here has been validated.

use super::values::BadTarget;
use super::values::{is_id, is_slack_user_id};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// PagerDuty Events API v2 base URL used when the file does not set one.
pub const DEFAULT_PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com";

/// Opsgenie API base URL used when the file does not set one.
pub const DEFAULT_OPSGENIE_API_URL: &str = "https://api.opsgenie.com";

/// A PagerDuty Events v2 routing (integration) key is exactly this many characters.
pub const PAGERDUTY_ROUTING_KEY_LEN: usize = 32;

/// The whole escalation setup: who the teams are, how each policy escalates, and which
/// policy a severity uses and which team owns a service.
#[derive(Debug, Clone)]
pub struct EscalationConfig {
    /// Teams by id (the TOML key, e.g. `sre`).
    pub teams: BTreeMap<String, Team>,
    /// Escalation policies by id (the TOML key, e.g. `app-down`).
    pub policies: BTreeMap<String, Policy>,
    /// Severity level (1..=4) → policy id. A severity without a route pages nobody.
    pub severity_routes: BTreeMap<u8, String>,
    /// Affected service (lower-cased) → id of the team that owns it.
    pub service_routes: BTreeMap<String, String>,
    /// Pager provider endpoints and account-wide credentials.
    pub providers: Providers,
}

/// A group of people paged together.
#[derive(Debug, Clone)]
pub struct Team {
    /// The TOML key, e.g. `sre`.
    pub id: String,
    /// Human name shown in Slack, e.g. "SRE on call". Defaults to the id.
    pub name: String,
    /// People to invite to the war room and mention in Slack.
    pub pocs: Vec<Poc>,
    /// Page this team through a PagerDuty service.
    pub pagerduty: Option<PagerDutyTarget>,
    /// Page this team through an Opsgenie team.
    pub opsgenie: Option<OpsgenieTarget>,
    /// POST the page as JSON to this URL.
    pub webhook: Option<WebhookTarget>,
}

/// A point of contact: a Slack user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poc {
    /// Slack user id, e.g. `U06SREONCL`.
    pub slack_user: String,
    /// Display name, for messages and the postmortem.
    pub name: Option<String>,
    /// E-mail address, for humans reading the config.
    pub email: Option<String>,
}

/// A PagerDuty service to trigger via the Events API v2.
#[derive(Debug, Clone)]
pub struct PagerDutyTarget {
    /// The environment variable the routing key was read from (safe to show).
    pub routing_key_env: String,
    /// The routing key itself. `Debug` shows `[REDACTED]`.
    pub routing_key: SecretString,
}

/// An Opsgenie team, sent as responder `{ "name": team, "type": "team" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsgenieTarget {
    /// The Opsgenie team name.
    pub team: String,
}

/// A generic HTTP(S) webhook receiving the page as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// `http://` or `https://` URL.
    pub url: String,
}

/// Provider endpoints and account-wide credentials.
#[derive(Debug, Clone)]
pub struct Providers {
    /// PagerDuty Events API base URL, without a trailing `/`.
    pub pagerduty_events_url: String,
    /// Opsgenie API base URL, without a trailing `/`.
    pub opsgenie_api_url: String,
    /// The environment variable the Opsgenie API key was read from.
    pub opsgenie_api_key_env: Option<String>,
    /// The Opsgenie API key. `Debug` shows `[REDACTED]`.
    pub opsgenie_api_key: Option<SecretString>,
}

impl Default for Providers {
    fn default() -> Self {
        Providers {
            pagerduty_events_url: DEFAULT_PAGERDUTY_EVENTS_URL.to_string(),
            opsgenie_api_url: DEFAULT_OPSGENIE_API_URL.to_string(),
            opsgenie_api_key_env: None,
            opsgenie_api_key: None,
        }
    }
}

/// An escalation policy: page level one, wait for an ack, then page the next level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The TOML key, e.g. `app-down`.
    pub id: String,
    /// Levels in order; never empty once loaded.
    pub levels: Vec<Level>,
    /// After the last level times out, page the last level this many more times.
    pub repeat_last: u32,
}

/// One step of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Who gets paged at this step; never empty once loaded.
    pub targets: Vec<Target>,
    /// How long to wait for an acknowledgement before escalating.
    pub ack_timeout: Duration,
}

/// Who a level pages. Written `team:sre` or `user:U06SREONCL` in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A team id from `[teams]`.
    Team(String),
    /// A Slack user id.
    User(String),
}

impl EscalationConfig {
    /// No teams, no policies: paging is disabled.
    pub fn empty() -> Self {
        EscalationConfig {
            teams: BTreeMap::new(),
            policies: BTreeMap::new(),
            severity_routes: BTreeMap::new(),
            service_routes: BTreeMap::new(),
            providers: Providers::default(),
        }
    }

    /// The policy routed for a severity level (1 = SEV1), if any.
    pub fn policy_for(&self, severity_level: u8) -> Option<&Policy> {
        let id = self.severity_routes.get(&severity_level)?;
        self.policies.get(id)
    }

    /// The team owning a service; the match ignores case and surrounding spaces.
    pub fn team_for_service(&self, service: &str) -> Option<&Team> {
        let id = self.service_routes.get(&service.trim().to_lowercase())?;
        self.teams.get(id)
    }

    /// A team by id.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.get(id)
    }

    /// All team ids, sorted.
    pub fn known_team_ids(&self) -> Vec<&str> {
        self.teams.keys().map(String::as_str).collect()
    }
}

impl Policy {
    /// The level to page at step `index` (0 = level one). Past the last level, the last
    /// level repeats `repeat_last` more times; after that, `None`: escalation is over.
    pub fn level(&self, index: usize) -> Option<&Level> {
        if index < self.total_levels() {
            self.levels.get(index).or(self.levels.last())
        } else {
            None
        }
    }

    /// How many steps the policy pages in all, repeats included.
    pub fn total_levels(&self) -> usize {
        if self.levels.is_empty() {
            return 0;
        }
        self.levels.len().saturating_add(self.repeat_last as usize)
    }
}

impl Target {
    /// Parses `team:<id>` or `user:<Slack user id>`. Team existence is checked on load.
    pub fn parse(input: &str) -> Result<Self, BadTarget> {
        let bad = || BadTarget(input.to_string());
        let (kind, id) = input.trim().split_once(':').ok_or_else(bad)?;
        let id = id.trim();
        match kind.trim() {
            "team" if is_id(id) => Ok(Target::Team(id.to_string())),
            "user" if is_slack_user_id(id) => Ok(Target::User(id.to_string())),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Team(id) => write!(f, "team:{id}"),
            Target::User(id) => write!(f, "user:{id}"),
        }
    }
}
