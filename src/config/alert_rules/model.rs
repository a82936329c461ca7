//! The alert rules as the rest of Warroom uses them: which sources may send and with
//! which token, which alerts declare an incident and what it looks like, and what
//! happens to the rest. Built only by the loader, so every value here is valid: each
//! regex compiled, each template compiled, each policy known to the escalation file.

use crate::domain::Severity;
use crate::domain::alert::{Alert, Pairs, Source};
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::time::Duration;

/// The flap window when the file does not set one.
pub const DEFAULT_FLAP_WINDOW: Duration = Duration::from_secs(15 * 60);

/// The longest flap window the file may set (a week); anything longer is a typo.
pub const MAX_FLAP_WINDOW: Duration = Duration::from_secs(7 * 24 * 3600);

#[derive(Debug, Clone)]
pub struct AlertRules {
    /// Sources that may send, with their tokens. A source left out is refused (404).
    pub sources: BTreeMap<&'static str, SourceAuth>,
    /// A resolved alert that fires again within this goes back into its incident,
    /// even after the incident was marked resolved.
    pub flap_window: Duration,
    /// Channel id where firing groups that match no rule are posted with a "Declare
    /// incident" button; `None` drops them with a log line.
    pub triage_channel: Option<String>,
    /// How an alert's severity is read when its rule does not fix one.
    pub severity: SeverityMapping,
    /// The label naming the affected service, when a rule does not name its own.
    pub service_label: String,
    /// `alertname` → runbook URL, for alerts without `annotations.runbook_url`.
    pub runbooks: BTreeMap<String, String>,
    /// In file order; the first rule that matches a firing alert declares.
    pub rules: Vec<Rule>,
}

/// A source's shared secret, read from the environment variable the file names.
#[derive(Debug, Clone)]
pub struct SourceAuth {
    /// The variable's name (safe to show).
    pub token_env: String,
    /// `Debug` shows `[REDACTED]`.
    pub token: SecretString,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityMapping {
    /// The label holding the alert's own severity, `severity` by default.
    pub label: String,
    /// Label value (lower-cased) → severity, e.g. `critical` → sev1.
    pub map: BTreeMap<String, Severity>,
    /// When the label is missing or its value unmapped.
    pub default: Severity,
}

/// One declaring rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Names the rule in logs, the timeline and errors.
    pub name: String,
    /// All must match (an empty list matches every alert).
    pub matchers: Vec<Matcher>,
    /// A fixed severity; `None` reads it through [`AlertRules::severity`].
    pub severity: Option<Severity>,
    /// The label naming the service; `None` uses [`AlertRules::service_label`].
    pub service_label: Option<String>,
    /// The title template (Jinja syntax over `labels`, `annotations`,
    /// `common_labels`, `group_labels`, `receiver`); `None` for the default:
    /// `annotations.summary`, then `alertname`.
    pub title: Option<TitleTemplate>,
    /// An escalation policy id from the escalation file; `None` routes by severity.
    pub policy: Option<String>,
    /// When every alert of the group has resolved, mark the incident resolved
    /// (never closed).
    pub auto_resolve: bool,
}

/// A compiled title template, kept with its source for rendering.
#[derive(Debug, Clone)]
pub struct TitleTemplate {
    pub source: String,
}

/// One label matcher, as Alertmanager writes them: `name = "v"`, `name != "v"`,
/// `name =~ "re"`, `name !~ "re"`. Regexes are anchored at both ends, and a missing
/// label matches as the empty string, both as in Alertmanager.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub label: String,
    pub op: MatchOp,
    pub value: String,
    /// Compiled, anchored: `^(?:value)$`. Set for the regex ops.
    pub regex: Option<regex::Regex>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOp {
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

impl Matcher {
    pub fn matches(&self, labels: &Pairs) -> bool {
        let value = labels.get(&self.label).map(String::as_str).unwrap_or("");
        let re = |v: &str| self.regex.as_ref().is_some_and(|r| r.is_match(v));
        match self.op {
            MatchOp::Equal => value == self.value,
            MatchOp::NotEqual => value != self.value,
            MatchOp::Regex => re(value),
            MatchOp::NotRegex => !re(value),
        }
    }
}

impl Rule {
    pub fn matches(&self, labels: &Pairs) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }
}

impl Default for AlertRules {
    fn default() -> Self {
        Self::empty()
    }
}

