//! Read-back: compares what this run's acknowledged events should have left in
//! `timeline_entries` with what is there.

use crate::db::{Db, Row};
use crate::workload::Expected;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VerifyReport {
    /// Distinct `(channel, ts)` of acknowledged new messages and replies (or of
    /// messages whose acknowledged edit stores them).
    pub expected: usize,
    /// Of those, how many are stored.
    pub stored: usize,
    /// Acknowledged but missing.
    pub lost: usize,
    /// Extra rows for one `(channel, ts)` beyond the first.
    pub duplicated: usize,
    /// This run's rows that no acknowledged event accounts for (a message whose
    /// delivery failed may still have been stored: counted here, not as an error).
    pub unexpected: usize,
    /// Acknowledged edits, and how many of them show in the stored text.
    pub edits_expected: usize,
    pub edits_applied: usize,
    /// Stored text differs from the expected text (original, or the last edit).
    pub text_mismatch: usize,
    /// A few lost or mismatched keys, to look at by hand.
    pub examples: Vec<String>,
}

impl VerifyReport {
    /// Zero lost, zero duplicated, every acknowledged edit applied.
    pub fn ok(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.text_mismatch == 0
    }
}

pub async fn verify(db: &Db, expected: &Expected) -> anyhow::Result<VerifyReport> {
    let mut rows = Vec::new();
    for channel in &expected.channels {
        rows.extend(
            db.messages(channel, &expected.ts_min, &expected.ts_max)
                .await?,
        );
    }
    Ok(compare(expected, &rows))
}

/// Pure comparison of expected messages with stored rows.
pub fn compare(expected: &Expected, rows: &[Row]) -> VerifyReport {
    let mut by_key: HashMap<(&str, &str), Vec<&str>> = HashMap::new();
    for r in rows {
        by_key
            .entry((r.channel_id.as_str(), r.ts.as_str()))
            .or_default()
            .push(r.text.as_str());
    }
    let mut report = VerifyReport {
        expected: expected.messages.len(),
        edits_expected: expected.edits_expected,
        ..Default::default()
    };
    for texts in by_key.values() {
        report.duplicated += texts.len().saturating_sub(1);
    }
    let mut keys: Vec<_> = expected.messages.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    for ((channel, ts), want) in keys {
        match by_key.get(&(channel.as_str(), ts.as_str())) {
            None => {
                report.lost += 1;
                if report.examples.len() < 5 {
                    report.examples.push(format!("lost {channel}/{ts}"));
                }
            }
            Some(texts) => {
                report.stored += 1;
                if let Some(want) = want {
                    let is_edit = want.contains(" edited]");
                    if texts.iter().all(|t| t == want) {
                        report.edits_applied += is_edit as usize;
                    } else {
                        report.text_mismatch += 1;
                        if report.examples.len() < 5 {
                            report
                                .examples
                                .push(format!("text of {channel}/{ts}: {:?} ≠ {want:?}", texts[0]));
                        }
                    }
                }
            }
        }
    }
    report.unexpected = by_key
        .keys()
        .filter(|(c, t)| {
            !expected
                .messages
                .contains_key(&((*c).to_string(), (*t).to_string()))
        })
        .count();
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(msgs: &[(&str, &str, Option<&str>)]) -> Expected {
        Expected {
            channels: vec!["C1".into()],
            ts_min: "0".into(),
            ts_max: "9".into(),
            generated_messages: msgs.len(),
            messages: msgs
                .iter()
                .map(|(c, t, x)| ((c.to_string(), t.to_string()), x.map(str::to_string)))
                .collect(),
            edits_expected: msgs
                .iter()
                .filter(|m| m.2.is_some_and(|t| t.contains(" edited]")))
                .count(),
        }
    }

    fn row(c: &str, t: &str, x: &str) -> Row {
        Row {
            channel_id: c.into(),
            ts: t.into(),
            text: x.into(),
        }
    }

    #[test]
    fn everything_stored_once_is_ok() {
        let e = expected(&[("C1", "1", Some("a")), ("C1", "2", Some("[x#2 edited] b"))]);
        let r = compare(&e, &[row("C1", "1", "a"), row("C1", "2", "[x#2 edited] b")]);
        assert!(r.ok(), "{r:?}");
        assert_eq!((r.expected, r.stored, r.edits_applied), (2, 2, 1));
    }

    #[test]
    fn missing_duplicated_and_unapplied_edits_are_counted() {
        let e = expected(&[
            ("C1", "1", Some("a")),
            ("C1", "2", Some("[x#2 edited] b")),
            ("C1", "3", Some("c")),
            ("C1", "4", None),
        ]);
        let rows = [
            row("C1", "1", "a"),
            row("C1", "1", "a"),
            row("C1", "2", "old"),
            row("C1", "4", "whatever"),
            row("C1", "5", "stray"),
        ];
        let r = compare(&e, &rows);
        assert_eq!(r.lost, 1);
        assert_eq!(r.duplicated, 1);
        assert_eq!(r.text_mismatch, 1);
        assert_eq!(r.edits_applied, 0);
        assert_eq!(r.unexpected, 1);
        assert_eq!(r.stored, 3);
        assert!(!r.ok());
    }
}
