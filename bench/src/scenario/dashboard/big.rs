//! The one incident whose war room ran long: a three-day SEV1 with three teams paged,
//! roles handed out, the summary rewritten every six hours, and `entries` timeline
//! entries in all, nearly all messages (threads, edits, a few deletions and files;
//! every 500th message pinned as a key event). The dashboard must page through it.

use super::history::{Action, Impact, Message, Planned};
use super::lifecycle::Builder;
use super::synth::{self, Rng};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use warroom::domain::{Change, FileRef, Role, Severity, SlackTs, Status};

/// How long the incident ran, declaration to resolution.
const RAN_FOR_HOURS: i64 = 70;

/// The big incident, incident `n` of the history, declared at `declared_at`, with
/// `entries` timeline entries (system entries included).
pub fn incident(
    rng: &mut Rng,
    n: usize,
    declared_at: DateTime<Utc>,
    now: DateTime<Utc>,
    entries: usize,
) -> Planned {
    let lead = synth::member("storage", 0);
    let title = "orders-db: failover loop across regions";
    let sev1 = Severity::from_level(1).expect("SEV1");
    let mut b = Builder::declared(rng, now, n, ("orders-db", title, sev1), &lead, declared_at);
    let h = |hours: f64| declared_at + Duration::seconds((hours * 3600.0) as i64);
    b.page("storage", declared_at + Duration::seconds(2), 90.0);
    b.page("network", h(0.2), 120.0);
    b.page("platform", h(0.5), 120.0);
    let comms = synth::member("platform", 3);
    b.apply(
        Change::Role {
            role: Role::Comms,
            user: comms,
        },
        h(0.3),
        Some(&lead),
    );
    let scribe = synth::member("payments", 5);
    b.apply(
        Change::Role {
            role: Role::Scribe,
            user: scribe,
        },
        h(0.4),
        Some(&lead),
    );
    let status = |to: Status, note: &str| Change::Status {
        to,
        note: Some(note.to_string()),
    };
    b.apply(
        status(
            Status::Identified,
            "split brain after the network partition",
        ),
        h(6.0),
        Some(&lead),
    );
    for k in 0..(RAN_FOR_HOURS / 6) {
        let text = format!(
            "Update {}: orders are queued and replayed; replication is being rebuilt region by region",
            k + 1
        );
        b.apply(Change::Summary(text), h(6.0 * k as f64 + 1.0), Some(&lead));
    }
    b.apply(
        status(Status::Monitoring, "all regions on the rebuilt primary"),
        h(60.0),
        Some(&lead),
    );
    let resolved_at = h(RAN_FOR_HOURS as f64);
    b.apply(
        Change::Resolve(
            "Rebuilt replication from a clean snapshot and fenced the old primary".into(),
        ),
        resolved_at,
        Some(&lead),
    );
    let closed_at = resolved_at + Duration::days(5);
    b.apply(Change::Close, closed_at, Some(&lead));
    let messages = entries.saturating_sub(b.p.system.len());
    war_room(&mut b, declared_at, resolved_at, messages);
    follow_ups(&mut b.p, &lead, resolved_at, closed_at);
    b.p
}

/// `n` messages spread evenly over `[from, until)`, each at its own microsecond.
fn war_room(b: &mut Builder<'_>, from: DateTime<Utc>, until: DateTime<Utc>, n: usize) {
    let span_us = (until - from).num_microseconds().unwrap_or(1).max(1);
    let step = (span_us / n.max(1) as i64).max(1);
    b.p.messages.reserve(n);
    for k in 0..n {
        let jitter = (b.rng.next_u64() % (step as u64 / 2).max(1)) as i64;
        let at = (from + Duration::microseconds(step * k as i64 + jitter)).min(b.now);
        let ts = SlackTs::from_datetime(at).as_str().to_string();
        // Replies go to one of the last few messages' threads.
        let thread_ts = if k > 10 && b.rng.chance(0.15) {
            let parent = &b.p.messages[k - b.rng.below(1, 10)];
            Some(
                parent
                    .thread_ts
                    .clone()
                    .unwrap_or_else(|| parent.ts.clone()),
            )
        } else {
            None
        };
        let edit = b
            .rng
            .chance(0.02)
            .then(|| (at + Duration::seconds(30), synth::chatter(b.rng)));
        let deleted_at = b.rng.chance(0.003).then(|| at + Duration::minutes(2));
        let files = if b.rng.chance(0.01) {
            vec![FileRef {
                id: format!("F0BENCH{k:07}"),
                name: format!("grafana-{k}.png"),
                permalink: Some(format!("https://bench.slack.com/files/F0BENCH{k:07}")),
            }]
        } else {
            Vec::new()
        };
        if k % 500 == 250 {
            b.p.pins.push(ts.clone());
        }
        let author = synth::user(b.rng.below(0, synth::PEOPLE));
        let text = synth::chatter(b.rng);
        b.p.messages.push(Message {
            at,
            author,
            text,
            ts,
            thread_ts,
            edit,
            deleted_at,
            files,
        });
    }
}

fn follow_ups(p: &mut Planned, lead: &str, resolved_at: DateTime<Utc>, closed_at: DateTime<Utc>) {
    let due: NaiveDate = (closed_at + Duration::days(30)).date_naive();
    for (k, text) in [
        "Fence the old primary automatically on failover",
        "Alert on replication lag per region",
        "Game day: partition the network between regions",
        "Document the snapshot rebuild",
        "Cap the replay rate of queued orders",
        "Review the failover timeout",
        "Add a runbook link to the replication alert",
        "Share the postmortem with the payments team",
    ]
    .into_iter()
    .enumerate()
    {
        p.actions.push(Action {
            text: text.to_string(),
            owner: synth::user(k * 5),
            due,
            status: if k % 3 == 0 { "done" } else { "open" },
            created_by: lead.to_string(),
            created_at: resolved_at + Duration::minutes(k as i64),
            updated_at: resolved_at + Duration::minutes(k as i64),
        });
    }
    for (category, text) in [
        (
            "customers",
            "Checkout failed for 18% of customers for 3 hours",
        ),
        ("business", "About 40,000 orders were delayed up to a day"),
        ("systems", "orders-db ran without a replica for 60 hours"),
    ] {
        p.impacts.push(Impact {
            category,
            text: text.to_string(),
            author: lead.to_string(),
            at: resolved_at + Duration::minutes(30),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_big_incident_has_exactly_the_entries_asked_for_in_time_order_and_is_closed() {
        let now = Utc::now();
        let declared = now - Duration::days(40);
        let p = incident(&mut Rng::new(9), 7, declared, now, 5_000);
        assert_eq!(p.system.len() + p.messages.len(), 5_000);
        assert_eq!(p.incident.status, Status::Closed);
        assert!(
            p.messages
                .windows(2)
                .all(|w| w[0].at < w[1].at && w[0].ts < w[1].ts)
        );
        assert_eq!(p.pins.len(), 10);
        assert_eq!(p.pages.iter().filter(|pg| pg.level == 0).count(), 3);
        assert!(p.messages.iter().any(|m| m.thread_ts.is_some()));
    }
}
