//! Opsgenie Alert API v2: create with an `alias` (its dedupe key), acknowledge and
//! close by alias. Authenticates with `Authorization: GenieKey <key>`.

use super::ProviderAction;
use super::{Alert, ProviderError, summary};
use crate::config::escalation::Providers as ProviderSettings;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const MAX_MESSAGE: usize = 130;

pub fn request(
    http: &reqwest::Client,
    settings: &ProviderSettings,
    action: ProviderAction,
    alert: &Alert<'_>,
) -> Result<reqwest::RequestBuilder, ProviderError> {
    let target = alert.team.opsgenie.as_ref().ok_or_else(|| {
        ProviderError::NotConfigured(format!("team {} has no Opsgenie team", alert.team.id))
    })?;
    let key = settings
        .opsgenie_api_key
        .as_ref()
        .ok_or_else(|| ProviderError::NotConfigured("no Opsgenie API key is configured".into()))?;
    let base = settings.opsgenie_api_url.trim_end_matches('/');
    let alias = alert.dedup_key;
    let (url, body) = match action {
        ProviderAction::Trigger => (
            format!("{base}/v2/alerts"),
            create_body(&target.team, alert),
        ),
        ProviderAction::Acknowledge => (
            format!("{base}/v2/alerts/{alias}/acknowledge?identifierType=alias"),
            json!({"source": "warroom", "note": "Acknowledged in Slack"}),
        ),
        ProviderAction::Resolve => (
            format!("{base}/v2/alerts/{alias}/close?identifierType=alias"),
            json!({"source": "warroom", "note": "Incident resolved in Slack"}),
        ),
    };
    Ok(http
        .post(url)
        .header("authorization", format!("GenieKey {}", key.expose_secret()))
        .json(&body))
}

pub fn create_body(opsgenie_team: &str, alert: &Alert<'_>) -> Value {
    let i = alert.incident;
    let message: String = summary(i).chars().take(MAX_MESSAGE).collect();
    let by = match crate::domain::alert::source_title(&i.declared_by) {
        Some(source) => format!("an alert from {source}"),
        None => format!("Slack user {}", i.declared_by),
    };
    let mut description = format!("Incident #{} declared by {by}.", i.id);
    if let Some(url) = &alert.war_room_url {
        description.push_str(&format!(" War room: {url}"));
    }
    if let Some(place) = &alert.fallback {
        // The description holds 15,000 characters: this always fits.
        description.push_str(&format!(" {}.", super::fallback_line(place)));
    }
    let mut details = json!({"incident": i.id.to_string(), "status": i.status.as_str()});
    if let Some(place) = &alert.fallback {
        details["war_room_irc"] = json!(place);
    }
    json!({
        "message": message,
        "alias": alert.dedup_key,
        "description": description,
        "responders": [{"name": opsgenie_team, "type": "team"}],
        "priority": format!("P{}", i.severity.level()),
        "tags": ["warroom", i.severity.to_string().to_lowercase()],
        "details": details,
        "entity": i.service.clone().unwrap_or_else(|| "warroom".into()),
        "source": "warroom",
    })
}
