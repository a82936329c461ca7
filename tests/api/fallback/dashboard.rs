//! The dashboard's timeline tags what was said on IRC, and the link the war room gets
//! when Slack is back opens the timeline where Slack went down.

use super::stored_incident;
use super::{irc_line, message};
use crate::dashboard::spawn_dashboard;
use crate::db::Backend;
use chrono::{Duration, TimeZone, Utc};
use warroom::fallback::watch::timeline_link;

#[tokio::test]
async fn the_back_link_opens_the_timeline_at_the_outage_with_irc_lines_tagged() {
    let dash = spawn_dashboard(Backend::Sqlite, |_| {}).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap();
    let id = stored_incident(&dash.store, t0).await;
    for m in 0..5 {
        let at = t0 + Duration::minutes(m);
        message(
            &dash.store,
            id,
            at,
            None,
            Some("U0ALICE"),
            &format!("before the outage {m}"),
        )
        .await;
    }
    let down = t0 + Duration::minutes(10);
    irc_line(
        &dash.store,
        id,
        down,
        None,
        "mallory42",
        "is slack down for everyone",
    )
    .await;

    let link = timeline_link("", id, down);
    let page = dash.page(&link).await;
    assert!(page.contains("is slack down for everyone"), "{page}");
    assert!(page.contains("mallory42"), "{page}");
    assert!(page.contains(">IRC</span>"), "the IRC line is tagged");
    assert!(
        !page.contains("before the outage 3"),
        "starts where Slack went down"
    );
    assert_eq!(
        page.matches(">IRC</span>").count(),
        1,
        "only the IRC line is tagged"
    );
}
