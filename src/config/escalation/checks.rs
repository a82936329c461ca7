//! Validation: turns the file's shape into the model, collecting every problem with its
//! key path so the whole file can be fixed in one pass. How a single value is judged (a
//! duration, an id, a URL) is in [`super::values`].

use super::errors::KeyPath;
use super::file::{FileConfig, FileLevel, FilePoc, FilePolicy, FileProviders, FileTeam};
use super::model::{
    DEFAULT_OPSGENIE_API_URL, DEFAULT_PAGERDUTY_EVENTS_URL, EscalationConfig, Level,
    OpsgenieTarget, PAGERDUTY_ROUTING_KEY_LEN, PagerDutyTarget, Poc, Policy, Providers, Target,
    Team, WebhookTarget,
};
use super::values::{
    MAX_ACK_TIMEOUT, at_most, is_env_var_name, is_http_url, is_id, is_slack_user_id, parse_duration,
};
use crate::domain::Severity;
use secrecy::SecretString;
use std::collections::BTreeMap;
use std::time::Duration;

fn list_or_none(ids: Vec<&str>) -> String {
    if ids.is_empty() {
        "none are defined".to_string()
    } else {
        ids.join(", ")
    }
}

pub(super) struct Checker<'a> {
    pub(super) env: &'a dyn Fn(&str) -> Option<String>,
    pub(super) problems: Vec<(KeyPath, String)>,
}

