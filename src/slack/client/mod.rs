//! Outbound calls to the Slack Web API, over slack-morphism's HTTP transport (auth
//! header, `ok:false` decoding, 429 detection). Requests are sent as JSON so what we
//! send is exactly what Slack documents, sidestepping the crate's known request-model
//! gaps (a misspelled `user_ds` field on conversations.create, no `response_type` on
//! response_url replies). Every call has a timeout, and every failure is classified
//! so the outbox knows whether to retry.
//!
//! This module owns the transport: [`SlackApi`] and its construction, the per-call
//! timeout, the generic `post`/`post_detailed`/`get` helpers every method goes
//! through, [`SlackCallError`] (what failed, and whether retrying can help), the
//! mapping of reqwest failures for the calls made outside slack-morphism (their
//! `Retry-After` is read by [`crate::net::retry_after`], as the pagers' is), and the
//! Socket Mode URL (asked for with the app-level token).
//! The Slack methods themselves are grouped by family, each an `impl SlackApi` block:
//!
//! - `conversations`: conversations.create, invite, setTopic, open, list, history and
//!   replies;
//! - `chat`: chat.postMessage and chat.update, pins.add, views.open, and posts to a
//!   `response_url`;
//! - `files`: the files v2 upload (getUploadURLExternal, the bytes,
//!   completeUploadExternal);
//! - `users`: users.info and auth.test.

mod chat;
mod conversations;
mod files;
mod users;

pub use conversations::{ChannelInfo, Cursor, HistoryPage, InviteOutcome, ListedChannel};
pub use users::BotIdentity;

use crate::metrics::Metrics;
use crate::slack::health::{CallOutcome, SlackHealth};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::hyper_tokio::{SlackClientHyperConnector, SlackClientHyperHttpsConnector};
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;

type Connector = SlackClientHyperHttpsConnector;

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    token: Arc<SlackApiToken>,
    http: reqwest::Client,
    /// How long one call may take before it counts as a (retryable) failure.
    timeout: Duration,
    /// Where each call's latency and 429s are counted, by method.
    metrics: Arc<Metrics>,
    /// Whether Slack answers: every call's outcome lands here.
    health: Arc<SlackHealth>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlackCallError {
    /// Slack answered `ok:false` with this error code.
    #[error("slack error `{0}`")]
    Api(String),
    #[error("rate limited (retry after {0:?})")]
    RateLimited(Option<Duration>),
    #[error("HTTP {0}")]
    Http(u16),
    #[error("transport: {0}")]
    Transport(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The request could not even be built (an invalid URI, say): sending it again
    /// builds it the same way.
    #[error("the request could not be built: {0}")]
    Request(String),
}

impl SlackCallError {
    /// Errors that will not go away by retrying the same request.
    pub fn is_permanent(&self) -> bool {
        match self {
            SlackCallError::Api(code) => !matches!(
                code.as_str(),
                "ratelimited"
                    | "internal_error"
                    | "fatal_error"
                    | "service_unavailable"
                    | "request_timeout"
            ),
            SlackCallError::Http(status) => {
                (400..500).contains(status) && *status != 408 && *status != 429
            }
            SlackCallError::Request(_) => true,
            _ => false,
        }
    }
}

impl From<SlackClientError> for SlackCallError {
    fn from(e: SlackClientError) -> Self {
        match e {
            SlackClientError::ApiError(api) => SlackCallError::Api(api.code),
            SlackClientError::RateLimitError(r) => SlackCallError::RateLimited(r.retry_after),
            SlackClientError::HttpError(h) => SlackCallError::Http(h.status_code.as_u16()),
            SlackClientError::HttpProtocolError(p)
                if p.cause
                    .as_deref()
                    .is_some_and(|c| c.downcast_ref::<axum::http::Error>().is_some()) =>
            {
                SlackCallError::Request(p.to_string())
            }
            other => SlackCallError::Transport(other.to_string()),
        }
    }
}

pub type SlackResult<T> = Result<T, SlackCallError>;

#[derive(Deserialize)]
struct SocketUrlReply {
    url: String,
}

#[derive(Deserialize)]
struct Empty {}

impl SlackApi {
    /// Builds a client for `api_url` (e.g. `https://slack.com/api`, or a local fake).
    pub fn new(api_url: &str, bot_token: &SecretString, timeout: Duration) -> anyhow::Result<Self> {
        crate::tls::install_crypto_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| {
                anyhow::anyhow!("no TLS root certificates found (install ca-certificates): {e}")
            })?
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .build();
        let connector =
            SlackClientHyperConnector::with_connector(https).with_slack_api_url(api_url);
        let token = SlackApiToken::new(SlackApiTokenValue(bot_token.expose_secret().to_string()));
        let http = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self {
            client: Arc::new(SlackClient::new(connector)),
            token: Arc::new(token),
            http,
            timeout,
            metrics: Arc::default(),
            health: Arc::default(),
        })
    }

    /// Counts this client's calls in `metrics` (the application's registry).
    pub fn with_metrics(mut self, metrics: Arc<Metrics>) -> Self {
        self.metrics = metrics;
        self
    }

    /// Records this client's calls in `health` (the application's, on its clock).
    pub fn with_health(mut self, health: Arc<SlackHealth>) -> Self {
        self.health = health;
        self
    }

    /// Whether Slack has been answering this client's calls.
    pub fn health(&self) -> &Arc<SlackHealth> {
        &self.health
    }

    /// Runs one Web API call to `method` under the timeout, and counts it: how long it
    /// took, whether Slack answered 429, and whether Slack answered at all (the one
    /// place every Web API call passes, so [`SlackHealth`] sees them all).
    async fn timed<T>(
        &self,
        method: &str,
        call: impl Future<Output = Result<T, SlackClientError>>,
    ) -> SlackResult<Result<T, SlackClientError>> {
        let started = std::time::Instant::now();
        let result = tokio::time::timeout(self.timeout, call).await;
        let limited = matches!(result, Ok(Err(SlackClientError::RateLimitError(_))));
        self.metrics.slack_call(method, started.elapsed(), limited);
        self.health.record(match &result {
            Err(_) => CallOutcome::Failed,
            Ok(Ok(_)) => CallOutcome::Answered,
            Ok(Err(e)) => outcome_of(e),
        });
        result.map_err(|_| SlackCallError::Timeout(self.timeout))
    }

    async fn post<RS: DeserializeOwned + Send>(
        &self,
        method: &str,
        body: &Value,
    ) -> SlackResult<RS> {
        self.post_detailed(method, body)
            .await?
            .map_err(SlackCallError::from)
    }

    /// As [`SlackApi::post`], but an `ok:false` answer comes back whole (its `errors`
    /// array and body), for the methods whose errors say more than a code.
    async fn post_detailed<RS: DeserializeOwned + Send>(
        &self,
        method: &str,
        body: &Value,
    ) -> SlackResult<Result<RS, SlackClientError>> {
        let session = self.client.open_session(&self.token);
        let call = session.http_session_api.http_post(method, body, None);
        self.timed(method, call).await
    }

    async fn get<RS: DeserializeOwned + Send>(
        &self,
        method: &str,
        params: &[(&str, Option<String>)],
    ) -> SlackResult<RS> {
        let session = self.client.open_session(&self.token);
        let params: Vec<(&str, Option<&String>)> =
            params.iter().map(|(k, v)| (*k, v.as_ref())).collect();
        let call = session.http_session_api.http_get(method, &params, None);
        self.timed(method, call)
            .await?
            .map_err(SlackCallError::from)
    }

    /// A Socket Mode WebSocket URL, asked for with the app-level token.
    pub async fn socket_url(&self, app_token: &SecretString) -> SlackResult<String> {
        let token = SlackApiToken::new(SlackApiTokenValue(app_token.expose_secret().to_string()));
        let session = self.client.open_session(&token);
        let body = json!({});
        let method = "apps.connections.open";
        let call = session
            .http_session_api
            .http_post::<_, SocketUrlReply>(method, &body, None);
        Ok(self.timed(method, call).await??.url)
    }
}

