//! What keeps the dashboard safe to open: outside text escaped, security headers on
//! every answer, and incidents of private war rooms hidden unless configured.

use super::{Seed, at, seed, seed_messages, spawn_dashboard};
use crate::db::Backend;
use crate::helpers::spawn_app_with;
use crate::on_both_backends;
use warroom::store::MessageWrite;

async fn message_text_with_markup_renders_as_text(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let id = seed(
        &dash.store,
        Seed::new("\"><img src=x onerror=alert(1)>", 1, "2026-11-10T10:00:00Z"),
    )
    .await;
    let channel = format!("C0INC{id:05}");
    let mut tx = dash.store.begin().await.unwrap();
    for (ts, text) in [
        // As Slack delivers it: `<` and `>` escaped.
        ("1794304801.000001", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        // As another source might store it: raw.
        (
            "1794304802.000002",
            "\"><img src=x onerror=alert(2)> <script>alert(3)</script>",
        ),
    ] {
        tx.insert_message(&MessageWrite {
            incident_id: id,
            channel_id: &channel,
            ts,
            thread_ts: None,
            author_id: Some("<b>U0EVIL</b>"),
            text,
            files: &[warroom::domain::FileRef {
                id: "F1".into(),
                name: "<svg onload=alert(4)>.png".into(),
                permalink: Some("javascript:alert(5)".into()),
            }],
            at: at("2026-11-10T10:00:01Z"),
        })
        .await
        .unwrap();
    }
    let mut incident = tx.incident(id).await.unwrap().unwrap();
    incident.summary = Some("<script>alert(6)</script>".into());
    tx.update_incident(&incident).await.unwrap();
    tx.commit().await.unwrap();

    for path in [
        format!("/dashboard/incidents/{id}"),
        "/dashboard/".to_string(),
    ] {
        let html = dash.page(&path).await;
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "{path}: {html}");
        assert!(!lower.contains("<img"), "{path}");
        assert!(!lower.contains("<svg onload"), "{path}");
        assert!(!lower.contains("<b>"), "{path}");
        assert!(
            !lower.contains("javascript:alert(5)\""),
            "{path}: never a link target"
        );
        assert!(
            html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
            "{path}: the title, escaped"
        );
    }
    let html = dash.page(&format!("/dashboard/incidents/{id}")).await;
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;svg onload=alert(4)&gt;.png"));
}
on_both_backends!(
    message_text_with_markup_renders_as_text,
    message_text_with_markup_renders_as_text
);

