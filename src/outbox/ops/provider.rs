//! A page through PagerDuty, Opsgenie or a webhook: trigger, acknowledge, resolve.

use super::{Ctx, SendError};
use crate::domain::Incident;
use crate::pagers::Alert;
use crate::pagers::{Provider, ProviderAction};
use crate::slack::views;

/// Triggers, acknowledges or resolves the team's alert at its provider.
pub(super) async fn run(
    ctx: &Ctx,
    incident: &Incident,
    provider: Provider,
    action: ProviderAction,
    team_id: &str,
    dedup_key: &str,
) -> Result<(), SendError> {
    if incident.drill && !ctx.drill_page_providers {
        // Paging queues none for a drill; this catches one queued while
        // `[drills] page_providers` was on, after it was turned off.
        tracing::info!(incident_id = incident.id, provider = %provider, "a drill does not reach the providers; not sent");
        return Ok(());
    }
    let team = ctx.providers.config().team(team_id).ok_or_else(|| {
        SendError::Missing(format!(
            "team {team_id} is no longer in the escalation config"
        ))
    })?;
    let fallback = match &ctx.irc_server {
        Some(server) => {
            let mut tx = ctx.store.read().await?;
            let room = tx.fallback_room(incident.id).await?;
            tx.commit().await?;
            room.filter(|r| r.is_open())
                .map(|r| format!("{} on {server}", r.channel))
        }
        None => None,
    };
    let alert = Alert {
        incident,
        team,
        dedup_key,
        war_room_url: incident.channel_id.as_deref().map(views::channel_url),
        fallback,
    };
    ctx.providers.send(provider, action, &alert).await?;
    if action == ProviderAction::Trigger {
        tracing::info!(incident_id = incident.id, team = %team_id, provider = %provider, "provider paged");
    }
    Ok(())
}
