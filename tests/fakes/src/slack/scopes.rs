//! OAuth bot scopes: which ones the fake's token was granted, read from a Slack
//! app manifest if you like, and which ones each method needs.
//!
//! A call without the scope it needs answers, as Slack does, HTTP 200 with
//! `{"ok":false,"error":"missing_scope","needed":"<scope>","provided":"<granted, comma-separated>"}`.
//!
//! What each method needs (bot token; from Slack's method reference pages):
//!
//! | method | scope |
//! | --- | --- |
//! | `auth.test`, `views.open` | none |
//! | `chat.postMessage`, `chat.postEphemeral`, `chat.update` | `chat:write` |
//! | `conversations.create` | `channels:manage` (public), `groups:write` (private) |
//! | `conversations.history`, `conversations.replies` | `channels:history` / `groups:history` / `im:history` by channel type |
//! | `conversations.info` | `channels:read` / `groups:read` / `im:read` by channel type |
//! | `conversations.list` | the `*:read` scope of every requested type (`public_channel` → `channels:read`, `private_channel` → `groups:read`, `im` → `im:read`, `mpim` → `mpim:read`) |
//! | `conversations.invite` | public: `channels:manage` or `channels:write.invites`; private: `groups:write` or `groups:write.invites` |
//! | `conversations.setTopic` | public: `channels:manage` or `channels:write.topic`; private: `groups:write` or `groups:write.topic`; DM: `im:write` or `im:write.topic` |
//! | `conversations.join` | `channels:join` |
//! | `conversations.open` | `im:write` |
//! | `pins.add` | `pins:write` |
//! | `files.getUploadURLExternal`, `files.completeUploadExternal` | `files:write` |
//! | `users.info` | `users:read` |
//!
//! Where several scopes are accepted, `needed` names the first one listed.
//!
//! `pins:read` and `reactions:read` gate no method here: the app only receives the
//! events they allow (see [`super::events`]).

use std::path::Path;

use yaml_rust2::{Yaml, YamlLoader};

use super::model::ChannelKind;

/// Every bot scope the fake checks for (the default grant).
pub const KNOWN_SCOPES: &[&str] = &[
    "channels:history",
    "channels:join",
    "channels:manage",
    "channels:read",
    "channels:write.invites",
    "channels:write.topic",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "groups:write",
    "groups:write.invites",
    "groups:write.topic",
    "im:history",
    "im:read",
    "im:write",
    "im:write.topic",
    "mpim:history",
    "mpim:read",
    "mpim:write",
    "mpim:write.topic",
    "pins:read",
    "pins:write",
    "reactions:read",
    "users:read",
];

/// The bot scopes granted to the fake's bot token, in grant order (that order is
/// the one `provided` lists them in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scopes {
    granted: Vec<String>,
}

impl Default for Scopes {
    /// Every scope in [`KNOWN_SCOPES`].
    fn default() -> Self {
        Scopes::all()
    }
}

impl Scopes {
    /// Every scope in [`KNOWN_SCOPES`]: no call fails for want of a scope.
    pub fn all() -> Scopes {
        Scopes::new(KNOWN_SCOPES.iter().copied())
    }

    /// No scope at all (only `auth.test` and `views.open` work).
    pub fn none() -> Scopes {
        Scopes {
            granted: Vec::new(),
        }
    }

