use super::*;
use crate::config::alert_rules::AlertRules;
use crate::domain::alert::Pairs;
use crate::store::AlertGroup;
use chrono::TimeZone;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, h, m, 0).unwrap()
}

fn pairs(kv: &[(&str, &str)]) -> Pairs {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn group(labels: Pairs, annotations: Pairs) -> AlertGroup {
    AlertGroup {
        id: 42,
        source: "alertmanager".into(),
        group_key: "{}:{alertname=\"DiskFull\"}".into(),
        incident_id: None,
        rule_name: None,
        status: AlertStatus::Firing,
        receiver: "warroom".into(),
        external_url: Some("https://am.example".into()),
        group_labels: Pairs::new(),
        common_labels: labels,
        common_annotations: annotations,
        first_seen: at(13, 0),
        last_seen: at(13, 5),
        resolved_at: None,
        triage_channel: None,
        triage_ts: None,
    }
}

fn alert(id: i64, name: &str, labels: Pairs, annotations: Pairs) -> StoredAlert {
    StoredAlert {
        id,
        group_id: 42,
        fingerprint: format!("fp{id}"),
        status: AlertStatus::Firing,
        alertname: name.into(),
        labels,
        annotations,
        starts_at: Some(at(13, 5)),
        ends_at: None,
        generator_url: Some("https://prom.example/graph?g0.expr=up&g0.tab=1".into()),
        dashboard_url: None,
        panel_url: None,
        silence_url: Some("https://am.example/#/silences/new".into()),
        values: None,
        first_seen: at(13, 5),
        changed_at: at(13, 5),
        fired_count: 1,
    }
}

/// Every string Slack reads as mrkdwn in a message: the fallback text and each text in
/// its blocks but `plain_text` ones, which Slack shows as they are.
fn texts(text: &str, blocks: &Value) -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) if o.get("type") == Some(&Value::from("plain_text")) => {}
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut out = vec![text.to_string()];
    walk(blocks, &mut out);
    out
}

/// The `<…>` sequences Slack would act on.
fn sequences(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        let tail = &rest[open..];
        let close = tail.find('>').map_or(tail.len(), |c| c + 1);
        out.push(tail[..close].to_string());
        rest = &tail[close..];
    }
    out
}

fn hostile() -> (AlertGroup, Vec<StoredAlert>) {
    let g = group(
        pairs(&[
            ("alertname", "<!channel>"),
            ("team", "<@U123> <!subteam^S1|@oncall>"),
        ]),
        pairs(&[
            ("summary", "<https://evil.example|click> @here"),
            ("description", "<!everyone> &lt;!channel&gt;"),
            ("owner", "<@U123>"),
        ]),
    );
    let a = alert(
        1,
        "<!channel>",
        pairs(&[
            ("alertname", "<!channel>"),
            ("pod", "<https://evil.example|x>"),
        ]),
        pairs(&[
            ("summary", "<@U123> look"),
            ("runbook_url", "javascript:alert(1)"),
        ]),
    );
    let mut b = alert(
        2,
        "<@U123>",
        pairs(&[("alertname", "<@U123>")]),
        Pairs::new(),
    );
    b.generator_url = Some("https://x|<!channel>".into());
    b.dashboard_url = Some("javascript:alert(1)".into());
    (g, vec![a, b])
}

#[test]
fn hostile_labels_annotations_and_names_come_out_inert_in_every_alert_post() {
    let (g, alerts) = hostile();
    let rules = AlertRules::empty();
    let v = GroupView::new(&g, &alerts, &rules);
    let declared = TriageOutcome::Declared {
        incident_id: 7,
        channel_id: Some("C0WAR".into()),
    };
    let posts = [
        alert_post(&v),
        triage_post(&v),
        triage_done(&v, &declared),
        alerts_resolved(&v, 7, AfterResolved::Offer),
        (String::new(), firing_block(&alerts).unwrap()),
    ];
    let ours = [
        "<https://prom.example/graph?g0.expr=up&amp;g0.tab=1|Source>",
        "<https://am.example/#/silences/new|Silence>",
        "<https://x%7C%3C!channel%3E|Source>",
        "<https://am.example|Open in Alertmanager>",
        "<#C0WAR>",
    ];
    for (text, blocks) in &posts {
        for s in texts(text, blocks) {
            for seq in sequences(&s) {
                assert!(ours.contains(&seq.as_str()), "{seq} in {s}");
            }
            for word in ["@here", "@everyone", "@channel"] {
                assert!(!s.contains(word), "a bare {word} in {s}");
            }
        }
    }
    let shown = posts[0].1.to_string();
    assert!(
        shown.contains("📖 *Runbook:* javascript:alert(1)"),
        "shown, not linked: {shown}"
    );
    assert!(
        shown.contains("&lt;!channel&gt;"),
        "the name is shown as text: {shown}"
    );
    assert!(
        shown.contains("pod=&lt;https://evil.example|x&gt;"),
        "{shown}"
    );
    assert!(shown.contains("owner: &lt;@U123&gt;"), "{shown}");
}

