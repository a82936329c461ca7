//! The code exchange: `POST {api_url}/openid.connect.token`, form-encoded, with the
//! client id and secret in the body (`client_secret_post`, which Slack supports), the
//! code, the same `redirect_uri` the authorize step named (Slack requires it when one
//! was sent) and `grant_type=authorization_code`.
//!
//! Slack answers HTTP 200 with `{"ok":false,"error":…}` when it refuses
//! (`invalid_code`, `bad_redirect_uri`, `invalid_client_id`, `bad_client_secret`, …),
//! HTTP 429 with `Retry-After` when rate-limited (the method is Tier 4), and
//! `{"ok":true,"access_token","token_type","id_token"}` otherwise. Only the
//! `id_token` is read: the access token (a user token good for
//! `openid.connect.userInfo`) is never deserialized, so it is not kept anywhere.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use url::Url;

use super::error::SignInError;

const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
struct TokenAnswer {
    ok: bool,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    id_token: Option<String>,
}

/// What the exchange needs from the sign-in's settings.
pub struct Client<'a> {
    pub http: &'a reqwest::Client,
    pub api_url: &'a Url,
    pub client_id: &'a str,
    pub client_secret: &'a SecretString,
    pub redirect_uri: &'a Url,
}

impl Client<'_> {
    /// Trades `code` for Slack's `id_token`.
    pub async fn exchange(&self, code: &str) -> Result<String, SignInError> {
        let url = format!(
            "{}/openid.connect.token",
            self.api_url.as_str().trim_end_matches('/')
        );
        let unavailable =
            |what: String| SignInError::Unavailable(format!("openid.connect.token: {what}"));
        let response = self
            .http
            .post(url)
            .timeout(TIMEOUT)
            .form(&[
                ("client_id", self.client_id),
                ("client_secret", self.client_secret.expose_secret()),
                ("code", code),
                ("redirect_uri", self.redirect_uri.as_str()),
                ("grant_type", "authorization_code"),
            ])
            .send()
            .await
            // without_url: the URL holds nothing secret, but the log needs none of it.
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(SignInError::Slack {
                error: "ratelimited".into(),
            });
        }
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| unavailable("the answer is not Slack's JSON".into()))?;
        if !answer.ok {
            let error = SignInError::slack_code(answer.error.as_deref().unwrap_or(""));
            return Err(SignInError::Slack { error });
        }
        answer.id_token.filter(|t| !t.is_empty()).ok_or_else(|| {
            SignInError::IdToken("Slack returned none (is `openid` in the scope?)".into())
        })
    }
}
