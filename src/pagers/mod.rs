//! Outbound calls to paging providers (PagerDuty, Opsgenie, generic webhooks). Who
//! to page and when is [`crate::paging`]'s; this module only speaks to them. Each builds the provider's documented JSON
//! from the incident and team; responses are classified alike: 2xx done, 429 and 5xx
//! worth retrying (honouring `Retry-After`), other 4xx permanent.

mod opsgenie;
mod pagerduty;
mod provider;
mod webhook;

pub use provider::{Provider, ProviderAction};

use crate::config::escalation::{EscalationConfig, Team};
use crate::domain::Incident;
use std::sync::Arc;
use std::time::Duration;

const CALL_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider} refused it (HTTP {status}): {body}")]
    Rejected {
        provider: Provider,
        status: u16,
        body: String,
    },
    #[error("{provider} is rate limiting (retry after {retry_after:?})")]
    RateLimited {
        provider: Provider,
        retry_after: Option<Duration>,
    },
    #[error("{provider} is unavailable (HTTP {status})")]
    Unavailable { provider: Provider, status: u16 },
    #[error("{provider} could not be reached: {message}")]
    Transport { provider: Provider, message: String },
    #[error("{0}")]
    NotConfigured(String),
}

impl ProviderError {
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            ProviderError::Rejected { .. } | ProviderError::NotConfigured(_)
        )
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// What a provider event is about.
pub struct Alert<'a> {
    pub incident: &'a Incident,
    pub team: &'a Team,
    pub dedup_key: &'a str,
    /// A link to the war room, once it exists.
    pub war_room_url: Option<String>,
    /// Where the fallback war room on IRC is (`#channel on host:port`), while the
    /// incident has one open: pages say where to go when Slack is down.
    pub fallback: Option<String>,
}

#[derive(Clone)]
pub struct Providers {
    http: reqwest::Client,
    config: Arc<EscalationConfig>,
    /// Keys and webhook URLs, which an error body must never carry into a war room.
    secrets: Arc<Vec<String>>,
}

impl Providers {
    pub fn new(config: Arc<EscalationConfig>) -> anyhow::Result<Self> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(CALL_TIMEOUT).build()?;
        let secrets = Arc::new(secrets_of(&config));
        Ok(Self {
            http,
            config,
            secrets,
        })
    }

    pub fn config(&self) -> &EscalationConfig {
        &self.config
    }

    pub async fn send(
        &self,
        provider: Provider,
        action: ProviderAction,
        alert: &Alert<'_>,
    ) -> Result<(), ProviderError> {
        let request = match provider {
            Provider::Pagerduty => {
                pagerduty::request(&self.http, &self.config.providers, action, alert)?
            }
            Provider::Opsgenie => {
                opsgenie::request(&self.http, &self.config.providers, action, alert)?
            }
            Provider::Webhook => webhook::request(&self.http, action, alert)?,
        };
        let response = request.send().await.map_err(|e| ProviderError::Transport {
            provider,
            message: e.without_url().to_string(),
        })?;
        classify(provider, response, &self.secrets).await
    }
}

/// Every credential the config holds, to scrub from what providers answer.
fn secrets_of(config: &EscalationConfig) -> Vec<String> {
    use secrecy::ExposeSecret;
    let mut secrets: Vec<String> = config
        .providers
        .opsgenie_api_key
        .iter()
        .map(|k| k.expose_secret().to_string())
        .collect();
    for team in config.teams.values() {
        if let Some(pd) = &team.pagerduty {
            secrets.push(pd.routing_key.expose_secret().to_string());
        }
        if let Some(hook) = &team.webhook {
            secrets.push(hook.url.clone());
        }
    }
    secrets.retain(|s| s.len() >= 4);
    // Longest first, so a URL holding a key is scrubbed whole.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// The most of a provider's error body kept: enough to say why, short enough for a
/// war-room line.
const MAX_ERROR_BODY: usize = 300;

/// A provider's error body as it may be shown: known secrets replaced, on one line,
/// cut short.
fn shown_body(body: &str, secrets: &[String]) -> String {
    let mut scrubbed = body.to_string();
    for secret in secrets {
        scrubbed = scrubbed.replace(secret.as_str(), "[redacted]");
    }
    let one_line = scrubbed.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown: String = one_line.chars().take(MAX_ERROR_BODY).collect();
    if one_line.chars().count() > MAX_ERROR_BODY {
        shown.push('…');
    }
    shown
}

async fn classify(
    provider: Provider,
    response: reqwest::Response,
    secrets: &[String],
) -> Result<(), ProviderError> {
    let status = response.status().as_u16();
    let retry_after = crate::net::retry_after(response.headers());
    match status {
        200..=299 => Ok(()),
        429 => Err(ProviderError::RateLimited {
            provider,
            retry_after,
        }),
        408 | 500..=599 => Err(ProviderError::Unavailable { provider, status }),
        _ => {
            let body = shown_body(&response.text().await.unwrap_or_default(), secrets);
            Err(ProviderError::Rejected {
                provider,
                status,
                body,
            })
        }
    }
}

/// PagerDuty and Opsgenie speak of urgency in their own words.
fn severity_word(incident: &Incident) -> &'static str {
    match incident.severity.level() {
        1 => "critical",
        2 => "error",
        3 => "warning",
        _ => "info",
    }
}

