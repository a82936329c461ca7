//! Which action items become GitHub issues: when the export is on, each item of a
//! closed incident that was not dropped, once (the outbox key is the item, and an
//! item that has its issue is skipped). Items added after the close follow through
//! [`super::on_action_added`]. The op itself ([`crate::outbox::ops`]) opens the issue.

use crate::config::Settings;
use crate::domain::{ActionItem, ActionStatus, Incident, Status};
use crate::outbox::{self, Op};
use crate::store::{StoreResult, Tx};

/// Whether `item` of `incident` should become an issue now.
pub fn exports(settings: &Settings, incident: &Incident, item: &ActionItem) -> bool {
    settings.postmortem.github.is_some()
        && incident.status == Status::Closed
        && item.status != ActionStatus::Dropped
        && item.issue_url.is_none()
}

/// Queues the issue of `item` if it [`exports`]; returns whether it was newly queued.
pub async fn queue_export(
    tx: &mut Tx,
    settings: &Settings,
    incident: &Incident,
    item: &ActionItem,
) -> StoreResult<bool> {
    if !exports(settings, incident, item) {
        return Ok(false);
    }
    let op = Op::GithubIssue {
        incident_id: incident.id,
        item_id: item.id,
        seq: item.seq,
    };
    outbox::enqueue(tx, &op, Some(&item.id.to_string())).await
}

/// Queues the issues of every item of a closed `incident` that exports.
pub async fn queue_exports(
    tx: &mut Tx,
    settings: &Settings,
    incident: &Incident,
) -> StoreResult<usize> {
    let mut queued = 0;
    for item in tx.actions(incident.id).await? {
        if queue_export(tx, settings, incident, &item).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
