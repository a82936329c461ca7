//! What Warroom counts for Prometheus: one registry per application (tests start many
//! apps in one process, and each scrapes only its own), carried as `Arc<Metrics>` by
//! the state, the outbox workers, the escalator, the timeline writer and the Slack
//! client. Names follow Prometheus conventions (`warroom_` prefix, `_total` counters,
//! `_seconds` in base units); labels take values from small fixed sets: never an
//! incident, user or channel id. Callers record only what committed (see
//! `Tx::on_commit`). What is read from the database at scrape time is [`scrape`];
//! the `/metrics` route that serves both lives with the other routes, in `inbound`.
//!
//! This module imports nothing else from the crate, so any module may reach it.

mod labels;
pub mod scrape;

pub use labels::{
    DECLARE_SOURCES, MAX_LEVEL_LABEL, MESSAGE_OUTCOMES, NUDGE_KINDS, Outcome, PAGE_PROVIDERS,
};
pub use scrape::{Format, StoreGauges};

use labels::*;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::time::Duration;

/// The prefix of every metric name.
pub const PREFIX: &str = "warroom";

/// Time to acknowledge and to resolve: from a minute to a week.
const INCIDENT_BUCKETS: [f64; 14] = [
    30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0,
    172800.0, 604800.0,
];
/// A Slack Web API call: tens of milliseconds to the client's timeout (15 s by default).
const SLACK_CALL_BUCKETS: [f64; 11] =
    [0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, 30.0];
type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// The process's counters and histograms, registered once.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    declared: Family<DeclaredLabels, Counter>,
    message_events: Family<OutcomeLabels, Counter>,
    outbox: Family<OpLabels, Counter>,
    pages: Family<PageLabels, Counter>,
    escalations: Family<LevelLabels, Counter>,
    time_to_ack: Histograms<SeverityLabels>,
    time_to_resolve: Histograms<SeverityLabels>,
    slack_calls: Histograms<MethodLabels>,
    slack_rate_limited: Family<MethodLabels, Counter>,
    nudges: Family<KindLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix(PREFIX);
        let declared = Family::default();
        registry.register(
            "incidents_declared",
            "Incidents declared, by severity and by how (command, modal, alert, triage); drills are not counted",
            declared.clone(),
        );
        let message_events = Family::default();
        registry.register(
            "message_events",
            "War-room message events taken in: stored in the timeline, duplicate (a redelivery absorbed), ignored (not for the timeline) or refused (a time outside the incident)",
            message_events.clone(),
        );
        let outbox = Family::default();
        registry.register(
            "outbox_items",
            "Outbound writes handled by the outbox worker, by operation and outcome (sent, retried, failed, skipped)",
            outbox.clone(),
        );
        let pages = Family::default();
        registry.register(
            "pages",
            "Pages sent, by provider (slack_dm, pagerduty, opsgenie, webhook) and outcome (sent, retried, failed, skipped)",
            pages.clone(),
        );
        let escalations = Family::default();
        registry.register(
            "escalation_levels_fired",
            "Escalation levels paged, by level number (1 is the first; levels above 9 count as 10+)",
            escalations.clone(),
        );
        let time_to_ack: Histograms<SeverityLabels> =
            Family::new_with_constructor(|| Histogram::new(INCIDENT_BUCKETS));
        registry.register_with_unit(
            "time_to_acknowledge",
            "From an incident's declaration to the first acknowledged page, by severity (drills left out)",
            Unit::Seconds,
            time_to_ack.clone(),
        );
        let time_to_resolve: Histograms<SeverityLabels> =
            Family::new_with_constructor(|| Histogram::new(INCIDENT_BUCKETS));
        registry.register_with_unit(
            "time_to_resolve",
            "From an incident's declaration to its status becoming resolved (again, if it was reopened), by severity (drills left out)",
            Unit::Seconds,
            time_to_resolve.clone(),
        );
        let slack_calls: Histograms<MethodLabels> =
            Family::new_with_constructor(|| Histogram::new(SLACK_CALL_BUCKETS));
        registry.register_with_unit(
            "slack_api_call_duration",
            "Slack Web API calls, by method: how long each took, whatever its answer",
            Unit::Seconds,
            slack_calls.clone(),
        );
        let slack_rate_limited = Family::default();
        registry.register(
            "slack_api_rate_limited",
            "Slack Web API calls answered 429 (rate limited), by method",
            slack_rate_limited.clone(),
        );
        let nudges = Family::default();
        registry.register(
            "nudges_sent",
            "Nudges posted in war rooms, by kind (update_due, no_commander, quiet, unclosed)",
            nudges.clone(),
        );
        let metrics = Self {
            registry,
            declared,
            message_events,
            outbox,
            pages,
            escalations,
            time_to_ack,
            time_to_resolve,
            slack_calls,
            slack_rate_limited,
            nudges,
        };
        metrics.start_at_zero();
        metrics
    }

    /// Every series whose labels are known up front starts at 0, so a query has data
    /// from the first scrape and `increase()` sees the first event (Prometheus's
    /// advice: a series that appears only when something happens hides that
    /// something). Ops and Slack methods appear as they are first used.
    fn start_at_zero(&self) {
        for level in SEVERITIES {
            let severity = severity_label(level);
            for source in DECLARE_SOURCES {
                create(&self.declared, &DeclaredLabels { severity, source });
            }
            create(&self.time_to_ack, &SeverityLabels { severity });
            create(&self.time_to_resolve, &SeverityLabels { severity });
        }
        for outcome in MESSAGE_OUTCOMES {
            create(&self.message_events, &OutcomeLabels { outcome });
        }
        for provider in PAGE_PROVIDERS {
            for outcome in OUTCOMES {
                let outcome = outcome.as_str();
                create(&self.pages, &PageLabels { provider, outcome });
            }
        }
        for level in LEVELS {
            create(&self.escalations, &LevelLabels { level });
        }
        for kind in NUDGE_KINDS {
            create(&self.nudges, &KindLabels { kind });
        }
    }

    /// A nudge of `kind` (one of [`NUDGE_KINDS`]) was queued for the war room. A kind
    /// outside the list is not counted: a label never takes a value nobody expects.
    pub fn nudge_sent(&self, kind: &str) {
        if let Some(kind) = NUDGE_KINDS.iter().find(|k| **k == kind) {
            self.nudges.get_or_create(&KindLabels { kind }).inc();
        }
    }

    /// An incident was declared with severity `level` (1–4), by `source`.
    pub fn incident_declared(&self, level: u8, source: &'static str) {
        let labels = DeclaredLabels {
            severity: severity_label(level),
            source,
        };
        self.declared.get_or_create(&labels).inc();
    }

    /// A message event was taken in with this outcome (`stored`, `duplicate`, …).
    pub fn message_event(&self, outcome: &'static str) {
        self.message_events
            .get_or_create(&OutcomeLabels { outcome })
            .inc();
    }

    /// The outbox worker handled one item of operation `op`.
    pub fn outbox_item(&self, op: &'static str, outcome: Outcome) {
        let labels = OpLabels {
            op,
            outcome: outcome.as_str(),
        };
        self.outbox.get_or_create(&labels).inc();
    }

    /// A page through `provider` (`slack_dm`, `pagerduty`, …) fared this way.
    pub fn page(&self, provider: &'static str, outcome: Outcome) {
        let labels = PageLabels {
            provider,
            outcome: outcome.as_str(),
        };
        self.pages.get_or_create(&labels).inc();
    }

    /// Escalation level `level` (1-based) was paged.
    pub fn escalation_level_fired(&self, level: i64) {
        let index = level.clamp(1, MAX_LEVEL_LABEL) as usize - 1;
        self.escalations
            .get_or_create(&LevelLabels {
                level: LEVELS[index],
            })
            .inc();
    }

    /// The first page of an incident of severity `level` was acknowledged, `after`
    /// its declaration.
    pub fn acknowledged(&self, level: u8, after: Duration) {
        let labels = SeverityLabels {
            severity: severity_label(level),
        };
        self.time_to_ack
            .get_or_create(&labels)
            .observe(after.as_secs_f64());
    }

    /// An incident of severity `level` became resolved, `after` its declaration.
    pub fn resolved(&self, level: u8, after: Duration) {
        let labels = SeverityLabels {
            severity: severity_label(level),
        };
        self.time_to_resolve
            .get_or_create(&labels)
            .observe(after.as_secs_f64());
    }

    /// A Slack Web API call to `method` took `took`; `rate_limited` when Slack
    /// answered 429.
    pub fn slack_call(&self, method: &str, took: Duration, rate_limited: bool) {
        let labels = MethodLabels {
            method: method.to_string(),
        };
        self.slack_calls
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
        // Created at the method's first call: its 429s start at 0, not absent.
        let limited = self.slack_rate_limited.get_or_create(&labels);
        if rate_limited {
            limited.inc();
        }
    }

    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// Creates the series `labels` in `family`, at zero, unless it exists.
