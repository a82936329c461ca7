//! Nothing lost, nothing repeated: one scripted incident is run without faults and
//! then through each fault — Slack down for 30 s, the bot killed and restarted while
//! people keep talking, two replicas on one database, every Socket Mode envelope
//! delivered twice — and the stored timeline and the posted postmortem must match the
//! fault-free run exactly.

use crate::db::Backend;
use crate::helpers::{Opts, TestApp, spawn_app_opts};
use chrono::{DateTime, TimeZone, Utc};
use std::time::Duration;
use warroom::domain::EntryKind;
use warroom_fakes::payloads;

const LEAD: &str = "U06SREONCL";
const DBA: &str = "U04KHOUSE0";
const DEV: &str = "U05GTREE00";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

/// A message ts `secs` seconds into the incident.
fn ts(secs: i64) -> String {
    format!("{}.000100", t0().timestamp() + secs)
}

#[derive(Clone, Debug)]
enum Step {
    Command(&'static str, &'static str),
    Say(&'static str, &'static str, i64),
    Reply(&'static str, &'static str, i64, i64),
    Edit(&'static str, i64, &'static str, &'static str, i64),
    Delete(&'static str, i64, &'static str, i64),
}

impl Step {
    /// Seconds into the incident at which the step happens.
    fn at(&self) -> i64 {
        match self {
            Step::Command(..) => 0,
            Step::Say(_, _, s) | Step::Reply(_, _, s, _) => *s,
            Step::Edit(.., s) | Step::Delete(.., s) => *s,
        }
    }

