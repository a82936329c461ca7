//! The short-lived cookie that binds one sign-in to one browser: it carries the
//! `state` and `nonce` sent to Slack and when they expire, under an HMAC-SHA256 of
//! the key the caller passes in.
//!
//! Value: `v1.<expires unix secs>.<state hex>.<nonce hex>.<mac hex>`, the MAC taken
//! over a context label and everything before it. The label keeps this MAC apart
//! from any other the same key signs (the dashboard's session cookie may share the
//! key). Only the cookie's own characters are used, so no quoting is needed.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use url::Url;

/// The cookie's name.
pub const COOKIE_NAME: &str = "warroom_slack_sign_in";
/// Domain separation for the MAC: nothing else Warroom signs starts with this.
const MAC_LABEL: &[u8] = b"warroom slack sign-in state v1\0";
const VERSION: &str = "v1";
/// Bytes of randomness in `state` and in `nonce` (hex-encoded: twice as many chars).
pub const RANDOM_BYTES: usize = 32;

/// What a valid cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowCookie {
    pub state: String,
    pub nonce: String,
    pub expires: DateTime<Utc>,
}

/// Why a cookie was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieProblem {
    /// No cookie of ours came with the request.
    Missing,
    /// Not our format, or its MAC does not match: tampered with, or signed under
    /// another key (the key changed since the sign-in started).
    Forged,
    /// Well signed but past its expiry.
    Expired,
}

impl FlowCookie {
    /// A fresh flow: random `state` and `nonce`, valid until `expires`.
    pub fn new(expires: DateTime<Utc>) -> Self {
        FlowCookie {
            state: random_hex(),
            nonce: random_hex(),
            expires,
        }
    }

    /// The signed cookie value.
    pub fn seal(&self, key: &[u8]) -> String {
        let body = format!(
            "{VERSION}.{}.{}.{}",
            self.expires.timestamp(),
            self.state,
            self.nonce
        );
        let mac = hex::encode(mac(key, &body).finalize().into_bytes());
        format!("{body}.{mac}")
    }

    /// Reads a cookie value sealed under `key`, valid at `now`.
    pub fn open(value: &str, key: &[u8], now: DateTime<Utc>) -> Result<FlowCookie, CookieProblem> {
        let (body, mac_hex) = value.rsplit_once('.').ok_or(CookieProblem::Forged)?;
        let given = hex::decode(mac_hex).map_err(|_| CookieProblem::Forged)?;
        // Constant-time comparison before anything in the body is believed.
        mac(key, body)
            .verify_slice(&given)
            .map_err(|_| CookieProblem::Forged)?;
        let mut parts = body.split('.');
        let (Some(VERSION), Some(expires), Some(state), Some(nonce), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(CookieProblem::Forged);
        };
        let expires = expires
            .parse::<i64>()
            .ok()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .ok_or(CookieProblem::Forged)?;
        if !is_token(state) || !is_token(nonce) {
            return Err(CookieProblem::Forged);
        }
        if now >= expires {
            return Err(CookieProblem::Expired);
        }
        Ok(FlowCookie {
            state: state.to_string(),
            nonce: nonce.to_string(),
            expires,
        })
    }
}

/// `Set-Cookie` for `value`, sent only to the callback's path, for `max_age_secs`.
/// `SameSite=Lax`: Slack sends the person back with a top-level GET from another
/// site, which `Strict` would strip the cookie from. `Secure` whenever the callback
/// is https (plain http is accepted only on loopback, see [`super::config`]).
pub fn set_cookie(redirect_uri: &Url, value: &str, max_age_secs: i64) -> String {
    let secure = if redirect_uri.scheme() == "https" {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{COOKIE_NAME}={value}; Path={}; Max-Age={max_age_secs}; HttpOnly; SameSite=Lax{secure}",
        redirect_uri.path()
    )
}

/// Every value of our cookie in `Cookie` headers (a browser may send several
/// headers over HTTP/2, and two cookies of one name under different paths).
pub fn values_in(headers: &axum::http::HeaderMap) -> Vec<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .collect()
}

fn mac(key: &[u8], body: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts any key");
    mac.update(MAC_LABEL);
    mac.update(body.as_bytes());
    mac
}

fn random_hex() -> String {
    hex::encode(rand::random::<[u8; RANDOM_BYTES]>())
}

