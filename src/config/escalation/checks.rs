//! Validation: turns the file's shape into the model, collecting every problem with its
//! key path and line so the whole file can be fixed in one pass. How a single value is
//! judged (a duration, an id, a URL) is in [`super::values`].

use super::file::{FileConfig, FileLevel, FilePoc, FilePolicy, FileProviders, FileTeam};
use super::model::{
    DEFAULT_OPSGENIE_API_URL, DEFAULT_PAGERDUTY_EVENTS_URL, EscalationConfig, Level,
    OpsgenieTarget, PAGERDUTY_ROUTING_KEY_LEN, PagerDutyTarget, Poc, Policy, Providers, Target,
    Team, WebhookTarget,
};
use super::values::{
    MAX_ACK_TIMEOUT, at_most, env_secret, is_http_url, is_id, is_slack_user_id, parse_duration,
};
use crate::config::toml_errors::{At, Problem, list_or_none};
use crate::domain::Severity;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::Duration;
use toml::Spanned;

/// Builds the model from the file's shape, collecting every problem on the way.
pub(super) struct Checker<'a> {
    /// The file's text, to turn the spans of what is refused into lines.
    text: &'a str,
    env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) problems: Vec<Problem>,
}

/// Where an optional value is written, if it is.
fn span_of<T>(value: &Option<Spanned<T>>) -> Option<Range<usize>> {
    value.as_ref().map(Spanned::span)
}

impl<'a> Checker<'a> {
    pub(super) fn new(text: &'a str, env: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Checker {
            text,
            env,
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, at: &At, reason: impl Into<String>) {
        self.problems.push(at.problem(self.text, reason.into()));
    }

    /// Reads a secret from the environment variable named at `at`. Never echoes a value.
    fn secret(&mut self, at: &At, var: &str, what: &str) -> Option<String> {
        env_secret(self.env, var, what)
            .map_err(|reason| self.problem(at, reason))
            .ok()
    }

    /// The URL at `parent.key`, or `default` if it is not written.
    fn url(
        &mut self,
        parent: &At,
        key: &str,
        url: Option<Spanned<String>>,
        default: &str,
    ) -> String {
        let at = parent.key(key, span_of(&url));
        let url = url.map_or_else(|| default.to_string(), Spanned::into_inner);
        let url = url.trim().trim_end_matches('/').to_string();
        if !is_http_url(&url) {
            self.problem(&at, format!("must be an http(s) URL, got `{url}`"));
        }
        url
    }

    pub(super) fn build(&mut self, file: FileConfig) -> EscalationConfig {
        let root = At::default();
        let providers = self.providers(&root.key("providers", None), file.providers);
        let teams_at = root.key("teams", None);
        let teams: BTreeMap<String, Team> = file
            .teams
            .into_iter()
            .map(|(id, team)| {
                let at = teams_at.key(&id, Some(team.span()));
                let team = self.team(&id, &at, team.into_inner(), &providers);
                (id, team)
            })
            .collect();
        let team_ids: Vec<&str> = teams.keys().map(String::as_str).collect();
        let policies_at = root.key("policies", None);
        let policies: BTreeMap<String, Policy> = file
            .policies
            .into_iter()
            .map(|(id, policy)| {
                let at = policies_at.key(&id, Some(policy.span()));
                let policy = self.policy(&id, &at, policy.into_inner(), &team_ids);
                (id, policy)
            })
            .collect();
        let routing = root.key("routing", None);
        let severity_routes = self.severity_routes(
            &routing.key("severity", None),
            file.routing.severity,
            &policies,
        );
        let service_routes = self.service_routes(
            &routing.key("service", None),
            file.routing.service,
            &team_ids,
        );
        EscalationConfig {
            teams,
            policies,
            severity_routes,
            service_routes,
            providers,
        }
    }

    fn providers(&mut self, base: &At, file: FileProviders) -> Providers {
        let pagerduty_events_url = self.url(
            &base.key("pagerduty", None),
            "events_url",
            file.pagerduty.events_url,
            DEFAULT_PAGERDUTY_EVENTS_URL,
        );
        let opsgenie = base.key("opsgenie", None);
        let opsgenie_api_url = self.url(
            &opsgenie,
            "api_url",
            file.opsgenie.api_url,
            DEFAULT_OPSGENIE_API_URL,
        );
        let api_key_env = file.opsgenie.api_key_env;
        let opsgenie_api_key = api_key_env.as_ref().and_then(|var| {
            let at = opsgenie.key("api_key_env", Some(var.span()));
            self.secret(&at, var.get_ref(), "the Opsgenie API key")
        });
        Providers {
            pagerduty_events_url,
            opsgenie_api_url,
            opsgenie_api_key_env: api_key_env.map(Spanned::into_inner),
            opsgenie_api_key: opsgenie_api_key.map(SecretString::from),
        }
    }