    fn is_message(&self) -> bool {
        matches!(self, Step::Say(..) | Step::Reply(..))
    }
}

/// The incident every run goes through. Steps 6..=9 are plain messages: the window
/// in which faults strike.
fn script() -> Vec<Step> {
    vec![
        Step::Say(LEAD, "m01 checkout 500s since 09:58, looking", 60),
        Step::Say(DBA, "m02 primary db looks healthy", 90),
        Step::Reply(DEV, "r01 deploy 42 went out at 09:55", 120, 60),
        Step::Say(DBA, "m03 replica lag is 0s", 150),
        Step::Edit(
            DBA,
            150,
            "m03 replica lag is 0s",
            "m03 replica lag is 40s",
            170,
        ),
        Step::Command(LEAD, "status identified bad deploy 42"),
        Step::Say(DEV, "m04 rolling back deploy 42", 240),
        Step::Say(LEAD, "m05 error rate falling", 300),
        Step::Reply(DBA, "r02 lag back to 2s", 330, 60),
        Step::Say(DEV, "m06 rollback finished", 360),
        Step::Say(DEV, "m07 posted in the wrong channel", 390),
        Step::Delete(DEV, 390, "m07 posted in the wrong channel", 400),
        Step::Command(LEAD, "note paged the cache team, not needed"),
        Step::Command(LEAD, "resolve rolled back deploy 42"),
        Step::Say(LEAD, "m08 monitoring for 10 more minutes", 480),
        Step::Command(LEAD, "close"),
    ]
}

const FAULT_WINDOW: std::ops::RangeInclusive<usize> = 6..=9;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fault {
    None,
    SlackDown30s,
    KilledAndRestarted,
    TwoReplicas,
    SocketDuplicates,
}

/// What a run leaves behind, in a form two runs can be compared by.
#[derive(Debug, PartialEq)]
struct Outcome {
    timeline: Vec<String>,
    postmortem: String,
    drafts_posted: usize,
}

async fn run(fault: Fault) -> Outcome {
    let socket_mode = fault == Fault::SocketDuplicates;
    let mut a = spawn_app_opts(Opts {
        backend: Backend::Sqlite,
        socket_mode,
        clock_at: Some(t0()),
    })
    .await;
    for (id, name, title) in [
        (LEAD, "oncall", "SRE"),
        (DBA, "khouse", "Database Admin"),
        (DEV, "gtree", "Development Team"),
    ] {
        a.slack.add_user(id, name, name, title);
    }
    if socket_mode {
        a.slack.set_duplicate_delivery(true);
    }
    let answer = command(
        &a,
        LEAD,
        "C0INCIDENTS",
        "declare Checkout returns 500s sev2",
    )
    .await;
    assert!(answer.contains("Declared incident #1"), "{answer}");
    let room = a.war_room_of(1).await;
    let b = if fault == Fault::TwoReplicas {
        Some(a.replica().await)
    } else {
        None
    };

    let mut elapsed = 0;
    let mut down_since = None;
    for (i, step) in script().into_iter().enumerate() {
        if step.at() > elapsed {
            a.clock
                .advance(Duration::from_secs((step.at() - elapsed) as u64));
            elapsed = step.at();
        }
        if *FAULT_WINDOW.start() == i {
            match fault {
                Fault::SlackDown30s => {
                    a.slack.set_down(true);
                    down_since = Some(std::time::Instant::now());
                }
                Fault::KilledAndRestarted => {
                    let stopped = a.kill().await;
                    // People keep talking while the bot is away.
                    for s in &script()[FAULT_WINDOW] {
                        assert!(s.is_message(), "only messages arrive while the bot is down");
                        add_to_slack(stopped.slack(), &room, s);
                    }
                    a = stopped.start().await;
                }
                _ => {}
            }
        }
        let skipped = fault == Fault::KilledAndRestarted && FAULT_WINDOW.contains(&i);
        if !skipped {
            let app = match (&b, i % 2) {
                (Some(b), 1) => b,
                _ => &a,
            };
            perform(app, &room, i, &step).await;
        }
        if *FAULT_WINDOW.end() == i
            && let Some(since) = down_since.take()
        {
            tokio::time::sleep(Duration::from_secs(30).saturating_sub(since.elapsed())).await;
            a.slack.set_down(false);
        }
    }
    a.slack
        .wait_for_within("the postmortem file", Duration::from_secs(60), |s| {
            !s.uploaded_files().is_empty()
        })
        .await;
    a.outbox_drained().await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.outbox_drained().await;
    let files = a.slack.uploaded_files();
    Outcome {
        timeline: snapshot(&a).await,
        postmortem: files[0].content.clone(),
        drafts_posted: files.len(),
    }
}

async fn command(app: &TestApp, user: &str, channel: &str, text: &str) -> String {
    app.command_text(user, channel, text).await
}

async fn perform(app: &TestApp, room: &str, i: usize, step: &Step) {
    // Slack keeps what it delivers: its history must hold what the events said.
    match step {
        Step::Say(..) | Step::Reply(..) => add_to_slack(&app.slack, room, step),
        Step::Edit(_, at, _, new, _) => {
            app.slack.edit_message(room, &ts(*at), new);
        }
        Step::Delete(_, at, _, _) => app.slack.delete_message(room, &ts(*at)),
        Step::Command(..) => {}
    }
    let event = match step {
        Step::Command(user, text) => {
            command(app, user, room, text).await;
            return;
        }
        Step::Say(user, text, at) => payloads::message(room, user, text, &ts(*at)),
        Step::Reply(user, text, at, parent) => {
            payloads::thread_reply(room, user, text, &ts(*at), &ts(*parent))
        }
        Step::Edit(user, at, old, new, when) => {
            payloads::message_changed(room, &ts(*at), new, user, &ts(*when), old)
        }
        Step::Delete(user, at, old, _) => payloads::message_deleted(room, &ts(*at), old, user),
    };
    app.deliver(&format!("Ev{i:04}"), event).await;
}

/// Puts a message straight into the fake Slack's channel, as if a person wrote it
/// while no event could reach the bot.
fn add_to_slack(slack: &warroom_fakes::FakeSlack, room: &str, step: &Step) {
    match step {
        Step::Say(user, text, at) => {
            slack.add_message_at(room, user, text, &ts(*at));
        }
        Step::Reply(user, text, at, parent) => {
            slack.add_thread_reply_at(room, user, text, &ts(*at), &ts(*parent));
        }
        other => panic!("not a message: {other:?}"),
    }
}

async fn snapshot(app: &TestApp) -> Vec<String> {
    app.entries(1)
        .await
        .iter()
        .map(|e| {
            let kind = match &e.kind {
                EntryKind::Message => "message".to_string(),
                EntryKind::System(k) => format!("system:{k}"),
            };
            format!(
                "{} {kind} {} ts={:?} thread={:?} text={:?} was={:?} deleted={}",
                e.at.to_rfc3339(),
                e.author_id.as_deref().unwrap_or("-"),
                e.ts,
                e.thread_ts,
                e.text,
                e.previous_text,
                e.deleted_at.is_some()
            )
        })
        .collect()
}

async fn assert_same_as_fault_free(fault: Fault) {
    let clean = run(Fault::None).await;
    assert_eq!(clean.drafts_posted, 1);
    assert_eq!(
        clean
            .timeline
            .iter()
            .filter(|l| l.contains(" message "))
            .count(),
        10,
        "the fault-free run stores every message: {:#?}",
        clean.timeline
    );
    let faulty = run(fault).await;
    assert_eq!(
        faulty.timeline, clean.timeline,
        "{fault:?}: the timeline differs"
    );
    assert_eq!(
        faulty.postmortem, clean.postmortem,
        "{fault:?}: the postmortem differs"
    );
    assert_eq!(
        faulty.drafts_posted, 1,
        "{fault:?}: the draft was posted once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slack_down_for_thirty_seconds_mid_incident_loses_and_repeats_nothing() {
    assert_same_as_fault_free(Fault::SlackDown30s).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_killed_mid_incident_backfills_what_was_said_while_it_was_down() {
    assert_same_as_fault_free(Fault::KilledAndRestarted).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_sharing_one_database_tell_the_same_story() {
    assert_same_as_fault_free(Fault::TwoReplicas).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_socket_mode_envelope_delivered_twice_changes_nothing() {
    assert_same_as_fault_free(Fault::SocketDuplicates).await;
}
