//! Why the escalation file was refused. Where (key paths, lines) and how problems are
//! listed is shared with the other strict files, in [`crate::config::toml_errors`].

use crate::config::toml_errors::file_error;

file_error!(
    /// Why the escalation config could not be loaded. Never contains a secret.
    EscalationConfigError,
    "escalation config"
);
