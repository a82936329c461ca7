//! `/incident resolve <what fixed it>`

use super::Reply;
use crate::domain::Change;

pub const USAGE: &str = "/incident resolve <what fixed it>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveArgs(pub String);

pub fn parse(rest: &str) -> Result<ResolveArgs, Reply> {
    if rest.is_empty() {
        return Err(Reply::usage(
            "Say what fixed it; it goes into the postmortem.",
            USAGE,
        ));
    }
    Ok(ResolveArgs(rest.to_string()))
}

impl ResolveArgs {
    pub fn into_change(self) -> Change {
        Change::Resolve(self.0)
    }
}