#[test]
fn the_runbook_comes_first_from_the_annotation_or_the_config_file() {
    let g = group(pairs(&[("alertname", "DiskFull")]), Pairs::new());
    let ann = pairs(&[("runbook_url", "https://runbooks.example/disk")]);
    let alerts = vec![alert(
        1,
        "DiskFull",
        pairs(&[("alertname", "DiskFull")]),
        ann,
    )];
    let rules = AlertRules::empty();
    let (_, blocks) = alert_post(&GroupView::new(&g, &alerts, &rules));
    assert_eq!(
        blocks[1]["text"]["text"],
        "📖 *Runbook:* <https://runbooks.example/disk|https://runbooks.example/disk>"
    );

    let alerts = vec![alert(
        1,
        "DiskFull",
        pairs(&[("alertname", "DiskFull")]),
        Pairs::new(),
    )];
    let mut rules = AlertRules::empty();
    rules.runbooks.insert(
        "DiskFull".into(),
        "https://wiki.example/disk?a=1&b=2".into(),
    );
    let (_, blocks) = triage_post(&GroupView::new(&g, &alerts, &rules));
    let line = blocks[1]["text"]["text"].as_str().unwrap();
    assert!(
        line.starts_with("📖 *Runbook:* <https://wiki.example/disk?a=1&amp;b=2|"),
        "{line}"
    );
}

#[test]
fn without_a_runbook_the_post_says_how_to_link_one_and_a_bad_url_is_not_linked() {
    let g = group(Pairs::new(), Pairs::new());
    let alerts = vec![alert(1, "DiskFull", Pairs::new(), Pairs::new())];
    let rules = AlertRules::empty();
    let (_, blocks) = alert_post(&GroupView::new(&g, &alerts, &rules));
    let line = blocks[1]["text"]["text"].as_str().unwrap();
    assert!(line.contains("No runbook linked"), "{line}");
    assert!(line.contains("config/alerts.toml [runbooks]"), "{line}");

    let ann = pairs(&[("runbook_url", "javascript:alert(document.cookie)")]);
    let alerts = vec![alert(1, "DiskFull", Pairs::new(), ann)];
    let (_, blocks) = alert_post(&GroupView::new(&g, &alerts, &rules));
    let line = blocks[1]["text"]["text"].as_str().unwrap();
    assert_eq!(line, "📖 *Runbook:* javascript:alert(document.cookie)");
}

#[test]
fn many_long_alerts_stay_within_block_kit_limits_and_say_how_many_more() {
    let long = "<&>".repeat(3000);
    let labels = pairs(&[("alertname", "Flood"), ("x", &long)]);
    let ann = pairs(&[("summary", &long), ("description", &long), ("other", &long)]);
    let many_labels: Pairs = (0..40)
        .map(|i| (format!("label{i}"), long.clone()))
        .collect();
    let g = group(many_labels, ann.clone());
    let alerts: Vec<StoredAlert> = (0..200)
        .map(|i| {
            let mut l = labels.clone();
            l.insert("instance".into(), format!("{long}{i}"));
            let mut a = alert(i, &format!("Flood{i}{long}"), l, ann.clone());
            a.dashboard_url = Some(format!("https://d.example/{}", "p".repeat(1900)));
            a
        })
        .collect();
    let rules = AlertRules::empty();
    let v = GroupView::new(&g, &alerts, &rules);
    for (_, blocks) in [
        alert_post(&v),
        triage_post(&v),
        alerts_resolved(&v, 1, AfterResolved::Offer),
    ] {
        let blocks = blocks.as_array().unwrap();
        assert!(blocks.len() <= 50, "{} blocks", blocks.len());
        for b in blocks {
            let len = |t: &Value| t["text"].as_str().map_or(0, |s| s.chars().count());
            match b["type"].as_str().unwrap() {
                "header" => assert!(len(&b["text"]) <= 150),
                "section" => {
                    assert!(len(&b["text"]) <= 3000);
                    for f in b["fields"].as_array().into_iter().flatten() {
                        assert!(len(f) <= 2000);
                    }
                }
                _ => {}
            }
        }
    }
    let shown = alert_post(&v).1.to_string();
    assert!(
        shown.contains("…and 190 more (200 firing in all)"),
        "{shown}"
    );
    let labels = alert_post(&v)
        .1
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["text"]["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("*Labels*"))
        })
        .cloned()
        .unwrap();
    let labels = labels["text"]["text"].as_str().unwrap();
    let listed = labels.lines().count() - 2;
    assert!(
        labels.ends_with(&format!("_…and {} more_", 40 - listed)),
        "long labels that do not fit are counted: {labels}"
    );
}

