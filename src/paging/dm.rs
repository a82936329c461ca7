//! The page DM as stored: which pages a DM carries, with their incidents, rendered
//! whole by [`crate::slack::page_views`]. The outbox renders it to send and update
//! it; the Acknowledge button renders it to answer in place.

use crate::domain::Incident;
use crate::outbox::{self, Op};
use crate::store::{PageRecord, StoreResult, Tx};
use serde_json::Value;

/// `pages` each with its incident; a page whose incident is gone is left out.
pub async fn with_incidents(
    tx: &mut Tx,
    pages: Vec<PageRecord>,
) -> StoreResult<Vec<(Incident, PageRecord)>> {
    let mut shown: Vec<(Incident, PageRecord)> = Vec::with_capacity(pages.len());
    for page in pages {
        let known = shown
            .iter()
            .find(|(i, _)| i.id == page.incident_id)
            .map(|(i, _)| i.clone());
        let incident = match known {
            Some(i) => Some(i),
            None => tx.incident(page.incident_id).await?,
        };
        if let Some(incident) = incident {
            shown.push((incident, page));
        }
    }
    Ok(shown)
}

/// The DM `(channel, ts)` as it should read now: `(fallback text, blocks)`, or
/// `None` when no page is recorded on it.
pub async fn render(tx: &mut Tx, channel: &str, ts: &str) -> StoreResult<Option<(String, Value)>> {
    let pages = tx.pages_in_dm(channel, ts).await?;
    let shown = with_incidents(tx, pages).await?;
    if shown.is_empty() {
        return Ok(None);
    }
    Ok(Some(crate::slack::page_views::page_dm(&shown)))
}

/// Queues a re-render of the DMs that carry `users`' pages in `incident_id`, each
/// person once.
pub async fn queue_refresh(tx: &mut Tx, incident_id: i64, users: &[String]) -> StoreResult<()> {
    let mut seen: Vec<&String> = Vec::new();
    for user in users {
        if seen.contains(&user) {
            continue;
        }
        seen.push(user);
        let op = Op::RefreshPageDm {
            incident_id,
            user: user.clone(),
        };
        outbox::enqueue(tx, &op, None).await?;
    }
    Ok(())
}
