//! Who may look: the token as a bearer header or through the login form's cookie,
//! refused cookies and tokens, and the dashboard open on loopback or off elsewhere.

use super::{Dash, Seed, TOKEN, seed, settings_for, spawn_dashboard, with_token};
use crate::db::{Backend, TestDb};
use crate::helpers::spawn_app_with;
use crate::on_both_backends;
use std::time::Duration;

/// POSTs the login form from the dashboard's own page.
async fn log_in(dash: &Dash, token: &str, next: &str, origin: Option<&str>) -> reqwest::Response {
    let mut req = dash
        .http
        .post(dash.url("/dashboard/login"))
        .form(&[("token", token), ("next", next)]);
    if let Some(origin) = origin {
        req = req.header("origin", origin);
    }
    req.send().await.unwrap()
}

/// `name=value` of a response's session cookie.
fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("warroom_session="))
}

async fn without_credentials_browsers_are_sent_to_log_in_and_others_refused(backend: Backend) {
    let dash = spawn_dashboard(backend, with_token).await;
    let id = seed(
        &dash.store,
        Seed::new("Hidden detail", 1, "2026-11-10T10:00:00Z"),
    )
    .await;

    let res = dash.browse("/dashboard/trends?weeks=4", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/dashboard/login?next=%2Fdashboard%2Ftrends%3Fweeks%3D4"
    );
    for path in [
        "/dashboard/".to_string(),
        format!("/dashboard/incidents/{id}/postmortem.md"),
    ] {
        let res = dash.http.get(dash.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}: a script, not a browser");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        assert!(!res.text().await.unwrap().contains("Hidden detail"));
    }
    let res = dash
        .http
        .post(dash.url("/dashboard/"))
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == 401 || res.status() == 405,
        "{}",
        res.status()
    );
    let res = dash
        .browse(
            "/dashboard/",
            &[("authorization", "Bearer not-the-token-at-all")],
        )
        .await;
    assert_eq!(
        res.status(),
        401,
        "a wrong bearer token is refused, not redirected"
    );

    let res = dash
        .browse(
            &format!("/dashboard/incidents/{id}"),
            &[("authorization", &format!("Bearer {TOKEN}"))],
        )
        .await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Hidden detail") && !html.contains("Open dashboard"));
    // The login page itself needs no sign-in, and neither does the stylesheet.
    let login = dash.page("/dashboard/login").await;
    assert!(
        login.contains("<title>Sign in · Warroom</title>") && login.contains("type=\"password\"")
    );
}
on_both_backends!(
    without_credentials_browsers_are_sent_to_log_in_and_others_refused,
    without_credentials_browsers_are_sent_to_log_in_and_others_refused
);

