//! How single written values are judged: durations, team and policy ids, Slack user
//! ids, environment variable names and URLs. No knowledge of where they sit in the file.

use std::time::Duration;

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

pub(in crate::config) fn at_most(
    d: Duration,
    max: Duration,
    input: &str,
) -> Result<Duration, BadDuration> {
    if d <= max {
        return Ok(d);
    }
    Err(BadDuration {
        input: input.to_string(),
        reason: "must be at most 168h (7 days)",
    })
}

/// `^[A-Z_][A-Z0-9_]*$`. Anything else may be a pasted secret, so it is never echoed.
pub(super) fn is_env_var_name(name: &str) -> bool {
    name.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// The secret in the environment variable named `var` (trimmed), which should hold
/// `what`. The error is the reason, phrased to follow the key naming the variable; it
/// names the variable, never a value (what is written may itself be a pasted secret).
pub(in crate::config) fn env_secret(
    env: &dyn Fn(&str) -> Option<String>,
    var: &str,
    what: &str,
) -> Result<String, String> {
    if !is_env_var_name(var) {
        return Err(format!(
            "must be the name of an environment variable holding {what} \
             (upper-case letters, digits and _), not the value itself; \
             what is written there is not shown in case it is a secret"
        ));
    }
    env(var)
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            format!("names environment variable {var}, which is not set (it should hold {what})")
        })
}

pub(in crate::config) fn is_http_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| {
        url.strip_prefix(scheme)
            .is_some_and(|rest| !rest.is_empty())
    }) && !url.contains(char::is_whitespace)
}

/// A Slack user id such as `U06SREONCL`.
pub(super) fn is_slack_user_id(id: &str) -> bool {
    crate::domain::is_slack_id(id, crate::domain::IdKind::User)
}

/// Team and policy ids: letters, digits, `-` and `_`, so they need no quoting anywhere.
pub(super) fn is_id(id: &str) -> bool {
    crate::config::toml_errors::is_bare_key(id)
}
