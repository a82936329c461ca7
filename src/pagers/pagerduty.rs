//! PagerDuty Events API v2: `POST /v2/enqueue` with trigger, acknowledge or resolve
//! and a `dedup_key` per incident and team.

use super::ProviderAction;
use super::{Alert, ProviderError, severity_word, summary_within};
use crate::config::escalation::Providers as ProviderSettings;
use secrecy::ExposeSecret;
use serde_json::{Value, json};

const MAX_SUMMARY: usize = 1024;

pub fn request(
    http: &reqwest::Client,
    settings: &ProviderSettings,
    action: ProviderAction,
    alert: &Alert<'_>,
) -> Result<reqwest::RequestBuilder, ProviderError> {
    let target = alert.team.pagerduty.as_ref().ok_or_else(|| {
        ProviderError::NotConfigured(format!(
            "team {} has no PagerDuty routing key",
            alert.team.id
        ))
    })?;
    let body = event(target.routing_key.expose_secret(), action, alert);
    let url = format!(
        "{}/v2/enqueue",
        settings.pagerduty_events_url.trim_end_matches('/')
    );
    Ok(http.post(url).json(&body))
}

/// The event body, exactly as PagerDuty documents it.
pub fn event(routing_key: &str, action: ProviderAction, alert: &Alert<'_>) -> Value {
    let action_word = match action {
        ProviderAction::Trigger => "trigger",
        ProviderAction::Acknowledge => "acknowledge",
        ProviderAction::Resolve => "resolve",
    };
    let mut body = json!({
        "routing_key": routing_key,
        "event_action": action_word,
        "dedup_key": alert.dedup_key,
    });
    if action == ProviderAction::Trigger {
        let i = alert.incident;
        let summary = summary_within(alert, MAX_SUMMARY);
        let mut payload = json!({
            "summary": summary,
            "source": "warroom",
            "severity": severity_word(i),
            "timestamp": i.declared_at.to_rfc3339(),
            "group": alert.team.id,
            "class": "incident",
            "custom_details": {
                "incident": i.id,
                "status": i.status.as_str(),
                "declared_by": i.declared_by,
                "war_room": i.channel_name.as_deref().map(|n| format!("#{n}")),
                "war_room_irc": alert.fallback,
            },
        });
        if let Some(service) = &i.service {
            payload["component"] = json!(service);
        }
        body["payload"] = payload;
        if let Some(url) = &alert.war_room_url {
            body["links"] = json!([{"href": url, "text": "War room in Slack"}]);
        }
    }
    body
}
