//! Who to call: teams, escalation policies and routing, loaded from
//! `config/escalation.toml` (see the commented example shipped there).
//!
//! Pure: no network, no clock, no process environment. Secrets (PagerDuty routing keys,
//! the Opsgenie API key) never sit in the file; the file names an environment variable and
//! the caller passes an `env` lookup, so tests can inject one.
//!
//! Loading is strict: a TOML syntax error or an unknown key stops at the first problem (the
//! parser cannot go on); every other problem in the file is collected and reported at once,
//! each with the file, line, key path and reason, so the file can be fixed in one pass.

use crate::domain::Severity;
use secrecy::SecretString;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// PagerDuty Events API v2 base URL used when the file does not set one.
pub const DEFAULT_PAGERDUTY_EVENTS_URL: &str = "https://events.pagerduty.com";

/// Opsgenie API base URL used when the file does not set one.
pub const DEFAULT_OPSGENIE_API_URL: &str = "https://api.opsgenie.com";

/// A PagerDuty Events v2 routing (integration) key is exactly this many characters.
pub const PAGERDUTY_ROUTING_KEY_LEN: usize = 32;

/// The whole escalation setup: who the teams are, how each policy escalates, and which
/// policy a severity uses and which team owns a service.
#[derive(Debug, Clone)]
pub struct EscalationConfig {
    /// Teams by id (the TOML key, e.g. `sre`).
    pub teams: BTreeMap<String, Team>,
    /// Escalation policies by id (the TOML key, e.g. `app-down`).
    pub policies: BTreeMap<String, Policy>,
    /// Severity level (1..=4) → policy id. A severity without a route pages nobody.
    pub severity_routes: BTreeMap<u8, String>,
    /// Affected service (lower-cased) → id of the team that owns it.
    pub service_routes: BTreeMap<String, String>,
    /// Pager provider endpoints and account-wide credentials.
    pub providers: Providers,
}

/// A group of people paged together.
#[derive(Debug, Clone)]
pub struct Team {
    /// The TOML key, e.g. `sre`.
    pub id: String,
    /// Human name shown in Slack, e.g. "SRE on call". Defaults to the id.
    pub name: String,
    /// People to invite to the war room and mention in Slack.
    pub pocs: Vec<Poc>,
    /// Page this team through a PagerDuty service.
    pub pagerduty: Option<PagerDutyTarget>,
    /// Page this team through an Opsgenie team.
    pub opsgenie: Option<OpsgenieTarget>,
    /// POST the page as JSON to this URL.
    pub webhook: Option<WebhookTarget>,
}

/// A point of contact: a Slack user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Poc {
    /// Slack user id, e.g. `U06SREONCL`.
    pub slack_user: String,
    /// Display name, for messages and the postmortem.
    pub name: Option<String>,
    /// E-mail address, for humans reading the config.
    pub email: Option<String>,
}

/// A PagerDuty service to trigger via the Events API v2.
#[derive(Debug, Clone)]
pub struct PagerDutyTarget {
    /// The environment variable the routing key was read from (safe to show).
    pub routing_key_env: String,
    /// The routing key itself. `Debug` shows `[REDACTED]`.
    pub routing_key: SecretString,
}

/// An Opsgenie team, sent as responder `{ "name": team, "type": "team" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsgenieTarget {
    /// The Opsgenie team name.
    pub team: String,
}

/// A generic HTTP(S) webhook receiving the page as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookTarget {
    /// `http://` or `https://` URL.
    pub url: String,
}

/// Provider endpoints and account-wide credentials.
#[derive(Debug, Clone)]
pub struct Providers {
    /// PagerDuty Events API base URL, without a trailing `/`.
    pub pagerduty_events_url: String,
    /// Opsgenie API base URL, without a trailing `/`.
    pub opsgenie_api_url: String,
    /// The environment variable the Opsgenie API key was read from.
    pub opsgenie_api_key_env: Option<String>,
    /// The Opsgenie API key. `Debug` shows `[REDACTED]`.
    pub opsgenie_api_key: Option<SecretString>,
}

impl Default for Providers {
    fn default() -> Self {
        Providers {
            pagerduty_events_url: DEFAULT_PAGERDUTY_EVENTS_URL.to_string(),
            opsgenie_api_url: DEFAULT_OPSGENIE_API_URL.to_string(),
            opsgenie_api_key_env: None,
            opsgenie_api_key: None,
        }
    }
}

/// An escalation policy: page level one, wait for an ack, then page the next level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The TOML key, e.g. `app-down`.
    pub id: String,
    /// Levels in order; never empty once loaded.
    pub levels: Vec<Level>,
    /// After the last level times out, page the last level this many more times.
    pub repeat_last: u32,
}

