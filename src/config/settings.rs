//! The settings Warroom runs with, once loaded: server, database, Slack, outbox and
//! paging, and the secrets. How they are read is [`super::load`].

use super::escalation::EscalationConfig;
use secrecy::SecretString;
use std::net::SocketAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct Settings {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Event ids and finished outbound writes are kept this many days (well past
    /// Slack's retry horizon), then pruned.
    pub retention_days: u64,
    pub slack: SlackSettings,
    pub outbox: OutboxSettings,
    pub paging: PagingSettings,
    pub postmortem: PostmortemSettings,
    /// Which alerts declare incidents, and the sources' tokens.
    pub alerts: Arc<super::alert_rules::AlertRules>,
    /// Who may scrape `/metrics`.
    pub metrics: MetricsSettings,
    /// Who may look at the web dashboard, and what it shows.
    pub dashboard: DashboardSettings,
    /// The update cadence and the other nudges.
    pub nudges: super::nudges::NudgeSettings,
    /// Where stakeholder updates go, and how often one is due.
    pub updates: UpdateSettings,
    /// Atlassian Statuspage, when public updates are mirrored there.
    pub statuspage: Option<StatuspageSettings>,
    /// How practice incidents page.
    pub drills: DrillSettings,
    /// The fallback war room on IRC (`[fallback]`).
    pub fallback: super::fallback::FallbackSettings,
}

/// Stakeholder updates: the cadence (`[nudges.cadence]`) and the channels an update
/// goes to besides the war room and the announcements channel (`[updates]`).
#[derive(Debug, Clone, Default)]
pub struct UpdateSettings {
    pub cadence: crate::domain::Cadence,
    /// Severity level (1-4) → channel ids.
    pub severity_channels: std::collections::BTreeMap<u8, Vec<String>>,
    /// Service name → channel ids.
    pub service_channels: std::collections::BTreeMap<String, Vec<String>>,
}

impl UpdateSettings {
    /// How long after an update the next is due at `severity` (`[nudges.cadence]`).
    pub fn next_update_in(&self, severity: crate::domain::Severity) -> std::time::Duration {
        self.cadence.for_severity(severity)
    }
}

/// `[statuspage]`: where public updates go.
#[derive(Debug, Clone)]
pub struct StatuspageSettings {
    pub page_id: String,
    /// From the variable `api_key_env` names; never in the file, never printed.
    pub api_key: SecretString,
    /// `https://api.statuspage.io` unless pointed elsewhere.
    pub api_url: String,
    /// Service name → the Statuspage component ids it affects.
    pub components: std::collections::BTreeMap<String, Vec<String>>,
}

/// `[drills]`: practice incidents (`/incident drill`, `warroom drill --replay`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrillSettings {
    /// A drill's pages also go to PagerDuty, Opsgenie and webhooks, for teams that
    /// test their pager chain with test routing keys. Off: Slack DMs only.
    pub page_providers: bool,
}

/// `Debug` shows the database URL without its password: settings get logged.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database_url", &redact_url(&self.database_url))
            .field("retention_days", &self.retention_days)
            .field("slack", &self.slack)
            .field("outbox", &self.outbox)
            .field("paging", &self.paging)
            .field("postmortem", &self.postmortem)
            .field("metrics", &self.metrics)
            .field("dashboard", &self.dashboard)
            .field("nudges", &self.nudges)
            .field("updates", &self.updates)
            .field("statuspage", &self.statuspage)
            .field("drills", &self.drills)
            .finish()
    }
}

impl Settings {
    /// One warning per outbound URL that is plain `http://` to a host other than this
    /// machine: tokens and pages would cross the network unencrypted.
    pub fn plain_http_warnings(&self) -> Vec<String> {
        let config = &self.paging.escalation;
        let mut urls = vec![
            ("slack.api_url", self.slack.api_url.clone()),
            (
                "providers.pagerduty.events_url",
                config.providers.pagerduty_events_url.clone(),
            ),
            (
                "providers.opsgenie.api_url",
                config.providers.opsgenie_api_url.clone(),
            ),
        ];
        if let Some(statuspage) = &self.statuspage {
            urls.push(("statuspage.api_url", statuspage.api_url.clone()));
        }
        if let Some(github) = &self.postmortem.github {
            urls.push(("postmortem.github_api_url", github.api_url.clone()));
        }
        for team in config.teams.values() {
            if let Some(hook) = &team.webhook {
                urls.push(("a team's webhook_url", hook.url.clone()));
            }
        }
        urls.into_iter()
            .filter(|(_, url)| is_plain_http_off_host(url))
            .map(|(key, url)| {
                let host = reqwest::Url::parse(&url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_string))
                    .unwrap_or_default();
                format!("{key} is plain http:// to {host}: use https:// outside this machine")
            })
            .collect()
    }
}

fn is_plain_http_off_host(url: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return false;
    };
    if parsed.scheme() != "http" {
        return false;
    }
    match parsed.host() {
        Some(url::Host::Domain(d)) => !d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => !ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => !ip.is_loopback(),
        None => false,
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// `GET /metrics`: open (the usual, on an internal port) unless a token is set.
#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    /// From the variable `[metrics] token_env` names: scrapes must send it as
    /// `Authorization: Bearer <token>`. Never in the file, never printed.
    pub token: Option<SecretString>,
}

