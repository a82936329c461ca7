//! conversations.*: creating and joining channels, topics, DMs, and reading history
//! and threads a page at a time.

use super::{Empty, SlackApi, SlackCallError, SlackResult};
use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;

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

#[derive(Deserialize)]
struct ChannelReply {
    channel: ChannelInfo,
}

#[derive(Deserialize)]
pub struct ChannelInfo {
    pub id: String,
    pub name: String,
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

impl SlackApi {
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

    /// The first message (newest first) since `oldest` for which `pick` says yes.
    pub(super) async fn scan_history<T>(
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
