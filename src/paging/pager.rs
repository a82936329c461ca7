//! Sending a page, inside the caller's transaction: each person gets a page record,
//! an invite to the war room and a Slack DM; each team's providers get an alert; the
//! timeline gets a line per person. Nothing is sent here: the outbox sends it after
//! commit, so the page and the record of it land together or not at all.

use super::plan::Plan;
use crate::config::escalation::EscalationConfig;
use crate::domain::{Incident, TimelineEntry};
use crate::outbox::{self, Op};
use crate::pagers::{Provider, ProviderAction};
use crate::store::{NewPage, PagingRound, ProviderAlert, StoreResult, Tx};
use chrono::{DateTime, Utc};

pub struct PageRequest<'a> {
    pub incident: &'a Incident,
    /// The policy and escalation level (0-based), or `None` for a manual page.
    pub level: Option<PolicyLevel<'a>>,
    pub note: Option<&'a str>,
    /// Who paged by hand; `None` for the policy.
    pub paged_by: Option<&'a str>,
    pub now: DateTime<Utc>,
    /// `[drills] page_providers`: a drill's pages reach the providers too. Without
    /// it a drill pages by Slack DM only (a real incident always reaches them).
    pub drill_page_providers: bool,
}

impl PageRequest<'_> {
    /// Whether the teams' providers (PagerDuty, Opsgenie, webhooks) get this page.
    pub fn reaches_providers(&self) -> bool {
        !self.incident.drill || self.drill_page_providers
    }
}

/// Where a policy page comes from.
#[derive(Debug, Clone, Copy)]
pub struct PolicyLevel<'a> {
    pub policy: &'a str,
    /// 0-based, counting repeats of the last level on.
    pub index: i64,
    /// A repeat of the policy's last level: everyone in it is paged again.
    pub repeat: bool,
}

/// Records and queues the pages of `plan`. Returns the people newly paged. A person
/// already paged at this level is not paged again, and a policy level other than a
/// repeat skips people paged in this incident before by other means (an earlier
/// policy, before the severity was raised, or by hand). All of that is within the
/// incident's paging round: once a resolved incident reopens, everyone is paged
/// afresh, under new page keys and new provider alerts.
pub async fn page(
    tx: &mut Tx,
    config: &EscalationConfig,
    plan: &Plan,
    req: &PageRequest<'_>,
) -> StoreResult<Vec<String>> {
    let id = req.incident.id;
    let round = tx.paging_round(id).await?;
    let manual_key = uuid::Uuid::new_v4().simple().to_string();
    let policy_prefix = req.level.map(|l| policy_prefix(id, round, l.policy));
    let already = match (req.level, &policy_prefix) {
        (Some(l), Some(prefix)) if !l.repeat => tx.paged_outside(id, prefix, round.since).await?,
        _ => Default::default(),
    };
    let mut paged = Vec::new();
    for callee in plan
        .callees
        .iter()
        .filter(|c| !already.contains(&c.user_id))
    {
        let page_key = match (req.level, &policy_prefix) {
            (Some(l), Some(prefix)) => format!("{prefix}{}:{}", l.index, callee.user_id),
            _ => format!("manual:{manual_key}:{}", callee.user_id),
        };
        let new = NewPage {
            incident_id: id,
            page_key: &page_key,
            user_id: &callee.user_id,
            team_id: callee.team_id.as_deref(),
            level: req.level.map(|l| l.index),
            note: req.note,
            paged_by: req.paged_by,
            paged_at: req.now,
        };
        let Some(page_id) = tx.insert_page(&new).await? else {
            continue;
        };
        outbox::enqueue(
            tx,
            &Op::PageDm {
                incident_id: id,
                page_id,
                user: Some(callee.user_id.clone()),
            },
            Some(&page_id.to_string()),
        )
        .await?;
        let team = callee
            .team_id
            .as_deref()
            .and_then(|t| config.team(t))
            .map(|t| format!(" ({})", t.name))
            .unwrap_or_default();
        let how = match (req.level, req.paged_by) {
            (Some(level), _) => format!("escalation level {}", level.index + 1),
            (None, Some(by)) => format!("paged by <@{by}>"),
            (None, None) => "paged".to_string(),
        };
        let text = format!("Paged <@{}>{team}, {how}", callee.user_id);
        tx.insert_system_entry(&TimelineEntry::system(
            id,
            req.now,
            "page",
            req.paged_by,
            text,
        ))
        .await?;
        paged.push(callee.user_id.clone());
    }
    if !paged.is_empty() {
        let invite = Op::Invite {
            incident_id: id,
            users: paged.clone(),
        };
        outbox::enqueue(tx, &invite, None).await?;
    }
    if !req.reaches_providers() {
        // A drill wakes nobody's phone through a provider unless the team asked
        // for it: its pages are the Slack DMs above.
        return Ok(paged);
    }
    for team_id in &plan.teams {
        trigger_providers(tx, config, req, round, team_id).await?;
    }
    Ok(paged)
}

/// What every page key of `policy` in this incident's round starts with.
fn policy_prefix(incident_id: i64, round: PagingRound, policy: &str) -> String {
    match round.number {
        0 => format!("policy:{incident_id}:{policy}:"),
        n => format!("policy:{incident_id}:r{n}:{policy}:"),
    }
}

/// Opens one alert per provider the team has, once per incident and paging round: a
/// later level or manual page of the same team finds it open and does not page twice.
async fn trigger_providers(
    tx: &mut Tx,
    config: &EscalationConfig,
    req: &PageRequest<'_>,
    round: PagingRound,
    team_id: &str,
) -> StoreResult<()> {
    let Some(team) = config.team(team_id) else {
        return Ok(());
    };
    let providers = [
        (Provider::Pagerduty, team.pagerduty.is_some()),
        (Provider::Opsgenie, team.opsgenie.is_some()),
        (Provider::Webhook, team.webhook.is_some()),
    ];
    for (provider, configured) in providers {
        if !configured {
            continue;
        }
        let dedup_key = dedup_key(req.incident.id, team_id, round.number);
        let alert = ProviderAlert {
            incident_id: req.incident.id,
            provider: provider.as_str().to_string(),
            team_id: team_id.to_string(),
            dedup_key: dedup_key.clone(),
            status: "open".into(),
        };
        if !tx.open_provider_alert(&alert, req.now).await? {
            continue;
        }
        let op = Op::Provider {
            incident_id: req.incident.id,
            provider,
            action: ProviderAction::Trigger,
            team_id: team_id.to_string(),
            dedup_key: dedup_key.clone(),
        };
        outbox::enqueue(
            tx,
            &op,
            Some(&format!("trigger:{}:{dedup_key}", provider.as_str())),
        )
        .await?;
    }
    Ok(())
}

/// One alert per incident, team and paging round at each provider. The first
/// round's key has no round in it, as before rounds existed.
pub fn dedup_key(incident_id: i64, team_id: &str, round: i64) -> String {
    match round {
        0 => format!("warroom-incident-{incident_id}-{team_id}"),
        n => format!("warroom-incident-{incident_id}-{team_id}-r{n}"),
    }
}