async fn every_dashboard_answer_carries_the_security_headers(backend: Backend) {
    let dash = spawn_dashboard(backend, |_| {}).await;
    let id = seed(&dash.store, Seed::new("Headers", 2, "2026-11-10T10:00:00Z")).await;
    seed_messages(&dash.store, id, at("2026-11-10T10:00:00Z"), 1, "x").await;
    for (path, status) in [
        ("/dashboard/".to_string(), 200),
        (format!("/dashboard/incidents/{id}"), 200),
        (format!("/dashboard/incidents/{id}/postmortem.md"), 200),
        ("/dashboard/trends".to_string(), 200),
        ("/dashboard/incidents/404404".to_string(), 404),
        ("/dashboard/?severity=9".to_string(), 400),
        ("/dashboard/login".to_string(), 303),
        ("/dashboard".to_string(), 308),
    ] {
        let res = dash.browse(&path, &[]).await;
        assert_eq!(res.status(), status, "{path}");
        let h = res.headers();
        assert_eq!(
            h["content-security-policy"],
            "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            "{path}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["cache-control"], "no-store", "{path}");
    }
    // The stylesheet the pages link is Warroom's own, cacheable.
    let html = dash.page("/dashboard/").await;
    let href = super::unescape(&super::attrs(&html, "rel=\"stylesheet\"", "href")[0]);
    assert!(
        href.starts_with("/dashboard/static/dashboard.css?v="),
        "{href}"
    );
    let res = dash.browse(&href, &[]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
    assert!(
        res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("overflow-wrap: anywhere")
    );
    // No inline script or style anywhere on the pages.
    for path in [
        "/dashboard/".to_string(),
        format!("/dashboard/incidents/{id}"),
        "/dashboard/trends".into(),
    ] {
        let html = dash.page(&path).await;
        assert!(
            !html.contains("<script") && !html.contains("style=") && !html.contains("<style"),
            "{path}"
        );
    }
}
on_both_backends!(
    every_dashboard_answer_carries_the_security_headers,
    every_dashboard_answer_carries_the_security_headers
);

async fn private_incidents_are_hidden_unless_shown_by_config(backend: Backend) {
    let hidden = spawn_dashboard(backend, |_| {}).await;
    let public = seed(
        &hidden.store,
        Seed::new("Public outage", 2, "2026-11-10T10:00:00Z"),
    )
    .await;
    let mut s = Seed::new("Secret breach", 1, "2026-11-11T10:00:00Z");
    s.private = true;
    let private = seed(&hidden.store, s).await;

    let html = hidden.page("/dashboard/").await;
    assert!(
        html.contains("Public outage") && !html.contains("Secret breach"),
        "{html}"
    );
    assert!(html.contains("1 incident.") && html.contains("private war rooms are not listed"));
    for path in [
        format!("/dashboard/incidents/{private}"),
        format!("/dashboard/incidents/{private}/postmortem.md"),
    ] {
        let (status, body) = hidden.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("Secret breach"));
    }
    assert_eq!(
        hidden
            .get(&format!("/dashboard/incidents/{public}"))
            .await
            .0,
        200
    );

    let shown = spawn_dashboard(backend, |s| s.dashboard.show_private = true).await;
    let mut s = Seed::new("Secret breach", 1, "2026-11-11T10:00:00Z");
    s.private = true;
    let private = seed(&shown.store, s).await;
    assert!(shown.page("/dashboard/").await.contains("Secret breach"));
    let html = shown.page(&format!("/dashboard/incidents/{private}")).await;
    assert!(html.contains("private war room"));
}
on_both_backends!(
    private_incidents_are_hidden_unless_shown_by_config,
    private_incidents_are_hidden_unless_shown_by_config
);

async fn incidents_declared_with_private_war_rooms_are_stored_private(backend: Backend) {
    let app = spawn_app_with(backend, |s, _| s.slack.private_channels = true).await;
    let answer = app
        .ephemeral("U0ALICE", "C0INCIDENTS", "declare Card data exposed sev1")
        .await;
    assert!(answer.contains("Declared incident"), "{answer}");
    let id = app.newest_open_incident().await;
    let mut tx = app.store.read().await.unwrap();
    assert_eq!(tx.incident_is_private(id).await.unwrap(), Some(true));
    tx.commit().await.unwrap();
    // `warroom serve` on a loopback address serves the dashboard open; it hides it.
    let res = reqwest::get(format!("{}/dashboard/incidents/{id}", app.address))
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let list = reqwest::get(format!("{}/dashboard/", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("Card data exposed"), "{list}");
    app.stop().await;

    let app = crate::helpers::spawn_app(backend).await;
    app.ephemeral("U0ALICE", "C0INCIDENTS", "declare Checkout slow sev3")
        .await;
    let id = app.newest_open_incident().await;
    let mut tx = app.store.read().await.unwrap();
    assert_eq!(tx.incident_is_private(id).await.unwrap(), Some(false));
    tx.commit().await.unwrap();
    let html = reqwest::get(format!("{}/dashboard/incidents/{id}", app.address))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Checkout slow"), "{html}");
    app.stop().await;
}
on_both_backends!(
    incidents_declared_with_private_war_rooms_are_stored_private,
    incidents_declared_with_private_war_rooms_are_stored_private
);
