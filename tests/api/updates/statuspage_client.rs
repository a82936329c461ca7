//! The Statuspage client against the strict fake: the header it sends, how it reads
//! Statuspage's refusals and rate limits, and how it finds an incident it created.

use chrono::{Duration as Span, Utc};
use secrecy::SecretString;
use std::time::Duration;
use warroom::statuspage::{IncidentWrite, StatuspageClient, StatuspageError, marker};
use warroom_fakes::{FakeStatuspage, StatuspageFault};

const PAGE: &str = "pg0001";
const KEY: &str = "sp-client-test-key";

async fn statuspage() -> (FakeStatuspage, StatuspageClient) {
    warroom::tls::install_crypto_provider();
    let sp = FakeStatuspage::start(PAGE, KEY).await;
    sp.add_component(PAGE, "comp01", "API");
    let client = client(&sp, KEY);
    (sp, client)
}

fn client(sp: &FakeStatuspage, key: &str) -> StatuspageClient {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    StatuspageClient::new(sp.url(), SecretString::from(key), http)
}

fn opening(warroom_id: i64) -> IncidentWrite {
    IncidentWrite {
        name: Some("Service disruption".into()),
        status: "investigating".into(),
        body: Some("We are looking into it.".into()),
        impact_override: Some("minor".into()),
        component_ids: vec!["comp01".into()],
        components: [("comp01".to_string(), "degraded_performance".to_string())].into(),
        metadata: Some(marker(warroom_id)),
    }
}

#[tokio::test]
async fn a_create_sends_the_oauth_key_and_statuspage_keeps_what_it_was_told() {
    let (sp, client) = statuspage().await;
    let id = client.create(PAGE, &opening(7)).await.unwrap();
    let request = &sp.requests()[0];
    assert_eq!(
        request.authorization.as_deref(),
        Some("OAuth sp-client-test-key")
    );
    assert_eq!(request.path, format!("/v1/pages/{PAGE}/incidents"));
    let stored = &sp.incidents(PAGE)[0];
    assert_eq!(stored.id, id);
    assert_eq!(
        stored.components,
        [("comp01".to_string(), "degraded_performance".to_string())]
    );
}

#[tokio::test]
async fn a_wrong_key_an_unknown_page_or_incident_and_bad_values_are_permanent_refusals() {
    let (sp, good) = statuspage().await;
    let bad_key = client(&sp, "not-the-key");
    let e = bad_key.create(PAGE, &opening(1)).await.unwrap_err();
    assert!(
        matches!(e, StatuspageError::Rejected { status: 401, .. }),
        "{e:?}"
    );
    let e = good.create("nopage", &opening(1)).await.unwrap_err();
    assert!(
        matches!(e, StatuspageError::Rejected { status: 404, .. }),
        "{e:?}"
    );
    let e = good
        .update(PAGE, "nosuchincident", &opening(1))
        .await
        .unwrap_err();
    assert!(
        matches!(e, StatuspageError::Rejected { status: 404, .. }),
        "{e:?}"
    );
    let bad = IncidentWrite {
        status: "fixed".into(),
        impact_override: Some("catastrophic".into()),
        component_ids: vec!["nope".into()],
        ..opening(1)
    };
    let e = good.create(PAGE, &bad).await.unwrap_err();
    let shown = e.to_string();
    assert!(e.is_permanent() && shown.contains("HTTP 422"), "{shown}");
    for says in [
        "status `fixed`",
        "impact_override `catastrophic`",
        "Component \"nope\" not found",
    ] {
        assert!(shown.contains(says), "{says}: {shown}");
    }
    let nameless = IncidentWrite {
        name: None,
        ..opening(1)
    };
    let e = good.create(PAGE, &nameless).await.unwrap_err();
    assert!(e.to_string().contains("Name can't be blank"), "{e}");
    assert!(sp.incidents(PAGE).is_empty(), "nothing refused was stored");
}

#[tokio::test]
async fn rate_limits_say_how_long_to_wait_and_server_errors_are_retried() {
    let (sp, client) = statuspage().await;
    sp.fail_next(
        1,
        StatuspageFault::TooManyRequests {
            retry_after_secs: 7,
        },
    );
    sp.fail_next(
        1,
        StatuspageFault::EnhanceYourCalm {
            retry_after_secs: 3,
        },
    );
    sp.fail_next(1, StatuspageFault::ServerError);
    for wait in [Some(7), Some(3)] {
        let e = client.create(PAGE, &opening(1)).await.unwrap_err();
        assert_eq!(e.retry_after(), wait.map(Duration::from_secs), "{e:?}");
        assert!(!e.is_permanent());
    }
    let e = client.create(PAGE, &opening(1)).await.unwrap_err();
    assert_eq!(e, StatuspageError::Unavailable { status: 500 });
    assert!(sp.incidents(PAGE).is_empty());
}

#[tokio::test]
async fn the_created_incident_is_found_by_its_metadata_on_a_later_page() {
    let (sp, client) = statuspage().await;
    let since = Utc::now() - Span::minutes(5);
    let mine = client.create(PAGE, &opening(42)).await.unwrap();
    for n in 0..150 {
        sp.seed_incident(PAGE, &format!("other {n}"), Utc::now() + Span::seconds(n));
    }
    assert_eq!(
        client.find_created(PAGE, 42, since).await.unwrap(),
        Some(mine)
    );
    assert_eq!(client.find_created(PAGE, 43, since).await.unwrap(), None);
    let pages: Vec<String> = sp
        .requests()
        .iter()
        .skip(1)
        .map(|r| r.query.clone())
        .collect();
    assert_eq!(pages[0], "page=1&per_page=100");
    assert_eq!(pages[1], "page=2&per_page=100");
}

#[tokio::test]
async fn more_than_a_minutes_allowance_is_refused_with_429_and_retry_after() {
    let (sp, client) = statuspage().await;
    let since = Utc::now();
    for _ in 0..warroom_fakes::statuspage::RATE_LIMIT_PER_MINUTE {
        client.find_created(PAGE, 1, since).await.unwrap();
    }
    let e = client.find_created(PAGE, 1, since).await.unwrap_err();
    assert_eq!(
        e,
        StatuspageError::RateLimited {
            retry_after: Some(Duration::from_secs(1))
        }
    );
    assert_eq!(sp.requests().last().unwrap().status, 429);
}
