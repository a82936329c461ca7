//! `warroom drill`, the binary: bad input is a usage error naming the flag (exit 2),
//! and without a bot token it says what to set, before anything is posted.

use std::process::{Command, Output, Stdio};

const EXPORT: &str = "/work/shared/fixtures/slack-export-app-outage";

fn warroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_warroom"))
        .env_clear()
        .env("DATABASE_URL", "sqlite::memory:")
        .current_dir(std::env::temp_dir())
        .arg("drill")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

#[test]
fn bad_replay_input_is_a_usage_error_naming_the_flag() {
    let not_an_export = std::env::temp_dir();
    let not_an_export = not_an_export.to_str().unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&[], "/incident drill"),
        (&["--replay", EXPORT], "--channel"),
        (&["--replay", not_an_export, "--channel", "x"], "--replay"),
        (&["--replay", EXPORT, "--channel", "nope"], "--channel"),
        (
            &[
                "--replay",
                EXPORT,
                "--channel",
                "inc-2021-03-09-app-outage",
                "--speed",
                "0",
            ],
            "--speed",
        ),
        (
            &[
                "--replay",
                EXPORT,
                "--channel",
                "inc-2021-03-09-app-outage",
                "--speed=-2",
            ],
            "--speed",
        ),
        (
            &[
                "--replay",
                EXPORT,
                "--channel",
                "inc-2021-03-09-app-outage",
                "--speed",
                "100000",
            ],
            "--speed",
        ),
    ];
    for (args, flag) in cases {
        let out = warroom(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(flag),
            "{args:?} should name {flag}: {stderr}"
        );
    }
}

#[test]
fn without_a_bot_token_the_replay_says_what_to_set() {
    let out = warroom(&["--replay", EXPORT, "--channel", "inc-2021-03-09-app-outage"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("set SLACK_BOT_TOKEN"), "{stderr}");
}
