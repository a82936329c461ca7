//! An alert storm: 500 notifications in a few seconds across 20 groups, with the fake
//! Slack holding Warroom to Slack's rate tiers. Exactly 20 incidents, each with one
//! war room, and each point of contact paged once per incident.

use super::*;
use crate::on_both_backends;
use futures::StreamExt;
use std::collections::{HashMap, HashSet};

const GROUPS: usize = 20;
const NOTIFICATIONS: usize = 500;

/// The `n`th notification: groups take turns; each later notification of a group
/// carries one more of its alerts (up to five), and some are plain re-sends.
fn notification(n: usize, now: DateTime<Utc>) -> Value {
    let group = n % GROUPS;
    let round = n / GROUPS;
    let alerts: Vec<A> = (0..=round.min(4))
        .map(|i| {
            A::firing("ShopDown", &format!("g{group}-a{i}"), ago(now, 5))
                .label("instance", &format!("web-{i}"))
                .summary(&format!("Shop group {group} down"))
        })
        .collect();
    alertmanager(&format!("Storm{group}"), &alerts, now)
}

async fn a_storm_of_500_notifications_in_20_groups_makes_20_incidents_each_paged_once(
    backend: Backend,
) {
    let now = Utc::now();
    let app = alerting_app(backend, now).await;
    let bodies: Vec<Value> = (0..NOTIFICATIONS).map(|n| notification(n, now)).collect();
    let answers: Vec<Value> = futures::stream::iter(bodies.iter())
        .map(|b| app.alertmanager(b))
        .buffer_unordered(25)
        .collect()
        .await;

    let declared: Vec<i64> = answers
        .iter()
        .filter(|a| a["declared"] == json!(true))
        .filter_map(|a| a["incident_id"].as_i64())
        .collect();
    assert_eq!(declared.len(), GROUPS, "one declare per group");
    assert_eq!(app.incident_count().await, GROUPS as i64);
    let fed: HashSet<i64> = answers
        .iter()
        .filter_map(|a| a["incident_id"].as_i64())
        .collect();
    assert_eq!(fed.len(), GROUPS, "every notification fed one of the 20");

    // Pages: one PagerDuty trigger and one page of the SRE per incident.
    let pd = app.pagers().pagerduty.clone();
    pd.wait_for("20 triggers", |p| p.events().len() >= GROUPS)
        .await;
    let mut per_key: HashMap<String, usize> = HashMap::new();
    for e in pd.events() {
        *per_key
            .entry(e.body["dedup_key"].as_str().unwrap_or("").to_string())
            .or_default() += 1;
    }
    assert_eq!(per_key.len(), GROUPS, "{per_key:?}");
    assert!(per_key.values().all(|n| *n == 1), "{per_key:?}");
    for id in &declared {
        let pages = app.pages(*id).await;
        assert_eq!(pages.len(), 1, "incident #{id}: {pages:?}");
        assert_eq!(pages[0].user_id, SRE);
    }

    // War rooms: Tier 2 lets about 20 channels be made a minute; all 20, once each.
    let wait = std::time::Duration::from_secs(150);
    app.slack
        .wait_for_within("20 war rooms", wait, |s| {
            s.calls_to("conversations.create")
                .iter()
                .filter(|c| c.response["ok"] == json!(true))
                .count()
                >= GROUPS
        })
        .await;
    for id in &declared {
        app.war_room_of(*id).await;
    }
    let made = app
        .slack
        .calls_to("conversations.create")
        .iter()
        .filter(|c| c.response["ok"] == json!(true))
        .count();
    assert_eq!(made, GROUPS, "one war room per incident");
    app.stop().await;
}
on_both_backends!(
    a_storm_of_500_notifications_in_20_groups_makes_20_incidents_each_paged_once,
    a_storm_of_500_notifications_in_20_groups_makes_20_incidents_each_paged_once
);
