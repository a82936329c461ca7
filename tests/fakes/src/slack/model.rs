//! Plain data the fake keeps and hands back to tests.

use serde_json::Value;

/// One HTTP call the fake received on `/api/{method}` (or the upload URL, recorded
/// under the method name [`super::UPLOAD_METHOD`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// Slack method name, e.g. `chat.postMessage`.
    pub method: String,
    /// `GET` or `POST`.
    pub http_method: String,
    /// Arguments merged from query string, form body and JSON body (later sources
    /// win). The `token` argument is left out.
    pub args: Value,
    /// HTTP status answered; `0` when the client went away before the answer
    /// (e.g. it timed out during an injected [`super::Failure::Hang`]).
    pub status: u16,
    /// JSON answered (`Value::Null` when the answer was not JSON).
    pub response: Value,
    /// True once the fake carried the call out (ran the method, whatever it
    /// answered). False for calls stopped by an outage, an injected failure
    /// before the method ran, or a client that left during a [`super::Failure::Hang`].
    /// With [`super::Failure::AppliedThenServerError`] and
    /// [`super::Failure::AppliedThenHang`] it is true although the client got no
    /// answer from the method.
    pub applied: bool,
    /// When the call arrived (the answer follows at once, unless a failure was
    /// injected): for latency measurements.
    pub at: std::time::Instant,
}

/// What kind of conversation a [`Channel`] is. Group DMs (mpim) are not modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelKind {
    /// A public channel (`C…`; `is_channel: true`).
    Public,
    /// A private channel (`C…`; `is_private: true`, `is_group: false` as for
    /// modern private channels).
    Private,
    /// A direct message between the bot and one user (`D…`; `is_im: true`), made
    /// by `conversations.open` or [`super::FakeSlack::add_dm`].
    Im,
}

impl ChannelKind {
    /// The `channel_type` events carry: `channel`, `group` or `im`.
    pub fn channel_type(self) -> &'static str {
        match self {
            ChannelKind::Public => "channel",
            ChannelKind::Private => "group",
            ChannelKind::Im => "im",
        }
    }
}

/// A channel as the fake stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    pub id: String,
    /// The channel name; for a DM an internal `dm-<user id in lowercase>` that
    /// Slack never shows (DMs have no name).
    pub name: String,
    pub kind: ChannelKind,
    /// True for private channels and DMs.
    pub is_private: bool,
    pub is_archived: bool,
    /// Unix seconds.
    pub created: i64,
    pub creator: String,
    pub topic: String,
    pub purpose: String,
    pub members: Vec<String>,
}

/// A message stored in a channel (posted by the bot, an uploaded file's share
/// message, or seeded by a test).
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub user: Option<String>,
    pub bot_id: Option<String>,
    pub text: String,
    /// The blocks as sent (already parsed to JSON), if any.
    pub blocks: Option<Value>,
    /// `Some(ts)` once edited (`chat.update` or [`super::FakeSlack::edit_message`]).
    pub edited_ts: Option<String>,
    /// Message metadata (`{"event_type":…,"event_payload":{…}}`) posted with it.
    pub metadata: Option<Value>,
    /// The full message JSON as the fake would return it from history (without
    /// `metadata`, which history adds only for `include_all_metadata=true`, and
    /// without the thread counters history computes).
    pub raw: Value,
}

/// A Slack user the fake knows (see [`super::FakeSlack::add_user`]).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub name: String,
    pub real_name: String,
    pub title: String,
    pub is_bot: bool,
    /// Deactivated (see [`super::FakeSlack::deactivate_user`]): `users.info` says
    /// `"deleted": true`, `conversations.open` answers `user_disabled`,
    /// `conversations.invite` reports `cant_invite` for them.
    pub deleted: bool,
}

/// A file completed through the files v2 flow.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedFile {
    pub id: String,
    pub filename: String,
    pub title: Option<String>,
    /// Channel it was shared to (`None` when completed without a channel).
    pub channel: Option<String>,
    pub initial_comment: Option<String>,
    /// The uploaded bytes, decoded lossily as UTF-8.
    pub content: String,
    pub bytes: Vec<u8>,
    /// The `length` declared in `files.getUploadURLExternal`.
    pub declared_length: usize,
    /// True when the bytes posted did not match `declared_length` (real Slack is
    /// lenient here, so the fake accepts and records it).
    pub length_mismatch: bool,
}

/// One POST to a slash-command `response_url` served by the fake.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseUrlPost {
    /// The id given to [`super::FakeSlack::response_url`].
    pub id: String,
    pub body: Value,
}

/// A modal opened with `views.open`.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedView {
    pub view_id: String,
    pub trigger_id: String,
    /// The view as sent by the client.
    pub view: Value,
}

/// What an injected failure does to the next matching call(s).
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// HTTP 429, `Retry-After: {retry_after_secs}`, body `{"ok":false,"error":"ratelimited"}`.
    RateLimited { retry_after_secs: u64 },
    /// HTTP 500 with a non-JSON body.
    ServerError,
    /// HTTP 200 with `{"ok":false,"error":<the string>}`.
    SlackError(String),
    /// Sleep this long, then handle the call normally. If the client gives up
    /// meanwhile, the call is not applied and is recorded with status 0.
    Hang(std::time::Duration),
    /// "It worked but the answer was lost": handle the call normally (its effect
    /// stays), then answer HTTP 500 with a non-JSON body. Recorded with status
    /// 500 and `applied: true`.
    AppliedThenServerError,
    /// Handle the call normally (its effect stays), then sleep this long before
    /// answering. A client with a shorter timeout gives up although the effect
    /// happened; the call is then recorded with status 0 and `applied: true`.
    AppliedThenHang(std::time::Duration),
}