async fn the_login_form_sets_a_session_cookie_that_signs_in(backend: Backend) {
    let dash = spawn_dashboard(backend, with_token).await;
    let origin = dash.address.clone();

    let res = log_in(&dash, TOKEN, "/dashboard/trends", Some(&origin)).await;

    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard/trends");
    let cookie = session_cookie(&res).expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        cookie.contains("Path=/dashboard") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    let res = dash.browse("/dashboard/", &[("cookie", &pair)]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("Token holder") && html.contains("Sign out"),
        "{html}"
    );

    // A tampered cookie is refused: one character of the payload changed.
    let value = pair.split_once('=').unwrap().1;
    let mut bytes = value.as_bytes().to_vec();
    bytes[4] = if bytes[4] == b'a' { b'b' } else { b'a' };
    let tampered = format!("warroom_session={}", String::from_utf8(bytes).unwrap());
    let res = dash.browse("/dashboard/", &[("cookie", &tampered)]).await;
    assert_eq!(res.status(), 303, "a tampered cookie is no sign-in");

    // The same cookie expires with its session (12 hours by default).
    dash.clock.advance(Duration::from_secs(11 * 3600));
    assert_eq!(
        dash.browse("/dashboard/", &[("cookie", &pair)])
            .await
            .status(),
        200
    );
    dash.clock.advance(Duration::from_secs(3600));
    assert_eq!(
        dash.browse("/dashboard/", &[("cookie", &pair)])
            .await
            .status(),
        303,
        "an expired cookie is refused"
    );

    // Signing out clears it.
    let res = dash
        .http
        .post(dash.url("/dashboard/logout"))
        .header("origin", &origin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(session_cookie(&res).unwrap().contains("Max-Age=0"));
}
on_both_backends!(
    the_login_form_sets_a_session_cookie_that_signs_in,
    the_login_form_sets_a_session_cookie_that_signs_in
);

async fn a_wrong_token_or_a_foreign_form_signs_nobody_in(backend: Backend) {
    let dash = spawn_dashboard(backend, with_token).await;
    let origin = dash.address.clone();

    let res = log_in(&dash, "not-the-token-at-all", "/dashboard/", Some(&origin)).await;
    assert_eq!(res.status(), 401);
    assert!(
        session_cookie(&res).is_none(),
        "no cookie for a wrong token"
    );
    let html = res.text().await.unwrap();
    assert!(html.contains("That token is not right") && html.contains("type=\"password\""));

    for from in [
        None,
        Some("https://evil.example"),
        Some("http://127.0.0.1:1"),
    ] {
        let res = log_in(&dash, TOKEN, "/dashboard/", from).await;
        assert_eq!(res.status(), 403, "{from:?}");
        assert!(session_cookie(&res).is_none(), "{from:?}");
    }
    // A Referer from the dashboard's page will do when Origin is missing.
    let res = dash
        .http
        .post(dash.url("/dashboard/login"))
        .header("referer", format!("{origin}/dashboard/login"))
        .form(&[("token", TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        "/dashboard/",
        "no next: the list"
    );
    // After signing in, only dashboard paths are followed.
    let res = log_in(&dash, TOKEN, "https://evil.example/", Some(&origin)).await;
    assert_eq!(res.headers()["location"], "/dashboard/");
}
on_both_backends!(
    a_wrong_token_or_a_foreign_form_signs_nobody_in,
    a_wrong_token_or_a_foreign_form_signs_nobody_in
);

async fn over_https_the_cookie_is_secure_and_forms_come_from_the_public_url(backend: Backend) {
    let dash = spawn_dashboard(backend, |s| {
        with_token(s);
        s.dashboard.public_url = Some("https://warroom.example".parse().unwrap());
    })
    .await;
    let res = log_in(&dash, TOKEN, "/dashboard/", Some(&dash.address.clone())).await;
    assert_eq!(res.status(), 403, "the form must come from the public URL");
    let res = log_in(&dash, TOKEN, "/dashboard/", Some("https://warroom.example")).await;
    assert_eq!(res.status(), 303);
    assert!(session_cookie(&res).unwrap().contains("; Secure"));
}
on_both_backends!(
    over_https_the_cookie_is_secure_and_forms_come_from_the_public_url,
    over_https_the_cookie_is_secure_and_forms_come_from_the_public_url
);

async fn without_sign_in_the_dashboard_is_open_on_loopback_and_off_elsewhere(backend: Backend) {
    // Loopback, no token: open, and it says so.
    let open = spawn_dashboard(backend, |_| {}).await;
    let html = open.page("/dashboard/").await;
    assert!(
        html.contains("Open dashboard: no sign-in is configured"),
        "{html}"
    );
    assert!(!html.contains("Sign out"));
    let res = open.browse("/dashboard/login", &[]).await;
    assert_eq!(
        (
            res.status().as_u16(),
            res.headers()["location"].to_str().unwrap()
        ),
        (303, "/dashboard/")
    );

    // `warroom serve` beyond loopback without a token: the dashboard is off (404),
    // the rest of the server is not.
    let app = spawn_app_with(backend, |s, _| s.listen = "0.0.0.0:0".parse().unwrap()).await;
    let base = app.address.clone();
    for path in ["/dashboard/", "/dashboard/login", "/dashboard/trends"] {
        let res = reqwest::get(format!("{base}{path}")).await.unwrap();
        assert_eq!(res.status(), 404, "{path}");
    }
    let slack = reqwest::Client::new()
        .post(format!("{base}/slack/events"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(
        slack.status(),
        401,
        "Slack's routes still answer (unsigned: 401)"
    );
    app.stop().await;

    // The same with a token: on, and protected.
    let app = spawn_app_with(backend, |s, _| {
        s.listen = "0.0.0.0:0".parse().unwrap();
        with_token(s);
    })
    .await;
    let res = reqwest::Client::new()
        .get(format!("{}/dashboard/", app.address))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.stop().await;

    // `warroom dashboard` refuses to start off, saying how to turn it on.
    let db = TestDb::new(backend).await;
    let err = warroom::web::DashboardServer::build(
        settings_for(&db),
        "0.0.0.0:0".parse().unwrap(),
        warroom::clock::Clock::new(),
    )
    .await
    .err()
    .expect("refused")
    .to_string();
    assert!(
        err.contains("the dashboard is off") && err.contains("token_env"),
        "{err}"
    );
}
on_both_backends!(
    without_sign_in_the_dashboard_is_open_on_loopback_and_off_elsewhere,
    without_sign_in_the_dashboard_is_open_on_loopback_and_off_elsewhere
);
