//! The dashboard's paths, all under `/dashboard` so they share a server with Slack's
//! routes, and the headers every dashboard answer carries: a strict Content Security
//! Policy (no inline script or style; only Warroom's own stylesheet), no framing, no
//! sniffing, no referrer sent to other sites, and `no-store` on pages (incidents hold
//! internal detail). `same-origin`, not `no-referrer`: under `no-referrer` a browser
//! sends `Origin: null` with the login form's POST, which `auth` must then refuse.

use super::{Access, DashboardState, assets, auth, pages, slack_auth};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; \
     script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The login form is a few hundred bytes.
const MAX_BODY: usize = 16 * 1024;

/// The dashboard's routes, to merge into a server's router. When the dashboard is
/// off, there are none: its paths answer the server's plain 404.
pub fn router(state: DashboardState) -> Router {
    if state.access == Access::Off {
        return Router::new();
    }
    // Pages that need a sign-in (when the dashboard asks for one).
    let pages = Router::new()
        .route("/dashboard/", get(pages::list::show))
        .route("/dashboard/incidents/{id}", get(pages::incident::show))
        .route(
            "/dashboard/incidents/{id}/postmortem.md",
            get(pages::postmortem::download),
        )
        .route("/dashboard/trends", get(pages::trends::show))
        .route(pages::report::PATH, get(pages::report::show))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            auth::require_sign_in,
        ));
    // What must work before signing in, Sign in with Slack's two routes included
    // (they answer 404 when it is not configured).
    let public = Router::new()
        .route("/dashboard/login", get(auth::login_form).post(auth::login))
        .route(slack_auth::START, get(slack_auth::start))
        .route(slack_auth::CALLBACK, get(slack_auth::callback))
        .route("/dashboard/logout", post(auth::logout))
        .route("/dashboard/static/{file}", get(assets::serve))
        .route(
            "/dashboard",
            get(|| async { Redirect::permanent("/dashboard/") }),
        )
        .route("/dashboard/{*rest}", any(not_found));
    Router::new()
        .merge(pages)
        .merge(public)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn not_found() -> Response {
    pages::PageError::NotFound.into_response()
}

/// Sets the security headers on every dashboard answer (404s and redirects too), and
/// `Cache-Control: no-store` unless the answer chose its own (the stylesheet).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // Same-origin: the login form's POST keeps its `Origin` (see the module doc).
    set(h, header::REFERRER_POLICY, "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    res
}
