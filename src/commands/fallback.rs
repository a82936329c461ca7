//! The fallback war room on IRC (issue 17): opening and closing it, one code path for
//! `/incident fallback [close]`, `warroom fallback open|close <incident>` and the
//! watch that opens rooms by itself when Slack is down ([`crate::fallback::watch`]).
//! Opening records where the room is in the timeline (a key event), queues a line for
//! the Slack war room saying where to go if Slack fails and a re-render of the page
//! DMs already sent and not acknowledged (so they name the room), and wakes the IRC
//! side; the store keeps it idempotent, so opening an open room only says where it is.
//! Closing (by command, on the command line or with the incident) re-renders the page
//! DMs already sent as well, so they stop naming the room.

use super::{Reply, SlashCommand, war_room};
use crate::config::FallbackSettings;
use crate::domain::{FALLBACK_CLOSED_KIND, FALLBACK_OPENED_KIND, Incident, Status, TimelineEntry};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::state::AppState;
use crate::store::{FallbackOpened, FallbackReason, Store, Tx};
use chrono::{DateTime, Utc};

pub const USAGE: &str = "/incident fallback [close]";
/// The answer when no IRC server is configured (to open a room: closing needs none).
pub const NOT_CONFIGURED: &str = "No fallback war room is configured: add a [fallback.irc] section (server, nick, tls = false) to Warroom's configuration file.";

/// `/incident fallback`, or `/incident fallback close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FallbackArgs {
    Open,
    Close,
}

pub fn parse(rest: &str) -> Result<FallbackArgs, Reply> {
    match rest.trim().to_ascii_lowercase().as_str() {
        "" | "open" => Ok(FallbackArgs::Open),
        "close" => Ok(FallbackArgs::Close),
        other => Err(Reply::usage(
            &format!("`fallback` takes nothing, `open` or `close`, not `{other}`."),
            USAGE,
        )),
    }
}

/// What opening or closing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Opened now, at `place` (`#channel on host:port`).
    Opened { place: String },
    /// It was open already, at `place`.
    AlreadyOpen { place: String },
    /// Closed now.
    Closed { channel: String },
    /// There was no open room to close.
    NotOpen,
    /// Not done, and why (no IRC server configured, no such incident, closed).
    Refused(String),
}

impl Outcome {
    /// One line a person reads (in Slack or on a terminal).
    pub fn describe(&self, incident_id: i64) -> String {
        match self {
            Outcome::Opened { place } => {
                format!("The fallback war room of incident #{incident_id} is open on IRC: {place}.")
            }
            Outcome::AlreadyOpen { place } => format!(
                "The fallback war room of incident #{incident_id} is already open on IRC: {place}."
            ),
            Outcome::Closed { channel } => format!(
                "The fallback war room of incident #{incident_id} on IRC ({channel}) is closed."
            ),
            Outcome::NotOpen => {
                format!("Incident #{incident_id} has no fallback war room open on IRC.")
            }
            Outcome::Refused(why) => why.clone(),
        }
    }

    /// Whether it changed anything.
    pub fn changed(&self) -> bool {
        matches!(self, Outcome::Opened { .. } | Outcome::Closed { .. })
    }
}

/// Whether Slack going down opens a room for `incident` by itself: only a real incident
/// still being worked. A drill is practice and a resolved incident is waiting to be
/// closed; either can still have a room opened by hand.
pub fn opens_when_slack_is_down(incident: &Incident) -> bool {
    !incident.drill
        && matches!(
            incident.status,
            Status::Investigating | Status::Identified | Status::Monitoring
        )
}

fn who_opened(reason: FallbackReason, by: Option<&str>) -> String {
    match (reason, by) {
        (FallbackReason::Command, Some(user)) => format!(" by <@{user}>"),
        (FallbackReason::Command, None) => String::new(),
        (FallbackReason::Cli, _) => " from the command line".into(),
        (FallbackReason::SlackDown, _) => " because Slack's API stopped answering".into(),
    }
}

