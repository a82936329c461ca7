//! Outbound calls to paging providers. Each builds the provider's documented JSON
//! from the incident and team; responses are classified alike: 2xx done, 429 and 5xx
//! worth retrying (honouring `Retry-After`), other 4xx permanent.

mod opsgenie;
mod pagerduty;
mod webhook;

use super::config::{EscalationConfig, Team};
use crate::domain::Incident;
use crate::outbox::{Provider, ProviderAction};
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
}

impl Providers {
    pub fn new(config: Arc<EscalationConfig>) -> anyhow::Result<Self> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(CALL_TIMEOUT).build()?;
        Ok(Self { http, config })
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
        classify(provider, response).await
    }
}

async fn classify(provider: Provider, response: reqwest::Response) -> Result<(), ProviderError> {
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    match status {
        200..=299 => Ok(()),
        429 => Err(ProviderError::RateLimited {
            provider,
            retry_after,
        }),
        408 | 500..=599 => Err(ProviderError::Unavailable { provider, status }),
        _ => {
            let body: String = response
                .text()
                .await
                .unwrap_or_default()
                .chars()
                .take(300)
                .collect();
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
