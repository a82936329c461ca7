//! `warroom report`: the binary prints the shift as Markdown from a SQLite file, and
//! turns away times it cannot read, naming the flag.

use super::shift;
use crate::db::{Backend, TestDb};
use std::process::Command;

fn warroom_binary(database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    // Outside the repository, so no config file is read; only what is set here.
    cmd.current_dir(std::env::temp_dir())
        .env_clear()
        .env("DATABASE_URL", database_url);
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_prints_the_shift_as_markdown_from_a_sqlite_file() {
    let s = shift(Backend::Sqlite).await;
    let url = s.app.state.settings.database_url.clone();

    let out = warroom_binary(&url)
        .args([
            "report",
            "--since",
            "2026-12-01T09:00:00Z",
            "--until",
            "2026-12-01T12:00:00+00:00",
        ])
        .output()
        .unwrap();

    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for line in [
        "# On-call report: 2026-12-01 09:00 UTC to 2026-12-01 12:00 UTC",
        "2 incidents (2 declared in this window, 1 resolved in it, 1 still open at its end); 4 pages sent in it, 2 acknowledged.",
        &format!("## #{} Checkout down (SEV1, resolved)", s.checkout),
        // No escalation config where the binary runs: the team goes by its id.
        "| 2026-12-01 10:00 UTC | Karen House (sre) | 1 | 2026-12-01 10:02 UTC | Karen House | 2m 30s | Slack button |",
        "- **Resolution:** Rolled back the QA build",
        "- 1. Add canary deploys (owner Bob Sparrow, due 2026-12-10)",
        &format!("## #{} Search is slow (SEV1, investigating)", s.search),
        "- **First acknowledged:** 2026-12-01 11:08 UTC by Bob Sparrow, 6m 10s after the declaration",
    ] {
        assert!(stdout.contains(line), "missing `{line}` in\n{stdout}");
    }
    assert!(
        !stdout.contains("Write the runbook"),
        "done items are left out"
    );
    assert!(!stdout.contains("Disk nearly full"), "{stdout}");
}

#[tokio::test]
async fn a_bad_time_is_a_usage_error_naming_its_flag() {
    let db = TestDb::new(Backend::Sqlite).await;
    for (flag, bad) in [("--since", "yesterday"), ("--until", "2026-13-01")] {
        let mut args = vec!["report", "--since", "24h"];
        if flag == "--since" {
            args[2] = bad;
        } else {
            args.extend(["--until", bad]);
        }
        let out = warroom_binary(&db.url).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag} {bad}: {stderr}");
        assert!(
            stderr.contains(flag) && stderr.contains("is not a time"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty());
    }

    let out = warroom_binary(&db.url)
        .args(["report", "--since", "2026-12-02", "--until", "2026-12-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "--since (2026-12-02 00:00 UTC) must be before --until (2026-12-01 00:00 UTC)"
        ),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