/// Opens the incident's room in `tx` (the incident locked), recording it. The caller
/// commits, then wakes the outbox and the fallback worker.
pub async fn open_in(
    tx: &mut Tx,
    fallback: &FallbackSettings,
    incident_id: i64,
    reason: FallbackReason,
    opened_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    let Some(irc) = &fallback.irc else {
        return Ok(Outcome::Refused(NOT_CONFIGURED.into()));
    };
    let Some(incident) = tx.incident_for_update(incident_id).await? else {
        return Ok(Outcome::Refused(format!(
            "There is no incident #{incident_id}."
        )));
    };
    if incident.status == Status::Closed {
        return Ok(Outcome::Refused(format!(
            "Incident #{incident_id} is closed: it needs no fallback war room."
        )));
    }
    if reason == FallbackReason::SlackDown && !opens_when_slack_is_down(&incident) {
        // Read again under the lock: it may have been resolved since the watch looked.
        return Ok(Outcome::Refused(format!(
            "Incident #{incident_id} is a drill or resolved: Slack being down opens no room for it."
        )));
    }
    let server = format!("{}:{}", irc.host, irc.port);
    let channel = irc.channel_of(incident_id);
    let room = match tx
        .open_fallback_room(incident_id, &channel, reason, opened_by, now)
        .await?
    {
        FallbackOpened::AlreadyOpen(room) => {
            return Ok(Outcome::AlreadyOpen {
                place: format!("{} on {server}", room.channel),
            });
        }
        FallbackOpened::Opened(room) => room,
    };
    let place = format!("{} on {server}", room.channel);
    let text = format!(
        "Fallback war room opened on IRC{}: {place}",
        who_opened(reason, opened_by)
    );
    let entry = TimelineEntry::system(incident_id, now, FALLBACK_OPENED_KIND, opened_by, text);
    tx.insert_system_entry(&entry).await?;
    // Page DMs already out say nothing of the room yet: re-render them (a DM still
    // queued renders it itself). With Slack down they update once it is back.
    let paged = tx.unacked_sent_page_users(incident_id).await?;
    crate::paging::dm::queue_refresh(tx, incident_id, &paged).await?;
    if reason != FallbackReason::SlackDown {
        // Slack works (or will): this tells the war room where to go if it fails.
        // Opened because Slack is down, the notice when it is back says it all.
        let op = Op::Notice {
            incident_id,
            text: format!(
                ":rotating_light: A fallback war room is open on IRC: {place}. If Slack fails \
                 during this incident, carry on there: what is said there joins this \
                 incident's timeline."
            ),
        };
        let key = format!("fallback-open:{incident_id}:{}", now.timestamp_micros());
        outbox::enqueue(tx, &op, Some(&key)).await?;
    }
    Ok(Outcome::Opened { place })
}

