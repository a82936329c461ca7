//! `!` lines in a fallback channel: `!status identified`, `!note …`, `!ack`,
//! `!resolve …`, every `/incident` subcommand a war room takes, run through the same
//! handlers as Slack's (`commands::dispatch`), as the Slack user the nick maps to and
//! for the channel's incident (by id: it may have no Slack channel yet). The answer
//! comes back to the channel as plain text.
//!
//! A nick nobody mapped cannot act: the handlers record Slack user ids (roles, pages,
//! acks, timeline authors, mentions in Slack posts), and an IRC nick is none. It is
//! told how to get mapped (or, under `trusted_only`, that commands are for mapped
//! nicks only).

use super::plain::{Names, plain};
use crate::commands::{Reply, SlashCommand, dispatch};
use crate::config::IrcFallbackSettings;
use crate::state::AppState;

/// Subcommands that need Slack itself (a modal, a new channel): not from IRC.
const SLACK_ONLY: [&str; 4] = ["declare", "new", "start", "drill"];
/// Subcommands whose bare words name people: a mapped nick there means its user.
const NAMES_PEOPLE: [&str; 3] = ["lead", "role", "page"];

/// What a `!` line from `nick` in `channel` (incident `incident_id`) answers.
pub async fn run(
    state: &AppState,
    settings: &IrcFallbackSettings,
    incident_id: i64,
    channel: &str,
    nick: &str,
    line: &str,
) -> String {
    let text = line.trim_start_matches('!').trim();
    let Some(user) = settings.slack_user_of(nick) else {
        return refusal(settings, nick);
    };
    let word = text
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if SLACK_ONLY.contains(&word.as_str()) && !text.is_empty() {
        return format!(
            "{nick}: !{word} needs Slack (a new war room and its form): declare there once it is back. Alerts from Alertmanager or Grafana still declare by themselves, and while Slack is down each open incident gets its room here."
        );
    }
    let text = if text.is_empty() {
        "help".to_string()
    } else {
        text.to_string()
    };
    let mut tx = match state.store.read().await {
        Ok(tx) => tx,
        Err(e) => return failed(nick, &e.to_string()),
    };
    let found = tx.incident(incident_id).await;
    let people = tx.people().await.unwrap_or_default();
    let _ = tx.commit().await;
    let incident = match found {
        Ok(Some(i)) => i,
        Ok(None) => return format!("{nick}: incident #{incident_id} is not in the store."),
        Err(e) => return failed(nick, &e.to_string()),
    };
    let cmd = SlashCommand {
        command: "/incident".into(),
        text: mentions(&text, &word, settings),
        channel_id: incident
            .channel_id
            .clone()
            .unwrap_or_else(|| crate::store::irc_channel_id(channel)),
        channel_name: channel.to_string(),
        user_id: user.to_string(),
        user_name: nick.to_string(),
        team_id: String::new(),
        response_url: String::new(),
        trigger_id: String::new(),
        delivery: Default::default(),
        incident_id: Some(incident_id),
    }
    .cleaned();
    let names = Names {
        settings,
        people: &people,
    };
    match dispatch(state, &cmd).await {
        Ok(Reply::InChannel(said)) => plain(&said, &names),
        Ok(Reply::Ephemeral(said)) => format!("{nick}: {}", plain(&said, &names)),
        Ok(Reply::Empty) => format!("{nick}: done."),
        Err(e) => {
            tracing::error!(incident_id, error = %e, "an IRC command failed");
            failed(nick, "the command failed")
        }
    }
}

fn refusal(settings: &IrcFallbackSettings, nick: &str) -> String {
    if settings.trusted_only {
        format!(
            "{nick}: commands here are for nicks mapped to a Slack user, and {nick} is not one. Ask an admin to add yours to [fallback.irc.nicks]."
        )
    } else {
        format!(
            "{nick}: Warroom does not know which Slack user {nick} is, so it cannot act for you. Ask an admin to add `U… = \"{nick}\"` to [fallback.irc.nicks]; what you say here is recorded all the same."
        )
    }
}

fn failed(nick: &str, why: &str) -> String {
    format!("{nick}: that did not work ({why}); try again in a moment.")
}

/// `text` with `@nick` (and, after `lead`/`role`/`page`, a bare nick) of a mapped
/// nick written as the Slack mention the handlers read.
fn mentions(text: &str, word: &str, settings: &IrcFallbackSettings) -> String {
    let bare = NAMES_PEOPLE.contains(&word);
    text.split(' ')
        .enumerate()
        .map(|(i, w)| {
            let (nick, at) = match w.strip_prefix('@') {
                Some(n) => (n, true),
                None => (w, false),
            };
            match settings.slack_user_of(nick) {
                Some(user) if i > 0 && (at || bare) => format!("<@{user}>"),
                _ => w.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_nicks_become_mentions_where_people_are_named() {
        let mut s = IrcFallbackSettings::new("h", 6667, "w");
        s.nicks.insert("U0BOB".into(), "bob".into());
        assert_eq!(mentions("lead bob", "lead", &s), "lead <@U0BOB>");
        assert_eq!(mentions("lead @Bob", "lead", &s), "lead <@U0BOB>");
        assert_eq!(
            mentions("note bob restarted it", "note", &s),
            "note bob restarted it"
        );
        assert_eq!(
            mentions("note @bob restarted it", "note", &s),
            "note <@U0BOB> restarted it"
        );
        assert_eq!(mentions("lead carol", "lead", &s), "lead carol");
    }
}
