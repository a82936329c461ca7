//! The on-disk shape of a Slack workspace export and reading its JSON files with
//! errors that name the file. Every field is optional or defaulted: exports vary by
//! plan and by year, and a missing field must not fail a whole import.

use super::ImportError;
use crate::domain::{IdKind, is_key_reaction, is_slack_id};
use crate::store::MarkSource;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use std::path::Path;

#[derive(Debug, Deserialize)]
pub(super) struct RawUser {
    pub id: String,
    #[serde(default)]
    pub is_bot: bool,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub profile: Option<RawProfile>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct RawProfile {
    #[serde(default)]
    pub real_name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawChannel {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub creator: Option<String>,
    #[serde(default)]
    pub members: Option<Vec<String>>,
    #[serde(default)]
    pub topic: Option<RawTopic>,
    #[serde(default)]
    pub purpose: Option<RawTopic>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawTopic {
    #[serde(default)]
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawMessage {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub subtype: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub bot_id: Option<String>,
    /// The name a bot posted under, when it has no user.
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub bot_profile: Option<RawBotProfile>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub ts: Option<String>,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub edited: Option<RawEdited>,
    #[serde(default)]
    pub files: Option<Vec<RawFile>>,
    /// The channels it is pinned in.
    #[serde(default)]
    pub pinned_to: Option<Vec<String>>,
    #[serde(default)]
    pub reactions: Option<Vec<RawReaction>>,
}

/// `{name, users, count}`: `users` may list fewer than `count` on a busy message.
#[derive(Debug, Deserialize)]
pub(super) struct RawReaction {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub users: Option<Vec<String>>,
}

impl RawMessage {
    /// The key-event marks the message carries in `channel`, as live events would have
    /// made them: a pin if it is pinned there, and one mark per person listed under its
    /// 📌 reaction (ids that are not user ids are left out).
    pub fn key_marks(&self, channel: &str) -> Vec<(MarkSource, String)> {
        let pinned = self
            .pinned_to
            .iter()
            .flatten()
            .any(|c| c == channel)
            .then(|| (MarkSource::Pin, String::new()));
        let reacted = self
            .reactions
            .iter()
            .flatten()
            .filter(|r| r.name.as_deref().is_some_and(is_key_reaction))
            .flat_map(|r| r.users.iter().flatten())
            .filter(|u| is_slack_id(u, IdKind::User))
            .map(|u| (MarkSource::Reaction, u.clone()));
        pinned.into_iter().chain(reacted).collect()
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct RawBotProfile {
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawEdited {
    #[serde(default)]
    pub ts: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct RawFile {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(default)]
    pub url_private: Option<String>,
}

/// Reads and parses one JSON file; errors carry the path and, for bad JSON, the line.
pub(super) fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| ImportError::BadJson {
        path: path.to_path_buf(),
        line: source.line(),
        source,
    })
}

/// Like [`read_json`], but a missing file is `None`: `groups.json` and `mpims.json`
/// only exist in exports that include private channels.
pub(super) fn read_optional_json<T: DeserializeOwned>(
    path: &Path,
) -> Result<Option<T>, ImportError> {
    if path.is_file() {
        read_json(path).map(Some)
    } else {
        Ok(None)
    }
}

/// Trimmed, and `None` when empty: exports write `""` for unset values.
pub(super) fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}
