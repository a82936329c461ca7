//! Nudges: the war room is told when something is overdue (a stakeholder update past
//! the severity's cadence, no commander, a quiet incident, one resolved but not
//! closed). Each kind is one durable timer per incident, armed at the declare. When
//! one fires, what is due is worked out again from the incident as it stands now
//! ([`due::plan`]); a nudge no longer true is not sent, only re-armed. A nudge sent is
//! a timeline entry and one post with Snooze and Dismiss buttons, queued in the same
//! transaction under a key naming the timer and its firing, so it goes out once.

pub mod due;

use crate::config::NudgeSettings;
use crate::domain::{
    Incident, NUDGE_DISMISSED_KIND, NUDGE_KIND, NUDGE_SNOOZED_KIND, Nudge, STAKEHOLDER_UPDATE_KIND,
    TimelineEntry,
};
use crate::metrics::Metrics;
use crate::outbox::{self, Op};
use crate::store::{Settled, StoreResult, TimerRow, Tx};
use chrono::{DateTime, Utc};
use due::{Facts, Plan};
use std::sync::Arc;
use std::time::Duration;

/// How often a nudge that waits on the incident (e.g. resolved but not closed, while
/// it is still open) looks again, in case a change did not say so.
pub const RECHECK: chrono::Duration = chrono::Duration::hours(1);

/// The snoozes the buttons offer.
pub const SNOOZES: [Duration; 2] = [Duration::from_secs(15 * 60), Duration::from_secs(3600)];

/// At the declare, in its transaction: arms every nudge of the new incident.
pub async fn arm(
    tx: &mut Tx,
    settings: &NudgeSettings,
    incident: &Incident,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    if !settings.enabled {
        return Ok(());
    }
    let facts = facts_at_declare(incident);
    for nudge in Nudge::ALL {
        let due = match due::plan(nudge, &facts, settings) {
            Plan::At(at) => at,
            Plan::Wait => now + RECHECK,
            Plan::Stop => continue,
        };
        tx.arm_timer(incident.id, &nudge.timer_kind(), due, now)
            .await?;
    }
    Ok(())
}

/// After a change to the incident (status, severity, roles), in its transaction: its
/// nudges are looked at again now, since when they are due may have moved earlier
/// (a raised severity, a resolve). Later is found out when they fire.
pub async fn on_change(tx: &mut Tx, incident_id: i64, now: DateTime<Utc>) -> StoreResult<()> {
    tx.poke_timers(incident_id, Nudge::TIMER_PREFIX, now)
        .await?;
    Ok(())
}

fn facts_at_declare(incident: &Incident) -> Facts {
    Facts {
        status: incident.status,
        level: incident.severity.level(),
        has_commander: incident.lead.is_some(),
        declared_at: incident.declared_at,
        resolved_at: incident.resolved_at,
        last_update: None,
        last_message: None,
        last_fired: None,
        snoozed_until: None,
    }
}

