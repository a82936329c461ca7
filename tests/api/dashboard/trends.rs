//! `/dashboard/trends`: the charts' points and the tables under them match the data.

use super::{Seed, attrs, seed, spawn_dashboard};
use crate::db::Backend;
use crate::on_both_backends;
use chrono::TimeDelta;
use warroom::store::{NewPage, Store};

/// The chart figure with id `id`.
fn figure<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<figure class=\"chart\" id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no chart {id}"));
    let end = start + html[start..].find("</figure>").unwrap();
    &html[start..end]
}

/// (data-x, data-series, data-value) of each point of a chart.
fn points(chart: &str) -> Vec<(String, String, String)> {
    let xs = attrs(chart, "class=\"point\"", "data-x");
    let series = attrs(chart, "class=\"point\"", "data-series");
    let values = attrs(chart, "class=\"point\"", "data-value");
    assert_eq!((xs.len(), series.len()), (values.len(), values.len()));
    xs.into_iter()
        .zip(series)
        .zip(values)
        .map(|((x, s), v)| (x, s, v))
        .collect()
}

/// An incident declared at `when`, resolved after `resolve` seconds, with one page
/// acked after `ack` seconds (when given).
async fn incident(
    store: &Store,
    sev: u8,
    when: &str,
    ack: Option<i64>,
    resolve: Option<i64>,
    private: bool,
) {
    let mut s = Seed::new("Trend", sev, when);
    s.resolved_after = resolve;
    s.private = private;
    let declared = s.declared_at;
    let id = seed(store, s).await;
    let Some(ack) = ack else { return };
    let mut tx = store.begin().await.unwrap();
    let key = format!("manual:{id}");
    for (n, after) in [(0, ack), (1, ack + 30)] {
        let page = tx
            .insert_page(&NewPage {
                incident_id: id,
                page_key: &format!("{key}:{n}"),
                user_id: "U0PAGED",
                team_id: None,
                level: Some(n),
                note: None,
                paged_by: None,
                paged_at: declared,
            })
            .await
            .unwrap()
            .unwrap();
        // The later ack of a second page must not count: MTTA is the earliest.
        tx.ack_page(
            page,
            "U0PAGED",
            "slack",
            declared + TimeDelta::seconds(after),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

async fn the_trends_charts_and_tables_match_the_incidents(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let s = &dash.store;
    // November (the clock stands at Wednesday 2026-11-18).
    incident(s, 1, "2026-11-16T08:00:00Z", Some(60), Some(1800), false).await;
    incident(s, 1, "2026-11-17T08:00:00Z", Some(120), Some(3600), false).await;
    incident(s, 3, "2026-11-18T07:00:00Z", None, None, false).await;
    incident(s, 2, "2026-11-09T08:00:00Z", Some(300), Some(5400), false).await;
    // A private war room's incident is counted, without detail.
    incident(s, 2, "2026-11-10T08:00:00Z", None, Some(7200), true).await;
    // October.
    incident(s, 1, "2026-10-05T08:00:00Z", Some(600), Some(600), false).await;
    incident(s, 4, "2026-10-06T08:00:00Z", None, None, false).await;
    // Outside both windows.
    incident(s, 1, "2025-01-06T08:00:00Z", Some(5), Some(5), false).await;

    let html = dash.page("/dashboard/trends").await;

    assert!(html.contains("<title>Trends · Warroom</title>"));
    let weekly = points(figure(&html, "incidents-per-week"));
    let mut got: Vec<(String, String, String)> = weekly.clone();
    got.sort();
    let expected: Vec<(String, String, String)> = [
        ("2026-10-05", "sev1", "1"),
        ("2026-10-05", "sev4", "1"),
        ("2026-11-09", "sev2", "2"),
        ("2026-11-16", "sev1", "2"),
        ("2026-11-16", "sev3", "1"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(got, expected, "one point per non-empty week and severity");
    assert!(
        html.contains(
            "<th scope=\"row\" data-label=\"Week of\">2026-11-16</th><td data-label=\"SEV1\">2</td>\
             <td data-label=\"SEV2\">0</td><td data-label=\"SEV3\">1</td><td data-label=\"SEV4\">0</td>\
             <td data-label=\"Total\">3</td>"
        ),
        "{html}"
    );
    let table = &html[html.find("id=\"per-week-table\"").unwrap()..];
    assert_eq!(
        table[..table.find("</table>").unwrap()]
            .matches("<tr><th scope=\"row\"")
            .count(),
        26,
        "26 weeks by default"
    );

    // MTTA: November's acked incidents took 60 s, 120 s and 300 s; October's 600 s.
    let mut mtta = points(figure(&html, "mtta-chart"));
    mtta.sort();
    assert_eq!(
        mtta,
        [
            ("2026-10".into(), "median".into(), "600".into()),
            ("2026-10".into(), "p90".into(), "600".into()),
            ("2026-11".into(), "median".into(), "120".into()),
            ("2026-11".into(), "p90".into(), "264".into()),
        ]
    );
    assert!(
        html.contains("without an acknowledged page"),
        "the caption says who is left out"
    );
    let mtta_table = &html[html.find("id=\"mtta-table\"").unwrap()..];
    assert!(mtta_table.contains(
        "<th scope=\"row\" data-label=\"Month\">Nov 2026</th><td data-label=\"Incidents\">5</td>\
         <td data-label=\"Acked\">3</td><td data-label=\"Median\">2m 00s</td><td data-label=\"p90\">4m 24s</td>"
    ), "{mtta_table}");

    // MTTR: November resolved after 1800, 3600, 5400 and 7200 s (one still open).
    let mut mttr = points(figure(&html, "mttr-chart"));
    mttr.sort();
    assert_eq!(
        mttr[2..],
        [
            ("2026-11".into(), "median".into(), "4500".into()),
            ("2026-11".into(), "p90".into(), "6660".into()),
        ]
    );
    assert!(html.contains("Incidents of private war rooms are counted"));
}
on_both_backends!(
    the_trends_charts_and_tables_match_the_incidents,
    the_trends_charts_and_tables_match_the_incidents
);

async fn the_trends_window_can_be_chosen_and_is_checked(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    incident(
        &dash.store,
        1,
        "2026-11-16T08:00:00Z",
        Some(60),
        Some(60),
        false,
    )
    .await;
    incident(
        &dash.store,
        2,
        "2026-10-05T08:00:00Z",
        Some(60),
        Some(60),
        false,
    )
    .await;

    let html = dash.page("/dashboard/trends?weeks=4&months=1").await;

    let weekly = points(figure(&html, "incidents-per-week"));
    assert_eq!(weekly.len(), 1, "October is outside four weeks: {weekly:?}");
    assert_eq!(
        points(figure(&html, "mtta-chart")).len(),
        2,
        "one month, two series"
    );
    assert!(html.contains("value=\"4\"") && html.contains("value=\"1\""));

    for bad in ["weeks=0", "months=99", "weeks=many", "window=3"] {
        let (status, body) = dash.get(&format!("/dashboard/trends?{bad}")).await;
        assert_eq!(status, 400, "{bad}");
        let param = bad.split('=').next().unwrap();
        assert!(body.contains(&format!("`{param}`")), "{bad}: {body}");
    }
}
on_both_backends!(
    the_trends_window_can_be_chosen_and_is_checked,
    the_trends_window_can_be_chosen_and_is_checked
);
