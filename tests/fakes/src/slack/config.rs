//! How a [`super::FakeSlack`] is set up.

use std::path::Path;

use super::scopes::Scopes;

/// Settings of a fake workspace.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeSlackConfig {
    /// The only bot token accepted (`Authorization: Bearer …` or `token` arg).
    pub bot_token: String,
    /// The only app-level token (`xapp-…`) accepted, by `apps.connections.open`
    /// alone; other methods answer `not_allowed_token_type` to it.
    pub app_token: String,
    /// When false (the default), `conversations.invite` accepts any id that looks
    /// like a Slack user id (`^[UW][A-Z0-9]{2,}$`) as well as users added with
    /// [`super::FakeSlack::add_user`]. When true, only added users exist.
    /// `users.info` only ever knows added users (and the bot).
    pub strict_users: bool,
    /// `Some(unix secs)`: message timestamps start at that second and increase by
    /// 100 µs per message, channels are created at that second (deterministic).
    /// `None` (default): wall clock, still strictly increasing.
    pub ts_base: Option<i64>,
    /// Bot scopes granted to `bot_token`. Default: every scope the fake knows
    /// ([`Scopes::all`]); [`FakeSlackConfig::with_manifest`] takes them from the
    /// app manifest instead, so a call the real app could not make fails here too
    /// (`missing_scope`). Can be changed later with [`super::FakeSlack::set_scopes`].
    pub scopes: Scopes,
    /// The bot events the app subscribes to. `None` (default): every event is
    /// delivered; [`FakeSlackConfig::with_manifest`] takes the manifest's
    /// `settings.event_subscriptions.bot_events`, and then an event the app does not
    /// subscribe to, or lacks the scope for, is refused (see
    /// [`super::FakeSlack::check_delivery`]).
    pub bot_events: Option<Vec<String>>,
    /// Whether Slack's per-method rate tiers are enforced (default true): a method
    /// called more often in a minute than its tier allows answers 429 with
    /// `Retry-After` (see [`super::tiers`]).
    pub tier_limits: bool,
    /// The app's client id for Sign in with Slack (`openid.connect.token`).
    pub oidc_client_id: String,
    /// The app's client secret.
    pub oidc_client_secret: String,
}

impl FakeSlackConfig {
    /// The default settings with the bot scopes (`oauth_config.scopes.bot`) and bot
    /// events (`settings.event_subscriptions.bot_events`) of a Slack app manifest
    /// file, e.g.
    /// `FakeSlackConfig::with_manifest(concat!(env!("CARGO_MANIFEST_DIR"), "/slack-app-manifest.yml"))`.
    /// An error when the file cannot be read, is not YAML, or has no such list.
    pub fn with_manifest(path: impl AsRef<Path>) -> Result<FakeSlackConfig, String> {
        let path = path.as_ref();
        Ok(FakeSlackConfig {
            scopes: Scopes::from_manifest(path)?,
            bot_events: Some(super::events::bot_events_from_manifest(path)?),
            ..FakeSlackConfig::default()
        })
    }
}

impl Default for FakeSlackConfig {
    fn default() -> Self {
        FakeSlackConfig {
            bot_token: "xoxb-test-token".to_string(),
            app_token: "xapp-1-test-app-token".to_string(),
            strict_users: false,
            ts_base: None,
            scopes: Scopes::all(),
            bot_events: None,
            tier_limits: true,
            oidc_client_id: "2141029472.691202649728".to_string(),
            oidc_client_secret: "e1b9e11dfcd19c1982d5de12921e17e8c".to_string(),
        }
    }
}
