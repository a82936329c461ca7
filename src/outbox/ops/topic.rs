//! `conversations.setTopic`: severity, status and lead, kept current.

use super::{Ctx, SendError, war_room};
use crate::domain::Incident;
use crate::slack::views;

pub(super) async fn run(ctx: &Ctx, incident: &Incident) -> Result<(), SendError> {
    Ok(ctx
        .slack
        .set_topic(war_room(incident)?, &views::topic(incident))
        .await?)
}
