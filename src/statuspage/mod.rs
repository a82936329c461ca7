//! Atlassian Statuspage's REST API (v1), for mirroring public stakeholder updates:
//! create an incident, patch it with later updates, resolve it.
//!
//! Statuspage takes no idempotency key: a create whose answer is lost may have opened
//! the incident. So every create carries metadata naming the Warroom incident
//! (`{"warroom": {"incident_id": "42"}}`), and before creating again the caller asks
//! [`StatuspageClient::find_created`], which reads the page's incidents newest first
//! back to the first attempt. Failures are classified like GitHub's; see
//! [`StatuspageError`]. Warroom's words map to Statuspage's in [`incident_status`],
//! [`impact`] and [`component_status`].

mod error;

pub use error::{StatuspageError, classify};

use crate::domain::{Severity, Status};
use chrono::{DateTime, Utc};
use reqwest::header::{AUTHORIZATION, HeaderMap};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use url::Url;

pub const DEFAULT_API_URL: &str = "https://api.statuspage.io";
/// The metadata key under which a created incident names its Warroom incident.
pub const METADATA_KEY: &str = "warroom";
/// Incidents read per page, and the most pages [`StatuspageClient::find_created`]
/// reads: 500 incidents opened since the first attempt is far more than any page has.
pub const PER_PAGE: usize = 100;
pub const MAX_PAGES: usize = 5;

/// Statuspage's incident status for Warroom's: a closed incident is resolved.
pub fn incident_status(status: Status) -> &'static str {
    match status {
        Status::Investigating => "investigating",
        Status::Identified => "identified",
        Status::Monitoring => "monitoring",
        Status::Resolved | Status::Closed => "resolved",
    }
}

/// The impact shown for a severity: SEV1 critical, SEV2 major, SEV3 minor, SEV4 none.
pub fn impact(severity: Severity) -> &'static str {
    match severity.level() {
        1 => "critical",
        2 => "major",
        3 => "minor",
        _ => "none",
    }
}

/// What an affected component shows: operational once resolved; otherwise by
/// severity, a major outage (SEV1), a partial outage (SEV2), degraded performance.
pub fn component_status(severity: Severity, status: Status) -> &'static str {
    if matches!(status, Status::Resolved | Status::Closed) {
        return "operational";
    }
    match severity.level() {
        1 => "major_outage",
        2 => "partial_outage",
        _ => "degraded_performance",
    }
}

/// The fields of a create or an update (`{"incident": {…}}`). Fields left `None` or
/// empty are not sent, so an update never renames the incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IncidentWrite {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub impact_override: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub component_ids: Vec<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub components: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// The metadata that names Warroom incident `incident_id` on a created incident.
pub fn marker(incident_id: i64) -> serde_json::Value {
    serde_json::json!({ METADATA_KEY: { "incident_id": incident_id.to_string() } })
}

/// Where a Statuspage incident stands: its status and its latest update's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub status: String,
    pub body: Option<String>,
}

impl Latest {
    /// Whether `write` is already what the incident shows: an update whose answer was
    /// lost, which sending again would post twice.
    pub fn shows(&self, write: &IncidentWrite) -> bool {
        self.status == write.status && (write.body.is_none() || self.body == write.body)
    }
}

#[derive(Deserialize)]
struct Listed {
    id: String,
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    metadata: serde_json::Value,
}

#[derive(Clone)]
pub struct StatuspageClient {
    api_url: String,
    api_key: SecretString,
    http: reqwest::Client,
}

impl std::fmt::Debug for StatuspageClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StatuspageClient")
            .field("api_url", &self.api_url)
            .field("api_key", &"[redacted]")
            .finish()
    }
}

impl StatuspageClient {
    /// The client's timeout bounds every call.
    pub fn new(api_url: String, api_key: SecretString, http: reqwest::Client) -> Self {
        Self {
            api_url,
            api_key,
            http,
        }
    }

