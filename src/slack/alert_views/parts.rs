//! The pieces the alert posts share: a group's runbook line, its summary, its alerts
//! one line each, its labels and annotations, its links. Every piece of alert text
//! goes through [`inert`] and every URL through [`link`]; every section is cut to
//! Block Kit's 3000 characters without breaking an entity or a link.

use crate::config::alert_rules::AlertRules;
use crate::domain::Severity;
use crate::domain::alert::{AlertStatus, Pairs, Source};
use crate::domain::clip;
use crate::slack::mrkdwn::is_hidden_control;
use crate::slack::untrusted::{inert, link};
use crate::slack::views::{one_line, truncate_escaped};
use crate::store::{AlertGroup, StoredAlert};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Block Kit's limit on a section's text.
pub const MAX_SECTION_CHARS: usize = 3000;
/// Block Kit's limit on a section field's text.
const MAX_FIELD_CHARS: usize = 2000;
/// Block Kit's limit on a header's text.
const MAX_HEADER_CHARS: usize = 150;
/// Alerts listed one by one; the rest are counted.
pub const MAX_ALERTS_SHOWN: usize = 10;
/// Labels (or annotations) listed; the rest are counted.
const MAX_PAIRS_SHOWN: usize = 20;
/// How much of one label or annotation value is shown.
const MAX_VALUE_CHARS: usize = 300;
/// Annotations shown as text rather than as `key: value`.
const PROSE: [&str; 2] = ["summary", "description"];

/// An alert group as the posts show it, with what the rules say about it.
pub struct GroupView<'a> {
    pub group: &'a AlertGroup,
    /// Firing first, then resolved, each oldest first.
    pub alerts: Vec<&'a StoredAlert>,
    /// Runbooks found for the group (annotation or `[runbooks]`), most relevant first.
    pub runbooks: Vec<String>,
    /// The severity label's value, and the severity declaring from it would give.
    pub severity: Option<(String, Severity)>,
}

impl<'a> GroupView<'a> {
    pub fn new(group: &'a AlertGroup, alerts: &'a [StoredAlert], rules: &AlertRules) -> Self {
        let mut sorted: Vec<&StoredAlert> = alerts.iter().collect();
        sorted.sort_by_key(|a| a.status != AlertStatus::Firing);
        let mut runbooks: Vec<String> = Vec::new();
        let found = sorted
            .iter()
            .map(|a| rules.runbook_for(&a.labels, &a.annotations))
            .chain([rules.runbook_for(&group.common_labels, &group.common_annotations)]);
        for url in found.flatten() {
            let url = url.trim().to_string();
            if !runbooks.contains(&url) {
                runbooks.push(url);
            }
        }
        let labels = sorted.first().map_or(&group.common_labels, |a| &a.labels);
        let severity = labels
            .get(&rules.severity.label)
            .filter(|v| !v.trim().is_empty())
            .map(|v| (v.trim().to_string(), rules.severity_of(None, labels)));
        GroupView {
            group,
            alerts: sorted,
            runbooks,
            severity,
        }
    }

    /// `Alertmanager`, `Grafana`, or the stored name as sent.
    pub fn source(&self) -> String {
        Source::from_name(&self.group.source)
            .map_or_else(|| inert(&self.group.source), |s| s.title().to_string())
    }

    pub fn firing(&self) -> usize {
        self.alerts
            .iter()
            .filter(|a| a.status == AlertStatus::Firing)
            .count()
    }

    /// `A, B and 3 more`: the firing alerts' names (every alert's when none fires),
    /// raw: escape before showing.
    pub fn names(&self) -> String {
        let firing: Vec<&StoredAlert> = self
            .alerts
            .iter()
            .copied()
            .filter(|a| a.status == AlertStatus::Firing)
            .collect();
        let pool = if firing.is_empty() {
            &self.alerts
        } else {
            &firing
        };
        let mut names: Vec<&str> = Vec::new();
        for a in pool {
            if !names.contains(&a.alertname.as_str()) {
                names.push(&a.alertname);
            }
        }
        match names.len() {
            0 => format!("alerts to {}", self.group.receiver),
            1..=3 => names.join(", "),
            n => format!("{} and {} more", names[..3].join(", "), n - 3),
        }
    }

