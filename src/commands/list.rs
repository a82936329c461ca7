//! `/incident list`: open incidents, anywhere.

use super::Reply;
use crate::error::AppError;
use crate::state::AppState;
use std::fmt::Write;

pub async fn run(state: &AppState) -> Result<Reply, AppError> {
    let mut tx = state.store.read().await?;
    let open = tx.open_incidents().await?;
    tx.commit().await?;
    if open.is_empty() {
        return Ok(Reply::Ephemeral(
            "No open incidents. :white_check_mark:".into(),
        ));
    }
    let mut text = format!(
        "*{} open incident{}*",
        open.len(),
        if open.len() == 1 { "" } else { "s" }
    );
    for i in &open {
        let room = i
            .channel_id
            .as_deref()
            .map(|c| format!(" <#{c}>"))
            .unwrap_or_else(|| " (war room opening)".into());
        let _ = write!(
            text,
            "\n• #{} {} {}: {}{room}, declared {} UTC",
            i.id,
            i.severity,
            i.status,
            i.title,
            i.declared_at.format("%Y-%m-%d %H:%M")
        );
    }
    Ok(Reply::Ephemeral(text))
}
