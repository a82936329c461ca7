//! `/incident summary <text>`: the team's own summary of what is happening. The last
//! one set wins (the pinned summary shows it); earlier ones stay in the timeline.

use super::Reply;
use crate::domain::Change;

pub const USAGE: &str = "/incident summary <what is happening, in a sentence or two>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryArgs(pub String);

pub fn parse(rest: &str) -> Result<SummaryArgs, Reply> {
    if rest.trim().is_empty() {
        return Err(Reply::usage("A summary needs some text.", USAGE));
    }
    Ok(SummaryArgs(rest.trim().to_string()))
}

impl SummaryArgs {
    pub fn into_change(self) -> Change {
        Change::Summary(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_text_is_the_summary_and_blank_is_refused() {
        assert_eq!(
            parse("Checkout fails for card payments: since 09:10").unwrap(),
            SummaryArgs("Checkout fails for card payments: since 09:10".into())
        );
        let Err(Reply::Ephemeral(text)) = parse("  ") else {
            panic!("a blank summary must be refused")
        };
        assert!(text.contains(USAGE), "{text}");
    }
}
