//! A generic JSON webhook: for chat tools, status pages or home-grown pagers.

use super::ProviderAction;
use super::{Alert, ProviderError, summary_within};
use serde_json::json;

pub fn request(
    http: &reqwest::Client,
    action: ProviderAction,
    alert: &Alert<'_>,
) -> Result<reqwest::RequestBuilder, ProviderError> {
    let target = alert.team.webhook.as_ref().ok_or_else(|| {
        ProviderError::NotConfigured(format!("team {} has no webhook", alert.team.id))
    })?;
    let event = match action {
        ProviderAction::Trigger => "incident.paged",
        ProviderAction::Acknowledge => "incident.acknowledged",
        ProviderAction::Resolve => "incident.resolved",
    };
    let i = alert.incident;
    let body = json!({
        "event": event,
        "dedup_key": alert.dedup_key,
        "team": alert.team.id,
        "summary": summary_within(alert, usize::MAX),
        "incident": {
            "id": i.id,
            "title": i.title,
            "severity": i.severity.to_string(),
            "status": i.status.as_str(),
            "service": i.service,
            "declared_at": i.declared_at.to_rfc3339(),
            "war_room": alert.war_room_url,
            "war_room_irc": alert.fallback,
        },
    });
    Ok(http.post(&target.url).json(&body))
}
