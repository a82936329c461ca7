//! `/incident sev <1-4>`

use super::Reply;
use crate::domain::{Change, Severity};

pub const USAGE: &str = "/incident sev <1-4>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SevArgs(pub Severity);

pub fn parse(rest: &str) -> Result<SevArgs, Reply> {
    if rest.is_empty() {
        return Err(Reply::usage("Which severity?", USAGE));
    }
    if rest.split_whitespace().count() > 1 {
        return Err(Reply::usage(
            &format!("`{rest}` is not one severity."),
            USAGE,
        ));
    }
    Severity::parse(rest)
        .map(SevArgs)
        .map_err(|e| Reply::usage(&e.to_string(), USAGE))
}

impl SevArgs {
    pub fn into_change(self) -> Change {
        Change::Severity(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sev_seven_is_refused_with_usage() {
        let Err(Reply::Ephemeral(text)) = parse("7") else {
            panic!("sev 7 must be refused")
        };
        assert!(text.contains("/incident sev <1-4>"), "{text}");
    }

    #[test]
    fn bare_and_prefixed_levels_parse() {
        assert_eq!(parse("1").unwrap().0, Severity::SEV1);
        assert_eq!(parse("sev3").unwrap().0, Severity::SEV3);
    }
}
