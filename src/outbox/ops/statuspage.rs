//! A public update mirrored on Atlassian Statuspage, once. The link row was stored
//! with the first public update; the first op to run creates the Statuspage incident
//! and keeps its id there, later ones patch it. Statuspage takes no idempotency key,
//! so a create carries metadata naming the Warroom incident, and a retry (whose
//! earlier attempt may have created it before its answer was lost) looks for that
//! first; a retried update first reads the incident, and sends nothing if its latest
//! update already says the same. The incident's public name never quotes the war
//! room: it names the service.

use super::{CLOCK_MARGIN, Ctx, Delivery, SendError};
use crate::config::StatuspageSettings;
use crate::domain::{Incident, Status};
use crate::statuspage::{
    IncidentWrite, StatuspageClient, component_status, impact, incident_status, marker,
};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the Statuspage ops reach: the client, the page, and which components each
/// service affects.
#[derive(Clone, Debug)]
pub struct StatuspageExport {
    pub client: StatuspageClient,
    pub page_id: String,
    pub components: Arc<BTreeMap<String, Vec<String>>>,
}

impl StatuspageExport {
    /// `http` bounds every call with its timeout.
    pub fn new(settings: &StatuspageSettings, http: reqwest::Client) -> Self {
        Self {
            client: StatuspageClient::new(settings.api_url.clone(), settings.api_key.clone(), http),
            page_id: settings.page_id.clone(),
            components: Arc::new(settings.components.clone()),
        }
    }
}

pub(super) async fn run(
    ctx: &Ctx,
    d: Delivery<'_>,
    incident: &Incident,
    status: &str,
    body: Option<&str>,
) -> Result<(), SendError> {
    let sp = ctx.statuspage.as_ref().ok_or_else(|| {
        SendError::Missing("Statuspage is no longer configured ([statuspage] page_id)".into())
    })?;
    let status = Status::from_stored(status)
        .map_err(|e| SendError::Missing(format!("an unreadable status: {e}")))?;
    let mut tx = ctx.store.read().await?;
    let link = tx.statuspage_link(incident.id).await?;
    tx.commit().await?;
    let link = link.ok_or_else(|| {
        SendError::Missing(format!("incident #{} never went public", incident.id))
    })?;
    let write = write_for(sp, incident, status, body);
    if let Some(id) = &link.statuspage_id {
        // An earlier attempt may have landed before its answer was lost.
        if d.retry && sp.client.latest(&link.page_id, id).await?.shows(&write) {
            tracing::info!(
                incident_id = incident.id,
                "an earlier attempt updated the Statuspage incident; not again"
            );
            return Ok(());
        }
        sp.client.update(&link.page_id, id, &write).await?;
        return Ok(());
    }
    if body.is_none() {
        return Err(SendError::Missing(format!(
            "incident #{} has no Statuspage incident to resolve",
            incident.id
        )));
    }
    let found = if d.retry {
        let since = d.since - CLOCK_MARGIN;
        sp.client
            .find_created(&link.page_id, incident.id, since)
            .await?
    } else {
        None
    };
    let id = match found {
        Some(id) => {
            tracing::info!(incident_id = incident.id, statuspage_id = %id, "an earlier attempt opened the Statuspage incident; keeping it");
            id
        }
        None => {
            let create = IncidentWrite {
                name: Some(public_name(sp, incident)),
                metadata: Some(marker(incident.id)),
                ..write
            };
            sp.client.create(&link.page_id, &create).await?
        }
    };
    let mut tx = ctx.store.begin().await?;
    tx.set_statuspage_id(incident.id, &id).await?;
    tx.commit().await?;
    Ok(())
}

/// The update: status as queued, the public text, the impact of the severity, and the
/// service's components with the status the severity implies.
fn write_for(
    sp: &StatuspageExport,
    incident: &Incident,
    status: Status,
    body: Option<&str>,
) -> IncidentWrite {
    let ids = incident
        .service
        .as_ref()
        .and_then(|s| sp.components.get(s))
        .cloned()
        .unwrap_or_default();
    let shown = component_status(incident.severity, status);
    IncidentWrite {
        name: None,
        status: incident_status(status).to_string(),
        body: body.map(str::to_string),
        impact_override: Some(impact(incident.severity).to_string()),
        components: ids
            .iter()
            .map(|id| (id.clone(), shown.to_string()))
            .collect(),
        component_ids: ids,
        metadata: None,
    }
}

/// What the public page calls the incident: never the war room's title, which is
/// written for responders; the service only when config maps it (a name the team
/// chose to publish).
pub(super) fn public_name(sp: &StatuspageExport, incident: &Incident) -> String {
    match incident
        .service
        .as_ref()
        .filter(|s| sp.components.contains_key(*s))
    {
        Some(service) => format!("Service disruption: {service}"),
        None => "Service disruption".to_string(),
    }
}
