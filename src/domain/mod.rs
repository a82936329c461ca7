//! The incident domain: values that are valid by construction and the lifecycle
//! state machine. Pure: no Slack, no database, no clock.

mod incident;
mod severity;
mod slack_ts;
mod status;
mod timeline;
mod title;

pub use incident::{Change, Declaration, Incident, LifecycleError, SystemEvent};
pub use severity::{BadSeverity, Severity};
pub use slack_ts::{BadTs, SlackTs};
pub use status::{BadStatus, Status};
pub use timeline::{EntryKind, FileRef, TextVersion, TimelineEntry};
pub use title::{BadTitle, IncidentTitle, MAX_TITLE_CHARS, war_room_channel_name, with_suffix};

/// A person as the postmortem names them: display name and their team (profile title).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub user_id: String,
    pub name: String,
    pub title: Option<String>,
}
