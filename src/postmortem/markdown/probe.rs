//! Two sample drafts every template must render when it is loaded: one with every
//! section filled (every kind of line, item and flag, and a generated summary), one
//! with nothing captured but the team's own summary.
//! Between them a template's loops and both sides of its usual conditions run, so
//! an unknown filter or field shows up at startup.

use crate::domain::{
    ActionItem, ActionStatus, FileRef, ImpactCategory, ImpactStatement, Incident, Person,
    PersonKind, Severity, Status, TimelineEntry,
};
use crate::postmortem::draft::{Draft, Facts, PageFact};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::collections::HashMap;

pub(super) fn samples() -> [Draft; 2] {
    [full(), empty()]
}

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2021, 3, 9, 23, 50, 0).unwrap() + TimeDelta::minutes(minutes)
}

fn incident() -> Incident {
    Incident {
        id: 1,
        title: "Sample incident".into(),
        severity: Severity::SEV1,
        status: Status::Closed,
        service: Some("checkout".into()),
        summary: None,
        lead: Some("U1".into()),
        comms: Some("U2".into()),
        scribe: Some("U2".into()),
        declared_by: "U1".into(),
        declared_at: t(0),
        identified_at: Some(t(5)),
        mitigated_at: Some(t(10)),
        resolved_at: Some(t(15)),
        closed_at: Some(t(20)),
        resolution: Some("Rolled back".into()),
        channel_id: None,
        channel_name: None,
        drill: false,
    }
}

fn full() -> Draft {
    let incident = incident();
    let people: HashMap<String, Person> = [("U1", Some("SRE")), ("U2", None)]
        .into_iter()
        .map(|(id, title)| {
            let person = Person {
                user_id: id.into(),
                name: format!("Person {id}"),
                title: title.map(Into::into),
                kind: PersonKind::Human,
            };
            (id.to_string(), person)
        })
        .collect();
    let message = |minutes: i64, text: &str| {
        let at = t(minutes);
        let ts = format!("{}.000100", at.timestamp());
        TimelineEntry::message(1, at, Some("U1".into()), text.into(), ts)
    };
    let mut key = message(1, "Checkout is down");
    key.marked_key = true;
    let mut edited = message(2, "Rolling back");
    edited.previous_text = Some("Rolling bakc".into());
    edited.edited_at = Some(t(3));
    let mut deleted = message(4, "wrong channel");
    deleted.deleted_at = Some(t(4));
    let mut reply = message(6, "on it");
    reply.thread_ts = key.ts.clone();
    let mut file = message(12, "graph");
    file.files.push(FileRef {
        id: "F1".into(),
        name: "graph.png".into(),
        permalink: Some("https://files.example/F1".into()),
    });
    let entries = vec![
        TimelineEntry::system(1, t(0), "declared", Some("U1"), "Declared".into()),
        key,
        edited,
        deleted,
        reply,
        message(8, "Someone broke the deploy"),
        file,
    ];
    let impacts: Vec<ImpactStatement> = ImpactCategory::ALL
        .into_iter()
        .map(Some)
        .chain([None])
        .zip(1..)
        .map(|(category, seq)| ImpactStatement {
            incident_id: 1,
            seq,
            category,
            text: "Orders stopped".into(),
            author_id: "U1".into(),
            added_at: t(seq),
            removed_at: None,
        })
        .collect();
    let action = |seq: i64, status: ActionStatus, issue: Option<&str>| ActionItem {
        id: seq,
        incident_id: 1,
        seq,
        text: "Add a canary".into(),
        owner_id: (seq == 1).then(|| "U1".into()),
        due: NaiveDate::from_ymd_opt(2021, 3, 16).filter(|_| seq == 1),
        status,
        created_by: "U1".into(),
        created_at: t(20),
        updated_at: t(20),
        source_ts: None,
        issue_url: issue.map(Into::into),
    };
    let actions = vec![
        action(
            1,
            ActionStatus::Open,
            Some("https://github.com/acme/shop/issues/1"),
        ),
        action(2, ActionStatus::Done, None),
        action(3, ActionStatus::Dropped, None),
    ];
    let pages = vec![
        PageFact {
            user_id: "U1".into(),
            team: Some("SRE".into()),
            level: Some(0),
            paged_at: t(0),
            acked_at: Some(t(1)),
        },
        PageFact {
            user_id: "U3".into(),
            team: None,
            level: None,
            paged_at: t(2),
            acked_at: None,
        },
    ];
    let mut facts = Facts::new(&incident, &entries, &people);
    facts.impacts = &impacts;
    facts.actions = &actions;
    facts.pages = &pages;
    facts.build()
}

fn empty() -> Draft {
    let mut incident = incident();
    incident.status = Status::Investigating;
    incident.service = None;
    incident.lead = None;
    incident.comms = None;
    incident.scribe = None;
    incident.identified_at = None;
    incident.mitigated_at = None;
    incident.resolved_at = None;
    incident.closed_at = None;
    incident.resolution = None;
    incident.summary = Some("The team's own words".into());
    Facts::new(&incident, &[], &HashMap::new()).build()
}