    fn team(&mut self, id: &str, path: &At, file: FileTeam, providers: &Providers) -> Team {
        if !is_id(id) {
            self.problem(
                path,
                "is not a usable team id: use letters, digits, - and _ only",
            );
        }
        let name = match file.name {
            Some(name) if name.get_ref().trim().is_empty() => {
                self.problem(
                    &path.key("name", Some(name.span())),
                    "must not be empty (leave it out to use the id)",
                );
                id.to_string()
            }
            Some(name) => name.get_ref().trim().to_string(),
            None => id.to_string(),
        };
        let pocs_at = path.key("pocs", None);
        let pocs = file
            .pocs
            .into_iter()
            .enumerate()
            .map(|(i, poc)| self.poc(&pocs_at.index(i, None), poc))
            .collect::<Vec<_>>();

        // Judged on what is written: a pager whose env var is missing is reported as such.
        let wrote_pager = file.pagerduty_routing_key_env.is_some()
            || file.opsgenie_team.is_some()
            || file.webhook_url.is_some();
        let pagerduty = file.pagerduty_routing_key_env.and_then(|var| {
            let at = path.key("pagerduty_routing_key_env", Some(var.span()));
            let var = var.into_inner();
            let key = self.secret(&at, &var, "this team's PagerDuty routing key")?;
            let len = key.chars().count();
            if len != PAGERDUTY_ROUTING_KEY_LEN {
                self.problem(
                    &at,
                    format!(
                        "names environment variable {var}, which holds {len} characters; \
                         a PagerDuty Events v2 routing key has exactly {PAGERDUTY_ROUTING_KEY_LEN}"
                    ),
                );
                return None;
            }
            Some(PagerDutyTarget {
                routing_key_env: var,
                routing_key: key.into(),
            })
        });

        let opsgenie = file.opsgenie_team.and_then(|team| {
            let at = path.key("opsgenie_team", Some(team.span()));
            let team = team.get_ref().trim();
            if team.is_empty() {
                self.problem(&at, "must name an Opsgenie team");
                return None;
            }
            if providers.opsgenie_api_key_env.is_none() {
                self.problem(
                    &at,
                    "needs an Opsgenie API key: set providers.opsgenie.api_key_env to the \
                     name of the environment variable that holds it",
                );
            }
            Some(OpsgenieTarget {
                team: team.to_string(),
            })
        });

        let webhook = file.webhook_url.and_then(|url| {
            let at = path.key("webhook_url", Some(url.span()));
            let url = url.get_ref().trim().to_string();
            if is_http_url(&url) {
                Some(WebhookTarget { url })
            } else {
                self.problem(
                    &at,
                    format!("must be an http:// or https:// URL, got `{url}`"),
                );
                None
            }
        });

        if pocs.is_empty() && !wrote_pager {
            self.problem(
                path,
                "has no pocs and no pager (pagerduty_routing_key_env, opsgenie_team or \
                 webhook_url), so paging it would reach nobody",
            );
        }
        Team {
            id: id.to_string(),
            name,
            pocs,
            pagerduty,
            opsgenie,
            webhook,
        }
    }

    fn poc(&mut self, path: &At, file: FilePoc) -> Poc {
        let slack_user = file.slack.get_ref().trim().to_string();
        if !is_slack_user_id(&slack_user) {
            self.problem(
                &path.key("slack", Some(file.slack.span())),
                format!(
                    "must be a Slack user id like U06SREONCL (profile → ⋮ → Copy member ID), \
                     got `{slack_user}`"
                ),
            );
        }
        let email = file.email.map(|e| {
            let at = path.key("email", Some(e.span()));
            (at, e.get_ref().trim().to_string())
        });
        if let Some((at, email)) = &email
            && !email.contains('@')
        {
            self.problem(at, format!("must be an e-mail address, got `{email}`"));
        }
        Poc {
            slack_user,
            name: file
                .name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            email: email.map(|(_, email)| email),
        }
    }

