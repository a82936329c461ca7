//! The alert posts' buttons. "Declare incident" on a triage post declares from the
//! group ([`crate::alerts::triage::declare_from_triage`], which takes the group's row
//! lock, so a second press finds the first one's incident). "Resolve incident" under
//! "every alert resolved" resolves as the person who pressed it, through the same
//! path as `/incident resolve` in the war room. Each returns what to tell that person
//! through the interaction's `response_url`.

use crate::alerts::triage::{TriageDeclare, declare_from_triage};
use crate::commands::{self, Delivery, Reply, SlashCommand};
use crate::domain::Status;
use crate::domain::alert::AlertStatus;
use crate::error::AppError;
use crate::slack::alert_views::RESOLVED_AT_SOURCE;
use crate::slack::mrkdwn::echo;
use crate::slack::untrusted::inert;
use crate::state::AppState;
use serde_json::{Value, json};

/// An answer only the presser sees, leaving the post as it is.
fn ephemeral(text: &str) -> Value {
    json!({"response_type": "ephemeral", "replace_original": false, "text": echo(text)})
}

/// "Declare incident": declares (once) and says how it went.
pub async fn declare(state: &AppState, group_id: i64, user: &str) -> Result<Value, AppError> {
    let text = match declare_from_triage(state, group_id, user).await? {
        TriageDeclare::Declared { incident_id } => {
            format!(":rotating_light: Declared incident #{incident_id}; opening the war room.")
        }
        TriageDeclare::Already {
            incident_id,
            channel_id,
        } => {
            let room = channel_id.map(|c| format!(" <#{c}>")).unwrap_or_default();
            format!(":information_source: Already incident #{incident_id}{room}.")
        }
        TriageDeclare::Unknown => ":warning: Warroom does not know this alert group (the post may be older than its database). Declare by hand with `/incident declare <title>`.".to_string(),
    };
    Ok(ephemeral(&text))
}

/// "Resolve incident": resolves as `user` with [`RESOLVED_AT_SOURCE`], unless the
/// incident is resolved or closed already, or one of its alerts fires again.
/// `None` when there is nothing to say.
pub async fn resolve(
    state: &AppState,
    incident_id: i64,
    user: &str,
    response_url: Option<&str>,
    delivery: &Delivery,
) -> Result<Option<Value>, AppError> {
    let mut tx = state.store.read().await?;
    let incident = tx.incident(incident_id).await?;
    let alerts = tx.alerts_of_incident(incident_id).await?;
    tx.commit().await?;
    let Some(incident) = incident else {
        return Ok(Some(ephemeral(&format!(
            ":warning: Incident #{incident_id} does not exist."
        ))));
    };
    if matches!(incident.status, Status::Resolved | Status::Closed) {
        return Ok(Some(ephemeral(&format!(
            ":information_source: Incident #{incident_id} is already {}.",
            incident.status
        ))));
    }
    let Some(channel) = incident.channel_id else {
        return Ok(Some(ephemeral(&format!(
            ":warning: Incident #{incident_id} has no war room yet; try again in a moment."
        ))));
    };
    let mut firing: Vec<&str> = Vec::new();
    for a in alerts.iter().filter(|a| a.status == AlertStatus::Firing) {
        if !firing.contains(&a.alertname.as_str()) {
            firing.push(&a.alertname);
        }
    }
    if !firing.is_empty() {
        return Ok(Some(ephemeral(&format!(
            ":warning: {} is firing again, so incident #{incident_id} stays open. If the fix is in all the same: `/incident resolve <what fixed it>`.",
            inert(&firing.join(", "))
        ))));
    }
    // The war room's own `/incident resolve`, typed by the person who pressed.
    let cmd = SlashCommand {
        command: "/incident".into(),
        text: format!("resolve {RESOLVED_AT_SOURCE}"),
        channel_id: channel,
        channel_name: String::new(),
        user_id: user.to_string(),
        user_name: String::new(),
        team_id: String::new(),
        response_url: response_url.unwrap_or_default().to_string(),
        trigger_id: String::new(),
        delivery: delivery.clone(),
        incident_id: None,
    };
    Ok(match commands::dispatch(state, &cmd).await? {
        // The button's message becomes the record of who resolved it.
        Reply::InChannel(said) => Some(json!({"replace_original": true,
            "text": echo(&format!(":white_check_mark: {said}"))})),
        Reply::Ephemeral(said) => Some(ephemeral(&said)),
        Reply::Empty => None,
    })
}

/// Posts `body` to `response_url` after the ack has gone (Slack wants it in 3 s); the
/// nudges' buttons answer through it too.
pub fn respond_later(state: &AppState, response_url: Option<String>, body: Value) {
    let Some(url) = response_url else {
        return;
    };
    let slack = state.slack.clone();
    tokio::spawn(async move {
        if let Err(e) = slack.respond(&url, &body).await {
            tracing::warn!(error = %e, "could not answer an alert or nudge button");
        }
    });
}