impl AlertRules {
    /// No sources, no rules: both routes answer 404.
    pub fn empty() -> Self {
        AlertRules {
            sources: BTreeMap::new(),
            flap_window: DEFAULT_FLAP_WINDOW,
            triage_channel: None,
            severity: SeverityMapping {
                label: "severity".into(),
                map: BTreeMap::new(),
                default: Severity::SEV3,
            },
            service_label: "service".into(),
            runbooks: BTreeMap::new(),
            rules: Vec::new(),
        }
    }

    /// The token `source` must present, when that source is configured.
    pub fn auth(&self, source: Source) -> Option<&SourceAuth> {
        self.sources.get(source.as_str())
    }

    /// The first rule, in file order, matching one of `alerts` (firing ones, as the
    /// caller passes them), with the alert it matched.
    pub fn first_match<'a>(&self, alerts: &[&'a Alert]) -> Option<(&Rule, &'a Alert)> {
        self.rules.iter().find_map(|rule| {
            alerts
                .iter()
                .find(|a| rule.matches(&a.labels))
                .map(|a| (rule, *a))
        })
    }

    /// The severity of an alert under `rule` (or none, for a declare from triage).
    pub fn severity_of(&self, rule: Option<&Rule>, labels: &Pairs) -> Severity {
        if let Some(fixed) = rule.and_then(|r| r.severity) {
            return fixed;
        }
        labels
            .get(&self.severity.label)
            .and_then(|v| self.severity.map.get(&v.trim().to_lowercase()))
            .copied()
            .unwrap_or(self.severity.default)
    }

    /// The affected service, from the rule's service label or the default one.
    pub fn service_of(&self, rule: Option<&Rule>, labels: &Pairs) -> Option<String> {
        let label = rule
            .and_then(|r| r.service_label.as_deref())
            .unwrap_or(&self.service_label);
        labels
            .get(label)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// The runbook for an alert: its `runbook_url` annotation, else the file's
    /// mapping for its `alertname`.
    pub fn runbook_for(&self, labels: &Pairs, annotations: &Pairs) -> Option<String> {
        annotations
            .get("runbook_url")
            .filter(|u| !u.trim().is_empty())
            .cloned()
            .or_else(|| {
                labels
                    .get("alertname")
                    .and_then(|n| self.runbooks.get(n))
                    .cloned()
            })
    }
}

/// What a title template can read.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TitleContext<'a> {
    /// The labels of the alert that matched.
    pub labels: &'a Pairs,
    pub annotations: &'a Pairs,
    pub common_labels: &'a Pairs,
    pub group_labels: &'a Pairs,
    pub receiver: &'a str,
}

impl TitleTemplate {
    /// Compiles `source`; the error says why, with the line inside the template.
    pub fn compile(source: &str) -> Result<Self, String> {
        let mut env = minijinja::Environment::new();
        env.add_template("title", source)
            .map_err(|e| describe_template_error(&e))?;
        Ok(TitleTemplate {
            source: source.to_string(),
        })
    }

    /// The rendered title on one line; `None` when rendering fails or comes out blank.
    pub fn render(&self, ctx: &TitleContext<'_>) -> Option<String> {
        let mut env = minijinja::Environment::new();
        env.add_template("title", &self.source).ok()?;
        let out = env
            .get_template("title")
            .ok()?
            .render(minijinja::Value::from(minijinja::value::Serde(ctx)))
            .ok()?;
        let line = out.split_whitespace().collect::<Vec<_>>().join(" ");
        (!line.is_empty()).then_some(line)
    }
}

fn describe_template_error(e: &minijinja::Error) -> String {
    match e.line() {
        Some(line) => format!(
            "{} (line {line} of the template)",
            e.detail().unwrap_or(&e.to_string())
        ),
        None => e
            .detail()
            .map(str::to_string)
            .unwrap_or_else(|| e.to_string()),
    }
}

impl AlertRules {
    /// The incident title: the rule's template, else `annotations.summary`, else
    /// `alertname`, else the receiver.
    pub fn title_of(&self, rule: Option<&Rule>, ctx: &TitleContext<'_>) -> String {
        rule.and_then(|r| r.title.as_ref())
            .and_then(|t| t.render(ctx))
            .or_else(|| {
                ["summary", "title"].iter().find_map(|k| {
                    ctx.annotations
                        .get(*k)
                        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|s| !s.is_empty())
                })
            })
            .or_else(|| {
                ctx.labels
                    .get("alertname")
                    .cloned()
                    .filter(|s| !s.trim().is_empty())
            })
            .unwrap_or_else(|| format!("Alert to {}", ctx.receiver))
    }
}
