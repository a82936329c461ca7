//! `/incident status investigating|identified|monitoring|resolved [note]`

use super::Reply;
use crate::domain::{Change, Status};

pub const USAGE: &str = "/incident status investigating|identified|monitoring|resolved [note]";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusArgs {
    pub to: Status,
    pub note: Option<String>,
}

pub fn parse(rest: &str) -> Result<StatusArgs, Reply> {
    let (word, note) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    if word.is_empty() {
        return Err(Reply::usage("Which status?", USAGE));
    }
    if word.eq_ignore_ascii_case("closed") {
        return Err(Reply::usage(
            "Use `/incident close` to close an incident.",
            "/incident close",
        ));
    }
    let to = Status::parse_settable(word).map_err(|e| Reply::usage(&e.to_string(), USAGE))?;
    let note = Some(note.trim().to_string()).filter(|n| !n.is_empty());
    Ok(StatusArgs { to, note })
}

impl StatusArgs {
    pub fn into_change(self) -> Change {
        Change::Status {
            to: self.to,
            note: self.note,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_status_with_a_note_keeps_the_note() {
        let a = parse("identified bad deploy of api v42").unwrap();
        assert_eq!(a.to, Status::Identified);
        assert_eq!(a.note.as_deref(), Some("bad deploy of api v42"));
    }

    #[test]
    fn unknown_missing_or_closed_statuses_get_usage() {
        for bad in ["", "fixed", "closed"] {
            assert!(matches!(parse(bad), Err(Reply::Ephemeral(_))), "{bad}");
        }
    }
}
