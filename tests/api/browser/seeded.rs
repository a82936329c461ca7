//! The database the browser looks at: the sample Slack export imported as Warroom
//! imports it (with a page, its ack and an action item added), and a few dozen
//! generated incidents over the last half year for the trends. [`TrendSeed`] keeps
//! what was stored, so a test computes the charts' expected points from the seed,
//! never from the page.

use crate::dashboard::{Seed, now, seed};
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};
use std::collections::BTreeSet;
use std::path::Path;
use warroom::domain::{NewActionItem, Status};
use warroom::store::{NewPage, Store};

/// The sample export's war room, imported into every seeded dashboard.
pub const OUTAGE_CHANNEL: &str = "inc-2021-03-09-app-outage";

/// The trends page's default window (`filters::DEFAULT_WEEKS` and `DEFAULT_MONTHS`).
pub const WEEKS: i64 = 26;
pub const MONTHS: u32 = 12;

/// One generated incident for the trends.
#[derive(Clone, Copy, Debug)]
pub struct TrendSeed {
    pub severity: u8,
    pub declared_at: DateTime<Utc>,
    /// Seconds from the declare to the first ack of a page; `None`: never acked.
    pub ack_after: Option<i64>,
    /// Seconds from the declare to the resolve; `None`: still open.
    pub resolve_after: Option<i64>,
}

/// What [`seed_all`] stored.
pub struct Seeded {
    pub outage_id: i64,
    pub trends: Vec<TrendSeed>,
}

/// Sixty incidents spread over the 330 days before the clock's "now" (so every chart
/// has points, and half of them are older than the 26 weeks the weekly chart shows). Deterministic: the arithmetic
/// stands in for a random generator with a fixed seed.
pub fn trend_seeds() -> Vec<TrendSeed> {
    (0..60i64)
        .map(|k| TrendSeed {
            severity: [2, 3, 1, 3, 4, 2, 3][(k % 7) as usize],
            declared_at: now()
                - TimeDelta::days((k * 37) % 330)
                - TimeDelta::hours(1 + (k * 7) % 20)
                - TimeDelta::minutes((k * 13) % 60),
            ack_after: (k % 5 != 0).then_some(45 + (k * 97) % 900),
            resolve_after: (k % 6 != 1).then_some(900 + (k * 1031) % 14_400),
        })
        .collect()
}

/// Imports the sample export and stores the generated trend incidents.
pub async fn seed_all(store: &Store) -> Seeded {
    let outage_id = import_outage(store).await;
    let trends = trend_seeds();
    for t in &trends {
        store_trend(store, t).await;
    }
    Seeded { outage_id, trends }
}

async fn import_outage(store: &Store) -> i64 {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slack-export-app-outage");
    let (id, _) = warroom::cli::import(
        store,
        &dir,
        OUTAGE_CHANNEL,
        &warroom::postmortem::Style::default(),
    )
    .await
    .expect("the sample export imports");
    // The export has no pages or action items; the incident page shows both.
    let mut tx = store.begin().await.unwrap();
    let declared = tx.incident(id).await.unwrap().unwrap().declared_at;
    let page = tx
        .insert_page(&NewPage {
            incident_id: id,
            page_key: &format!("manual:{id}:dba"),
            user_id: "U04KHOUSE0",
            team_id: None,
            level: Some(0),
            note: Some("database connections exhausted"),
            paged_by: Some("U06SREONCL"),
            paged_at: declared + TimeDelta::minutes(4),
        })
        .await
        .unwrap()
        .expect("a new page");
    tx.ack_page(
        page,
        "U04KHOUSE0",
        "slack",
        declared + TimeDelta::minutes(6),
    )
    .await
    .unwrap();
    tx.add_action(&NewActionItem {
        incident_id: id,
        text: "Alert when the connection pool is 80% used".into(),
        owner_id: Some("U04KHOUSE0".into()),
        due: NaiveDate::from_ymd_opt(2021, 3, 19),
        created_by: "U01SVEGA00".into(),
        created_at: declared + TimeDelta::minutes(80),
        source_ts: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn store_trend(store: &Store, t: &TrendSeed) {
    let mut s = Seed::new(
        "Generated for the trends",
        t.severity,
        "2026-01-01T00:00:00Z",
    );
    s.declared_at = t.declared_at;
    s.resolved_after = t.resolve_after;
    if t.resolve_after.is_some() {
        s.status = Status::Resolved;
    }
    let id = seed(store, s).await;
    let Some(ack) = t.ack_after else { return };
    let mut tx = store.begin().await.unwrap();
    let page = tx
        .insert_page(&NewPage {
            incident_id: id,
            page_key: &format!("manual:{id}"),
            user_id: "U0PAGED",
            team_id: None,
            level: Some(0),
            note: None,
            paged_by: None,
            paged_at: t.declared_at,
        })
        .await
        .unwrap()
        .expect("a new page");
    tx.ack_page(
        page,
        "U0PAGED",
        "slack",
        t.declared_at + TimeDelta::seconds(ack),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The Monday starting the week of `d`.
fn week_of(d: NaiveDate) -> NaiveDate {
    d - TimeDelta::days(i64::from(d.weekday().num_days_from_monday()))
}

fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap()
}

/// Points of "incidents per week, by severity": one bar segment per week (of the last
/// [`WEEKS`], ending with this one) and severity that had an incident.
pub fn expected_weekly_points(seeds: &[TrendSeed]) -> usize {
    let this_week = week_of(now().date_naive());
    let first = this_week - TimeDelta::weeks(WEEKS - 1);
    seeds
        .iter()
        .map(|t| (week_of(t.declared_at.date_naive()), t.severity))
        .filter(|(week, _)| (first..=this_week).contains(week))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Points of a monthly duration chart: a median and a p90 for each month (of the last
/// [`MONTHS`]) with at least one incident that has the duration (`has`).
pub fn expected_monthly_points(seeds: &[TrendSeed], has: impl Fn(&TrendSeed) -> bool) -> usize {
    let this_month = month_of(now().date_naive());
    let first = this_month - Months::new(MONTHS - 1);
    let months = seeds
        .iter()
        .filter(|t| has(t))
        .map(|t| month_of(t.declared_at.date_naive()))
        .filter(|m| (first..=this_month).contains(m))
        .collect::<BTreeSet<_>>();
    2 * months.len()
}

#[test]
fn the_generated_trends_reach_outside_the_weekly_window_and_leave_some_unacked_and_open() {
    let seeds = trend_seeds();
    let this_week = week_of(now().date_naive());
    let first = this_week - TimeDelta::weeks(WEEKS - 1);
    assert!(seeds.iter().any(|t| t.declared_at.date_naive() < first));
    assert!(seeds.iter().any(|t| t.ack_after.is_none()));
    assert!(seeds.iter().any(|t| t.resolve_after.is_none()));
    assert!(seeds.iter().all(|t| t.declared_at < now()));
    assert!(
        expected_weekly_points(&seeds) < seeds.len(),
        "some weeks stack"
    );
}