/// What a failed call says of Slack: an answer (`ok:false`, 429, a 4xx) is Slack up;
/// a 5xx or a transport error is nobody answering for it.
fn outcome_of(e: &SlackClientError) -> CallOutcome {
    match e {
        SlackClientError::ApiError(_) | SlackClientError::RateLimitError(_) => {
            CallOutcome::Answered
        }
        SlackClientError::HttpError(h) => CallOutcome::of_status(h.status_code.as_u16()),
        _ => CallOutcome::Failed,
    }
}

/// A reqwest failure, without the URL (it may hold a token): one that happened while
/// building the request is permanent, the rest (connect, timeout) are not.
fn reqwest_error(e: reqwest::Error) -> SlackCallError {
    let e = e.without_url();
    if e.is_builder() {
        SlackCallError::Request(e.to_string())
    } else if e.is_timeout() {
        SlackCallError::Timeout(Duration::ZERO)
    } else {
        SlackCallError::Transport(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_and_auth_errors_are_permanent_but_rate_limits_and_outages_are_not() {
        for code in [
            "channel_not_found",
            "not_in_channel",
            "invalid_auth",
            "invalid_blocks",
        ] {
            assert!(SlackCallError::Api(code.into()).is_permanent(), "{code}");
        }
        assert!(!SlackCallError::Api("internal_error".into()).is_permanent());
        assert!(!SlackCallError::RateLimited(None).is_permanent());
        assert!(!SlackCallError::Http(503).is_permanent());
        assert!(!SlackCallError::Timeout(Duration::from_secs(15)).is_permanent());
        assert!(SlackCallError::Http(404).is_permanent());
    }

    #[test]
    fn a_request_that_cannot_be_built_is_permanent() {
        // What slack-morphism reports when the URI it builds is invalid.
        let bad_uri = axum::http::Request::builder()
            .uri("http://exa mple/ bad")
            .body(())
            .unwrap_err();
        let e = SlackCallError::from(SlackClientError::from(bad_uri));
        assert!(matches!(e, SlackCallError::Request(_)), "{e:?}");
        assert!(e.is_permanent());
    }
}