impl Checker<'_> {
    fn problem(&mut self, path: KeyPath, reason: impl Into<String>) {
        self.problems.push((path, reason.into()));
    }

    /// Reads a secret from the environment variable named at `path`. Never echoes a value.
    fn secret(&mut self, path: KeyPath, var: &str, what: &str) -> Option<String> {
        if !is_env_var_name(var) {
            self.problem(
                path,
                format!(
                    "must be the name of an environment variable holding {what} \
                     (upper-case letters, digits and _), not the value itself; \
                     what is written there is not shown in case it is a secret"
                ),
            );
            return None;
        }
        let value = (self.env)(var)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if value.is_none() {
            self.problem(
                path,
                format!(
                    "names environment variable {var}, which is not set (it should hold {what})"
                ),
            );
        }
        value
    }

    fn url(&mut self, path: KeyPath, url: Option<String>, default: &str) -> String {
        let url = url.unwrap_or_else(|| default.to_string());
        let url = url.trim().trim_end_matches('/').to_string();
        if !is_http_url(&url) {
            self.problem(path, format!("must be an http(s) URL, got `{url}`"));
        }
        url
    }

    pub(super) fn build(&mut self, file: FileConfig) -> EscalationConfig {
        let providers = self.providers(file.providers);
        let teams: BTreeMap<String, Team> = file
            .teams
            .into_iter()
            .map(|(id, team)| {
                let team = self.team(&id, team, &providers);
                (id, team)
            })
            .collect();
        let team_ids: Vec<&str> = teams.keys().map(String::as_str).collect();
        let policies: BTreeMap<String, Policy> = file
            .policies
            .into_iter()
            .map(|(id, policy)| {
                let policy = self.policy(&id, policy, &team_ids);
                (id, policy)
            })
            .collect();
        let severity_routes = self.severity_routes(file.routing.severity, &policies);
        let service_routes = self.service_routes(file.routing.service, &team_ids);
        EscalationConfig {
            teams,
            policies,
            severity_routes,
            service_routes,
            providers,
        }
    }

    fn providers(&mut self, file: FileProviders) -> Providers {
        let base = KeyPath::default().key("providers");
        let pagerduty_events_url = self.url(
            base.key("pagerduty").key("events_url"),
            file.pagerduty.events_url,
            DEFAULT_PAGERDUTY_EVENTS_URL,
        );
        let opsgenie = base.key("opsgenie");
        let opsgenie_api_url = self.url(
            opsgenie.key("api_url"),
            file.opsgenie.api_url,
            DEFAULT_OPSGENIE_API_URL,
        );
        let opsgenie_api_key =
            file.opsgenie.api_key_env.as_deref().and_then(|var| {
                self.secret(opsgenie.key("api_key_env"), var, "the Opsgenie API key")
            });
        Providers {
            pagerduty_events_url,
            opsgenie_api_url,
            opsgenie_api_key_env: file.opsgenie.api_key_env,
            opsgenie_api_key: opsgenie_api_key.map(SecretString::from),
        }
    }

    fn team(&mut self, id: &str, file: FileTeam, providers: &Providers) -> Team {
        let path = KeyPath::default().key("teams").key(id);
        if !is_id(id) {
            self.problem(
                path.clone(),
                "is not a usable team id: use letters, digits, - and _ only",
            );
        }
        let name = match file.name {
            Some(name) if name.trim().is_empty() => {
                self.problem(
                    path.key("name"),
                    "must not be empty (leave it out to use the id)",
                );
                id.to_string()
            }
            Some(name) => name.trim().to_string(),
            None => id.to_string(),
        };
        let pocs = file
            .pocs
            .into_iter()
            .enumerate()
            .map(|(i, poc)| self.poc(path.key("pocs").index(i), poc))
            .collect::<Vec<_>>();

        // Judged on what is written: a pager whose env var is missing is reported as such.
        let wrote_pager = file.pagerduty_routing_key_env.is_some()
            || file.opsgenie_team.is_some()
            || file.webhook_url.is_some();
        let pagerduty = file.pagerduty_routing_key_env.and_then(|var| {
            let at = path.key("pagerduty_routing_key_env");
            let key = self.secret(at.clone(), &var, "this team's PagerDuty routing key")?;
            let len = key.chars().count();
            if len != PAGERDUTY_ROUTING_KEY_LEN {
                self.problem(
                    at,
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
            let at = path.key("opsgenie_team");
            if team.trim().is_empty() {
                self.problem(at, "must name an Opsgenie team");
                return None;
            }
            if providers.opsgenie_api_key_env.is_none() {
                self.problem(
                    at,
                    "needs an Opsgenie API key: set providers.opsgenie.api_key_env to the \
                     name of the environment variable that holds it",
                );
            }
            Some(OpsgenieTarget {
                team: team.trim().to_string(),
            })
        });

        let webhook = file.webhook_url.and_then(|url| {
            let url = url.trim().to_string();
            if is_http_url(&url) {
                Some(WebhookTarget { url })
            } else {
                self.problem(
                    path.key("webhook_url"),
                    format!("must be an http:// or https:// URL, got `{url}`"),
                );
                None
            }
        });

        if pocs.is_empty() && !wrote_pager {
            self.problem(
                path.clone(),
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

    fn poc(&mut self, path: KeyPath, file: FilePoc) -> Poc {
        let slack_user = file.slack.trim().to_string();
        if !is_slack_user_id(&slack_user) {
            self.problem(
                path.key("slack"),
                format!(
                    "must be a Slack user id like U06SREONCL (profile → ⋮ → Copy member ID), \
                     got `{slack_user}`"
                ),
            );
        }
        let email = file.email.map(|e| e.trim().to_string());
        if let Some(email) = &email
            && !email.contains('@')
        {
            self.problem(
                path.key("email"),
                format!("must be an e-mail address, got `{email}`"),
            );
        }
        Poc {
            slack_user,
            name: file
                .name
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            email,
        }
    }

    fn policy(&mut self, id: &str, file: FilePolicy, team_ids: &[&str]) -> Policy {
        let path = KeyPath::default().key("policies").key(id);
        if !is_id(id) {
            self.problem(
                path.clone(),
                "is not a usable policy id: use letters, digits, - and _ only",
            );
        }
        if file.levels.is_empty() {
            self.problem(
                path.key("levels"),
                "is empty: a policy needs at least one [[policies.<id>.levels]] entry",
            );
        }
        let levels = file
            .levels
            .into_iter()
            .enumerate()
            .map(|(i, level)| self.level(path.key("levels").index(i), level, team_ids))
            .collect();
        Policy {
            id: id.to_string(),
            levels,
            repeat_last: file.repeat_last,
        }
    }

    fn level(&mut self, path: KeyPath, file: FileLevel, team_ids: &[&str]) -> Level {
        if file.targets.is_empty() {
            self.problem(
                path.key("targets"),
                "is empty: a level must page at least one `team:<id>` or `user:<Slack id>`",
            );
        }
        let mut targets = Vec::new();
        for (i, raw) in file.targets.iter().enumerate() {
            let at = path.key("targets").index(i);
            match Target::parse(raw) {
                Ok(Target::Team(team)) if !team_ids.contains(&team.as_str()) => self.problem(
                    at,
                    format!(
                        "names team `{team}`, which is not defined (known teams: {})",
                        list_or_none(team_ids.to_vec())
                    ),
                ),
                Ok(target) => targets.push(target),
                Err(e) => self.problem(at, e.to_string()),
            }
        }
        let ack_timeout = parse_duration(&file.ack_timeout)
            .and_then(|d| at_most(d, MAX_ACK_TIMEOUT, &file.ack_timeout))
            .unwrap_or_else(|e| {
                self.problem(path.key("ack_timeout"), e.to_string());
                Duration::ZERO
            });
        Level {
            targets,
            ack_timeout,
        }
    }

    fn severity_routes(
        &mut self,
        file: BTreeMap<String, String>,
        policies: &BTreeMap<String, Policy>,
    ) -> BTreeMap<u8, String> {
        let path = KeyPath::default().key("routing").key("severity");
        let mut routes = BTreeMap::new();
        for (key, policy) in file {
            let at = path.key(&key);
            let level = key
                .trim()
                .to_ascii_lowercase()
                .strip_prefix("sev")
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|n| Severity::parse(n).ok())
                .map(Severity::level);
            let Some(level) = level else {
                self.problem(at, "is not a severity: use sev1, sev2, sev3 or sev4");
                continue;
            };
            let policy = policy.trim().to_string();
            if !policies.contains_key(&policy) {
                let known = policies.keys().map(String::as_str).collect();
                self.problem(
                    at,
                    format!(
                        "routes to policy `{policy}`, which is not defined (known policies: {})",
                        list_or_none(known)
                    ),
                );
                continue;
            }
            if routes.insert(level, policy).is_some() {
                self.problem(at, format!("routes SEV{level} a second time"));
            }
        }
        routes
    }

    fn service_routes(
        &mut self,
        file: BTreeMap<String, String>,
        team_ids: &[&str],
    ) -> BTreeMap<String, String> {
        let path = KeyPath::default().key("routing").key("service");
        let mut routes = BTreeMap::new();
        for (service, team) in file {
            let at = path.key(&service);
            let service = service.trim().to_lowercase();
            if service.is_empty() {
                self.problem(at, "must name a service");
                continue;
            }
            let team = team.trim().to_string();
            if !team_ids.contains(&team.as_str()) {
                self.problem(
                    at,
                    format!(
                        "routes to team `{team}`, which is not defined (known teams: {})",
                        list_or_none(team_ids.to_vec())
                    ),
                );
                continue;
            }
            if routes.insert(service.clone(), team).is_some() {
                self.problem(
                    at,
                    format!("routes service `{service}` a second time (names ignore case)"),
                );
            }
        }
        routes
    }
}
