//! `/incident update [--public] <text>`: a stakeholder update. Posted, formatted with
//! the incident's status, severity, age and when the next update is due, in the war
//! room, the announcements channel and any channels configured for the severity or
//! the service (`[updates]`). Recorded as a `stakeholder_update` system entry (a key
//! event; the cadence nudge reads the latest). With `--public`, the text also goes to
//! Atlassian Statuspage (`[statuspage]`): the first creates the incident there, later
//! ones patch it, and resolving resolves it ([`on_resolved`]). Only text marked public
//! ever leaves Slack.

use super::war_room::{NOT_A_WAR_ROOM, lock_incident_of, record};
use super::{Reply, SlashCommand};
use crate::config::Settings;
use crate::domain::{
    DRILL_MARK, Incident, STAKEHOLDER_UPDATE_KIND, Span, Status, update_entry_text,
};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::state::AppState;
use crate::store::Tx;

pub const USAGE: &str = "/incident update [--public] <what stakeholders should know>";
const PUBLIC_FLAG: &str = "--public";

/// Said to whoever asks for a public update while no status page is configured.
pub const NO_STATUSPAGE: &str = ":warning: Public updates go to Atlassian Statuspage, which is not configured. Ask an admin to set `[statuspage] page_id` and `api_key_env` (the name of the variable holding the API key) in Warroom's config; see the README, \"Stakeholder updates and the status page\". To post this update in Slack only, run it again without `--public`.";

/// Said to whoever asks for a public update of a drill.
pub const DRILL_NOT_PUBLIC: &str = ":warning: This is a DRILL: its updates never reach the status page. Run it again without `--public` to practise the update in the war room.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateArgs {
    pub text: String,
    pub public: bool,
}

pub fn parse(rest: &str) -> Result<UpdateArgs, Reply> {
    let rest = rest.trim();
    let (first, after) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let (public, text) = if first.eq_ignore_ascii_case(PUBLIC_FLAG) {
        (true, after.trim())
    } else {
        (false, rest)
    };
    if text.is_empty() {
        let problem = if public {
            "A public update needs the text to publish."
        } else {
            "An update needs some text: what stakeholders should know now."
        };
        return Err(Reply::usage(problem, USAGE));
    }
    if text.starts_with("--") {
        let flag = text.split_whitespace().next().unwrap_or(text);
        return Err(Reply::usage(
            &format!("`{flag}` is not an option; the only one is `--public`, first."),
            USAGE,
        ));
    }
    Ok(UpdateArgs {
        text: text.to_string(),
        public,
    })
}

pub async fn run(
    state: &AppState,
    cmd: &SlashCommand,
    args: UpdateArgs,
) -> Result<Reply, AppError> {
    let settings = &state.settings;
    if args.public && settings.statuspage.is_none() {
        return Ok(Reply::Ephemeral(NO_STATUSPAGE.into()));
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(incident) = lock_incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    if incident.status == Status::Closed {
        return Ok(Reply::Ephemeral(format!(
            ":warning: Incident #{} is closed; its updates are over.",
            incident.id
        )));
    }
    if incident.drill && args.public {
        return Ok(Reply::Ephemeral(DRILL_NOT_PUBLIC.into()));
    }
    let next_in = settings.updates.next_update_in(incident.severity);
    let mut text =
        crate::slack::views::stakeholder_update(&incident, &args.text, now, next_in, args.public);
    // A drill's updates are practice: they stay in its war room, marked, and alarm
    // no stakeholder channel.
    let channels = if incident.drill {
        text.insert_str(0, DRILL_MARK);
        Vec::new()
    } else {
        channels_for(settings, &incident)
    };
    let entry = update_entry_text(&args.text, args.public);
    record(
        &mut tx,
        incident.id,
        now,
        STAKEHOLDER_UPDATE_KIND,
        &cmd.user_id,
        entry,
    )
    .await?;
    let posts = std::iter::once(None).chain(channels.iter().cloned().map(Some));
    for channel in posts {
        let op = Op::StakeholderUpdate {
            incident_id: incident.id,
            channel,
            text: text.clone(),
        };
        outbox::enqueue(&mut tx, &op, None).await?;
    }
    if args.public
        && let Some(sp) = &settings.statuspage
    {
        tx.open_statuspage_link(incident.id, &sp.page_id, now)
            .await?;
        let body = crate::slack::mrkdwn::plain(&args.text);
        queue_statuspage(&mut tx, &incident, incident.status, Some(body)).await?;
    }
    let mut said = format!(
        "Update posted in the war room{}.",
        channels
            .iter()
            .map(|c| format!(", <#{c}>"))
            .collect::<String>()
    );
    if args.public {
        said.push_str(" It goes to the status page too.");
    }
    said.push_str(&format!(" Next update due in {}.", Span(next_in)));
    let reply = cmd.delivery.commit(tx, Reply::Ephemeral(said)).await?;
    state.wake_outbox();
    Ok(reply)
}

/// The channels an update goes to besides the war room, each once: announcements,
/// then those of the severity, then those of the service.
fn channels_for(settings: &Settings, incident: &Incident) -> Vec<String> {
    let updates = &settings.updates;
    let by_severity = updates.severity_channels.get(&incident.severity.level());
    let by_service = incident
        .service
        .as_ref()
        .and_then(|s| updates.service_channels.get(s));
    let mut channels: Vec<String> = Vec::new();
    let candidates = settings
        .slack
        .announcements_channel
        .iter()
        .chain(by_severity.into_iter().flatten())
        .chain(by_service.into_iter().flatten());
    for c in candidates {
        if Some(c) != incident.channel_id.as_ref() && !channels.contains(c) {
            channels.push(c.clone());
        }
    }
    channels
}

async fn queue_statuspage(
    tx: &mut Tx,
    incident: &Incident,
    status: Status,
    body: Option<String>,
) -> Result<(), AppError> {
    let op = Op::Statuspage {
        incident_id: incident.id,
        status: status.as_str().to_string(),
        body,
    };
    outbox::enqueue(tx, &op, None).await?;
    Ok(())
}

/// Resolves the incident's Statuspage incident, if it went public: called in the
/// transaction that made the incident resolved (or closed it unresolved).
pub async fn on_resolved(
    tx: &mut Tx,
    settings: &Settings,
    incident: &Incident,
) -> Result<bool, AppError> {
    if settings.statuspage.is_none() || tx.statuspage_link(incident.id).await?.is_none() {
        return Ok(false);
    }
    queue_statuspage(tx, incident, Status::Resolved, None).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_flag_comes_first_and_the_rest_is_the_text() {
        assert_eq!(
            parse("--public We found the cause").unwrap(),
            UpdateArgs {
                text: "We found the cause".into(),
                public: true
            }
        );
        assert_eq!(
            parse("Still looking --public").unwrap(),
            UpdateArgs {
                text: "Still looking --public".into(),
                public: false
            }
        );
        assert!(parse("--PUBLIC  x").unwrap().public);
    }

    #[test]
    fn empty_text_and_unknown_options_get_usage() {
        for (text, says) in [
            ("", "needs some text"),
            ("   ", "needs some text"),
            ("--public", "needs the text to publish"),
            ("--public   ", "needs the text to publish"),
            ("--private hello", "`--private` is not an option"),
            ("--public --now hi", "`--now` is not an option"),
        ] {
            let Err(Reply::Ephemeral(answer)) = parse(text) else {
                panic!("`{text}` must be refused")
            };
            assert!(
                answer.contains(says) && answer.contains(USAGE),
                "{text}: {answer}"
            );
        }
    }
}
