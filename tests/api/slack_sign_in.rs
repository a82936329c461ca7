//! Sign in with Slack, the whole dance against the strict fake Slack: the dashboard
//! starts a sign-in, the browser (reqwest, redirects not followed) goes to Slack's
//! authorize page with its Slack session, comes back to the callback, and the
//! dashboard finishes — and every way that can go wrong.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Utc;
use url::Url;
use warroom::slack::sign_in::{
    CallbackQuery, SignInError, SignInKeys, SignInStart, SignedIn, SlackSignIn, StateProblem,
    settings_from_config,
};
use warroom_fakes::slack::oidc::{AUTHORIZE_METHOD, KEYS_METHOD};
use warroom_fakes::{Consent, Failure, FakeSlack, SlackPerson, TEAM_ID};

const KEY: &[u8] = b"the dashboard's 32-byte cookie k";
const PUBLIC_URL: &str = "http://127.0.0.1:9";
const CALLBACK: &str = "http://127.0.0.1:9/dashboard/auth/slack/callback";
const SECRET_ENV: &str = "WARROOM_TEST_SLACK_CLIENT_SECRET";

struct Dance {
    slack: FakeSlack,
    sign_in: SlackSignIn,
    browser: reqwest::Client,
}

fn alice() -> SlackPerson {
    SlackPerson::new("U0ALICE01", TEAM_ID, "Alice Example")
}

impl Dance {
    /// The fake Slack with the app's redirect URL registered, and a sign-in built
    /// from config keys as the dashboard will build it.
    async fn start() -> Dance {
        let slack = FakeSlack::start().await;
        slack.add_redirect_url(CALLBACK);
        let secret = slack.oidc_client_secret();
        Dance::with_secret(slack, &secret)
    }

    fn with_secret(slack: FakeSlack, secret: &str) -> Dance {
        warroom::tls::install_crypto_provider();
        let keys = SignInKeys {
            slack_client_id: Some(slack.oidc_client_id()),
            slack_client_secret_env: Some(SECRET_ENV.into()),
            slack_team_id: Some(TEAM_ID.into()),
            public_url: Some(PUBLIC_URL.into()),
        };
        let env = |name: &str| (name == SECRET_ENV).then(|| secret.to_string());
        let settings = settings_from_config("test [dashboard]", keys, &slack.api_url(), &env)
            .expect("valid keys")
            .expect("sign-in on");
        assert_eq!(settings.redirect_uri.as_str(), CALLBACK);
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let sign_in = SlackSignIn::new(settings, reqwest::Client::new());
        Dance {
            slack,
            sign_in,
            browser,
        }
    }

    /// The browser at Slack's authorize page as `person`: where Slack sends it back.
    async fn at_slack(&self, start: &SignInStart, person: SlackPerson, consent: Consent) -> Url {
        let session = self.slack.browser_signed_in_as(person, consent);
        let answer = self
            .browser
            .get(start.redirect_to.clone())
            .header(header::COOKIE, session)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 302, "Slack redirects back");
        let location = answer.headers()[header::LOCATION].to_str().unwrap();
        let back = Url::parse(location).unwrap();
        assert!(back.as_str().starts_with(CALLBACK), "{back}");
        back
    }

    /// Start, Slack, callback: what `finish` says.
    async fn sign_in_as(&self, person: SlackPerson) -> Result<SignedIn, SignInError> {
        let start = self.sign_in.start(KEY, Utc::now());
        let back = self.at_slack(&start, person, Consent::Allow).await;
        self.callback(&start, &back).await
    }

    async fn callback(&self, start: &SignInStart, back: &Url) -> Result<SignedIn, SignInError> {
        self.sign_in
            .finish(KEY, &cookies(start), &query(back), Utc::now())
            .await
    }
}

/// The `Cookie` header the browser sends to the callback.
fn cookies(start: &SignInStart) -> HeaderMap {
    let pair = start.set_cookie.split(';').next().unwrap();
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, HeaderValue::from_str(pair).unwrap());
    headers
}

