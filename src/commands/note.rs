//! `/incident note <text>`

use super::Reply;
use crate::domain::Change;

pub const USAGE: &str = "/incident note <text>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteArgs(pub String);

pub fn parse(rest: &str) -> Result<NoteArgs, Reply> {
    if rest.is_empty() {
        return Err(Reply::usage("A note needs some text.", USAGE));
    }
    Ok(NoteArgs(rest.to_string()))
}

impl NoteArgs {
    pub fn into_change(self) -> Change {
        Change::Note(self.0)
    }
}
