//! Applying action items: [`add`] (shared by `/incident action` and the "Add as action
//! item" shortcut's modal), [`correct`] and [`list`]. Each change locks the incident
//! like every war-room change, and stores a system entry (`action`) with it.

use super::{Correction, NewItem, USAGE};
use crate::commands::war_room::{NOT_A_WAR_ROOM, lock_incident, lock_incident_of, record};
use crate::commands::{Delivery, Reply, SlashCommand};
use crate::domain::{ActionItem, ActionStatus, NewActionItem, describe_due, is_past, plan_order};
use crate::error::AppError;
use crate::outbox::{self, Op};
use crate::state::AppState;
use chrono::NaiveDate;
use std::fmt::Write;

/// How the team hears of a new item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    /// In the reply to the command, in the channel.
    Reply,
    /// In a message the outbox posts to the war room (a modal has no reply to carry it);
    /// the reply is then empty.
    InWarRoom,
}

const PAST: &str = ":warning: that date is in the past.";

/// Adds `item` to the incident whose war room is `channel`, by `by`. Answers
/// ephemerally, storing nothing, when the channel is no war room or the text is blank.
pub async fn add(
    state: &AppState,
    channel: &str,
    by: &str,
    item: NewItem,
    confirm: Confirm,
    delivery: &Delivery,
) -> Result<Reply, AppError> {
    let text = item.text.trim();
    if text.is_empty() {
        return Ok(Reply::usage("An action item needs some text.", USAGE));
    }
    let now = state.clock.now();
    let today = now.date_naive();
    let mut tx = state.store.begin().await?;
    let Some(incident) = lock_incident(&mut tx, channel).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    let stored = tx
        .add_action(&NewActionItem {
            incident_id: incident.id,
            text: text.to_string(),
            owner_id: item.owner_id,
            due: item.due,
            created_by: by.to_string(),
            created_at: now,
            source_ts: item.source_ts,
        })
        .await?;
    let mut entry = format!("Action item #{}: {}", stored.seq, stored.text);
    if let Some(owner) = &stored.owner_id {
        let _ = write!(entry, " · owner <@{owner}>");
    }
    if let Some(due) = stored.due {
        let _ = write!(entry, " · due {due}");
    }
    record(&mut tx, incident.id, now, "action", by, entry).await?;
    let exported =
        crate::followup::on_action_added(&mut tx, &state.settings, &incident, &stored).await?;
    let mut said = format!("<@{by}> added action item #{}: {}", stored.seq, stored.text);
    let _ = write!(
        said,
        " · {}",
        stored
            .owner_id
            .as_deref()
            .map_or("no owner yet".to_string(), |o| format!("owner <@{o}>"))
    );
    said.push_str(&due_words(stored.due, today));
    let reply = match confirm {
        Confirm::Reply => Reply::InChannel(said),
        Confirm::InWarRoom => {
            let op = Op::Notice {
                incident_id: incident.id,
                text: said,
            };
            outbox::enqueue(&mut tx, &op, None).await?;
            Reply::Empty
        }
    };
    let reply = delivery.commit(tx, reply).await?;
    if confirm == Confirm::InWarRoom || exported {
        state.wake_outbox();
    }
    Ok(reply)
}

/// ` · due Fri 2026-12-04 (in 2 days)`, with a warning for a day already gone.
fn due_words(due: Option<NaiveDate>, today: NaiveDate) -> String {
    match due {
        None => " · no due date".into(),
        Some(d) if is_past(d, today) => format!(" · due {}\n{PAST}", describe_due(d, today)),
        Some(d) => format!(" · due {}", describe_due(d, today)),
    }
}

/// Applies `correction` to item `n` of the war room's incident.
pub async fn correct(
    state: &AppState,
    cmd: &SlashCommand,
    n: i64,
    correction: Correction,
) -> Result<Reply, AppError> {
    let now = state.clock.now();
    let today = now.date_naive();
    let mut tx = state.store.begin().await?;
    let Some(incident) = lock_incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    let Some(mut item) = tx.action(incident.id, n).await? else {
        return Ok(Reply::Ephemeral(format!(
            ":warning: There is no action item #{n} here; `/incident actions` lists them."
        )));
    };
    let (entry, said) = match change(&mut item, correction, today) {
        Ok(words) => words,
        Err(unchanged) => return Ok(Reply::Ephemeral(format!(":warning: {unchanged}"))),
    };
    item.updated_at = now;
    tx.update_action(&item).await?;
    record(&mut tx, incident.id, now, "action", &cmd.user_id, entry).await?;
    let said = format!("<@{}> {said}", cmd.user_id);
    cmd.delivery.commit(tx, Reply::InChannel(said)).await
}

