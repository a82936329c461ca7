//! Sign in with Slack on the dashboard, through its own routes against the strict
//! fake Slack: the login page offers it, Slack vouches for a member of the
//! workspace, and the callback opens the same session cookie the token form does.
//! Strangers, cancellations and replayed callbacks get the login page with the
//! reason and no session. The protocol's own edge cases are in `slack_sign_in.rs`.

use super::{Dash, spawn_dashboard};
use crate::db::Backend;
use url::Url;
use warroom::config::sign_in::{SignInKeys, settings_from_config};
use warroom_fakes::{Consent, FakeSlack, SlackPerson, TEAM_ID};

/// Where people reach Warroom, as registered with the Slack app. The dashboard
/// itself listens on another port, as behind a proxy: the test forwards the
/// callback to it.
const PUBLIC_URL: &str = "http://127.0.0.1:9";
const CALLBACK: &str = "http://127.0.0.1:9/dashboard/auth/slack/callback";
const SECRET_ENV: &str = "WARROOM_TEST_DASHBOARD_SLACK_SECRET";

async fn dashboard_with_slack_sign_in() -> (Dash, FakeSlack) {
    let slack = FakeSlack::start().await;
    slack.add_redirect_url(CALLBACK);
    let secret = slack.oidc_client_secret();
    let keys = SignInKeys {
        slack_client_id: Some(slack.oidc_client_id()),
        slack_client_secret_env: Some(SECRET_ENV.into()),
        slack_team_id: Some(TEAM_ID.into()),
        public_url: Some(PUBLIC_URL.into()),
    };
    let env = move |name: &str| (name == SECRET_ENV).then(|| secret.clone());
    let sign_in = settings_from_config("test [dashboard]", keys, &slack.api_url(), &env)
        .expect("valid keys")
        .expect("configured");
    let dash = spawn_dashboard(Backend::Sqlite, |s| {
        s.dashboard.slack_sign_in = Some(sign_in);
    })
    .await;
    // The fake Slack signs its tokens at the real time: the dashboard's clock must
    // agree, as a real server's does.
    let behind = chrono::Utc::now() - dash.clock.now();
    dash.clock.advance(behind.to_std().unwrap_or_default());
    (dash, slack)
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

/// `name=value` of the first cookie set with that name.
fn cookie_pair(cookies: &[String], name: &str) -> Option<String> {
    cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_string())
}

/// The browser's trip: the dashboard's start, Slack's authorize page as `person`,
/// and the callback forwarded to the dashboard. The callback's answer.
async fn sign_in_as(
    dash: &Dash,
    slack: &FakeSlack,
    person: SlackPerson,
    consent: Consent,
) -> reqwest::Response {
    let (flow_cookie, back) = to_slack_and_back(dash, slack, person, consent).await;
    callback(dash, &back, &flow_cookie).await
}

async fn to_slack_and_back(
    dash: &Dash,
    slack: &FakeSlack,
    person: SlackPerson,
    consent: Consent,
) -> (String, Url) {
    let start = dash.browse("/dashboard/auth/slack", &[]).await;
    assert_eq!(start.status(), 303, "the start sends the browser to Slack");
    let to_slack = location(&start);
    assert!(
        to_slack.starts_with(&slack.api_url().replace("/api", "/openid/connect/authorize")),
        "{to_slack}"
    );
    let flow_cookie = cookie_pair(&set_cookies(&start), "warroom_slack_sign_in")
        .expect("the start sets the flow cookie");
    let at_slack = dash
        .http
        .get(&to_slack)
        .header("cookie", slack.browser_signed_in_as(person, consent))
        .send()
        .await
        .unwrap();
    assert_eq!(at_slack.status(), 302, "Slack sends the browser back");
    let back = Url::parse(&location(&at_slack)).unwrap();
    assert!(back.as_str().starts_with(CALLBACK), "{back}");
    (flow_cookie, back)
}

async fn callback(dash: &Dash, back: &Url, flow_cookie: &str) -> reqwest::Response {
    let forwarded = format!("{}?{}", back.path(), back.query().unwrap_or(""));
    dash.browse(&forwarded, &[("cookie", flow_cookie)]).await
}

