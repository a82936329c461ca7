//! Stakeholder updates: what the timeline records when one is posted, and how often
//! one is due (the cadence per severity). Pure: the command posts, the store keeps.

use super::Severity;
use std::fmt;
use std::time::Duration;

/// The system event name of a stakeholder update in the timeline. The cadence nudge
/// reads the latest entry of this kind; the postmortem lists it as a key event.
pub const STAKEHOLDER_UPDATE_KIND: &str = "stakeholder_update";

/// What the timeline says for an update: its text, and whether it went public.
pub fn update_entry_text(text: &str, public: bool) -> String {
    if public {
        format!("Stakeholder update (public, status page): {text}")
    } else {
        format!("Stakeholder update: {text}")
    }
}

/// How long until the next stakeholder update is due, per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// SEV1 to SEV4, in that order.
    by_level: [Duration; 4],
}

impl Cadence {
    pub const DEFAULT_SEV1: Duration = Duration::from_secs(15 * 60);
    pub const DEFAULT_SEV2: Duration = Duration::from_secs(30 * 60);
    pub const DEFAULT_SEV3_AND_LOWER: Duration = Duration::from_secs(2 * 3600);

    /// Each level's span; a level without one takes the next worse level's (so `sev3`
    /// alone sets SEV4 too), and the defaults fill the rest: 15m, 30m, then 2h.
    pub fn new(spans: [Option<Duration>; 4]) -> Self {
        let defaults = [
            Self::DEFAULT_SEV1,
            Self::DEFAULT_SEV2,
            Self::DEFAULT_SEV3_AND_LOWER,
            Self::DEFAULT_SEV3_AND_LOWER,
        ];
        let mut by_level = defaults;
        for (i, span) in spans.into_iter().enumerate() {
            by_level[i] = match span {
                Some(s) => s,
                None if i == 3 => spans[2].unwrap_or(defaults[3]),
                None => defaults[i],
            };
        }
        Self { by_level }
    }

    /// How long after an update the next one is due at `severity`.
    pub fn for_severity(&self, severity: Severity) -> Duration {
        let i = usize::from(severity.level().clamp(1, 4)) - 1;
        self.by_level[i]
    }
}

impl Default for Cadence {
    fn default() -> Self {
        Self::new([None; 4])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a span like 15m, 2h or 1h30m (units s, m, h, d), got `{0}`")]
pub struct BadSpan(pub String);

/// Parses a span written as numbers with units: `15m`, `2h`, `1h30m`, `90s`, `1d`.
/// Zero is refused: an update every instant is a typo.
pub fn parse_span(input: &str) -> Result<Duration, BadSpan> {
    let bad = || BadSpan(input.trim().to_string());
    let text = input.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        let n: u64 = digits.parse().map_err(|_| bad())?;
        digits.clear();
        total = n
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
    }
    if !digits.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

/// A span as people read it: `15m`, `2h`, `1h 30m`, `45s`.
pub struct Span(pub Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0.as_secs();
        if secs < 60 {
            return write!(f, "{secs}s");
        }
        let (d, h, m) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60);
        let parts: Vec<String> = [(d, "d"), (h, "h"), (m, "m")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, u)| format!("{n}{u}"))
            .collect();
        f.write_str(&parts.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60;

    #[test]
    fn spans_parse_with_units_alone_or_combined() {
        for (text, secs) in [
            ("15m", 15 * MIN),
            ("2h", 7200),
            ("1h30m", 90 * MIN),
            (" 90s ", 90),
            ("1d", 86_400),
            ("2H", 7200),
        ] {
            assert_eq!(parse_span(text), Ok(Duration::from_secs(secs)), "{text}");
        }
    }

    #[test]
    fn malformed_or_zero_spans_are_refused() {
        for text in [
            "",
            "15",
            "m",
            "15 m",
            "fifteen",
            "0m",
            "1w",
            "-5m",
            "99999999999999999999d",
        ] {
            assert!(parse_span(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_default_cadence_is_15m_30m_then_2h() {
        let c = Cadence::default();
        let minutes = |s| c.for_severity(s).as_secs() / MIN;
        assert_eq!(
            [
                Severity::SEV1,
                Severity::SEV2,
                Severity::SEV3,
                Severity::SEV4
            ]
            .map(minutes),
            [15, 30, 120, 120]
        );
    }

    #[test]
    fn sev4_follows_sev3_unless_set_itself() {
        let ten = Duration::from_secs(10 * MIN);
        let c = Cadence::new([None, None, Some(ten), None]);
        assert_eq!(c.for_severity(Severity::SEV4), ten);
        let c = Cadence::new([None, None, Some(ten), Some(2 * ten)]);
        assert_eq!(c.for_severity(Severity::SEV4), 2 * ten);
        assert_eq!(c.for_severity(Severity::SEV1), Cadence::DEFAULT_SEV1);
    }

    #[test]
    fn spans_read_as_people_write_them() {
        let s = |secs| Span(Duration::from_secs(secs)).to_string();
        assert_eq!(s(45), "45s");
        assert_eq!(s(15 * MIN), "15m");
        assert_eq!(s(90 * MIN), "1h 30m");
        assert_eq!(s(26 * 3600), "1d 2h");
    }

    #[test]
    fn the_entry_says_whether_the_update_went_public() {
        assert_eq!(
            update_entry_text("All good", false),
            "Stakeholder update: All good"
        );
        assert!(update_entry_text("All good", true).contains("(public"));
    }
}
