//! The fake workspace's mutable state, kept behind one mutex.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use serde_json::{Value, json};

use super::methods::ts_micros;
use super::model::{
    Channel, ChannelKind, Failure, Message, OpenedView, RecordedCall, ResponseUrlPost,
    UploadedFile, User,
};
use super::oidc::OidcState;
use super::scopes::Scopes;
use super::{BOT_ID, BOT_USER_ID};

/// A file announced by `files.getUploadURLExternal`, maybe uploaded, maybe completed.
#[derive(Debug, Clone)]
pub(crate) struct FileSlot {
    pub filename: String,
    pub declared_length: usize,
    pub bytes: Option<Vec<u8>>,
    pub completed: bool,
}

/// The reactions on one message: each name with who added it, in order.
pub(crate) type Reactions = Vec<(String, Vec<String>)>;

#[derive(Debug, Default)]
pub(crate) struct State {
    pub calls: Vec<RecordedCall>,
    pub channels: Vec<Channel>,
    pub messages: Vec<Message>,
    pub ephemerals: Vec<Message>,
    pub pins: HashMap<String, Vec<String>>,
    /// Who pinned `(channel, ts)` and when (unix secs), for the pin events.
    pub pinned_by: HashMap<(String, String), (String, i64)>,
    /// Reactions on `(channel, ts)`: each name with who added it, in order.
    pub reactions: HashMap<(String, String), Reactions>,
    pub users: Vec<User>,
    pub files: HashMap<String, FileSlot>,
    pub uploaded: Vec<UploadedFile>,
    pub response_posts: Vec<ResponseUrlPost>,
    pub views: Vec<OpenedView>,
    pub used_triggers: Vec<String>,
    pub failures: VecDeque<(String, Failure)>,
    pub down: bool,
    pub post_limit_per_sec: Option<f64>,
    pub post_times: HashMap<String, VecDeque<Instant>>,
    pub post_rate_limited: usize,
    /// Whether per-method tiers are enforced ([`super::tiers`]).
    pub tier_limits: bool,
    /// When each method's calls in the last minute were carried out.
    pub tier_times: HashMap<String, VecDeque<Instant>>,
    /// How many calls each method's tier answered with 429.
    pub tier_limited: HashMap<String, usize>,
    pub next_channel: u64,
    pub next_file: u64,
    pub next_view: u64,
    pub last_ts_micros: i64,
    /// `Some(unix secs)`: timestamps start there; `None`: wall clock.
    pub ts_base: Option<i64>,
    /// Bot scopes granted to the bot token.
    pub scopes: Scopes,
    /// Sign in with Slack: sessions, redirect URLs, codes and user tokens.
    pub oidc: OidcState,
}

impl State {
    pub fn new(ts_base: Option<i64>, scopes: Scopes, tier_limits: bool) -> Self {
        let mut state = State {
            ts_base,
            scopes,
            tier_limits,
            ..State::default()
        };
        state.users.push(User {
            id: BOT_USER_ID.to_string(),
            name: "warroom".to_string(),
            real_name: "Warroom".to_string(),
            title: String::new(),
            is_bot: true,
            deleted: false,
        });
        state
    }

    /// A unique, strictly increasing Slack timestamp (`"1700000000.000100"`).
    pub fn next_ts(&mut self) -> String {
        let candidate = match self.ts_base {
            Some(base) => base * 1_000_000 + 100,
            None => chrono::Utc::now().timestamp_micros(),
        };
        let micros = candidate.max(self.last_ts_micros + 100);
        self.last_ts_micros = micros;
        format!("{}.{:06}", micros / 1_000_000, micros % 1_000_000)
    }

    pub fn now_secs(&self) -> i64 {
        match self.ts_base {
            Some(base) => base,
            None => chrono::Utc::now().timestamp(),
        }
    }

    pub fn new_channel_id(&mut self) -> String {
        self.next_channel += 1;
        format!("C{:07}", self.next_channel)
    }

    pub fn new_file_id(&mut self) -> String {
        self.next_file += 1;
        format!("F{:07}", self.next_file)
    }

    pub fn new_view_id(&mut self) -> String {
        self.next_view += 1;
        format!("V{:07}", self.next_view)
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub fn channel_mut(&mut self, id: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id == id)
    }