/// What [`random_hex`] makes: lowercase hex of the right length.
pub fn is_token(s: &str) -> bool {
    s.len() == RANDOM_BYTES * 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue, header::COOKIE};
    use chrono::Duration;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn a_sealed_cookie_opens_with_the_same_key_before_it_expires() {
        let flow = FlowCookie::new(now() + Duration::minutes(10));
        let opened = FlowCookie::open(&flow.seal(KEY), KEY, now()).unwrap();
        assert_eq!(opened, flow);
        assert!(is_token(&opened.state) && is_token(&opened.nonce));
        assert_ne!(opened.state, opened.nonce);
    }

    #[test]
    fn every_flow_gets_its_own_state_and_nonce() {
        let a = FlowCookie::new(now());
        let b = FlowCookie::new(now());
        assert_ne!(a.state, b.state);
        assert_ne!(a.nonce, b.nonce);
    }

    #[test]
    fn an_expired_cookie_is_refused_even_when_well_signed() {
        let flow = FlowCookie::new(now() + Duration::minutes(10));
        let sealed = flow.seal(KEY);
        let later = now() + Duration::minutes(10);
        assert_eq!(
            FlowCookie::open(&sealed, KEY, later),
            Err(CookieProblem::Expired)
        );
    }

    #[test]
    fn a_cookie_signed_under_another_key_is_forged() {
        let sealed = FlowCookie::new(now() + Duration::minutes(10)).seal(KEY);
        let other = b"another key entirely, 32 bytes!!";
        assert_eq!(
            FlowCookie::open(&sealed, other, now()),
            Err(CookieProblem::Forged)
        );
    }

    #[test]
    fn changing_any_part_of_a_cookie_breaks_its_mac() {
        let flow = FlowCookie::new(now() + Duration::minutes(10));
        let sealed = flow.seal(KEY);
        // A later expiry, another state, another nonce, a flipped MAC digit.
        let later = (now() + Duration::days(365)).timestamp().to_string();
        let tampered = [
            sealed.replacen(&flow.expires.timestamp().to_string(), &later, 1),
            sealed.replacen(&flow.state, &"a".repeat(64), 1),
            sealed.replacen(&flow.nonce, &"b".repeat(64), 1),
            flip_last_hex_digit(&sealed),
        ];
        for value in tampered {
            assert_ne!(value, sealed);
            assert_eq!(
                FlowCookie::open(&value, KEY, now()),
                Err(CookieProblem::Forged),
                "{value}"
            );
        }
    }

    #[test]
    fn garbage_is_forged_not_a_panic() {
        for value in [
            "",
            ".",
            "v1",
            "v1....",
            "not-a-cookie",
            "v1.x.y.z.zz",
            "💥.💥",
        ] {
            assert_eq!(
                FlowCookie::open(value, KEY, now()),
                Err(CookieProblem::Forged),
                "{value:?}"
            );
        }
    }

    #[test]
    fn the_set_cookie_limits_the_cookie_to_the_callback_and_to_https_when_served_so() {
        let https = Url::parse("https://ops.example.com/dashboard/auth/slack/callback").unwrap();
        let header = set_cookie(&https, "v", 600);
        assert_eq!(
            header,
            "warroom_slack_sign_in=v; Path=/dashboard/auth/slack/callback; Max-Age=600; \
             HttpOnly; SameSite=Lax; Secure"
        );
        let loopback = Url::parse("http://127.0.0.1:8080/dashboard/auth/slack/callback").unwrap();
        assert!(!set_cookie(&loopback, "v", 600).contains("Secure"));
    }

    #[test]
    fn our_cookie_is_found_among_others_in_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; warroom_slack_sign_in=first"),
        );
        headers.append(
            COOKIE,
            HeaderValue::from_static("warroom_slack_sign_in=\"second\""),
        );
        headers.append(
            COOKIE,
            HeaderValue::from_static("warroom_slack_sign_in_x=no"),
        );
        assert_eq!(values_in(&headers), vec!["first", "second"]);
        assert!(values_in(&HeaderMap::new()).is_empty());
    }

    fn flip_last_hex_digit(s: &str) -> String {
        let mut chars: Vec<char> = s.chars().collect();
        let last = chars.last_mut().unwrap();
        *last = if *last == '0' { '1' } else { '0' };
        chars.into_iter().collect()
    }
}
