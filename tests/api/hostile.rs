//! Hostile input: whatever arrives, what Warroom echoes into Slack cannot ping a group
//! or carry a script link, and what it writes into the postmortem file cannot change
//! the file's structure. Every echo path is driven with the same hostile strings.

use crate::db::Backend;
use crate::helpers::{TestApp, spawn_app_with};
use crate::on_both_backends;
use serde_json::{Value, json};

const LEAD: &str = "U06SREONCL";

/// The same list for every echo path.
pub const HOSTILE: &[&str] = &[
    "<!channel> checkout down",
    "<!here> wake up",
    "<!everyone> all hands",
    "<!subteam^S0123ABC|@oncall> look",
    "<javascript:alert(1)|click me> now",
    "# Heading\n- [ ] task",
    "&lt;img src=x onerror=alert(1)&gt;",
    "\u{202E}evil txt",
    "nul\u{0}byte",
];

/// What no text Warroom sends to Slack may hold.
fn unsafe_in(s: &str) -> Option<&'static str> {
    if s.contains("<!") {
        Some("a broadcast or group ping")
    } else if s.to_ascii_lowercase().contains("<javascript:") {
        Some("a javascript: link")
    } else if s.contains('\u{202E}') {
        Some("a bidi override")
    } else if s.contains('\0') {
        Some("a NUL byte")
    } else {
        None
    }
}

fn every_string(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            // Form-encoded calls carry blocks as JSON text.
            match serde_json::from_str::<Value>(s) {
                Ok(inner @ (Value::Array(_) | Value::Object(_))) => every_string(&inner, out),
                _ => out.push(s.clone()),
            }
        }
        Value::Array(items) => items.iter().for_each(|i| every_string(i, out)),
        Value::Object(map) => map.values().for_each(|i| every_string(i, out)),
        _ => {}
    }
}

/// Every text Warroom sent to Slack: posts, updates, topics, ephemerals, response_url
/// posts, plus the replies it answered commands with.
fn assert_slack_saw_nothing_unsafe(app: &TestApp, replies: &[Value]) {
    let mut texts = Vec::new();
    for call in app.slack.calls() {
        if matches!(
            call.method.as_str(),
            "chat.postMessage" | "chat.update" | "conversations.setTopic" | "chat.postEphemeral"
        ) {
            every_string(&call.args, &mut texts);
        }
    }
    for post in app.slack.response_url_posts() {
        every_string(&post.body, &mut texts);
    }
    for reply in replies {
        every_string(reply, &mut texts);
    }
    assert!(texts.len() > 20, "the paths were driven: {texts:?}");
    for text in &texts {
        if let Some(why) = unsafe_in(text) {
            panic!("Warroom echoed {why} into Slack: {text:?}");
        }
    }
}