/// Who to page, and the secrets that authenticate providers' acknowledgements.
#[derive(Debug, Clone)]
pub struct PagingSettings {
    pub escalation: Arc<EscalationConfig>,
    /// `WARROOM_PAGERDUTY_WEBHOOK_SECRET`: verifies PagerDuty's webhook signatures.
    pub pagerduty_webhook_secret: Option<SecretString>,
    /// `WARROOM_OPSGENIE_WEBHOOK_TOKEN`: the bearer token Opsgenie's webhook sends.
    pub opsgenie_webhook_token: Option<SecretString>,
}

impl PagingSettings {
    /// No paging: no teams, no provider webhooks.
    pub fn disabled() -> Self {
        Self {
            escalation: Arc::new(EscalationConfig::empty()),
            pagerduty_webhook_secret: None,
            opsgenie_webhook_token: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GithubExportSettings {
    /// `owner/name`.
    pub repo: String,
    /// `https://api.github.com`, or a GitHub Enterprise server's API.
    pub api_url: String,
    /// From the variable `github_token_env` names; never in the file, never printed.
    pub token: SecretString,
    /// Slack user id → GitHub login: an owner listed here is assigned their issue.
    pub users: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub api_url: String,
    pub announcements_channel: Option<String>,
    pub private_channels: bool,
    /// Pause between backfill reads (`conversations.history` is Tier 3: ~50 a minute).
    pub history_pace_ms: u64,
    /// How long one Web API call may take before it counts as failed (and is retried).
    pub call_timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct OutboxSettings {
    pub poll_interval_ms: u64,
    /// Transient failures (429, 5xx, timeouts) are retried until an item is this old;
    /// a Slack outage of hours must delay posts, not drop them.
    pub give_up_after_secs: u64,
    /// First retry delay; doubles per attempt up to `retry_cap_ms`.
    pub retry_base_ms: u64,
    pub retry_cap_ms: u64,
    /// How long a claim on an item lasts unless its holder renews it (every third of
    /// it, while the work runs). A holder that died loses its items this soon.
    pub lease_secs: u64,
}

impl OutboxSettings {
    pub fn retry_base(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.retry_base_ms)
    }

    pub fn retry_cap(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.retry_cap_ms)
    }
}

/// How the postmortem draft is written, and what follows it. The template and the
/// phrases the blameless review looks for are checked where they are used, by
/// `crate::postmortem::Style::from_settings`, at startup; errors name `*_origin`.
#[derive(Debug, Clone)]
pub struct PostmortemSettings {
    /// `default`, `google-sre`, `pagerduty`, or the path of a template file.
    pub template: String,
    /// Where `template` was set, e.g. `config/default.toml [postmortem.template]`.
    pub template_origin: String,
    /// `None`: the built-in list.
    pub blameless_phrases: Option<Vec<PhraseSetting>>,
    pub phrases_origin: String,
    /// The export of action items as GitHub issues; set when `[postmortem]
    /// github_repo` and `github_token_env` are.
    pub github: Option<GithubExportSettings>,
}

impl Default for PostmortemSettings {
    fn default() -> Self {
        Self {
            template: "default".into(),
            template_origin: "default".into(),
            blameless_phrases: None,
            phrases_origin: "default".into(),
            github: None,
        }
    }
}

/// One phrase of the blameless review, as written in the file:
/// `{ phrase = "...", question = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhraseSetting {
    pub phrase: String,
    pub question: String,
}

/// `[dashboard]`: who may look at the web dashboard, and what it shows. Read by
/// [`super::dashboard`]; what the settings mean for access is decided in
/// `crate::web::access`.
#[derive(Debug, Clone)]
pub struct DashboardSettings {
    /// Sent as `Authorization: Bearer …` or typed into the login form; from the
    /// variable `token_env` names. `None`: no token sign-in.
    pub token: Option<SecretString>,
    /// The variable the token came from, for startup messages.
    pub token_env: Option<String>,
    /// Signs session cookies; from the variable `session_key_env` names. `None`: a key
    /// derived from the token (so changing the token signs everyone out).
    pub session_key: Option<SecretString>,
    /// How long a sign-in lasts.
    pub session_hours: u64,
    /// Where people reach the dashboard, e.g. `https://warroom.example`: an `https`
    /// URL makes session cookies `Secure`, and a login form must come from its origin.
    pub public_url: Option<url::Url>,
    /// Show incidents of private war rooms in lists and pages.
    pub show_private: bool,
    /// Sign in with Slack (OpenID Connect), for members of one workspace; `None`
    /// when not configured.
    pub slack_sign_in: Option<super::sign_in::SignInSettings>,
}

impl Default for DashboardSettings {
    fn default() -> Self {
        Self {
            token: None,
            token_env: None,
            session_key: None,
            session_hours: DEFAULT_SESSION_HOURS,
            public_url: None,
            show_private: false,
            slack_sign_in: None,
        }
    }
}

/// A sign-in lasts a working shift and a half, then asks again.
pub const DEFAULT_SESSION_HOURS: u64 = 12;

/// The secrets `serve` needs. `SecretString` never prints its value.
#[derive(Debug, Clone)]
pub struct SlackSecrets {
    pub bot_token: SecretString,
    pub signing_secret: SecretString,
    pub app_token: Option<SecretString>,
}
