//! `/dashboard/report`: the on-call report of a window as a page, built from the
//! same stored data as `warroom report`: who was paged, who acked and how fast, the
//! resolution and the open action items; the window's form and its bad values;
//! private war rooms counted but not shown.

use super::{Seed, at, seed, spawn_dashboard, with_token};
use crate::db::Backend;
use crate::on_both_backends;
use chrono::TimeDelta;
use warroom::domain::{NewActionItem, Status};
use warroom::store::NewPage;

async fn the_report_page_shows_each_incident_of_the_window_with_pages_and_open_items(
    backend: Backend,
) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    // The clock reads 2026-11-18 09:00; the default window is the day before.
    let declared = at("2026-11-18T02:10:00Z");
    let id = seed(
        &dash.store,
        Seed {
            status: Status::Resolved,
            resolved_after: Some(3600),
            ..Seed::new("Checkout returns 500s", 1, "2026-11-18T02:10:00Z")
        },
    )
    .await;
    // Closed last week: not part of this day.
    let older = seed(
        &dash.store,
        Seed {
            status: Status::Closed,
            resolved_after: Some(600),
            ..Seed::new("Last week's outage", 2, "2026-11-10T10:00:00Z")
        },
    )
    .await;
    let mut tx = dash.store.begin().await.unwrap();
    let page_id = tx
        .insert_page(&NewPage {
            incident_id: id,
            page_key: "policy:1",
            user_id: "U0ONCALL",
            team_id: Some("payments"),
            level: Some(0),
            note: None,
            paged_by: None,
            paged_at: declared + TimeDelta::seconds(5),
        })
        .await
        .unwrap()
        .unwrap();
    tx.ack_page(
        page_id,
        "U0ONCALL",
        "slack",
        declared + TimeDelta::seconds(245),
    )
    .await
    .unwrap();
    let mut incident = tx.incident(id).await.unwrap().unwrap();
    // As Slack sends text: `<`, `>` and `&` arrive escaped.
    incident.resolution = Some("Rolled back the &lt;script&gt;deploy&lt;/script&gt;".into());
    tx.update_incident(&incident).await.unwrap();
    tx.add_action(&NewActionItem {
        incident_id: id,
        text: "Alert on provider latency".into(),
        owner_id: Some("U0ONCALL".into()),
        due: chrono::NaiveDate::from_ymd_opt(2026, 11, 17),
        created_by: "U0ONCALL".into(),
        created_at: declared,
        source_ts: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let body = dash.page("/dashboard/report").await;
    assert!(
        body.contains("1 incident"),
        "the summary counts one: {body}"
    );
    assert!(body.contains(&format!(
        "href=\"&#x2f;dashboard&#x2f;incidents&#x2f;{id}\""
    )));
    assert!(
        !body.contains(&format!("#{older}</span>")),
        "last week is outside the day"
    );
    assert!(body.contains("Checkout returns 500s"));
    assert!(
        body.contains("Rolled back the &lt;script&gt;"),
        "the resolution, escaped: {body}"
    );
    assert!(!body.contains("<script>"));
    assert!(
        body.contains("2026-11-18 02:14:05 UTC"),
        "the ack's time, UTC"
    );
    assert!(body.contains("4m"), "how fast the ack came");
    assert!(body.contains("payments"));
    assert!(body.contains("Alert on provider latency"));
    assert!(body.contains("overdue"), "the item was due yesterday");

    // A window from last Tuesday takes in last week's incident too.
    let week = dash.page("/dashboard/report?since=2026-11-10").await;
    assert!(week.contains("Last week&#x27;s outage") || week.contains("Last week's outage"));
    assert!(week.contains("2 incidents"), "{week}");
}
on_both_backends!(
    the_report_page_shows_each_incident_of_the_window_with_pages_and_open_items,
    the_report_page_shows_each_incident_of_the_window_with_pages_and_open_items
);

async fn a_bad_window_gets_a_400_page_naming_the_parameter(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    for (query, says) in [
        ("since=lately", "since"),
        ("until=soon", "until"),
        ("since=now&until=24h", "before"),
        ("since=90d", "31 days"),
        ("token=x", "token"),
    ] {
        let (status, body) = dash.get(&format!("/dashboard/report?{query}")).await;
        assert_eq!(status, 400, "{query}");
        assert!(body.contains(says), "{query}: {body}");
    }
}
on_both_backends!(
    a_bad_window_gets_a_400_page_naming_the_parameter,
    a_bad_window_gets_a_400_page_naming_the_parameter
);

async fn private_incidents_are_counted_but_not_shown_unless_configured(backend: Backend) {
    let private = || Seed {
        private: true,
        ..Seed::new("Secret vendor outage", 2, "2026-11-18T05:00:00Z")
    };
    let dash = spawn_dashboard(backend, with_token).await;
    seed(&dash.store, private()).await;
    let res = dash
        .browse(
            "/dashboard/report",
            &[("authorization", &format!("Bearer {}", super::TOKEN))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("1 incident"), "counted: {body}");
    assert!(!body.contains("Secret vendor outage"), "not shown");
    assert!(body.contains("private war rooms"), "and the page says why");

    let shown = spawn_dashboard(backend, |s| s.dashboard.show_private = true).await;
    seed(&shown.store, private()).await;
    assert!(
        shown
            .page("/dashboard/report")
            .await
            .contains("Secret vendor outage")
    );
}
on_both_backends!(
    private_incidents_are_counted_but_not_shown_unless_configured,
    private_incidents_are_counted_but_not_shown_unless_configured
);
