//! Sign in with Slack on the fake: the authorize page's refusals and redirects, the
//! code exchange's rules, userInfo, and the key set verifying what the fake signs.

use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use super::{Answer, Client};
use crate::slack::oidc::{AUTHORIZE_PATH, KEYS_PATH};
use crate::{Consent, SlackPerson, TEAM_ID};

const CALLBACK: &str = "https://warroom.example.com/dashboard/auth/slack/callback";

fn alice() -> SlackPerson {
    SlackPerson::new("U0ALICE01", TEAM_ID, "Alice")
}

struct Page {
    status: u16,
    location: Option<String>,
}

impl Page {
    fn param(&self, name: &str) -> Option<String> {
        let location = self.location.as_deref()?;
        let (_, query) = location.split_once('?')?;
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .ok()?
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

async fn client() -> Client {
    let c = Client::start().await;
    c.slack.add_redirect_url(CALLBACK);
    c
}

/// The standard authorize request, with `changes` applied (`""` removes a pair).
fn authorize_query(c: &Client, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = [
        ("response_type", "code"),
        ("scope", "openid profile"),
        ("client_id", c.slack.oidc_client_id().as_str()),
        ("redirect_uri", CALLBACK),
        ("state", "st4te"),
        ("nonce", "n0nce"),
        ("team", TEAM_ID),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (key, value) in changes {
        pairs.retain(|(k, _)| k != key);
        if !value.is_empty() {
            pairs.push((key.to_string(), value.to_string()));
        }
    }
    pairs
}

async fn authorize(c: &Client, session: Option<&str>, changes: &[(&str, &str)]) -> Page {
    let query = serde_urlencoded::to_string(authorize_query(c, changes)).unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = http.get(format!("{}{AUTHORIZE_PATH}?{query}", c.slack.base_url()));
    if let Some(cookie) = session {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.unwrap();
    Page {
        status: res.status().as_u16(),
        location: res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string()),
    }
}

/// A code for Alice through the authorize page.
async fn code(c: &Client) -> String {
    let session = c.slack.browser_signed_in_as(alice(), Consent::Allow);
    let page = authorize(c, Some(&session), &[]).await;
    assert_eq!(page.status, 302);
    assert_eq!(page.param("state").as_deref(), Some("st4te"));
    page.param("code").expect("a code")
}

async fn exchange(c: &Client, changes: &[(&str, &str)]) -> Answer {
    let secret = c.slack.oidc_client_secret();
    let id = c.slack.oidc_client_id();
    let mut pairs: Vec<(&str, &str)> = vec![
        ("client_id", &id),
        ("client_secret", &secret),
        ("redirect_uri", CALLBACK),
        ("grant_type", "authorization_code"),
    ];
    for (key, value) in changes {
        pairs.retain(|(k, _)| k != key);
        if !value.is_empty() {
            pairs.push((key, value));
        }
    }
    let req = c
        .http()
        .post(format!("{}/openid.connect.token", c.slack.api_url()));
    c.raw(req.form(&pairs)).await
}

async fn user_info(c: &Client, token: &str) -> Answer {
    let req = c
        .http()
        .post(format!("{}/openid.connect.userInfo", c.slack.api_url()))
        .bearer_auth(token);
    c.raw(req).await
}

#[tokio::test]
async fn the_authorize_page_shows_an_error_for_an_unknown_app_or_redirect_url() {
    let c = client().await;
    let session = c.slack.browser_signed_in_as(alice(), Consent::Allow);
    for changes in [
        vec![("client_id", "1.2")],
        vec![("client_id", "")],
        vec![(
            "redirect_uri",
            "https://evil.example/dashboard/auth/slack/callback",
        )],
        vec![(
            "redirect_uri",
            "https://warroom.example.com/dashboard/auth/slack/callback/../../x",
        )],
    ] {
        let page = authorize(&c, Some(&session), &changes).await;
        assert_eq!((page.status, page.location), (400, None), "{changes:?}");
    }
    // A subdirectory of a registered URL is accepted, as at Slack.
    let below = format!("{CALLBACK}/more");
    let page = authorize(&c, Some(&session), &[("redirect_uri", below.as_str())]).await;
    assert_eq!(page.status, 302);
}

#[tokio::test]
async fn the_authorize_page_sends_bad_requests_and_cancellations_back_with_an_error() {
    let c = client().await;
    let allow = c.slack.browser_signed_in_as(alice(), Consent::Allow);
    let cancel = c.slack.browser_signed_in_as(alice(), Consent::Cancel);
    let cases = [
        (
            &allow,
            vec![("response_type", "token")],
            "unsupported_response_type",
        ),
        (&allow, vec![("scope", "profile email")], "invalid_scope"),
        (
            &allow,
            vec![("scope", "openid chat:write")],
            "invalid_scope",
        ),
        (&cancel, vec![], "access_denied"),
    ];
    for (session, changes, error) in cases {
        let page = authorize(&c, Some(session), &changes).await;
        assert_eq!(page.status, 302, "{changes:?}");
        assert!(page.location.as_deref().unwrap().starts_with(CALLBACK));
        assert_eq!(page.param("error").as_deref(), Some(error));
        assert_eq!(page.param("state").as_deref(), Some("st4te"));
        assert_eq!(page.param("code"), None);
    }
    let signed_out = authorize(&c, None, &[]).await;
    assert_eq!((signed_out.status, signed_out.location), (200, None));
}

#[tokio::test]
async fn a_code_is_exchanged_once_for_a_token_and_an_id_token_slacks_keys_verify() {
    let c = client().await;
    let code = code(&c).await;
    let answer = exchange(&c, &[("code", &code)]).await;
    assert!(answer.is_ok(), "{answer:?}");
    assert_eq!(answer.body["token_type"], "Bearer");
    let access = answer.body["access_token"].as_str().unwrap().to_string();
    assert!(access.starts_with("xoxp-"));

    let keys = c
        .raw(c.http().get(format!("{}{KEYS_PATH}", c.slack.base_url())))
        .await;
    let jwk = serde_json::from_value(keys.body["keys"][0].clone()).unwrap();
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&["https://slack.com"]);
    validation.set_audience(&[c.slack.oidc_client_id()]);
    let claims = jsonwebtoken::decode::<Value>(
        answer.body["id_token"].as_str().unwrap(),
        &DecodingKey::from_jwk(&jwk).unwrap(),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], "U0ALICE01");
    assert_eq!(claims["https://slack.com/team_id"], TEAM_ID);
    assert_eq!(claims["nonce"], "n0nce");
    assert_eq!(claims["name"], "Alice");
    assert_eq!(claims.get("email"), None, "no email scope asked");

    let info = user_info(&c, &access).await;
    assert!(info.is_ok(), "{info:?}");
    assert_eq!(info.body["https://slack.com/user_id"], "U0ALICE01");
    assert_eq!(info.body["https://slack.com/team_id"], TEAM_ID);

    // The second use of the code is refused and withdraws the token it gave.
    assert_eq!(
        exchange(&c, &[("code", &code)]).await.error(),
        Some("invalid_code")
    );
    assert_eq!(user_info(&c, &access).await.error(), Some("token_revoked"));
}

#[tokio::test]
async fn the_exchange_checks_client_grant_code_and_redirect_uri() {
    let c = client().await;
    let code = code(&c).await;
    let cases = [
        (vec![("client_id", "1.2")], "invalid_client_id"),
        (vec![("client_id", "")], "invalid_client_id"),
        (vec![("client_secret", "nope")], "bad_client_secret"),
        (vec![("client_secret", "")], "bad_client_secret"),
        (vec![("grant_type", "password")], "invalid_grant_type"),
        (
            vec![("grant_type", "refresh_token")],
            "invalid_refresh_token",
        ),
        (vec![("code", "1.deadbeef")], "invalid_code"),
        (vec![], "invalid_code"),
        (
            vec![
                ("code", &code),
                ("redirect_uri", "https://warroom.example.com/other"),
            ],
            "bad_redirect_uri",
        ),
        (
            vec![("code", &code), ("redirect_uri", "")],
            "bad_redirect_uri",
        ),
    ];
    for (changes, error) in cases {
        let answer = exchange(&c, &changes).await;
        assert_eq!(answer.error(), Some(error), "{changes:?}");
    }
    // None of those spent the code.
    assert!(exchange(&c, &[("code", &code)]).await.is_ok());
}

#[tokio::test]
async fn the_exchange_accepts_the_client_in_http_basic_auth() {
    let c = client().await;
    let code = code(&c).await;
    let req = c
        .http()
        .post(format!("{}/openid.connect.token", c.slack.api_url()))
        .basic_auth(c.slack.oidc_client_id(), Some(c.slack.oidc_client_secret()))
        .form(&[("code", code.as_str()), ("redirect_uri", CALLBACK)]);
    let answer = c.raw(req).await;
    assert!(answer.is_ok(), "{answer:?}");
}

#[tokio::test]
async fn user_info_wants_a_user_token_it_issued() {
    let c = client().await;
    let req = c
        .http()
        .post(format!("{}/openid.connect.userInfo", c.slack.api_url()));
    assert_eq!(c.raw(req).await.error(), Some("not_authed"));
    assert_eq!(
        user_info(&c, "xoxp-1-made-up").await.error(),
        Some("invalid_auth")
    );
    let bot = user_info(&c, super::TOKEN).await;
    assert_eq!(bot.error(), Some("not_allowed_token_type"));
    assert_eq!(
        bot.body,
        json!({"ok": false, "error": "not_allowed_token_type"})
    );
}
