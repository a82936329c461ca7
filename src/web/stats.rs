//! The numbers behind the trends, from one read of the window: incidents per week by
//! severity, and per month the median and 90th percentile of the time to acknowledge
//! (MTTA: the earliest ack of any of its pages, less the declare time) and the time to
//! resolve (MTTR: resolved, else closed, less declared). An incident without an ack
//! has no MTTA; one still open has no MTTR. Weeks start on Monday and months on the
//! first, both in UTC; each incident counts in the week and month it was declared.
//! Pure: no I/O.

use super::filters::TrendsWindow;
use crate::store::TrendRow;
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};

/// The weeks and months shown, each ending with the one `now` falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub first_week: NaiveDate,
    pub weeks: u32,
    pub first_month: NaiveDate,
    pub months: u32,
}

impl Windows {
    pub fn ending_at(now: DateTime<Utc>, w: TrendsWindow) -> Self {
        let today = now.date_naive();
        let this_week = week_of(today);
        let this_month = month_of(today);
        Self {
            first_week: this_week - TimeDelta::weeks(i64::from(w.weeks) - 1),
            weeks: w.weeks,
            first_month: this_month
                .checked_sub_months(Months::new(w.months - 1))
                .unwrap_or(this_month),
            months: w.months,
        }
    }

    /// The declare times to read: both windows, from the earlier start to the later end.
    pub fn range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let from = self.first_week.min(self.first_month);
        let weeks_end = self.first_week + TimeDelta::weeks(i64::from(self.weeks));
        let months_end = self
            .first_month
            .checked_add_months(Months::new(self.months))
            .unwrap_or(self.first_month);
        (midnight(from), midnight(weeks_end.max(months_end)))
    }

    pub fn week_starts(&self) -> Vec<NaiveDate> {
        (0..self.weeks)
            .map(|n| self.first_week + TimeDelta::weeks(i64::from(n)))
            .collect()
    }

    pub fn month_starts(&self) -> Vec<NaiveDate> {
        (0..self.months)
            .filter_map(|n| self.first_month.checked_add_months(Months::new(n)))
            .collect()
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The Monday of `d`'s week.
pub fn week_of(d: NaiveDate) -> NaiveDate {
    d - TimeDelta::days(i64::from(d.weekday().num_days_from_monday()))
}

pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Incidents declared in one week, by severity (index 0 is SEV1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekCounts {
    pub start: NaiveDate,
    pub counts: [u32; 4],
}

impl WeekCounts {
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
}

pub fn per_week(rows: &[TrendRow], w: &Windows) -> Vec<WeekCounts> {
    let mut weeks: Vec<WeekCounts> = w
        .week_starts()
        .into_iter()
        .map(|start| WeekCounts {
            start,
            counts: [0; 4],
        })
        .collect();
    for r in rows {
        let week = week_of(r.declared_at.date_naive());
        let Ok(i) = weeks.binary_search_by_key(&week, |b| b.start) else {
            continue;
        };
        if let Some(n) = usize::try_from(r.severity - 1)
            .ok()
            .and_then(|s| weeks[i].counts.get_mut(s))
        {
            *n += 1;
        }
    }
    weeks
}

/// Median and 90th percentile of some durations, in seconds, and how many there were.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub count: usize,
    pub median: Option<f64>,
    pub p90: Option<f64>,
}

impl Spread {
    fn of(mut seconds: Vec<f64>) -> Self {
        seconds.sort_by(f64::total_cmp);
        Self {
            count: seconds.len(),
            median: percentile(&seconds, 0.5),
            p90: percentile(&seconds, 0.9),
        }
    }
}

/// One month's incidents and their MTTA and MTTR.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthDurations {
    pub start: NaiveDate,
    pub incidents: usize,
    pub mtta: Spread,
    pub mttr: Spread,
}

