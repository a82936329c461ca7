//! Import tests: the real app-outage fixture end to end, and bad exports written to temp dirs.

use super::*;
use crate::domain::EntryKind;
use crate::postmortem::{build, render_blocks, render_markdown};
use std::sync::atomic::{AtomicUsize, Ordering};

mod key_events;

/// The sample export shipped in `examples/`.
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/slack-export-app-outage"
);
const CHANNEL: &str = "inc-2021-03-09-app-outage";

fn fixture() -> ImportedChannel {
    read_export(Path::new(FIXTURE), CHANNEL).expect("fixture imports")
}

/// A throwaway export directory, removed when dropped.
struct TempExport(PathBuf);

impl TempExport {
    fn new() -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("warroom-import-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempExport(dir)
    }

    /// A minimal valid export with one channel `inc` and the given day file.
    fn with_day(messages: &str) -> Self {
        let t = Self::new();
        t.write(
            "users.json",
            r#"[{"id":"U1","name":"ann","profile":{"title":""}}]"#,
        );
        t.write(
            "channels.json",
            r#"[{"id":"C1","name":"inc","created":1615281360,"topic":{"value":""}}]"#,
        );
        t.write("inc/2021-03-09.json", messages);
        t
    }

    fn write(&self, rel: &str, content: &str) {
        let path = self.0.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent dir");
        }
        std::fs::write(path, content).expect("write fixture file");
    }
}