/// One step of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// Who gets paged at this step; never empty once loaded.
    pub targets: Vec<Target>,
    /// How long to wait for an acknowledgement before escalating.
    pub ack_timeout: Duration,
}

/// Who a level pages. Written `team:sre` or `user:U06SREONCL` in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// A team id from `[teams]`.
    Team(String),
    /// A Slack user id.
    User(String),
}

/// A target that is not `team:<id>` or `user:<Slack user id>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be `team:<team id>` or `user:<Slack user id like U06SREONCL>`, got `{0}`")]
pub struct BadTarget(pub String);

/// A duration that is not like `90s`, `5m`, `1h` or `1h30m`, or is zero.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}, got `{input}`")]
pub struct BadDuration {
    /// What was written.
    pub input: String,
    /// Why it was refused.
    pub reason: &'static str,
}

/// Why the escalation config could not be loaded. Never contains a secret.
#[derive(Debug, thiserror::Error)]
pub enum EscalationConfigError {
    /// The file could not be read.
    #[error("cannot read escalation config {}: {source}", file.display())]
    Unreadable {
        file: PathBuf,
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type. Only the first one.
    #[error("{}, line {line}, column {column}: `{key}`: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        column: usize,
        /// Key path nearest the error, e.g. `teams.sre.pocs[0]`.
        key: String,
        message: String,
    },
    /// Well-formed TOML that does not make a usable escalation setup. All problems found.
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}

/// One thing wrong with the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `policies.app-down.levels[1].targets[0]`.
    pub key: String,
    /// 1-based line where that key (or its nearest written parent) is.
    pub line: Option<usize>,
    /// What is wrong, phrased to follow the key.
    pub reason: String,
}

fn render_problems(file: &Path, problems: &[Problem]) -> String {
    let one = |p: &Problem| match p.line {
        Some(line) => format!("line {line}: `{}` {}", p.key, p.reason),
        None => format!("`{}` {}", p.key, p.reason),
    };
    match problems {
        [p] => format!("{}, {}", file.display(), one(p)),
        _ => {
            let mut out = format!("{} has {} problems:", file.display(), problems.len());
            for p in problems {
                out.push_str("\n  ");
                out.push_str(&one(p));
            }
            out
        }
    }
}

impl EscalationConfig {
    /// No teams, no policies: paging is disabled.
    pub fn empty() -> Self {
        EscalationConfig {
            teams: BTreeMap::new(),
            policies: BTreeMap::new(),
            severity_routes: BTreeMap::new(),
            service_routes: BTreeMap::new(),
            providers: Providers::default(),
        }
    }

    /// Reads and validates `path`; secrets are looked up with `env` (pass
    /// `&|k| std::env::var(k).ok()` in production). A missing file is an error: callers
    /// that make paging optional should check for the file and fall back to [`Self::empty`].
    pub fn load(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EscalationConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| EscalationConfigError::Unreadable {
                file: path.to_path_buf(),
                source,
            })?;
        Self::parse(&text, path, env)
    }

    /// Parses and validates `text`; `origin` is only used to name the file in errors.
    pub fn parse(
        text: &str,
        origin: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EscalationConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| syntax_error(text, origin, &e))?;
        let mut check = Checker {
            env,
            problems: Vec::new(),
        };
        let config = check.build(file);
        if check.problems.is_empty() {
            return Ok(config);
        }
        let doc = DeTable::parse(text).ok();
        let problems = check
            .problems
            .into_iter()
            .map(|(path, reason)| Problem {
                line: doc.as_ref().and_then(|d| line_of_path(text, d, &path)),
                key: path.to_string(),
                reason,
            })
            .collect();
        Err(EscalationConfigError::Invalid {
            file: origin.to_path_buf(),
            problems,
        })
    }

    /// The policy routed for a severity level (1 = SEV1), if any.
    pub fn policy_for(&self, severity_level: u8) -> Option<&Policy> {
        let id = self.severity_routes.get(&severity_level)?;
        self.policies.get(id)
    }

    /// The team owning a service; the match ignores case and surrounding spaces.
    pub fn team_for_service(&self, service: &str) -> Option<&Team> {
        let id = self.service_routes.get(&service.trim().to_lowercase())?;
        self.teams.get(id)
    }

    /// A team by id.
    pub fn team(&self, id: &str) -> Option<&Team> {
        self.teams.get(id)
    }

    /// All team ids, sorted.
    pub fn known_team_ids(&self) -> Vec<&str> {
        self.teams.keys().map(String::as_str).collect()
    }
}

impl Policy {
    /// The level to page at step `index` (0 = level one). Past the last level, the last
    /// level repeats `repeat_last` more times; after that, `None`: escalation is over.
    pub fn level(&self, index: usize) -> Option<&Level> {
        if index < self.total_levels() {
            self.levels.get(index).or(self.levels.last())
        } else {
            None
        }
    }

