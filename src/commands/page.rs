//! `/incident page <team|@user> [message]`: page someone by hand from the war room.

use super::{Reply, SlashCommand};
use crate::config::escalation::Target;
use crate::domain::Status;
use crate::domain::user_mention as parse_user_mention;
use crate::error::AppError;
use crate::paging::pager::{self, PageRequest};
use crate::paging::plan::plan;
use crate::state::AppState;

pub const USAGE: &str = "/incident page <team|@user> [message]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageArgs {
    pub target: Target,
    pub message: Option<String>,
}

pub fn parse(rest: &str) -> Result<PageArgs, Reply> {
    let (who, message) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if who.is_empty() {
        return Err(Reply::usage("Who should be paged?", USAGE));
    }
    let target = match parse_user_mention(who) {
        Some(user) => Target::User(user),
        None if who.starts_with('<') || who.starts_with('@') => {
            return Err(Reply::usage(
                &format!("`{who}` is not a Slack user; mention them with @."),
                USAGE,
            ));
        }
        None => Target::Team(who.trim_start_matches('#').to_ascii_lowercase()),
    };
    let message = Some(message.trim().to_string()).filter(|m| !m.is_empty());
    Ok(PageArgs { target, message })
}

pub async fn run(state: &AppState, cmd: &SlashCommand, args: PageArgs) -> Result<Reply, AppError> {
    let config = &state.settings.paging.escalation;
    if let Target::Team(team) = &args.target
        && config.team(team).is_none()
    {
        let known = config.known_team_ids();
        let listed = if known.is_empty() {
            "No teams are configured yet (see config/escalation.toml).".to_string()
        } else {
            format!("Known teams: {}.", known.join(", "))
        };
        return Ok(Reply::usage(
            &format!("Unknown team `{team}`. {listed}"),
            USAGE,
        ));
    }
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let Some(incident) = super::war_room::incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(
            ":warning: This channel is not an incident war room. Page from inside the incident's channel.".into(),
        ));
    };
    if incident.status == Status::Closed {
        return Ok(Reply::Ephemeral(format!(
            ":warning: incident #{} is already closed",
            incident.id
        )));
    }
    let who = plan(config, std::slice::from_ref(&args.target));
    if who.callees.is_empty() {
        return Ok(Reply::Ephemeral(format!(
            ":warning: `{}` has no points of contact to page.",
            args.target
        )));
    }
    let request = PageRequest {
        incident: &incident,
        level: None,
        note: args.message.as_deref(),
        paged_by: Some(&cmd.user_id),
        now,
        drill_page_providers: state.settings.drills.page_providers,
    };
    let paged = pager::page(&mut tx, config, &who, &request).await?;
    let names: Vec<String> = paged.iter().map(|u| format!("<@{u}>")).collect();
    let note = args.message.map(|m| format!(": {m}")).unwrap_or_default();
    let reply = Reply::InChannel(format!(
        "<@{}> is paging {} ({}){note}",
        cmd.user_id,
        names.join(", "),
        args.target
    ));
    let reply = cmd.delivery.commit(tx, reply).await?;
    state.wake_outbox();
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_team_or_a_mention_can_be_paged_with_a_message() {
        assert_eq!(
            parse("DBA replica lag").unwrap(),
            PageArgs {
                target: Target::Team("dba".into()),
                message: Some("replica lag".into())
            }
        );
        assert_eq!(
            parse("<@U04KHOUSE0|khouse>").unwrap().target,
            Target::User("U04KHOUSE0".into())
        );
    }

    #[test]
    fn nobody_or_an_unlinked_name_gets_usage() {
        for bad in ["", "@karen"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
