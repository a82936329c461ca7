//! Reading one label matcher as Alertmanager writes them: `label = "value"`, with `=`,
//! `!=`, `=~` or `!~`. The value is in double quotes, with Go's escapes for a quote, a
//! backslash and a line break (`\"`, `\\`, `\n`, also `\t`, `\r`); an unknown escape is
//! refused as Alertmanager refuses it, so a regex `\d` is written `\\d`. A value that
//! is one word (no spaces, none of `{}!=~,"'` and no backquote or backslash) may go
//! without quotes. Regexes use the regex crate's syntax (close to Go's RE2) and are
//! anchored at both ends, as in Alertmanager.

use super::model::{MatchOp, Matcher};

/// What a matcher looks like, for messages.
pub const MATCHER_FORM: &str = "`label = \"value\"` with =, !=, =~ or !~, e.g. \
     `severity = \"critical\"` or `team =~ \"shop|payments\"`";

/// What a label name is, for messages.
pub const LABEL_NAME_FORM: &str = "letters, digits and _, not starting with a digit";

/// Characters an unquoted value cannot hold (after Alertmanager's matcher lexer).
const RESERVED: &str = "{}!=~,\\\"'`";

impl Matcher {
    /// Reads `text`; the error is a reason phrased to follow the key it was written at.
    pub fn parse(text: &str) -> Result<Matcher, String> {
        let bad = |why: String| format!("is not a matcher ({MATCHER_FORM}): {why}");
        let text = text.trim();
        let name_len = text
            .find(|c: char| c.is_whitespace() || "=!~".contains(c))
            .unwrap_or(text.len());
        let (label, rest) = text.split_at(name_len);
        if label.is_empty() {
            return Err(bad(format!("`{text}` does not start with a label name")));
        }
        if !is_label_name(label) {
            return Err(bad(format!(
                "`{label}` is not a label name ({LABEL_NAME_FORM})"
            )));
        }
        let rest = rest.trim_start();
        let (op, rest) = [
            ("=~", MatchOp::Regex),
            ("!~", MatchOp::NotRegex),
            ("!=", MatchOp::NotEqual),
            ("=", MatchOp::Equal),
        ]
        .into_iter()
        .find_map(|(sign, op)| rest.strip_prefix(sign).map(|rest| (op, rest)))
        .ok_or_else(|| bad(format!("no operator after `{label}`")))?;
        if rest.starts_with(['=', '!', '~']) {
            let written = &text[label.len()..text.len() - rest.len() + 1];
            return Err(bad(format!("`{}` is not an operator", written.trim())));
        }
        let value = value(rest.trim()).map_err(bad)?;
        let regex = match op {
            MatchOp::Regex | MatchOp::NotRegex => Some(anchored(&value)?),
            MatchOp::Equal | MatchOp::NotEqual => None,
        };
        Ok(Matcher {
            label: label.to_string(),
            op,
            value,
            regex,
        })
    }
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`, a Prometheus label name.
pub fn is_label_name(name: &str) -> bool {
    name.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The value after the operator: quoted, or one unquoted word.
fn value(written: &str) -> Result<String, String> {
    let Some(quoted) = written.strip_prefix('"') else {
        if written.is_empty() {
            return Err("there is no value after the operator (write \"\" for empty)".into());
        }
        if written.contains(|c: char| c.is_whitespace() || RESERVED.contains(c)) {
            return Err(format!(
                "`{written}` needs double quotes (an unquoted value is one word without \
                 spaces or any of {RESERVED})"
            ));
        }
        return Ok(written.to_string());
    };
    let mut out = String::new();
    let mut chars = quoted.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let after = chars.as_str().trim();
                return match after.chars().next() {
                    None => Ok(out),
                    Some(',') => Err(format!(
                        "one matcher per list entry: `{}` is a second one",
                        after[1..].trim()
                    )),
                    Some(_) => Err(format!("`{after}` follows the closing quote")),
                };
            }
            '\\' => out.push(match chars.next() {
                Some('"') => '"',
                Some('\\') => '\\',
                Some('n') => '\n',
                Some('t') => '\t',
                Some('r') => '\r',
                Some(other) => {
                    return Err(format!(
                        "`\\{other}` is not an escape: inside double quotes a backslash \
                         is written \\\\ (a regex `\\d` is written `\\\\d`)"
                    ));
                }
                None => return Err("the closing double quote is missing".into()),
            }),
            c => out.push(c),
        }
    }
    Err("the closing double quote is missing".into())
}

/// `re` compiled as `^(?:re)$`. It is checked alone first, so an error points into what
/// was written and a pattern such as `a)|(b` cannot escape the anchoring.
fn anchored(re: &str) -> Result<regex::Regex, String> {
    let describe = |e: regex::Error| {
        let text = e.to_string();
        let why = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(text.trim());
        format!("has a bad regex `{re}`: {why}")
    };
    regex::Regex::new(re).map_err(describe)?;
    regex::Regex::new(&format!("^(?:{re})$")).map_err(describe)
}