    /// How many steps the policy pages in all, repeats included.
    pub fn total_levels(&self) -> usize {
        if self.levels.is_empty() {
            return 0;
        }
        self.levels.len().saturating_add(self.repeat_last as usize)
    }
}

impl Target {
    /// Parses `team:<id>` or `user:<Slack user id>`. Team existence is checked on load.
    pub fn parse(input: &str) -> Result<Self, BadTarget> {
        let bad = || BadTarget(input.to_string());
        let (kind, id) = input.trim().split_once(':').ok_or_else(bad)?;
        let id = id.trim();
        match kind.trim() {
            "team" if is_id(id) => Ok(Target::Team(id.to_string())),
            "user" if is_slack_user_id(id) => Ok(Target::User(id.to_string())),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Team(id) => write!(f, "team:{id}"),
            Target::User(id) => write!(f, "user:{id}"),
        }
    }
}

/// Parses `90s`, `5m`, `1h`, `1h30m`, `1h30m15s`: whole numbers with units h, m, s, each
/// at most once and in that order. Zero, negative, unit-less and other input is refused.
pub fn parse_duration(input: &str) -> Result<Duration, BadDuration> {
    let bad = |reason| BadDuration {
        input: input.to_string(),
        reason,
    };
    const SHAPE: &str = "must be a duration like 90s, 5m, 1h or 1h30m";
    let text = input.trim();
    if text.starts_with('-') {
        return Err(bad("must not be negative"));
    }
    if text.is_empty() {
        return Err(bad(SHAPE));
    }
    let (mut rest, mut total, mut last_unit_secs) = (text, 0u64, u64::MAX);
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (number, after) = rest.split_at(digits);
        let number: u64 = number.parse().map_err(|_| bad(SHAPE))?;
        let unit_secs = match after.chars().next() {
            Some('h') => 3600,
            Some('m') => 60,
            Some('s') => 1,
            None => return Err(bad("needs a unit (h, m or s)")),
            Some(_) => return Err(bad(SHAPE)),
        };
        if unit_secs >= last_unit_secs {
            return Err(bad("must give h, m, s in that order, each at most once"));
        }
        last_unit_secs = unit_secs;
        total = number
            .checked_mul(unit_secs)
            .and_then(|secs| total.checked_add(secs))
            .ok_or_else(|| bad("is too long"))?;
        rest = &after[1..];
    }
    if total == 0 {
        return Err(bad("must be longer than zero"));
    }
    Ok(Duration::from_secs(total))
}

/// The longest wait for an acknowledgement. Anything longer is a typo, and a deadline
/// must stay a time the escalator can compute.
pub const MAX_ACK_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);

fn at_most(d: Duration, max: Duration, input: &str) -> Result<Duration, BadDuration> {
    if d <= max {
        return Ok(d);
    }
    Err(BadDuration {
        input: input.to_string(),
        reason: "must be at most 168h (7 days)",
    })
}

/// A Slack user id such as `U06SREONCL`.
fn is_slack_user_id(id: &str) -> bool {
    crate::domain::is_slack_id(id, crate::domain::IdKind::User)
}

/// Team and policy ids: letters, digits, `-` and `_`, so they need no quoting anywhere.
fn is_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `^[A-Z_][A-Z0-9_]*$`. Anything else may be a pasted secret, so it is never echoed.
fn is_env_var_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn is_http_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    }) && !url.contains(char::is_whitespace)
}

fn list_or_none(ids: Vec<&str>) -> String {
    if ids.is_empty() {
        "none are defined".to_string()
    } else {
        ids.join(", ")
    }
}

