//! Why a file was refused, and where: the error types, how problems are listed, and
//! how a TOML or serde error is given the key path it is about.

use super::values::is_id;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

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

// ---------------------------------------------------------------------------------------
// Key paths, so every error can say exactly where.

#[derive(Debug, Clone, Default)]
pub(super) struct KeyPath(Vec<Seg>);

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

impl KeyPath {
    pub(super) fn key(&self, key: &str) -> KeyPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_string()));
        KeyPath(segs)
    }

    pub(super) fn index(&self, index: usize) -> KeyPath {
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
pub(super) fn syntax_error(
    text: &str,
    origin: &Path,
    err: &toml::de::Error,
) -> EscalationConfigError {
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
pub(super) fn line_of_path(
    text: &str,
    doc: &Spanned<DeTable<'_>>,
    path: &KeyPath,
) -> Option<usize> {
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