/// Changes `item`; returns the timeline entry and the answer, or why nothing changed.
fn change(
    item: &mut ActionItem,
    correction: Correction,
    today: NaiveDate,
) -> Result<(String, String), String> {
    let n = item.seq;
    match correction {
        Correction::Status(to) => {
            if item.status == to {
                return Err(format!("Action item #{n} is already {to}."));
            }
            item.status = to;
            let verb = match to {
                ActionStatus::Open => "reopened",
                ActionStatus::Done => "done",
                ActionStatus::Dropped => "dropped",
            };
            let entry = format!("Action item #{n} {verb}: {}", item.text);
            let said = format!("marked action item #{n} {verb}: {}", item.text);
            Ok((entry, said))
        }
        Correction::Owner(to) => {
            if item.owner_id.as_deref() == Some(to.as_str()) {
                return Err(format!("<@{to}> already owns action item #{n}."));
            }
            let entry = match item.owner_id.replace(to.clone()) {
                Some(from) => format!("Action item #{n} owner changed from <@{from}> to <@{to}>"),
                None => format!("Action item #{n} owner set to <@{to}>"),
            };
            let said = format!("gave action item #{n} to <@{to}>: {}", item.text);
            Ok((entry, said))
        }
        Correction::Due(to) => {
            if item.due == Some(to) {
                return Err(format!("Action item #{n} is already due {to}."));
            }
            let entry = match item.due.replace(to) {
                Some(from) => format!("Action item #{n} due date changed from {from} to {to}"),
                None => format!("Action item #{n} due date set to {to}"),
            };
            let mut said = format!("moved action item #{n}: {}", item.text);
            said.push_str(&due_words(Some(to), today));
            Ok((entry, said))
        }
    }
}

/// The war room's action items, open first.
pub async fn list(state: &AppState, cmd: &SlashCommand) -> Result<Reply, AppError> {
    let today = state.clock.now().date_naive();
    let mut tx = state.store.read().await?;
    let Some(incident) = crate::commands::war_room::incident_of(&mut tx, cmd).await? else {
        return Ok(Reply::Ephemeral(NOT_A_WAR_ROOM.into()));
    };
    let mut items = tx.actions(incident.id).await?;
    tx.commit().await?;
    Ok(Reply::Ephemeral(listing(incident.id, &mut items, today)))
}

fn listing(incident_id: i64, items: &mut [ActionItem], today: NaiveDate) -> String {
    if items.is_empty() {
        return format!("No action items for incident #{incident_id} yet. Add one: `{USAGE}`");
    }
    plan_order(items);
    let open = items.iter().filter(|i| i.is_open()).count();
    let mut text = format!(
        "*Action items of incident #{incident_id}* ({open} open of {})",
        items.len()
    );
    for i in items.iter() {
        let owner = i
            .owner_id
            .as_deref()
            .map_or("no owner".to_string(), |o| format!("<@{o}>"));
        let due = match i.due {
            None => "no due date".to_string(),
            Some(d) if i.is_open() && is_past(d, today) => {
                format!(":warning: overdue, due {}", describe_due(d, today))
            }
            Some(d) => format!("due {}", describe_due(d, today)),
        };
        let _ = write!(
            text,
            "\n• #{} {} · {owner} · {due} · *{}*",
            i.seq, i.text, i.status
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn today() -> NaiveDate {
        "2026-12-02".parse().unwrap()
    }

    fn item(seq: i64, status: ActionStatus, due: Option<&str>) -> ActionItem {
        ActionItem {
            id: seq,
            incident_id: 4,
            seq,
            text: format!("item {seq}"),
            owner_id: (seq == 1).then(|| "U02GLEN".into()),
            due: due.map(|d| d.parse().unwrap()),
            status,
            created_by: "U1".into(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
            source_ts: None,
            issue_url: None,
        }
    }

    #[test]
    fn the_listing_puts_open_items_first_and_flags_overdue_ones() {
        let mut items = [
            item(1, ActionStatus::Done, Some("2026-11-30")),
            item(2, ActionStatus::Open, Some("2026-11-30")),
            item(3, ActionStatus::Open, None),
        ];
        let text = listing(4, &mut items, today());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "*Action items of incident #4* (2 open of 3)");
        assert_eq!(
            lines[1],
            "• #2 item 2 · no owner · :warning: overdue, due Mon 2026-11-30 (2 days ago) · *open*"
        );
        assert_eq!(lines[2], "• #3 item 3 · no owner · no due date · *open*");
        assert_eq!(
            lines[3], "• #1 item 1 · <@U02GLEN> · due Mon 2026-11-30 (2 days ago) · *done*",
            "a done item is not overdue"
        );
    }

    #[test]
    fn a_correction_to_the_same_value_changes_nothing_and_says_so() {
        let mut open = item(2, ActionStatus::Open, Some("2026-12-04"));
        let before = open.clone();
        for (correction, says) in [
            (Correction::Status(ActionStatus::Open), "already open"),
            (
                Correction::Due("2026-12-04".parse().unwrap()),
                "already due 2026-12-04",
            ),
        ] {
            let err = change(&mut open, correction, today()).unwrap_err();
            assert!(err.contains(says), "{err}");
        }
        assert_eq!(open, before);
    }

    #[test]
    fn moving_a_date_into_the_past_is_allowed_and_said_back() {
        let mut open = item(2, ActionStatus::Open, None);
        let (entry, said) = change(
            &mut open,
            Correction::Due("2026-12-01".parse().unwrap()),
            today(),
        )
        .unwrap();
        assert_eq!(entry, "Action item #2 due date set to 2026-12-01");
        assert!(said.ends_with(PAST), "{said}");
        assert!(said.contains("due Tue 2026-12-01 (yesterday)"), "{said}");
    }
}