/// A claimed nudge timer, at `now`: sends the nudge if it is due and still true, and
/// says when the timer is next due.
pub async fn fire(
    tx: &mut Tx,
    settings: &NudgeSettings,
    metrics: &Arc<Metrics>,
    nudge: Nudge,
    timer: &TimerRow,
    now: DateTime<Utc>,
) -> StoreResult<Settled> {
    let wait = |fired| Settled {
        fired,
        next: Some(now + RECHECK),
    };
    let Some(incident) = tx.incident(timer.incident_id).await? else {
        return Ok(Settled {
            fired: false,
            next: None,
        });
    };
    let facts = Facts {
        last_update: tx
            .latest_system_entry_at(incident.id, STAKEHOLDER_UPDATE_KIND)
            .await?,
        last_message: tx.latest_message_at(incident.id).await?,
        last_fired: timer.last_fired_at,
        snoozed_until: timer.snoozed_until,
        ..facts_at_declare(&incident)
    };
    match due::plan(nudge, &facts, settings) {
        Plan::Stop => Ok(Settled {
            fired: false,
            next: None,
        }),
        Plan::Wait => Ok(wait(false)),
        Plan::At(at) if at > now => Ok(Settled {
            fired: false,
            next: Some(at),
        }),
        Plan::At(_) => {
            send(tx, metrics, nudge, timer, &incident, &facts, settings, now).await?;
            let after = Facts {
                last_fired: Some(now),
                snoozed_until: None,
                ..facts
            };
            Ok(match due::plan(nudge, &after, settings) {
                Plan::At(next) => Settled {
                    fired: true,
                    next: Some(next.max(now + chrono::Duration::seconds(1))),
                },
                Plan::Wait => wait(true),
                Plan::Stop => Settled {
                    fired: true,
                    next: None,
                },
            })
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn send(
    tx: &mut Tx,
    metrics: &Arc<Metrics>,
    nudge: Nudge,
    timer: &TimerRow,
    incident: &Incident,
    facts: &Facts,
    settings: &NudgeSettings,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let text = words(nudge, incident, facts, settings, now);
    let entry = TimelineEntry::system(incident.id, now, NUDGE_KIND, None, text.clone());
    tx.insert_system_entry(&entry).await?;
    let seq = timer.fired + 1;
    let op = Op::Nudge {
        incident_id: incident.id,
        timer_id: timer.id,
        seq,
        text,
    };
    outbox::enqueue(tx, &op, Some(&format!("{}:{seq}", timer.id))).await?;
    let metrics = metrics.clone();
    tx.on_commit(move || metrics.nudge_sent(nudge.as_str()));
    tracing::info!(
        incident_id = incident.id,
        nudge = nudge.as_str(),
        "nudged the war room"
    );
    Ok(())
}

/// What the nudge says (the post adds whom it is for, and the buttons).
fn words(
    nudge: Nudge,
    incident: &Incident,
    facts: &Facts,
    settings: &NudgeSettings,
    now: DateTime<Utc>,
) -> String {
    let since = |from: DateTime<Utc>| humanize((now - from).to_std().unwrap_or_default());
    match nudge {
        Nudge::UpdateDue => {
            let from = facts.last_update.unwrap_or(incident.declared_at);
            let cadence = humanize(settings.cadence_for(incident.severity.level()));
            let what = match facts.last_update {
                Some(_) => format!("The last stakeholder update was {} ago", since(from)),
                None => format!(
                    "No stakeholder update since the declare {} ago",
                    since(from)
                ),
            };
            format!(
                "{what}; {} asks for one every {cadence}. Post one with `/incident update <text>`.",
                incident.severity
            )
        }
        Nudge::NoCommander => format!(
            "Nobody commands this incident {} after it was declared. Take it with `/incident lead @you`.",
            since(incident.declared_at)
        ),
        Nudge::Quiet => {
            let from = facts.last_message.unwrap_or(incident.declared_at);
            format!(
                "Can it be resolved? Nothing has been said here for {}. If the fix is in: `/incident resolve <what fixed it>`.",
                since(from)
            )
        }
        Nudge::Unclosed => format!(
            "Resolved {} ago but not closed. Close it with `/incident close` to draft the postmortem.",
            since(incident.resolved_at.unwrap_or(now))
        ),
    }
}

/// `15m`, `1h 30m`, `2d 3h`: whole minutes are enough for a nudge.
pub fn humanize(d: Duration) -> String {
    let mins = d.as_secs() / 60;
    let (days, h, m) = (mins / 1440, mins % 1440 / 60, mins % 60);
    let parts: Vec<String> = [(days, "d"), (h, "h"), (m, "m")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "under a minute".into()
    } else {
        parts.join(" ")
    }
}

/// What a person pressed under a nudge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Press {
    Snooze(Duration),
    Dismiss,
}

/// What came of a press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pressed {
    /// Done, and recorded: the words for the timeline and the message.
    Done(String),
    /// Nothing changed: that firing was answered already, or the nudge is dismissed.
    Already(String),
    /// No such nudge.
    Unknown,
}

/// Snoozes or dismisses firing `seq` of timer `timer_id` for `user`, in `tx`: a
/// snooze re-arms the timer, a dismiss stops that nudge for the incident. Each is a
/// timeline entry; a second press changes nothing.
pub async fn press(
    tx: &mut Tx,
    timer_id: i64,
    seq: i64,
    press: Press,
    user: &str,
    now: DateTime<Utc>,
) -> StoreResult<Pressed> {
    let Some(timer) = tx.timer(timer_id).await? else {
        return Ok(Pressed::Unknown);
    };
    let Some(nudge) = Nudge::from_timer_kind(&timer.kind) else {
        return Ok(Pressed::Unknown);
    };
    let (done, kind, text) = match press {
        Press::Snooze(d) => {
            let until = now + chrono::Duration::from_std(d).unwrap_or(RECHECK);
            let done = tx.snooze_timer(timer.id, seq, until, now).await?;
            let text = format!(
                "<@{user}> snoozed the \"{}\" nudge for {}",
                nudge.label(),
                humanize(d)
            );
            (done, NUDGE_SNOOZED_KIND, text)
        }
        Press::Dismiss => {
            let done = tx.dismiss_timer(timer.id, now).await?;
            let text = format!(
                "<@{user}> dismissed the \"{}\" nudge: it will not be sent again for this incident",
                nudge.label()
            );
            (done, NUDGE_DISMISSED_KIND, text)
        }
    };
    if !done {
        let why = if timer.state == "dismissed" {
            format!("The \"{}\" nudge was dismissed already.", nudge.label())
        } else {
            format!(
                "This \"{}\" nudge was answered already; nothing changed.",
                nudge.label()
            )
        };
        return Ok(Pressed::Already(why));
    }
    let entry = TimelineEntry::system(timer.incident_id, now, kind, Some(user), text.clone());
    tx.insert_system_entry(&entry).await?;
    Ok(Pressed::Done(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_read_in_days_hours_and_minutes() {
        assert_eq!(humanize(Duration::from_secs(15 * 60)), "15m");
        assert_eq!(humanize(Duration::from_secs(26 * 3600 + 60)), "1d 2h 1m");
        assert_eq!(humanize(Duration::from_secs(20)), "under a minute");
    }

    #[test]
    fn every_nudge_has_a_label_the_metrics_know() {
        for n in Nudge::ALL {
            assert!(crate::metrics::NUDGE_KINDS.contains(&n.as_str()), "{n:?}");
        }
    }
}