/// Closes the incident's open room in `tx`, recording it. The caller commits, then
/// wakes the outbox and the fallback worker. Unlike opening it needs no
/// `[fallback.irc]`: a room opened before the section was removed (or broke) must
/// still be closable, and closing is only the database's business.
pub async fn close_in(
    tx: &mut Tx,
    incident_id: i64,
    closed_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Outcome, AppError> {
    if tx.incident_for_update(incident_id).await?.is_none() {
        return Ok(Outcome::Refused(format!(
            "There is no incident #{incident_id}."
        )));
    }
    let Some(channel) = close_room_in(tx, incident_id, closed_by, now).await? else {
        return Ok(Outcome::NotOpen);
    };
    let op = Op::Notice {
        incident_id,
        text: format!("The fallback war room on IRC ({channel}) is closed."),
    };
    let key = format!("fallback-close:{incident_id}:{}", now.timestamp_micros());
    outbox::enqueue(tx, &op, Some(&key)).await?;
    Ok(Outcome::Closed { channel })
}

/// Closes the room, if open, with its timeline entry: the channel it was on. Also
/// what closing the incident does, in the same transaction. The page DMs already sent
/// are re-rendered, so none keeps pointing to a channel nobody is in any more.
pub async fn close_room_in(
    tx: &mut Tx,
    incident_id: i64,
    closed_by: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<String>, AppError> {
    let Some(room) = tx.fallback_room(incident_id).await?.filter(|r| r.is_open()) else {
        return Ok(None);
    };
    if !tx.close_fallback_room(incident_id, now).await? {
        return Ok(None);
    }
    let text = format!("Fallback war room on IRC closed: {}", room.channel);
    let entry = TimelineEntry::system(incident_id, now, FALLBACK_CLOSED_KIND, closed_by, text);
    tx.insert_system_entry(&entry).await?;
    // Rendered when the outbox sends it, with the room closed: the DM drops it.
    let paged = tx.sent_page_users(incident_id).await?;
    crate::paging::dm::queue_refresh(tx, incident_id, &paged).await?;
    Ok(Some(room.channel))
}

/// Opens the incident's room (see [`open_in`]) and wakes who must know.
pub async fn open_room(
    state: &AppState,
    incident_id: i64,
    reason: FallbackReason,
    opened_by: Option<&str>,
) -> Result<Outcome, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let outcome = open_in(
        &mut tx,
        &state.settings.fallback,
        incident_id,
        reason,
        opened_by,
        now,
    )
    .await?;
    finish(state, tx, &outcome).await?;
    Ok(outcome)
}

/// Closes the incident's room (see [`close_in`]) and wakes who must know.
pub async fn close_room(
    state: &AppState,
    incident_id: i64,
    closed_by: Option<&str>,
) -> Result<Outcome, AppError> {
    let now = state.clock.now();
    let mut tx = state.store.begin().await?;
    let outcome = close_in(&mut tx, incident_id, closed_by, now).await?;
    finish(state, tx, &outcome).await?;
    Ok(outcome)
}

async fn finish(state: &AppState, tx: Tx, outcome: &Outcome) -> Result<(), AppError> {
    if outcome.changed() {
        tx.commit().await?;
        state.wake_outbox();
        state.wake_fallback();
    }
    Ok(())
}

/// `warroom fallback open|close <incident>`: on the database alone, no Slack needed
/// (Slack may be what is down); closing needs no `[fallback.irc]` either. The running `warroom serve` joins or leaves the
/// channel, and delivers the war-room notice once Slack answers.
pub async fn offline(
    store: &Store,
    fallback: &FallbackSettings,
    incident_id: i64,
    open: bool,
) -> Result<Outcome, AppError> {
    let now = Utc::now();
    let mut tx = store.begin().await?;
    let outcome = if open {
        open_in(
            &mut tx,
            fallback,
            incident_id,
            FallbackReason::Cli,
            None,
            now,
        )
        .await?
    } else {
        close_in(&mut tx, incident_id, None, now).await?
    };
    if outcome.changed() {
        tx.commit().await?;
    }
    Ok(outcome)
}

/// `/incident fallback [close]`, inside a war room.
pub async fn run(
    state: &AppState,
    cmd: &SlashCommand,
    args: FallbackArgs,
) -> Result<Reply, AppError> {
    let found = {
        let mut tx = state.store.read().await?;
        let found = tx.incident_by_channel(&cmd.channel_id).await?;
        tx.commit().await?;
        found
    };
    let Some(incident) = found else {
        return Ok(Reply::Ephemeral(war_room::NOT_A_WAR_ROOM.into()));
    };
    let id = incident.id;
    let outcome = match args {
        FallbackArgs::Open => {
            open_room(state, id, FallbackReason::Command, Some(&cmd.user_id)).await?
        }
        FallbackArgs::Close => close_room(state, id, Some(&cmd.user_id)).await?,
    };
    Ok(match &outcome {
        Outcome::Opened { .. } | Outcome::Closed { .. } => {
            Reply::InChannel(format!("<@{}>: {}", cmd.user_id, outcome.describe(id)))
        }
        Outcome::Refused(why) => Reply::Ephemeral(format!(":warning: {why}")),
        _ => Reply::Ephemeral(outcome.describe(id)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_takes_open_or_close_and_nothing_else() {
        assert_eq!(parse(""), Ok(FallbackArgs::Open));
        assert_eq!(parse(" OPEN "), Ok(FallbackArgs::Open));
        assert_eq!(parse("close"), Ok(FallbackArgs::Close));
        for bad in ["shut", "open now", "close 3"] {
            let Err(Reply::Ephemeral(text)) = parse(bad) else {
                panic!("{bad} parsed")
            };
            assert!(text.contains(USAGE), "{bad}: {text}");
        }
    }
}
