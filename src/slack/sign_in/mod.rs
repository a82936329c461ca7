//! Sign in with Slack (OpenID Connect) for the web dashboard, restricted to one
//! workspace. Self-contained: the dashboard calls [`SlackSignIn::start`] from its
//! sign-in route and [`SlackSignIn::finish`] from its callback route, and opens its
//! own session on the [`SignedIn`] it gets back.
//!
//! # The flow
//! 1. [`SlackSignIn::start`] makes a random `state` and `nonce`, seals them with their
//!    expiry (10 minutes) into a cookie signed with HMAC-SHA256 under the key the
//!    caller passes ([`cookie`]), and returns the `Set-Cookie` value and Slack's
//!    authorize URL to redirect to: `response_type=code`, `scope=openid profile`,
//!    `client_id`, `redirect_uri`, `state`, `nonce` and `team` (which preselects the
//!    workspace; Slack treats it as a hint, hence the check in step 4).
//! 2. Slack sends the browser back to the callback with `code` and `state`, or with
//!    `error` (`access_denied` when the person cancels).
//! 3. [`SlackSignIn::finish`] checks the cookie's MAC and expiry, that its state is
//!    the callback's, and that this state was not used before (a state is spent on
//!    first use, before the code is exchanged). It then exchanges the code
//!    ([`exchange`]) for Slack's `id_token`.
//! 4. The `id_token` is verified ([`id_token`]): RS256 against the keys Slack
//!    publishes, issuer, audience, expiry, and the nonce from the cookie. The person
//!    is accepted only if its team id is the configured one.
//!
//! # Why the id_token and not `openid.connect.userInfo`
//! The id_token is the only place the nonce comes back, and the nonce is what ties
//! Slack's answer to this browser's sign-in; a nonce read from an unverified token
//! proves nothing, so the token is verified properly, with `jsonwebtoken`. It also
//! carries everything needed (`https://slack.com/user_id`, `https://slack.com/team_id`,
//! `name` with the `profile` scope), so `openid.connect.userInfo` would be a second
//! round trip telling nothing new. The access token is never kept.
//!
//! # Single use
//! A spent state is remembered in memory until its cookie expires; the callback
//! answer should also clear the cookie ([`SlackSignIn::clear_cookie`]). Slack itself
//! accepts each code once. With several Warroom replicas behind one address, each
//! remembers its own spent states; the cookie clearing and Slack's single-use codes
//! still hold.
//!
//! # What the Slack app needs
//! `oauth_config.redirect_urls` must list the callback URL (`public_url` +
//! [`CALLBACK_PATH`]) and `oauth_config.scopes.user` must hold `openid` and
//! `profile`; [`crate::config::sign_in`] checks Warroom's side of the settings.

mod cookie;
mod error;
mod exchange;
mod id_token;

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use axum::http::HeaderMap;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use subtle::ConstantTimeEq;
use url::Url;

pub use crate::config::sign_in::{
    CALLBACK_PATH, DEFAULT_SLACK_API_URL, SignInKeys, SignInSettings, settings_from_config,
};
pub use cookie::COOKIE_NAME;
pub use error::{SignInError, StateProblem};
pub use id_token::ISSUER;

/// Where the dashboard starts a sign-in (a suggestion: any path works).
pub const START_PATH: &str = "/dashboard/auth/slack";
/// What is asked of Slack: who the person is (`openid`) and their name (`profile`).
/// No `email`: nothing here needs it.
pub const SCOPE: &str = "openid profile";

/// How long a started sign-in may take, cookie included.
const FLOW_LIFETIME_SECS: i64 = 600;
/// Longest `code` passed on to Slack (Slack's are about 100 characters).
const MAX_CODE_LEN: usize = 512;

/// Where to send the browser, and the cookie to set on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInStart {
    /// Slack's authorize page with this sign-in's parameters: answer 302/303 to it.
    pub redirect_to: Url,
    /// The `Set-Cookie` header value binding this sign-in to the browser.
    pub set_cookie: String,
}

/// The callback's query string as Slack sends it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// `access_denied` when the person cancelled; another code on other failures.
    pub error: Option<String>,
}

/// A member of the configured workspace, as Slack vouched for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// `U…` (or `W…` on Enterprise Grid).
    pub user_id: String,
    /// Always the configured team id.
    pub team_id: String,
    /// The display name from Slack: outside text, to be escaped where shown.
    pub name: String,
}

/// Sign in with Slack for one workspace. Share one per process (it remembers spent
/// states and caches Slack's keys).
pub struct SlackSignIn {
    settings: SignInSettings,
    http: reqwest::Client,
    keys: id_token::Keys,
    /// Spent states, each until its cookie would have expired.
    spent: Mutex<HashMap<String, DateTime<Utc>>>,
}

