//! Where an incident stands. `Closed` is terminal and only `/incident close` reaches it.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("status must be one of investigating, identified, monitoring, resolved; got `{0}`")]
pub struct BadStatus(pub String);

impl Status {
    /// Parses a status a user may set. `closed` is refused: closing drafts the postmortem,
    /// so it has its own command.
    pub fn parse_settable(input: &str) -> Result<Self, BadStatus> {
        match input.trim().to_ascii_lowercase().as_str() {
            "investigating" => Ok(Status::Investigating),
            "identified" => Ok(Status::Identified),
            "monitoring" => Ok(Status::Monitoring),
            "resolved" => Ok(Status::Resolved),
            _ => Err(BadStatus(input.trim().to_string())),
        }
    }

    /// Parses any stored status, including `closed`.
    pub fn from_stored(input: &str) -> Result<Self, BadStatus> {
        match input {
            "closed" => Ok(Status::Closed),
            other => Self::parse_settable(other),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }

    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settable_statuses_round_trip_through_their_names() {
        for s in [
            Status::Investigating,
            Status::Identified,
            Status::Monitoring,
            Status::Resolved,
        ] {
            assert_eq!(Status::parse_settable(s.as_str()).unwrap(), s);
        }
    }

    #[test]
    fn closed_cannot_be_set_as_a_status_but_can_be_read_back() {
        assert!(Status::parse_settable("closed").is_err());
        assert_eq!(Status::from_stored("closed").unwrap(), Status::Closed);
    }
}
