//! Validation: turns the file's shape into the model, collecting every problem with its
//! key path and line so the whole file can be fixed in one pass. Durations, URLs and
//! secrets are judged as in the escalation file; matchers by [`super::matcher`].

use super::file::{FileRule, FileRules, FileSeverity, FileSource};
use super::matcher::{LABEL_NAME_FORM, is_label_name};
use super::model::{
    AlertRules, DEFAULT_FLAP_WINDOW, MAX_FLAP_WINDOW, Matcher, Rule, SeverityMapping, SourceAuth,
    TitleTemplate,
};
use crate::config::escalation::{
    EscalationConfig, at_most, env_secret, is_http_url, parse_duration,
};
use crate::config::load::is_channel_id;
use crate::config::toml_errors::{At, Problem, list_or_none};
use crate::domain::Severity;
use crate::domain::alert::Source;
use std::collections::BTreeMap;
use toml::Spanned;

/// Builds the model from the file's shape, collecting every problem on the way.
pub(super) struct Checker<'a> {
    /// The file's text, to turn the spans of what is refused into lines.
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    /// Policies a rule may name.
    escalation: &'a EscalationConfig,
    pub(super) problems: Vec<Problem>,
}

impl<'a> Checker<'a> {
    pub(super) fn new(
        text: &'a str,
        env: &'a dyn Fn(&str) -> Option<String>,
        escalation: &'a EscalationConfig,
    ) -> Self {
        Checker {
            text,
            env,
            escalation,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, at: &At, reason: impl Into<String>) {
        self.problems.push(at.problem(self.text, reason.into()));
    }

    pub(super) fn build(&mut self, file: FileRules) -> AlertRules {
        let root = At::default();
        let defaults = AlertRules::empty();
        let flap_window = file.flap_window.map_or(DEFAULT_FLAP_WINDOW, |written| {
            let at = root.key("flap_window", Some(written.span()));
            parse_duration(written.get_ref())
                .and_then(|d| at_most(d, MAX_FLAP_WINDOW, written.get_ref()))
                .unwrap_or_else(|e| {
                    self.problem(&at, e.to_string());
                    DEFAULT_FLAP_WINDOW
                })
        });
        let triage_channel = file.triage_channel.and_then(|written| {
            let at = root.key("triage_channel", Some(written.span()));
            let channel = written.get_ref().trim();
            if !channel.is_empty() && !is_channel_id(channel) {
                self.problem(
                    &at,
                    format!(
                        "must be a channel id like C0123ABCD (public) or G0123ABCD (private), \
                         got `{channel}`"
                    ),
                );
            }
            (!channel.is_empty()).then(|| channel.to_string())
        });
        let service_label = self
            .label_name(&root, "service_label", file.service_label)
            .unwrap_or(defaults.service_label);
        AlertRules {
            sources: self.sources(&root.key("sources", None), file.sources),
            flap_window,
            triage_channel,
            severity: self.severity(&root.key("severity", None), file.severity),
            service_label,
            runbooks: self.runbooks(&root.key("runbooks", None), file.runbooks),
            rules: self.rules(&root.key("rules", None), file.rules),
        }
    }

    /// The label name at `parent.key`, if it is written (and valid).
    fn label_name(
        &mut self,
        parent: &At,
        key: &str,
        written: Option<Spanned<String>>,
    ) -> Option<String> {
        let written = written?;
        let name = written.get_ref().trim();
        if is_label_name(name) {
            return Some(name.to_string());
        }
        self.problem(
            &parent.key(key, Some(written.span())),
            format!("must be a label name ({LABEL_NAME_FORM}), got `{name}`"),
        );
        None
    }

    fn sources(
        &mut self,
        path: &At,
        file: BTreeMap<String, Spanned<FileSource>>,
    ) -> BTreeMap<&'static str, SourceAuth> {
        let mut sources = BTreeMap::new();
        for (name, source) in file {
            let at = path.key(&name, Some(source.span()));
            let Some(known) = Source::from_name(&name) else {
                let names = Source::ALL.map(Source::as_str);
                self.problem(
                    &at,
                    format!("is not a source Warroom takes (use {})", names.join(" or ")),
                );
                continue;
            };
            let var = source.into_inner().token_env;
            let at = at.key("token_env", Some(var.span()));
            let what = format!("the token {} sends", known.title());
            match env_secret(self.env, var.get_ref(), &what) {
                Ok(token) => {
                    let auth = SourceAuth {
                        token_env: var.into_inner(),
                        token: token.into(),
                    };
                    sources.insert(known.as_str(), auth);
                }
                Err(reason) => self.problem(&at, reason),
            }
        }
        sources
    }

    fn severity_value(&mut self, at: &At, written: &str) -> Option<Severity> {
        Severity::parse(written)
            .map_err(|e| self.problem(at, e.to_string()))
            .ok()
    }

