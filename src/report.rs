//! Gathers what a postmortem draft needs from the store (incident, timeline, people,
//! pages) and builds it. The one place both `warroom postmortem` and the posted draft
//! come from, so they always agree.

use crate::domain::{Incident, Person};
use crate::paging::EscalationConfig;
use crate::postmortem::{self, Draft, PageFact};
use crate::store::{StoreResult, Tx};
use std::collections::HashMap;

/// Everything stored about an incident that a draft shows.
pub struct Gathered {
    pub entries: Vec<crate::domain::TimelineEntry>,
    pub people: HashMap<String, Person>,
    pub pages: Vec<crate::store::PageRecord>,
}

pub async fn gather(tx: &mut Tx, incident_id: i64) -> StoreResult<Gathered> {
    Ok(Gathered {
        entries: tx.entries(incident_id).await?,
        people: tx.people().await?,
        pages: tx.pages(incident_id).await?,
    })
}

pub fn draft(incident: &Incident, g: &Gathered, config: &EscalationConfig) -> Draft {
    let mut draft = postmortem::build(incident, &g.entries, &g.people);
    let facts: Vec<PageFact> = g
        .pages
        .iter()
        .map(|p| PageFact {
            user_id: p.user_id.clone(),
            team: p.team_id.as_deref().map(|t| {
                config
                    .team(t)
                    .map_or_else(|| t.to_string(), |team| team.name.clone())
            }),
            level: p.level,
            paged_at: p.paged_at,
            acked_at: p.acked_at,
        })
        .collect();
    postmortem::add_pages(&mut draft, &facts, &g.people);
    draft
}
