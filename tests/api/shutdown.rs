//! SIGTERM: the real binary stops taking work, hands back what Slack is holding up,
//! and exits within a bounded time.

use crate::db::{Backend, TestDb};
use crate::helpers::SIGNING_SECRET;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use warroom_fakes::{Failure, SlackSigner, payloads};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_exits_within_a_bounded_time_and_hands_back_writes_slack_is_holding_up() {
    warroom::tls::install_crypto_provider();
    let slack = crate::helpers::fake_slack(false).await;
    let db = TestDb::new(Backend::Sqlite).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .arg("serve")
        .env("SLACK_BOT_TOKEN", slack.bot_token())
        .env("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        .env("SLACK_API_URL", slack.api_url())
        .env("DATABASE_URL", &db.url)
        .env("WARROOM_LISTEN", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .expect("the warroom binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        if http
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Slack hangs on the war-room channel: the write is in flight when SIGTERM comes.
    slack.fail_next(
        "conversations.create",
        1,
        Failure::Hang(Duration::from_secs(120)),
    );
    let form = payloads::slash_command_form(
        "/incident declare Hung Slack sev3",
        "C0INCIDENTS",
        "U0ALICE01",
        "alice",
        "",
        "",
    );
    let mut req = http
        .post(format!("{base}/slack/commands"))
        .header("content-type", "application/x-www-form-urlencoded");
    for (k, v) in SlackSigner::new(SIGNING_SECRET).headers_now(&form) {
        req = req.header(k, v);
    }
    assert!(req.body(form).send().await.unwrap().status().is_success());
    slack
        .wait_for("the channel call in flight", |s| {
            !s.calls_to("conversations.create").is_empty()
        })
        .await;

    let asked = Instant::now();
    let term = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(term.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            asked.elapsed() < Duration::from_secs(20),
            "still running 20 s after SIGTERM"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "exits cleanly: {status:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(15),
        "took {:?}",
        asked.elapsed()
    );

    let store = db.store().await;
    let backlog = store.outbox_backlog().await.unwrap();
    assert_eq!(
        (backlog.in_flight, backlog.failed),
        (0, 0),
        "nothing left held: {backlog:?}"
    );
    assert!(
        backlog.pending >= 1,
        "the unfinished write waits for the next process: {backlog:?}"
    );
}
