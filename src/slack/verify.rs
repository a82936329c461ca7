//! Request authenticity: every Slack request carries `X-Slack-Signature` (HMAC-SHA256
//! of `v0:{timestamp}:{body}` with the signing secret) and `X-Slack-Request-Timestamp`,
//! which must be within 5 minutes. The check is slack-morphism's verifier.

use crate::error::AppError;
use axum::http::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::prelude::SlackSigningSecret;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

#[derive(Clone)]
pub struct RequestVerifier(SlackEventSignatureVerifier);

impl RequestVerifier {
    pub fn new(signing_secret: &SecretString) -> Self {
        let secret = SlackSigningSecret::new(signing_secret.expose_secret().to_string());
        Self(SlackEventSignatureVerifier::new(&secret))
    }

    /// The body as text once it is proven to come from Slack. Nothing is parsed or
    /// stored before this passes.
    pub fn verify<'b>(&self, headers: &HeaderMap, body: &'b [u8]) -> Result<&'b str, AppError> {
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| AppError::Unauthorized(format!("missing {name} header")))
        };
        let signature = header(SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER)?;
        let timestamp = header(SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP)?;
        let body = std::str::from_utf8(body)
            .map_err(|_| AppError::BadRequest("body is not UTF-8".into()))?;
        self.0
            .verify(signature, body, timestamp)
            .map_err(|e| AppError::Unauthorized(e.to_string()))?;
        Ok(body)
    }
}
