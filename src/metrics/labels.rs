//! The labels Warroom's metrics carry, and every value each may take: small fixed
//! sets, so a series never names an incident, a person or a channel.

use prometheus_client::encoding::EncodeLabelSet;

/// The `source` of a declare: how it came in.
pub const DECLARE_SOURCES: [&str; 4] = ["command", "modal", "alert", "triage"];
/// The `provider` of a page.
pub const PAGE_PROVIDERS: [&str; 4] = ["slack_dm", "pagerduty", "opsgenie", "webhook"];
/// The `kind` of a nudge (see `domain::Nudge`).
pub const NUDGE_KINDS: [&str; 4] = ["update_due", "no_commander", "quiet", "unclosed"];
/// The `outcome` of a message event (see `timeline::Outcome`).
pub const MESSAGE_OUTCOMES: [&str; 4] = ["stored", "duplicate", "ignored", "refused"];
pub(super) const SEVERITIES: [u8; 4] = [1, 2, 3, 4];
pub(super) const OUTCOMES: [Outcome; 4] = [
    Outcome::Sent,
    Outcome::Retried,
    Outcome::Failed,
    Outcome::Skipped,
];

/// Escalation levels above this are counted together (`level="10+"`).
pub const MAX_LEVEL_LABEL: i64 = 10;
pub(super) const LEVELS: [&str; MAX_LEVEL_LABEL as usize] =
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10+"];

/// How an outbound write (or a page) fared on one turn of the outbox worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It went out.
    Sent,
    /// It failed in a way that may pass (a 429, a 5xx, a timeout): tried again later.
    Retried,
    /// It failed for good (a permanent error, or retried for too long).
    Failed,
    /// Nothing needed sending: a newer write of the same state waits, or (a page) an
    /// earlier DM carries it or it was acknowledged first.
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Sent => "sent",
            Outcome::Retried => "retried",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct DeclaredLabels {
    pub(super) severity: &'static str,
    pub(super) source: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct OutcomeLabels {
    pub(super) outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct OpLabels {
    pub(super) op: &'static str,
    pub(super) outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct PageLabels {
    pub(super) provider: &'static str,
    pub(super) outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct LevelLabels {
    pub(super) level: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct SeverityLabels {
    pub(super) severity: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct MethodLabels {
    /// A Slack Web API method name (`chat.postMessage`): a fixed set in our code.
    pub(super) method: String,
}

/// `sev1` … `sev4`; anything else (which the domain never makes) is `other`.
pub(super) fn severity_label(level: u8) -> &'static str {
    match level {
        1 => "sev1",
        2 => "sev2",
        3 => "sev3",
        4 => "sev4",
        _ => "other",
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct KindLabels {
    pub(super) kind: &'static str,
}
