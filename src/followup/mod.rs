//! After the close: action items follow their owners. When an incident closes, each
//! owner of open items gets one DM listing them ([`owners`]); on an item's due date
//! (UTC) its owner gets a reminder, queued by the [`reminders`] worker from durable
//! state, so a restart or a second replica neither loses nor doubles one. With
//! `[postmortem] github_repo` set, each item not dropped also becomes a GitHub issue
//! ([`github`]). Everything goes through the outbox, keyed so that a retry or a
//! second attempt never sends twice; what is said is decided when it is sent
//! ([`crate::outbox::ops`]).

pub mod github;
pub mod owners;
pub mod reminders;

use crate::config::Settings;
use crate::domain::{ActionItem, Incident};
use crate::store::{StoreResult, Tx};

/// What [`on_close`] queued (none of it queued before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Queued {
    pub owner_dms: usize,
    pub issues: usize,
}

/// On close, in the closing transaction (`incident` as closed): queues the owners'
/// DMs and, when the export is on, the items' GitHub issues.
pub async fn on_close(
    tx: &mut Tx,
    settings: &Settings,
    incident: &Incident,
) -> StoreResult<Queued> {
    Ok(Queued {
        owner_dms: owners::queue_owner_dms(tx, incident).await?,
        issues: github::queue_exports(tx, settings, incident).await?,
    })
}

/// After an item is added (in the same transaction): an item added to a closed
/// incident is exported like the others were at the close. Returns whether
/// something was queued. Call it from wherever items are added; nothing else does.
pub async fn on_action_added(
    tx: &mut Tx,
    settings: &Settings,
    incident: &Incident,
    item: &ActionItem,
) -> StoreResult<bool> {
    github::queue_export(tx, settings, incident, item).await
}
