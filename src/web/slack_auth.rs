//! Sign in with Slack's two routes: [`START`] sends the browser to Slack with a
//! signed single-use state cookie, and [`CALLBACK`] checks Slack's answer
//! ([`crate::slack::sign_in`] does the protocol) and opens the same session cookie
//! the token form does, naming the Slack user. A refusal (cancelled, expired link,
//! another workspace, Slack unreachable) shows the login page with the reason, and
//! always clears the flow's cookie.

use super::DashboardState;
use super::auth::{HOME, login_page, see_other};
use crate::slack::sign_in::{CALLBACK_PATH, CallbackQuery, START_PATH};
use axum::extract::{RawQuery, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

pub const START: &str = START_PATH;
pub const CALLBACK: &str = CALLBACK_PATH;

/// `GET /dashboard/auth/slack`: off to Slack's authorize page.
pub async fn start(State(state): State<DashboardState>) -> Response {
    let (Some(slack), Some(sessions)) = (&state.slack, &state.sessions) else {
        return super::pages::PageError::NotFound.into_response();
    };
    let begun = slack.start(sessions.flow_key(), state.clock.now());
    let mut res = see_other(begun.redirect_to.as_str());
    if let Ok(cookie) = HeaderValue::from_str(&begun.set_cookie) {
        res.headers_mut().append(SET_COOKIE, cookie);
    }
    res
}

/// `GET /dashboard/auth/slack/callback`: Slack sends the browser back here.
pub async fn callback(
    State(state): State<DashboardState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let (Some(slack), Some(sessions)) = (&state.slack, &state.sessions) else {
        return super::pages::PageError::NotFound.into_response();
    };
    // A query that does not parse is a callback without code or state: refused below.
    let query: CallbackQuery =
        serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).unwrap_or_default();
    let now = state.clock.now();
    let mut res = match slack
        .finish(sessions.flow_key(), &headers, &query, now)
        .await
    {
        Ok(person) => {
            let mut res = see_other(HOME);
            res.headers_mut().append(
                SET_COOKIE,
                sessions.issue_session(&person.user_id, &person.name, "slack", now),
            );
            res
        }
        Err(e) => {
            let status = e.status();
            let mut res = login_page(&state, status, HOME.to_string(), Some(e.message()));
            if status == StatusCode::OK {
                *res.status_mut() = StatusCode::BAD_REQUEST;
            }
            res
        }
    };
    if let Ok(clear) = HeaderValue::from_str(&slack.clear_cookie()) {
        res.headers_mut().append(SET_COOKIE, clear);
    }
    res
}