    fn severity(&mut self, path: &At, file: FileSeverity) -> SeverityMapping {
        let defaults = AlertRules::empty().severity;
        let label = self
            .label_name(path, "label", file.label)
            .unwrap_or(defaults.label);
        let default = file
            .default
            .and_then(|d| self.severity_value(&path.key("default", Some(d.span())), d.get_ref()))
            .unwrap_or(defaults.default);
        let map_at = path.key("map", None);
        let mut map = BTreeMap::new();
        // In file order, so a value mapped twice is reported where it is written again.
        let mut written: Vec<_> = file.map.into_iter().collect();
        written.sort_by_key(|(_, severity)| severity.span().start);
        for (value, severity) in written {
            let at = map_at.key(&value, Some(severity.span()));
            let value = value.trim().to_lowercase();
            if value.is_empty() {
                self.problem(&at, "must be a label value");
                continue;
            }
            let Some(severity) = self.severity_value(&at, severity.get_ref()) else {
                continue;
            };
            if map.insert(value.clone(), severity).is_some() {
                self.problem(
                    &at,
                    format!("maps `{value}` a second time (label values ignore case)"),
                );
            }
        }
        SeverityMapping {
            label,
            map,
            default,
        }
    }

    fn runbooks(
        &mut self,
        path: &At,
        file: BTreeMap<String, Spanned<String>>,
    ) -> BTreeMap<String, String> {
        let mut runbooks = BTreeMap::new();
        for (alertname, url) in file {
            let at = path.key(&alertname, Some(url.span()));
            let url = url.get_ref().trim();
            if alertname.trim().is_empty() {
                self.problem(&at, "must be an alertname");
            } else if !is_http_url(url) {
                self.problem(&at, format!("must be an http(s) URL, got `{url}`"));
            } else {
                runbooks.insert(alertname, url.to_string());
            }
        }
        runbooks
    }

    fn rules(&mut self, path: &At, file: Vec<Spanned<FileRule>>) -> Vec<Rule> {
        // Each name, with the line it is first written on.
        let mut seen: BTreeMap<String, Option<usize>> = BTreeMap::new();
        let mut rules = Vec::new();
        for (i, rule) in file.into_iter().enumerate() {
            let at = path.index(i, Some(rule.span()));
            let name_at = at.key("name", rule.get_ref().name.as_ref().map(Spanned::span));
            let rule = self.rule(&at, rule.into_inner());
            if !rule.name.is_empty() {
                match seen.get(&rule.name) {
                    Some(first) => {
                        let first =
                            first.map_or(String::new(), |l| format!(" (first on line {l})"));
                        let reason = format!("names rule `{}` a second time{first}", rule.name);
                        self.problem(&name_at, reason);
                    }
                    None => {
                        seen.insert(rule.name.clone(), name_at.line(self.text));
                    }
                }
            }
            rules.push(rule);
        }
        rules
    }

    fn rule(&mut self, path: &At, file: FileRule) -> Rule {
        let name = match &file.name {
            Some(name) if !name.get_ref().trim().is_empty() => name.get_ref().trim().to_string(),
            Some(name) => {
                self.problem(&path.key("name", Some(name.span())), "must not be empty");
                String::new()
            }
            None => {
                self.problem(
                    &path.key("name", None),
                    "is missing: every rule needs a name",
                );
                String::new()
            }
        };
        let match_at = path.key("match", file.matchers.as_ref().map(Spanned::span));
        let matchers = file
            .matchers
            .map(Spanned::into_inner)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .filter_map(|(i, written)| {
                Matcher::parse(written.get_ref())
                    .map_err(|reason| {
                        self.problem(&match_at.index(i, Some(written.span())), reason)
                    })
                    .ok()
            })
            .collect();
        let severity = file
            .severity
            .and_then(|s| self.severity_value(&path.key("severity", Some(s.span())), s.get_ref()));
        let service_label = self.label_name(path, "service_label", file.service_label);
        let title = file.title.and_then(|t| {
            let at = path.key("title", Some(t.span()));
            if t.get_ref().trim().is_empty() {
                self.problem(
                    &at,
                    "must not be empty (leave it out for the default title)",
                );
                return None;
            }
            TitleTemplate::compile(t.get_ref())
                .map_err(|why| self.problem(&at, format!("is not a valid template: {why}")))
                .ok()
        });
        let policy = file.policy.and_then(|p| {
            let at = path.key("policy", Some(p.span()));
            let policy = p.get_ref().trim();
            if self.escalation.policies.contains_key(policy) {
                return Some(policy.to_string());
            }
            let known = self
                .escalation
                .policies
                .keys()
                .map(String::as_str)
                .collect();
            self.problem(
                &at,
                format!(
                    "names policy `{policy}`, which the escalation file does not define \
                     (known policies: {})",
                    list_or_none(known)
                ),
            );
            None
        });
        Rule {
            name,
            matchers,
            severity,
            service_label,
            title,
            policy,
            auto_resolve: file.auto_resolve,
        }
    }
}