impl Drop for TempExport {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_fixture_imports_all_26_messages_in_order_from_0915_to_1030() {
    let ch = fixture();
    assert_eq!(ch.entries.len(), 26);
    let first = ch.entries.first().unwrap();
    let last = ch.entries.last().unwrap();
    assert_eq!(
        first.at.format("%Y-%m-%d %H:%M").to_string(),
        "2021-03-09 09:15"
    );
    assert_eq!(last.at.format("%H:%M").to_string(), "10:30");
    assert_eq!(first.author_id.as_deref(), Some("U01SVEGA00"));
    assert_eq!(first.ts.as_deref(), Some("1615281300.000100"));
    assert!(ch.entries.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(
        ch.entries
            .iter()
            .all(|e| e.kind == EntryKind::Message && e.incident_id == 0)
    );
}

#[test]
fn the_fixture_channel_details_and_people_are_read() {
    let ch = fixture();
    assert_eq!(
        (ch.channel_id.as_str(), ch.name.as_str()),
        ("C0APPOUTAG", CHANNEL)
    );
    assert_eq!(ch.creator.as_deref(), Some("U06SREONCL"));
    assert_eq!(
        ch.topic.as_deref(),
        Some("SEV1: exoticplant.plant unreachable")
    );
    assert_eq!(ch.purpose.as_deref(), Some("Application Down"));
    assert_eq!(ch.members.len(), 6);
    assert_eq!(ch.created.timestamp(), 1615281360);
    let people = ch.people_by_id();
    let susan = &people["U01SVEGA00"];
    assert_eq!(susan.name, "Susan Vega");
    assert_eq!(susan.title.as_deref(), Some("Customer Support"));
}

#[test]
fn the_fixture_incident_is_a_closed_sev1_from_first_to_last_message() {
    let ch = fixture();
    let inc = incident_from(&ch);
    assert_eq!(inc.title, "Application Down");
    assert_eq!(inc.severity, Severity::SEV1);
    assert_eq!(inc.status, Status::Closed);
    // The purpose says what the channel is for, not which service broke.
    assert_eq!(inc.service, None);
    // The topic labels the channel; the team's summary is not in an export.
    assert_eq!(inc.summary, None);
    // Support raised it; the on-call SRE opened the channel and led.
    assert_eq!(inc.declared_by, "U01SVEGA00");
    assert_eq!(inc.lead.as_deref(), Some("U06SREONCL"));
    assert_eq!(inc.declared_at, ch.entries[0].at);
    assert_eq!(inc.closed_at, Some(ch.entries[25].at));
    assert_eq!(inc.resolution, None);
    assert_eq!(inc.channel_id.as_deref(), Some("C0APPOUTAG"));
}

#[test]
fn the_fixture_postmortem_names_six_stakeholders_with_teams_and_lasts_1h_15m() {
    let ch = fixture();
    let draft = build(&incident_from(&ch), &ch.entries, &ch.people_by_id());
    let labels: Vec<_> = draft.stakeholders.iter().map(|s| s.label()).collect();
    assert_eq!(
        labels,
        [
            "Susan Vega — Customer Support",
            "On-call SRE — SRE (Commander)",
            "Bob Sparrow — Networking",
            "Karen House — Database Admin",
            "Glen Hammer — Ops",
            "Gal Tree — Development Team",
        ]
    );

    let md = render_markdown(&draft);
    assert!(md.contains("# Postmortem: Application Down"), "{md}");
    assert!(md.contains("**Date:** 2021-03-09 09:15 UTC"), "{md}");
    assert!(md.contains("- **Duration:** 1h 15m"), "{md}");
    assert!(
        md.contains("- 09:15 **Susan Vega**: Hey we have reports"),
        "{md}"
    );
    assert!(md.contains("- 10:30 **Susan Vega**: Everything looks like it is responding now."));
    assert!(md.contains(
        "**On-call SRE**: @Susan Vega @Bob Sparrow @Glen Hammer @Karen House @Gal Tree we have"
    ));
    assert!(!md.contains("<@U"), "every mention is resolved");
    assert!(
        md.contains("- **Time to first response:** 1m (at 2021-03-09 09:16 UTC)"),
        "the SRE answered Support's report a minute later: {md}"
    );
    for row in [
        "| Customer Support | Susan Vega |",
        "| Networking | Bob Sparrow |",
        "| Ops | Glen Hammer |",
        "| Database Admin | Karen House |",
        "| Development Team | Gal Tree |",
        "| SRE | On-call SRE (Commander) |",
    ] {
        assert!(md.contains(&format!("{row}\n")), "{row}\n{md}");
    }

    let blocks = render_blocks(&draft);
    let all = serde_json::to_string(&blocks).unwrap();
    assert!(
        all.contains("Everything looks like it is responding now."),
        "whole timeline fits"
    );
}

#[test]
fn the_fixture_summary_is_generated_from_the_record_and_states_only_its_facts() {
    let ch = fixture();
    let incident = incident_from(&ch);
    let people = ch.people_by_id();
    let facts = crate::postmortem::Facts::new(&incident, &ch.entries, &people);
    let draft = facts.build();
    assert_eq!(
        draft.summary.text.plain(),
        "SEV1 incident “Application Down”, from 2021-03-09 09:15 UTC to 2021-03-09 10:30 UTC \
         (1h 15m). 6 people from 6 teams took part."
    );
    crate::postmortem::assert_summary_is_factual(&draft, &facts);
}

#[test]
fn every_built_in_template_renders_the_fixture() {
    let ch = fixture();
    let draft = build(&incident_from(&ch), &ch.entries, &ch.people_by_id());
    for (name, ..) in crate::postmortem::BUILTIN_TEMPLATES {
        let md = crate::postmortem::Template::load(name)
            .and_then(|t| t.render(&draft))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            md.starts_with("# Postmortem: Application Down\n"),
            "{name}:\n{md}"
        );
        assert!(
            md.contains("6 people from 6 teams took part."),
            "{name}:\n{md}"
        );
        assert!(
            md.contains("- 10:30 **Susan Vega**: Everything looks like it is responding now."),
            "{name}:\n{md}"
        );
    }
}

#[test]
fn a_channel_can_be_named_with_a_hash_or_by_id() {
    let by_hash = read_export(Path::new(FIXTURE), &format!("#{CHANNEL}")).unwrap();
    let by_id = read_export(Path::new(FIXTURE), "C0APPOUTAG").unwrap();
    assert_eq!(by_hash, by_id);
}

#[test]
fn a_missing_directory_is_named() {
    let err = read_export(Path::new("/nonexistent/warroom-export"), "x").unwrap_err();
    assert!(matches!(err, ImportError::MissingDir(_)));
    assert!(
        err.to_string().contains("/nonexistent/warroom-export"),
        "{err}"
    );
}

#[test]
fn a_missing_users_json_is_named() {
    let t = TempExport::new();
    t.write("channels.json", "[]");
    let err = read_export(&t.0, "inc").unwrap_err();
    assert!(matches!(err, ImportError::MissingUsers(_)), "{err}");
    assert!(err.to_string().contains("users.json"), "{err}");
}

#[test]
fn an_unknown_channel_lists_the_available_ones() {
    let t = TempExport::with_day("[]");
    t.write("groups.json", r#"[{"id":"G1","name":"secret-inc"}]"#);
    let err = read_export(&t.0, "nope").unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("`nope`") && text.contains("channels.json"),
        "{text}"
    );
    assert!(
        text.contains("available channels: inc, secret-inc"),
        "{text}"
    );
}

#[test]
fn private_channels_are_found_in_groups_json() {
    let t = TempExport::with_day("[]");
    t.write(
        "groups.json",
        r#"[{"id":"G1","name":"secret-inc","created":1}]"#,
    );
    assert_eq!(read_export(&t.0, "secret-inc").unwrap().channel_id, "G1");
}

#[test]
fn an_export_with_no_channel_lists_at_all_says_so() {
    let t = TempExport::new();
    t.write("users.json", "[]");
    let err = read_export(&t.0, "inc").unwrap_err();
    assert!(matches!(err, ImportError::MissingChannels(_)), "{err}");
}

#[test]
fn bad_json_names_the_file_and_line() {
    let t = TempExport::with_day("[\n  {\"type\": \"message\",\n  oops\n]");
    let err = read_export(&t.0, "inc").unwrap_err();
    let ImportError::BadJson { path, line, .. } = &err else {
        panic!("expected BadJson, got {err}");
    };
    assert!(path.ends_with("inc/2021-03-09.json"));
    assert_eq!(*line, 3);
    let text = err.to_string();
    assert!(
        text.contains("2021-03-09.json") && text.contains("line 3"),
        "{text}"
    );
}

#[test]
fn bad_json_in_users_json_is_named_too() {
    let t = TempExport::with_day("[]");
    t.write("users.json", "{\"not\": \"a list\"}");
    let err = read_export(&t.0, "inc").unwrap_err();
    assert!(err.to_string().starts_with("bad JSON in ") && err.to_string().contains("users.json"));
}

#[test]
fn a_bad_or_missing_ts_names_the_file_and_message_number() {
    let t = TempExport::with_day(
        r#"[{"type":"message","user":"U1","text":"ok","ts":"1615281300.000100"},
            {"type":"message","user":"U1","text":"bad","ts":"yesterday"}]"#,
    );
    let text = read_export(&t.0, "inc").unwrap_err().to_string();
    assert!(
        text.contains("`yesterday`") && text.contains("2021-03-09.json, message 2"),
        "{text}"
    );

