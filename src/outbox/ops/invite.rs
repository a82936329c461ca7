//! `conversations.invite` into the war room; whoever Slack would not let in is said
//! in the timeline and the room.

use super::{Ctx, SendError, war_room};
use crate::domain::Incident;
use crate::outbox::Op;

/// Invites everyone at once (`force`, so one bad account keeps nobody out).
pub(super) async fn run(ctx: &Ctx, incident: &Incident, users: &[String]) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let outcome = ctx.slack.invite(channel, users).await?;
    if !outcome.not_invited.is_empty() {
        report_not_invited(ctx, incident, &outcome.not_invited).await?;
    }
    Ok(())
}

/// People Slack would not let into the war room are part of the story: said in the
/// timeline and the room. Retrying would not help (a deactivated account, say), and
/// everyone else was invited.
async fn report_not_invited(
    ctx: &Ctx,
    incident: &Incident,
    not_invited: &[(String, String)],
) -> Result<(), SendError> {
    let now = ctx.clock.now();
    let mut tx = ctx.store.begin().await?;
    for (user, code) in not_invited {
        tracing::warn!(incident_id = incident.id, user = %user, error = %code, "could not invite a person to the war room");
        let text = format!("Could not invite <@{user}> to the war room: Slack said `{code}`");
        tx.insert_system_entry(&crate::domain::TimelineEntry::system(
            incident.id,
            now,
            "delivery_failed",
            None,
            text.clone(),
        ))
        .await?;
        crate::outbox::enqueue(
            &mut tx,
            &Op::Notice {
                incident_id: incident.id,
                text: format!(":warning: {text}"),
            },
            None,
        )
        .await?;
    }
    tx.commit().await?;
    ctx.wake.notify_one();
    Ok(())
}
