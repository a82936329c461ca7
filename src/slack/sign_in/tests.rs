//! The sign-in's own checks, before and without Slack: the authorize URL, the cookie,
//! and every way a callback is turned away before its code is exchanged. The whole
//! dance against the fake Slack is in `tests/api/slack_sign_in.rs`.

use super::*;
use axum::http::{HeaderValue, header::COOKIE};
use secrecy::SecretString;
use std::collections::HashMap;

const KEY: &[u8] = b"a dashboard key of 32 bytes long";

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap()
}

/// A sign-in whose Slack is a closed loopback port: anything that reaches the code
/// exchange ends as `Unavailable`.
fn sign_in() -> SlackSignIn {
    crate::tls::install_crypto_provider();
    let settings = SignInSettings::new(
        "2141029472.691202649728".into(),
        SecretString::from("s3cret"),
        "T0TEAM0001".into(),
        Url::parse("https://ops.example.com/dashboard/auth/slack/callback").unwrap(),
        &Url::parse("http://127.0.0.1:1/api").unwrap(),
    );
    SlackSignIn::new(settings, reqwest::Client::new())
}

/// The `Cookie` header a browser sends back for a `Set-Cookie` value.
fn cookie_header(set_cookie: &str) -> HeaderMap {
    let pair = set_cookie.split(';').next().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, HeaderValue::from_str(pair).unwrap());
    headers
}