    /// Resolves a channel argument: an id, or a channel name with or without
    /// `#` (DMs have no name Slack would resolve).
    pub fn resolve_channel(&self, arg: &str) -> Option<&Channel> {
        self.channel(arg).or_else(|| {
            let name = arg.strip_prefix('#').unwrap_or(arg);
            self.channels
                .iter()
                .find(|c| c.name == name && c.kind != ChannelKind::Im)
        })
    }

    /// The bot's DM with `user`, if one was opened.
    pub fn dm_with(&self, user: &str) -> Option<&Channel> {
        let name = dm_name(user);
        self.channels
            .iter()
            .find(|c| c.kind == ChannelKind::Im && c.name == name)
    }

    /// Opens (or finds) the bot's DM with `user`; returns its id and whether it
    /// already existed.
    pub fn open_dm(&mut self, user: &str) -> (String, bool) {
        if let Some(existing) = self.dm_with(user) {
            return (existing.id.clone(), true);
        }
        let id = self.new_channel_id().replacen('C', "D", 1);
        let created = self.now_secs();
        self.channels.push(Channel {
            id: id.clone(),
            name: dm_name(user),
            kind: ChannelKind::Im,
            is_private: true,
            is_archived: false,
            created,
            creator: BOT_USER_ID.to_string(),
            topic: String::new(),
            purpose: String::new(),
            members: vec![BOT_USER_ID.to_string(), user.to_string()],
        });
        (id, false)
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn message(&self, channel: &str, ts: &str) -> Option<&Message> {
        self.messages
            .iter()
            .find(|m| m.channel == channel && m.ts == ts)
    }

    pub fn message_mut(&mut self, channel: &str, ts: &str) -> Option<&mut Message> {
        self.messages
            .iter_mut()
            .find(|m| m.channel == channel && m.ts == ts)
    }

    /// Stores a message keeping `messages` sorted by ts, and makes later
    /// generated timestamps follow it.
    pub fn insert_message(&mut self, message: Message) {
        let micros = ts_micros(&message.ts).unwrap_or(i128::MAX);
        let at = self
            .messages
            .iter()
            .position(|m| ts_micros(&m.ts).is_some_and(|t| t > micros))
            .unwrap_or(self.messages.len());
        if let Ok(micros) = i64::try_from(micros) {
            self.last_ts_micros = self.last_ts_micros.max(micros);
        }
        self.messages.insert(at, message);
    }

    /// Stores a message posted by the bot and returns its JSON.
    pub fn store_bot_message(
        &mut self,
        channel: &str,
        text: String,
        blocks: Option<Value>,
        thread_ts: Option<String>,
        extra: Option<(&str, Value)>,
        metadata: Option<Value>,
    ) -> Message {
        let ts = self.next_ts();
        let mut raw = json!({
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": super::BOT_APP_ID,
            "team": super::TEAM_ID,
            "text": text,
            "ts": ts,
        });
        if let Some(b) = &blocks {
            raw["blocks"] = b.clone();
        }
        if let Some(t) = &thread_ts {
            raw["thread_ts"] = Value::String(t.clone());
        }
        if let Some((key, value)) = extra {
            raw[key] = value;
        }
        let message = Message {
            channel: channel.to_string(),
            ts,
            thread_ts,
            user: Some(BOT_USER_ID.to_string()),
            bot_id: Some(BOT_ID.to_string()),
            text,
            blocks,
            edited_ts: None,
            metadata,
            raw,
        };
        self.messages.push(message.clone());
        message
    }

    /// The history view of a message: its raw JSON plus thread bookkeeping, its
    /// `reactions` and `pinned_to` (when it has any), and its metadata when
    /// `include_metadata`.
    pub fn history_json(&self, message: &Message, include_metadata: bool) -> Value {
        let mut raw = message.raw.clone();
        if let (true, Some(metadata)) = (include_metadata, &message.metadata) {
            raw["metadata"] = metadata.clone();
        }
        let key = (message.channel.clone(), message.ts.clone());
        if let Some(reactions) = self.reactions.get(&key).filter(|r| !r.is_empty()) {
            raw["reactions"] = reactions
                .iter()
                .map(|(name, users)| json!({"name": name, "users": users, "count": users.len()}))
                .collect();
        }
        if self.is_pinned(&message.channel, &message.ts) {
            raw["pinned_to"] = json!([message.channel]);
        }
        let replies: Vec<&Message> = self
            .messages
            .iter()
            .filter(|m| {
                m.channel == message.channel
                    && m.thread_ts.as_deref() == Some(message.ts.as_str())
                    && m.ts != message.ts
            })
            .collect();
        if message.thread_ts.is_none() && !replies.is_empty() {
            let mut reply_users: Vec<String> = Vec::new();
            for r in &replies {
                if let Some(u) = &r.user
                    && !reply_users.contains(u)
                {
                    reply_users.push(u.clone());
                }
            }
            raw["thread_ts"] = Value::String(message.ts.clone());
            raw["reply_count"] = json!(replies.len());
            raw["reply_users_count"] = json!(reply_users.len());
            raw["reply_users"] = json!(reply_users);
            raw["latest_reply"] = json!(replies.last().map(|r| r.ts.clone()));
        }
        raw
    }

    /// [`channel_json`], with `is_user_deleted` of a DM filled in.
    pub fn conversation_json(&self, channel: &Channel, include_num_members: bool) -> Value {
        let mut v = channel_json(channel, include_num_members);
        if channel.kind == ChannelKind::Im {
            let deleted = v["user"]
                .as_str()
                .and_then(|u| self.user(u))
                .is_some_and(|u| u.deleted);
            v["is_user_deleted"] = json!(deleted);
        }
        v
    }

    pub fn is_pinned(&self, channel: &str, ts: &str) -> bool {
        self.pins
            .get(channel)
            .is_some_and(|p| p.iter().any(|t| t == ts))
    }

    /// Removes and returns the next injected failure for `method`, if any.
    pub fn take_failure(&mut self, method: &str) -> Option<Failure> {
        let pos = self.failures.iter().position(|(m, _)| m == method)?;
        self.failures.remove(pos).map(|(_, f)| f)
    }
}

/// The internal name of the bot's DM with `user`.
pub(crate) fn dm_name(user: &str) -> String {
    format!("dm-{}", user.to_lowercase())
}

/// The channel JSON Slack returns from `conversations.*`: a channel object for
/// public and private channels, an IM object for a DM.
pub(crate) fn channel_json(channel: &Channel, include_num_members: bool) -> Value {
    if channel.kind == ChannelKind::Im {
        return im_json(channel);
    }
    let is_private = channel.kind == ChannelKind::Private;
    let mut v = json!({
        "id": channel.id,
        "name": channel.name,
        "name_normalized": channel.name,
        "is_channel": !is_private,
        "is_group": false,
        "is_im": false,
        "is_mpim": false,
        "is_private": is_private,
        "is_archived": channel.is_archived,
        "is_general": false,
        "is_shared": false,
        "is_ext_shared": false,
        "is_org_shared": false,
        "is_pending_ext_shared": false,
        "is_member": channel.members.iter().any(|m| m == BOT_USER_ID),
        "created": channel.created,
        "creator": channel.creator,
        "unlinked": 0,
        "topic": {"value": channel.topic, "creator": if channel.topic.is_empty() { "" } else { BOT_USER_ID }, "last_set": 0},
        "purpose": {"value": channel.purpose, "creator": "", "last_set": 0},
        "previous_names": [],
    });
    if include_num_members {
        v["num_members"] = json!(channel.members.len());
    }
    v
}

/// A DM as Slack describes one: no name, `is_im`, the other member as `user`.
fn im_json(channel: &Channel) -> Value {
    let user = channel
        .members
        .iter()
        .find(|m| *m != BOT_USER_ID)
        .cloned()
        .unwrap_or_default();
    json!({
        "id": channel.id,
        "created": channel.created,
        "is_channel": false,
        "is_group": false,
        "is_im": true,
        "is_mpim": false,
        "is_private": true,
        "is_archived": channel.is_archived,
        "is_org_shared": false,
        "context_team_id": super::TEAM_ID,
        "user": user,
        "is_user_deleted": false,
        "is_open": true,
        "priority": 0,
    })
}