    fn policy(&mut self, id: &str, path: &At, file: FilePolicy, team_ids: &[&str]) -> Policy {
        if !is_id(id) {
            self.problem(
                path,
                "is not a usable policy id: use letters, digits, - and _ only",
            );
        }
        let levels_at = path.key("levels", span_of(&file.levels));
        let levels = file.levels.map(Spanned::into_inner).unwrap_or_default();
        if levels.is_empty() {
            self.problem(
                &levels_at,
                "is empty: a policy needs at least one [[policies.<id>.levels]] entry",
            );
        }
        let levels = levels
            .into_iter()
            .enumerate()
            .map(|(i, level)| {
                let at = levels_at.index(i, Some(level.span()));
                self.level(&at, level.into_inner(), team_ids)
            })
            .collect();
        Policy {
            id: id.to_string(),
            levels,
            repeat_last: file.repeat_last,
        }
    }

    fn level(&mut self, path: &At, file: FileLevel, team_ids: &[&str]) -> Level {
        let targets_at = path.key("targets", span_of(&file.targets));
        let written = file.targets.map(Spanned::into_inner).unwrap_or_default();
        if written.is_empty() {
            self.problem(
                &targets_at,
                "is empty: a level must page at least one `team:<id>` or `user:<Slack id>`",
            );
        }
        let mut targets = Vec::new();
        for (i, raw) in written.iter().enumerate() {
            let at = targets_at.index(i, Some(raw.span()));
            match Target::parse(raw.get_ref()) {
                Ok(Target::Team(team)) if !team_ids.contains(&team.as_str()) => self.problem(
                    &at,
                    format!(
                        "names team `{team}`, which is not defined (known teams: {})",
                        list_or_none(team_ids.to_vec())
                    ),
                ),
                Ok(target) => targets.push(target),
                Err(e) => self.problem(&at, e.to_string()),
            }
        }
        let ack = &file.ack_timeout;
        let ack_timeout = parse_duration(ack.get_ref())
            .and_then(|d| at_most(d, MAX_ACK_TIMEOUT, ack.get_ref()))
            .unwrap_or_else(|e| {
                self.problem(&path.key("ack_timeout", Some(ack.span())), e.to_string());
                Duration::ZERO
            });
        Level {
            targets,
            ack_timeout,
        }
    }

    fn severity_routes(
        &mut self,
        path: &At,
        file: BTreeMap<String, Spanned<String>>,
        policies: &BTreeMap<String, Policy>,
    ) -> BTreeMap<u8, String> {
        let mut routes = BTreeMap::new();
        for (key, policy) in file {
            let at = path.key(&key, Some(policy.span()));
            let level = key
                .trim()
                .to_ascii_lowercase()
                .strip_prefix("sev")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| Severity::parse(n).ok())
                .map(Severity::level);
            let Some(level) = level else {
                self.problem(&at, "is not a severity: use sev1, sev2, sev3 or sev4");
                continue;
            };
            let policy = policy.get_ref().trim().to_string();
            if !policies.contains_key(&policy) {
                let known = policies.keys().map(String::as_str).collect();
                self.problem(
                    &at,
                    format!(
                        "routes to policy `{policy}`, which is not defined (known policies: {})",
                        list_or_none(known)
                    ),
                );
                continue;
            }
            if routes.insert(level, policy).is_some() {
                self.problem(&at, format!("routes SEV{level} a second time"));
            }
        }
        routes
    }

    fn service_routes(
        &mut self,
        path: &At,
        file: BTreeMap<String, Spanned<String>>,
        team_ids: &[&str],
    ) -> BTreeMap<String, String> {
        let mut routes = BTreeMap::new();
        for (service, team) in file {
            let at = path.key(&service, Some(team.span()));
            let service = service.trim().to_lowercase();
            if service.is_empty() {
                self.problem(&at, "must name a service");
                continue;
            }
            let team = team.get_ref().trim().to_string();
            if !team_ids.contains(&team.as_str()) {
                self.problem(
                    &at,
                    format!(
                        "routes to team `{team}`, which is not defined (known teams: {})",
                        list_or_none(team_ids.to_vec())
                    ),
                );
                continue;
            }
            if routes.insert(service.clone(), team).is_some() {
                self.problem(
                    &at,
                    format!("routes service `{service}` a second time (names ignore case)"),
                );
            }
        }
        routes
    }
}
