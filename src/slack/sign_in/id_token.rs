//! The `id_token` Slack returns with the code exchange: an RS256 JWT signed by one
//! of the keys Slack publishes at `https://slack.com/openid/connect/keys`. It is
//! checked with `jsonwebtoken` against those keys only (never a key named in the
//! token's own header), then its claims against this sign-in: issuer
//! `https://slack.com`, audience our client id, not expired (against the clock
//! Warroom runs on, with a minute's leeway), issued no later than a minute from
//! now, and the nonce this browser's cookie holds.
//!
//! [`Keys`] caches Slack's key set for an hour and fetches it again sooner only for
//! a key id it does not know (Slack rotating keys), at most once a minute.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use url::Url;

use super::error::SignInError;
use crate::domain::{IdKind, is_slack_id};

/// `iss` of every Slack id_token.
pub const ISSUER: &str = "https://slack.com";
/// Clock difference tolerated between Slack and Warroom.
const LEEWAY_SECS: i64 = 60;
const KEYS_FRESH_FOR: Duration = Duration::from_secs(3600);
const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(60);
/// Longer display names are cut: the name is only shown, never compared.
const MAX_NAME_CHARS: usize = 200;

/// Who the token says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user_id: String,
    pub team_id: String,
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    iat: Option<i64>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(rename = "https://slack.com/team_id", default)]
    team_id: Option<String>,
    #[serde(rename = "https://slack.com/user_id", default)]
    user_id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Verifies `token`'s signature with `key` and its claims for this sign-in.
pub fn check(
    token: &str,
    key: &DecodingKey,
    client_id: &str,
    nonce: &str,
    now: DateTime<Utc>,
) -> Result<Identity, SignInError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    // Expiry is checked below against Warroom's clock, not the system's.
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation)
        .map_err(|e| SignInError::IdToken(e.to_string()))?
        .claims;
    let now = now.timestamp();
    if claims.exp + LEEWAY_SECS < now {
        return Err(SignInError::IdToken("it has expired".into()));
    }
    if claims.iat.is_some_and(|iat| iat > now + LEEWAY_SECS) {
        return Err(SignInError::IdToken("it was issued in the future".into()));
    }
    // The nonce ties the token to this browser's sign-in: a token obtained for
    // another sign-in (replayed or injected) carries another nonce.
    let same_nonce = claims.nonce.as_deref().is_some_and(|n| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            n.as_bytes(),
            nonce.as_bytes(),
        ))
    });
    if !same_nonce {
        return Err(SignInError::IdToken(
            "its nonce is not this sign-in's".into(),
        ));
    }
    let user_id = claims.user_id.unwrap_or(claims.sub);
    if !is_slack_id(&user_id, IdKind::User) {
        return Err(SignInError::IdToken("it names no Slack user".into()));
    }
    let team_id = claims
        .team_id
        .filter(|t| is_slack_id(t, IdKind::Team))
        .ok_or_else(|| SignInError::IdToken("it names no Slack workspace".into()))?;
    let name: String = claims
        .name
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    Ok(Identity {
        user_id,
        team_id,
        name,
    })
}

/// Slack's published signing keys, fetched when needed.
pub struct Keys {
    url: Url,
    cached: tokio::sync::Mutex<Option<Fetched>>,
}

struct Fetched {
    set: JwkSet,
    at: Instant,
}

