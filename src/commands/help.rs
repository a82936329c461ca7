//! `/incident help`, and the answer to an unknown subcommand.

use super::Reply;

pub const USAGE: &str = "\
*Warroom: `/incident` commands*
• `/incident declare <title> [sev1|sev2|sev3|sev4]`: open an incident and its war room (`declare` alone opens a form)
• `/incident list`: open incidents
Inside a war room:
• `/incident status investigating|identified|monitoring|resolved [note]`
• `/incident sev <1-4>`
• `/incident lead @user`
• `/incident note <text>`: add a line to the timeline
• `/incident page <team|@user> [message]`: page someone now
• `/incident ack`: acknowledge your page
• `/incident resolve <what fixed it>`
• `/incident close`: close and post the postmortem draft";

pub fn reply(unknown: Option<&str>) -> Reply {
    match unknown {
        Some(word) => Reply::Ephemeral(format!(":warning: Unknown subcommand `{word}`.\n{USAGE}")),
        None => Reply::Ephemeral(USAGE.to_string()),
    }
}
