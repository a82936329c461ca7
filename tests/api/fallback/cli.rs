//! `warroom fallback open|close <incident>`, the binary: on the database alone, with no
//! Slack credentials; it says what happened, and bad input is a usage error naming the
//! argument (exit 2). Closing needs no `[fallback.irc]`, opening does.

use super::stored_incident;
use crate::db::{Backend, TestDb};
use chrono::Utc;
use std::process::{Command, Output, Stdio};

const CONFIG: &str =
    "[fallback.irc]\nserver = \"irc.example.org:6667\"\ntls = false\nnick = \"warroom\"\n";

fn warroom(db_url: &str, config: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_warroom"));
    cmd.env_clear()
        .env("DATABASE_URL", db_url)
        .current_dir(std::env::temp_dir())
        .arg("fallback")
        .args(args)
        .stdin(Stdio::null());
    if let Some(text) = config {
        let path = std::env::temp_dir().join(format!(
            "warroom-fallback-cli-{}.toml",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::write(&path, text).unwrap();
        cmd.env("WARROOM_CONFIG", path);
    }
    cmd.output().expect("the binary runs")
}

async fn an_incident(db: &TestDb) -> i64 {
    let store = db.store().await;
    let id = stored_incident(&store, Utc::now()).await;
    store.close().await;
    id
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn fallback_open_and_close_work_on_the_database_without_slack() {
    let db = TestDb::new(Backend::Sqlite).await;
    let id = an_incident(&db).await;
    let n = id.to_string();

    let opened = warroom(&db.url, Some(CONFIG), &["open", &n]);
    assert!(opened.status.success(), "{}", text(&opened));
    let said = text(&opened);
    assert!(
        said.contains(&format!("#warroom-inc-{id} on irc.example.org:6667")),
        "{said}"
    );
    assert!(said.contains("warroom serve"), "{said}");

    let again = warroom(&db.url, Some(CONFIG), &["open", &n]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("already open"), "{}", text(&again));

    let store = db.store().await;
    let mut tx = store.read().await.unwrap();
    let room = tx.fallback_room(id).await.unwrap().unwrap();
    tx.commit().await.unwrap();
    assert_eq!((room.reason.as_str(), room.closed_at), ("cli", None));

    let closed = warroom(&db.url, Some(CONFIG), &["close", &n]);
    assert!(closed.status.success(), "{}", text(&closed));
    assert!(text(&closed).contains("is closed"), "{}", text(&closed));
    let mut tx = store.read().await.unwrap();
    assert!(tx.open_fallback_rooms().await.unwrap().is_empty());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn without_the_irc_section_or_the_incident_it_fails_saying_why() {
    let db = TestDb::new(Backend::Sqlite).await;
    let id = an_incident(&db).await;
    let out = warroom(&db.url, None, &["open", &id.to_string()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("[fallback.irc]"), "{}", text(&out));

    let out = warroom(&db.url, Some(CONFIG), &["open", "999"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(text(&out).contains("no incident #999"), "{}", text(&out));
}

#[tokio::test]
async fn a_room_opens_with_the_irc_section_and_closes_without_it() {
    let db = TestDb::new(Backend::Sqlite).await;
    let id = an_incident(&db).await;
    let n = id.to_string();
    let opened = warroom(&db.url, Some(CONFIG), &["open", &n]);
    assert!(opened.status.success(), "{}", text(&opened));

    let closed = warroom(&db.url, None, &["close", &n]);

    assert!(closed.status.success(), "{}", text(&closed));
    let said = text(&closed);
    assert!(said.contains(&format!("#warroom-inc-{id}")), "{said}");
    assert!(said.contains("is closed"), "{said}");
    assert!(said.contains("no [fallback.irc]"), "{said}");
    let store = db.store().await;
    let mut tx = store.read().await.unwrap();
    let room = tx.fallback_room(id).await.unwrap().unwrap();
    assert!(tx.open_fallback_rooms().await.unwrap().is_empty());
    tx.commit().await.unwrap();
    assert!(room.closed_at.is_some(), "{room:?}");
    let again = warroom(&db.url, None, &["close", &n]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        text(&again).contains("no fallback war room open"),
        "{}",
        text(&again)
    );
}

#[test]
fn bad_input_is_a_usage_error_naming_the_argument() {
    let cases: [&[&str]; 5] = [
        &["open"],
        &["open", "abc"],
        &["close", "0"],
        &["close", "-3"],
        &["reopen", "1"],
    ];
    for args in cases {
        let out = warroom("sqlite::memory:", Some(CONFIG), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        let said = text(&out);
        let names = if args[0] == "reopen" {
            "reopen"
        } else {
            "INCIDENT_ID"
        };
        assert!(said.contains(names), "{args:?}: {said}");
    }
}
