//! Latency percentiles, per-second rates and status histograms. Pure.

use serde::Serialize;
use std::collections::BTreeMap;

/// Nearest-rank percentile of an ascending slice: the smallest value with at least
/// `p`% of the samples at or below it. `None` when empty. `p` is clamped to 0..=100.
pub fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let p = p.clamp(0.0, 100.0);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Latencies in milliseconds (from microsecond samples).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LatencySummary {
    pub count: usize,
    pub mean_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl LatencySummary {
    /// Summarizes microsecond samples (sorts them in place).
    pub fn from_micros(samples: &mut [u64]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        samples.sort_unstable();
        let ms = |us: Option<u64>| us.unwrap_or(0) as f64 / 1000.0;
        let sum: u128 = samples.iter().map(|&v| v as u128).sum();
        LatencySummary {
            count: samples.len(),
            mean_ms: sum as f64 / samples.len() as f64 / 1000.0,
            p50_ms: ms(percentile(samples, 50.0)),
            p90_ms: ms(percentile(samples, 90.0)),
            p99_ms: ms(percentile(samples, 99.0)),
            p999_ms: ms(percentile(samples, 99.9)),
            max_ms: ms(samples.last().copied()),
        }
    }
}

/// Throughput as seen second by second: how steady the load was.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RateSummary {
    /// Completed requests ÷ wall time of the whole run.
    pub overall_per_sec: f64,
    /// Over whole one-second windows only (the last partial second is left out).
    pub min_per_sec: f64,
    pub median_per_sec: f64,
    pub max_per_sec: f64,
    pub whole_seconds: usize,
}

/// `completions_ms`: when each request completed, in ms since the start.
pub fn rates(completions_ms: &[u32], elapsed_secs: f64) -> RateSummary {
    let overall = if elapsed_secs > 0.0 {
        completions_ms.len() as f64 / elapsed_secs
    } else {
        0.0
    };
    let whole = elapsed_secs.floor() as usize;
    let mut buckets = vec![0u64; whole];
    for &ms in completions_ms {
        if let Some(b) = buckets.get_mut((ms / 1000) as usize) {
            *b += 1;
        }
    }
    let mut sorted = buckets.clone();
    sorted.sort_unstable();
    let pick = |p| percentile(&sorted, p).unwrap_or(0) as f64;
    RateSummary {
        overall_per_sec: overall,
        min_per_sec: sorted.first().copied().unwrap_or(0) as f64,
        median_per_sec: pick(50.0),
        max_per_sec: sorted.last().copied().unwrap_or(0) as f64,
        whole_seconds: whole,
    }
}

/// Counts by label (`"200"`, `"503"`, `"error:timeout"`, …), sorted by label.
pub type StatusHistogram = BTreeMap<String, u64>;

/// `200: 12, 503: 1`, for the human summary.
pub fn describe(h: &StatusHistogram) -> String {
    let parts: Vec<String> = h.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    parts.join(", ")
}

pub fn merge_histograms(into: &mut StatusHistogram, from: &StatusHistogram) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// Median and spread (min, max) of repeated runs' figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub runs: usize,
}

pub fn spread(values: &[f64]) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Spread {
        median,
        min: v[0],
        max: v[n - 1],
        runs: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), Some(50));
        assert_eq!(percentile(&v, 99.0), Some(99));
        assert_eq!(percentile(&v, 99.9), Some(100));
        assert_eq!(percentile(&v, 100.0), Some(100));
        assert_eq!(percentile(&v, 0.0), Some(1));
        assert_eq!(percentile(&v, 1.0), Some(1));
        assert_eq!(percentile(&v, 1.5), Some(2));
    }

    #[test]
    fn percentiles_of_tiny_and_empty_samples() {
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[7], 0.0), Some(7));
        assert_eq!(percentile(&[7], 99.0), Some(7));
        assert_eq!(percentile(&[1, 2], 50.0), Some(1));
        assert_eq!(percentile(&[1, 2], 51.0), Some(2));
        // Out-of-range p is clamped, never panics.
        assert_eq!(percentile(&[1, 2, 3], 250.0), Some(3));
        assert_eq!(percentile(&[1, 2, 3], -5.0), Some(1));
    }

    #[test]
    fn a_single_slow_request_in_a_hundred_is_the_p99_only_at_the_edge() {
        let mut v = vec![1_000u64; 99];
        v.push(50_000);
        let s = LatencySummary::from_micros(&mut v);
        assert_eq!(s.p50_ms, 1.0);
        assert_eq!(s.p99_ms, 1.0);
        assert_eq!(s.max_ms, 50.0);
        let mut v = vec![1_000u64; 98];
        v.extend([50_000, 60_000]);
        let s = LatencySummary::from_micros(&mut v);
        assert_eq!(s.p99_ms, 50.0);
        assert_eq!(s.p999_ms, 60.0);
    }

    #[test]
    fn summary_sorts_unsorted_samples() {
        let mut v = vec![5_000, 1_000, 3_000, 2_000, 4_000];
        let s = LatencySummary::from_micros(&mut v);
        assert_eq!((s.count, s.p50_ms, s.max_ms, s.mean_ms), (5, 3.0, 5.0, 3.0));
        assert_eq!(LatencySummary::from_micros(&mut []).count, 0);
    }

    #[test]
    fn rates_leave_out_the_partial_last_second() {
        // 10/s for 3 s, then 2 more in the partial 4th second.
        let mut c: Vec<u32> = (0..30).map(|i| i * 100).collect();
        c.extend([3_100, 3_200]);
        let r = rates(&c, 3.5);
        assert_eq!(r.whole_seconds, 3);
        assert_eq!(
            (r.min_per_sec, r.median_per_sec, r.max_per_sec),
            (10.0, 10.0, 10.0)
        );
        assert!((r.overall_per_sec - 32.0 / 3.5).abs() < 1e-9);
    }

    #[test]
    fn spread_of_runs() {
        let s = spread(&[3.0, 1.0, 2.0]).unwrap();
        assert_eq!((s.median, s.min, s.max, s.runs), (2.0, 1.0, 3.0, 3));
        assert_eq!(spread(&[1.0, 4.0]).unwrap().median, 2.5);
        assert!(spread(&[]).is_none());
    }

    #[test]
    fn a_histogram_reads_as_labels_and_counts_in_label_order() {
        let h = StatusHistogram::from([("503".into(), 1), ("200".into(), 12)]);
        assert_eq!(describe(&h), "200: 12, 503: 1");
        assert_eq!(describe(&StatusHistogram::new()), "");
    }

    #[test]
    fn histograms_merge_by_label() {
        let mut a = StatusHistogram::from([("200".into(), 2)]);
        let b = StatusHistogram::from([("200".into(), 3), ("503".into(), 1)]);
        merge_histograms(&mut a, &b);
        assert_eq!(a["200"], 5);
        assert_eq!(a["503"], 1);
    }
}
