//! The outbound intents. Each is small and refers to the incident by id; what to say
//! is computed when it is sent, so a topic or summary always shows the latest state.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SlackOp {
    /// Create the war-room channel (`name_taken` → numeric suffix) and store its id.
    CreateWarRoom { incident_id: i64 },
    Invite {
        incident_id: i64,
        users: Vec<String>,
    },
    /// Set the channel topic to severity, status and lead as they stand.
    SyncTopic { incident_id: i64 },
    /// Post the summary message and pin it.
    PostSummary { incident_id: i64 },
    /// Update the pinned summary in place after a change.
    RefreshSummary { incident_id: i64 },
    /// Tell the announcements channel about a new incident.
    Announce { incident_id: i64, channel: String },
    /// Build the postmortem draft and post it as a message and a `.md` file.
    PublishPostmortem { incident_id: i64 },
}

impl SlackOp {
    pub fn name(&self) -> &'static str {
        match self {
            SlackOp::CreateWarRoom { .. } => "create_war_room",
            SlackOp::Invite { .. } => "invite",
            SlackOp::SyncTopic { .. } => "sync_topic",
            SlackOp::PostSummary { .. } => "post_summary",
            SlackOp::RefreshSummary { .. } => "refresh_summary",
            SlackOp::Announce { .. } => "announce",
            SlackOp::PublishPostmortem { .. } => "publish_postmortem",
        }
    }

    pub fn incident_id(&self) -> i64 {
        match self {
            SlackOp::CreateWarRoom { incident_id }
            | SlackOp::Invite { incident_id, .. }
            | SlackOp::SyncTopic { incident_id }
            | SlackOp::PostSummary { incident_id }
            | SlackOp::RefreshSummary { incident_id }
            | SlackOp::Announce { incident_id, .. }
            | SlackOp::PublishPostmortem { incident_id } => *incident_id,
        }
    }

    /// Ops for one incident go out in order: the channel exists before anything is
    /// posted to it, and posts appear in the order they were made.
    pub fn lane(&self) -> String {
        format!("incident:{}", self.incident_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_round_trip_through_their_stored_json() {
        let op = SlackOp::Invite {
            incident_id: 3,
            users: vec!["U1".into(), "U2".into()],
        };
        let json = serde_json::to_string(&op).unwrap();
        assert!(json.contains(r#""op":"invite""#), "{json}");
        assert_eq!(serde_json::from_str::<SlackOp>(&json).unwrap(), op);
    }

    #[test]
    fn all_ops_of_an_incident_share_one_lane() {
        let a = SlackOp::CreateWarRoom { incident_id: 9 };
        let b = SlackOp::PublishPostmortem { incident_id: 9 };
        assert_eq!(a.lane(), b.lane());
        assert_ne!(a.lane(), SlackOp::CreateWarRoom { incident_id: 10 }.lane());
    }
}
