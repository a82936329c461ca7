//! A nudge in the war room: addressed to the commander as they stand now, with its
//! buttons ([`crate::slack::nudge_views`]). Posted once (by the item's key).

use super::post::post_once;
use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::{Incident, Status};
use crate::slack::nudge_views;

pub(super) async fn run(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    timer_id: i64,
    seq: i64,
    text: &str,
) -> Result<(), SendError> {
    if incident.status == Status::Closed {
        // Closed while the post waited: there is nobody left to nudge.
        return Ok(());
    }
    let (fallback, blocks) = nudge_views::nudge(incident.lead.as_deref(), text, timer_id, seq);
    post_once(ctx, d, war_room(incident)?, &fallback, Some(&blocks)).await?;
    Ok(())
}
