//! Gathers what a postmortem draft needs from the store (incident, timeline, people,
//! pages, impact statements, action items), says who was involved, and builds the
//! draft. The one place both `warroom
//! postmortem` and the posted draft come from, so they always agree. The only part of
//! [`crate::postmortem`] that reads the store.

use super::{BlamePhrase, Draft, Facts, PageFact};
use crate::config::escalation::EscalationConfig;
use crate::domain::{ActionItem, ImpactStatement, Incident, Person};
use crate::store::{StoreResult, Tx};
use std::collections::HashMap;

/// Everything stored about an incident that a draft shows.
pub struct Gathered {
    pub entries: Vec<crate::domain::TimelineEntry>,
    pub people: HashMap<String, Person>,
    pub pages: Vec<crate::store::PageRecord>,
    /// Withdrawn ones too; the draft leaves them out.
    pub impacts: Vec<ImpactStatement>,
    pub actions: Vec<ActionItem>,
}

pub async fn gather(tx: &mut Tx, incident_id: i64) -> StoreResult<Gathered> {
    Ok(Gathered {
        entries: tx.entries(incident_id).await?,
        people: tx.people().await?,
        pages: tx.pages(incident_id).await?,
        impacts: tx.impacts(incident_id).await?,
        actions: tx.actions(incident_id).await?,
    })
}

/// Everyone the draft names: those who spoke (`participants`), those mentioned in
/// the timeline, those paged, and the authors and owners of impact statements and
/// action items, each once and sorted.
pub fn involved(g: &Gathered, participants: Vec<String>) -> Vec<String> {
    let mut involved = participants;
    involved.extend(g.entries.iter().flat_map(|e| mentioned_users(&e.text)));
    involved.extend(g.pages.iter().map(|p| p.user_id.clone()));
    involved.extend(g.impacts.iter().map(|s| s.author_id.clone()));
    involved.extend(g.actions.iter().filter_map(|a| a.owner_id.clone()));
    involved.sort();
    involved.dedup();
    involved
}

/// User ids mentioned as `<@U123>` or `<@U123|name>` in message text.
fn mentioned_users(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("<@").skip(1).filter_map(|rest| {
        let id = rest.split(['>', '|']).next()?;
        crate::domain::is_slack_id(id, crate::domain::IdKind::User).then(|| id.to_string())
    })
}

/// The draft of `incident` from what was gathered; `phrases` are what the blameless
/// review looks for.
pub fn draft(
    incident: &Incident,
    g: &Gathered,
    config: &EscalationConfig,
    phrases: &[BlamePhrase],
) -> Draft {
    let pages: Vec<PageFact> = g
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
    let mut facts = Facts::new(incident, &g.entries, &g.people);
    facts.impacts = &g.impacts;
    facts.actions = &g.actions;
    facts.pages = &pages;
    facts.phrases = phrases;
    facts.build()
}

#[cfg(test)]
mod tests {
    use super::mentioned_users;

    #[test]
    fn mentions_in_either_form_are_found_and_other_links_are_not() {
        let text = "<@U1AB> and <@W2CD|karen> saw <#C1|general> and <https://x|y>, not <@bad id>";
        assert_eq!(mentioned_users(text).collect::<Vec<_>>(), ["U1AB", "W2CD"]);
    }
}
