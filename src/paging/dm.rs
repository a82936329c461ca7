//! The page DM as stored: which pages a DM carries, with their incidents, rendered
//! whole by [`crate::slack::page_views`]. The outbox renders it to send and update
//! it; the Acknowledge button renders it to answer in place.

use crate::domain::Incident;
use crate::outbox::{self, Op};
use crate::store::{PageRecord, StoreResult, Tx};
use serde_json::Value;
use std::collections::BTreeMap;

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

/// The open fallback war rooms on IRC of the incidents `shown`, by incident id, as
/// `#channel on <irc_server>`; none without a server (`[fallback.irc]` unset).
pub async fn irc_places(
    tx: &mut Tx,
    shown: &[(Incident, PageRecord)],
    irc_server: Option<&str>,
) -> StoreResult<BTreeMap<i64, String>> {
    let mut places = BTreeMap::new();
    let Some(server) = irc_server else {
        return Ok(places);
    };
    for (incident, _) in shown {
        if places.contains_key(&incident.id) {
            continue;
        }
        if let Some(room) = tx.fallback_room(incident.id).await?.filter(|r| r.is_open()) {
            places.insert(incident.id, format!("{} on {server}", room.channel));
        }
    }
    Ok(places)
}

/// The DM `(channel, ts)` as it should read now: `(fallback text, blocks)`, or
/// `None` when no page is recorded on it. `irc_server` is `[fallback.irc]`'s
/// `host:port`, when set.
pub async fn render(
    tx: &mut Tx,
    channel: &str,
    ts: &str,
    irc_server: Option<&str>,
) -> StoreResult<Option<(String, Value)>> {
    let pages = tx.pages_in_dm(channel, ts).await?;
    let shown = with_incidents(tx, pages).await?;
    if shown.is_empty() {
        return Ok(None);
    }
    let irc = irc_places(tx, &shown, irc_server).await?;
    Ok(Some(crate::slack::page_views::page_dm_with(&shown, &irc)))
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
