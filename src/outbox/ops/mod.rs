//! What each outbound op does, one file per kind. Ops are written to be safe to
//! repeat: each step checks what an earlier attempt already stored before calling
//! Slack or a pager again. [`run`] picks the op's file; the worker loop that claims,
//! retries and paces items is [`super::worker`], and the Slack transport is
//! [`crate::slack::client`].

mod action_dm;
mod alert;
mod create_war_room;
mod github_issue;
mod invite;
mod nudge;
mod page_dm;
mod page_join;
mod post;
mod postmortem;
mod provider;
mod stakeholder_update;
mod statuspage;
mod summary;
mod topic;

use super::Op;
use crate::clock::Clock;
use crate::domain::Incident;
use crate::github::GithubError;
use crate::pagers::{ProviderError, Providers};
use crate::slack::client::{SlackApi, SlackCallError};
use crate::store::{Store, StoreError};
use std::sync::Arc;
use tokio::sync::Notify;

pub use github_issue::{GithubExport, issue_marker};
pub use statuspage::StatuspageExport;

/// What an op can reach while it runs.
#[derive(Clone)]
pub struct Ctx {
    pub store: Store,
    pub slack: SlackApi,
    pub providers: Providers,
    pub clock: Clock,
    /// War rooms are created private.
    pub private_channels: bool,
    /// How postmortem drafts are written: template and blameless phrases.
    pub postmortem: crate::postmortem::Style,
    /// Set when action items are exported as GitHub issues.
    pub github: Option<GithubExport>,
    /// Set when public updates are mirrored on Atlassian Statuspage.
    pub statuspage: Option<StatuspageExport>,
    /// Rung when something is queued, so a post goes out at once instead of at the
    /// next poll.
    pub wake: Arc<Notify>,
    /// The alert rules: where an alert's runbook is when its annotations name none.
    pub alerts: Arc<crate::config::alert_rules::AlertRules>,
    /// Where the worker counts what it sent, retried and gave up on.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// `[drills] page_providers`: a drill's provider events may be sent.
    pub drill_page_providers: bool,
    /// The fallback IRC server (`host:port`) when `[fallback.irc]` is set: pages name
    /// an incident's open fallback room on it.
    pub irc_server: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Slack(#[from] SlackCallError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Github(#[from] GithubError),
    #[error(transparent)]
    Statuspage(#[from] crate::statuspage::StatuspageError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something the op needs does not exist and will not appear by waiting.
    #[error("{0}")]
    Missing(String),
    /// Something the op needs is on its way (another lane is creating it): retried.
    #[error("{0}")]
    NotYet(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        match self {
            SendError::Slack(e) => e.is_permanent(),
            SendError::Provider(e) => e.is_permanent(),
            SendError::Github(e) => e.is_permanent(),
            SendError::Statuspage(e) => e.is_permanent(),
            SendError::Store(_) => false,
            SendError::Missing(_) => true,
            SendError::NotYet(_) => false,
        }
    }
}

/// Which attempt this is at an outbox item.
#[derive(Debug, Clone, Copy)]
pub struct Delivery<'a> {
    /// The item's idempotency key; posts carry it in their metadata.
    pub key: &'a str,
    /// An earlier attempt may have reached Slack before we could record it.
    pub retry: bool,
    /// When the item was queued: no earlier attempt can be older, so a retry looks
    /// back through history this far (with a margin for clocks that differ).
    pub since: chrono::DateTime<chrono::Utc>,
}

/// Slack's clock and ours may differ; a retry looks this much further back.
const CLOCK_MARGIN: chrono::Duration = chrono::Duration::minutes(5);

impl Delivery<'_> {
    /// The oldest `ts` an earlier attempt could carry.
    fn oldest_ts(&self) -> String {
        crate::domain::SlackTs::from_datetime(self.since - CLOCK_MARGIN)
            .as_str()
            .to_string()
    }
}