/// The callback's query, as axum's `Query` would read it.
fn query(url: &Url) -> CallbackQuery {
    serde_urlencoded::from_str(url.query().unwrap_or("")).unwrap()
}

fn param(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn a_member_of_the_workspace_signs_in_with_slack() {
    let dance = Dance::start().await;
    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Allow).await;
    assert_eq!(param(&back, "state"), param(&start.redirect_to, "state"));
    assert!(param(&back, "code").is_some());

    let person = dance.callback(&start, &back).await.unwrap();
    assert_eq!(
        person,
        SignedIn {
            user_id: "U0ALICE01".into(),
            team_id: TEAM_ID.into(),
            name: "Alice Example".into(),
        }
    );
    // Slack saw the workspace hint and the nonce; the exchange sent the secret in
    // the body with the same redirect URI, and the keys were fetched.
    let authorize = &dance.slack.calls_to(AUTHORIZE_METHOD)[0].args;
    assert_eq!(authorize["team"], TEAM_ID);
    assert_eq!(authorize["scope"], "openid profile");
    assert_eq!(
        authorize["nonce"].as_str(),
        param(&start.redirect_to, "nonce").as_deref()
    );
    let token = &dance.slack.calls_to("openid.connect.token")[0].args;
    assert_eq!(token["grant_type"], "authorization_code");
    assert_eq!(token["redirect_uri"], CALLBACK);
    assert_eq!(
        token["client_secret"],
        dance.slack.oidc_client_secret().as_str()
    );
    assert_eq!(dance.slack.calls_to(KEYS_METHOD).len(), 1);
}

#[tokio::test]
async fn slacks_keys_are_fetched_once_for_many_sign_ins() {
    let dance = Dance::start().await;
    for user in ["U0ALICE01", "U0BOB0001"] {
        let person = SlackPerson::new(user, TEAM_ID, user);
        assert_eq!(dance.sign_in_as(person).await.unwrap().user_id, user);
    }
    assert_eq!(dance.slack.calls_to(KEYS_METHOD).len(), 1);
}

#[tokio::test]
async fn a_person_of_another_workspace_is_turned_away() {
    let dance = Dance::start().await;
    let stranger = SlackPerson::new("U0MALLORY", "T0OTHER001", "Mallory");
    let result = dance.sign_in_as(stranger).await;
    assert_eq!(
        result,
        Err(SignInError::WrongWorkspace {
            team_id: "T0OTHER001".into()
        })
    );
    assert_eq!(result.unwrap_err().status(), 403);
}

#[tokio::test]
async fn a_replayed_callback_is_refused_before_slack_sees_the_code_again() {
    let dance = Dance::start().await;
    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Allow).await;
    assert!(dance.callback(&start, &back).await.is_ok());
    let again = dance.callback(&start, &back).await;
    assert_eq!(again, Err(SignInError::State(StateProblem::Replayed)));
    assert_eq!(dance.slack.calls_to("openid.connect.token").len(), 1);
}

#[tokio::test]
async fn a_used_code_under_a_fresh_state_is_refused_by_slack() {
    let dance = Dance::start().await;
    let first = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&first, alice(), Consent::Allow).await;
    assert!(dance.callback(&first, &back).await.is_ok());

    // An attacker who captured the code starts their own sign-in and pastes it in.
    let theirs = dance.sign_in.start(KEY, Utc::now());
    let mut replay = back.clone();
    let code = param(&back, "code").unwrap();
    let state = param(&theirs.redirect_to, "state").unwrap();
    replay
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", &state);
    let result = dance.callback(&theirs, &replay).await;
    assert_eq!(
        result,
        Err(SignInError::Slack {
            error: "invalid_code".into()
        })
    );
    assert!(result.unwrap_err().message().contains("already used"));
}

