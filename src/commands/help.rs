//! `/incident help`, and the answer to an unknown subcommand.

use super::Reply;

pub const USAGE: &str = "\
*Warroom: `/incident` commands*
• `/incident declare <title> [sev1|sev2|sev3|sev4]`: open an incident and its war room (`declare` alone opens a form, with a Drill box)
• `/incident drill <title> [sev1|sev2|sev3|sev4]`: a practice incident: its war room and every message say DRILL, pages go by Slack DM only, and it stays out of metrics and trends
• `/incident list`: open incidents
• `/incident report [24h|7d]`: the on-call report of the last day (or week): incidents, who was paged, who acknowledged and how fast, resolutions, open action items
Inside a war room:
• `/incident status investigating|identified|monitoring|resolved [note]`
• `/incident sev <1-4>`
• `/incident role commander|comms|scribe @user` (`/incident lead @user` names the commander)
• `/incident summary <text>`: the summary for the pinned message and the postmortem
• `/incident impact [business:|customers:|systems:] <text>`: what was affected; `impact` alone lists, `impact drop <n>` withdraws
• `/incident action <text> [@owner] [due <date>]`: an action item (dates: 2026-12-04, tomorrow, in 3d, fri)
• `/incident actions`: the action items; `action done|drop|reopen <n>`, `action owner <n> @user`, `action due <n> <date>` correct one
• `/incident note <text>`: add a line to the timeline
• `/incident update [--public] <text>`: a stakeholder update, in the war room, the announcements channel and any configured for the severity or service; `--public` also posts it on the status page
• `/incident page <team|@user> [message]`: page someone now
• `/incident ack`: acknowledge your page
• `/incident resolve <what fixed it>`
• `/incident fallback`: open this incident's fallback war room on IRC now, so people know where to go if Slack fails (it opens by itself when Slack is down); `fallback close` closes it
• `/incident close`: close and post the postmortem draft (action items can still be added after)
On any war-room message: *More actions → Add as action item*.";

pub fn reply(unknown: Option<&str>) -> Reply {
    match unknown {
        Some(word) => Reply::Ephemeral(format!(":warning: Unknown subcommand `{word}`.\n{USAGE}")),
        None => Reply::Ephemeral(USAGE.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_names_every_subcommand_that_parses() {
        for sub in [
            "declare", "drill", "list", "report", "status", "sev", "role", "lead", "summary",
            "impact", "action", "actions", "note", "update", "page", "ack", "resolve", "close",
            "fallback",
        ] {
            assert!(
                USAGE.contains(&format!("/incident {sub}")),
                "help lacks {sub}"
            );
        }
    }
}
