//! Where a strict TOML config file went wrong, shared by the files that refuse what
//! they do not understand (the escalation file, the alert rules): key paths with lines
//! ([`At`]), one [`Problem`] per thing wrong, the first syntax error or unknown key
//! located by line, column and key, how a list of problems reads, and each file's
//! error type ([`file_error!`]) with the steps every such file is read by
//! ([`read_file`], [`parse_checked`]).

use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One thing wrong with a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Key path, e.g. `policies.app-down.levels[1].targets[0]`.
    pub key: String,
    /// 1-based line where that key (or its nearest written parent) is.
    pub line: Option<usize>,
    /// What is wrong, phrased to follow the key.
    pub reason: String,
}

/// Not valid TOML, an unknown key, or a value of the wrong type: the parser stops at
/// the first, so it is the only one. Shown as `line L, column C: `key`: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: `{key}`: {message}")]
pub struct SyntaxError {
    pub line: usize,
    pub column: usize,
    /// Key path nearest the error, e.g. `teams.sre.pocs[0]`.
    pub key: String,
    pub message: String,
}

/// `file` followed by its problems: one on the same line, several one a line.
pub(super) fn render_problems(file: &Path, problems: &[Problem]) -> String {
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

/// `ids` joined for a message, or that there are none.
pub(super) fn list_or_none(ids: Vec<&str>) -> String {
    if ids.is_empty() {
        "none are defined".to_string()
    } else {
        ids.join(", ")
    }
}

/// A TOML bare key: letters, digits, `-` and `_`. Anything else is quoted in key paths.
pub(super) fn is_bare_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The error type of a strict file: the three ways it is refused. Implemented by
/// [`file_error!`].
pub(super) trait FileError: Sized {
    fn unreadable(file: PathBuf, source: std::io::Error) -> Self;
    fn syntax(file: PathBuf, error: SyntaxError) -> Self;
    fn invalid(file: PathBuf, problems: Vec<Problem>) -> Self;
}

/// Declares `pub enum $name`, the error of a strict file that messages call `$what`:
/// `Unreadable { file, source }`, `Syntax { file, error }` (the first syntax error,
/// unknown key or wrongly typed value) and `Invalid { file, problems }` (all of them).
macro_rules! file_error {
    ($(#[$attr:meta])* $name:ident, $what:literal) => {
        $(#[$attr])*
        #[derive(Debug, thiserror::Error)]
        pub enum $name {
            /// The file could not be read.
            #[error("cannot read {what} {}: {source}", file.display(), what = $what)]
            Unreadable {
                file: std::path::PathBuf,
                source: std::io::Error,
            },
            /// Not valid TOML, an unknown key, or a value of the wrong type. Only the
            /// first one.
            #[error("{}, {error}", file.display())]
            Syntax {
                file: std::path::PathBuf,
                error: $crate::config::toml_errors::SyntaxError,
            },
            /// Well-formed TOML that does not make a usable setup. All problems found.
            #[error("{}", $crate::config::toml_errors::render_problems(file, problems))]
            Invalid {
                file: std::path::PathBuf,
                problems: Vec<$crate::config::toml_errors::Problem>,
            },
        }

        impl $crate::config::toml_errors::FileError for $name {
            fn unreadable(file: std::path::PathBuf, source: std::io::Error) -> Self {
                $name::Unreadable { file, source }
            }
            fn syntax(
                file: std::path::PathBuf,
                error: $crate::config::toml_errors::SyntaxError,
            ) -> Self {
                $name::Syntax { file, error }
            }
            fn invalid(
                file: std::path::PathBuf,
                problems: Vec<$crate::config::toml_errors::Problem>,
            ) -> Self {
                $name::Invalid { file, problems }
            }
        }
    };
}
pub(super) use file_error;

/// The text of the file at `path`.
pub(super) fn read_file<E: FileError>(path: &Path) -> Result<String, E> {
    std::fs::read_to_string(path).map_err(|source| E::unreadable(path.to_path_buf(), source))
}

/// Reads `text` into the file's shape `F`, then `check` builds the model from it,
/// returning it with every problem found; `origin` names the file in errors.
pub(super) fn parse_checked<F: DeserializeOwned, T, E: FileError>(
    text: &str,
    origin: &Path,
    check: impl FnOnce(F) -> (T, Vec<Problem>),
) -> Result<T, E> {
    let file = parse_strict(text).map_err(|error| E::syntax(origin.to_path_buf(), error))?;
    match check(file) {
        (model, problems) if problems.is_empty() => Ok(model),
        (_, problems) => Err(E::invalid(origin.to_path_buf(), problems)),
    }
}

/// Reads `text` into the file's shape `T`, or says where the first syntax error,
/// unknown key or wrongly typed value is.
fn parse_strict<T: DeserializeOwned>(text: &str) -> Result<T, SyntaxError> {
    let de = toml::de::Deserializer::parse(text).map_err(|e| syntax_error(text, &e, None))?;
    serde_path_to_error::deserialize(de).map_err(|e| syntax_error(text, e.inner(), Some(e.path())))
}

// ---------------------------------------------------------------------------------------
// Where: key paths and lines. Lines come from the spans the toml parser records (on
// `Spanned` fields of the file structs, and on its errors); key paths of deserialize
// errors come from serde_path_to_error.

/// A key path as messages show it, `a.b[0]."odd key"`, with the byte offset of the
/// deepest part of it that is written in the file (a missing key inherits its parent's).
#[derive(Debug, Clone, Default)]
pub(super) struct At {
    path: String,
    offset: Option<usize>,
}

impl At {
    /// The child `key`, written at `span` if it is in the file.
    pub(super) fn key(&self, key: &str, span: Option<Range<usize>>) -> At {
        let mut path = self.path.clone();
        if !path.is_empty() {
            path.push('.');
        }
        if is_bare_key(key) {
            path.push_str(key);
        } else {
            path.push_str(&format!("{key:?}"));
        }
        self.child(path, span)
    }

    /// The child `[index]`, written at `span` if it is in the file.
    pub(super) fn index(&self, index: usize, span: Option<Range<usize>>) -> At {
        self.child(format!("{}[{index}]", self.path), span)
    }

    fn child(&self, path: String, span: Option<Range<usize>>) -> At {
        let offset = span.map(|s| s.start).or(self.offset);
        At { path, offset }
    }

    /// The 1-based line in `text` where this key is written (or its nearest parent).
    pub(super) fn line(&self, text: &str) -> Option<usize> {
        self.offset.map(|at| line_col(text, at).0)
    }

    /// The problem `reason` at this key, with its 1-based line in `text`.
    pub(super) fn problem(&self, text: &str, reason: String) -> Problem {
        Problem {
            key: self.to_string(),
            line: self.line(text),
            reason,
        }
    }

    /// The path serde_path_to_error found, without the private fields `toml::Spanned`
    /// passes through on the way to its value (serde_spanned does not export their
    /// names, only that they start so).
    fn of_serde(path: &serde_path_to_error::Path) -> At {
        path.iter().fold(At::default(), |at, seg| match seg {
            Segment::Seq { index } => at.index(*index, None),
            Segment::Map { key } if key.starts_with("$__serde_spanned_private_") => at,
            Segment::Map { key } | Segment::Enum { variant: key } => at.key(key, None),
            Segment::Unknown => at.key("?", None),
        })
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str("(top level)");
        }
        f.write_str(&self.path)
    }
}

/// A TOML syntax error (no `path`: serde never ran) or a deserialize error (with the
/// path serde_path_to_error tracked), named by its line, column and key path.
fn syntax_error(
    text: &str,
    err: &toml::de::Error,
    path: Option<&serde_path_to_error::Path>,
) -> SyntaxError {
    let at = err.span().map_or(0, |s| s.start);
    let (line, column) = line_col(text, at);
    let line_text = text.lines().nth(line - 1).unwrap_or("").trim();
    let key = if line_text.starts_with('[') {
        // On a table header (broken or not), its own text names it best; a serde error
        // found there, such as a missing field, is named the same way.
        line_text
            .trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace())
            .to_string()
    } else {
        match path {
            Some(path) => At::of_serde(path),
            None => key_near(text, at),
        }
        .to_string()
    };
    SyntaxError {
        line,
        column,
        key,
        message: err.message().trim().to_string(),
    }
}

/// The key path of a TOML syntax error at byte `at`. The parser stops before serde sees
/// anything, so serde_path_to_error has no path, and a parse error carries no key (only
/// a message and a span). So this looks in the parser's own partial tree, with its
/// spans, for the narrowest key or value holding `at`, or else the last one starting
/// before it (an unterminated string, say).
fn key_near(text: &str, at: usize) -> At {
    let (doc, _) = DeTable::parse_recoverable(text);
    let mut spans = Vec::new();
    table_spans(doc.get_ref(), &At::default(), &mut spans);
    let holding = spans
        .iter()
        .rev()
        .filter(|(s, _)| s.contains(&at) || (s.is_empty() && s.start == at))
        .min_by_key(|(s, _)| s.len());
    let preceding = || {
        spans
            .iter()
            .filter(|(s, _)| s.start <= at)
            .max_by_key(|(s, _)| s.start)
    };
    holding
        .or_else(preceding)
        .map(|(_, at)| at.clone())
        .unwrap_or_default()
}

/// Every key and value in `table`, in file order, with its span.
fn table_spans(table: &DeTable<'_>, path: &At, out: &mut Vec<(Range<usize>, At)>) {
    for (key, value) in table {
        let here = path.key(key.get_ref(), None);
        out.push((key.span(), here.clone()));
        value_spans(value, here, out);
    }
}

fn value_spans(value: &Spanned<DeValue<'_>>, path: At, out: &mut Vec<(Range<usize>, At)>) {
    out.push((value.span(), path.clone()));
    match value.get_ref() {
        DeValue::Table(table) => table_spans(table, &path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                value_spans(item, path.index(i, None), out);
            }
        }
        _ => {}
    }
}

/// 1-based line and column (in characters) of byte offset `at`. toml works these out
/// only inside the text of its own error report, and does not expose them.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
