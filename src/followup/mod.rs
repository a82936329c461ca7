//! After the close: action items follow their owners. When an incident closes, each
//! owner of open items gets one DM listing them ([`owners`]); on an item's due date
//! (UTC) its owner gets a reminder, queued by the [`reminders`] worker from durable
//! state, so a restart or a second replica neither loses nor doubles one. Everything
//! said goes through the outbox, keyed so that a retry or a second attempt never
//! sends twice; what each DM says is decided when it is sent ([`crate::outbox::ops`]).

pub mod owners;
pub mod reminders;

use crate::domain::Incident;
use crate::store::{StoreResult, Tx};

/// On close, in the closing transaction: queues what follows the incident's action
/// items. Returns how many DMs were queued (none that were queued before).
pub async fn on_close(tx: &mut Tx, incident: &Incident) -> StoreResult<usize> {
    owners::queue_owner_dms(tx, incident).await
}
