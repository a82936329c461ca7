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

#[cfg(test)]
mod tests {
    use super::*;

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
