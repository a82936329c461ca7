//! Signed-in sessions: a cookie that says who signed in, how, and until when, signed
//! with HMAC-SHA256 so it cannot be forged or altered, and checked on every request.
//! Nothing is stored on the server: signing out clears the cookie, and changing the
//! key (or the token it is derived from) signs everyone out.
//!
//! Any way of signing in ends the same way: it calls [`Sessions::issue_session`] and
//! sends the `Set-Cookie` header it returns. The token form does; Sign in with Slack
//! does the same with the Slack user's id and name.

use axum::http::HeaderValue;
use axum::http::header::{COOKIE, HeaderMap};
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// The cookie's name.
pub const COOKIE_NAME: &str = "warroom_session";
/// The cookie covers the dashboard's paths only.
const COOKIE_PATH: &str = "/dashboard";
/// Bumped if the cookie's format changes, so old cookies are refused, not misread.
const VERSION: &str = "v1";
/// Derives the signing key from the configured secret, so the key never equals a
/// secret that is also sent over the wire (the token).
const KEY_LABEL: &[u8] = b"warroom dashboard session key v1";
/// Cookies longer than this are refused unread.
const MAX_COOKIE_CHARS: usize = 2048;

type HmacSha256 = Hmac<Sha256>;

/// Who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// A Slack user id, or `token` for the shared token.
    #[serde(rename = "u")]
    pub user_id: String,
    /// The name pages show.
    #[serde(rename = "n")]
    pub name: String,
    /// How they signed in: `token` or `slack`.
    #[serde(rename = "m")]
    pub method: String,
    /// Unix seconds after which the session is refused.
    #[serde(rename = "x")]
    pub expires: i64,
}

/// Issues and checks session cookies.
#[derive(Clone)]
pub struct Sessions {
    key: [u8; 32],
    lifetime: TimeDelta,
    /// `Secure` on the cookie: the dashboard is reached over https.
    secure: bool,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("lifetime", &self.lifetime)
            .field("secure", &self.secure)
            .finish_non_exhaustive()
    }
}

impl Sessions {
    /// Sessions signed with a key derived from `secret` (the configured session key,
    /// else the token), lasting `hours`.
    pub fn new(secret: &SecretString, hours: u64, secure: bool) -> Self {
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(secret.expose_secret().as_bytes())
            .expect("HMAC takes a key of any length");
        mac.update(KEY_LABEL);
        let key: [u8; 32] = mac.finalize().into_bytes().into();
        Self {
            key,
            lifetime: TimeDelta::hours(i64::try_from(hours).unwrap_or(i64::MAX / 3600)),
            secure,
        }
    }

    /// Signs `user_id` (named `name`, signed in by `method`) in from `now`: the
    /// `Set-Cookie` header value to send.
    pub fn issue_session(
        &self,
        user_id: &str,
        name: &str,
        method: &str,
        now: DateTime<Utc>,
    ) -> HeaderValue {
        let session = Session {
            user_id: user_id.to_string(),
            name: name.to_string(),
            method: method.to_string(),
            expires: (now + self.lifetime).timestamp(),
        };
        let payload = hex::encode(serde_json::to_vec(&session).unwrap_or_default());
        let signed = format!("{VERSION}.{payload}");
        let tag = hex::encode(self.mac(&signed).finalize().into_bytes());
        let cookie = format!(
            "{COOKIE_NAME}={signed}.{tag}; Path={COOKIE_PATH}; Max-Age={}; HttpOnly; SameSite=Lax{}",
            self.lifetime.num_seconds(),
            if self.secure { "; Secure" } else { "" }
        );
        HeaderValue::from_str(&cookie).expect("hex and ASCII make a valid header")
    }

    /// The key that signs Sign in with Slack's short-lived flow cookie: this one,
    /// derived and labelled (the flow cookie's MAC carries its own label too).
    pub fn flow_key(&self) -> &[u8] {
        &self.key
    }

    /// The `Set-Cookie` value that signs out.
    pub fn clear_cookie(&self) -> HeaderValue {
        let cookie = format!(
            "{COOKIE_NAME}=; Path={COOKIE_PATH}; Max-Age=0; HttpOnly; SameSite=Lax{}",
            if self.secure { "; Secure" } else { "" }
        );
        HeaderValue::from_str(&cookie).expect("ASCII makes a valid header")
    }

