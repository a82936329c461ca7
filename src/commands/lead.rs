//! `/incident lead @user`: another name for `role commander @user`. The slash command
//! is registered with escaping on, so Slack sends the mention as `<@U123|name>`.

use super::Reply;
use super::role::{RoleArgs, holder};
use crate::domain::Role;

pub const USAGE: &str = "/incident lead @user";

pub fn parse(rest: &str) -> Result<RoleArgs, Reply> {
    let user = holder(rest, Role::Commander, USAGE)?;
    Ok(RoleArgs {
        role: Role::Commander,
        user,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_mentions_give_the_user_id() {
        assert_eq!(parse("<@U02BSPARRO|bsparrow>").unwrap().user, "U02BSPARRO");
        assert_eq!(parse("<@W123ABC>").unwrap().user, "W123ABC");
        assert_eq!(parse("<@W123ABC>").unwrap().role, Role::Commander);
    }

    #[test]
    fn plain_names_and_channel_links_are_refused() {
        for bad in ["", "@bob", "bob", "<#C123|general>", "<@>", "<@u123>"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
