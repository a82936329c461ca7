//! `/incident role commander|comms|scribe @user`: who holds a role. `lead @user` is
//! another name for `role commander @user` (see `lead.rs`). The slash command is
//! registered with escaping on, so the mention arrives as `<@U123|name>`.

use super::Reply;
use crate::domain::{Change, Role, user_mention};

pub const USAGE: &str = "/incident role commander|comms|scribe @user";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleArgs {
    pub role: Role,
    pub user: String,
}

pub fn parse(rest: &str) -> Result<RoleArgs, Reply> {
    let (word, who) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if word.is_empty() {
        return Err(Reply::usage("Which role, and who?", USAGE));
    }
    let role = Role::parse(word).map_err(|e| Reply::usage(&e.to_string(), USAGE))?;
    let user = holder(who.trim(), role, USAGE)?;
    Ok(RoleArgs { role, user })
}

/// The user a role goes to: a mention, or a usage answer saying what was wrong.
pub fn holder(who: &str, role: Role, usage: &str) -> Result<String, Reply> {
    match user_mention(who) {
        Some(id) => Ok(id),
        None if who.is_empty() => Err(Reply::usage(
            &format!("Who should be the {role}? Mention them with @."),
            usage,
        )),
        None => Err(Reply::usage(
            &format!("`{who}` is not a Slack user; mention them with @."),
            usage,
        )),
    }
}

impl RoleArgs {
    pub fn into_change(self) -> Change {
        Change::Role {
            role: self.role,
            user: self.user,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(text: &str) -> String {
        match parse(text) {
            Err(Reply::Ephemeral(t)) => t,
            other => panic!("`{text}` must be refused, got {other:?}"),
        }
    }

    #[test]
    fn each_role_goes_to_the_mentioned_user() {
        for (text, role) in [
            ("commander <@U02BSPARRO|bsparrow>", Role::Commander),
            ("lead <@U02BSPARRO>", Role::Commander),
            ("Comms <@U02BSPARRO|bsparrow>", Role::Comms),
            ("scribe   <@U02BSPARRO|bsparrow>", Role::Scribe),
        ] {
            assert_eq!(
                parse(text).unwrap(),
                RoleArgs {
                    role,
                    user: "U02BSPARRO".into()
                },
                "{text}"
            );
        }
    }

    #[test]
    fn an_unknown_role_is_answered_with_the_roles_that_exist() {
        assert!(
            refusal("captain <@U1>").contains("`captain` is not a role: use commander"),
            "{}",
            refusal("captain <@U1>")
        );
    }

    #[test]
    fn no_role_no_one_or_a_plain_name_is_refused_with_usage() {
        for (text, says) in [
            ("", "Which role"),
            ("scribe", "Who should be the scribe?"),
            ("comms bob", "`bob` is not a Slack user"),
            ("comms <#C123|general>", "is not a Slack user"),
        ] {
            let answer = refusal(text);
            assert!(
                answer.contains(says) && answer.contains(USAGE),
                "{text}: {answer}"
            );
        }
    }
}
