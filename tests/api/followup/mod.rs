//! After the close: owners' DMs on close, reminders on due dates, `warroom actions`.
//! Items are added through the store, as the capture commands would.

mod actions_cli;
mod github_export;
mod owner_dms;
mod reminders;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use warroom::domain::{
    ActionItem, ActionStatus, Declaration, Incident, IncidentTitle, NewActionItem, Severity,
};
use warroom::store::Store;

pub const LEAD: &str = "U0ALICE01";
pub const ANA: &str = "U02ANAOWNR";
pub const BEN: &str = "U03BENOWNR";

/// 2026-12-02 09:15 UTC, a Wednesday.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 15, 0).unwrap()
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

pub async fn add_item(
    store: &Store,
    incident_id: i64,
    text: &str,
    owner: Option<&str>,
    due: Option<NaiveDate>,
) -> ActionItem {
    let mut tx = store.begin().await.unwrap();
    let item = tx
        .add_action(&NewActionItem {
            incident_id,
            text: text.into(),
            owner_id: owner.map(Into::into),
            due,
            created_by: LEAD.into(),
            created_at: t0(),
            source_ts: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    item
}

pub async fn set_status(store: &Store, item: &ActionItem, status: ActionStatus) {
    let mut tx = store.begin().await.unwrap();
    let mut changed = tx.action_by_id(item.id).await.unwrap().unwrap();
    changed.status = status;
    tx.update_action(&changed).await.unwrap();
    tx.commit().await.unwrap();
}

/// A stored incident with its war room, no app needed.
pub async fn incident_in(store: &Store, channel: &str, title: &str) -> i64 {
    let (mut i, _) = Incident::declare(Declaration {
        title: IncidentTitle::parse(title).unwrap(),
        severity: Severity::SEV2,
        service: None,
        summary: None,
        declared_by: "U1".into(),
        declared_at: t0(),
    });
    i.channel_id = Some(channel.into());
    let mut tx = store.begin().await.unwrap();
    let id = tx.insert_incident(&i).await.unwrap();
    tx.commit().await.unwrap();
    id
}
