//! The stylesheet, compiled into the binary and served by Warroom itself (no CDN, no
//! files at runtime). Pages link it with a hash of its content, so it can be cached
//! for a long time and a new build's stylesheet is fetched at once.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

const CSS: &str = include_str!("static/dashboard.css");

/// `/dashboard/static/dashboard.css?v=<hash>`.
pub static CSS_HREF: LazyLock<String> = LazyLock::new(|| {
    let hash = hex::encode(Sha256::digest(CSS.as_bytes()));
    format!("/dashboard/static/dashboard.css?v={}", &hash[..12])
});

/// `GET /dashboard/static/{file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    if file != "dashboard.css" {
        return super::pages::PageError::NotFound.into_response();
    }
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=604800"),
            ),
        ],
        CSS,
    )
        .into_response()
}