    let t = TempExport::with_day(r#"[{"type":"message","user":"U1","text":"no ts"}]"#);
    let err = read_export(&t.0, "inc").unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::BadTs {
                message: 1,
                field: "ts",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_bad_edited_ts_is_reported_not_ignored() {
    let t = TempExport::with_day(
        r#"[{"type":"message","user":"U1","text":"x","ts":"1615281300.000100","edited":{"user":"U1","ts":"soon"}}]"#,
    );
    let err = read_export(&t.0, "inc").unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::BadTs {
                field: "edited.ts",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn messages_map_edits_threads_files_and_bots_and_skip_joins() {
    let t = TempExport::with_day(
        r#"[
        {"type":"message","subtype":"channel_join","user":"U1","text":"<@U1> has joined","ts":"1615281000.000100"},
        {"type":"message","user":"U1","text":"parent","ts":"1615281300.000100","thread_ts":"1615281300.000100",
         "edited":{"user":"U1","ts":"1615281400.000000"}},
        {"type":"message","user":"U1","text":"reply","ts":"1615281360.000200","thread_ts":"1615281300.000100"},
        {"type":"message","subtype":"bot_message","bot_id":"B1","username":"Grafana","text":"alert","ts":"1615281200.000300"},
        {"type":"message","user":"U1","text":"","ts":"1615281500.000400",
         "files":[{"id":"F1","name":"app.log","permalink":"https://x/F1","url_private":"https://p/F1"},
                  {"id":"F2","url_private":"https://p/F2"}]},
        {"type":"message","subtype":"channel_leave","user":"U1","text":"left","ts":"1615281600.000500"}
        ]"#,
    );
    let ch = read_export(&t.0, "inc").unwrap();
    let texts: Vec<_> = ch.entries.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["alert", "parent", "reply", ""]);

    let [bot, parent, reply, files] = &ch.entries[..] else {
        unreachable!()
    };
    assert_eq!(bot.author_id.as_deref(), Some("B1"));
    assert_eq!(ch.people_by_id()["B1"].name, "Grafana");
    assert_eq!(parent.edited_at.map(|t| t.timestamp()), Some(1615281400));
    assert!(!parent.is_thread_reply() && reply.is_thread_reply());
    assert_eq!(files.files[0].permalink.as_deref(), Some("https://x/F1"));
    assert_eq!(files.files[1].name, "F2");
    assert_eq!(files.files[1].permalink.as_deref(), Some("https://p/F2"));

    let ann = &ch.people_by_id()["U1"];
    assert_eq!((ann.name.as_str(), ann.title.as_deref()), ("ann", None));
}

#[test]
fn a_channel_without_messages_imports_empty_and_dates_the_incident_by_creation() {
    let t = TempExport::new();
    t.write("users.json", "[]");
    t.write(
        "channels.json",
        r#"[{"id":"C1","name":"quiet-inc","created":1615281360}]"#,
    );
    let ch = read_export(&t.0, "quiet-inc").unwrap();
    assert!(ch.entries.is_empty());
    let inc = incident_from(&ch);
    assert_eq!(inc.title, "quiet-inc");
    assert_eq!(inc.severity, Severity::SEV3);
    assert_eq!(inc.declared_at, ch.created);
    assert_eq!(inc.closed_at, Some(ch.created));
    assert_eq!(inc.declared_by, "unknown");
}

#[test]
fn severity_comes_only_from_a_leading_sev_word_in_the_topic() {
    for (topic, sev) in [
        ("SEV2 - checkout", Some(Severity::SEV2)),
        ("sev4: minor", Some(Severity::SEV4)),
        ("SEV9: ?", None),
        ("checkout SEV1", None),
        ("several things", None),
        ("", None),
    ] {
        assert_eq!(severity_prefix(topic), sev, "{topic}");
    }
}

#[test]
fn the_title_falls_back_from_purpose_to_topic_and_is_kept_to_one_bounded_line() {
    let mut ch = fixture();
    ch.purpose = None;
    assert_eq!(
        incident_from(&ch).title,
        "SEV1: exoticplant.plant unreachable"
    );
    ch.topic = Some(format!("long\n{}", "x".repeat(500)));
    let title = incident_from(&ch).title;
    assert!(title.starts_with("long x") && title.chars().count() == MAX_TITLE_CHARS);
}