    /// An annotation of the group: common to all its alerts, else the first alert's.
    fn annotation(&self, key: &str) -> Option<&str> {
        self.group
            .common_annotations
            .get(key)
            .or_else(|| self.alerts.first().and_then(|a| a.annotations.get(key)))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// A header: plain text on one line, without hidden controls, within 150 characters.
pub fn header(text: &str) -> Value {
    let line: String = one_line(text)
        .chars()
        .filter(|c| !is_hidden_control(*c))
        .collect();
    json!({"type": "header", "text": {"type": "plain_text", "text": clip(&line, MAX_HEADER_CHARS)}})
}

/// A section of escaped mrkdwn, cut to fit. `verbatim` so Slack links or parses
/// nothing in it beyond the sequences written on purpose.
pub fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "verbatim": true,
        "text": truncate_escaped(text, MAX_SECTION_CHARS)}})
}

fn field(label: &str, value: &str) -> Value {
    json!({"type": "mrkdwn", "verbatim": true,
        "text": truncate_escaped(&format!("*{label}*\n{value}"), MAX_FIELD_CHARS)})
}

pub fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// Alert text escaped, and cut to `max` characters (escapes counted).
fn shown(text: &str, max: usize) -> String {
    truncate_escaped(&inert(&clip(text.trim(), max)), max)
}

/// The runbook line, first and prominent; or how to link one.
pub fn runbook(v: &GroupView<'_>) -> Value {
    let Some((first, others)) = v.runbooks.split_first() else {
        return section(
            "📖 *No runbook linked:* add `runbook_url` to the alert's annotations or map it in config/alerts.toml [runbooks]",
        );
    };
    let one = |url: &str| link(url, &clip(url, 80)).unwrap_or_else(|| shown(url, 200));
    let mut text = format!("📖 *Runbook:* {}", one(first));
    if !others.is_empty() {
        let rest: Vec<String> = others.iter().take(4).map(|u| one(u)).collect();
        text.push_str(&format!("\nAlso: {}", rest.join(" · ")));
    }
    section(&text)
}

/// The summary and description annotations, as text; `None` without either.
pub fn prose(v: &GroupView<'_>) -> Option<Value> {
    let parts: Vec<String> = PROSE
        .iter()
        .filter_map(|key| {
            let text = v.annotation(key)?;
            let max = if *key == "summary" { 500 } else { 1500 };
            let mut label = key.to_string();
            label[..1].make_ascii_uppercase();
            Some(format!("*{label}:* {}", shown(text, max)))
        })
        .collect();
    (!parts.is_empty()).then(|| section(&parts.join("\n")))
}

/// Source, receiver, counts, and (for triage) the severity.
pub fn facts(v: &GroupView<'_>, with_severity: bool) -> Value {
    let resolved = v.alerts.len() - v.firing();
    let mut count = format!("{} firing", v.firing());
    if resolved > 0 {
        count.push_str(&format!(", {resolved} resolved"));
    }
    let mut fields = vec![
        field("Source", &v.source()),
        field("Receiver", &shown(&v.group.receiver, 200)),
        field("Alerts", &count),
    ];
    if with_severity {
        let sev = match &v.severity {
            Some((label, sev)) => format!("{} (declares as {sev})", shown(label, 100)),
            None => "not labelled".to_string(),
        };
        fields.push(field("Severity", &sev));
    }
    json!({"type": "section", "fields": fields})
}

/// One line per alert (the first [`MAX_ALERTS_SHOWN`]), packed into sections, then
/// how many more there are.
pub fn alert_lines(v: &GroupView<'_>) -> Vec<Value> {
    let common_summary = v.group.common_annotations.get("summary");
    let mut lines: Vec<String> = v
        .alerts
        .iter()
        .take(MAX_ALERTS_SHOWN)
        .map(|a| alert_line(a, &v.group.common_labels, common_summary))
        .collect();
    if v.alerts.len() > MAX_ALERTS_SHOWN {
        lines.push(format!(
            "_…and {} more ({} firing in all)_",
            v.alerts.len() - MAX_ALERTS_SHOWN,
            v.firing()
        ));
    }
    pack(&lines, MAX_SECTION_CHARS)
        .iter()
        .map(|s| section(s))
        .collect()
}