#[tokio::test]
async fn a_missing_or_tampered_cookie_stops_the_sign_in_before_slack() {
    let dance = Dance::start().await;
    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Allow).await;
    let no_cookie = dance
        .sign_in
        .finish(KEY, &HeaderMap::new(), &query(&back), Utc::now())
        .await;
    assert_eq!(
        no_cookie,
        Err(SignInError::State(StateProblem::MissingCookie))
    );

    // The attacker's own (valid) cookie with the victim's callback.
    let attackers = dance.sign_in.start(KEY, Utc::now());
    let swapped = dance
        .sign_in
        .finish(KEY, &cookies(&attackers), &query(&back), Utc::now())
        .await;
    assert_eq!(swapped, Err(SignInError::State(StateProblem::Mismatch)));

    // The right cookie with one character changed.
    let mut forged = start.clone();
    let last = forged.set_cookie.find(';').unwrap() - 1;
    let flipped = if &forged.set_cookie[last..=last] == "0" {
        "1"
    } else {
        "0"
    };
    forged.set_cookie.replace_range(last..=last, flipped);
    let tampered = dance.callback(&forged, &back).await;
    assert_eq!(
        tampered,
        Err(SignInError::State(StateProblem::ForgedCookie))
    );

    assert!(dance.slack.calls_to("openid.connect.token").is_empty());
    // The untouched cookie still works: none of the above spent the state.
    assert!(dance.callback(&start, &back).await.is_ok());
}

#[tokio::test]
async fn cancelling_at_slack_is_told_as_a_cancellation() {
    let dance = Dance::start().await;
    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Cancel).await;
    assert_eq!(param(&back, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&back, "state"), param(&start.redirect_to, "state"));
    let result = dance.callback(&start, &back).await;
    assert_eq!(result, Err(SignInError::Cancelled));
    assert!(result.unwrap_err().message().contains("cancelled"));
}

#[tokio::test]
async fn slack_refusing_or_failing_the_exchange_is_reported_by_cause() {
    let dance = Dance::start().await;
    let cases = [
        (
            Failure::SlackError("invalid_grant_type".into()),
            SignInError::Slack {
                error: "invalid_grant_type".into(),
            },
        ),
        (
            Failure::RateLimited {
                retry_after_secs: 30,
            },
            SignInError::Slack {
                error: "ratelimited".into(),
            },
        ),
        (
            Failure::ServerError,
            SignInError::Unavailable("openid.connect.token: HTTP 500 Internal Server Error".into()),
        ),
    ];
    for (failure, expected) in cases {
        dance.slack.fail_next("openid.connect.token", 1, failure);
        assert_eq!(dance.sign_in_as(alice()).await, Err(expected));
    }
}

#[tokio::test]
async fn slack_down_after_the_authorize_page_is_a_transport_failure() {
    let dance = Dance::start().await;
    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Allow).await;
    dance.slack.set_down(true);
    let result = dance.callback(&start, &back).await;
    assert!(
        matches!(result, Err(SignInError::Unavailable(_))),
        "{result:?}"
    );
    assert_eq!(result.unwrap_err().status(), 503);
}

#[tokio::test]
async fn a_wrong_client_secret_is_an_administrators_problem_and_never_shown_or_logged() {
    let slack = FakeSlack::start().await;
    slack.add_redirect_url(CALLBACK);
    let wrong = "wrong-secret-0123456789abcdef";
    let dance = Dance::with_secret(slack, wrong);
    let logs = Logs::default();
    let _guard = tracing::subscriber::set_default(logs.subscriber());

    let start = dance.sign_in.start(KEY, Utc::now());
    let back = dance.at_slack(&start, alice(), Consent::Allow).await;
    let code = param(&back, "code").unwrap();
    let error = dance.callback(&start, &back).await.unwrap_err();
    assert_eq!(
        error,
        SignInError::Slack {
            error: "bad_client_secret".into()
        }
    );
    assert!(error.message().contains("administrator"));

    let logged = logs.text();
    assert!(logged.contains("bad_client_secret"), "{logged}");
    let cookie = start.set_cookie.split(';').next().unwrap();
    for secret in [
        wrong,
        code.as_str(),
        &cookie[cookie.find('=').unwrap() + 1..],
    ] {
        for shown in [
            &error.to_string(),
            &format!("{error:?}"),
            &error.message(),
            &logged,
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

/// Everything logged while the subscriber is the thread's default.
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || sink.clone())
            .finish()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
