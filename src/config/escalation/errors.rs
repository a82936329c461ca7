//! Why the escalation file was refused. Where (key paths, lines) and how problems are
//! listed is shared with the other strict files, in [`crate::config::toml_errors`].

use crate::config::toml_errors::{Problem, SyntaxError, render_problems};
use std::path::PathBuf;

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
    #[error("{}, {error}", file.display())]
    Syntax { file: PathBuf, error: SyntaxError },
    /// Well-formed TOML that does not make a usable escalation setup. All problems found.
    #[error("{}", render_problems(file, problems))]
    Invalid {
        file: PathBuf,
        problems: Vec<Problem>,
    },
}
