//! `/dashboard/incidents/{id}/postmortem.md`: the postmortem draft as a download, the
//! same draft `warroom postmortem <id>` prints (the same function writes both), in
//! the configured template.

use super::PageError;
use super::incident::visible_incident;
use crate::web::DashboardState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

pub async fn download(
    State(state): State<DashboardState>,
    Path(raw_id): Path<String>,
) -> Result<Response, PageError> {
    let mut tx = state.store.read().await?;
    let (incident, _) = visible_incident(&mut tx, &state, &raw_id).await?;
    tx.commit().await?;
    let draft = crate::cli::draft_markdown(
        &state.store,
        incident.id,
        &state.escalation,
        &state.postmortem,
    )
    .await?;
    // The file name is built from the id and a slug of ASCII letters, digits and
    // hyphens, so it needs no quoting beyond the quotes.
    let name = crate::postmortem::file_name(&incident);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/markdown; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        format!("{draft}\n"),
    )
        .into_response())
}
