//! `openid.connect.token` and `openid.connect.userInfo`, reached through the Web API
//! route but answered before the bot token is asked for: the first authenticates
//! the app by its client id and secret, the second takes a user's access token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::super::args::Args;
use super::super::reply::Reply;
use super::super::server::Shared;
use super::pages::unguessable;
use super::{CODE_LIFETIME_SECS, IdTokenSigner, Issued, SlackPerson};

/// `iss` of Slack's id_tokens.
pub const ISSUER: &str = "https://slack.com";
/// How long an id_token is valid.
const ID_TOKEN_LIFETIME_SECS: u64 = 300;

/// The answer to an OpenID method, or `None` for any other method.
pub(crate) fn dispatch(
    shared: &Shared,
    method: &str,
    args: &Args,
    headers: &HeaderMap,
) -> Option<Reply> {
    match method {
        "openid.connect.token" => Some(token(shared, args, headers)),
        "openid.connect.userInfo" => Some(user_info(shared, args)),
        _ => None,
    }
}

fn token(shared: &Shared, args: &Args, headers: &HeaderMap) -> Reply {
    let (basic_id, basic_secret) = basic_auth(headers).unzip();
    let client_id = args.str("client_id").or(basic_id);
    let client_secret = args.str("client_secret").or(basic_secret);
    match args.str("grant_type").as_deref() {
        None | Some("authorization_code") => {}
        // No refresh tokens are ever issued (token rotation is off).
        Some("refresh_token") => return Reply::err("invalid_refresh_token"),
        Some(_) => return Reply::err("invalid_grant_type"),
    }
    let config = &shared.config;
    if client_id.as_deref() != Some(config.oidc_client_id.as_str()) {
        return Reply::err("invalid_client_id");
    }
    if client_secret.as_deref() != Some(config.oidc_client_secret.as_str()) {
        return Reply::err("bad_client_secret");
    }
    let Some(code) = args.str("code") else {
        return Reply::err("invalid_code");
    };
    let mut state = shared.lock();
    let oidc = &mut state.oidc;
    let Some(grant) = oidc.grants.get(&code).cloned() else {
        return Reply::err("invalid_code");
    };
    if let Some(given) = grant.exchanged_for {
        // A code used twice: refuse, and withdraw what the first use gave (RFC 6749 §4.1.2).
        if let Some(issued) = oidc.tokens.get_mut(&given) {
            issued.revoked = true;
        }
        return Reply::err("invalid_code");
    }
    if grant.client_id != config.oidc_client_id
        || grant.issued.elapsed() >= Duration::from_secs(CODE_LIFETIME_SECS)
    {
        return Reply::err("invalid_code");
    }
    if grant.redirect_uri.is_some() && args.str("redirect_uri") != grant.redirect_uri {
        return Reply::err("bad_redirect_uri");
    }
    let id = oidc.next_id().to_string();
    let access_token = format!(
        "xoxp-{id}-{}",
        &unguessable(&[&id, &grant.person.user_id])[..32]
    );
    oidc.tokens.insert(
        access_token.clone(),
        Issued {
            person: grant.person.clone(),
            scopes: grant.scopes.clone(),
            revoked: false,
        },
    );
    if let Some(g) = oidc.grants.get_mut(&code) {
        g.exchanged_for = Some(access_token.clone());
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut id_claims = claims(&grant.person, &grant.scopes);
    id_claims.extend([
        ("iss".to_string(), json!(ISSUER)),
        ("aud".to_string(), json!(config.oidc_client_id)),
        ("exp".to_string(), json!(now + ID_TOKEN_LIFETIME_SECS)),
        ("iat".to_string(), json!(now)),
        ("auth_time".to_string(), json!(now)),
        ("at_hash".to_string(), json!(at_hash(&access_token))),
    ]);
    if let Some(nonce) = &grant.nonce {
        id_claims.insert("nonce".to_string(), json!(nonce));
    }
    let id_token = IdTokenSigner::shared().sign(&Value::Object(id_claims));
    Reply::ok(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "id_token": id_token,
    }))
}

fn user_info(shared: &Shared, args: &Args) -> Reply {
    let Some(token) = args.token.as_deref() else {
        return Reply::err("not_authed");
    };
    if token == shared.config.bot_token || token == shared.config.app_token {
        return Reply::err("not_allowed_token_type");
    }
    let state = shared.lock();
    match state.oidc.tokens.get(token) {
        None => Reply::err("invalid_auth"),
        Some(issued) if issued.revoked => Reply::err("token_revoked"),
        Some(issued) => Reply::ok(Value::Object(claims(&issued.person, &issued.scopes))),
    }
}

/// The claims about `person` that `scopes` allow, as both methods give them.
fn claims(person: &SlackPerson, scopes: &[String]) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(person.user_id));
    claims.insert("https://slack.com/user_id".into(), json!(person.user_id));
    claims.insert("https://slack.com/team_id".into(), json!(person.team_id));
    if scopes.iter().any(|s| s == "email") {
        claims.insert("email".into(), json!(person.email));
        claims.insert("email_verified".into(), json!(true));
    }
    if scopes.iter().any(|s| s == "profile") {
        claims.insert("name".into(), json!(person.name));
        claims.insert("given_name".into(), json!(person.name));
        claims.insert("locale".into(), json!("en-US"));
    }
    claims
}

/// OpenID's `at_hash`: the left half of SHA-256 of the access token, base64url.
fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

/// `Authorization: Basic base64(id:secret)`.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}
