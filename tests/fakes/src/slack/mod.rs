//! [`FakeSlack`]: a strict fake of the Slack Web API on `127.0.0.1:0`.
//!
//! Start one with [`FakeSlack::start`] (default [`FakeSlackConfig`]: token
//! `xoxb-test-token`, every known scope) or [`FakeSlack::start_with`], e.g. with
//! the scopes of the app manifest:
//!
//! ```no_run
//! # async fn demo() {
//! use warroom_fakes::{FakeSlack, FakeSlackConfig};
//! let config = FakeSlackConfig::with_manifest(concat!(
//!     env!("CARGO_MANIFEST_DIR"),
//!     "/../../slack-app-manifest.yml"
//! ))
//! .expect("manifest");
//! let slack = FakeSlack::start_with(config).await;
//! let dm = slack.add_dm("U0ALICE01"); // a D… channel
//! let room = slack.add_channel("inc-1-db-down", true, true); // private, bot inside
//! # }
//! ```
//!
//! Every call is recorded ([`FakeSlack::calls`]); the workspace can be seeded and
//! read back directly (`add_*`, `messages_in`, `members_of`, …); failures are
//! injected with [`FakeSlack::fail_next`] and [`FakeSlack::set_down`]. Slack's
//! per-method rate tiers are enforced ([`tiers`]; off with
//! [`FakeSlack::enforce_tiers`]), and `chat.postMessage`'s per-channel limit can be
//! ([`FakeSlack::limit_posts_per_channel_per_sec`]).

mod args;
mod blocks;
mod config;
mod elements;
pub mod events;
mod methods;
mod model;
pub mod oidc;
mod reply;
pub mod scopes;
pub mod seed;
mod seed_marks;
mod seed_messages;
mod server;
pub mod socket;
mod state;
pub mod tiers;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

pub use config::FakeSlackConfig;
pub use model::{
    Channel, ChannelKind, Failure, Message, OpenedView, RecordedCall, ResponseUrlPost,
    UploadedFile, User,
};
pub use oidc::{Consent, IdTokenSigner, SlackPerson};
pub use scopes::Scopes;
pub use socket::{DisconnectReason, SocketAck, SocketDelivery};

use server::Shared;
use socket::hub::Hub;
use state::State;

/// The bot's own user id (`auth.test`, message authors, channel creator).
pub const BOT_USER_ID: &str = "U0BOT00001";
/// The bot's bot id, carried by every message it posts.
pub const BOT_ID: &str = "B0BOT00001";
/// The app id of the bot.
pub const BOT_APP_ID: &str = "A0APP00001";
/// The fake workspace's team id.
pub const TEAM_ID: &str = "T0TEAM0001";
/// Pseudo method name under which POSTs to upload URLs are recorded and can be
/// failed with [`FakeSlack::fail_next`].
pub const UPLOAD_METHOD: &str = "upload";
/// Slack accepts at most this many posts per `response_url`.
pub const MAX_RESPONSE_URL_POSTS: usize = 5;

const WAIT_TIMEOUT: Duration = Duration::from_secs(10);
const WAIT_POLL: Duration = Duration::from_millis(20);

/// Aborts the server task when the last handle is dropped.
struct ServerTask(JoinHandle<()>);

impl Drop for ServerTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A running fake Slack. Clones share the same server and state; the server stops
/// when the last clone is dropped.
#[derive(Clone)]
pub struct FakeSlack {
    shared: Arc<Shared>,
    _server: Arc<ServerTask>,
}

impl std::fmt::Debug for FakeSlack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSlack")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}

impl FakeSlack {
    /// Starts a fake accepting the token `xoxb-test-token`.
    pub async fn start() -> FakeSlack {
        FakeSlack::start_with(FakeSlackConfig::default()).await
    }

