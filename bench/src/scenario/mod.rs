//! Self-contained scenarios: each starts what it needs (fake Slack, database, the app
//! in-process or the real binary), measures one thing, and cleans up.

pub mod alert_storm;
pub mod commands;
pub mod dashboard;
pub mod env;
pub mod ingest;
pub mod outbound;
pub mod rss;
pub mod smoke;

use crate::report::{Machine, write_json};
use serde::Serialize;
use std::path::Path;

/// What every scenario writes: what ran, where, when, and its result.
#[derive(Debug, Serialize)]
pub struct Envelope<'a, P: Serialize, R: Serialize> {
    pub scenario: &'a str,
    pub started_at: String,
    pub machine: Machine,
    pub params: &'a P,
    pub result: &'a R,
}

pub fn save<P: Serialize, R: Serialize>(
    path: Option<&Path>,
    scenario: &str,
    started_at: chrono::DateTime<chrono::Utc>,
    params: &P,
    result: &R,
) -> anyhow::Result<()> {
    if let Some(path) = path {
        write_json(
            path,
            &Envelope {
                scenario,
                started_at: started_at.to_rfc3339(),
                machine: Machine::detect(),
                params,
                result,
            },
        )?;
    }
    Ok(())
}