    /// Exactly these scopes (duplicates dropped, order kept). Names the fake does
    /// not know are kept too: they are granted, they just gate nothing.
    pub fn new<I, S>(scopes: I) -> Scopes
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut granted: Vec<String> = Vec::new();
        for scope in scopes {
            let scope = scope.into().trim().to_string();
            if !scope.is_empty() && !granted.contains(&scope) {
                granted.push(scope);
            }
        }
        Scopes { granted }
    }

    /// The bot scopes of a Slack app manifest file (`oauth_config.scopes.bot`).
    pub fn from_manifest(path: impl AsRef<Path>) -> Result<Scopes, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read app manifest {}: {e}", path.display()))?;
        Scopes::from_manifest_yaml(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The bot scopes of a Slack app manifest given as YAML text. An error when the
    /// text is not YAML, or `oauth_config.scopes.bot` is missing or not a list of
    /// strings.
    pub fn from_manifest_yaml(yaml: &str) -> Result<Scopes, String> {
        let docs = YamlLoader::load_from_str(yaml).map_err(|e| format!("not YAML: {e}"))?;
        let doc = docs.first().ok_or("empty manifest")?;
        let bot = &doc["oauth_config"]["scopes"]["bot"];
        let items = match bot {
            Yaml::Array(items) => items,
            Yaml::BadValue => return Err("no oauth_config.scopes.bot in the manifest".into()),
            _ => return Err("oauth_config.scopes.bot is not a list".into()),
        };
        let mut names = Vec::with_capacity(items.len());
        for item in items {
            match item.as_str() {
                Some(s) => names.push(s.to_string()),
                None => {
                    return Err(format!(
                        "oauth_config.scopes.bot has a non-string entry {item:?}"
                    ));
                }
            }
        }
        Ok(Scopes::new(names))
    }

    /// These scopes plus `scope`.
    pub fn with(mut self, scope: &str) -> Scopes {
        if !self.contains(scope) {
            self.granted.push(scope.to_string());
        }
        self
    }

    /// These scopes less `scope`.
    pub fn without(mut self, scope: &str) -> Scopes {
        self.granted.retain(|s| s != scope);
        self
    }

    pub fn contains(&self, scope: &str) -> bool {
        self.granted.iter().any(|s| s == scope)
    }

    /// The granted scopes, in grant order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.granted.iter().map(String::as_str)
    }

    /// The granted scopes, comma-separated (Slack's `provided`).
    pub fn provided(&self) -> String {
        self.granted.join(",")
    }

    /// `Err(first accepted)` unless one of `accepted` is granted (empty: always ok).
    pub(crate) fn require(&self, accepted: &[&str]) -> Result<(), String> {
        if accepted.is_empty() || accepted.iter().any(|s| self.contains(s)) {
            Ok(())
        } else {
            Err(accepted[0].to_string())
        }
    }
}

/// Scopes needed by a method whatever channel it touches (`None`: the method
/// checks scopes itself, by channel type).
pub(crate) fn fixed(method: &str) -> Option<&'static [&'static str]> {
    let scopes: &'static [&'static str] = match method {
        "chat.postMessage" | "chat.postEphemeral" | "chat.update" => &["chat:write"],
        "conversations.join" => &["channels:join"],
        "conversations.open" => &["im:write"],
        "pins.add" => &["pins:write"],
        "files.getUploadURLExternal" | "files.completeUploadExternal" => &["files:write"],
        "users.info" => &["users:read"],
        "auth.test" | "views.open" | "files.upload" => &[],
        _ => return None,
    };
    Some(scopes)
}

/// Reading messages (`conversations.history`, `conversations.replies`).
pub(crate) fn history(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Public => &["channels:history"],
        ChannelKind::Private => &["groups:history"],
        ChannelKind::Im => &["im:history"],
    }
}

/// Reading a channel's details (`conversations.info`).
pub(crate) fn read(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Public => &["channels:read"],
        ChannelKind::Private => &["groups:read"],
        ChannelKind::Im => &["im:read"],
    }
}

/// Every history scope, for a call naming a channel that does not exist.
pub(crate) const ANY_HISTORY: &[&str] = &[
    "channels:history",
    "groups:history",
    "im:history",
    "mpim:history",
];
/// Every read scope, likewise.
pub(crate) const ANY_READ: &[&str] = &["channels:read", "groups:read", "im:read", "mpim:read"];

/// `conversations.create`.
pub(crate) fn create(is_private: bool) -> &'static [&'static str] {
    if is_private {
        &["groups:write"]
    } else {
        &["channels:manage"]
    }
}

/// `conversations.invite` (a DM cannot be invited to at all).
pub(crate) fn invite(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Public => &["channels:manage", "channels:write.invites"],
        ChannelKind::Private => &["groups:write", "groups:write.invites"],
        ChannelKind::Im => &["im:write"],
    }
}

/// Every scope `conversations.invite` accepts, for an unknown channel.
pub(crate) const ANY_INVITE: &[&str] = &[
    "channels:manage",
    "channels:write.invites",
    "groups:write",
    "groups:write.invites",
];

/// `conversations.setTopic`.
pub(crate) fn set_topic(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Public => &["channels:manage", "channels:write.topic"],
        ChannelKind::Private => &["groups:write", "groups:write.topic"],
        ChannelKind::Im => &["im:write", "im:write.topic"],
    }
}

/// Every scope `conversations.setTopic` accepts, for an unknown channel.
pub(crate) const ANY_SET_TOPIC: &[&str] = &[
    "channels:manage",
    "channels:write.topic",
    "groups:write",
    "groups:write.topic",
    "im:write",
    "im:write.topic",
];

/// The read scope for a `conversations.list` type.
pub(crate) fn list_type(kind: &str) -> &'static str {
    match kind {
        "private_channel" => "groups:read",
        "im" => "im:read",
        "mpim" => "mpim:read",
        _ => "channels:read",
    }
}