    /// The session the request's cookie carries, if it is one we signed and it has
    /// not expired.
    pub fn from_headers(&self, headers: &HeaderMap, now: DateTime<Utc>) -> Option<Session> {
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .filter(|(name, _)| *name == COOKIE_NAME)
            .find_map(|(_, value)| self.verify(value, now))
    }

    /// Checks a cookie value: our signature (compared in constant time), then expiry.
    pub fn verify(&self, value: &str, now: DateTime<Utc>) -> Option<Session> {
        if value.len() > MAX_COOKIE_CHARS {
            return None;
        }
        let (signed, tag) = value.rsplit_once('.')?;
        let tag = hex::decode(tag).ok()?;
        self.mac(signed).verify_slice(&tag).ok()?;
        let payload = signed.strip_prefix(VERSION)?.strip_prefix('.')?;
        let session: Session = serde_json::from_slice(&hex::decode(payload).ok()?).ok()?;
        (now.timestamp() < session.expires).then_some(session)
    }

    fn mac(&self, data: &str) -> HmacSha256 {
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(&self.key).expect("a 32-byte key is fine");
        mac.update(data.as_bytes());
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> Sessions {
        Sessions::new(
            &SecretString::from("a-long-enough-dashboard-token"),
            12,
            false,
        )
    }

    fn cookie_value(set_cookie: &HeaderValue) -> String {
        let text = set_cookie.to_str().unwrap();
        let first = text.split(';').next().unwrap();
        first.split_once('=').unwrap().1.to_string()
    }

    #[test]
    fn a_session_issued_is_read_back_until_it_expires() {
        let s = sessions();
        let now = Utc::now();
        let header = s.issue_session("U02BSPARRO", "Sparrow", "slack", now);
        let text = header.to_str().unwrap();
        assert!(
            text.contains("HttpOnly") && text.contains("SameSite=Lax"),
            "{text}"
        );
        assert!(
            text.contains("Path=/dashboard") && !text.contains("Secure"),
            "{text}"
        );
        let value = cookie_value(&header);
        let session = s.verify(&value, now).unwrap();
        assert_eq!(session.user_id, "U02BSPARRO");
        assert_eq!(session.name, "Sparrow");
        assert_eq!(session.method, "slack");
        assert!(s.verify(&value, now + TimeDelta::hours(11)).is_some());
        assert!(s.verify(&value, now + TimeDelta::hours(12)).is_none());
    }

    #[test]
    fn an_altered_or_foreign_cookie_is_refused() {
        let s = sessions();
        let now = Utc::now();
        let value = cookie_value(&s.issue_session("token", "Token holder", "token", now));
        let (signed, tag) = value.rsplit_once('.').unwrap();
        // A payload that claims someone else, with the old signature.
        let forged = Session {
            user_id: "U0ADMIN".into(),
            name: "Admin".into(),
            method: "token".into(),
            expires: now.timestamp() + 10_000_000,
        };
        let forged = format!(
            "{VERSION}.{}.{tag}",
            hex::encode(serde_json::to_vec(&forged).unwrap())
        );
        assert!(s.verify(&forged, now).is_none());
        let mut flipped = tag.to_string();
        flipped.replace_range(0..1, if tag.starts_with('0') { "1" } else { "0" });
        assert!(s.verify(&format!("{signed}.{flipped}"), now).is_none());
        let other = Sessions::new(&SecretString::from("another-dashboard-token!"), 12, false);
        assert!(other.verify(&value, now).is_none(), "another key");
        for junk in ["", ".", "v1..", "v1.zz.zz", "nonsense"] {
            assert!(s.verify(junk, now).is_none(), "{junk}");
        }
    }

    #[test]
    fn the_cookie_is_found_among_others_and_secure_when_asked() {
        let s = Sessions::new(
            &SecretString::from("a-long-enough-dashboard-token"),
            1,
            true,
        );
        let now = Utc::now();
        let header = s.issue_session("token", "Token holder", "token", now);
        assert!(header.to_str().unwrap().ends_with("; Secure"));
        let mut headers = HeaderMap::new();
        let cookie = format!("theme=dark; {COOKIE_NAME}={}; x=1", cookie_value(&header));
        headers.insert(COOKIE, HeaderValue::from_str(&cookie).unwrap());
        assert_eq!(s.from_headers(&headers, now).unwrap().method, "token");
        assert!(s.clear_cookie().to_str().unwrap().contains("Max-Age=0"));
    }
}