impl SlackSignIn {
    pub fn new(settings: SignInSettings, http: reqwest::Client) -> Self {
        SlackSignIn {
            keys: id_token::Keys::new(settings.jwks_url.clone()),
            settings,
            http,
            spent: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &SignInSettings {
        &self.settings
    }

    /// Starts a sign-in. `key` signs the cookie: at least 32 random bytes that stay
    /// the same across restarts and replicas (the dashboard's session key will do;
    /// the MAC is labelled so the two cannot be confused).
    pub fn start(&self, key: &[u8], now: DateTime<Utc>) -> SignInStart {
        let flow = cookie::FlowCookie::new(now + Duration::seconds(FLOW_LIFETIME_SECS));
        let mut redirect_to = self.settings.authorize_url.clone();
        redirect_to
            .query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("scope", SCOPE)
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", self.settings.redirect_uri.as_str())
            .append_pair("state", &flow.state)
            .append_pair("nonce", &flow.nonce)
            .append_pair("team", &self.settings.team_id);
        let set_cookie = cookie::set_cookie(
            &self.settings.redirect_uri,
            &flow.seal(key),
            FLOW_LIFETIME_SECS,
        );
        SignInStart {
            redirect_to,
            set_cookie,
        }
    }

    /// The `Set-Cookie` value that removes the sign-in cookie: send it with every
    /// callback answer, success or not.
    pub fn clear_cookie(&self) -> String {
        cookie::set_cookie(&self.settings.redirect_uri, "", 0)
    }

    /// Completes a sign-in from the callback's request `headers` (for its cookies) and
    /// query. `key` is the one [`SlackSignIn::start`] used.
    pub async fn finish(
        &self,
        key: &[u8],
        headers: &HeaderMap,
        query: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, SignInError> {
        let result = self.complete(key, headers, query, now).await;
        match &result {
            Ok(person) => tracing::info!(
                user_id = %person.user_id,
                team_id = %person.team_id,
                "signed in with Slack"
            ),
            // Only an administrator can fix these: say so louder.
            Err(e @ SignInError::Slack { error })
                if matches!(
                    error.as_str(),
                    "bad_redirect_uri"
                        | "invalid_client_id"
                        | "bad_client_secret"
                        | "invalid_client"
                ) =>
            {
                tracing::warn!(error = %e, "Slack sign-in misconfigured")
            }
            Err(e) => tracing::info!(error = %e, "Slack sign-in refused"),
        }
        result
    }

    async fn complete(
        &self,
        key: &[u8],
        headers: &HeaderMap,
        query: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, SignInError> {
        if let Some(error) = &query.error {
            return Err(match error.as_str() {
                "access_denied" => SignInError::Cancelled,
                other => SignInError::Refused {
                    error: SignInError::slack_code(other),
                },
            });
        }
        let present = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
        let (Some(code), Some(state)) = (present(&query.code), present(&query.state)) else {
            return Err(SignInError::BadCallback);
        };
        if code.len() > MAX_CODE_LEN || code.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(SignInError::BadCallback);
        }
        let flow = self.spend_state(key, headers, &state, now)?;
        let id_token = exchange::Client {
            http: &self.http,
            api_url: &self.settings.api_url,
            client_id: &self.settings.client_id,
            client_secret: &self.settings.client_secret,
            redirect_uri: &self.settings.redirect_uri,
        }
        .exchange(&code)
        .await?;
        let signing_key = self.keys.for_token(&self.http, &id_token).await?;
        let person = id_token::check(
            &id_token,
            &signing_key,
            &self.settings.client_id,
            &flow.nonce,
            now,
        )?;
        if person.team_id != self.settings.team_id {
            return Err(SignInError::WrongWorkspace {
                team_id: person.team_id,
            });
        }
        Ok(SignedIn {
            user_id: person.user_id,
            team_id: person.team_id,
            name: person.name,
        })
    }

    /// The browser's flow whose state is `state`, spent by this call.
    fn spend_state(
        &self,
        key: &[u8],
        headers: &HeaderMap,
        state: &str,
        now: DateTime<Utc>,
    ) -> Result<cookie::FlowCookie, SignInError> {
        let mut problem = StateProblem::MissingCookie;
        let mut found = None;
        for value in cookie::values_in(headers) {
            match cookie::FlowCookie::open(value, key, now) {
                Ok(flow) if bool::from(flow.state.as_bytes().ct_eq(state.as_bytes())) => {
                    found = Some(flow);
                    break;
                }
                Ok(_) => problem = StateProblem::Mismatch,
                Err(p) if problem == StateProblem::MissingCookie => problem = p.into(),
                Err(_) => {}
            }
        }
        let flow = found.ok_or(SignInError::State(problem))?;
        let mut spent = self.spent();
        spent.retain(|_, expires| *expires > now);
        if spent.contains_key(&flow.state) {
            return Err(SignInError::State(StateProblem::Replayed));
        }
        spent.insert(flow.state.clone(), flow.expires);
        Ok(flow)
    }

    fn spent(&self) -> MutexGuard<'_, HashMap<String, DateTime<Utc>>> {
        self.spent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests;
