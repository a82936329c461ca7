//! The synthetic history the dashboard is measured on: incidents declared over about
//! two years, evenly with jitter, one of them the big incident ([`super::big`]), each
//! as [`super::lifecycle`] takes it from its declaration to where it stands now.
//! Pure and deterministic: one seed, one history. [`super::seed`] writes it.

use super::synth::Rng;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use warroom::domain::{FileRef, Incident};

/// One incident as it will be stored (its id is given by the store).
#[derive(Debug, Clone)]
pub struct Planned {
    pub incident: Incident,
    pub system: Vec<SystemLine>,
    pub messages: Vec<Message>,
    pub pages: Vec<Page>,
    pub actions: Vec<Action>,
    pub impacts: Vec<Impact>,
    /// The `ts` of messages pinned in the war room (key events).
    pub pins: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SystemLine {
    pub at: DateTime<Utc>,
    pub kind: &'static str,
    pub author: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Message {
    pub at: DateTime<Utc>,
    pub author: String,
    pub text: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    /// Edited later: when, and the new text.
    pub edit: Option<(DateTime<Utc>, String)>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub files: Vec<FileRef>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub level: i64,
    pub user: String,
    pub team: &'static str,
    pub at: DateTime<Utc>,
    /// When and by whom it was acknowledged.
    pub ack: Option<(DateTime<Utc>, String)>,
}

#[derive(Debug, Clone)]
pub struct Action {
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: &'static str,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Impact {
    pub category: &'static str,
    pub text: String,
    pub author: String,
    pub at: DateTime<Utc>,
}

/// What to generate: `incidents` declared evenly (with jitter) over the `span_days`
/// before `now`, one of them (the one declared nearest `big_days_ago`) the big
/// incident of `big_entries` entries.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub incidents: usize,
    pub big_entries: usize,
    pub span_days: i64,
    pub big_days_ago: i64,
    pub seed: u64,
    pub now: DateTime<Utc>,
}

/// The whole history, in declaration order, and the index of the big incident.
pub fn plan(s: &Shape) -> (Vec<Planned>, usize) {
    let mut rng = Rng::new(s.seed);
    let n = s.incidents.max(1);
    let start = s.now - Duration::days(s.span_days);
    let slot = (s.now - start).num_milliseconds() / n as i64;
    let declared = |k: usize, rng: &mut Rng| {
        let jitter = (rng.next_u64() % (slot.max(2) as u64 / 2)) as i64;
        start + Duration::milliseconds(slot * k as i64 + jitter)
    };
    let big_at = s.now - Duration::days(s.big_days_ago);
    let big = (((big_at - start).num_milliseconds() / slot.max(1)) as usize).min(n - 1);
    let planned = (0..n)
        .map(|k| {
            let at = declared(k, &mut rng);
            if k == big {
                super::big::incident(&mut rng, k, at, s.now, s.big_entries)
            } else {
                super::lifecycle::incident(&mut rng, k, at, s.now)
            }
        })
        .collect();
    (planned, big)
}

#[cfg(test)]
mod tests {
    use super::*;
    use warroom::domain::Status;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn a_plan_is_in_declaration_order_over_its_span_with_one_big_incident() {
        let shape = Shape {
            incidents: 1_000,
            big_entries: 3_000,
            span_days: 730,
            big_days_ago: 40,
            seed: 5,
            now: now(),
        };
        let (plan, big) = plan(&shape);
        assert_eq!(plan.len(), 1_000);
        let at: Vec<_> = plan.iter().map(|p| p.incident.declared_at).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]));
        assert!(at[0] >= now() - Duration::days(730) && at[999] < now());
        let days_ago = (now() - at[big]).num_days();
        assert!(
            (39..=41).contains(&days_ago),
            "big incident {days_ago} days ago"
        );
        assert_eq!(plan[big].system.len() + plan[big].messages.len(), 3_000);
        let sev1 = plan
            .iter()
            .filter(|p| p.incident.severity.level() == 1)
            .count();
        assert!((15..80).contains(&sev1), "{sev1} SEV1s of 1,000");
        let open = plan
            .iter()
            .filter(|p| p.incident.status != Status::Closed)
            .count();
        assert!((1..100).contains(&open), "{open} open");
        assert_eq!(
            super::plan(&shape).0[17].incident,
            plan[17].incident,
            "same seed, same plan"
        );
    }
}
