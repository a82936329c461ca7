//! Stakeholder updates (`/incident update`) and their mirror on Atlassian Statuspage,
//! against the fake Slack and the strict fake Statuspage.

mod bad_input;
mod posting;
mod statuspage;
mod statuspage_client;

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_paging_app_with};
use warroom::config::Settings;
use warroom::store::Store;
use warroom_fakes::FakeSlack;

pub const LEAD: &str = "U0LEAD0001";

/// An app on a manual clock, with no paging; `adjust` may change settings and seed
/// the fake Slack.
pub async fn app_with(backend: Backend, adjust: impl FnOnce(&mut Settings, &FakeSlack)) -> TestApp {
    spawn_paging_app_with(backend, "", chrono::Utc::now(), |s, _, slack| {
        adjust(s, slack)
    })
    .await
}

/// Says which service an incident is about (declaring by command names none).
pub async fn set_service(store: &Store, incident_id: i64, service: &str) {
    const SQL: &str = "UPDATE incidents SET service = $1 WHERE id = $2";
    let done = match store {
        Store::Sqlite(pool, _) => sqlx::query(SQL)
            .bind(service)
            .bind(incident_id)
            .execute(pool)
            .await
            .map(drop),
        Store::Postgres(pool) => sqlx::query(SQL)
            .bind(service)
            .bind(incident_id)
            .execute(pool)
            .await
            .map(drop),
    };
    done.expect("set the service");
}

/// The texts of the stakeholder update entries of an incident.
pub async fn update_entries(app: &TestApp, incident_id: i64) -> Vec<String> {
    app.entries(incident_id)
        .await
        .into_iter()
        .filter(|e| e.kind.system_kind() == Some("stakeholder_update"))
        .map(|e| e.text)
        .collect()
}
