//! Outbound calls to the Slack Web API, over slack-morphism's HTTP transport (auth
//! header, `ok:false` decoding, 429 detection). Requests are sent as JSON so what we
//! send is exactly what Slack documents, sidestepping the crate's known request-model
//! gaps (a misspelled `user_ds` field on conversations.create, no `response_type` on
//! response_url replies). Every call has a timeout, and every failure is classified
//! so the outbox knows whether to retry.

use crate::domain::Person;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::hyper_tokio::{SlackClientHyperConnector, SlackClientHyperHttpsConnector};
use slack_morphism::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// The metadata event type that marks a message as posted by the outbox.
const OUTBOX_EVENT_TYPE: &str = "warroom_outbox";

type Connector = SlackClientHyperHttpsConnector;

#[derive(Clone)]
pub struct SlackApi {
    client: Arc<SlackClient<Connector>>,
    token: Arc<SlackApiToken>,
    http: reqwest::Client,
    /// How long one call may take before it counts as a (retryable) failure.
    timeout: Duration,
}

/// What `conversations.invite` could not do. Nobody in here will join by retrying
/// (a deactivated account, an unknown id): the rest were invited.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InviteOutcome {
    /// `(user, Slack's error for them)`.
    pub not_invited: Vec<(String, String)>,
}

/// Errors `conversations.invite` gives about one listed user rather than the call.
const PER_USER_INVITE_ERRORS: &[&str] = &[
    "already_in_channel",
    "cant_invite",
    "cant_invite_self",
    "user_not_found",
    "user_disabled",
    "user_is_deactivated",
    "user_is_restricted",
    "user_is_ultra_restricted",
    "ura_max_channels",
    "not_allowed_token_type",
];

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
struct ChannelReply {
    channel: ChannelInfo,
}

#[derive(Deserialize)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
}

#[derive(Deserialize)]
struct SocketUrlReply {
    url: String,
}

/// Who the bot is, from `auth.test`.
#[derive(Debug, Clone, Deserialize)]
pub struct BotIdentity {
    pub user_id: String,
    pub bot_id: Option<String>,
}

/// One page of `conversations.history` or `conversations.replies`.
#[derive(Debug, Deserialize)]
pub struct HistoryPage {
    #[serde(default)]
    pub messages: Vec<serde_json::Value>,
    #[serde(default)]
    pub has_more: bool,
    pub response_metadata: Option<Cursor>,
}

#[derive(Debug, Deserialize)]
pub struct Cursor {
    pub next_cursor: Option<String>,
}

impl HistoryPage {
    pub fn next_cursor(&self) -> Option<String> {
        self.response_metadata
            .as_ref()?
            .next_cursor
            .clone()
            .filter(|c| !c.is_empty())
    }
}