fn params(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

fn callback(state: &str) -> CallbackQuery {
    CallbackQuery {
        code: Some("4724469134.4644010092847.232b4e6d".into()),
        state: Some(state.into()),
        error: None,
    }
}

#[test]
fn the_authorize_url_asks_slack_for_this_workspace_with_state_and_nonce() {
    let start = sign_in().start(KEY, now());
    let url = &start.redirect_to;
    assert_eq!(
        format!("{}://{}{}", url.scheme(), url.authority(), url.path()),
        "http://127.0.0.1:1/openid/connect/authorize"
    );
    let p = params(url);
    assert_eq!(p["response_type"], "code");
    assert_eq!(p["scope"], "openid profile");
    assert_eq!(p["client_id"], "2141029472.691202649728");
    assert_eq!(
        p["redirect_uri"],
        "https://ops.example.com/dashboard/auth/slack/callback"
    );
    assert_eq!(p["team"], "T0TEAM0001");
    assert!(cookie::is_token(&p["state"]) && cookie::is_token(&p["nonce"]));
    assert!(!url.as_str().contains("s3cret"));

    // The cookie holds the same state and nonce, sealed.
    let value = cookie::values_in(&cookie_header(&start.set_cookie))[0].to_string();
    let flow = cookie::FlowCookie::open(&value, KEY, now()).unwrap();
    assert_eq!(
        (flow.state, flow.nonce),
        (p["state"].clone(), p["nonce"].clone())
    );
    assert!(
        start
            .set_cookie
            .contains("Path=/dashboard/auth/slack/callback")
    );
    assert!(start.set_cookie.contains("Max-Age=600"));
}

#[test]
fn the_clearing_cookie_expires_the_sign_in_cookie_at_once() {
    let clear = sign_in().clear_cookie();
    assert!(clear.starts_with("warroom_slack_sign_in=;"), "{clear}");
    assert!(clear.contains("Max-Age=0"));
    assert!(clear.contains("Path=/dashboard/auth/slack/callback"));
}

#[test]
fn endpoints_sit_beside_the_api_even_under_a_prefix() {
    let api = Url::parse("http://127.0.0.1:9/slack/api/").unwrap();
    let settings = SignInSettings::new(
        "1.2".into(),
        SecretString::from("s3cret"),
        "T0TEAM0001".into(),
        Url::parse("http://127.0.0.1:9/cb").unwrap(),
        &api,
    );
    assert_eq!(
        settings.jwks_url.as_str(),
        "http://127.0.0.1:9/slack/openid/connect/keys"
    );
    assert_eq!(
        settings.authorize_url.as_str(),
        "http://127.0.0.1:9/slack/openid/connect/authorize"
    );
}

#[tokio::test]
async fn a_cancelled_sign_in_is_told_apart_from_other_slack_errors() {
    let s = sign_in();
    let cancelled = CallbackQuery {
        error: Some("access_denied".into()),
        state: Some("x".into()),
        ..CallbackQuery::default()
    };
    let result = s.finish(KEY, &HeaderMap::new(), &cancelled, now()).await;
    assert_eq!(result, Err(SignInError::Cancelled));
    let other = CallbackQuery {
        error: Some("<script>".into()),
        ..CallbackQuery::default()
    };
    let result = s.finish(KEY, &HeaderMap::new(), &other, now()).await;
    assert_eq!(
        result,
        Err(SignInError::Refused {
            error: "unknown_error".into()
        })
    );
}

#[tokio::test]
async fn a_callback_without_code_or_state_or_with_a_strange_code_is_not_slacks() {
    let s = sign_in();
    let start = s.start(KEY, now());
    let headers = cookie_header(&start.set_cookie);
    let state = params(&start.redirect_to)["state"].clone();
    let cases = [
        CallbackQuery::default(),
        CallbackQuery {
            state: Some(state.clone()),
            ..CallbackQuery::default()
        },
        CallbackQuery {
            code: Some("c".into()),
            ..CallbackQuery::default()
        },
        CallbackQuery {
            code: Some("a code\nwith lines".into()),
            ..callback(&state)
        },
        CallbackQuery {
            code: Some("x".repeat(MAX_CODE_LEN + 1)),
            ..callback(&state)
        },
    ];
    for query in cases {
        let result = s.finish(KEY, &headers, &query, now()).await;
        assert_eq!(result, Err(SignInError::BadCallback), "{query:?}");
    }
}

#[tokio::test]
async fn the_state_must_come_with_its_own_unexpired_cookie_signed_under_the_key() {
    let s = sign_in();
    let start = s.start(KEY, now());
    let state = params(&start.redirect_to)["state"].clone();
    let headers = cookie_header(&start.set_cookie);
    let other_start = s.start(KEY, now());
    let cases = [
        (
            "no cookie",
            HeaderMap::new(),
            KEY,
            now(),
            StateProblem::MissingCookie,
        ),
        (
            "another sign-in's cookie",
            cookie_header(&other_start.set_cookie),
            KEY,
            now(),
            StateProblem::Mismatch,
        ),
        (
            "another key",
            headers.clone(),
            b"not the key that signed the cookie".as_slice(),
            now(),
            StateProblem::ForgedCookie,
        ),
        (
            "too late",
            headers.clone(),
            KEY,
            now() + Duration::seconds(FLOW_LIFETIME_SECS),
            StateProblem::Expired,
        ),
    ];
    for (what, headers, key, at, problem) in cases {
        let result = s.finish(key, &headers, &callback(&state), at).await;
        assert_eq!(result, Err(SignInError::State(problem)), "{what}");
    }
}

#[tokio::test]
async fn a_state_is_spent_on_first_use_even_when_slack_then_fails() {
    let s = sign_in();
    let start = s.start(KEY, now());
    let state = params(&start.redirect_to)["state"].clone();
    let headers = cookie_header(&start.set_cookie);
    let first = s.finish(KEY, &headers, &callback(&state), now()).await;
    assert!(
        matches!(first, Err(SignInError::Unavailable(_))),
        "{first:?}"
    );
    let again = s.finish(KEY, &headers, &callback(&state), now()).await;
    assert_eq!(again, Err(SignInError::State(StateProblem::Replayed)));
}

#[tokio::test]
async fn spent_states_are_forgotten_once_their_cookie_has_expired() {
    let s = sign_in();
    for _ in 0..3 {
        let start = s.start(KEY, now());
        let state = params(&start.redirect_to)["state"].clone();
        let _ = s
            .finish(
                KEY,
                &cookie_header(&start.set_cookie),
                &callback(&state),
                now(),
            )
            .await;
    }
    assert_eq!(s.spent().len(), 3);
    let later = now() + Duration::seconds(FLOW_LIFETIME_SECS + 1);
    let start = s.start(KEY, later);
    let state = params(&start.redirect_to)["state"].clone();
    let _ = s
        .finish(
            KEY,
            &cookie_header(&start.set_cookie),
            &callback(&state),
            later,
        )
        .await;
    assert_eq!(
        s.spent().len(),
        1,
        "only the newest state is still remembered"
    );
}