    /// `POST /v1/pages/{page_id}/incidents`; Statuspage's id for the new incident.
    /// Any failure may still have opened it: ask [`Self::find_created`] before
    /// calling again.
    #[tracing::instrument(skip_all, fields(page_id), err(Display))]
    pub async fn create(
        &self,
        page_id: &str,
        write: &IncidentWrite,
    ) -> Result<String, StatuspageError> {
        let url = self.url(page_id, &[])?;
        let body = serde_json::json!({ "incident": write });
        let id = self.send_for_id(self.http.post(url).json(&body)).await?;
        tracing::info!(statuspage_id = %id, "opened a Statuspage incident");
        Ok(id)
    }

    /// `PATCH /v1/pages/{page_id}/incidents/{incident_id}`.
    #[tracing::instrument(skip_all, fields(page_id, incident_id), err(Display))]
    pub async fn update(
        &self,
        page_id: &str,
        incident_id: &str,
        write: &IncidentWrite,
    ) -> Result<(), StatuspageError> {
        let url = self.url(page_id, &[incident_id])?;
        let body = serde_json::json!({ "incident": write });
        self.send_for_id(self.http.patch(url).json(&body))
            .await
            .map(drop)
    }

    /// `GET /v1/pages/{page_id}/incidents/{incident_id}`: its status and the body of
    /// its latest update, so a retried update can tell whether it already landed.
    #[tracing::instrument(skip_all, fields(page_id, incident_id), err(Display))]
    pub async fn latest(
        &self,
        page_id: &str,
        incident_id: &str,
    ) -> Result<Latest, StatuspageError> {
        let url = self.url(page_id, &[incident_id])?;
        let (status, headers, text) = self.send(self.http.get(url)).await?;
        if !(200..=299).contains(&status) {
            return Err(classify(status, &headers, &text));
        }
        #[derive(Deserialize)]
        struct Update {
            body: Option<String>,
            created_at: Option<DateTime<Utc>>,
        }
        #[derive(Deserialize)]
        struct Fetched {
            status: String,
            #[serde(default)]
            incident_updates: Vec<Update>,
        }
        let fetched: Fetched = serde_json::from_str(&text)
            .map_err(|e| StatuspageError::Transport(format!("unreadable incident: {e}")))?;
        // Statuspage lists the newest first; among equal times, the earlier listed.
        let newest = (fetched.incident_updates.into_iter().enumerate())
            .max_by_key(|(i, u)| (u.created_at, std::cmp::Reverse(*i)))
            .map(|(_, u)| u);
        Ok(Latest {
            status: fetched.status,
            body: newest.and_then(|u| u.body),
        })
    }

