//! `/incident ack`: acknowledge your page for this war room's incident.

use super::{Reply, SlashCommand};
use crate::error::AppError;
use crate::paging::ack::{AckCtx, AckOutcome, AckSource, ack_pages_in};
use crate::state::AppState;

pub async fn run(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    let mut tx = state.store.read().await?;
    let incident = super::war_room::incident_of(&mut tx, cmd).await?;
    tx.commit().await?;
    let Some(incident) = incident else {
        return Ok(Reply::Ephemeral(
            ":warning: This channel is not an incident war room. Acknowledge inside the incident's channel, or with the button in your page.".into(),
        ));
    };
    let mut tx = state.store.begin().await?;
    let outcome = ack_pages_in(
        &mut tx,
        AckCtx::of(state),
        incident.id,
        &cmd.user_id,
        None,
        AckSource::SlashCommand,
    )
    .await?;
    let reply = Reply::Ephemeral(match outcome {
        AckOutcome::Acked { .. } => format!(
            ":white_check_mark: Acknowledged. Escalation for incident #{} has stopped.",
            incident.id
        ),
        AckOutcome::AlreadyAcked { .. } => {
            "Your page was already acknowledged; nothing more to do.".into()
        }
        AckOutcome::NotPaged => format!(
            ":warning: You have not been paged for incident #{}, so there is nothing of yours to acknowledge. Anyone can help in this channel; `/incident page @you` records you as paged.",
            incident.id
        ),
    });
    let reply = cmd.delivery.commit(tx, reply).await?;
    state.wake_outbox();
    Ok(reply)
}
