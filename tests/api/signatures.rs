//! Only Slack gets in: unsigned, mis-signed or stale requests get 401, malformed ones
//! 400, and none of them writes anything.

use crate::db::Backend;
use crate::helpers::{SIGNING_SECRET, spawn_app};
use reqwest::StatusCode;
use serde_json::json;
use warroom_fakes::{SlackSigner, payloads};

fn declare_form() -> String {
    payloads::slash_command_form(
        "/incident declare Forged sev1",
        "C1",
        "U1",
        "u1",
        "http://127.0.0.1:9/r",
        "t.1",
    )
}

async fn nothing_was_declared(app: &crate::helpers::TestApp) {
    let mut tx = app.store.read().await.unwrap();
    assert!(
        tx.open_incidents().await.unwrap().is_empty(),
        "a rejected request wrote an incident"
    );
    tx.commit().await.unwrap();
    assert!(
        app.slack.calls().is_empty(),
        "a rejected request reached Slack"
    );
}

#[tokio::test]
async fn requests_without_a_valid_recent_signature_are_rejected_and_write_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let body = declare_form();
    let now = chrono::Utc::now().timestamp();
    let good = SlackSigner::new(SIGNING_SECRET);
    let forged = SlackSigner::new("not-the-secret");
    let cases: Vec<(&str, Vec<(String, String)>)> = vec![
        ("no headers", vec![]),
        (
            "signature only",
            vec![("X-Slack-Signature".into(), good.sign(&body, now))],
        ),
        ("wrong secret", forged.headers(&body, now)),
        ("six minutes old", good.headers(&body, now - 360)),
        ("six minutes ahead", good.headers(&body, now + 360)),
        (
            "garbage timestamp",
            vec![
                ("X-Slack-Signature".into(), good.sign(&body, now)),
                ("X-Slack-Request-Timestamp".into(), "soon".into()),
            ],
        ),
        ("signed for another body", good.headers("text=other", now)),
    ];
    let client = reqwest::Client::new();
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        for (what, headers) in &cases {
            let mut req = client
                .post(format!("{}{path}", app.address))
                .header("content-type", "application/x-www-form-urlencoded");
            for (k, v) in headers {
                req = req.header(k, v);
            }
            let res = req.body(body.clone()).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}: {what}");
        }
    }
    nothing_was_declared(&app).await;
}

#[tokio::test]
async fn a_body_that_is_not_utf8_gets_401_unless_it_is_signed_and_then_400() {
    let app = spawn_app(Backend::Sqlite).await;
    let body: &[u8] = b"text=declare+\xff\xfe+broken&user_id=U1";
    let now = chrono::Utc::now().timestamp();
    let good = SlackSigner::new(SIGNING_SECRET);
    let forged = SlackSigner::new("not-the-secret");
    let client = reqwest::Client::new();
    let send = |path: &'static str, headers: Vec<(String, String)>| {
        let mut req = client
            .post(format!("{}{path}", app.address))
            .header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.body(body.to_vec()).send()
    };
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        let unsigned = send(path, vec![]).await.unwrap();
        assert_eq!(
            unsigned.status(),
            StatusCode::UNAUTHORIZED,
            "{path}: unsigned"
        );
        let forged_headers = vec![
            ("X-Slack-Signature".into(), forged.sign_bytes(body, now)),
            ("X-Slack-Request-Timestamp".into(), now.to_string()),
        ];
        let forged_res = send(path, forged_headers).await.unwrap();
        assert_eq!(
            forged_res.status(),
            StatusCode::UNAUTHORIZED,
            "{path}: forged"
        );
        let signed = vec![
            ("X-Slack-Signature".into(), good.sign_bytes(body, now)),
            ("X-Slack-Request-Timestamp".into(), now.to_string()),
        ];
        let signed_res = send(path, signed).await.unwrap();
        assert_eq!(
            signed_res.status(),
            StatusCode::BAD_REQUEST,
            "{path}: signed"
        );
    }
    nothing_was_declared(&app).await;
}

#[tokio::test]
async fn signed_but_malformed_bodies_get_400_and_write_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let cases = [
        (
            "/slack/commands",
            "application/x-www-form-urlencoded",
            "user_id=U1&text=declare+x",
        ),
        ("/slack/events", "application/json", "{not json"),
        (
            "/slack/events",
            "application/json",
            r#"{"type":"event_callback","event":{"type":"message","channel":"C1","files":"nope"}}"#,
        ),
        (
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            "nopayload=1",
        ),
        (
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            "payload=%7Bbroken",
        ),
    ];
    for (path, content_type, body) in cases {
        let res = app.post_signed(path, content_type, body).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}: {body}");
    }
    nothing_was_declared(&app).await;
}

#[tokio::test]
async fn the_url_verification_challenge_is_answered() {
    let app = spawn_app(Backend::Sqlite).await;
    let body = payloads::url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")
        .to_string();
    let res = app
        .post_signed("/slack/events", "application/json", &body)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let json: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        json,
        json!({"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
    );
}

#[tokio::test]
async fn the_health_check_answers_without_a_signature() {
    let app = spawn_app(Backend::Sqlite).await;
    let res = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap();
    assert_eq!(
        (res.status(), res.text().await.unwrap()),
        (StatusCode::OK, "ok".to_string())
    );
}

#[tokio::test]
async fn the_health_check_turns_503_and_names_a_background_task_that_ended() {
    let app = spawn_app(Backend::Sqlite).await;
    let (_keep, shutdown) = tokio::sync::watch::channel(false);
    let _task = app
        .state
        .tasks
        .supervise("doomed task", shutdown, |_| async {
            panic!("out of cheese")
        });
    let mut last = (StatusCode::OK, String::new());
    for _ in 0..100 {
        let res = reqwest::get(format!("{}/healthz", app.address))
            .await
            .unwrap();
        last = (res.status(), res.text().await.unwrap());
        if last.0 != StatusCode::OK {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(last.0, StatusCode::SERVICE_UNAVAILABLE, "{}", last.1);
    assert!(
        last.1
            .contains("`doomed task` ended (panicked: out of cheese)"),
        "{}",
        last.1
    );
}