pub fn per_month(rows: &[TrendRow], w: &Windows) -> Vec<MonthDurations> {
    let starts = w.month_starts();
    // Per month: incidents declared, and their MTTA and MTTR samples in seconds.
    let mut grouped: Vec<(usize, Vec<f64>, Vec<f64>)> =
        starts.iter().map(|_| (0, Vec::new(), Vec::new())).collect();
    for r in rows {
        let month = month_of(r.declared_at.date_naive());
        let Ok(i) = starts.binary_search(&month) else {
            continue;
        };
        let seconds = |s: Option<i64>| s.map(|s| s.max(0) as f64);
        let (n, mtta, mttr) = &mut grouped[i];
        *n += 1;
        mtta.extend(seconds(r.ack_secs));
        mttr.extend(seconds(r.resolve_secs));
    }
    starts
        .into_iter()
        .zip(grouped)
        .map(|(start, (incidents, mtta, mttr))| MonthDurations {
            start,
            incidents,
            mtta: Spread::of(mtta),
            mttr: Spread::of(mttr),
        })
        .collect()
}

/// The `p` quantile (0 to 1) of sorted values, interpolating linearly between the
/// two nearest ranks (as PostgreSQL's `percentile_cont`); `None` for no values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let rank = p.clamp(0.0, 1.0) * last as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let weight = rank - lo as f64;
    Some(sorted[lo] + (sorted[hi] - sorted[lo]) * weight)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn row(declared: &str, sev: i64, ack_after: Option<i64>, end_after: Option<i64>) -> TrendRow {
        let d = at(declared);
        TrendRow {
            declared_at: d,
            severity: sev,
            ack_secs: ack_after,
            resolve_secs: end_after,
        }
    }

    #[test]
    fn percentiles_interpolate_between_ranks() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(percentile(&[1.0, 2.0, 3.0, 4.0], 0.5), Some(2.5));
        assert_eq!(percentile(&[60.0, 120.0, 180.0], 0.9), Some(168.0));
    }

    #[test]
    fn the_windows_end_with_the_current_week_and_month() {
        // A Wednesday.
        let now = at("2026-11-18T09:00:00Z");
        let w = Windows::ending_at(
            now,
            TrendsWindow {
                weeks: 2,
                months: 3,
            },
        );
        assert_eq!(w.week_starts(), [d("2026-11-09"), d("2026-11-16")]);
        assert_eq!(
            w.month_starts(),
            [d("2026-09-01"), d("2026-10-01"), d("2026-11-01")]
        );
        assert_eq!(
            w.range(),
            (at("2026-09-01T00:00:00Z"), at("2026-12-01T00:00:00Z"))
        );
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn incidents_count_in_the_week_and_month_they_were_declared() {
        let w = Windows::ending_at(
            at("2026-11-18T09:00:00Z"),
            TrendsWindow {
                weeks: 2,
                months: 2,
            },
        );
        let rows = [
            row("2026-11-09T00:00:00Z", 1, Some(60), Some(3600)),
            row("2026-11-15T23:59:59Z", 1, Some(120), None),
            row("2026-11-16T00:00:00Z", 3, None, Some(7200)),
            row("2026-10-31T23:00:00Z", 2, Some(180), Some(600)),
        ];
        let weeks = per_week(&rows, &w);
        assert_eq!(weeks[0].counts, [2, 0, 0, 0]);
        assert_eq!(weeks[1].counts, [0, 0, 1, 0]);
        let months = per_month(&rows, &w);
        assert_eq!(months[0].start, d("2026-10-01"));
        assert_eq!(months[0].incidents, 1);
        assert_eq!(months[1].incidents, 3);
        assert_eq!(months[1].mtta.count, 2, "one was never acked");
        assert_eq!(months[1].mtta.median, Some(90.0));
        assert_eq!(months[1].mttr.count, 2, "one is still open");
        assert_eq!(months[1].mttr.p90, Some(3600.0 + 0.9 * 3600.0));
    }
}
