//! Which alerts declare incidents: `config/alerts.toml` (see the commented example
//! shipped there), from bytes to [`AlertRules`]. Like the escalation file it is
//! strict: an unknown key, a bad matcher, regex or template, or a policy the
//! escalation file does not have stops startup with the file, line, key and reason.
//! Tokens never sit in the file: it names the environment variable holding each.
//!
//! What lives where: `model` is what the intake reads; `file` is the on-disk format,
//! as serde reads it; `checks` turns the one into the other and collects every
//! problem, reading matchers with `matcher`; `errors` says what went wrong. Key paths
//! and lines come from [`crate::config::toml_errors`], durations, URLs and secrets are
//! judged as in [`crate::config::escalation`].

mod checks;
mod errors;
mod file;
mod matcher;
mod model;
#[cfg(test)]
mod tests;

pub use crate::config::toml_errors::{Problem, SyntaxError};
pub use errors::AlertRulesError;
pub use matcher::{LABEL_NAME_FORM, MATCHER_FORM, is_label_name};
pub use model::{
    AlertRules, DEFAULT_FLAP_WINDOW, MAX_FLAP_WINDOW, MatchOp, Matcher, Rule, SeverityMapping,
    SourceAuth, TitleContext, TitleTemplate,
};

use crate::config::escalation::EscalationConfig;
use crate::config::toml_errors::{parse_checked, read_file};
use checks::Checker;
use file::FileRules;
use std::path::Path;

impl AlertRules {
    /// Reads and validates the file at `path`; tokens are read through `env`, and the
    /// policies rules name must be in `escalation`. A missing file is an error: the
    /// caller decides whether the file is optional.
    pub fn load(
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        escalation: &EscalationConfig,
    ) -> Result<Self, AlertRulesError> {
        Self::parse(&read_file(path)?, path, env, escalation)
    }

    /// Parses and validates `text`; `origin` is only used to name the file in errors.
    pub fn parse(
        text: &str,
        origin: &Path,
        env: &dyn Fn(&str) -> Option<String>,
        escalation: &EscalationConfig,
    ) -> Result<Self, AlertRulesError> {
        parse_checked(text, origin, |file: FileRules| {
            let mut check = Checker::new(text, env, escalation);
            (check.build(file), check.problems)
        })
    }
}
