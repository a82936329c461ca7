//! Who is asking, on every dashboard page: a bearer token (`Authorization: Bearer …`,
//! compared in constant time) or a session cookie from the login form. Without
//! either, a browser asking for a page is sent to the login form (303) and anything
//! else is told 401. Sign in with Slack ([`super::slack_auth`]) ends in the same
//! session cookie. The login form and sign-out accept a POST only from the
//! dashboard's own pages (the `Origin` or `Referer` must be the dashboard's), besides
//! the cookie's `SameSite=Lax`, so another site cannot sign someone in or out.

use super::pages::{Chrome, PageError, html};
use super::session::Session;
use super::{Access, DashboardState};
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::header::{
    ACCEPT, AUTHORIZATION, HOST, LOCATION, ORIGIN, REFERER, SET_COOKIE, WWW_AUTHENTICATE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How the person looking got in; handlers take it as an `Extension`.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// The dashboard runs open: no sign-in is configured (loopback only).
    Open,
    /// A request with the bearer token: a script, or a browser test.
    Bearer,
    /// Someone signed in, by the login form or Sign in with Slack.
    Session(Session),
}

/// What the login form's session calls the token's holder.
const TOKEN_USER: &str = "token";
const TOKEN_NAME: &str = "Token holder";
const LOGIN: &str = "/dashboard/login";
pub(super) const HOME: &str = "/dashboard/";

/// Middleware on every page that needs a sign-in.
pub async fn require_sign_in(
    State(state): State<DashboardState>,
    mut req: Request,
    next: Next,
) -> Response {
    let viewer = match state.access {
        Access::Off => return PageError::NotFound.into_response(),
        Access::Open => Viewer::Open,
        Access::Protected => match identify(&state, req.headers()) {
            Identified::Yes(viewer) => viewer,
            Identified::No => return ask_to_sign_in(&req),
            Identified::WrongToken => return unauthorized("the bearer token is not right"),
        },
    };
    req.extensions_mut().insert(viewer);
    next.run(req).await
}

enum Identified {
    Yes(Viewer),
    No,
    WrongToken,
}

fn identify(state: &DashboardState, headers: &HeaderMap) -> Identified {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let given = value.to_str().ok().and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
        return match given {
            Some(token) if token_matches(state, token) => Identified::Yes(Viewer::Bearer),
            _ => Identified::WrongToken,
        };
    }
    let now = state.clock.now();
    match state
        .sessions
        .as_ref()
        .and_then(|s| s.from_headers(headers, now))
    {
        Some(session) => Identified::Yes(Viewer::Session(session)),
        None => Identified::No,
    }
}

/// Compares digests, so neither the time taken nor the length says how much matched.
fn token_matches(state: &DashboardState, given: &str) -> bool {
    let Some(expected) = &state.token else {
        return false;
    };
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.expose_secret().as_bytes());
    a.ct_eq(&b).into()
}

/// A browser asking for a page goes to the login form, then back; anything else
/// (scripts, POSTs, assets) gets 401.
fn ask_to_sign_in(req: &Request) -> Response {
    let wants_page = matches!(*req.method(), Method::GET | Method::HEAD)
        && req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
    if !wants_page {
        return unauthorized("sign in first");
    }
    let back = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(HOME);
    let target = format!(
        "{LOGIN}?{}",
        serde_urlencoded::to_string([("next", back)]).unwrap_or_default()
    );
    see_other(&target)
}

fn unauthorized(why: &'static str) -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"Warroom dashboard\""),
        )],
        format!(
            "401 Unauthorized: {why}. Send Authorization: Bearer <token>, or sign in at {LOGIN}.\n"
        ),
    )
        .into_response()
}

pub(super) fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static(HOME));
    (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response()
}

/// Where to go after signing in: a dashboard path, never another site.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with(HOME)
                && n.len() <= 2048
                && !n.contains("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_string()
        }
        _ => HOME.to_string(),
    }
}

#[derive(Serialize)]
struct LoginPage {
    #[serde(flatten)]
    chrome: Chrome,
    next: String,
    error: Option<String>,
    /// Whether the token form is offered (a token is configured).
    token: bool,
    /// Where "Sign in with Slack" starts, when it is configured.
    slack: Option<String>,
}

