//! Incident severity: `sev1` (worst) to `sev4`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Severity(u8);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("severity must be one of sev1, sev2, sev3, sev4 (or 1-4); got `{0}`")]
pub struct BadSeverity(pub String);

impl Severity {
    pub const SEV1: Severity = Severity(1);
    pub const SEV2: Severity = Severity(2);
    pub const SEV3: Severity = Severity(3);
    pub const SEV4: Severity = Severity(4);

    /// Accepts `sev1`, `SEV1`, `s1` and a bare `1`.
    pub fn parse(input: &str) -> Result<Self, BadSeverity> {
        let lower = input.trim().to_ascii_lowercase();
        let digits = lower
            .strip_prefix("sev")
            .or_else(|| lower.strip_prefix('s'))
            .unwrap_or(&lower);
        match digits.parse::<u8>() {
            Ok(n @ 1..=4) => Ok(Severity(n)),
            _ => Err(BadSeverity(input.trim().to_string())),
        }
    }

    /// True when the word is written as a severity, `sev` and digits in any case
    /// (`SEV1`, `sev7`), so `declare` can tell it from title words like "Seven".
    pub fn looks_like(word: &str) -> bool {
        let lower = word.to_ascii_lowercase();
        lower
            .strip_prefix("sev")
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    pub fn from_level(level: i64) -> Result<Self, BadSeverity> {
        Self::parse(&level.to_string())
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SEV{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_of_a_valid_severity_parses() {
        for (input, level) in [("sev1", 1), ("SEV2", 2), ("s3", 3), ("4", 4), (" sev4 ", 4)] {
            assert_eq!(Severity::parse(input).unwrap().level(), level, "{input}");
        }
    }

    #[test]
    fn out_of_range_or_garbage_severities_are_rejected() {
        for input in ["sev0", "sev5", "sev7", "7", "", "high", "sev-1", "sev1.5"] {
            assert!(
                Severity::parse(input).is_err(),
                "{input} should be rejected"
            );
        }
    }

    #[test]
    fn only_sev_and_digits_look_like_a_severity() {
        for word in ["sev1", "SEV4", "Sev7", "sev12"] {
            assert!(Severity::looks_like(word), "{word}");
        }
        for word in ["Seven", "sev", "severe", "sev1a", "s1", "1"] {
            assert!(!Severity::looks_like(word), "{word}");
        }
    }

    #[test]
    fn severity_displays_in_upper_case() {
        assert_eq!(Severity::SEV2.to_string(), "SEV2");
    }
}
