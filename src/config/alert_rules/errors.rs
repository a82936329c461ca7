//! Why the alert rules file was refused. Where (key paths, lines) and how problems are
//! listed is shared with the escalation file, in [`crate::config::toml_errors`].

use crate::config::toml_errors::file_error;

file_error!(
    /// Why the alert rules could not be loaded. Names environment variables, never a
    /// token.
    AlertRulesError,
    "alert rules"
);