#[derive(Deserialize)]
struct ListReply {
    #[serde(default)]
    channels: Vec<ListedChannel>,
    response_metadata: Option<Cursor>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ListedChannel {
    pub id: String,
    pub name: String,
    pub creator: Option<String>,
}

#[derive(Deserialize)]
struct OpenReply {
    channel: OpenedChannel,
}

#[derive(Deserialize)]
struct OpenedChannel {
    id: String,
}

#[derive(Deserialize)]
struct PostReply {
    ts: String,
}

#[derive(Deserialize)]
struct Empty {}

#[derive(Deserialize)]
struct UserReply {
    user: UserInfo,
}

#[derive(Deserialize)]
struct UserInfo {
    id: String,
    name: Option<String>,
    real_name: Option<String>,
    #[serde(default)]
    is_bot: bool,
    #[serde(default)]
    profile: UserProfile,
}

#[derive(Deserialize, Default)]
struct UserProfile {
    real_name: Option<String>,
    display_name: Option<String>,
    title: Option<String>,
}

#[derive(Deserialize)]
struct UploadUrlReply {
    upload_url: String,
    file_id: String,
}

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
        })
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
        tokio::time::timeout(self.timeout, call)
            .await
            .map_err(|_| SlackCallError::Timeout(self.timeout))
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
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => result.map_err(SlackCallError::from),
            Err(_) => Err(SlackCallError::Timeout(self.timeout)),
        }
    }

    pub async fn create_channel(&self, name: &str, private: bool) -> SlackResult<ChannelInfo> {
        let reply: ChannelReply = self
            .post(
                "conversations.create",
                &json!({"name": name, "is_private": private}),
            )
            .await?;
        Ok(reply.channel)
    }

    /// Invites `users`. Slack's invite is all-or-nothing (one user already in, or
    /// unable to join, and nobody is invited), so it is sent with `force`: the valid
    /// users join whatever the others' trouble. A user already in the channel counts
    /// as done; the others that could not be invited are returned.
    pub async fn invite(&self, channel: &str, users: &[String]) -> SlackResult<InviteOutcome> {
        let body = json!({"channel": channel, "users": users.join(","), "force": true});
        let err = match self
            .post_detailed::<Empty>("conversations.invite", &body)
            .await?
        {
            Ok(_) => return Ok(InviteOutcome::default()),
            Err(SlackClientError::ApiError(api)) => api,
            Err(other) => return Err(other.into()),
        };
        let mut per_user = invite_errors(err.http_response_body.as_deref());
        if per_user.is_empty()
            && users.len() == 1
            && PER_USER_INVITE_ERRORS.contains(&err.code.as_str())
        {
            per_user.push((users[0].clone(), err.code.clone()));
        }
        if per_user.is_empty() {
            return Err(SlackCallError::Api(err.code));
        }
        per_user.retain(|(_, code)| code != "already_in_channel");
        Ok(InviteOutcome {
            not_invited: per_user,
        })
    }

    /// A Socket Mode WebSocket URL, asked for with the app-level token.
    pub async fn socket_url(&self, app_token: &SecretString) -> SlackResult<String> {
        let token = SlackApiToken::new(SlackApiTokenValue(app_token.expose_secret().to_string()));
        let session = self.client.open_session(&token);
        let body = json!({});
        let call = session.http_session_api.http_post::<_, SocketUrlReply>(
            "apps.connections.open",
            &body,
            None,
        );
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => Ok(result.map_err(SlackCallError::from)?.url),
            Err(_) => Err(SlackCallError::Timeout(self.timeout)),
        }
    }

    pub async fn identity(&self) -> SlackResult<BotIdentity> {
        self.post("auth.test", &json!({})).await
    }

    /// Messages in `channel` after `oldest` (exclusive), newest first, one page.
    pub async fn history(
        &self,
        channel: &str,
        oldest: &str,
        cursor: Option<String>,
    ) -> SlackResult<HistoryPage> {
        let params = [
            ("channel", Some(channel.to_string())),
            ("oldest", Some(oldest.to_string())),
            ("limit", Some("200".to_string())),
            ("include_all_metadata", Some("true".to_string())),
            ("cursor", cursor),
        ];
        self.get("conversations.history", &params).await
    }

    /// A thread's messages after `oldest`, parent first.
    pub async fn replies(
        &self,
        channel: &str,
        thread_ts: &str,
        oldest: &str,
        cursor: Option<String>,
    ) -> SlackResult<HistoryPage> {
        let params = [
            ("channel", Some(channel.to_string())),
            ("ts", Some(thread_ts.to_string())),
            ("oldest", Some(oldest.to_string())),
            ("limit", Some("200".to_string())),
            ("include_all_metadata", Some("true".to_string())),
            ("cursor", cursor),
        ];
        self.get("conversations.replies", &params).await
    }

    /// The channel called `name`, if any (walks `conversations.list`).
    pub async fn find_channel(&self, name: &str) -> SlackResult<Option<ListedChannel>> {
        let mut cursor: Option<String> = None;
        loop {
            let params = [
                ("types", Some("public_channel,private_channel".to_string())),
                ("exclude_archived", Some("true".to_string())),
                ("limit", Some("1000".to_string())),
                ("cursor", cursor.clone()),
            ];
            let page: ListReply = self.get("conversations.list", &params).await?;
            if let Some(found) = page.channels.into_iter().find(|c| c.name == name) {
                return Ok(Some(found));
            }
            match page
                .response_metadata
                .and_then(|m| m.next_cursor)
                .filter(|c| !c.is_empty())
            {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    /// The bot's DM channel with `user` (opened if need be).
    pub async fn open_dm(&self, user: &str) -> SlackResult<String> {
        let reply: OpenReply = self
            .post("conversations.open", &json!({"users": user}))
            .await?;
        Ok(reply.channel.id)
    }

    pub async fn set_topic(&self, channel: &str, topic: &str) -> SlackResult<()> {
        let _: Empty = self
            .post(
                "conversations.setTopic",
                &json!({"channel": channel, "topic": topic}),
            )
            .await?;
        Ok(())
    }

    /// Posts a message; returns its `ts`.
    /// Posts a message; returns its `ts`.
    pub async fn post_message(
        &self,
        channel: &str,
        text: &str,
        blocks: Option<&Value>,
    ) -> SlackResult<String> {
        self.post_keyed(channel, text, blocks, None).await
    }

    /// Posts a message carrying `key` in its metadata, so a retry can tell whether an
    /// earlier attempt got through (see [`SlackApi::find_posted`]).
    pub async fn post_keyed(
        &self,
        channel: &str,
        text: &str,
        blocks: Option<&Value>,
        key: Option<&str>,
    ) -> SlackResult<String> {
        let mut body = json!({"channel": channel, "text": text, "unfurl_links": false});
        if let Some(blocks) = blocks {
            body["blocks"] = blocks.clone();
        }
        if let Some(key) = key {
            body["metadata"] =
                json!({"event_type": OUTBOX_EVENT_TYPE, "event_payload": {"key": key}});
        }
        let reply: PostReply = self.post("chat.postMessage", &body).await?;
        Ok(reply.ts)
    }

    /// The `ts` of the message in `channel` posted with `key` since `oldest`, if any.
    /// Pages back through history as far as `oldest`: a busy war room can bury a
    /// post under hundreds of messages before its retry looks.
    pub async fn find_posted(
        &self,
        channel: &str,
        key: &str,
        oldest: &str,
    ) -> SlackResult<Option<String>> {
        self.scan_history(channel, oldest, |m| {
            let meta = m.get("metadata")?;
            let ours = meta.get("event_type")?.as_str()? == OUTBOX_EVENT_TYPE
                && meta.get("event_payload")?.get("key")?.as_str()? == key;
            if ours {
                m.get("ts")?.as_str().map(str::to_string)
            } else {
                None
            }
        })
        .await
    }

    /// Whether the file `file_id` was shared into `channel` since `oldest` (the share
    /// is a message carrying the file).
    pub async fn find_file_share(
        &self,
        channel: &str,
        file_id: &str,
        oldest: &str,
    ) -> SlackResult<bool> {
        let found = self
            .scan_history(channel, oldest, |m| {
                m.get("files")?
                    .as_array()?
                    .iter()
                    .any(|f| f.get("id").and_then(|id| id.as_str()) == Some(file_id))
                    .then_some(())
            })
            .await?;
        Ok(found.is_some())
    }

    /// The first message (newest first) since `oldest` for which `pick` says yes.
    async fn scan_history<T>(
        &self,
        channel: &str,
        oldest: &str,
        mut pick: impl FnMut(&Value) -> Option<T>,
    ) -> SlackResult<Option<T>> {
        let mut cursor = None;
        loop {
            let page = self.history(channel, oldest, cursor).await?;
            if let Some(found) = page.messages.iter().find_map(&mut pick) {
                return Ok(Some(found));
            }
            match page.next_cursor() {
                Some(next) => cursor = Some(next),
                None => return Ok(None),
            }
        }
    }

    pub async fn update_message(
        &self,
        channel: &str,
        ts: &str,
        text: &str,
        blocks: Option<&Value>,
    ) -> SlackResult<()> {
        let mut body = json!({"channel": channel, "ts": ts, "text": text});
        if let Some(blocks) = blocks {
            body["blocks"] = blocks.clone();
        }
        let _: Empty = self.post("chat.update", &body).await?;
        Ok(())
    }

    pub async fn pin(&self, channel: &str, ts: &str) -> SlackResult<()> {
        match self
            .post::<Empty>("pins.add", &json!({"channel": channel, "timestamp": ts}))
            .await
        {
            Err(SlackCallError::Api(code)) if code == "already_pinned" => Ok(()),
            other => other.map(|_| ()),
        }
    }

    pub async fn user_info(&self, user: &str) -> SlackResult<Person> {
        let reply: UserReply = self
            .get("users.info", &[("user", Some(user.to_string()))])
            .await?;
        let u = reply.user;
        let name = crate::domain::display_name(
            [
                u.profile.real_name.as_deref(),
                u.real_name.as_deref(),
                u.profile.display_name.as_deref(),
                u.name.as_deref(),
            ],
            &u.id,
        );
        Ok(Person {
            title: u.profile.title.filter(|t| !t.trim().is_empty()),
            kind: if u.is_bot {
                crate::domain::PersonKind::Bot
            } else {
                crate::domain::PersonKind::Human
            },
            user_id: u.id,
            name,
        })
    }

    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> SlackResult<()> {
        let _: Empty = self
            .post(
                "views.open",
                &json!({"trigger_id": trigger_id, "view": view}),
            )
            .await?;
        Ok(())
    }

    /// Step one of a files v2 upload (files.upload v1 is retired): an upload URL and
    /// the id the file will have.
    pub async fn upload_url(&self, filename: &str, length: usize) -> SlackResult<(String, String)> {
        let reply: UploadUrlReply = self
            .get(
                "files.getUploadURLExternal",
                &[
                    ("filename", Some(filename.to_string())),
                    ("length", Some(length.to_string())),
                ],
            )
            .await?;
        Ok((reply.upload_url, reply.file_id))
    }

    /// Step two: the bytes, to the upload URL.
    pub async fn send_upload(&self, upload_url: &str, content: &str) -> SlackResult<()> {
        let sent = self
            .http
            .post(upload_url)
            .header("content-type", "text/markdown; charset=utf-8")
            .body(content.to_string())
            .send()
            .await
            .map_err(reqwest_error)?;
        if !sent.status().is_success() {
            return Err(SlackCallError::Http(sent.status().as_u16()));
        }
        Ok(())
    }

    /// Step three: share the uploaded file into `channel`.
    pub async fn complete_upload(
        &self,
        channel: &str,
        file_id: &str,
        title: &str,
        initial_comment: &str,
    ) -> SlackResult<()> {
        let _: Empty = self
            .post(
                "files.completeUploadExternal",
                &json!({
                    "files": [{"id": file_id, "title": title}],
                    "channel_id": channel,
                    "initial_comment": initial_comment,
                }),
            )
            .await?;
        Ok(())
    }

    /// Posts to a slash command's `response_url` (slack-morphism's helper cannot set
    /// `response_type`).
    pub async fn respond(&self, response_url: &str, body: &Value) -> SlackResult<()> {
        let sent = self
            .http
            .post(response_url)
            .json(body)
            .send()
            .await
            .map_err(reqwest_error)?;
        match sent.status().as_u16() {
            200..=299 => Ok(()),
            429 => Err(SlackCallError::RateLimited(retry_after(sent.headers()))),
            status => Err(SlackCallError::Http(status)),
        }
    }
}

/// The `errors` array of a failed `conversations.invite`: `{user, ok, error}` per user.
fn invite_errors(body: Option<&str>) -> Vec<(String, String)> {
    let Some(parsed) = body.and_then(|b| serde_json::from_str::<Value>(b).ok()) else {
        return Vec::new();
    };
    parsed["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let user = e.get("user")?.as_str()?;
            let code = e.get("error")?.as_str()?;
            Some((user.to_string(), code.to_string()))
        })
        .collect()
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

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
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