#[test]
fn labels_past_twenty_are_counted_not_listed() {
    let many: Pairs = (10..50)
        .map(|i| (format!("l{i}"), "v".to_string()))
        .collect();
    let g = group(many, Pairs::new());
    let alerts = vec![alert(1, "DiskFull", Pairs::new(), Pairs::new())];
    let rules = AlertRules::empty();
    let (_, blocks) = alert_post(&GroupView::new(&g, &alerts, &rules));
    let shown = blocks.to_string();
    assert!(shown.contains("l29: v\\n_…and 20 more_"), "{shown}");
    assert!(!shown.contains("l30"), "{shown}");
}

#[test]
fn the_triage_post_has_a_declare_button_and_loses_it_once_decided() {
    let g = group(
        pairs(&[("severity", "critical")]),
        pairs(&[("summary", "Disk 95% full")]),
    );
    let alerts = vec![alert(
        1,
        "DiskFull",
        pairs(&[("severity", "critical")]),
        Pairs::new(),
    )];
    let rules = AlertRules::empty();
    let v = GroupView::new(&g, &alerts, &rules);
    let (text, blocks) = triage_post(&v);
    assert!(text.contains("DiskFull"), "{text}");
    let last = blocks.as_array().unwrap().last().unwrap();
    assert_eq!(last["elements"][0]["action_id"], DECLARE_ALERT_ACTION_ID);
    assert_eq!(last["elements"][0]["value"], "42");
    let shown = blocks.to_string();
    assert!(shown.contains("critical (declares as SEV3)"), "{shown}");
    assert!(shown.contains("*Summary:* Disk 95% full"), "{shown}");

    let declared = TriageOutcome::Declared {
        incident_id: 9,
        channel_id: Some("C0WAR".into()),
    };
    let resolved = TriageOutcome::Resolved {
        at: Some(at(14, 7)),
    };
    for (outcome, said) in [
        (declared, "Declared as incident #9 <#C0WAR>"),
        (resolved, "Resolved at the source at 14:07 UTC"),
    ] {
        let (text, blocks) = triage_done(&v, &outcome);
        assert!(text.contains(said), "{text}");
        assert!(blocks[1]["text"]["text"].as_str().unwrap().contains(said));
        assert!(!blocks.to_string().contains(DECLARE_ALERT_ACTION_ID));
    }
}

#[test]
fn every_alert_resolved_offers_the_button_only_while_the_incident_is_open() {
    let g = group(Pairs::new(), Pairs::new());
    let alerts = vec![alert(1, "DiskFull", Pairs::new(), Pairs::new())];
    let rules = AlertRules::empty();
    let v = GroupView::new(&g, &alerts, &rules);
    let (text, blocks) = alerts_resolved(&v, 5, AfterResolved::Offer);
    assert_eq!(
        text,
        "✅ Every alert of this group has resolved at Alertmanager."
    );
    assert_eq!(
        blocks[1]["elements"][0]["action_id"],
        RESOLVE_ALERT_ACTION_ID
    );
    assert_eq!(blocks[1]["elements"][0]["value"], "5");

    let (_, auto) = alerts_resolved(&v, 5, AfterResolved::AutoResolved);
    let auto = auto.to_string();
    assert!(
        auto.contains("because every alert resolved (auto_resolve)"),
        "{auto}"
    );
    assert!(auto.contains("`/incident close` when done"), "{auto}");
    assert!(!auto.contains(RESOLVE_ALERT_ACTION_ID));

    let (_, done) = alerts_resolved(&v, 5, AfterResolved::Already(Status::Closed));
    assert!(done.to_string().contains("already closed"));
    assert!(!done.to_string().contains(RESOLVE_ALERT_ACTION_ID));
}

#[test]
fn the_firing_section_counts_alerts_by_name_or_says_all_resolved() {
    assert_eq!(firing_block(&[]), None);
    let mut alerts = vec![
        alert(1, "HighErrorRate", Pairs::new(), Pairs::new()),
        alert(2, "DiskFull", Pairs::new(), Pairs::new()),
        alert(3, "HighErrorRate", Pairs::new(), Pairs::new()),
        alert(4, "Gone", Pairs::new(), Pairs::new()),
    ];
    alerts[3].status = AlertStatus::Resolved;
    let block = firing_block(&alerts).unwrap();
    assert_eq!(
        block["text"]["text"],
        "*Firing*\n🔴 HighErrorRate ×2\n🔴 DiskFull\n_1 resolved_"
    );
    for a in &mut alerts {
        a.status = AlertStatus::Resolved;
    }
    let block = firing_block(&alerts).unwrap();
    assert_eq!(
        block["text"]["text"],
        "*Firing*\n✅ All alerts resolved at the source"
    );
}
