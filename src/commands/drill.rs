//! `/incident drill <title> [sev1-4]`: declares a practice incident through the same
//! path as `/incident declare`, marked a drill for good. Its war room, topic, pinned
//! summary, notices, page DMs and postmortem say DRILL; it stays out of the metrics
//! and trends; its pages go by Slack DM only unless `[drills] page_providers` is on.
//! Inside a war room it declares nothing: an incident never changes kind, so a real
//! incident is not "made a drill", nor a drill made real.

use super::declare::{DeclareArgs, DeclaredVia, declare, parse_title_and_severity};
use super::{Reply, SlashCommand};
use crate::error::AppError;
use crate::state::AppState;

pub const USAGE: &str = "/incident drill <title> [sev1|sev2|sev3|sev4]";

pub fn parse(rest: &str) -> Result<DeclareArgs, Reply> {
    if rest.is_empty() {
        return Err(Reply::usage(
            "A drill needs a title: what the team will practise.",
            USAGE,
        ));
    }
    let mut args = parse_title_and_severity(rest, USAGE)?;
    args.drill = true;
    Ok(args)
}

pub async fn run(
    state: &AppState,
    cmd: &SlashCommand,
    args: DeclareArgs,
) -> Result<Reply, AppError> {
    let mut tx = state.store.read().await?;
    let here = tx.incident_by_channel(&cmd.channel_id).await?;
    tx.commit().await?;
    if let Some(incident) = here {
        return Ok(Reply::Ephemeral(in_a_war_room(incident.id, incident.drill)));
    }
    let (title, severity) = (args.title.to_string(), args.severity);
    let reply = move |id: i64| {
        Reply::Ephemeral(format!(
            ":fire_extinguisher: Declared DRILL #{id}: *{title}* ({severity}). A practice incident: its war room opens now and you will be invited. Pages go by Slack DM, marked DRILL."
        ))
    };
    declare(
        state,
        &cmd.user_id,
        args,
        DeclaredVia::Command,
        &cmd.delivery,
        reply,
    )
    .await
}

/// Why nothing was declared: this channel already belongs to an incident, whose kind
/// is fixed.
fn in_a_war_room(id: i64, drill: bool) -> String {
    let kind = if drill { "a drill" } else { "a real incident" };
    format!(
        ":warning: This is the war room of #{id}, which is {kind} and stays one: an incident cannot be turned into a drill, or a drill into a real incident. \
         To practise, run `{USAGE}` outside a war room; for a real incident, declare a new one with `/incident declare <title>`."
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Severity;

    #[test]
    fn a_drill_takes_a_title_and_an_optional_trailing_severity() {
        let a = parse("Database failover sev2").unwrap();
        assert!(a.drill);
        assert_eq!(a.title.as_str(), "Database failover");
        assert_eq!(a.severity, Severity::SEV2);
        let b = parse("Region evacuation").unwrap();
        assert!(b.drill);
        assert_eq!(b.severity, super::super::declare::DEFAULT_SEVERITY);
    }

    #[test]
    fn an_empty_title_or_a_malformed_severity_gets_the_drill_usage() {
        for bad in ["", "sev2", "Failover sev9", "Failover SEV0"] {
            let Err(Reply::Ephemeral(text)) = parse(bad) else {
                panic!("{bad:?} must be refused")
            };
            assert!(text.contains(USAGE), "{bad:?}: {text}");
        }
    }

    #[test]
    fn inside_a_war_room_the_answer_says_a_real_incident_needs_a_new_declare() {
        let text = in_a_war_room(7, false);
        assert!(
            text.contains("#7") && text.contains("a real incident"),
            "{text}"
        );
        assert!(text.contains("/incident declare"), "{text}");
        assert!(in_a_war_room(8, true).contains("a drill and stays one"));
    }
}