// ---------------------------------------------------------------------------------------
// The file's shape. Unknown keys are refused so a typo cannot silently page nobody.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    #[serde(default)]
    providers: FileProviders,
    #[serde(default)]
    teams: BTreeMap<String, FileTeam>,
    #[serde(default)]
    policies: BTreeMap<String, FilePolicy>,
    #[serde(default)]
    routing: FileRouting,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileProviders {
    #[serde(default)]
    pagerduty: FilePagerDuty,
    #[serde(default)]
    opsgenie: FileOpsgenie,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePagerDuty {
    events_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOpsgenie {
    api_url: Option<String>,
    api_key_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTeam {
    name: Option<String>,
    #[serde(default)]
    pocs: Vec<FilePoc>,
    pagerduty_routing_key_env: Option<String>,
    opsgenie_team: Option<String>,
    webhook_url: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePoc {
    slack: String,
    name: Option<String>,
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePolicy {
    #[serde(default)]
    levels: Vec<FileLevel>,
    #[serde(default)]
    repeat_last: u32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileLevel {
    #[serde(default)]
    targets: Vec<String>,
    ack_timeout: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRouting {
    #[serde(default)]
    severity: BTreeMap<String, String>,
    #[serde(default)]
    service: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------------------
// Key paths, so every error can say exactly where.

#[derive(Debug, Clone, Default)]
struct KeyPath(Vec<Seg>);

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

impl KeyPath {
    fn key(&self, key: &str) -> KeyPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        KeyPath(segs)
    }

    fn index(&self, index: usize) -> KeyPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        KeyPath(segs)
    }
}

/// `a.b[0]."odd key"`, as an engineer would find it in the file.
impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(top level)");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(n) => write!(f, "[{n}]")?,
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    if is_id(k) {
                        f.write_str(k)?;
                    } else {
                        write!(f, "{k:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The TOML parser's error, with the key path nearest the error position added.
fn syntax_error(text: &str, origin: &Path, err: &toml::de::Error) -> EscalationConfigError {
    let at = err.span().map_or(0, |s| s.start);
    let (line, column) = line_col(text, at);
    let line_text = text.lines().nth(line - 1).unwrap_or("").trim();
    let key = if line_text.starts_with('[') {
        // A broken table header: its own text is the best name for it.
        line_text
            .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
            .to_string()
    } else {
        key_near(text, at).to_string()
    };
    EscalationConfigError::Syntax {
        file: origin.to_path_buf(),
        line,
        column,
        key,
        message: err.message().trim().to_string(),
    }
}

/// The key path written at or just before byte `at`.
fn key_near(text: &str, at: usize) -> KeyPath {
    // A partial tree is available even when the syntax is broken.
    let (doc, _) = DeTable::parse_recoverable(text);
    let mut finder = Finder {
        at,
        holding: None,
        preceding: None,
    };
    finder.table(doc.get_ref(), &KeyPath::default());
    finder
        .holding
        .or(finder.preceding)
        .map_or_else(KeyPath::default, |(_, path)| path)
}

/// Finds the key path for byte `at`: the narrowest key or value whose span holds it, or
/// else the last key written before it (an unterminated string, say).
struct Finder {
    at: usize,
    /// (span length, path) of the narrowest span holding `at`.
    holding: Option<(usize, KeyPath)>,
    /// (span start, path) of the last key starting before `at`.
    preceding: Option<(usize, KeyPath)>,
}

impl Finder {
    fn table(&mut self, table: &DeTable<'_>, path: &KeyPath) {
        for (key, value) in table {
            let here = path.key(key.get_ref());
            self.consider(key.span(), &here);
            self.value(value, &here);
        }
    }

    fn value(&mut self, value: &Spanned<DeValue<'_>>, path: &KeyPath) {
        self.consider(value.span(), path);
        match value.get_ref() {
            DeValue::Table(table) => self.table(table, path),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.value(item, &path.index(i));
                }
            }
            _ => {}
        }
    }

    fn consider(&mut self, span: std::ops::Range<usize>, path: &KeyPath) {
        let at = self.at;
        let holds = span.contains(&at) || (span.is_empty() && span.start == at);
        if holds
            && self
                .holding
                .as_ref()
                .is_none_or(|(len, _)| span.len() <= *len)
        {
            self.holding = Some((span.len(), path.clone()));
        }
        if span.start <= at
            && self
                .preceding
                .as_ref()
                .is_none_or(|(start, _)| span.start >= *start)
        {
            self.preceding = Some((span.start, path.clone()));
        }
    }
}

/// The line of the deepest part of `path` that is written in the file.
fn line_of_path(text: &str, doc: &Spanned<DeTable<'_>>, path: &KeyPath) -> Option<usize> {
    // Only runs when reporting problems, so the copy does not matter.
    let root = DeValue::Table(doc.get_ref().clone());
    let mut value = &root;
    let mut found = None;
    for seg in &path.0 {
        let next = match (seg, value) {
            (Seg::Key(k), DeValue::Table(t)) => t
                .iter()
                .find(|(key, _)| key.get_ref() == k)
                .map(|(key, v)| (key.span(), v)),
            (Seg::Index(i), DeValue::Array(items)) => items.get(*i).map(|v| (v.span(), v)),
            _ => None,
        };
        let Some((span, next)) = next else { break };
        found = Some(span.start);
        value = next.get_ref();
    }
    found.map(|at| line_col(text, at).0)
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

// ---------------------------------------------------------------------------------------
// Validation: turns the file's shape into the config, collecting every problem.

struct Checker<'a> {
    env: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<(KeyPath, String)>,
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

    fn build(&mut self, file: FileConfig) -> EscalationConfig {
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

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/config/escalation.toml");
    const ORIGIN: &str = "config/escalation.toml";
    const PD_KEY: &str = "e93facc04764012d7bfb002500d5d1a6";
    const OG_KEY: &str = "0c7f3a52-opsgenie-api-key";

    /// A test-only config with every provider switched on.
    const ALL_PROVIDERS: &str = r#"
[providers.pagerduty]
events_url = "http://127.0.0.1:9/pd/"
[providers.opsgenie]
api_url = "https://api.eu.opsgenie.com"
api_key_env = "OPSGENIE_API_KEY"

[teams.sre]
name = "SRE on call"
pocs = [{ slack = "U06SREONCL", name = "On-call SRE" }]
pagerduty_routing_key_env = "WARROOM_PD_KEY_SRE"

[teams.ops]
pocs = [{ slack = "U03GHAMMER" }]
opsgenie_team = "ops"

[teams.support]
name = "Customer Support"
webhook_url = "https://hooks.internal.example/support"

[policies.app-down]
repeat_last = 1
[[policies.app-down.levels]]
targets = ["team:sre", "user:U01SVEGA00"]
ack_timeout = "90s"
[[policies.app-down.levels]]
targets = ["team:ops", "team:support"]
ack_timeout = "1h30m"

[routing.severity]
SEV1 = "app-down"
[routing.service]
Storefront = "ops"
"#;

    /// The smallest valid config; bad cases are edits of it.
    const BASE: &str = r#"
[teams.sre]
name = "SRE"
pocs = [{ slack = "U06SREONCL" }]

[policies.app-down]
[[policies.app-down.levels]]
targets = ["team:sre"]
ack_timeout = "5m"

[routing.severity]
sev1 = "app-down"
"#;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn parse(
        text: &str,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<EscalationConfig, EscalationConfigError> {
        EscalationConfig::parse(text, Path::new(ORIGIN), env)
    }

    fn shipped() -> EscalationConfig {
        EscalationConfig::load(Path::new(SHIPPED), &no_env).unwrap()
    }

    fn full_env() -> impl Fn(&str) -> Option<String> {
        env_of(&[("WARROOM_PD_KEY_SRE", PD_KEY), ("OPSGENIE_API_KEY", OG_KEY)])
    }

    #[test]
    fn the_shipped_example_file_loads_without_any_environment_variables() {
        let config = shipped();
        assert_eq!(
            config.known_team_ids(),
            [
                "dba",
                "dev",
                "managers",
                "networking",
                "ops",
                "sre",
                "support"
            ]
        );
        assert!(config.teams.values().all(|t| t.pagerduty.is_none()));
        assert_eq!(
            config.providers.pagerduty_events_url,
            DEFAULT_PAGERDUTY_EVENTS_URL
        );
    }

    #[test]
    fn the_shipped_example_names_the_people_in_the_app_outage_export() {
        let config = shipped();
        let users = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/fixtures/slack-export-app-outage/users.json"
        ));
        // The fixture sits next to the repo; skip the cross-check where it is absent.
        let Ok(users) = users else { return };
        let users: Vec<serde_json::Value> = serde_json::from_str(&users).unwrap();
        for user in users {
            let id = user["id"].as_str().unwrap();
            assert!(
                config
                    .teams
                    .values()
                    .any(|t| t.pocs.iter().any(|p| p.slack_user == id)),
                "{id} is in no team"
            );
        }
    }

    #[test]
    fn sev1_routes_to_app_down_whose_level_one_is_the_sre() {
        let config = shipped();
        let policy = config.policy_for(1).unwrap();
        assert_eq!(policy.id, "app-down");
        let first = policy.level(0).unwrap();
        assert_eq!(first.targets, [Target::Team("sre".into())]);
        assert_eq!(first.ack_timeout, Duration::from_secs(300));
        let sre = config.team("sre").unwrap();
        assert_eq!(sre.pocs[0].slack_user, "U06SREONCL");
        assert_eq!(config.policy_for(2).unwrap().id, "app-down");
    }

    #[test]
    fn app_down_level_two_reaches_everyone_on_the_sop_contact_list() {
        let config = shipped();
        let second = config.policy_for(1).unwrap().level(1).unwrap();
        for team in ["support", "networking", "ops", "dba", "dev"] {
            assert!(
                second.targets.contains(&Target::Team(team.into())),
                "{team}"
            );
        }
    }

    #[test]
    fn sev3_and_sev4_page_only_the_sre() {
        let config = shipped();
        for sev in [3, 4] {
            let policy = config.policy_for(sev).unwrap();
            assert_eq!(policy.levels.len(), 1);
            assert_eq!(policy.levels[0].targets, [Target::Team("sre".into())]);
        }
        assert!(config.policy_for(5).is_none());
    }

    #[test]
    fn services_route_to_their_owning_team_ignoring_case() {
        let config = shipped();
        let team = |s: &str| config.team_for_service(s).map(|t| t.id.as_str());
        assert_eq!(team("storefront"), Some("dev"));
        assert_eq!(team(" Checkout "), Some("dev"));
        assert_eq!(team("DATABASE"), Some("dba"));
        assert_eq!(team("network"), Some("networking"));
        assert_eq!(team("mainframe"), None);
    }

    #[test]
    fn a_policy_repeats_its_last_level_repeat_last_more_times_then_stops() {
        let policy = shipped().policy_for(1).unwrap().clone();
        assert_eq!(policy.repeat_last, 2);
        assert_eq!(policy.total_levels(), 5);
        let managers = [Target::Team("managers".into())];
        for index in 2..5 {
            assert_eq!(policy.level(index).unwrap().targets, managers, "{index}");
        }
        assert!(policy.level(5).is_none());
        assert!(policy.level(usize::MAX).is_none());
    }

    #[test]
    fn a_policy_without_repeats_stops_after_its_last_level() {
        let policy = Policy {
            id: "p".into(),
            levels: vec![Level {
                targets: vec![Target::User("U06SREONCL".into())],
                ack_timeout: Duration::from_secs(60),
            }],
            repeat_last: 0,
        };
        assert_eq!(policy.total_levels(), 1);
        assert!(policy.level(0).is_some());
        assert!(policy.level(1).is_none());
        let empty = Policy {
            levels: vec![],
            repeat_last: 3,
            ..policy
        };
        assert_eq!(empty.total_levels(), 0);
        assert!(empty.level(0).is_none());
    }

    #[test]
    fn durations_are_written_in_hours_minutes_and_seconds() {
        for (input, secs) in [
            ("90s", 90),
            ("5m", 300),
            ("1h", 3600),
            ("1h30m", 5400),
            ("1h30m15s", 5415),
            ("0h5m", 300),
            (" 2m ", 120),
        ] {
            assert_eq!(
                parse_duration(input),
                Ok(Duration::from_secs(secs)),
                "{input}"
            );
        }
    }

    #[test]
    fn zero_negative_unitless_and_garbage_durations_are_refused() {
        for (input, reason) in [
            ("0s", "longer than zero"),
            ("0h0m", "longer than zero"),
            ("-5m", "negative"),
            ("5", "needs a unit"),
            ("1h30", "needs a unit"),
            ("", "like 90s"),
            ("soon", "like 90s"),
            ("5 m", "like 90s"),
            ("5min", "like 90s"),
            ("1.5h", "like 90s"),
            ("30m1h", "in that order"),
            ("5m5m", "in that order"),
            ("99999999999999999999h", "like 90s"),
            ("9999999999999999h", "too long"),
        ] {
            let err = parse_duration(input).unwrap_err();
            assert!(err.to_string().contains(reason), "{input}: {err}");
        }
    }

    #[test]
    fn targets_parse_and_display_back() {
        for text in ["team:sre", "user:U06SREONCL", "user:W0123ABC"] {
            assert_eq!(Target::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(
            Target::parse(" team : dba ").unwrap(),
            Target::Team("dba".into())
        );
        for bad in [
            "sre",
            "team:",
            "user:bob",
            "user:u06sreoncl",
            "group:sre",
            "team:a.b",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_provider_loads_with_secrets_from_the_injected_environment() {
        let config = parse(ALL_PROVIDERS, &full_env()).unwrap();
        let sre = config.team("sre").unwrap();
        let pd = sre.pagerduty.as_ref().unwrap();
        assert_eq!(pd.routing_key_env, "WARROOM_PD_KEY_SRE");
        assert_eq!(pd.routing_key.expose_secret(), PD_KEY);
        let ops = config.team("ops").unwrap();
        assert_eq!(ops.name, "ops", "name defaults to the id");
        assert_eq!(ops.opsgenie, Some(OpsgenieTarget { team: "ops".into() }));
        let support = config.team("support").unwrap();
        assert!(support.pocs.is_empty());
        assert_eq!(
            support.webhook.as_ref().unwrap().url,
            "https://hooks.internal.example/support"
        );
        let providers = &config.providers;
        assert_eq!(providers.pagerduty_events_url, "http://127.0.0.1:9/pd");
        assert_eq!(providers.opsgenie_api_url, "https://api.eu.opsgenie.com");
        assert_eq!(
            providers.opsgenie_api_key.as_ref().unwrap().expose_secret(),
            OG_KEY
        );
        let policy = config.policy_for(1).unwrap();
        assert_eq!(
            policy.levels[0].targets[1],
            Target::User("U01SVEGA00".into())
        );
        assert_eq!(policy.levels[1].ack_timeout, Duration::from_secs(5400));
        assert_eq!(config.team_for_service("storefront").unwrap().id, "ops");
    }

    #[test]
    fn an_empty_config_pages_nobody() {
        for config in [EscalationConfig::empty(), parse("", &no_env).unwrap()] {
            assert!(config.known_team_ids().is_empty());
            assert!(config.policy_for(1).is_none());
            assert!(config.team_for_service("storefront").is_none());
        }
    }

    /// (edit of BASE, extra env, expected key, expected reason)
    type BadCase = (
        String,
        Vec<(&'static str, &'static str)>,
        &'static str,
        &'static str,
    );

    fn bad_cases() -> Vec<BadCase> {
        let edit = |from: &str, to: &str| {
            assert!(BASE.contains(from), "{from}");
            BASE.replacen(from, to, 1)
        };
        let add = |extra: &str| format!("{BASE}\n{extra}");
        let sre_pager = |line: &str| edit("name = \"SRE\"", &format!("name = \"SRE\"\n{line}"));
        vec![
            (
                edit("name =", "nmae ="),
                vec![],
                "teams.sre.nmae",
                "unknown field `nmae`",
            ),
            (
                edit("\"5m\"", "\"5m"),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "line 9",
            ),
            (
                edit("[routing.severity]", "[routing.severity"),
                vec![],
                "routing.severity",
                "line 11, column 18",
            ),
            (
                edit("\"5m\"", "5"),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "invalid type: integer",
            ),
            (
                edit(
                    "[policies.app-down]",
                    "[policies.app-down]\nrepeat_last = -1",
                ),
                vec![],
                "policies.app-down.repeat_last",
                "invalid value",
            ),
            (
                edit("\"team:sre\"", "\"team:sre\", \"team:dbaa\""),
                vec![],
                "policies.app-down.levels[0].targets[1]",
                "team `dbaa`, which is not defined (known teams: sre)",
            ),
            (
                edit("\"5m\"", "\"0s\""),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "longer than zero, got `0s`",
            ),
            (
                edit("\"5m\"", "\"-5m\""),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "negative, got `-5m`",
            ),
            (
                edit("\"5m\"", "\"100000000000h\""),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "at most 168h (7 days), got `100000000000h`",
            ),
            (
                edit("\"5m\"", "\"five\""),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "like 90s, 5m, 1h or 1h30m",
            ),
            (
                edit("\"5m\"", "\"5\""),
                vec![],
                "policies.app-down.levels[0].ack_timeout",
                "needs a unit",
            ),
            (
                sre_pager("pagerduty_routing_key_env = \"WARROOM_PD_KEY_SRE\""),
                vec![],
                "teams.sre.pagerduty_routing_key_env",
                "environment variable WARROOM_PD_KEY_SRE, which is not set",
            ),
            (
                sre_pager("pagerduty_routing_key_env = \"WARROOM_PD_KEY_SRE\""),
                vec![("WARROOM_PD_KEY_SRE", "short-secret")],
                "teams.sre.pagerduty_routing_key_env",
                "holds 12 characters; a PagerDuty Events v2 routing key has exactly 32",
            ),
            (
                sre_pager("pagerduty_routing_key_env = \"e93facc04764012d7bfb002500d5d1a6\""),
                vec![],
                "teams.sre.pagerduty_routing_key_env",
                "must be the name of an environment variable",
            ),
            (
                sre_pager("opsgenie_team = \"sre\""),
                vec![],
                "teams.sre.opsgenie_team",
                "needs an Opsgenie API key: set providers.opsgenie.api_key_env",
            ),
            (
                add("[providers.opsgenie]\napi_key_env = \"OPSGENIE_API_KEY\""),
                vec![],
                "providers.opsgenie.api_key_env",
                "OPSGENIE_API_KEY, which is not set",
            ),
            (
                edit("U06SREONCL", "bob"),
                vec![],
                "teams.sre.pocs[0].slack",
                "must be a Slack user id like U06SREONCL",
            ),
            (
                edit("U06SREONCL", "C06SREONCL"),
                vec![],
                "teams.sre.pocs[0].slack",
                "got `C06SREONCL`",
            ),
            (
                edit("\"team:sre\"", "\"user:bob\""),
                vec![],
                "policies.app-down.levels[0].targets[0]",
                "must be `team:<team id>` or `user:<Slack user id",
            ),
            (
                add("[policies.empty]\nrepeat_last = 1"),
                vec![],
                "policies.empty.levels",
                "is empty: a policy needs at least one",
            ),
            (
                edit("targets = [\"team:sre\"]", "targets = []"),
                vec![],
                "policies.app-down.levels[0].targets",
                "is empty: a level must page at least one",
            ),
            (
                edit("sev1 = \"app-down\"", "sev1 = \"app-dwn\""),
                vec![],
                "routing.severity.sev1",
                "policy `app-dwn`, which is not defined (known policies: app-down)",
            ),
            (
                add("[routing.service]\nstorefront = \"dev\""),
                vec![],
                "routing.service.storefront",
                "team `dev`, which is not defined (known teams: sre)",
            ),
            (
                edit("sev1 =", "sev5 ="),
                vec![],
                "routing.severity.sev5",
                "is not a severity: use sev1, sev2, sev3 or sev4",
            ),
            (
                edit("sev1 =", "sevs1 ="),
                vec![],
                "routing.severity.sevs1",
                "is not a severity",
            ),
            (
                edit("sev1 =", "critical ="),
                vec![],
                "routing.severity.critical",
                "is not a severity",
            ),
            (
                sre_pager("webhook_url = \"ftp://hooks.example/sre\""),
                vec![],
                "teams.sre.webhook_url",
                "must be an http:// or https:// URL, got `ftp://hooks.example/sre`",
            ),
            (
                add("[teams.ghost]\nname = \"Ghost team\""),
                vec![],
                "teams.ghost",
                "has no pocs and no pager",
            ),
            (
                add("[providers.pagerduty]\nevents_url = \"events.pagerduty.com\""),
                vec![],
                "providers.pagerduty.events_url",
                "must be an http(s) URL",
            ),
            (
                add("[teams.\"on call\"]\npocs = [{ slack = \"U06SREONCL\" }]"),
                vec![],
                "teams.\"on call\"",
                "is not a usable team id",
            ),
        ]
    }

    #[test]
    fn bad_configs_name_the_file_the_key_and_the_reason() {
        for (text, env, key, reason) in bad_cases() {
            let err = parse(&text, &env_of(&env)).unwrap_err().to_string();
            assert!(err.starts_with(ORIGIN), "names the file: {err}");
            assert!(err.contains(&format!("`{key}")), "names `{key}`: {err}");
            assert!(err.contains(reason), "says {reason:?}: {err}");
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_with_its_line() {
        let text = BASE
            .replace("U06SREONCL", "bob")
            .replace("\"5m\"", "\"0s\"");
        let Err(EscalationConfigError::Invalid { file, problems }) = parse(&text, &no_env) else {
            panic!("expected Invalid");
        };
        assert_eq!(file, Path::new(ORIGIN));
        let found: Vec<(&str, Option<usize>)> =
            problems.iter().map(|p| (p.key.as_str(), p.line)).collect();
        assert_eq!(
            found,
            [
                ("teams.sre.pocs[0].slack", Some(4)),
                ("policies.app-down.levels[0].ack_timeout", Some(9)),
            ]
        );
        let shown = EscalationConfigError::Invalid { file, problems }.to_string();
        assert!(shown.contains("has 2 problems"), "{shown}");
    }

    #[test]
    fn an_unreadable_file_is_named() {
        let missing = Path::new("/nonexistent/escalation.toml");
        let err = EscalationConfig::load(missing, &no_env).unwrap_err();
        assert!(matches!(err, EscalationConfigError::Unreadable { .. }));
        assert!(
            err.to_string().contains("/nonexistent/escalation.toml"),
            "{err}"
        );
    }

    #[test]
    fn a_routing_key_never_appears_in_an_error_or_debug_output() {
        let config = parse(ALL_PROVIDERS, &full_env()).unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains(PD_KEY) && !shown.contains(OG_KEY),
            "{shown}"
        );
        assert!(shown.contains("WARROOM_PD_KEY_SRE"), "{shown}");

        // A key of the wrong length, a key pasted where the variable name goes, and a
        // valid key in a file with another problem.
        let wrong_length = env_of(&[("WARROOM_PD_KEY_SRE", "abcdefabcdefabcdef-wrong-length")]);
        let pasted = ALL_PROVIDERS.replace("\"WARROOM_PD_KEY_SRE\"", &format!("\"{PD_KEY}\""));
        let other_problem = ALL_PROVIDERS.replace("\"90s\"", "\"0s\"");
        for (text, env) in [
            (
                ALL_PROVIDERS.to_string(),
                &wrong_length as &dyn Fn(&str) -> Option<String>,
            ),
            (pasted, &full_env()),
            (other_problem, &full_env()),
        ] {
            let err = parse(&text, env).unwrap_err();
            for shown in [err.to_string(), format!("{err:?}")] {
                assert!(
                    !shown.contains(PD_KEY)
                        && !shown.contains("wrong-length")
                        && !shown.contains(OG_KEY),
                    "{shown}"
                );
            }
        }
    }
}