fn create<S, M, C>(family: &Family<S, M, C>, labels: &S)
where
    S: Clone + std::hash::Hash + Eq,
    C: MetricConstructor<M>,
{
    drop(family.get_or_create(labels));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(m: &Metrics) -> String {
        m.render(Some(&StoreGauges::default()), Format::Prometheus)
    }

    #[test]
    fn escalation_levels_past_the_cap_share_one_label() {
        let m = Metrics::new();
        for level in [1, 2, 12, 40] {
            m.escalation_level_fired(level);
        }
        let out = text(&m);
        assert!(
            out.contains("warroom_escalation_levels_fired_total{level=\"1\"} 1"),
            "{out}"
        );
        assert!(
            out.contains("warroom_escalation_levels_fired_total{level=\"10+\"} 2"),
            "{out}"
        );
    }

    #[test]
    fn durations_land_in_second_buckets() {
        let m = Metrics::new();
        m.acknowledged(1, Duration::from_secs(90));
        let out = text(&m);
        for (le, n) in [("60", 0), ("120", 1), ("+Inf", 1)] {
            let line = format!(
                "warroom_time_to_acknowledge_seconds_bucket{{severity=\"sev1\",le=\"{le}\"}} {n}"
            );
            assert!(out.contains(&line), "{line} in {out}");
        }
        assert!(
            out.contains("warroom_time_to_acknowledge_seconds_sum{severity=\"sev1\"} 90.0"),
            "{out}"
        );
    }

    #[test]
    fn a_429_counts_as_a_call_and_as_rate_limited() {
        let m = Metrics::new();
        m.slack_call("chat.postMessage", Duration::from_millis(30), true);
        m.slack_call("chat.postMessage", Duration::from_millis(30), false);
        let out = text(&m);
        assert!(
            out.contains(
                "warroom_slack_api_call_duration_seconds_count{method=\"chat.postMessage\"} 2"
            ),
            "{out}"
        );
        assert!(
            out.contains("warroom_slack_api_rate_limited_total{method=\"chat.postMessage\"} 1"),
            "{out}"
        );
    }
}
