//! `/dashboard/incidents/{id}`: one incident's page, its paged timeline, its 404s and
//! its postmortem download.

use super::{Seed, at, attrs, link, seed, seed_messages, seed_system, spawn_dashboard};
use crate::db::Backend;
use crate::on_both_backends;
use chrono::TimeDelta;
use warroom::domain::{NewActionItem, Person, PersonKind, Status};
use warroom::store::{MarkSource, NewPage};

/// The texts of a page's timeline entries, in order.
fn timeline_texts(html: &str) -> Vec<String> {
    let section = &html[html.find("id=\"timeline\"").unwrap()..];
    section
        .match_indices("<p class=\"text\">")
        .map(|(i, m)| {
            let rest = &section[i + m.len()..];
            rest[..rest.find("</p>").unwrap()].to_string()
        })
        .collect()
}

async fn the_incident_page_shows_what_happened_and_who_answered(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let declared = at("2026-11-10T14:00:00Z");
    let mut s = Seed::new("Checkout returns 500s", 1, "2026-11-10T14:00:00Z");
    s.status = Status::Resolved;
    s.resolved_after = Some(5400);
    let id = seed(&dash.store, s).await;
    let mut tx = dash.store.begin().await.unwrap();
    let mut incident = tx.incident(id).await.unwrap().unwrap();
    incident.summary = Some("Payments provider timed out; we failed over.".into());
    incident.resolution = Some("Failed over to the backup provider".into());
    incident.lead = Some("U0KAREN".into());
    incident.scribe = Some("U0SCRIBE".into());
    tx.update_incident(&incident).await.unwrap();
    for (user, name) in [("U0KAREN", "Karen Lead"), ("U0PAGED", "Paula Paged")] {
        let person = Person {
            user_id: user.into(),
            name: name.into(),
            title: None,
            kind: PersonKind::Human,
        };
        tx.upsert_person(&person, declared).await.unwrap();
    }
    let page_id = tx
        .insert_page(&NewPage {
            incident_id: id,
            page_key: "manual:1",
            user_id: "U0PAGED",
            team_id: Some("payments"),
            level: Some(0),
            note: None,
            paged_by: Some("U0KAREN"),
            paged_at: declared + TimeDelta::seconds(30),
        })
        .await
        .unwrap()
        .unwrap();
    tx.insert_page(&NewPage {
        incident_id: id,
        page_key: "manual:2",
        user_id: "U0NOBODY",
        team_id: None,
        level: None,
        note: None,
        paged_by: Some("U0KAREN"),
        paged_at: declared + TimeDelta::seconds(40),
    })
    .await
    .unwrap();
    tx.ack_page(
        page_id,
        "U0PAGED",
        "slack",
        declared + TimeDelta::seconds(275),
    )
    .await
    .unwrap();
    tx.add_action(&NewActionItem {
        incident_id: id,
        text: "Alert on provider latency".into(),
        owner_id: Some("U0KAREN".into()),
        due: chrono::NaiveDate::from_ymd_opt(2026, 12, 4),
        created_by: "U0KAREN".into(),
        created_at: declared,
        source_ts: None,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    seed_system(
        &dash.store,
        id,
        declared,
        "declared",
        "Declared SEV1: Checkout returns 500s",
    )
    .await;
    seed_messages(
        &dash.store,
        id,
        declared + TimeDelta::seconds(60),
        3,
        "looking at",
    )
    .await;
    let marked_ts = format!(
        "{}.{:06}",
        (declared + TimeDelta::seconds(62)).timestamp(),
        2
    );
    let mut tx = dash.store.begin().await.unwrap();
    tx.add_key_mark(
        &format!("C0INC{id:05}"),
        &marked_ts,
        MarkSource::Pin,
        "",
        declared,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let html = dash.page(&format!("/dashboard/incidents/{id}")).await;

    assert!(
        html.contains(&format!(
            "<title>#{id} Checkout returns 500s · Warroom</title>"
        )),
        "{html}"
    );
    assert!(html.contains("Payments provider timed out; we failed over."));
    assert!(html.contains("<dd>resolved</dd>") && html.contains("<dd>SEV1</dd>"));
    assert!(html.contains("<dd>checkout</dd>"), "the service");
    assert!(
        html.contains("<dt>Commander</dt><dd>Karen Lead</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>Scribe</dt><dd>U0SCRIBE</dd>"),
        "an unknown person by id"
    );
    assert!(html.contains("2026-11-10 14:00:00 UTC"), "declared, in UTC");
    assert!(
        html.contains("2026-11-10 15:30:00 UTC"),
        "resolved 90 minutes later"
    );
    assert!(html.contains("(after 1h 30m)"));
    assert!(
        html.contains("(after 4m 35s)"),
        "the first ack, after the declare: {html}"
    );
    assert!(html.contains("Failed over to the backup provider"));
    // Pages and acks: who, team, level, when, how fast.
    let pages = &html[html.find("id=\"pages\"").unwrap()..html.find("id=\"actions\"").unwrap()];
    assert_eq!(pages.matches("<tr class=\"page\">").count(), 2);
    assert!(
        pages.contains("Paula Paged") && pages.contains("payments"),
        "{pages}"
    );
    assert!(
        pages.contains("4m 05s"),
        "acked 4m 05s after the page: {pages}"
    );
    assert!(pages.contains(">manual<") && pages.contains("not acked"));
    // Action items.
    assert!(html.contains("Alert on provider latency") && html.contains("2026-12-04"));
    // Key events: the declare and the pinned message, not the others.
    let key = &html[html.find("id=\"key-events\"").unwrap()..html.find("id=\"pages\"").unwrap()];
    assert!(
        key.contains("Declared SEV1") && key.contains("looking at 2"),
        "{key}"
    );
    assert!(
        !key.contains("looking at 1") && !key.contains("looking at 3"),
        "{key}"
    );
    // The timeline, in order.
    assert_eq!(
        timeline_texts(&html),
        [
            "Declared SEV1: Checkout returns 500s",
            "looking at 1",
            "looking at 2",
            "looking at 3"
        ]
    );
    assert!(html.contains(&format!(
        "href=\"&#x2f;dashboard&#x2f;incidents&#x2f;{id}&#x2f;postmortem.md\""
    )));
}
on_both_backends!(
    the_incident_page_shows_what_happened_and_who_answered,
    the_incident_page_shows_what_happened_and_who_answered
);

async fn the_timeline_is_paged_two_hundred_entries_at_a_time(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let id = seed(
        &dash.store,
        Seed::new("Long one", 2, "2026-11-10T00:00:00Z"),
    )
    .await;
    seed_messages(&dash.store, id, at("2026-11-10T00:00:00Z"), 450, "entry").await;
    let expected: Vec<String> = (1..=450).map(|i| format!("entry {i}")).collect();

    let first = dash.page(&format!("/dashboard/incidents/{id}")).await;
    assert_eq!(timeline_texts(&first), expected[..200]);
    assert!(first.contains("450 entries, 200 a page."), "{first}");
    assert!(link(&first, "prev").is_none() && link(&first, "first").is_none());
    let second = dash.page(&link(&first, "next").unwrap()).await;
    assert_eq!(
        timeline_texts(&second),
        expected[200..400],
        "page 2 holds the next entries"
    );
    let third = dash.page(&link(&second, "next").unwrap()).await;
    assert_eq!(timeline_texts(&third), expected[400..]);
    assert!(link(&third, "next").is_none() && link(&third, "last").is_none());
    let back = dash.page(&link(&third, "prev").unwrap()).await;
    assert_eq!(timeline_texts(&back), expected[200..400]);
    let latest = dash.page(&link(&first, "last").unwrap()).await;
    assert_eq!(timeline_texts(&latest), expected[250..], "the latest 200");
    let start = dash.page(&link(&latest, "first").unwrap()).await;
    assert_eq!(timeline_texts(&start), expected[..200]);

    let (status, html) = dash
        .get(&format!("/dashboard/incidents/{id}?after=yesterday"))
        .await;
    assert_eq!(status, 400);
    assert!(html.contains("`after` is not a page position"), "{html}");
}
on_both_backends!(
    the_timeline_is_paged_two_hundred_entries_at_a_time,
    the_timeline_is_paged_two_hundred_entries_at_a_time
);

async fn unknown_incidents_and_paths_are_404_pages(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let id = seed(&dash.store, Seed::new("Exists", 3, "2026-11-10T00:00:00Z")).await;
    for path in [
        format!("/dashboard/incidents/{}", id + 1),
        "/dashboard/incidents/abc".to_string(),
        "/dashboard/incidents/-1".to_string(),
        "/dashboard/incidents/99999999999999999999999".to_string(),
        format!("/dashboard/incidents/{}/postmortem.md", id + 1),
        "/dashboard/incidents/x/postmortem.md".to_string(),
        "/dashboard/nowhere".to_string(),
        "/dashboard/static/other.css".to_string(),
    ] {
        let (status, html) = dash.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("<h1>Not found</h1>"), "{path}: {html}");
    }
    assert_eq!(dash.get(&format!("/dashboard/incidents/{id}")).await.0, 200);
}
on_both_backends!(
    unknown_incidents_and_paths_are_404_pages,
    unknown_incidents_and_paths_are_404_pages
);

async fn the_postmortem_download_is_the_same_draft_as_the_cli(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let mut s = Seed::new("Checkout returns 500s", 1, "2026-11-10T14:00:00Z");
    s.status = Status::Closed;
    s.resolved_after = Some(3600);
    let id = seed(&dash.store, s).await;
    seed_messages(&dash.store, id, at("2026-11-10T14:00:00Z"), 5, "note").await;

    let res = dash
        .browse(&format!("/dashboard/incidents/{id}/postmortem.md"), &[])
        .await;

    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(
        disposition,
        format!("attachment; filename=\"postmortem-inc-{id}-checkout-returns-500s.md\"")
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    let body = res.text().await.unwrap();
    let cli = warroom::cli::draft_markdown(
        &dash.store,
        id,
        &warroom::config::escalation::EscalationConfig::empty(),
        &warroom::postmortem::Style::default(),
    )
    .await
    .unwrap();
    assert_eq!(body, format!("{cli}\n"));
    assert!(body.contains("Checkout returns 500s") && body.contains("note 5"));
}
on_both_backends!(
    the_postmortem_download_is_the_same_draft_as_the_cli,
    the_postmortem_download_is_the_same_draft_as_the_cli
);

async fn an_imported_slack_export_renders(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/slack-export-app-outage");
    let (id, _) = warroom::cli::import(
        &dash.store,
        &dir,
        "inc-2021-03-09-app-outage",
        &warroom::postmortem::Style::default(),
    )
    .await
    .unwrap();
    let entries = {
        let mut tx = dash.store.read().await.unwrap();
        let e = tx.entries(id).await.unwrap();
        tx.commit().await.unwrap();
        e
    };

    let html = dash.page(&format!("/dashboard/incidents/{id}")).await;

    let shown = attrs(&html, "class=\"entry ", "id");
    let timeline_start = html.find("id=\"timeline\"").unwrap();
    let in_timeline = attrs(&html[timeline_start..], "class=\"entry ", "id");
    assert_eq!(in_timeline.len(), entries.len().min(200), "{shown:?}");
    assert!(html.contains("2021-03-09"), "times from the export, in UTC");
    assert!(html.contains("<dd>closed</dd>"));
    let listed = dash.page("/dashboard/").await;
    assert!(listed.contains(&format!("data-id=\"{id}\"")));
}
on_both_backends!(
    an_imported_slack_export_renders,
    an_imported_slack_export_renders
);