fn alert_line(a: &StoredAlert, common: &Pairs, common_summary: Option<&String>) -> String {
    let when = match (a.status, a.starts_at, a.ends_at) {
        (AlertStatus::Firing, Some(t), _) => format!("firing since {}", utc(t)),
        (AlertStatus::Resolved, _, Some(t)) => format!("resolved at {}", utc(t)),
        (status, _, _) => status.as_str().to_string(),
    };
    let icon = match a.status {
        AlertStatus::Firing => "🔴",
        AlertStatus::Resolved => "✅",
    };
    let mut line = format!("{icon} *{}* · {when}", shown(&a.alertname, 200));
    let links: Vec<String> = [
        (&a.generator_url, "Source"),
        (&a.dashboard_url, "Dashboard"),
        (&a.panel_url, "Panel"),
        (&a.silence_url, "Silence"),
    ]
    .into_iter()
    .filter_map(|(url, label)| link(url.as_deref()?, label))
    .collect();
    if !links.is_empty() {
        line.push_str(&format!(" · {}", links.join(" · ")));
    }
    let own: Vec<String> = a
        .labels
        .iter()
        .filter(|(k, v)| k.as_str() != "alertname" && common.get(*k) != Some(*v))
        .take(6)
        .map(|(k, v)| format!("{}={}", shown(k, 60), shown(v, 80)))
        .collect();
    if !own.is_empty() {
        line.push_str(&format!("\n      {}", own.join(", ")));
    }
    if let Some(summary) = a
        .annotations
        .get("summary")
        .filter(|s| !s.trim().is_empty())
        && Some(summary) != common_summary
    {
        line.push_str(&format!("\n      {}", shown(summary, 300)));
    }
    line
}

/// `key: value` lines under a title, for labels or the annotations not shown as
/// text; `None` when there are none.
pub fn pairs(title: &str, pairs: &Pairs, skip: &[&str]) -> Option<Value> {
    let shown_pairs: Vec<(&String, &String)> = pairs
        .iter()
        .filter(|(k, _)| !skip.contains(&k.as_str()))
        .collect();
    if shown_pairs.is_empty() {
        return None;
    }
    let mut text = format!("*{title}*");
    let mut listed = 0;
    for (k, v) in shown_pairs.iter().take(MAX_PAIRS_SHOWN) {
        let line = format!("{}: {}", shown(k, 80), shown(v, MAX_VALUE_CHARS));
        // Room is kept for the count of the rest.
        if text.chars().count() + 1 + line.chars().count() > MAX_SECTION_CHARS - 40 {
            break;
        }
        text.push('\n');
        text.push_str(&line);
        listed += 1;
    }
    if shown_pairs.len() > listed {
        text.push_str(&format!("\n_…and {} more_", shown_pairs.len() - listed));
    }
    Some(section(&text))
}

/// The labels and the annotations not shown as text.
pub fn labels_and_annotations(v: &GroupView<'_>) -> Vec<Value> {
    let mut skip = PROSE.to_vec();
    skip.push("runbook_url");
    [
        pairs("Labels", &v.group.common_labels, &[]),
        pairs("Annotations", &v.group.common_annotations, &skip),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The sender's own page (`externalURL`), when it is a web link.
pub fn external(v: &GroupView<'_>) -> Option<Value> {
    let url = v.group.external_url.as_deref()?;
    let label = format!("Open in {}", v.source());
    link(url, &label).map(|l| section(&format!("🔗 {l}")))
}

/// Lines joined into as few texts of at most `max` characters as they fit in; a
/// line longer than `max` alone is cut.
pub fn pack(lines: &[String], max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let line = truncate_escaped(line, max);
        match out.last_mut() {
            Some(last) if last.chars().count() + 1 + line.chars().count() <= max => {
                last.push('\n');
                last.push_str(&line);
            }
            _ => out.push(line),
        }
    }
    out
}
