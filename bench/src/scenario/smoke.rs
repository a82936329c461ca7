//! `smoke`: a few seconds of mixed ingest on SQLite into one war room over four
//! connections. Passes when every acknowledged event is stored exactly once.

use super::env::Backend;
use super::ingest::{self, Params};
use crate::workload::Mix;

pub fn params(duration_secs: f64) -> Params {
    Params {
        backend: Backend::Sqlite,
        incidents: 1,
        connections: 4,
        events: Some(20_000),
        duration_secs: Some(duration_secs),
        mix: Mix::default(),
        rate: None,
        warmup_secs: 0.0,
    }
}

/// Runs the smoke load; `Ok(problems)` lists what failed (empty: passed).
pub async fn run(duration_secs: f64) -> anyhow::Result<(ingest::Outcome, Vec<String>)> {
    let outcome = ingest::run(&params(duration_secs)).await?;
    let mut problems = Vec::new();
    let r = &outcome.ingest;
    if r.requests == 0 {
        problems.push("no request completed".to_string());
    }
    if r.acked == 0 {
        problems.push(format!("nothing acknowledged: {:?}", r.statuses));
    }
    match &r.verify {
        None => problems.push("no read-back".into()),
        Some(v) => {
            if v.expected == 0 {
                problems.push("no message expected".into());
            }
            if v.lost > 0 {
                problems.push(format!("{} lost", v.lost));
            }
            if v.duplicated > 0 {
                problems.push(format!("{} duplicated", v.duplicated));
            }
            if v.text_mismatch > 0 {
                problems.push(format!(
                    "{} edits not applied / texts wrong",
                    v.text_mismatch
                ));
            }
        }
    }
    Ok((outcome, problems))
}
