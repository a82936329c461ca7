//! Signed slash commands (`/incident …`), as Slack POSTs them to `/slack/commands`.

use crate::sign::{SIGNATURE_HEADER, Signer, TIMESTAMP_HEADER};
use anyhow::Context;
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use warroom_fakes::payloads;

/// The channel where incidents are declared (any non-war-room channel works).
pub const DECLARE_CHANNEL: &str = "C0INCIDENTS";

pub struct SlashClient {
    endpoint: String,
    signer: Signer,
    http: reqwest::Client,
    /// Where the server may POST delayed answers, e.g. the fake Slack's response URLs.
    response_url_base: String,
    counter: AtomicU64,
}

/// One command's answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub latency: Duration,
    pub body: Value,
}

impl SlashClient {
    pub fn new(url: &str, signing_secret: &str, response_url_base: &str) -> anyhow::Result<Self> {
        Ok(SlashClient {
            endpoint: format!("{}/slack/commands", url.trim_end_matches('/')),
            signer: Signer::new(signing_secret),
            http: crate::load::client(Duration::from_secs(30))?,
            response_url_base: response_url_base.trim_end_matches('/').to_string(),
            counter: AtomicU64::new(0),
        })
    }

    /// Runs `/incident <text>` as `user` in `channel`, timing send → response headers.
    pub async fn run(&self, user: &str, channel: &str, text: &str) -> anyhow::Result<Answer> {
        let n = self.counter.fetch_add(1, Ordering::Relaxed) + 1;
        let form = payloads::slash_command_form(
            &format!("/incident {text}"),
            channel,
            user,
            &user.to_lowercase(),
            &format!("{}/bench{n}", self.response_url_base),
            &payloads::trigger_id(n),
        );
        let (signature, timestamp) = self.signer.headers_now(form.as_bytes());
        let t0 = Instant::now();
        let res = self
            .http
            .post(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(SIGNATURE_HEADER, signature)
            .header(TIMESTAMP_HEADER, timestamp)
            .body(form)
            .send()
            .await
            .with_context(|| format!("POST {}", self.endpoint))?;
        let latency = t0.elapsed();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        Ok(Answer {
            status,
            latency,
            body: serde_json::from_str(&body).unwrap_or(Value::Null),
        })
    }

    /// Declares an incident; returns its number from the answer.
    pub async fn declare(&self, user: &str, title: &str) -> anyhow::Result<(i64, Answer)> {
        let answer = self
            .run(user, DECLARE_CHANNEL, &format!("declare {title} sev2"))
            .await?;
        let id = incident_number(&answer.body).with_context(|| {
            format!(
                "`declare` answered {} {}, not `Declared incident #N`",
                answer.status, answer.body
            )
        })?;
        Ok((id, answer))
    }
}

/// The `N` in `… Declared incident #N: …`.
pub fn incident_number(body: &Value) -> Option<i64> {
    body["text"]
        .as_str()?
        .split("incident #")
        .nth(1)?
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_incident_number_in_the_answer() {
        let body = serde_json::json!({"response_type": "ephemeral",
            "text": ":rotating_light: Declared incident #42: *DB down* (SEV2). Opening the war room now"});
        assert_eq!(incident_number(&body), Some(42));
        assert_eq!(incident_number(&serde_json::json!({"text": "nope"})), None);
        assert_eq!(incident_number(&Value::Null), None);
    }
}