#[tokio::test]
async fn the_login_page_offers_slack_and_no_token_form_when_only_slack_is_configured() {
    let (dash, _slack) = dashboard_with_slack_sign_in().await;
    let (status, body) = dash.get("/dashboard/login").await;
    assert_eq!(status, 200);
    let body = body.replace("&#x2f;", "/");
    assert!(body.contains(r#"href="/dashboard/auth/slack""#), "{body}");
    assert!(body.contains("Sign in with Slack"));
    assert!(!body.contains(r#"name="token""#), "no token is configured");
    let (status, _) = dash.get("/dashboard/").await;
    assert_eq!(status, 303, "the pages still ask for a sign-in");
}

#[tokio::test]
async fn a_member_of_the_workspace_signs_in_with_slack_and_sees_the_dashboard() {
    let (dash, slack) = dashboard_with_slack_sign_in().await;
    let alice = SlackPerson::new("U0ALICE01", TEAM_ID, "Alice Example");
    let answer = sign_in_as(&dash, &slack, alice, Consent::Allow).await;

    assert_eq!(answer.status(), 303);
    assert_eq!(location(&answer), "/dashboard/");
    let cookies = set_cookies(&answer);
    let session = cookie_pair(&cookies, "warroom_session").expect("a session cookie");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("warroom_slack_sign_in=;") && c.contains("Max-Age=0")),
        "the flow cookie is cleared: {cookies:?}"
    );

    let page = dash
        .browse("/dashboard/", &[("cookie", session.as_str())])
        .await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(
        body.contains("Alice Example"),
        "the header names who signed in"
    );
}

#[tokio::test]
async fn a_person_of_another_workspace_gets_the_login_page_with_the_reason_and_no_session() {
    let (dash, slack) = dashboard_with_slack_sign_in().await;
    let mallory = SlackPerson::new("U0MALLORY", "T0OTHER001", "Mallory");
    let answer = sign_in_as(&dash, &slack, mallory, Consent::Allow).await;

    assert_eq!(answer.status(), 403);
    assert!(cookie_pair(&set_cookies(&answer), "warroom_session").is_none());
    let body = answer.text().await.unwrap();
    assert!(body.contains("another workspace"), "{body}");
    assert!(
        !body.contains("Mallory"),
        "the stranger's name is not shown"
    );
}

#[tokio::test]
async fn a_cancelled_or_replayed_sign_in_opens_no_session() {
    let (dash, slack) = dashboard_with_slack_sign_in().await;
    let alice = || SlackPerson::new("U0ALICE01", TEAM_ID, "Alice Example");

    let cancelled = sign_in_as(&dash, &slack, alice(), Consent::Cancel).await;
    assert_eq!(cancelled.status(), 400);
    assert!(cookie_pair(&set_cookies(&cancelled), "warroom_session").is_none());
    assert!(cancelled.text().await.unwrap().contains("cancelled"));

    let (flow_cookie, back) = to_slack_and_back(&dash, &slack, alice(), Consent::Allow).await;
    let first = callback(&dash, &back, &flow_cookie).await;
    assert_eq!(first.status(), 303, "the first use signs in");
    let replay = callback(&dash, &back, &flow_cookie).await;
    assert_eq!(replay.status(), 400, "the same callback again is refused");
    assert!(cookie_pair(&set_cookies(&replay), "warroom_session").is_none());
}

#[tokio::test]
async fn without_sign_in_with_slack_its_routes_are_not_there() {
    let dash = spawn_dashboard(Backend::Sqlite, super::with_token).await;
    let (status, body) = dash.get("/dashboard/auth/slack").await;
    assert_eq!(status, 404);
    assert!(!body.contains("Sign in with Slack"));
    let (_, login) = dash.get("/dashboard/login").await;
    assert!(
        !login
            .replace("&#x2f;", "/")
            .contains("/dashboard/auth/slack"),
        "no Slack button"
    );
}
