//! The incident domain: values that are valid by construction and the lifecycle
//! state machine. Pure: no Slack, no database, no clock.

pub mod alert;
mod capture;
mod due;
mod incident;
mod key_event;
mod nudge;
mod role;
mod severity;
mod slack_id;
mod slack_ts;
mod stakeholder;
mod status;
mod timeline;
mod title;

pub use capture::{
    ActionItem, ActionStatus, FALLBACK_CLOSED_KIND, FALLBACK_OPENED_KIND, ImpactCategory,
    ImpactStatement, KEY_SYSTEM_KINDS, NewActionItem, is_key_system_kind, plan_order,
};
pub use due::{BadDue, DUE_FORMS, MAX_DUE_YEARS, describe_due, is_past, parse_due, split_due};
pub use incident::{
    Change, DRILL_MARK, Declaration, Incident, LifecycleError, REPLAY_DECLARER, SystemEvent,
};
pub use key_event::{
    EXCERPT_CHARS, KEY_EVENT_KIND, KEY_REACTION, base_reaction, excerpt, is_key_reaction,
    key_event_text,
};
pub use nudge::{NUDGE_DISMISSED_KIND, NUDGE_KIND, NUDGE_SNOOZED_KIND, Nudge};
pub use role::{BadRole, Role};
pub use severity::{BadSeverity, Severity};
pub use slack_id::{IdKind, MAX_ID_LEN, MAX_KEY_LEN, is_key, is_slack_id, user_mention};
pub use slack_ts::{BadTs, SlackTs};
pub use stakeholder::{
    BadSpan, Cadence, STAKEHOLDER_UPDATE_KIND, Span, parse_span, update_entry_text,
};
pub use status::{BadStatus, Status};
pub use timeline::{EntryKind, EntrySource, FileRef, TextVersion, TimelineEntry};
pub use title::{
    BadTitle, IncidentTitle, MAX_TITLE_CHARS, drill_channel_name, slugify, war_room_channel_name,
    with_suffix,
};

/// `text` cut to at most `max_chars` characters (never inside one), ending with `…`
/// when something was cut.
pub fn clip(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// A person as the postmortem names them: display name and their team (profile title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub name: String,
    pub title: Option<String>,
    /// Whether the id is a person at all: only people are stakeholders.
    pub kind: PersonKind,
}

/// The name a person goes by, as Slack's own clients choose it: the profile's real
/// name, the account's real name, the display name, then the handle; else the id.
/// Blank candidates are skipped.
pub fn display_name(candidates: [Option<&str>; 4], user_id: &str) -> String {
    candidates
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|n| !n.is_empty())
        .map_or_else(|| user_id.to_string(), str::to_string)
}

/// What an id in a timeline turned out to be when looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonKind {
    /// A person (deactivated accounts too: they took part).
    Human,
    /// An app or bot user: its posts are kept, but it is not a stakeholder.
    Bot,
    /// Slack does not know the id (`user_not_found`); remembered so it is not asked
    /// again, and never listed.
    Unknown,
}

impl PersonKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonKind::Human => "person",
            PersonKind::Bot => "bot",
            PersonKind::Unknown => "unknown",
        }
    }

    pub fn from_stored(s: &str) -> Self {
        match s {
            "bot" => PersonKind::Bot,
            "unknown" => PersonKind::Unknown,
            _ => PersonKind::Human,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clip_cuts_between_characters_and_says_so() {
        assert_eq!(super::clip("short", 5), "short");
        assert_eq!(super::clip("longer text", 6), "longe…");
        assert_eq!(super::clip("日本語のテキスト", 4), "日本語…");
    }
}
