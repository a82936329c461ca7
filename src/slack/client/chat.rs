//! Messages and what hangs off them: chat.postMessage and chat.update (with the
//! outbox's idempotency key in message metadata), pins.add, views.open, and replies to
//! a command's or button's `response_url`.

use super::{Empty, SlackApi, SlackCallError, SlackResult, reqwest_error};
use crate::net::retry_after;
use serde::Deserialize;
use serde_json::{Value, json};

/// The metadata event type that marks a message as posted by the outbox.
const OUTBOX_EVENT_TYPE: &str = "warroom_outbox";

#[derive(Deserialize)]
struct PostReply {
    ts: String,
}

impl SlackApi {
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

    /// [`SlackApi::post_keyed`] with more fields in the metadata beside the key
    /// (`extra`, a JSON object): what the message is about, in a form a program
    /// reading the channel can trust more than its text.
    pub async fn post_keyed_with(
        &self,
        channel: &str,
        text: &str,
        key: &str,
        extra: &Value,
    ) -> SlackResult<String> {
        let mut payload = json!({"key": key});
        if let (Some(all), Some(more)) = (payload.as_object_mut(), extra.as_object()) {
            for (k, v) in more {
                all.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        let body = json!({"channel": channel, "text": text, "unfurl_links": false,
            "metadata": {"event_type": OUTBOX_EVENT_TYPE, "event_payload": payload}});
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

    pub async fn open_view(&self, trigger_id: &str, view: &Value) -> SlackResult<()> {
        let _: Empty = self
            .post(
                "views.open",
                &json!({"trigger_id": trigger_id, "view": view}),
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
