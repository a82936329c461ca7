//! `warroom import`: a real-style Slack export becomes a stored incident and a draft.

use crate::db::{Backend, TestDb};
use crate::on_both_backends;
use std::path::Path;
use warroom::domain::EntryKind;
use warroom::postmortem::Style;

fn style() -> Style {
    Style::default()
}

fn fixture() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/slack-export-app-outage"
    ))
}

async fn the_outage_export_imports_as_a_closed_incident_with_a_one_hour_fifteen_minute_draft(
    backend: Backend,
) {
    let db = TestDb::new(backend).await;
    let store = db.store().await;
    let (id, draft) =
        warroom::cli::import(&store, fixture(), "inc-2021-03-09-app-outage", &style())
            .await
            .unwrap();

    let mut tx = store.read().await.unwrap();
    let entries = tx.entries(id).await.unwrap();
    let people = tx.people().await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        entries
            .iter()
            .filter(|e| e.kind == EntryKind::Message)
            .count(),
        26
    );
    assert_eq!(people.len(), 6);
    assert!(draft.contains("- **Duration:** 1h 15m"), "{draft}");
    assert!(
        draft.contains("| Database Admin | Karen House |"),
        "{draft}"
    );
    // Nobody wrote a summary in an export: the draft composes one from the record.
    assert!(
        draft.contains(
            "## Summary\n\nSEV1 incident “Application Down”, from 2021-03-09 09:15 UTC to \
             2021-03-09 10:30 UTC (1h 15m). 6 people from 6 teams took part.\n\n\
             _Generated from the record; edit freely._\n"
        ),
        "{draft}"
    );
    assert!(
        draft.contains("- 10:30 **Susan Vega**: Everything looks like it is responding now."),
        "{draft}"
    );

    // The stored incident prints the same draft later, and a second import adds nothing.
    assert_eq!(
        warroom::cli::draft_markdown(
            &store,
            id,
            &warroom::config::escalation::EscalationConfig::empty(),
            &style()
        )
        .await
        .unwrap(),
        draft
    );
    let (again, _) = warroom::cli::import(&store, fixture(), "inc-2021-03-09-app-outage", &style())
        .await
        .unwrap();
    assert_eq!(again, id);
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.entries(id).await.unwrap().len(), 26);
    tx.commit().await.unwrap();
}
on_both_backends!(
    the_outage_export_imports_as_a_closed_incident_with_a_one_hour_fifteen_minute_draft,
    the_outage_export_imports_as_a_closed_incident_with_a_one_hour_fifteen_minute_draft
);

#[tokio::test]
async fn importing_an_unknown_channel_names_the_channels_there_are() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let err = warroom::cli::import(&store, fixture(), "no-such-channel", &style())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no-such-channel") && err.contains("inc-2021-03-09-app-outage"),
        "{err}"
    );
}

#[tokio::test]
async fn the_postmortem_of_an_unknown_incident_is_a_clear_error() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let err = warroom::cli::draft_markdown(
        &store,
        404,
        &warroom::config::escalation::EscalationConfig::empty(),
        &style(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(err.contains("no incident #404"), "{err}");
}

#[tokio::test]
async fn the_import_renders_in_the_template_it_is_given() {
    let db = TestDb::new(Backend::Sqlite).await;
    let store = db.store().await;
    let settings = warroom::config::PostmortemSettings::default();
    let google = Style::from_settings(&settings, Some("google-sre")).unwrap();
    let (id, draft) = warroom::cli::import(&store, fixture(), "inc-2021-03-09-app-outage", &google)
        .await
        .unwrap();
    assert!(draft.contains("## Lessons Learned"), "{draft}");
    let pagerduty = Style::from_settings(&settings, Some("pagerduty")).unwrap();
    let config = warroom::config::escalation::EscalationConfig::empty();
    let again = warroom::cli::draft_markdown(&store, id, &config, &pagerduty)
        .await
        .unwrap();
    assert!(again.contains("## Contributing Factors"), "{again}");
}

async fn an_imported_pin_or_pushpin_is_stored_as_a_key_event(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("warroom-import-marks-{}", uuid::Uuid::new_v4()));
    let write = |rel: &str, text: &str| {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "users.json",
        r#"[{"id":"U1","name":"ann"},{"id":"U2","name":"bob"}]"#,
    );
    write(
        "channels.json",
        r#"[{"id":"C1","name":"inc","created":1615281300}]"#,
    );
    write(
        "inc/2021-03-09.json",
        r#"[{"type":"message","user":"U1","text":"pinned","ts":"1615281300.000100","pinned_to":["C1"]},
            {"type":"message","user":"U1","text":"pushpinned","ts":"1615281360.000200",
             "reactions":[{"name":"pushpin","users":["U2"],"count":1}]},
            {"type":"message","user":"U2","text":"plain","ts":"1615281420.000300"}]"#,
    );
    let db = TestDb::new(backend).await;
    let store = db.store().await;

    let imported = warroom::cli::import(&store, &dir, "inc", &style()).await;
    let _ = std::fs::remove_dir_all(&dir);
    let (id, _) = imported.unwrap();

    let mut tx = store.read().await.unwrap();
    let key: Vec<String> = tx
        .entries(id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.is_key())
        .map(|e| e.text)
        .collect();
    assert_eq!(key, ["pinned", "pushpinned"]);
    assert!(tx.is_marked_key("C1", "1615281360.000200").await.unwrap());
    tx.commit().await.unwrap();
}
on_both_backends!(
    an_imported_pin_or_pushpin_is_stored_as_a_key_event,
    an_imported_pin_or_pushpin_is_stored_as_a_key_event
);

/// `warroom import … | head`: the reader leaves before the draft is written, and the
/// command ends as any Unix tool would, without a panic.
#[tokio::test]
async fn a_reader_that_leaves_early_ends_the_import_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let db = TestDb::new(Backend::Sqlite).await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_warroom"))
        .args(["import", fixture().to_str().unwrap()])
        .args(["--channel", "inc-2021-03-09-app-outage"])
        .env("DATABASE_URL", &db.url)
        .env_remove("WARROOM_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the warroom binary starts");
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(status.success(), "{status}: {stderr}");
    assert!(
        stderr.contains("as incident #1"),
        "the import itself went through: {stderr}"
    );
}
