//! The postmortem draft in the war room: a readable message once, then the whole
//! draft as a `.md` file, shared once (files v2).

use super::post::post_once;
use super::{Ctx, Delivery, SendError, war_room};
use crate::domain::Incident;
use crate::postmortem;
use crate::postmortem::gather;
use crate::slack::client::SlackCallError;

pub(super) async fn run(ctx: &Ctx, d: Delivery<'_>, incident: &Incident) -> Result<(), SendError> {
    let channel = war_room(incident)?;
    let mut tx = ctx.store.read().await?;
    let mut gathered = gather::gather(&mut tx, incident.id).await?;
    let participants = tx.participants(incident.id).await?;
    let posted = tx.remembered_message(incident.id, "postmortem").await?;
    let uploaded = tx
        .remembered_message(incident.id, "postmortem_file")
        .await?;
    tx.commit().await?;

    let involved = gather::involved(&gathered, participants);
    learn_unknown_people(ctx, &involved, &mut gathered.people).await?;
    let draft = gather::draft(
        incident,
        &gathered,
        ctx.providers.config(),
        &ctx.postmortem.phrases,
    );

    if posted.is_none() {
        let blocks = serde_json::Value::Array(postmortem::render_blocks(&draft));
        let ts = post_once(
            ctx,
            d,
            channel,
            &postmortem::fallback_text(&draft),
            Some(&blocks),
        )
        .await?;
        let mut tx = ctx.store.begin().await?;
        tx.remember_message(incident.id, "postmortem", channel, &ts)
            .await?;
        tx.commit().await?;
    }
    if uploaded.is_none() {
        upload_postmortem(ctx, d, incident, channel, &draft).await?;
    }
    Ok(())
}

/// The `.md` file, shared once. Files v2 has no idempotency key, so the file id is
/// remembered between getting an upload URL and completing the upload; a retry that
/// finds one asks Slack whether that file was shared before uploading anything again.
async fn upload_postmortem(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    channel: &str,
    draft: &postmortem::Draft,
) -> Result<(), SendError> {
    let title = format!("Postmortem draft: {}", incident.title);
    let comment = "The full postmortem draft, ready to edit.";
    let mut tx = ctx.store.read().await?;
    let pending = tx
        .remembered_message(incident.id, "postmortem_upload")
        .await?;
    tx.commit().await?;
    if let Some((_, file_id)) = pending {
        let shared = ctx
            .slack
            .find_file_share(channel, &file_id, &d.oldest_ts())
            .await?;
        let done = if shared {
            true
        } else {
            // Not shared: its bytes may be up already, so try completing it.
            match ctx
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
            return remember_upload(ctx, incident.id, channel, &file_id).await;
        }
    }
    let markdown = render(ctx, incident, draft);
    let (upload_url, file_id) = ctx
        .slack
        .upload_url(&postmortem::file_name(incident), markdown.len())
        .await?;
    let mut tx = ctx.store.begin().await?;
    tx.remember_message(incident.id, "postmortem_upload", channel, &file_id)
        .await?;
    tx.commit().await?;
    ctx.slack.send_upload(&upload_url, &markdown).await?;
    ctx.slack
        .complete_upload(channel, &file_id, &title, comment)
        .await?;
    remember_upload(ctx, incident.id, channel, &file_id).await
}

/// The draft in the configured template. A template checked at startup can still
/// fail on a draft unlike the samples it was checked with; then the built-in layout
/// is used, so the team still gets their draft, and the failure is logged.
fn render(ctx: &Ctx, incident: &Incident, draft: &postmortem::Draft) -> String {
    match ctx.postmortem.render(draft) {
        Ok(markdown) => markdown,
        Err(e) => {
            tracing::error!(
                incident_id = incident.id,
                error = %e,
                "the postmortem template failed; using the built-in default"
            );
            postmortem::render_markdown(draft)
        }
    }
}

async fn remember_upload(
    ctx: &Ctx,
    incident_id: i64,
    channel: &str,
    file_id: &str,
) -> Result<(), SendError> {
    let mut tx = ctx.store.begin().await?;
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
    ctx: &Ctx,
    participants: &[String],
    people: &mut std::collections::HashMap<String, crate::domain::Person>,
) -> Result<(), SendError> {
    use crate::domain::{IdKind, Person, PersonKind, is_slack_id};
    let unknown: Vec<&String> = participants
        .iter()
        .filter(|u| !people.contains_key(*u) && is_slack_id(u, IdKind::User))
        .collect();
    for user in unknown {
        let person = match ctx.slack.user_info(user).await {
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
        let mut tx = ctx.store.begin().await?;
        tx.upsert_person(&person, ctx.clock.now()).await?;
        tx.commit().await?;
        people.insert(person.user_id.clone(), person);
    }
    Ok(())
}
