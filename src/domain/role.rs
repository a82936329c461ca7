//! The roles people hold in an incident. The commander leads (`lead` is its older
//! name); comms keeps stakeholders informed; the scribe keeps the record.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Commander,
    Comms,
    Scribe,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a role: use commander (or lead), comms or scribe")]
pub struct BadRole(pub String);

impl Role {
    pub const ALL: [Role; 3] = [Role::Commander, Role::Comms, Role::Scribe];

    pub fn parse(word: &str) -> Result<Role, BadRole> {
        match word.trim().to_ascii_lowercase().as_str() {
            "commander" | "lead" | "ic" | "incident-commander" => Ok(Role::Commander),
            "comms" | "communications" | "communication" => Ok(Role::Comms),
            "scribe" => Ok(Role::Scribe),
            _ => Err(BadRole(word.trim().to_string())),
        }
    }

    /// The stable name, as typed and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Commander => "commander",
            Role::Comms => "comms",
            Role::Scribe => "scribe",
        }
    }

    /// `Commander`, `Comms`, `Scribe`: how a sentence or a heading names it.
    pub fn title(self) -> &'static str {
        match self {
            Role::Commander => "Commander",
            Role::Comms => "Comms",
            Role::Scribe => "Scribe",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_is_another_name_for_commander_and_case_does_not_matter() {
        assert_eq!(Role::parse("lead"), Ok(Role::Commander));
        assert_eq!(Role::parse("Commander"), Ok(Role::Commander));
        assert_eq!(Role::parse("COMMS"), Ok(Role::Comms));
        assert_eq!(Role::parse("scribe"), Ok(Role::Scribe));
    }

    #[test]
    fn an_unknown_role_is_refused_with_the_ones_that_exist() {
        let err = Role::parse("captain").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`captain` is not a role: use commander (or lead), comms or scribe"
        );
    }
}