fn submission(title: &str, service: &str, summary: &str) -> String {
    let payload = json!({"type": "view_submission", "user": {"id": LEAD}, "view": {"callback_id": "warroom_declare", "state": {"values": {
        "title": {"value": {"type": "plain_text_input", "value": title}},
        "severity": {"value": {"type": "static_select", "selected_option": {"value": "sev2"}}},
        "service": {"value": {"type": "plain_text_input", "value": service}},
        "summary": {"value": {"type": "plain_text_input", "value": summary}}}}}});
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

async fn nothing_echoed_into_slack_can_ping_a_group_link_a_script_or_hide_text(backend: Backend) {
    let app = spawn_app_with(backend, |s, slack| {
        s.slack.announcements_channel = Some(slack.add_channel("announcements", false, true));
    })
    .await;
    let mut replies = Vec::new();
    // Titles: the summary, the topic and the announcement.
    for (n, hostile) in HOSTILE.iter().enumerate() {
        let (_, reply) = app
            .command(LEAD, "C0INCIDENTS", &format!("declare {hostile} sev2"))
            .await;
        replies.push(reply);
        let res = app
            .post_signed(
                "/slack/interactions",
                "application/x-www-form-urlencoded",
                &submission(&format!("{hostile} form {n}"), hostile, hostile),
            )
            .await;
        assert!(res.status().is_success(), "{hostile}");
    }
    // Notes, statuses, messages and the resolution of one incident, then its draft.
    let room = app.war_room_of(1).await;
    for hostile in HOSTILE {
        for text in [
            format!("note {hostile}"),
            format!("status identified {hostile}"),
            format!("status investigating {hostile}"),
        ] {
            let (_, reply) = app.command(LEAD, &room, &text).await;
            replies.push(reply);
        }
        app.say(&room, LEAD, hostile).await;
    }
    let (_, reply) = app
        .command(LEAD, &room, &format!("resolve {}", HOSTILE.join(" ")))
        .await;
    replies.push(reply);
    let (_, reply) = app.command(LEAD, &room, "close").await;
    replies.push(reply);
    app.slack
        .wait_for("the postmortem file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;

    assert_slack_saw_nothing_unsafe(&app, &replies);
    let md = app.slack.uploaded_files().remove(0).content;
    assert!(
        !md.contains("<img") && !md.contains("](javascript:"),
        "{md}"
    );
    assert!(!md.contains('\u{202E}') && !md.contains('\0'), "{md}");
    for line in md.lines() {
        let body = line.trim_start();
        assert!(
            !body.starts_with("# Heading") && !body.starts_with("- [ ] task"),
            "hostile text opened a block in the file: {line:?}"
        );
    }
    let summary = app
        .slack
        .messages_in(&room)
        .into_iter()
        .find(|m| m.text.starts_with("Incident #1"))
        .expect("the summary");
    assert!(
        summary.text.contains("&lt;!channel&gt; checkout down"),
        "shown as text, not dropped: {}",
        summary.text
    );
}
on_both_backends!(
    nothing_echoed_into_slack_can_ping_a_group_link_a_script_or_hide_text,
    nothing_echoed_into_slack_can_ping_a_group_link_a_script_or_hide_text
);

const ONE_TEAM: &str = r#"
[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL" }]
"#;

async fn a_page_dm_and_its_reply_quote_the_message_without_pinging_anyone(backend: Backend) {
    let app = crate::helpers::spawn_paging_app(backend, ONE_TEAM).await;
    let inc = app.declare("U0DECLARE1", "Pages with hostile notes").await;
    let mut replies = Vec::new();
    for hostile in HOSTILE {
        let (_, reply) = app
            .command("U0DECLARE1", &inc.channel, &format!("page sre {hostile}"))
            .await;
        replies.push(reply);
    }
    app.slack
        .wait_for("every page in a DM", |s| {
            crate::page_dms::pages_shown(s, LEAD).len() == HOSTILE.len()
        })
        .await;
    app.outbox_drained().await;
    assert_slack_saw_nothing_unsafe(&app, &replies);
    let dms: Vec<String> = app
        .slack
        .dms_to(LEAD)
        .into_iter()
        .map(|m| m.blocks.unwrap_or_default().to_string())
        .collect();
    assert!(
        dms.iter().any(|b| b.contains("&lt;!here&gt; wake up")),
        "the note is quoted as text: {dms:?}"
    );
}
on_both_backends!(
    a_page_dm_and_its_reply_quote_the_message_without_pinging_anyone,
    a_page_dm_and_its_reply_quote_the_message_without_pinging_anyone
);

async fn a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown(backend: Backend) {
    let app = spawn_app_with(backend, |_, _| {}).await;
    let inc = app.declare(LEAD, "NUL bytes").await;
    let ts = app.next_ts();
    let status = app
        .event(
            "Ev-nul",
            warroom_fakes::payloads::message(&inc.channel, LEAD, "disk\u{0} full on db-1", &ts),
        )
        .await;
    assert_eq!(
        status,
        reqwest::StatusCode::OK,
        "acked, so Slack does not drop it"
    );
    let (status, reply) = app
        .command(LEAD, &inc.channel, "note restarted\u{0} db-1")
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{reply}");
    let texts: Vec<String> = app
        .entries(inc.incident_id)
        .await
        .into_iter()
        .map(|e| e.text)
        .collect();
    assert!(texts.iter().any(|t| t == "disk full on db-1"), "{texts:?}");
    assert!(
        texts.iter().any(|t| t.contains("restarted db-1")),
        "{texts:?}"
    );
}
on_both_backends!(
    a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown,
    a_nul_byte_in_a_message_or_a_note_is_stored_without_it_and_shown
);

async fn oversized_or_misshapen_ids_and_texts_are_refused_at_the_door(backend: Backend) {
    let app = spawn_app_with(backend, |_, _| {}).await;
    let inc = app.declare(LEAD, "Hostile ids").await;
    let room = inc.channel.as_str();
    let huge = "A".repeat(100_000);
    let message =
        |user: &str, text: &str, ts: &str| warroom_fakes::payloads::message(room, user, text, ts);
    let ts = app.next_ts();
    let mut bad_channel = message(LEAD, "x", &ts);
    bad_channel["channel"] = json!(format!("C{huge}"));
    let mut bad_thread = message(LEAD, "x", &ts);
    bad_thread["thread_ts"] = json!(huge);
    let cases: Vec<(&str, String, Value)> = vec![
        (
            "a 100 KB event id",
            format!("Ev{huge}"),
            message(LEAD, "x", &ts),
        ),
        (
            "a 100 KB user",
            "Ev-user".into(),
            message(&format!("U{huge}"), "x", &ts),
        ),
        (
            "a lowercase user",
            "Ev-lower".into(),
            message("u06sreoncl", "x", &ts),
        ),
        ("a 100 KB channel", "Ev-channel".into(), bad_channel),
        (
            "a ts that is no ts",
            "Ev-ts".into(),
            message(LEAD, "x", "yesterday"),
        ),
        ("a 100 KB thread ts", "Ev-thread".into(), bad_thread),
        (
            "a 100 KB text",
            "Ev-text".into(),
            message(LEAD, &"x".repeat(100_000), &ts),
        ),
    ];
    for (what, event_id, event) in cases {
        let status = app.event(&event_id, event).await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "{what}");
    }
    let form = |user: &str, channel: &str| {
        warroom_fakes::payloads::slash_command_form(
            "/incident note hello",
            channel,
            user,
            "someone",
            &app.slack.response_url("r"),
            "t.1",
        )
    };
    for (what, body) in [
        ("a 100 KB user", form(&format!("U{huge}"), room)),
        ("a 100 KB channel", form(LEAD, &format!("C{huge}"))),
    ] {
        let res = app
            .post_signed(
                "/slack/commands",
                "application/x-www-form-urlencoded",
                &body,
            )
            .await;
        assert_eq!(
            res.status(),
            reqwest::StatusCode::BAD_REQUEST,
            "command with {what}"
        );
    }
    let click = json!({"type": "block_actions", "user": {"id": format!("U{huge}")},
        "actions": [{"action_id": "warroom_ack", "value": "1"}]});
    let body = serde_urlencoded::to_string([("payload", click.to_string())]).unwrap();
    let res = app
        .post_signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            &body,
        )
        .await;
    assert_eq!(
        res.status(),
        reqwest::StatusCode::BAD_REQUEST,
        "a click by a 100 KB user"
    );

    let messages = app
        .entries(inc.incident_id)
        .await
        .into_iter()
        .filter(|e| !e.is_system())
        .count();
    assert_eq!(messages, 0, "nothing refused was stored");
}
on_both_backends!(
    oversized_or_misshapen_ids_and_texts_are_refused_at_the_door,
    oversized_or_misshapen_ids_and_texts_are_refused_at_the_door
);

async fn a_publish_that_is_retried_looks_each_person_up_once(backend: Backend) {
    let app = spawn_app_with(backend, |_, _| {}).await;
    app.slack.add_user(LEAD, "oncall", "On-call SRE", "SRE");
    let inc = app.declare(LEAD, "Lookups once").await;
    let room = inc.channel.as_str();
    app.say(room, "U0GHOST001", "who is this").await;
    app.say(room, LEAD, "ask <@U0GHOST002> too").await;
    app.outbox_drained().await;
    // The draft's first post fails, so publishing runs again.
    app.slack
        .fail_next("chat.postMessage", 1, warroom_fakes::Failure::ServerError);
    app.command(LEAD, room, "close").await;
    app.slack
        .wait_for("the postmortem file", |s| !s.uploaded_files().is_empty())
        .await;
    app.outbox_drained().await;
    let lookups = app.slack.calls_to("users.info");
    for user in [LEAD, "U0GHOST001", "U0GHOST002"] {
        let n = lookups.iter().filter(|c| c.args["user"] == user).count();
        assert_eq!(n, 1, "{user} looked up {n} times");
    }
}
on_both_backends!(
    a_publish_that_is_retried_looks_each_person_up_once,
    a_publish_that_is_retried_looks_each_person_up_once
);

async fn a_message_time_far_outside_the_incident_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |_, _| {}).await;
    let inc = app.declare(LEAD, "Time travel").await;
    let room = inc.channel.as_str();
    for ts in ["0.000000", "1000000000.000000", "9999999999.999999"] {
        let event = warroom_fakes::payloads::message(room, LEAD, "from another era", ts);
        let status = app.event(&format!("Ev-{}", &ts[..4]), event).await;
        assert_eq!(status, reqwest::StatusCode::BAD_REQUEST, "ts {ts}");
    }
    let ok = app.say(room, LEAD, "a real message").await;
    let future_edit = warroom_fakes::payloads::message_changed(
        room,
        &ok,
        "edited in the year 2286",
        LEAD,
        "9999999999.999999",
        "a real message",
    );
    let status = app.event("Ev-future-edit", future_edit).await;
    assert_eq!(
        status,
        reqwest::StatusCode::BAD_REQUEST,
        "an edit from the future"
    );

    let entries = app.entries(inc.incident_id).await;
    let messages: Vec<&str> = entries
        .iter()
        .filter(|e| !e.is_system())
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(messages, ["a real message"]);
}
on_both_backends!(
    a_message_time_far_outside_the_incident_is_refused,
    a_message_time_far_outside_the_incident_is_refused
);
