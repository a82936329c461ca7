//! `/incident close`: the last change; the worker then drafts and posts the postmortem.

use super::{Reply, SlashCommand, war_room};
use crate::domain::Change;
use crate::error::AppError;
use crate::state::AppState;

pub async fn run(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    war_room::apply(state, cmd, Change::Close).await
}
