//! The two pages a browser (or the app) GETs outside the Web API: the authorize
//! page, which ends in a redirect back to the app, and the key set.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::super::reply::Reply;
use super::super::server::Shared;
use super::{AUTHORIZE_METHOD, Consent, Grant, IdTokenSigner, KEYS_METHOD, SESSION_COOKIE};

/// Scopes Sign in with Slack knows.
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "email"];

pub(crate) async fn authorize(
    AxumState(shared): AxumState<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let query: Map<String, Value> =
        serde_urlencoded::from_str::<Vec<(String, String)>>(uri.query().unwrap_or(""))
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
    let session = session_cookie(&headers);
    let index = shared.record(AUTHORIZE_METHOD, &Method::GET, Value::Object(query.clone()));
    let reply = shared
        .serve(AUTHORIZE_METHOD, index, || {
            decide(&shared, &query, session.as_deref())
        })
        .await;
    shared.finish(index, &reply);
    reply.into_response()
}

pub(crate) async fn keys(AxumState(shared): AxumState<Arc<Shared>>) -> Response {
    let index = shared.record(KEYS_METHOD, &Method::GET, json!({}));
    let reply = shared
        .serve(KEYS_METHOD, index, || {
            Reply::json(
                200,
                json!({ "keys": [IdTokenSigner::shared().public_jwk()] }),
            )
        })
        .await;
    shared.finish(index, &reply);
    reply.into_response()
}

/// What the authorize page does for this request and browser.
fn decide(shared: &Shared, query: &Map<String, Value>, session: Option<&str>) -> Reply {
    let arg = |k: &str| {
        query
            .get(k)
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
    };
    // Until client and redirect URL are known good, errors are shown, never redirected.
    if arg("client_id") != Some(shared.config.oidc_client_id.as_str()) {
        return Reply::text(400, "invalid_client_id: no app has this client_id");
    }
    let mut state = shared.lock();
    let registered = &state.oidc.redirect_urls;
    let redirect_uri = match arg("redirect_uri") {
        Some(uri) if registered.iter().any(|r| is_at_or_below(uri, r)) => uri.to_string(),
        Some(_) => {
            return Reply::text(
                400,
                "bad_redirect_uri: redirect_uri did not match any configured URIs",
            );
        }
        None => match registered.first() {
            Some(first) => first.clone(),
            None => return Reply::text(400, "bad_redirect_uri: the app has no redirect URL"),
        },
    };
    let back = |pairs: &[(&str, &str)]| {
        let mut pairs: Vec<(&str, &str)> = pairs.to_vec();
        if let Some(s) = arg("state") {
            pairs.push(("state", s));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        Reply::redirect(&format!("{redirect_uri}{sep}{query}"))
    };
    if arg("response_type") != Some("code") {
        return back(&[("error", "unsupported_response_type")]);
    }
    let scopes: Vec<String> = arg("scope")
        .unwrap_or("")
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if !scopes.iter().any(|s| s == "openid")
        || scopes.iter().any(|s| !OIDC_SCOPES.contains(&s.as_str()))
    {
        return back(&[("error", "invalid_scope")]);
    }
    let Some((person, consent)) = session.and_then(|s| state.oidc.sessions.get(s)).cloned() else {
        return Reply::text(200, "Sign in to your workspace to continue.");
    };
    if consent == Consent::Cancel {
        return back(&[("error", "access_denied")]);
    }
    let id = state.oidc.next_id().to_string();
    let code = format!(
        "{id}.{}",
        unguessable(&[&id, &person.user_id, &redirect_uri])
    );
    let grant = Grant {
        client_id: shared.config.oidc_client_id.clone(),
        redirect_uri: arg("redirect_uri").map(str::to_string),
        nonce: arg("nonce").map(str::to_string),
        scopes,
        person,
        issued: Instant::now(),
        exchanged_for: None,
    };
    state.oidc.grants.insert(code.clone(), grant);
    back(&[("code", &code)])
}

/// Slack accepts a redirect URL equal to a configured one or in a subdirectory of it.
fn is_at_or_below(uri: &str, registered: &str) -> bool {
    let registered = registered.trim_end_matches('/');
    uri == registered
        || uri
            .strip_prefix(registered)
            .is_some_and(|rest| rest.starts_with('/') && !rest.contains(".."))
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|p| p.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
}

/// A tail that makes a code (or token) look like Slack's: hex, not guessable from
/// its number alone.
pub(super) fn unguessable(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.update(nanos.to_le_bytes());
    hex::encode(hasher.finalize())
}