/// The login page: the token form and/or the Sign in with Slack button, whichever
/// are configured, with `error` above them.
pub(super) fn login_page(
    state: &DashboardState,
    status: StatusCode,
    next: String,
    error: Option<String>,
) -> Response {
    // After Sign in with Slack, people land on the incidents: the flow's cookie
    // carries only its state and nonce.
    let slack = state
        .slack
        .as_ref()
        .map(|_| super::slack_auth::START.to_string());
    let page = LoginPage {
        chrome: Chrome::anonymous(LOGIN),
        next,
        error,
        token: state.token.is_some(),
        slack,
    };
    html(status, "login.html", &page)
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// `GET /dashboard/login`: the form (or, when there is nothing to sign in to or the
/// visitor already is, the page they wanted).
pub async fn login_form(
    State(state): State<DashboardState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let next = serde_urlencoded::from_str::<NextQuery>(raw.as_deref().unwrap_or(""))
        .ok()
        .and_then(|q| q.next);
    let next = safe_next(next.as_deref());
    if state.access == Access::Open || matches!(identify(&state, &headers), Identified::Yes(_)) {
        return see_other(&next);
    }
    login_page(&state, StatusCode::OK, next, None)
}

#[derive(Deserialize)]
struct LoginForm {
    token: Option<String>,
    next: Option<String>,
}

/// `POST /dashboard/login`: the right token signs in (a session cookie, then back to
/// the page wanted); a wrong one shows the form again, with no cookie.
pub async fn login(
    State(state): State<DashboardState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !from_own_page(&state, &headers) {
        return forbidden_cross_site();
    }
    let form: LoginForm = serde_urlencoded::from_bytes(&body).unwrap_or(LoginForm {
        token: None,
        next: None,
    });
    let next = safe_next(form.next.as_deref());
    let Some(sessions) = state
        .sessions
        .as_ref()
        .filter(|_| state.access == Access::Protected)
    else {
        return see_other(&next);
    };
    let token = form.token.unwrap_or_default();
    if !token_matches(&state, token.trim()) {
        tracing::info!("a dashboard sign-in was refused: wrong token");
        return login_page(
            &state,
            StatusCode::UNAUTHORIZED,
            next,
            Some(
                "That token is not right. Check the variable that [dashboard] token_env names."
                    .into(),
            ),
        );
    }
    let cookie = sessions.issue_session(TOKEN_USER, TOKEN_NAME, "token", state.clock.now());
    let mut res = see_other(&next);
    res.headers_mut().insert(SET_COOKIE, cookie);
    res
}

/// `POST /dashboard/logout`: clears the session cookie.
pub async fn logout(State(state): State<DashboardState>, headers: HeaderMap) -> Response {
    if !from_own_page(&state, &headers) {
        return forbidden_cross_site();
    }
    let mut res = see_other(LOGIN);
    if let Some(sessions) = &state.sessions {
        res.headers_mut()
            .insert(SET_COOKIE, sessions.clear_cookie());
    }
    res
}

fn forbidden_cross_site() -> Response {
    let mut res = PageError::BadRequest(
        "This form must be sent from the dashboard's own page. Open the page again and retry."
            .into(),
    )
    .into_response();
    *res.status_mut() = StatusCode::FORBIDDEN;
    res
}

/// Whether a form POST comes from the dashboard's own pages: its `Origin` (else its
/// `Referer`) is the configured public URL's origin, or, without one, names the host
/// the request was sent to. Browsers always send `Origin` with a form POST.
fn from_own_page(state: &DashboardState, headers: &HeaderMap) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let claimed = header(ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| header(REFERER))
        .and_then(|c| url::Url::parse(c).ok());
    let Some(claimed) = claimed else {
        return false;
    };
    match &state.public_url {
        Some(public) => claimed.origin() == public.origin(),
        None => {
            let Some(host) = claimed.host_str() else {
                return false;
            };
            let authority = match claimed.port() {
                Some(port) => format!("{host}:{port}"),
                None => host.to_string(),
            };
            header(HOST).is_some_and(|h| h.eq_ignore_ascii_case(&authority))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_signing_in_only_dashboard_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/dashboard/incidents/4?after=x")),
            "/dashboard/incidents/4?after=x"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/dashboard/",
            "/dashboard//evil.example",
            "/dashboard/\\evil",
            "/slack/events",
            "/dashboard/\nSet-Cookie: x",
        ] {
            assert_eq!(safe_next(Some(bad)), "/dashboard/", "{bad}");
        }
        assert_eq!(safe_next(None), "/dashboard/");
    }
}