    /// Starts a fake with `config`. Panics if it cannot bind `127.0.0.1:0`.
    pub async fn start_with(config: FakeSlackConfig) -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("fake slack: bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("fake slack: local addr");
        let seed = u64::from(addr.port())
            ^ (chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0) as u64).rotate_left(16);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(
                config.ts_base,
                config.scopes.clone(),
                config.tier_limits,
            )),
            socket: Mutex::new(Hub::new(seed)),
            config,
            base_url: format!("http://{addr}"),
        });
        let app = server::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, "fake slack server stopped");
            }
        });
        FakeSlack {
            shared,
            _server: Arc::new(ServerTask(task)),
        }
    }

    /// `http://127.0.0.1:PORT/api`, for `with_slack_api_url` (no trailing slash).
    pub fn api_url(&self) -> String {
        format!("{}/api", self.shared.base_url)
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The bot token the fake accepts.
    pub fn bot_token(&self) -> String {
        self.shared.config.bot_token.clone()
    }

    /// A `response_url` on the fake: JSON POSTs to it are recorded (see
    /// [`FakeSlack::response_url_posts`]); a non-JSON body gets HTTP 400, a sixth
    /// post to the same URL gets HTTP 404 `used_url`.
    pub fn response_url(&self, id: &str) -> String {
        format!("{}/response/{id}", self.shared.base_url)
    }

    // ----- recorded traffic -----

    /// Every call received, in arrival order.
    pub fn calls(&self) -> Vec<RecordedCall> {
        self.shared.lock().calls.clone()
    }

    /// The calls to one method, in arrival order.
    pub fn calls_to(&self, method: &str) -> Vec<RecordedCall> {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Every POST to a response URL, in arrival order.
    pub fn response_url_posts(&self) -> Vec<ResponseUrlPost> {
        self.shared.lock().response_posts.clone()
    }

    /// How many `chat.postMessage` calls the per-channel limit answered with 429.
    pub fn rate_limited_posts(&self) -> usize {
        self.shared.lock().post_rate_limited
    }

    // ----- workspace state -----

    /// All channels, in creation order.
    pub fn channels(&self) -> Vec<Channel> {
        self.shared.lock().channels.clone()
    }

    pub fn channel(&self, id: &str) -> Option<Channel> {
        self.shared.lock().channel(id).cloned()
    }

    pub fn channel_by_name(&self, name: &str) -> Option<Channel> {
        let state = self.shared.lock();
        state.channels.iter().find(|c| c.name == name).cloned()
    }

    /// Direct messages the bot sent `user` (through `conversations.open`), oldest first.
    pub fn dms_to(&self, user: &str) -> Vec<Message> {
        let dm = self.shared.lock().dm_with(user).map(|c| c.id.clone());
        match dm {
            Some(id) => self.messages_in(&id),
            None => Vec::new(),
        }
    }

    /// The id of the bot's DM with `user` (`D…`), if one was opened.
    pub fn dm_id(&self, user: &str) -> Option<String> {
        self.shared.lock().dm_with(user).map(|c| c.id.clone())
    }

    /// Messages in a channel (top-level and thread replies), oldest first.
    pub fn messages_in(&self, channel_id: &str) -> Vec<Message> {
        let state = self.shared.lock();
        state
            .messages
            .iter()
            .filter(|m| m.channel == channel_id)
            .cloned()
            .collect()
    }

    /// Ephemeral messages sent in a channel, oldest first.
    pub fn ephemerals_in(&self, channel_id: &str) -> Vec<Message> {
        let state = self.shared.lock();
        state
            .ephemerals
            .iter()
            .filter(|m| m.channel == channel_id)
            .cloned()
            .collect()
    }

    /// Timestamps of pinned messages, in pin order.
    pub fn pins_in(&self, channel_id: &str) -> Vec<String> {
        self.shared
            .lock()
            .pins
            .get(channel_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Member ids of a channel (empty for an unknown channel).
    pub fn members_of(&self, channel_id: &str) -> Vec<String> {
        self.shared
            .lock()
            .channel(channel_id)
            .map(|c| c.members.clone())
            .unwrap_or_default()
    }

    /// The topic (`""` when never set); `None` for an unknown channel.
    pub fn topic_of(&self, channel_id: &str) -> Option<String> {
        self.shared
            .lock()
            .channel(channel_id)
            .map(|c| c.topic.clone())
    }

    /// Files completed through the files v2 flow (one entry per channel shared to).
    pub fn uploaded_files(&self) -> Vec<UploadedFile> {
        self.shared.lock().uploaded.clone()
    }

    /// Views opened with `views.open`.
    pub fn opened_views(&self) -> Vec<OpenedView> {
        self.shared.lock().views.clone()
    }

    /// Ids of users added with [`FakeSlack::add_user`], plus the bot.
    pub fn known_user_ids(&self) -> Vec<String> {
        self.shared
            .lock()
            .users
            .iter()
            .map(|u| u.id.clone())
            .collect()
    }

    // ----- scopes -----

    /// The bot scopes granted now.
    pub fn scopes(&self) -> Scopes {
        self.shared.lock().scopes.clone()
    }

    /// Replaces the granted bot scopes (as a reinstall of the app would).
    pub fn set_scopes(&self, scopes: Scopes) {
        self.shared.lock().scopes = scopes;
    }

    // ----- failure injection -----

    /// The next `n` calls to `method` fail with `failure` (queued after any
    /// failures already queued for it). Use [`UPLOAD_METHOD`] for upload URLs.
    pub fn fail_next(&self, method: &str, n: usize, failure: Failure) {
        let mut state = self.shared.lock();
        for _ in 0..n {
            state
                .failures
                .push_back((method.to_string(), failure.clone()));
        }
    }

    /// While down, every call (API, upload URL, response URL, Socket Mode
    /// upgrade) answers HTTP 503.
    pub fn set_down(&self, down: bool) {
        self.shared.lock().down = down;
    }

    /// Limits accepted `chat.postMessage` calls per channel per second (sliding
    /// window); over the limit the fake answers 429 with `Retry-After`. `None`
    /// removes the limit.
    pub fn limit_posts_per_channel_per_sec(&self, limit: Option<f64>) {
        let mut state = self.shared.lock();
        state.post_limit_per_sec = limit;
        state.post_times.clear();
    }

    /// Turns Slack's per-method rate tiers on or off (on unless the config said
    /// otherwise); see [`tiers`]. Turning them on starts every method's minute afresh.
    pub fn enforce_tiers(&self, on: bool) {
        let mut state = self.shared.lock();
        state.tier_limits = on;
        state.tier_times.clear();
    }

    /// How many calls to `method` its rate tier answered with 429.
    pub fn tier_limited_calls(&self, method: &str) -> usize {
        self.shared
            .lock()
            .tier_limited
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    // ----- waiting -----

    /// Polls `f` every 20 ms until it holds; panics naming `what` after 10 s.
    pub async fn wait_for<F: Fn(&Self) -> bool>(&self, what: &str, f: F) {
        self.wait_for_within(what, WAIT_TIMEOUT, f).await;
    }

    /// Like [`FakeSlack::wait_for`] with a custom timeout.
    pub async fn wait_for_within<F: Fn(&Self) -> bool>(&self, what: &str, timeout: Duration, f: F) {
        let start = Instant::now();
        loop {
            if f(self) {
                return;
            }
            if start.elapsed() >= timeout {
                panic!("timed out after {timeout:?} waiting for {what}");
            }
            tokio::time::sleep(WAIT_POLL).await;
        }
    }
}
