//! A scrape: the process's counters and histograms, plus what only the database knows
//! (open incidents, the outbox backlog), read at scrape time so every replica reports
//! the same truth instead of a per-process guess. The caller reads the database into
//! [`StoreGauges`]; they are registered fresh for each scrape, so a value that went
//! away (no more SEV1s open) goes away here too; when the database does not answer,
//! `warroom_database_up` says so and the rest is served. Two formats, as Prometheus asks:
//! OpenMetrics when it says it accepts it, else the classic text format (0.0.4).

use super::labels::severity_label;
use super::{Metrics, PREFIX};
use prometheus_client::encoding::{EncodeLabelSet, prometheus_text, text};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// What the database says at scrape time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreGauges {
    /// Incidents not closed: (severity level 1–4, status name, how many).
    pub open_incidents: Vec<(u8, &'static str, i64)>,
    /// Outbox items waiting for their turn.
    pub outbox_pending: i64,
    /// Outbox items a worker holds right now.
    pub outbox_in_flight: i64,
    /// How long the oldest item not yet sent (pending or in flight) has waited.
    pub oldest_pending_age: Option<Duration>,
}

/// The exposition format of a scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The classic Prometheus text format, version 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text (ends with `# EOF`).
    OpenMetrics,
}

pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

impl Format {
    /// OpenMetrics when the `Accept` header names it (Prometheus does, by default),
    /// else the classic text format, which every scraper reads.
    pub fn from_accept(accept: Option<&str>) -> Self {
        let openmetrics = accept.is_some_and(|a| {
            a.split(',').any(|part| {
                let mut params = part.split(';').map(str::trim);
                let media = params.next().unwrap_or_default();
                let refused = params.any(|p| p.replace(' ', "") == "q=0");
                media.eq_ignore_ascii_case("application/openmetrics-text") && !refused
            })
        });
        if openmetrics {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => prometheus_text::CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpenLabels {
    severity: &'static str,
    status: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BacklogLabels {
    status: &'static str,
}

/// The statuses of an incident not yet closed.
pub const OPEN_STATUSES: [&str; 4] = ["investigating", "identified", "monitoring", "resolved"];

impl StoreGauges {
    /// The database's gauges, or (`None`: it did not answer) only that it is down.
    fn registry(read: Option<&Self>) -> Registry {
        let mut registry = Registry::with_prefix(PREFIX);
        let up: Gauge = Gauge::default();
        up.set(i64::from(read.is_some()));
        registry.register(
            "database_up",
            "Whether the database answered this scrape's reads (1) or not (0: the gauges read from it are left out)",
            up,
        );
        if let Some(gauges) = read {
            gauges.register(&mut registry);
        }
        registry
    }

    fn register(&self, registry: &mut Registry) {
        let open: Family<OpenLabels, Gauge> = Family::default();
        // Zero where there are none, so "no SEV1 open" reads 0, not "no data".
        for level in 1..=4 {
            for status in OPEN_STATUSES {
                let severity = severity_label(level);
                super::create(&open, &OpenLabels { severity, status });
            }
        }
        for &(level, status, n) in &self.open_incidents {
            let labels = OpenLabels {
                severity: severity_label(level),
                status,
            };
            open.get_or_create(&labels).inc_by(n);
        }
        registry.register(
            "incidents_open",
            "Incidents not yet closed, by severity and status, drills left out (read from the database: the same on every replica)",
            open,
        );
        let backlog: Family<BacklogLabels, Gauge> = Family::default();
        for (status, n) in [
            ("pending", self.outbox_pending),
            ("in_flight", self.outbox_in_flight),
        ] {
            backlog.get_or_create(&BacklogLabels { status }).set(n);
        }
        registry.register(
            "outbox_backlog_items",
            "Outbound writes not yet sent: pending (waiting their turn or a retry) or in flight (held by a worker)",
            backlog,
        );
        let age: Gauge<f64, AtomicU64> = Gauge::default();
        age.set(self.oldest_pending_age.unwrap_or_default().as_secs_f64());
        registry.register_with_unit(
            "outbox_oldest_pending_age",
            "How long the oldest outbound write not yet sent has waited (0 when none waits)",
            Unit::Seconds,
            age,
        );
    }
}

impl Metrics {
    /// The whole scrape: this process's metrics and the database's gauges (`None`
    /// when the database could not be read: the counters are served all the same).
    pub fn render(&self, store: Option<&StoreGauges>, format: Format) -> String {
        let gauges = StoreGauges::registry(store);
        let mut out = String::with_capacity(16 * 1024);
        // Writing to a String cannot fail; the encoders only return what the writer does.
        let _ = match format {
            Format::Prometheus => prometheus_text::encode(&mut out, self.registry())
                .and_then(|()| prometheus_text::encode(&mut out, &gauges)),
            Format::OpenMetrics => text::encode_registry(&mut out, self.registry())
                .and_then(|()| text::encode_registry(&mut out, &gauges))
                .and_then(|()| text::encode_eof(&mut out)),
        };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_gets_openmetrics_and_everyone_else_the_classic_format() {
        let prometheus = "application/openmetrics-text;version=1.0.0;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2";
        assert_eq!(Format::from_accept(Some(prometheus)), Format::OpenMetrics);
        for other in [
            None,
            Some("*/*"),
            Some("text/plain"),
            Some("application/openmetrics-text;q=0"),
        ] {
            assert_eq!(Format::from_accept(other), Format::Prometheus, "{other:?}");
        }
    }

    #[test]
    fn the_database_gauges_show_what_was_read_and_nothing_else() {
        let store = StoreGauges {
            open_incidents: vec![(1, "investigating", 2), (3, "resolved", 1)],
            outbox_pending: 5,
            outbox_in_flight: 1,
            oldest_pending_age: Some(Duration::from_millis(2500)),
        };
        let out = Metrics::new().render(Some(&store), Format::OpenMetrics);
        for line in [
            "warroom_database_up 1",
            "warroom_incidents_open{severity=\"sev1\",status=\"investigating\"} 2",
            "warroom_incidents_open{severity=\"sev3\",status=\"resolved\"} 1",
            "warroom_outbox_backlog_items{status=\"pending\"} 5",
            "warroom_outbox_backlog_items{status=\"in_flight\"} 1",
            "warroom_outbox_oldest_pending_age_seconds 2.5",
        ] {
            assert!(out.contains(line), "{line} in {out}");
        }
        assert!(
            out.contains("warroom_incidents_open{severity=\"sev2\",status=\"investigating\"} 0"),
            "{out}"
        );
        assert!(out.ends_with("# EOF\n"), "{out}");
        assert_eq!(out.matches("# EOF").count(), 1, "{out}");
    }

    #[test]
    fn without_the_database_the_counters_are_served_and_its_gauges_left_out() {
        let m = Metrics::new();
        m.incident_declared(2, "command");
        let out = m.render(None, Format::Prometheus);
        assert!(out.contains("warroom_database_up 0"), "{out}");
        assert!(
            out.contains(
                "warroom_incidents_declared_total{severity=\"sev2\",source=\"command\"} 1"
            ),
            "{out}"
        );
        assert!(!out.contains("incidents_open"), "{out}");
        assert!(!out.contains("outbox_backlog"), "{out}");
    }
}
