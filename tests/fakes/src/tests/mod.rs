//! Tests proving the fake's strictness and the helpers' shapes.

mod backfill;
mod chat;
mod conversations;
mod deletes;
mod failures;
mod files;
mod github;
mod history;
mod interactions;
mod marks;
mod metadata;
mod oidc;
mod pagers;
mod payloads;
mod protocol;
mod scopes;
mod socket;
mod tiers;
mod views_inputs;
mod views_users;

use serde_json::Value;

use crate::FakeSlack;

pub(crate) const TOKEN: &str = "xoxb-test-token";

/// A tiny Web API client for the tests.
pub(crate) struct Client {
    pub slack: FakeSlack,
    http: reqwest::Client,
}

/// What came back: HTTP status, `Retry-After`, JSON body (`Null` if not JSON).
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
}

impl Answer {
    pub fn error(&self) -> Option<&str> {
        self.body.get("error").and_then(Value::as_str)
    }

    pub fn is_ok(&self) -> bool {
        self.status == 200 && self.body["ok"] == Value::Bool(true)
    }
}

impl Client {
    pub async fn start() -> Client {
        Client::with(FakeSlack::start().await)
    }

    pub fn with(slack: FakeSlack) -> Client {
        // In the workspace, reqwest is built with `rustls-no-provider` (for the bot's
        // sake), so a client needs a process-wide crypto provider first.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Client {
            slack,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.slack.api_url())
    }

    /// POSTs a JSON body with the bot token, as slack-morphism does.
    pub async fn json(&self, method: &str, body: Value) -> Answer {
        let req = self
            .http
            .post(self.url(method))
            .header("content-type", "application/json; charset=utf-8")
            .bearer_auth(TOKEN)
            .body(body.to_string());
        answer(req).await
    }

    /// POSTs a form body with the bot token.
    pub async fn form(&self, method: &str, pairs: &[(&str, &str)]) -> Answer {
        let req = self
            .http
            .post(self.url(method))
            .bearer_auth(TOKEN)
            .form(pairs);
        answer(req).await
    }

    /// GETs with query args and the bot token.
    pub async fn get(&self, method: &str, pairs: &[(&str, &str)]) -> Answer {
        let query = serde_urlencoded::to_string(pairs).unwrap();
        let req = self
            .http
            .get(format!("{}?{query}", self.url(method)))
            .bearer_auth(TOKEN);
        answer(req).await
    }

    pub async fn raw(&self, req: reqwest::RequestBuilder) -> Answer {
        answer(req).await
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Creates a channel through the API and returns its id.
    pub async fn create_channel(&self, name: &str) -> String {
        let a = self
            .json("conversations.create", serde_json::json!({ "name": name }))
            .await;
        assert!(a.is_ok(), "create {name}: {a:?}");
        a.body["channel"]["id"].as_str().unwrap().to_string()
    }

    /// Posts a text message and returns its ts.
    pub async fn post(&self, channel: &str, text: &str) -> String {
        let a = self
            .json(
                "chat.postMessage",
                serde_json::json!({ "channel": channel, "text": text }),
            )
            .await;
        assert!(a.is_ok(), "post: {a:?}");
        a.body["ts"].as_str().unwrap().to_string()
    }
}

async fn answer(req: reqwest::RequestBuilder) -> Answer {
    let res = req.send().await.expect("request to fake slack");
    let status = res.status().as_u16();
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let retry_after = header("retry-after");
    let content_type = header("content-type");
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer {
        status,
        retry_after,
        content_type,
        body,
    }
}