impl Keys {
    pub fn new(url: Url) -> Self {
        Keys {
            url,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The key `token` names (its `kid`), from the cached set or a fresh one.
    pub async fn for_token(
        &self,
        http: &reqwest::Client,
        token: &str,
    ) -> Result<DecodingKey, SignInError> {
        let header = jsonwebtoken::decode_header(token)
            .map_err(|e| SignInError::IdToken(format!("unreadable header: {e}")))?;
        if header.alg != Algorithm::RS256 {
            return Err(SignInError::IdToken(format!(
                "it is signed with {:?}, not RS256",
                header.alg
            )));
        }
        let kid = header.kid.unwrap_or_default();
        // Held across the fetch, so concurrent sign-ins fetch once.
        let mut cached = self.cached.lock().await;
        let stale = match cached.as_ref() {
            None => true,
            Some(f) => {
                f.at.elapsed() >= KEYS_FRESH_FOR
                    || (f.set.find(&kid).is_none() && f.at.elapsed() >= MIN_REFETCH_INTERVAL)
            }
        };
        if stale {
            let set = self.fetch(http).await?;
            *cached = Some(Fetched {
                set,
                at: Instant::now(),
            });
        }
        let jwk = cached
            .as_ref()
            .and_then(|f| f.set.find(&kid))
            .ok_or_else(|| {
                SignInError::IdToken("it is signed with a key Slack does not publish".into())
            })?;
        DecodingKey::from_jwk(jwk).map_err(|e| SignInError::IdToken(format!("unusable key: {e}")))
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<JwkSet, SignInError> {
        let unavailable = |what: String| SignInError::Unavailable(format!("Slack's keys: {what}"));
        let response = http
            .get(self.url.clone())
            .send()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!("HTTP {status}")));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| unavailable(e.without_url().to_string()))?;
        serde_json::from_slice(&body).map_err(|e| unavailable(format!("not a key set: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};
    use warroom_fakes::IdTokenSigner;

    const CLIENT_ID: &str = "2141029472.691202649728";
    const NONCE: &str = "n0nce";

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn claims() -> Value {
        let now = now().timestamp();
        json!({
            "iss": ISSUER,
            "sub": "U0ALICE01",
            "aud": CLIENT_ID,
            "exp": now + 300,
            "iat": now,
            "auth_time": now,
            "nonce": NONCE,
            "https://slack.com/team_id": "T0TEAM0001",
            "https://slack.com/user_id": "U0ALICE01",
            "name": "Alice",
        })
    }

    fn with(changes: &[(&str, Value)]) -> Value {
        let mut claims = claims();
        for (key, value) in changes {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(*key);
            } else {
                claims[*key] = value.clone();
            }
        }
        claims
    }

    fn verify(signer: &IdTokenSigner, claims: &Value) -> Result<Identity, SignInError> {
        check(
            &signer.sign(claims),
            &key_of(signer),
            CLIENT_ID,
            NONCE,
            now(),
        )
    }

    /// The public key as Slack publishes it: a JWK in the key set.
    fn key_of(signer: &IdTokenSigner) -> DecodingKey {
        let jwk = serde_json::from_value(signer.public_jwk()).unwrap();
        DecodingKey::from_jwk(&jwk).unwrap()
    }

    #[test]
    fn a_token_from_slack_for_this_sign_in_names_the_person() {
        let signer = IdTokenSigner::shared();
        let identity = verify(signer, &claims()).unwrap();
        assert_eq!(
            identity,
            Identity {
                user_id: "U0ALICE01".into(),
                team_id: "T0TEAM0001".into(),
                name: "Alice".into(),
            }
        );
    }

    #[test]
    fn a_token_that_is_not_for_this_sign_in_is_refused() {
        let signer = IdTokenSigner::shared();
        let later = now().timestamp() + 3600;
        let cases = [
            (
                "another issuer",
                with(&[("iss", json!("https://evil.example"))]),
            ),
            ("another app", with(&[("aud", json!("999.999"))])),
            ("expired", with(&[("exp", json!(now().timestamp() - 61))])),
            ("from the future", with(&[("iat", json!(later))])),
            (
                "another sign-in's nonce",
                with(&[("nonce", json!("other"))]),
            ),
            ("no nonce", with(&[("nonce", Value::Null)])),
            (
                "no team",
                with(&[("https://slack.com/team_id", Value::Null)]),
            ),
            (
                "a bad team id",
                with(&[("https://slack.com/team_id", json!("<b>"))]),
            ),
            ("no audience", with(&[("aud", Value::Null)])),
            ("no expiry", with(&[("exp", Value::Null)])),
            (
                "no user",
                with(&[
                    ("https://slack.com/user_id", Value::Null),
                    ("sub", json!("x")),
                ]),
            ),
        ];
        for (what, claims) in cases {
            let result = verify(signer, &claims);
            assert!(
                matches!(result, Err(SignInError::IdToken(_))),
                "{what}: {result:?}"
            );
        }
    }

    #[test]
    fn a_token_signed_by_another_key_or_tampered_with_is_refused() {
        let slack = IdTokenSigner::shared();
        let impostor = IdTokenSigner::generate("impostor");
        let forged = impostor.sign(&claims());
        let result = check(&forged, &key_of(slack), CLIENT_ID, NONCE, now());
        assert!(matches!(result, Err(SignInError::IdToken(_))), "{result:?}");

        // Someone else's team id pasted into a genuine token's payload.
        let genuine = slack.sign(&claims());
        let mut parts: Vec<&str> = genuine.split('.').collect();
        let payload = base64_url(&with(&[("https://slack.com/team_id", json!("T0EVIL001"))]));
        parts[1] = &payload;
        let tampered = parts.join(".");
        let result = check(&tampered, &key_of(slack), CLIENT_ID, NONCE, now());
        assert!(matches!(result, Err(SignInError::IdToken(_))), "{result:?}");
    }

    #[test]
    fn an_unsigned_or_hmac_token_is_refused() {
        let slack = IdTokenSigner::shared();
        let header = |alg: &str| base64_url(&json!({"alg": alg, "typ": "JWT", "kid": slack.kid()}));
        let payload = base64_url(&claims());
        for token in [
            format!("{}.{payload}.", header("none")),
            format!("{}.{payload}.c2lnbmF0dXJl", header("HS256")),
        ] {
            let result = check(&token, &key_of(slack), CLIENT_ID, NONCE, now());
            assert!(matches!(result, Err(SignInError::IdToken(_))), "{result:?}");
        }
    }

    #[test]
    fn control_characters_are_dropped_from_the_name_and_long_names_cut() {
        let signer = IdTokenSigner::shared();
        let long = format!("Al\u{0}ice\n{}", "x".repeat(500));
        let identity = verify(signer, &with(&[("name", json!(long))])).unwrap();
        assert!(identity.name.starts_with("Alicex"));
        assert_eq!(identity.name.chars().count(), MAX_NAME_CHARS);
    }

    fn base64_url(value: &Value) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
    }
}