/// Runs `op` once; the worker decides what a failure means.
pub async fn run(ctx: &Ctx, op: &Op, d: Delivery<'_>) -> Result<(), SendError> {
    let Some(incident_id) = op.incident_id() else {
        return match op {
            Op::TriageAlert { group_id, channel } => {
                alert::triage(ctx, d, *group_id, channel).await
            }
            Op::RefreshTriage { group_id } => alert::refresh_triage(ctx, *group_id).await,
            Op::PageNotice { user, pages } => page_join::notice(ctx, d, user, pages).await,
            _ => Err(SendError::Missing(format!(
                "{} needs an incident",
                op.name()
            ))),
        };
    };
    let incident = load(ctx, incident_id).await?;
    match op {
        Op::CreateWarRoom { .. } => create_war_room::run(ctx, &incident).await,
        Op::Invite { users, .. } => invite::run(ctx, &incident, users).await,
        Op::SyncTopic { .. } => topic::run(ctx, &incident).await,
        Op::PostSummary { .. } => summary::post(ctx, d, &incident).await,
        Op::RefreshSummary { .. } => summary::refresh(ctx, &incident).await,
        Op::Announce { channel, .. } => post::announce(ctx, d, &incident, channel).await,
        Op::Notice { text, .. } => post::notice(ctx, d, &incident, text).await,
        Op::PageDm { page_id, .. } => page_dm::run(ctx, d, *page_id).await,
        Op::RefreshPageDm { user, .. } => page_dm::refresh(ctx, d, incident.id, user).await,
        Op::PublishPostmortem { .. } => postmortem::run(ctx, d, &incident).await,
        Op::Provider {
            provider,
            action,
            team_id,
            dedup_key,
            ..
        } => provider::run(ctx, &incident, *provider, *action, team_id, dedup_key).await,
        Op::OwnerActions { owner, .. } => action_dm::owner_actions(ctx, d, &incident, owner).await,
        Op::ActionReminder { item_id, due, .. } => {
            action_dm::reminder(ctx, d, &incident, *item_id, *due).await
        }
        Op::GithubIssue { item_id, .. } => github_issue::run(ctx, d, &incident, *item_id).await,
        Op::PostAlert { group_id, .. } => alert::post(ctx, d, &incident, *group_id).await,
        Op::AlertsResolved {
            group_id,
            auto_resolved,
            ..
        } => alert::resolved(ctx, d, &incident, *group_id, *auto_resolved).await,
        Op::Nudge {
            timer_id,
            seq,
            text,
            ..
        } => nudge::run(ctx, d, &incident, *timer_id, *seq, text).await,
        Op::StakeholderUpdate { channel, text, .. } => {
            stakeholder_update::run(ctx, d, &incident, channel.as_deref(), text).await
        }
        Op::Statuspage { status, body, .. } => {
            statuspage::run(ctx, d, &incident, status, body.as_deref()).await
        }
        Op::TriageAlert { .. } | Op::RefreshTriage { .. } | Op::PageNotice { .. } => Ok(()),
    }
}

/// Whether `op` has nothing left to do, known before it is paced: a page that an
/// earlier DM already carries finishes at once instead of waiting for its DM
/// channel's next free second, and so does a notice whose pages were all
/// acknowledged. A store error answers `false`; running the op tells.
pub async fn settled(ctx: &Ctx, op: &Op, retry: bool) -> bool {
    let settled = match op {
        Op::PageDm { page_id, .. } => page_dm::settled(ctx, *page_id, retry).await,
        Op::PageNotice { user, pages } => page_join::notice_settled(ctx, user, pages).await,
        _ => return false,
    };
    settled.unwrap_or_else(|e| {
        tracing::warn!(error = %e, op = op.name(), "could not read whether the op is done");
        false
    })
}

/// What `op` does while its channel cannot take a post yet: `true` when it got
/// done without one, `false` to wait for the channel. A page joins the person's
/// latest page DM at once (`chat.update`) and leaves the post to its notice;
/// everything else waits.
/// `free_in` is how long until the channel may take a post.
pub async fn when_paced(
    ctx: &Ctx,
    op: &Op,
    d: Delivery<'_>,
    free_in: std::time::Duration,
) -> Result<bool, SendError> {
    match op {
        Op::PageDm { page_id, .. } => page_join::join(ctx, d, *page_id, free_in).await,
        _ => Ok(false),
    }
}

async fn load(ctx: &Ctx, id: i64) -> Result<Incident, SendError> {
    let mut tx = ctx.store.read().await?;
    let incident = tx.incident(id).await?;
    tx.commit().await?;
    incident.ok_or_else(|| SendError::Missing(format!("incident #{id} does not exist")))
}

fn war_room(incident: &Incident) -> Result<&str, SendError> {
    incident
        .channel_id
        .as_deref()
        .ok_or_else(|| SendError::Missing(format!("incident #{} has no war room", incident.id)))
}