    /// The incident an earlier create for Warroom incident `warroom_id` opened, if
    /// any: `GET /v1/pages/{page_id}/incidents`, newest first, [`PER_PAGE`] a page,
    /// until incidents older than `since` (the first attempt, a little earlier for
    /// clock skew), the end, or [`MAX_PAGES`] pages.
    #[tracing::instrument(skip_all, fields(page_id), err(Display))]
    pub async fn find_created(
        &self,
        page_id: &str,
        warroom_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Option<String>, StatuspageError> {
        let wanted = warroom_id.to_string();
        for n in 1..=MAX_PAGES {
            let mut url = self.url(page_id, &[])?;
            url.query_pairs_mut()
                .append_pair("page", &n.to_string())
                .append_pair("per_page", &PER_PAGE.to_string());
            let (status, headers, text) = self.send(self.http.get(url)).await?;
            if !(200..=299).contains(&status) {
                return Err(classify(status, &headers, &text));
            }
            let page: Vec<Listed> = serde_json::from_str(&text).map_err(|e| {
                StatuspageError::Transport(format!("unreadable page of incidents: {e}"))
            })?;
            let found = page.iter().find(|i| {
                i.metadata[METADATA_KEY]["incident_id"].as_str() == Some(wanted.as_str())
            });
            if let Some(i) = found {
                return Ok(Some(i.id.clone()));
            }
            let reached_older = page.iter().any(|i| i.created_at.is_some_and(|t| t < since));
            if page.len() < PER_PAGE || reached_older {
                return Ok(None);
            }
        }
        Err(StatuspageError::SearchIncomplete { pages: MAX_PAGES })
    }

    /// `{api}/v1/pages/{page_id}/incidents[/{more}]`, each part escaped.
    fn url(&self, page_id: &str, more: &[&str]) -> Result<Url, StatuspageError> {
        let mut url = Url::parse(&self.api_url).map_err(|e| {
            StatuspageError::NotConfigured(format!("API URL {:?}: {e}", self.api_url))
        })?;
        url.path_segments_mut()
            .map_err(|()| StatuspageError::NotConfigured(format!("API URL {}", self.api_url)))?
            .pop_if_empty()
            .extend(["v1", "pages", page_id, "incidents"])
            .extend(more);
        Ok(url)
    }

    async fn send_for_id(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<String, StatuspageError> {
        let (status, headers, text) = self.send(request).await?;
        if !(200..=299).contains(&status) {
            return Err(classify(status, &headers, &text));
        }
        #[derive(Deserialize)]
        struct Answer {
            id: String,
        }
        serde_json::from_str::<Answer>(&text)
            .map(|a| a.id)
            .map_err(|e| StatuspageError::Transport(format!("unreadable answer: {e}")))
    }

    async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, String), StatuspageError> {
        let response = request
            .header(
                AUTHORIZATION,
                format!("OAuth {}", self.api_key.expose_secret()),
            )
            .send()
            .await
            .map_err(|e| StatuspageError::Transport(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .map_err(|e| StatuspageError::Transport(e.without_url().to_string()))?;
        Ok((status, headers, text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_warroom_status_maps_to_one_statuspage_takes() {
        let statuses = [
            Status::Investigating,
            Status::Identified,
            Status::Monitoring,
            Status::Resolved,
            Status::Closed,
        ];
        let mapped = statuses.map(incident_status);
        assert_eq!(
            mapped,
            [
                "investigating",
                "identified",
                "monitoring",
                "resolved",
                "resolved"
            ]
        );
    }

    #[test]
    fn impact_and_component_status_follow_the_severity_until_resolved() {
        let sevs = [
            Severity::SEV1,
            Severity::SEV2,
            Severity::SEV3,
            Severity::SEV4,
        ];
        assert_eq!(sevs.map(impact), ["critical", "major", "minor", "none"]);
        assert_eq!(
            sevs.map(|s| component_status(s, Status::Identified)),
            [
                "major_outage",
                "partial_outage",
                "degraded_performance",
                "degraded_performance"
            ]
        );
        assert_eq!(
            component_status(Severity::SEV1, Status::Resolved),
            "operational"
        );
    }

    #[test]
    fn an_update_already_shown_is_recognised_by_status_and_body() {
        let latest = Latest {
            status: "identified".into(),
            body: Some("Found it.".into()),
        };
        let write = |status: &str, body: Option<&str>| IncidentWrite {
            status: status.into(),
            body: body.map(str::to_string),
            ..Default::default()
        };
        assert!(latest.shows(&write("identified", Some("Found it."))));
        assert!(!latest.shows(&write("identified", Some("Fixing it."))));
        assert!(!latest.shows(&write("monitoring", Some("Found it."))));
        assert!(
            latest.shows(&write("identified", None)),
            "a status-only write"
        );
    }

    #[test]
    fn an_update_leaves_out_what_it_does_not_change() {
        let write = IncidentWrite {
            status: "monitoring".into(),
            body: Some("A fix is rolling out.".into()),
            ..Default::default()
        };
        let json = serde_json::to_value(&write).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"status": "monitoring", "body": "A fix is rolling out."})
        );
    }

    #[test]
    fn the_url_escapes_the_ids_and_the_key_stays_out_of_debug_output() {
        crate::tls::install_crypto_provider();
        let client = StatuspageClient::new(
            "https://sp.example/base/".into(),
            SecretString::from("sp-SUPERSECRET"),
            reqwest::Client::new(),
        );
        assert_eq!(
            client.url("p 1", &["i/2"]).unwrap().as_str(),
            "https://sp.example/base/v1/pages/p%201/incidents/i%2F2"
        );
        assert!(!format!("{client:?}").contains("SUPERSECRET"));
    }
}
