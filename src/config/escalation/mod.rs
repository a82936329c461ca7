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
//!
//! What lives where: `model` is the validated setup the rest of Warroom reads; `file` is
//! the on-disk format, as serde reads it; `checks` turns the one into the other and
//! collects every problem, judging single values with `values`; `errors` says what went
//! wrong, at which key and on which line. This module owns the escalation file from bytes
//! to model and depends on nothing but [`crate::domain`] and external crates: paging,
//! commands and reports read the model, never the file.

mod checks;
mod errors;
mod file;
mod model;
#[cfg(test)]
mod tests;
mod values;

pub use crate::config::toml_errors::{Problem, SyntaxError};
pub use errors::EscalationConfigError;
pub use model::{
    DEFAULT_OPSGENIE_API_URL, DEFAULT_PAGERDUTY_EVENTS_URL, EscalationConfig, Level,
    OpsgenieTarget, PAGERDUTY_ROUTING_KEY_LEN, PagerDutyTarget, Poc, Policy, Providers, Target,
    Team, WebhookTarget,
};
pub use values::{BadDuration, BadTarget, MAX_ACK_TIMEOUT, parse_duration};
pub(in crate::config) use values::{at_most, env_secret, is_http_url};

use crate::config::toml_errors::{parse_checked, read_file};
use checks::Checker;
use file::FileConfig;
use std::path::Path;

impl EscalationConfig {
    /// Reads and validates the file at `path`. A missing file is an error: callers
    /// that make paging optional should check for the file and fall back to [`Self::empty`].
    pub fn load(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EscalationConfigError> {
        Self::parse(&read_file(path)?, path, env)
    }

    /// Parses and validates `text`; `origin` is only used to name the file in errors.
    pub fn parse(
        text: &str,
        origin: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, EscalationConfigError> {
        parse_checked(text, origin, |file: FileConfig| {
            let mut check = Checker::new(text, env);
            (check.build(file), check.problems)
        })
    }
}
