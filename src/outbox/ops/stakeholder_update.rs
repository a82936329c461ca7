//! A stakeholder update posted once in one channel (the war room, the announcements
//! channel, or one configured per severity or service). Its text was formatted and
//! escaped when the update was given, so it says what stood then.

use super::post::post_once;
use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::Incident;

pub(super) async fn run(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    channel: Option<&str>,
    text: &str,
) -> Result<(), SendError> {
    let channel = match channel {
        Some(c) => c,
        None => war_room(incident)?,
    };
    post_once(ctx, d, channel, text, None).await?;
    Ok(())
}
