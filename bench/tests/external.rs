//! `warroom-bench ingest` pointed at a running server the way an operator would run
//! it: the real command line, signed events and slash commands over HTTP, and the
//! JSON report it writes.

use clap::Parser;
use std::process::ExitCode;
use warroom_bench::cli::{self, Cli};
use warroom_bench::scenario::env::{
    Backend, InProcessApp, SIGNING_SECRET, TempDb, declare_incidents,
};
use warroom_fakes::FakeSlack;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ingest_with_commands_reports_each_commands_ack_latency_beside_the_load() {
    warroom_bench::install_crypto_provider();
    let db = TempDb::create(Backend::Sqlite).await.expect("a database");
    let app = InProcessApp::start(&db, FakeSlack::start().await)
        .await
        .expect("the app starts");
    let slash = app.slash().expect("a slash client");
    let rooms = declare_incidents(&slash, &app.db, 2, 2)
        .await
        .expect("two war rooms");
    let channels: Vec<&str> = rooms.iter().map(|(_, c)| c.as_str()).collect();
    let out = std::env::temp_dir().join(format!("warroom-bench-{}.json", uuid::Uuid::new_v4()));
    let cli = Cli::try_parse_from([
        "warroom-bench",
        "ingest",
        "--url",
        &app.url,
        "--signing-secret",
        SIGNING_SECRET,
        "--channels",
        &channels.join(","),
        "--connections",
        "4",
        "--duration",
        "2s",
        "--command",
        "note external bench note",
        "--command",
        "severity nonsense",
        "--command-interval",
        "40ms",
        "--verify-db",
        &db.url,
        "--json",
        out.to_str().expect("a UTF-8 temp path"),
    ])
    .expect("the command line parses");
    let code = cli::run(cli).await.expect("the run completes");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("the JSON report")).expect("JSON");
    let _ = std::fs::remove_file(&out);
    app.stop().await.expect("the app stops");

    assert_eq!(code, ExitCode::SUCCESS);
    assert_eq!(report["verify"]["lost"], 0);
    assert_eq!(report["verify"]["duplicated"], 0);
    let commands = &report["commands"];
    let notes = commands["by_command"]["note"]["count"]
        .as_u64()
        .expect("note latencies");
    let severities = commands["by_command"]["severity"]["count"]
        .as_u64()
        .expect("severity latencies");
    // 1.5 s of commands 40 ms apart: a dozen or more of each, sent in turn.
    assert!(notes >= 5, "{commands}");
    assert!(notes.abs_diff(severities) <= 1, "{commands}");
    assert_eq!(commands["statuses"]["note:200"], notes, "{commands}");
    assert_eq!(
        commands["statuses"]["severity:200"], severities,
        "{commands}"
    );
    assert!(
        commands["by_command"]["note"]["p99_ms"]
            .as_f64()
            .expect("p99")
            > 0.0
    );
}
