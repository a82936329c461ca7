//! The nudges Warroom sends into a war room when something is overdue, and the names
//! of the timeline entries they read and write. Pure names and words; when a nudge is
//! due is decided in `crate::timers::nudges`.

use serde::{Deserialize, Serialize};

/// The system event of a nudge sent into the war room.
pub const NUDGE_KIND: &str = "nudge";
/// The system event of a nudge snoozed by a person.
pub const NUDGE_SNOOZED_KIND: &str = "nudge_snoozed";
/// The system event of a nudge dismissed by a person.
pub const NUDGE_DISMISSED_KIND: &str = "nudge_dismissed";

/// What a nudge is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nudge {
    /// No stakeholder update within the severity's cadence.
    UpdateDue,
    /// Nobody commands the incident a while after it was declared.
    NoCommander,
    /// Open and nothing said in the war room for a long time: can it be resolved?
    Quiet,
    /// Resolved but not closed for a long time.
    Unclosed,
}

impl Nudge {
    pub const ALL: [Nudge; 4] = [
        Nudge::UpdateDue,
        Nudge::NoCommander,
        Nudge::Quiet,
        Nudge::Unclosed,
    ];
    /// What every nudge's timer kind starts with.
    pub const TIMER_PREFIX: &'static str = "nudge:";

    pub fn as_str(self) -> &'static str {
        match self {
            Nudge::UpdateDue => "update_due",
            Nudge::NoCommander => "no_commander",
            Nudge::Quiet => "quiet",
            Nudge::Unclosed => "unclosed",
        }
    }

    /// The kind of its durable timer (`nudge:update_due`, …).
    pub fn timer_kind(self) -> String {
        format!("{}{}", Self::TIMER_PREFIX, self.as_str())
    }

    /// The nudge a timer kind stands for; `None` for any other timer.
    pub fn from_timer_kind(kind: &str) -> Option<Nudge> {
        let name = kind.strip_prefix(Self::TIMER_PREFIX)?;
        Self::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// In a few words, for the snooze and dismiss entries.
    pub fn label(self) -> &'static str {
        match self {
            Nudge::UpdateDue => "stakeholder update",
            Nudge::NoCommander => "no commander",
            Nudge::Quiet => "can it be resolved?",
            Nudge::Unclosed => "resolved but not closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nudge_round_trips_through_its_timer_kind_and_other_timers_are_not_nudges() {
        for n in Nudge::ALL {
            assert_eq!(Nudge::from_timer_kind(&n.timer_kind()), Some(n));
        }
        assert_eq!(Nudge::from_timer_kind("nudge:other"), None);
        assert_eq!(Nudge::from_timer_kind("reminder:quiet"), None);
    }
}