fn summary(incident: &Incident) -> String {
    format!(
        "[{}] Incident #{}: {}",
        incident.severity, incident.id, incident.title
    )
}

/// The line that points to the fallback war room on IRC.
fn fallback_line(place: &str) -> String {
    format!("War room on IRC: {place}")
}

/// [`summary`], with the fallback room when one is open, in at most `max` characters:
/// the title is cut, never where to go.
fn summary_within(alert: &Alert<'_>, max: usize) -> String {
    let base = summary(alert.incident);
    let Some(place) = &alert.fallback else {
        return base.chars().take(max).collect();
    };
    let tail = format!(" | {}", fallback_line(place));
    let room = max.saturating_sub(tail.chars().count());
    if room < 20 {
        // Too tight to say both: the incident first.
        return base.chars().take(max).collect();
    }
    let mut text: String = base.chars().take(room).collect();
    text.push_str(&tail);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_names_the_irc_room_and_cuts_the_title_not_the_room() {
        use crate::domain::{Declaration, IncidentTitle, Severity};
        let (incident, _) = Incident::declare(Declaration {
            title: IncidentTitle::parse(&"Checkout very slow ".repeat(6)).unwrap(),
            severity: Severity::SEV1,
            service: None,
            summary: None,
            declared_by: "U1".into(),
            declared_at: chrono::Utc::now(),
        });
        let config = crate::config::escalation::EscalationConfig::parse(
            "[teams.db]\nname = \"DB\"\npocs = [{ slack = \"U06SREONCL\" }]\n",
            std::path::Path::new("t.toml"),
            &|_| None,
        )
        .expect("a team with a point of contact");
        let team = config.team("db").expect("the team").clone();
        let mut alert = Alert {
            incident: &incident,
            team: &team,
            dedup_key: "k",
            war_room_url: None,
            fallback: Some("#warroom-inc-7 on irc.example.org:6667".into()),
        };
        let text = summary_within(&alert, 130);
        assert!(text.chars().count() <= 130, "{text}");
        assert!(
            text.ends_with("War room on IRC: #warroom-inc-7 on irc.example.org:6667"),
            "{text}"
        );
        assert!(text.starts_with("[SEV1] Incident #"), "{text}");
        alert.fallback = None;
        assert!(!summary_within(&alert, 1024).contains("IRC"));
    }

    #[test]
    fn a_provider_error_body_keeps_no_secret_and_is_cut_short() {
        let secrets = vec![
            "https://hooks.example/T0/XYZSECRET".to_string(),
            "R0UTINGKEY1234567890".to_string(),
        ];
        let body = format!(
            "{{\"status\":\"invalid event\",\"message\":\"Event object is invalid\",\n\"errors\":[\"routing key R0UTINGKEY1234567890 unknown\", \"see https://hooks.example/T0/XYZSECRET\"]}}{}",
            "x".repeat(1000)
        );
        let shown = shown_body(&body, &secrets);
        assert!(
            !shown.contains("R0UTINGKEY") && !shown.contains("XYZSECRET"),
            "{shown}"
        );
        assert!(shown.contains("routing key [redacted] unknown"), "{shown}");
        assert!(!shown.contains('\n'));
        assert_eq!(
            shown.chars().count(),
            MAX_ERROR_BODY + 1,
            "cut short, marked with …"
        );
    }
}
