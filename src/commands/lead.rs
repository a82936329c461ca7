//! `/incident lead @user`. The slash command is registered with escaping on, so
//! Slack sends the mention as `<@U123|name>`.

use super::Reply;
use crate::domain::Change;

pub const USAGE: &str = "/incident lead @user";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadArgs(pub String);

pub fn parse(rest: &str) -> Result<LeadArgs, Reply> {
    match parse_user_mention(rest) {
        Some(id) => Ok(LeadArgs(id)),
        None if rest.is_empty() => Err(Reply::usage("Who should lead?", USAGE)),
        None => Err(Reply::usage(
            &format!("`{rest}` is not a Slack user; mention them with @."),
            USAGE,
        )),
    }
}

/// `<@U123>` or `<@U123|name>` → `U123`.
pub fn parse_user_mention(text: &str) -> Option<String> {
    crate::domain::user_mention(text)
}

impl LeadArgs {
    pub fn into_change(self) -> Change {
        Change::Role {
            role: crate::domain::Role::Commander,
            user: self.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_mentions_give_the_user_id() {
        assert_eq!(parse("<@U02BSPARRO|bsparrow>").unwrap().0, "U02BSPARRO");
        assert_eq!(parse("<@W123ABC>").unwrap().0, "W123ABC");
    }

    #[test]
    fn plain_names_and_channel_links_are_refused() {
        for bad in ["", "@bob", "bob", "<#C123|general>", "<@>", "<@u123>"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
