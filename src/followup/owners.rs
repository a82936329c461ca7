//! The DM each owner gets when an incident closes: one per owner of open items,
//! never one for items without an owner, and never twice (the outbox key is the
//! incident and the owner).

use crate::domain::{ActionItem, Incident};
use crate::outbox::{self, Op};
use crate::store::{StoreResult, Tx};

/// Who to tell: the owners of open items, each once, in a stable order.
pub fn owners_to_tell(items: &[ActionItem]) -> Vec<String> {
    let mut owners: Vec<String> = items
        .iter()
        .filter(|i| i.is_open())
        .filter_map(|i| i.owner_id.clone())
        .collect();
    owners.sort();
    owners.dedup();
    owners
}

/// The outbox key of an owner's DM about an incident: one per `(incident, owner)`.
pub fn owner_dm_key(incident_id: i64, owner: &str) -> String {
    format!("{incident_id}:{owner}")
}

/// Queues one DM per owner of open items of `incident`; returns how many were new.
pub async fn queue_owner_dms(tx: &mut Tx, incident: &Incident) -> StoreResult<usize> {
    let items = tx.actions(incident.id).await?;
    let mut queued = 0;
    for owner in owners_to_tell(&items) {
        let op = Op::OwnerActions {
            incident_id: incident.id,
            owner: owner.clone(),
        };
        if outbox::enqueue(tx, &op, Some(&owner_dm_key(incident.id, &owner))).await? {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ActionStatus;
    use chrono::Utc;

    fn item(seq: i64, owner: Option<&str>, status: ActionStatus) -> ActionItem {
        ActionItem {
            id: seq,
            incident_id: 1,
            seq,
            text: format!("item {seq}"),
            owner_id: owner.map(Into::into),
            due: None,
            status,
            created_by: "U1".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            source_ts: None,
            issue_url: None,
        }
    }

    #[test]
    fn each_owner_of_open_items_is_told_once_and_nobody_else() {
        let items = [
            item(1, Some("U2"), ActionStatus::Open),
            item(2, Some("U2"), ActionStatus::Open),
            item(3, Some("U3"), ActionStatus::Done),
            item(4, Some("U4"), ActionStatus::Dropped),
            item(5, None, ActionStatus::Open),
            item(6, Some("U1"), ActionStatus::Open),
        ];
        assert_eq!(owners_to_tell(&items), ["U1", "U2"]);
    }
}
