//! Sign in with Slack (OpenID Connect), as strict as Slack:
//!
//! - `GET /openid/connect/authorize`: the page a browser is sent to. The fake plays
//!   the person at it: a test first gives the browser a Slack session with
//!   [`FakeSlack::browser_signed_in_as`] (who they are, and whether they press
//!   Allow or Cancel) and sends that `Cookie` header along. An unknown `client_id`
//!   or a `redirect_uri` the app does not list ([`FakeSlack::add_redirect_url`])
//!   gets an error page, as at Slack; a bad `response_type` or `scope` goes back to
//!   the redirect URL with `error`; Cancel with `error=access_denied`; Allow with a
//!   fresh `code` (valid 10 minutes, once). `state` is echoed. `team` is recorded and,
//!   as at Slack, only a hint: a person of another workspace still gets a code.
//!   Without a session the page asks the person to sign in (HTTP 200, no redirect).
//! - `openid.connect.token` (Tier 4): `client_id` and `client_secret` in the form
//!   (`client_secret_post`) or HTTP Basic (`client_secret_basic`); `grant_type`
//!   `authorization_code` (default); the code must be one this app got, unused and
//!   unexpired, and `redirect_uri` must equal the one the authorize step named.
//!   Errors: `invalid_grant_type`, `invalid_refresh_token` (no refresh tokens are
//!   issued), `invalid_client_id`, `bad_client_secret`, `invalid_code` (a reused
//!   code also revokes the token it gave), `bad_redirect_uri`. Answers
//!   `access_token` (`xoxp-…`), `token_type: Bearer` and an RS256 `id_token` signed by
//!   [`IdTokenSigner::shared`]: `iss` `https://slack.com`, `sub`, `aud`, `exp` (5
//!   minutes), `iat`, `auth_time`, `nonce` (when the authorize step had one),
//!   `at_hash`, `https://slack.com/{user_id,team_id}`, and with `profile` the name,
//!   with `email` the address.
//! - `openid.connect.userInfo` (Tier 3): the same claims for the access token
//!   (Bearer or `token`); `not_authed`, `invalid_auth`, `token_revoked`, and
//!   `not_allowed_token_type` for the bot's or the app's token.
//! - `GET /openid/connect/keys`: the key set (one RS256 key).
//!
//! Times in tokens follow the wall clock, whatever [`super::FakeSlackConfig::ts_base`]
//! says: they are checked against real time.

mod methods;
mod pages;
mod signer;

use std::collections::HashMap;
use std::time::Instant;

pub use signer::IdTokenSigner;

pub(crate) use methods::dispatch;
pub(crate) use pages::{authorize, keys};

use super::FakeSlack;

/// Path of the authorize page (a browser GET).
pub const AUTHORIZE_PATH: &str = "/openid/connect/authorize";
/// Path of the key set.
pub const KEYS_PATH: &str = "/openid/connect/keys";
/// Pseudo method names under which the two pages are recorded (see
/// [`FakeSlack::calls_to`]) and can be failed with [`FakeSlack::fail_next`].
pub const AUTHORIZE_METHOD: &str = "openid/connect/authorize";
pub const KEYS_METHOD: &str = "openid/connect/keys";
/// The name of the browser's Slack session cookie.
pub const SESSION_COOKIE: &str = "d";
/// How long a code may wait before the exchange (Slack: 10 minutes).
pub(crate) const CODE_LIFETIME_SECS: u64 = 600;

/// Someone with a Slack account, as Sign in with Slack describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlackPerson {
    pub user_id: String,
    pub team_id: String,
    pub name: String,
    pub email: String,
}

impl SlackPerson {
    /// A person of workspace `team_id`; the email is made up from the user id.
    pub fn new(user_id: &str, team_id: &str, name: &str) -> SlackPerson {
        SlackPerson {
            user_id: user_id.to_string(),
            team_id: team_id.to_string(),
            name: name.to_string(),
            email: format!("{}@example.com", user_id.to_lowercase()),
        }
    }
}

/// What the person presses on Slack's consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Cancel,
}

/// A code the authorize page handed out.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub client_id: String,
    /// The `redirect_uri` the authorize request named, which the exchange must repeat.
    pub redirect_uri: Option<String>,
    pub nonce: Option<String>,
    pub scopes: Vec<String>,
    pub person: SlackPerson,
    pub issued: Instant,
    /// The access token the code was exchanged for, once it was.
    pub exchanged_for: Option<String>,
}

/// An access token the exchange issued.
#[derive(Debug, Clone)]
pub(crate) struct Issued {
    pub person: SlackPerson,
    pub scopes: Vec<String>,
    pub revoked: bool,
}

/// The OpenID side of the fake's state.
#[derive(Debug, Default)]
pub(crate) struct OidcState {
    /// Browser session cookie values → who is signed in and what they will press.
    pub sessions: HashMap<String, (SlackPerson, Consent)>,
    pub redirect_urls: Vec<String>,
    pub grants: HashMap<String, Grant>,
    pub tokens: HashMap<String, Issued>,
    pub next: u64,
}

impl OidcState {
    pub fn next_id(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

impl FakeSlack {
    /// The Slack app's client id for Sign in with Slack.
    pub fn oidc_client_id(&self) -> String {
        self.shared.config.oidc_client_id.clone()
    }

    /// The Slack app's client secret.
    pub fn oidc_client_secret(&self) -> String {
        self.shared.config.oidc_client_secret.clone()
    }

    /// Adds `url` to the app's redirect URLs (`oauth_config.redirect_urls`). The
    /// authorize page refuses a `redirect_uri` that is neither one of them nor below
    /// one.
    pub fn add_redirect_url(&self, url: &str) {
        self.shared.lock().oidc.redirect_urls.push(url.to_string());
    }

    /// A browser signed in to Slack as `person`, who will press `consent` on the
    /// authorize page: the `Cookie` header to send with `GET /openid/connect/authorize`.
    pub fn browser_signed_in_as(&self, person: SlackPerson, consent: Consent) -> String {
        let mut state = self.shared.lock();
        let id = state.oidc.next_id();
        let session = format!("fake-session-{id}");
        state
            .oidc
            .sessions
            .insert(session.clone(), (person, consent));
        format!("{SESSION_COOKIE}={session}")
    }
}
