//! What each outbound op does against Slack. Ops are written to be safe to repeat:
//! each step checks what an earlier attempt already stored before calling Slack again.

use super::Op;
use super::ProviderAction;
use super::worker::Worker;
use crate::domain::{Incident, war_room_channel_name, with_suffix};
use crate::paging::providers::{Alert, ProviderError};
use crate::postmortem;
use crate::report;
use crate::slack::client::SlackCallError;
use crate::slack::views;
use crate::store::StoreError;

/// Channel names tried after `name_taken` before giving up.
const MAX_NAME_SUFFIX: u32 = 50;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(transparent)]
    Slack(#[from] SlackCallError),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something the op needs does not exist and will not appear by waiting.
    #[error("{0}")]
    Missing(String),
}

impl SendError {
    pub fn is_permanent(&self) -> bool {
        match self {
            SendError::Slack(e) => e.is_permanent(),
            SendError::Provider(e) => e.is_permanent(),
            SendError::Store(_) => false,
            SendError::Missing(_) => true,
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

pub async fn send(w: &Worker, op: &Op, d: Delivery<'_>) -> Result<(), SendError> {
    let incident = load(w, op.incident_id()).await?;
    match op {
        Op::CreateWarRoom { .. } => create_war_room(w, &incident).await,
        Op::Invite { users, .. } => {
            let channel = war_room(&incident)?;
            let outcome = w.slack.invite(channel, users).await?;
            if !outcome.not_invited.is_empty() {
                report_not_invited(w, &incident, &outcome.not_invited).await?;
            }
            Ok(())
        }
        Op::SyncTopic { .. } => Ok(w
            .slack
            .set_topic(war_room(&incident)?, &views::topic(&incident))
            .await?),
        Op::PostSummary { .. } => post_summary(w, d, &incident).await,
        Op::RefreshSummary { .. } => {
            let mut tx = w.store.read().await?;
            let summary = tx.remembered_message(incident.id, "summary").await?;
            tx.commit().await?;
            let Some((channel, ts)) = summary else {
                return Ok(()); // never posted (yet); PostSummary will show the latest state
            };
            let (text, blocks) = views::summary(&incident);
            Ok(w.slack
                .update_message(&channel, &ts, &text, Some(&blocks))
                .await?)
        }
        Op::Announce { channel, .. } => {
            let text = views::announcement(&incident);
            post_once(w, d, channel, &text, None).await?;
            Ok(())
        }
        Op::Notice { text, .. } => {
            // Notices quote providers and people (an error body, a note).
            let text = crate::slack::mrkdwn::echo(text);
            post_once(w, d, war_room(&incident)?, &text, None).await?;
            Ok(())
        }
        Op::PageDm { page_id, .. } => page_dm(w, d, &incident, *page_id).await,
        Op::PublishPostmortem { .. } => publish_postmortem(w, d, &incident).await,
        Op::Provider {
            provider,
            action,
            team_id,
            dedup_key,
            ..
        } => {
            let team = w.providers.config().team(team_id).ok_or_else(|| {
                SendError::Missing(format!(
                    "team {team_id} is no longer in the escalation config"
                ))
            })?;
            let alert = Alert {
                incident: &incident,
                team,
                dedup_key,
                war_room_url: incident.channel_id.as_deref().map(views::channel_url),
            };
            w.providers.send(*provider, *action, &alert).await?;
            if *action == ProviderAction::Trigger {
                tracing::info!(incident_id = incident.id, team = %team_id, provider = %provider, "provider paged");
            }
            Ok(())
        }
    }
}

/// People Slack would not let into the war room are part of the story: said in the
/// timeline and the room. Retrying would not help (a deactivated account, say), and
/// everyone else was invited.
async fn report_not_invited(
    w: &Worker,
    incident: &Incident,
    not_invited: &[(String, String)],
) -> Result<(), SendError> {
    let now = w.clock.now();
    let mut tx = w.store.begin().await?;
    for (user, code) in not_invited {
        tracing::warn!(incident_id = incident.id, user = %user, error = %code, "could not invite a person to the war room");
        let text = format!("Could not invite <@{user}> to the war room: Slack said `{code}`");
        tx.insert_system_entry(&crate::domain::TimelineEntry::system(
            incident.id,
            now,
            "delivery_failed",
            None,
            text.clone(),
        ))
        .await?;
        super::enqueue(
            &mut tx,
            &Op::Notice {
                incident_id: incident.id,
                text: format!(":warning: {text}"),
            },
            None,
        )
        .await?;
    }
    tx.commit().await?;
    w.wake.notify_one();
    Ok(())
}

/// Posts a message once: on a retry, a message carrying this item's key that an
/// earlier attempt left in the channel counts as posted.
async fn post_once(
    w: &Worker,
    d: Delivery<'_>,
    channel: &str,
    text: &str,
    blocks: Option<&serde_json::Value>,
) -> Result<String, SendError> {
    if d.retry
        && let Some(ts) = w.slack.find_posted(channel, d.key, &d.oldest_ts()).await?
    {
        tracing::info!(
            key = d.key,
            "an earlier attempt was posted; not posting again"
        );
        return Ok(ts);
    }
    Ok(w.slack
        .post_keyed(channel, text, blocks, Some(d.key))
        .await?)
}

/// The page itself: a DM with what, how bad, where, and an Acknowledge button. A page
/// acknowledged before its DM went out is not sent.
async fn page_dm(
    w: &Worker,
    d: Delivery<'_>,
    incident: &Incident,
    page_id: i64,
) -> Result<(), SendError> {
    let mut tx = w.store.read().await?;
    let page = tx.page(page_id).await?;
    tx.commit().await?;
    let page = page.ok_or_else(|| SendError::Missing(format!("page #{page_id} does not exist")))?;
    if page.acked_at.is_some() {
        return Ok(());
    }
    let dm = w.slack.open_dm(&page.user_id).await?;
    let (text, blocks) = views::page_dm(incident, &page);
    post_once(w, d, &dm, &text, Some(&blocks)).await?;
    Ok(())
}

async fn load(w: &Worker, id: i64) -> Result<Incident, SendError> {
    let mut tx = w.store.read().await?;
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

async fn create_war_room(w: &Worker, incident: &Incident) -> Result<(), SendError> {
    if incident.channel_id.is_some() {
        return Ok(());
    }
    let title = crate::domain::IncidentTitle::parse(&incident.title)
        .map_err(|e| SendError::Missing(format!("stored title is invalid: {e}")))?;
    let base = war_room_channel_name(&title, incident.declared_at);
    for attempt in 1..=MAX_NAME_SUFFIX {
        let name = with_suffix(&base, attempt);
        match w.slack.create_channel(&name, w.private_channels).await {
            Ok(channel) => {
                let mut tx = w.store.begin().await?;
                tx.set_channel(incident.id, &channel.id, &channel.name)
                    .await?;
                tx.commit().await?;
                tracing::info!(incident_id = incident.id, channel = %channel.name, "war room created");
                return Ok(());
            }
            Err(SlackCallError::Api(code)) if code == "name_taken" => {
                if adopt_orphan(w, incident, &name).await? {
                    return Ok(());
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(SendError::Missing(format!(
        "every name from {base} to {base}-{MAX_NAME_SUFFIX} is taken"
    )))
}

/// A crash between `conversations.create` and storing its answer leaves a channel we
/// made but never recorded; the retry then hits `name_taken` on it. A channel of that
/// name that this bot created and no incident owns is that channel: take it.
async fn adopt_orphan(w: &Worker, incident: &Incident, name: &str) -> Result<bool, SendError> {
    let Some(found) = w.slack.find_channel(name).await? else {
        return Ok(false);
    };
    let me = w.slack.identity().await?;
    if found.creator.as_deref() != Some(me.user_id.as_str()) {
        return Ok(false);
    }
    let mut tx = w.store.begin().await?;
    if tx.incident_by_channel(&found.id).await?.is_some() {
        return Ok(false);
    }
    tx.set_channel(incident.id, &found.id, &found.name).await?;
    tx.commit().await?;
    tracing::info!(incident_id = incident.id, channel = %found.name, "adopted the war room an interrupted attempt created");
    Ok(true)
}

async fn post_summary(w: &Worker, d: Delivery<'_>, incident: &Incident) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let mut tx = w.store.read().await?;
    let existing = tx.remembered_message(incident.id, "summary").await?;
    tx.commit().await?;
    let ts = match existing {
        Some((_, ts)) => ts,
        None => {
            let (text, blocks) = views::summary(incident);
            let ts = post_once(w, d, channel, &text, Some(&blocks)).await?;
            let mut tx = w.store.begin().await?;
            tx.remember_message(incident.id, "summary", channel, &ts)
                .await?;
            tx.commit().await?;
            ts
        }
    };
    Ok(w.slack.pin(channel, &ts).await?)
}

async fn publish_postmortem(
    w: &Worker,
    d: Delivery<'_>,
    incident: &Incident,
) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let mut tx = w.store.read().await?;
    let mut gathered = report::gather(&mut tx, incident.id).await?;
    let participants = tx.participants(incident.id).await?;
    let posted = tx.remembered_message(incident.id, "postmortem").await?;
    let uploaded = tx
        .remembered_message(incident.id, "postmortem_file")
        .await?;
    tx.commit().await?;

    let mut involved = participants;
    involved.extend(
        gathered
            .entries
            .iter()
            .flat_map(|e| mentioned_users(&e.text)),
    );
    involved.extend(gathered.pages.iter().map(|p| p.user_id.clone()));
    involved.sort();
    involved.dedup();
    learn_unknown_people(w, &involved, &mut gathered.people).await?;
    let draft = report::draft(incident, &gathered, w.providers.config());

    if posted.is_none() {
        let blocks = serde_json::Value::Array(postmortem::render_blocks(&draft));
        let ts = post_once(
            w,
            d,
            channel,
            &postmortem::fallback_text(&draft),
            Some(&blocks),
        )
        .await?;
        let mut tx = w.store.begin().await?;
        tx.remember_message(incident.id, "postmortem", channel, &ts)
            .await?;
        tx.commit().await?;
    }
    if uploaded.is_none() {
        upload_postmortem(w, d, incident, channel, &draft).await?;
    }
    Ok(())
}

/// The `.md` file, shared once. Files v2 has no idempotency key, so the file id is
/// remembered between getting an upload URL and completing the upload; a retry that
/// finds one asks Slack whether that file was shared before uploading anything again.
async fn upload_postmortem(
    w: &Worker,
    d: Delivery<'_>,
    incident: &Incident,
    channel: &str,
    draft: &postmortem::Draft,
) -> Result<(), SendError> {
    let title = format!("Postmortem draft: {}", incident.title);
    let comment = "The full postmortem draft, ready to edit.";
    let mut tx = w.store.read().await?;
    let pending = tx
        .remembered_message(incident.id, "postmortem_upload")
        .await?;
    tx.commit().await?;
    if let Some((_, file_id)) = pending {
        let shared = w
            .slack
            .find_file_share(channel, &file_id, &d.oldest_ts())
            .await?;
        let done = if shared {
            true
        } else {
            // Not shared: its bytes may be up already, so try completing it.
            match w
                .slack
                .complete_upload(channel, &file_id, &title, comment)
                .await
            {
                Ok(()) => true,
                Err(e) if e.is_permanent() => false, // start afresh
                Err(e) => return Err(e.into()),
            }
        };
        if done {
            return remember_upload(w, incident.id, channel, &file_id).await;
        }
    }
    let markdown = postmortem::render_markdown(draft);
    let (upload_url, file_id) = w
        .slack
        .upload_url(&postmortem::file_name(incident), markdown.len())
        .await?;
    let mut tx = w.store.begin().await?;
    tx.remember_message(incident.id, "postmortem_upload", channel, &file_id)
        .await?;
    tx.commit().await?;
    w.slack.send_upload(&upload_url, &markdown).await?;
    w.slack
        .complete_upload(channel, &file_id, &title, comment)
        .await?;
    remember_upload(w, incident.id, channel, &file_id).await
}

async fn remember_upload(
    w: &Worker,
    incident_id: i64,
    channel: &str,
    file_id: &str,
) -> Result<(), SendError> {
    let mut tx = w.store.begin().await?;
    tx.remember_message(incident_id, "postmortem_file", channel, file_id)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Fills in names and teams of participants we have not looked up yet, each once:
/// `participants` holds each id once, and what Slack answered is kept, "no such
/// user" included, so a retried publish asks nothing again. A lookup that fails for
/// good leaves the raw id in the draft rather than holding the draft back.
async fn learn_unknown_people(
    w: &Worker,
    participants: &[String],
    people: &mut std::collections::HashMap<String, crate::domain::Person>,
) -> Result<(), SendError> {
    use crate::domain::{IdKind, Person, PersonKind, is_slack_id};
    let unknown: Vec<&String> = participants
        .iter()
        .filter(|u| !people.contains_key(*u) && is_slack_id(u, IdKind::User))
        .collect();
    for user in unknown {
        let person = match w.slack.user_info(user).await {
            Ok(person) => person,
            Err(SlackCallError::Api(code)) if code == "user_not_found" => Person {
                user_id: user.clone(),
                name: user.clone(),
                title: None,
                kind: PersonKind::Unknown,
            },
            Err(e) if e.is_permanent() => {
                tracing::warn!(user = %user, error = %e, "cannot look up a participant");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let mut tx = w.store.begin().await?;
        tx.upsert_person(&person, w.clock.now()).await?;
        tx.commit().await?;
        people.insert(person.user_id.clone(), person);
    }
    Ok(())
}

/// User ids mentioned as `<@U123>` or `<@U123|name>` in message text.
fn mentioned_users(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split("<@").skip(1).filter_map(|rest| {
        let id = rest.split(['>', '|']).next()?;
        crate::domain::is_slack_id(id, crate::domain::IdKind::User).then(|| id.to_string())
    })
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
