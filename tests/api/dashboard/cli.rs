//! `warroom dashboard`, the binary: it starts without any Slack variable, from any
//! directory (its templates and stylesheet are compiled in), and serves the list.

use super::{Seed, seed};
use crate::db::{Backend, TestDb};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Kills the child when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn warroom(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    // Nothing from the test's environment: no Slack token, no config file named.
    cmd.env_clear()
        .env("DATABASE_URL", &db.url)
        .current_dir(std::env::temp_dir())
        .args(args)
        .stdin(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warroom_dashboard_serves_the_list_without_slack_credentials() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    seed(
        &store,
        Seed::new("Seen from the command line", 2, "2026-11-10T10:00:00Z"),
    )
    .await;
    store.close().await;
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let child = warroom(&db, &["dashboard", "--listen", &addr])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary runs");
    let _running = Running(child);
    let http = super::client();

    let mut answered = None;
    for _ in 0..200 {
        if let Ok(res) = http.get(format!("http://{addr}/")).send().await {
            answered = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let res = answered.expect("warroom dashboard listens within 10 s");
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/dashboard/");
    let html = http
        .get(format!("http://{addr}/dashboard/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Seen from the command line"), "{html}");
    assert!(
        html.contains("Open dashboard"),
        "open on loopback, and says so"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warroom_dashboard_refuses_to_listen_beyond_loopback_without_a_token() {
    let db = TestDb::new(Backend::Sqlite).await;
    let out = warroom(&db, &["dashboard", "--listen", "0.0.0.0:0"])
        .output()
        .expect("the binary runs");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the dashboard is off") && err.contains("token_env"),
        "{err}"
    );
}
