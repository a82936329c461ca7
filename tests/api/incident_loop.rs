//! The whole loop, as a team lives it: declare, work in the war room (threads, edits,
//! deletes, files, Slack redeliveries), resolve, close, and find the postmortem draft
//! posted with every message in order, once.

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app};
use crate::on_both_backends;
use reqwest::StatusCode;
use warroom::domain::{EntryKind, Status};
use warroom_fakes::{BOT_APP_ID, BOT_ID, payloads};

const LEAD: &str = "U06SREONCL";
const DBA: &str = "U04KHOUSE0";
const DEV: &str = "U05GTREE00";
/// Mentioned, never writes: the draft must still name them.
const NET: &str = "U02BSPARRO";

fn people(app: &TestApp) {
    app.slack.add_user(LEAD, "oncall", "On-call SRE", "SRE");
    app.slack
        .add_user(DBA, "khouse", "Karen House", "Database Admin");
    app.slack
        .add_user(DEV, "gtree", "Gal Tree", "Development Team");
    app.slack
        .add_user(NET, "bsparrow", "Bob Sparrow", "Networking");
}

async fn a_declared_incident_becomes_a_war_room_and_closes_with_its_full_postmortem(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    people(&app);

    // Declare.
    let inc = app.declare(LEAD, "Checkout returns 500s sev2").await;
    let room = app.slack.channel(&inc.channel).unwrap();
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(room.name, format!("inc-{today}-checkout-returns-500s"));
    assert!(
        app.slack
            .members_of(&inc.channel)
            .contains(&LEAD.to_string()),
        "the declarer is invited"
    );
    let topic = app.slack.topic_of(&inc.channel).unwrap();
    assert!(
        topic.starts_with("SEV2 | INVESTIGATING | Checkout returns 500s"),
        "{topic}"
    );
    assert!(topic.contains(&format!("<@{LEAD}>")), "{topic}");
    assert_eq!(
        app.slack.pins_in(&inc.channel).len(),
        1,
        "the summary is pinned"
    );

    // Work: 22 messages, with a thread, an edit, a delete and a file.
    let ch = inc.channel.as_str();
    let mut said = Vec::new();
    let first = app
        .say(ch, LEAD, "msg-01 checkout 500s since 09:58, looking")
        .await;
    said.push("msg-01 checkout 500s since 09:58, looking".to_string());
    for n in 2..=8 {
        let (who, text) = if n % 2 == 0 {
            (DBA, format!("msg-{n:02} db side check {n}"))
        } else {
            (DEV, format!("msg-{n:02} app side check {n}"))
        };
        app.say(ch, who, &text).await;
        said.push(text);
    }
    app.reply(
        ch,
        DEV,
        "msg-09 thread: deploy 42 went out at 09:55",
        &first,
    )
    .await;
    said.push("msg-09 thread: deploy 42 went out at 09:55".into());
    let wrong = app.say(ch, DBA, "msg-10 replica lag is 0s").await;
    app.edit(
        ch,
        DBA,
        &wrong,
        "msg-10 replica lag is 0s",
        "msg-10 replica lag is 40s",
    )
    .await;
    said.push("msg-10 replica lag is 40s".into());
    let oops = app.say(ch, DEV, "msg-11 posted in the wrong channel").await;
    app.delete(ch, DEV, &oops, "msg-11 posted in the wrong channel")
        .await;
    said.push("msg-11 posted in the wrong channel".into());
    app.share_file(ch, LEAD, "msg-12 error graph", "errors.png")
        .await;
    said.push("msg-12 error graph".into());

    // Slack redelivers: the same event id again, and the same message under a new id.
    let redelivered_ts = app.next_ts();
    let event = payloads::message(ch, DBA, "msg-13 redelivered once", &redelivered_ts);
    for id in ["EvRetry1", "EvRetry1", "EvRetry2"] {
        assert_eq!(app.event(id, event.clone()).await, StatusCode::OK);
    }
    said.push("msg-13 redelivered once".into());
    // Our own post and another channel's chatter are not timeline messages.
    let own = payloads::bot_message(ch, BOT_ID, BOT_APP_ID, "Warroom's own post", &app.next_ts());
    assert_eq!(app.event("EvOwn", own).await, StatusCode::OK);
    app.say("C0ELSEWHERE", DEV, "unrelated chatter").await;
    app.say(
        ch,
        LEAD,
        &format!("looping in <@{NET}> for the load balancer"),
    )
    .await;

    let status = app
        .command(LEAD, ch, "status identified bad deploy 42")
        .await;
    assert_eq!(status.1["response_type"], "in_channel", "{:?}", status);
    for n in 14..=22 {
        let text = format!("msg-{n:02} rollback progress {n}");
        app.say(ch, if n % 2 == 0 { LEAD } else { DEV }, &text)
            .await;
        said.push(text);
    }
    let (_, resolved) = app.command(LEAD, ch, "resolve rolled back deploy 42").await;
    assert!(
        resolved["text"]
            .as_str()
            .unwrap()
            .contains("Resolved: rolled back deploy 42"),
        "{resolved}"
    );
    let (_, closed) = app.command(LEAD, ch, "close").await;
    assert_eq!(closed["response_type"], "in_channel");

    // The draft is posted as a message and uploaded as a file.
    app.slack
        .wait_for("the postmortem file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;
    let file = app.slack.uploaded_files().remove(0);
    assert_eq!(file.channel.as_deref(), Some(ch));
    assert!(file.filename.ends_with(".md"), "{}", file.filename);
    let md = file.content;

    // Every message, in order, exactly once.
    let mut last = 0;
    for text in &said {
        let at = md
            .find(text.as_str())
            .unwrap_or_else(|| panic!("`{text}` missing from the draft:\n{md}"));
        assert!(at >= last, "`{text}` is out of order");
        assert_eq!(
            md.matches(text.as_str()).count(),
            1,
            "`{text}` appears more than once"
        );
        last = at;
    }
    assert!(!md.contains("unrelated chatter") && !md.contains("Warroom's own post"));
    assert!(
        md.contains("_ msg-10 replica lag is 0s\n"),
        "an edit keeps what it replaced:\n{md}"
    );
    assert!(md.contains("(deleted)"), "a delete is marked:\n{md}");
    assert!(md.contains("errors.png"), "the file share is named:\n{md}");
    assert!(md.contains("↳"), "the thread reply is marked:\n{md}");
    for (team, person) in [
        ("SRE", "On-call SRE"),
        ("Database Admin", "Karen House"),
        ("Development Team", "Gal Tree"),
    ] {
        let row = md.lines().find(|l| l.starts_with(&format!("| {team} | ")));
        assert!(
            row.is_some_and(|r| r.contains(person)),
            "stakeholder {person} of {team}:\n{md}"
        );
    }
    assert!(
        md.contains("looping in @Bob Sparrow for the load balancer"),
        "mentions read as names:\n{md}"
    );
    assert!(md.contains("rolled back deploy 42"), "resolution:\n{md}");
    assert!(
        md.contains("Status changed from investigating to identified: bad deploy 42"),
        "{md}"
    );
    assert!(md.contains("Incident closed"), "{md}");

    // The readable message is in the channel too, within Block Kit's limits.
    let posted = app.slack.messages_in(ch);
    let draft_msg = posted
        .iter()
        .find(|m| m.text.contains("Postmortem"))
        .expect("draft message posted");
    assert!(draft_msg.blocks.as_ref().unwrap().as_array().unwrap().len() <= 50);

    // The store agrees: 23 messages (one deleted), system entries, no duplicates.
    let entries = app.entries(inc.incident_id).await;
    let messages: Vec<_> = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Message)
        .collect();
    assert_eq!(messages.len(), 23, "{messages:#?}");
    assert_eq!(
        messages.iter().filter(|e| e.deleted_at.is_some()).count(),
        1
    );
    let systems: Vec<_> = entries
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::System(k) => Some(k.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        systems,
        ["declared", "status", "status", "resolved", "closed"]
    );
    let incident = app.incident(inc.incident_id).await;
    assert_eq!(incident.status, Status::Closed);
    assert!(incident.identified_at.is_some() && incident.resolved_at.is_some());
    let topic = app.slack.topic_of(ch).unwrap();
    assert!(
        topic.contains("CLOSED"),
        "the topic follows the status: {topic}"
    );
    app.stop().await;
}
on_both_backends!(
    a_declared_incident_becomes_a_war_room_and_closes_with_its_full_postmortem,
    a_declared_incident_becomes_a_war_room_and_closes_with_its_full_postmortem
);
