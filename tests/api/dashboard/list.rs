//! `/dashboard/`: the incident list, its filters and its pages.

use super::{Seed, at, attrs, link, seed, spawn_dashboard};
use crate::db::Backend;
use crate::on_both_backends;
use warroom::domain::Status;

/// The incident ids a list page shows, in order.
fn listed(html: &str) -> Vec<i64> {
    attrs(html, "class=\"incident\"", "data-id")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

async fn the_list_shows_incidents_newest_first_with_utc_times(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let older = seed(
        &dash.store,
        Seed::new("Payments slow", 2, "2026-11-01T08:30:00Z"),
    )
    .await;
    let newest = seed(
        &dash.store,
        Seed::new("Checkout down", 1, "2026-11-03T10:00:00Z"),
    )
    .await;
    let middle = seed(
        &dash.store,
        Seed::new("Search flaky", 3, "2026-11-02T23:59:00Z"),
    )
    .await;

    let html = dash.page("/dashboard/").await;

    assert!(
        html.contains("<title>Incidents · Warroom</title>"),
        "{html}"
    );
    assert!(html.contains("name=\"viewport\""));
    assert_eq!(listed(&html), [newest, middle, older]);
    assert!(html.contains("2026-11-03 10:00 UTC") && html.contains("2026-11-02 23:59 UTC"));
    assert!(html.contains("Checkout down") && html.contains(">SEV1<"));
    assert!(html.contains("3 incidents."), "{html}");
    assert!(
        html.contains(&format!(
            "href=\"&#x2f;dashboard&#x2f;incidents&#x2f;{newest}\""
        )),
        "rows link to their incident"
    );
}
on_both_backends!(
    the_list_shows_incidents_newest_first_with_utc_times,
    the_list_shows_incidents_newest_first_with_utc_times
);

async fn each_filter_narrows_the_list(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let mut seeds = Vec::new();
    for (title, sev, status, day) in [
        ("A", 1, Status::Investigating, "2026-10-30"),
        ("B", 1, Status::Closed, "2026-11-01"),
        ("C", 2, Status::Resolved, "2026-11-05"),
        ("D", 3, Status::Monitoring, "2026-11-30"),
        ("E", 1, Status::Identified, "2026-12-01"),
    ] {
        let mut s = Seed::new(title, sev, &format!("{day}T12:00:00Z"));
        s.status = status;
        if status == Status::Closed || status == Status::Resolved {
            s.resolved_after = Some(600);
        }
        seeds.push((seed(&dash.store, s).await, sev, status, day));
    }
    let ids = |keep: &dyn Fn(u8, Status, &str) -> bool| -> Vec<i64> {
        let mut ids: Vec<(i64, &str)> = seeds
            .iter()
            .filter(|(_, sev, status, day)| keep(*sev, *status, day))
            .map(|(id, _, _, day)| (*id, *day))
            .collect();
        ids.sort_by(|a, b| b.1.cmp(a.1));
        ids.into_iter().map(|(id, _)| id).collect()
    };
    for (query, expected) in [
        ("status=open", ids(&|_, s, _| s != Status::Closed)),
        ("status=closed", ids(&|_, s, _| s == Status::Closed)),
        ("status=resolved", ids(&|_, s, _| s == Status::Resolved)),
        ("severity=1", ids(&|sev, _, _| sev == 1)),
        ("severity=sev2", ids(&|sev, _, _| sev == 2)),
        (
            "from=2026-11-01&to=2026-11-30",
            ids(&|_, _, d| ("2026-11-01"..="2026-11-30").contains(&d)),
        ),
        ("from=2026-11-05", ids(&|_, _, d| d >= "2026-11-05")),
        ("to=2026-11-01", ids(&|_, _, d| d <= "2026-11-01")),
        (
            "status=open&severity=1&from=2026-11-01&to=2026-12-01",
            ids(&|sev, s, d| sev == 1 && s != Status::Closed && d >= "2026-11-01"),
        ),
        ("status=&severity=&from=&to=", ids(&|_, _, _| true)),
    ] {
        let html = dash.page(&format!("/dashboard/?{query}")).await;
        assert_eq!(listed(&html), expected, "?{query}");
        assert!(
            html.contains(&format!("{} incident", expected.len())),
            "?{query}: the count says how many match"
        );
    }
    // The form shows the filters it applied.
    let html = dash
        .page("/dashboard/?status=open&severity=1&from=2026-11-01")
        .await;
    assert!(html.contains("<option value=\"open\" selected>"), "{html}");
    assert!(html.contains("<option value=\"1\" selected>"));
    assert!(html.contains("value=\"2026-11-01\""));
}
on_both_backends!(each_filter_narrows_the_list, each_filter_narrows_the_list);

async fn bad_filters_get_400_naming_the_parameter(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    for (query, named) in [
        ("severity=7", "`severity` must be 1, 2, 3 or 4"),
        ("status=on-fire", "`status` must be open"),
        ("from=last-week", "`from` must be a date like 2026-11-01"),
        (
            "from=2026-11-05&to=2026-11-01",
            "`to` (2026-11-01) is before `from`",
        ),
        ("sev=1", "`sev` is not known here"),
        ("after=not-a-cursor", "`after` is not a page position"),
    ] {
        let (status, html) = dash.get(&format!("/dashboard/?{query}")).await;
        assert_eq!(status, 400, "?{query}");
        assert!(html.contains(named), "?{query}: {html}");
        assert!(html.contains("<h1>That request cannot be read</h1>"));
    }
}
on_both_backends!(
    bad_filters_get_400_naming_the_parameter,
    bad_filters_get_400_naming_the_parameter
);

async fn the_list_pages_through_incidents_by_links(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let start = at("2026-06-01T00:00:00Z");
    let mut ids = Vec::new();
    {
        let mut tx = dash.store.begin().await.unwrap();
        for n in 0..120i64 {
            let (mut incident, _) =
                warroom::domain::Incident::declare(warroom::domain::Declaration {
                    title: warroom::domain::IncidentTitle::parse(&format!("Incident number {n}"))
                        .unwrap(),
                    severity: warroom::domain::Severity::SEV3,
                    service: None,
                    summary: None,
                    declared_by: "U0DECLARER".into(),
                    // Pairs share a declare time, so the id breaks ties.
                    declared_at: start + chrono::TimeDelta::hours(n / 2),
                });
            incident.lead = None;
            ids.push(tx.insert_incident(&incident).await.unwrap());
        }
        tx.commit().await.unwrap();
    }
    // Newest first: latest declare time, then the higher id.
    let mut expected = ids.clone();
    expected.reverse();

    let page1 = dash.page("/dashboard/").await;
    assert_eq!(listed(&page1), expected[..50]);
    assert!(
        link(&page1, "prev").is_none(),
        "the first page has no newer page"
    );
    let next = link(&page1, "next").expect("a next link");
    let page2 = dash.page(&next).await;
    assert_eq!(
        listed(&page2),
        expected[50..100],
        "page 2 holds the next 50"
    );
    let page3 = dash.page(&link(&page2, "next").unwrap()).await;
    assert_eq!(listed(&page3), expected[100..]);
    assert!(
        link(&page3, "next").is_none(),
        "the last page has no older page"
    );
    let back = dash.page(&link(&page3, "prev").unwrap()).await;
    assert_eq!(
        listed(&back),
        expected[50..100],
        "back from page 3 is page 2"
    );
    let back = dash.page(&link(&back, "prev").unwrap()).await;
    assert_eq!(listed(&back), expected[..50]);
    assert!(link(&back, "prev").is_none());

    // Links keep the filters.
    let html = dash.page("/dashboard/?severity=3&from=2026-06-01").await;
    let next = link(&html, "next").unwrap();
    assert!(
        next.contains("severity=3") && next.contains("from=2026-06-01"),
        "{next}"
    );
}
on_both_backends!(
    the_list_pages_through_incidents_by_links,
    the_list_pages_through_incidents_by_links
);
