//! What the team captures for the postmortem while the incident runs, besides
//! messages: impact statements and action items. Plain values; the store numbers them
//! per incident (`seq`), and that number is how people correct them.

use chrono::{DateTime, NaiveDate, Utc};
use std::fmt;

/// The heading an impact statement is filed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImpactCategory {
    Business,
    Customers,
    Systems,
}

impl ImpactCategory {
    pub const ALL: [ImpactCategory; 3] = [
        ImpactCategory::Business,
        ImpactCategory::Customers,
        ImpactCategory::Systems,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImpactCategory::Business => "business",
            ImpactCategory::Customers => "customers",
            ImpactCategory::Systems => "systems",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ImpactCategory::Business => "Business",
            ImpactCategory::Customers => "Customers",
            ImpactCategory::Systems => "Systems",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Splits an optional `business:`, `customers:` or `systems:` prefix off a
    /// statement (case-insensitive; `customer:` and `system:` too).
    pub fn split_prefix(text: &str) -> (Option<ImpactCategory>, &str) {
        let trimmed = text.trim();
        if let Some((head, rest)) = trimmed.split_once(':') {
            let category = match head.trim().to_ascii_lowercase().as_str() {
                "business" => Some(ImpactCategory::Business),
                "customers" | "customer" => Some(ImpactCategory::Customers),
                "systems" | "system" => Some(ImpactCategory::Systems),
                _ => None,
            };
            if category.is_some() {
                return (category, rest.trim());
            }
        }
        (None, trimmed)
    }
}

impl fmt::Display for ImpactCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactStatement {
    pub incident_id: i64,
    pub seq: i64,
    pub category: Option<ImpactCategory>,
    pub text: String,
    pub author_id: String,
    pub added_at: DateTime<Utc>,
    /// Withdrawn statements are kept, and left out of the draft.
    pub removed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionStatus {
    Open,
    Done,
    Dropped,
}

impl ActionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        match s {
            "open" => Some(ActionStatus::Open),
            "done" => Some(ActionStatus::Done),
            "dropped" => Some(ActionStatus::Dropped),
            _ => None,
        }
    }
}

impl fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItem {
    /// The row id: stable across incidents, used by the outbox (reminders, issues).
    pub id: i64,
    pub incident_id: i64,
    /// The number people see and type: `action done 2`.
    pub seq: i64,
    pub text: String,
    pub owner_id: Option<String>,
    pub due: Option<NaiveDate>,
    pub status: ActionStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The war-room message it was made from, when added by the shortcut.
    pub source_ts: Option<String>,
    pub issue_url: Option<String>,
}

/// A new action item, before the store numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActionItem {
    pub incident_id: i64,
    pub text: String,
    pub owner_id: Option<String>,
    pub due: Option<NaiveDate>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub source_ts: Option<String>,
}

impl ActionItem {
    pub fn is_open(&self) -> bool {
        self.status == ActionStatus::Open
    }
}

/// Open items first, then done, then dropped; by number within each.
pub fn plan_order(items: &mut [ActionItem]) {
    let rank = |s: ActionStatus| match s {
        ActionStatus::Open => 0,
        ActionStatus::Done => 1,
        ActionStatus::Dropped => 2,
    };
    items.sort_by_key(|i| (rank(i.status), i.seq));
}

/// System-entry kinds that are key events by themselves: changes of status, severity
/// and role, pages, acks, escalations, alerts firing and resolving, resolve and close,
/// stakeholder updates, the fallback war room on IRC opening and closing (`lead` is how
/// older entries named a commander change).
pub const KEY_SYSTEM_KINDS: [&str; 15] = [
    "declared",
    "status",
    "severity",
    "lead",
    "role",
    "page",
    "ack",
    "escalation",
    "alert_firing",
    "alert_resolved",
    "resolved",
    "closed",
    super::STAKEHOLDER_UPDATE_KIND,
    FALLBACK_OPENED_KIND,
    FALLBACK_CLOSED_KIND,
];

/// The system entry recorded when an incident's fallback war room on IRC opens.
pub const FALLBACK_OPENED_KIND: &str = "fallback_opened";
/// The system entry recorded when it closes.
pub const FALLBACK_CLOSED_KIND: &str = "fallback_closed";

pub fn is_key_system_kind(kind: &str) -> bool {
    KEY_SYSTEM_KINDS.contains(&kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_impact_prefix_files_the_statement_under_its_heading() {
        assert_eq!(
            ImpactCategory::split_prefix("Business: 1h 15m without orders"),
            (Some(ImpactCategory::Business), "1h 15m without orders")
        );
        assert_eq!(
            ImpactCategory::split_prefix("customers:could not buy"),
            (Some(ImpactCategory::Customers), "could not buy")
        );
        assert_eq!(
            ImpactCategory::split_prefix("Note: checkout was slow"),
            (None, "Note: checkout was slow")
        );
        assert_eq!(
            ImpactCategory::split_prefix("checkout was slow"),
            (None, "checkout was slow")
        );
    }
}
