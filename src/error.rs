//! The application error. User-facing variants become ephemeral Slack replies or 4xx
//! responses; internal ones are logged with their cause chain and answered opaquely.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request was not signed by Slack, or the signature is stale.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The request could not be understood.
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match self {
            AppError::Unauthorized(why) => {
                tracing::warn!(%why, "rejected an unsigned or stale request");
                (StatusCode::UNAUTHORIZED, "invalid signature").into_response()
            }
            AppError::BadRequest(why) => {
                tracing::warn!(%why, "rejected a malformed request");
                (StatusCode::BAD_REQUEST, why).into_response()
            }
            AppError::Store(e) => {
                tracing::error!(error = ?anyhow::Error::from(e), "store failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}
