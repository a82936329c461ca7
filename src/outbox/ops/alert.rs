//! Alerts in Slack: the group's context posted and pinned in the war room, the notice
//! that every alert resolved at the source, and the triage post of a group no rule
//! declared. (Placeholder: being written.)

use super::{Ctx, Delivery, SendError};
use crate::domain::Incident;

pub(super) async fn post(
    _ctx: &Ctx,
    _d: Delivery<'_>,
    _incident: &Incident,
    _group_id: i64,
) -> Result<(), SendError> {
    Err(SendError::Missing("posting alerts is not built yet".into()))
}

pub(super) async fn resolved(
    _ctx: &Ctx,
    _d: Delivery<'_>,
    _incident: &Incident,
    _group_id: i64,
    _auto_resolved: bool,
) -> Result<(), SendError> {
    Err(SendError::Missing("posting alerts is not built yet".into()))
}

pub(super) async fn triage(
    _ctx: &Ctx,
    _d: Delivery<'_>,
    _group_id: i64,
    _channel: &str,
) -> Result<(), SendError> {
    Err(SendError::Missing("triage posts are not built yet".into()))
}

pub(super) async fn refresh_triage(_ctx: &Ctx, _group_id: i64) -> Result<(), SendError> {
    Err(SendError::Missing("triage posts are not built yet".into()))
}
